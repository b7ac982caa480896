// FlowSpec route encoding, checked against gobgp's own rendering: the same rule added once by
// the `gobgp` CLI and once through encode_path() and AddPath must list identically (text and
// JSON, the age aside) in a real gobgpd; decode_path() reads our routes back.
#include "fleet/flowspec_route.hpp"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <regex>

#include "gobgp.grpc.pb.h"
#include "support/gobgpd_process.hpp"

namespace ampguard::fleet {
namespace {

Prefix prefix(const std::string& text) {
  Prefix p;
  EXPECT_EQ(parse_prefix(text, p), "");
  return p;
}

// The RIB as gobgp lists it, text then JSON, with the route's age taken out.
std::string listing(const test::Gobgpd& g, const std::string& family) {
  std::string out = g.cli("global rib -a " + family) + g.cli("global rib -a " + family + " -j");
  out = std::regex_replace(out, std::regex(R"(\d\d:\d\d:\d\d)"), "AGE");
  return std::regex_replace(out, std::regex(R"("age":\d+)"), "\"age\":AGE");
}

struct Case {
  const char* name;
  const char* source;
  const char* destination;
  std::vector<uint16_t> ports;
  const char* action;
  const char* cli;  // the same rule for `gobgp global rib -a FAMILY add`
};

const Case kCases[] = {
    {"v4_rate",
     "203.0.113.7/32",
     "198.51.100.0/24",
     {53},
     "rate:1000",
     "match destination 198.51.100.0/24 source 203.0.113.7/32 protocol udp destination-port "
     "==53 then rate-limit 1000 community 64512:53 origin igp"},
    {"v4_prefix_discard_two_ports",
     "203.0.113.0/24",
     "198.51.100.53/32",
     {53, 853},
     "discard",
     "match destination 198.51.100.53/32 source 203.0.113.0/24 protocol udp destination-port "
     "==53 ==853 then discard community 64512:53 origin igp"},
    {"v6_rate",
     "2001:db8:bad:1::/64",
     "2001:db8:53::/48",
     {53},
     "rate:12500",
     "match destination 2001:db8:53::/48 source 2001:db8:bad:1::/64 protocol udp "
     "destination-port ==53 then rate-limit 12500 community 64512:53 origin igp"},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class FlowspecRoute : public ::testing::TestWithParam<Case> {};

TEST_P(FlowspecRoute, ListsLikeTheGobgpCli) {
  const Case& c = GetParam();
  test::Gobgpd gobgpd("flowspec_route");
  const FlowRule rule{prefix(c.source), prefix(c.destination)};
  const std::string family = rule.source.v6 ? "ipv6-flowspec" : "ipv4-flowspec";
  int rc = -1;
  const std::string added = gobgpd.cli("global rib -a " + family + " add " + c.cli, &rc);
  ASSERT_EQ(rc, 0) << added;
  const std::string by_cli = listing(gobgpd, family);
  ASSERT_NE(by_cli.find("64512:53"), std::string::npos) << by_cli;
  gobgpd.cli("global rib -a " + family + " del all", &rc);
  ASSERT_EQ(rc, 0);
  ASSERT_EQ(gobgpd.cli("global rib -a " + family + " -j"), "{}\n");

  RouteShape shape;
  shape.ports = c.ports;
  ASSERT_EQ(parse_community("64512:53", shape.community), "");
  ASSERT_EQ(parse_action(c.action, shape.action), "");
  auto stub = apipb::GobgpApi::NewStub(
      grpc::CreateChannel(gobgpd.address(), grpc::InsecureChannelCredentials()));
  // The import side's stream (fleet_client.cpp): best-path changes, the table first.
  grpc::ClientContext wctx;
  wctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  apipb::WatchEventRequest wreq;
  auto* filter = wreq.mutable_table()->add_filters();
  filter->set_type(apipb::WatchEventRequest::Table::Filter::BEST);
  filter->set_init(true);
  auto watch = stub->WatchEvent(&wctx, wreq);
  apipb::WatchEventResponse event;
  ASSERT_TRUE(watch->Read(&event)) << "the initial table comes even when it is empty";
  EXPECT_EQ(event.table().paths_size(), 0);
  grpc::ClientContext ctx;
  apipb::AddPathRequest req;
  *req.mutable_path() = encode_path(rule, shape);
  apipb::AddPathResponse resp;
  const grpc::Status st = stub->AddPath(&ctx, req, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(listing(gobgpd, family), by_cli);

  // Read back through ListPath: our route, local, the same two prefixes.
  grpc::ClientContext lctx;
  apipb::ListPathRequest lreq;
  lreq.set_table_type(apipb::GLOBAL);
  *lreq.mutable_family() = flowspec_family(rule.source.v6);
  auto reader = stub->ListPath(&lctx, lreq);
  apipb::ListPathResponse lresp;
  unsigned found = 0;
  while (reader->Read(&lresp))
    for (const auto& path : lresp.destination().paths()) {
      const auto d = decode_path(path, shape.community);
      ASSERT_TRUE(d);
      EXPECT_TRUE(d->local);
      EXPECT_EQ(d->rule, rule);
      EXPECT_TRUE(same_shape(*d, shape));
      RouteShape other = shape;
      other.action = shape.action.discard ? Action{false, 1000} : Action{true, 0};
      EXPECT_FALSE(same_shape(*d, other)) << "another action is another shape";
      other = shape;
      other.ports.push_back(5353);
      EXPECT_FALSE(same_shape(*d, other)) << "other ports are another shape";
      EXPECT_FALSE(decode_path(path, shape.community + 1)) << "another community is not ours";
      ++found;
    }
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(found, 1u);

  ASSERT_TRUE(watch->Read(&event));
  ASSERT_EQ(event.table().paths_size(), 1);
  EXPECT_FALSE(event.table().paths(0).is_withdraw());
  const auto watched = decode_path(event.table().paths(0), shape.community);
  ASSERT_TRUE(watched);
  EXPECT_EQ(watched->rule, rule);
  grpc::ClientContext dctx;
  apipb::DeletePathRequest dreq;
  dreq.set_table_type(apipb::GLOBAL);
  *dreq.mutable_family() = flowspec_family(rule.source.v6);
  *dreq.mutable_path() = encode_path(rule, shape);
  google::protobuf::Empty dresp;
  ASSERT_TRUE(stub->DeletePath(&dctx, dreq, &dresp).ok());
  ASSERT_TRUE(watch->Read(&event));
  ASSERT_EQ(event.table().paths_size(), 1);
  EXPECT_TRUE(event.table().paths(0).is_withdraw());
  EXPECT_EQ(decode_rule(event.table().paths(0)), rule) << "a withdrawal names its rule";
  wctx.TryCancel();
  while (watch->Read(&event)) {
  }
  watch->Finish();
}

INSTANTIATE_TEST_SUITE_P(Rules, FlowspecRoute, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(FlowspecRouteParse, RejectsBadValues) {
  Prefix p;
  EXPECT_NE(parse_prefix("198.51.100.1/24", p), "");  // host bits
  EXPECT_NE(parse_prefix("198.51.100.0/33", p), "");
  EXPECT_NE(parse_prefix("not-an-address", p), "");
  EXPECT_EQ(parse_prefix("2001:db8::/32", p), "");
  EXPECT_TRUE(p.v6);
  EXPECT_EQ(p.text(), "2001:db8::/32");
  Action a;
  EXPECT_NE(parse_action("rate:0", a), "");
  EXPECT_NE(parse_action("rate:", a), "");
  EXPECT_NE(parse_action("drop", a), "");
  EXPECT_EQ(parse_action("discard", a), "");
  EXPECT_TRUE(a.discard);
  uint32_t c = 0;
  EXPECT_NE(parse_community("65536:1", c), "");
  EXPECT_NE(parse_community("64512", c), "");
  EXPECT_EQ(parse_community("64512:53", c), "");
  EXPECT_EQ(c, 64512u << 16 | 53);
}

}  // namespace
}  // namespace ampguard::fleet
