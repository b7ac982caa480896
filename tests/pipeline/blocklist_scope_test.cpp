// Issue 14: the blocklist cuts off neither the resolver's upstreams nor a real client. From a
// blocklisted source only UDP to the service ports is dropped; fragments follow their first
// fragment; unreadable ports are dropped (issue 15: long IPv6 chains).
#include <gtest/gtest.h>

#include "dataplane/packet_parse.hpp"
#include "support/dns_frames.hpp"
#include "support/pipeline_harness.hpp"

namespace ampguard {
namespace {

using test::Bytes;
using test::PipelineHarness;

constexpr PortSide kIn = PortSide::inside, kOut = PortSide::outside;
// An authoritative server whose address a spoofed attack got blocklisted.
constexpr std::array<uint8_t, 4> kServer{203, 0, 113, 66};
constexpr std::array<uint8_t, 4> kOther{198, 18, 7, 7};
constexpr uint16_t kResolverEphemeral = 33333;

void block_v4(PipelineHarness& h, std::array<uint8_t, 4> addr) {
  std::vector<Bytes> burst;
  for (uint16_t i = 0; i < 11; ++i) burst.push_back(test::response_v4(addr, 800, i));
  h.send(kIn, burst);
  ASSERT_EQ(h.reason(VerdictReason::over_limit), 1u);
  h.transmitted(kOut);
}

// The server's answer to the resolver's own query: from port 53 to the resolver's ephemeral port.
Bytes answer_from(std::array<uint8_t, 4> server, size_t dns_bytes, uint16_t id) {
  return test::frame_v4(test::kToResolver, {server, test::kResolverV4, 64, id, 0, {}},
                        {53, kResolverEphemeral, {}}, test::dns_response_payload(id, dns_bytes));
}

TEST(BlocklistScope, AnswersToTheResolversOwnQueriesPass) {
  PipelineHarness h;
  block_v4(h, kServer);
  const Bytes answer = answer_from(kServer, 300, 7);
  const Bytes query = test::query_v4(kServer, 8);
  h.send(kOut, {answer, query, answer});
  EXPECT_EQ(h.transmitted(kIn), (std::vector<Bytes>{answer, answer}));
  EXPECT_EQ(h.reason(VerdictReason::blocklisted_source), 1u);
  EXPECT_EQ(h.reason(VerdictReason::blocklisted_source_upstream), 2u);
}

TEST(BlocklistScope, ServicePortsAreConfigurable) {
  Settings s;
  s.block_service_ports = "53,5353";
  PipelineHarness h(s);
  block_v4(h, kServer);
  const Bytes to_5353 =
      test::frame_v4(test::kToResolver, {kServer, test::kResolverV4, 64, 1, 0, {}},
                     {40000, 5353, {}}, test::dns_query_payload(1, "a.example", 1));
  const Bytes answer = answer_from(kServer, 300, 2);
  h.send(kOut, {to_5353, answer, test::query_v4(kServer, 3)});
  EXPECT_EQ(h.transmitted(kIn), std::vector<Bytes>{answer});
  EXPECT_EQ(h.reason(VerdictReason::blocklisted_source), 2u);
}

TEST(BlocklistScope, FragmentsOfAnAnswerFollowTheFirstFragment) {
  PipelineHarness h;
  block_v4(h, kServer);
  const auto answer = test::fragments_v4(answer_from(kServer, 3000, 0x51), test::kToResolver);
  ASSERT_EQ(answer.size(), 3u);
  h.send(kOut, answer);
  EXPECT_EQ(h.transmitted(kIn), answer);
  EXPECT_EQ(h.reason(VerdictReason::blocklisted_source_upstream), 3u);
}

TEST(BlocklistScope, FragmentsOfAQueryAreDroppedWhole) {
  PipelineHarness h;
  block_v4(h, kServer);
  Bytes big_query = test::frame_v4(test::kToResolver, {kServer, test::kResolverV4, 64, 0x52, 0, {}},
                                   {40000, 53, {}}, test::dns_response_payload(0x52, 2000));
  const auto query = test::fragments_v4(big_query, test::kToResolver);
  ASSERT_EQ(query.size(), 2u);
  h.send(kOut, query);
  EXPECT_TRUE(h.transmitted(kIn).empty());
  EXPECT_EQ(h.reason(VerdictReason::blocklisted_source), 2u);
}

TEST(BlocklistScope, LaterFragmentWithoutItsFirstFromABlockedSourceIsDropped) {
  PipelineHarness h;
  block_v4(h, kServer);
  const auto answer = test::fragments_v4(answer_from(kServer, 3000, 0x53), test::kToResolver);
  h.send(kOut, {answer[1], answer[2]});
  EXPECT_TRUE(h.transmitted(kIn).empty());
  EXPECT_EQ(h.reason(VerdictReason::blocklisted_fragment_unmatched), 2u);
  // From a source that is not blocklisted the same fragments pass as before.
  const auto other = test::fragments_v4(answer_from(kOther, 3000, 0x54), test::kToResolver);
  h.send(kOut, {other[1], other[2]});
  EXPECT_EQ(h.transmitted(kIn), (std::vector<Bytes>{other[1], other[2]}));
}

// A query with `n` IPv6 destination-options headers (8 bytes each, PadN) before UDP.
Bytes query_v6_with_options(std::array<uint8_t, 16> src, int n) {
  test::Ipv6 ip{src, test::kResolverV6, 64, 0, {}};
  for (int i = 0; i < n; ++i) ip.ext.push_back({60, {0, 1, 4, 0, 0, 0, 0}});
  return test::frame_v6(test::kToResolver, ip, {40000, 53, {}},
                        test::dns_query_payload(1, "www.example.com", 1));
}

TEST(BlocklistScope, UnreadablePortsFromABlockedSourceAreDropped) {
  PipelineHarness h;
  const auto victim = test::v6_addr(0xdead, 1);
  std::vector<Bytes> burst;
  for (uint16_t i = 0; i < 11; ++i) burst.push_back(test::response_v6(victim, 800, i));
  h.send(kIn, burst);
  ASSERT_EQ(h.reason(VerdictReason::over_limit), 1u);
  // Nine extension headers: one more than the parser walks, so the ports stay unknown.
  const Bytes long_chain = query_v6_with_options(test::v6_addr(0xdead, 2), 9);
  ASSERT_EQ(parse_frame(long_chain.data(), uint32_t(long_chain.size())).status,
            ParseStatus::ipv6_extension_chain_too_long);
  const Bytes short_chain = query_v6_with_options(test::v6_addr(0xdead, 2), 2);
  const Bytes elsewhere = query_v6_with_options(test::v6_addr(0xbeef, 2), 9);
  h.send(kOut, {long_chain, short_chain, elsewhere});
  EXPECT_EQ(h.transmitted(kIn), std::vector<Bytes>{elsewhere});
  EXPECT_EQ(h.reason(VerdictReason::blocklisted_source_unreadable), 1u);
  EXPECT_EQ(h.reason(VerdictReason::blocklisted_source), 1u);
  EXPECT_EQ(h.reason(VerdictReason::malformed), 1u);
}

// Issue 14 part 2: a real client whose address was blocked is limited, never silenced.
TEST(BlocklistScope, QueryActionTcAnswersEverySlipthQueryWithASmallerTcReply) {
  Settings s;
  s.block_query_action = "tc";
  s.block_slip = 2;
  PipelineHarness h(s);
  block_v4(h, kServer);
  std::vector<Bytes> queries;
  for (uint16_t i = 0; i < 6; ++i) queries.push_back(test::query_v4(kServer, uint16_t(100 + i)));
  h.send(kOut, queries);
  EXPECT_TRUE(h.transmitted(kIn).empty()) << "the resolver does no work for a blocked source";
  const auto replies = h.transmitted(kOut);
  ASSERT_EQ(replies.size(), 3u);
  size_t query_bytes = 0, reply_bytes = 0;
  for (size_t i = 0; i < replies.size(); ++i) {
    const Bytes& q = queries[2 * i + 1];  // every second one slips
    EXPECT_EQ(test::checksum_error(replies[i]), "");
    PacketView r = parse_frame(replies[i].data(), uint32_t(replies[i].size()));
    ASSERT_TRUE(parse_dns(replies[i].data(), r));
    EXPECT_EQ(r.dns.id, 100 + 2 * i + 1);
    EXPECT_EQ(r.dns.flags & 0x8200, 0x8200) << "QR and TC";
    EXPECT_EQ(r.dst, parse_frame(q.data(), uint32_t(q.size())).src);
    EXPECT_LE(replies[i].size(), q.size());
    reply_bytes += replies[i].size();
  }
  for (const Bytes& q : queries) query_bytes += q.size();
  EXPECT_LT(reply_bytes, query_bytes) << "a spoofed victim gets less than was sent in its name";
  EXPECT_EQ(h.reason(VerdictReason::blocklisted_tc_reply), 3u);
  EXPECT_EQ(h.reason(VerdictReason::blocklisted_source), 3u);
}

TEST(BlocklistScope, QueryActionTcWithSlipOneAnswersEveryQuery) {
  Settings s;
  s.block_query_action = "tc";
  s.block_slip = 1;
  PipelineHarness h(s);
  block_v4(h, kServer);
  std::vector<Bytes> queries;
  for (uint16_t i = 0; i < 4; ++i) queries.push_back(test::query_v4(kServer, i));
  // A non-DNS payload to the service port cannot be answered: dropped.
  Bytes junk = test::frame_v4(test::kToResolver, {kServer, test::kResolverV4, 64, 9, 0, {}},
                              {40000, 53, {}}, Bytes(5, 0xee));
  queries.push_back(junk);
  h.send(kOut, queries);
  EXPECT_EQ(h.transmitted(kOut).size(), 4u);
  EXPECT_TRUE(h.transmitted(kIn).empty());
  EXPECT_EQ(h.reason(VerdictReason::blocklisted_tc_reply), 4u);
  EXPECT_EQ(h.reason(VerdictReason::blocklisted_source), 1u);
}

}  // namespace
}  // namespace ampguard
