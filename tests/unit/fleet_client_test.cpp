// The fleet client against a real gobgpd: the reconcile at connect withdraws routes of ours
// that are no longer wanted or have another shape, a restarted gobgpd gets the full set again,
// stop() withdraws everything of ours; a gobgpd that is not there is reported, not waited for.
#include "fleet/fleet_client.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "support/gobgpd_process.hpp"

namespace ampguard::fleet {
namespace {

Prefix prefix(const std::string& text) {
  Prefix p;
  EXPECT_EQ(parse_prefix(text, p), "");
  return p;
}

// Waits (for a process, not a timing claim) until pred holds; false after 20 s.
template <class F>
bool eventually(F pred) {
  for (int i = 0; i < 400; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

ClientConfig config(const test::Gobgpd& g) {
  ClientConfig c;
  c.api = g.address();
  EXPECT_EQ(parse_community("64512:53", c.shape.community), "");
  EXPECT_EQ(parse_action("rate:1000", c.shape.action), "");
  c.max_changes_per_second = 1000;
  return c;
}

std::string rib(const test::Gobgpd& g) { return g.cli("global rib -a ipv4-flowspec"); }

TEST(FleetClient, ReconcilesAtConnectReannouncesAfterARestartWithdrawsOnStop) {
  test::Gobgpd gobgpd("fleet_client");
  int rc = -1;
  // Left by an earlier run: a route no longer wanted, and a wanted one with another action.
  gobgpd.cli("global rib -a ipv4-flowspec add match destination 198.51.100.53/32 source "
             "203.0.113.99/32 protocol udp destination-port ==53 then rate-limit 1000 community "
             "64512:53 origin igp",
             &rc);
  ASSERT_EQ(rc, 0);
  gobgpd.cli("global rib -a ipv4-flowspec add match destination 198.51.100.53/32 source "
             "203.0.113.2/32 protocol udp destination-port ==53 then discard community "
             "64512:53 origin igp",
             &rc);
  ASSERT_EQ(rc, 0);
  // Not ours (another community): left alone.
  const auto add_foreign = [&] {
    gobgpd.cli("global rib -a ipv4-flowspec add match destination 198.51.100.53/32 source "
               "203.0.113.50/32 then discard community 64512:99",
               &rc);
    ASSERT_EQ(rc, 0);
  };
  add_foreign();

  Client client;
  const FlowRule r1{prefix("203.0.113.1/32"), prefix("198.51.100.53/32")};
  const FlowRule r2{prefix("203.0.113.2/32"), prefix("198.51.100.53/32")};
  client.set_exports({r1, r2});
  client.start(config(gobgpd));
  ASSERT_TRUE(eventually([&] {
    const std::string r = rib(gobgpd);
    return r.find("203.0.113.99") == std::string::npos &&
           r.find("[source: 203.0.113.1/32]") != std::string::npos &&
           r.find("[source: 203.0.113.2/32][protocol: ==udp][destination-port: ==53] "
                  "fictitious") != std::string::npos &&
           client.status().pending == 0;
  })) << rib(gobgpd);
  std::string r = rib(gobgpd);
  // Both ours carry the configured rate now; the foreign route keeps its discard.
  size_t rates = 0;
  for (size_t at = 0; (at = r.find("rate: 1000.000000", at)) != std::string::npos; ++at) ++rates;
  EXPECT_EQ(rates, 2u) << r;
  EXPECT_NE(r.find("[source: 203.0.113.50/32]"), std::string::npos) << r;
  EXPECT_EQ(client.status().stale_removed, 2u);
  EXPECT_TRUE(client.status().connected);

  // gobgpd restarted (its RIB empty): the client reconnects and announces the full set again.
  gobgpd.stop();
  gobgpd.start();
  ASSERT_TRUE(eventually([&] {
    const std::string now = rib(gobgpd);
    return now.find("[source: 203.0.113.1/32]") != std::string::npos &&
           now.find("[source: 203.0.113.2/32]") != std::string::npos;
  })) << rib(gobgpd);
  EXPECT_GE(client.status().connects, 2u);
  add_foreign();

  // A clean stop withdraws this box's routes and nothing else.
  client.stop();
  r = rib(gobgpd);
  EXPECT_EQ(r.find("203.0.113.1/"), std::string::npos) << r;
  EXPECT_EQ(r.find("203.0.113.2/"), std::string::npos) << r;
  EXPECT_NE(r.find("[source: 203.0.113.50/32]"), std::string::npos) << r;
}

TEST(FleetClient, ReportsADownGobgpdAndKeepsTrying) {
  const int port = test::free_port();
  ClientConfig c;
  c.api = "127.0.0.1:" + std::to_string(port);
  Client client;
  client.start(c);
  ASSERT_TRUE(eventually([&] { return client.status().session.rfind("down: ", 0) == 0; }));
  EXPECT_FALSE(client.status().connected);
  client.stop();
}

}  // namespace
}  // namespace ampguard::fleet
