// Issue 16: every read command of ampguardctl answers --json with the values of its table, so
// scripts never parse the tables (status, stats, blocklist list, top N).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/dns_frames.hpp"
#include "support/pipeline_harness.hpp"

namespace ampguard {
namespace {

using nlohmann::json;
using test::Bytes;
using test::PipelineHarness;

std::vector<Bytes> responses_to(std::array<uint8_t, 4> dst, int n, size_t bytes, uint16_t id = 1) {
  std::vector<Bytes> out;
  for (int i = 0; i < n; ++i) out.push_back(test::response_v4(dst, bytes, uint16_t(id + i)));
  return out;
}

json ask(Runtime& rt, const std::string& request) {
  const Reply r = rt.command(request);
  EXPECT_TRUE(r.ok) << request << ": " << r.text;
  return json::parse(r.text);
}

TEST(JsonCommands, Status) {
  PipelineHarness h;
  ASSERT_TRUE(h.runtime().command("blocklist add 192.0.2.7 5m").ok);
  const json j = ask(h.runtime(), "status --json");
  EXPECT_EQ(j["workers"], h.runtime().totals().workers);
  EXPECT_EQ(j["config_generation"], 1u);
  EXPECT_EQ(j["limit"], json({{"mode", "packets"}, {"rate", "50/min"}, {"burst", "10"}}));
  EXPECT_EQ(j["blocklist"]["entries"], 1u);
  EXPECT_EQ(j["blocklist"]["capacity"], h.runtime().totals().tables.block_capacity);
  EXPECT_EQ(j["capture_running"], false);
  EXPECT_EQ(j["restart_pending"], json::array());
  // The table says the same.
  const std::string text = h.runtime().command("status").text;
  EXPECT_NE(text.find("\nblocklist 1 of " + j["blocklist"]["capacity"].dump() + "\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\nlimit packets rate 50/min burst 10\n"), std::string::npos) << text;
}

TEST(JsonCommands, Stats) {
  PipelineHarness h;
  h.send(PortSide::inside, responses_to(test::kVictimV4, 3, 800));
  const json j = ask(h.runtime(), "stats --json");
  EXPECT_EQ(j, json::parse(h.runtime().command("stats").text));
  EXPECT_EQ(j["ports"]["inside"]["rx_packets"], 3u);
  EXPECT_EQ(j["reasons"]["response_within_limit"]["packets"], 3u);
}

TEST(JsonCommands, BlocklistList) {
  PipelineHarness h;
  Runtime& rt = h.runtime();
  ASSERT_TRUE(rt.command("blocklist add 192.0.2.7 5m").ok);
  h.send(PortSide::inside, responses_to(test::kVictimV4, 11, 800));
  h.log_lines();
  const json j = ask(rt, "blocklist list --json");
  EXPECT_EQ(j, json::parse(R"([
    {"address": "192.0.2.7", "remaining_seconds": 300, "reason": "manual"},
    {"address": "203.0.113.66", "remaining_seconds": 600, "reason": "over-limit"}])"));
  EXPECT_EQ(rt.command("blocklist list").text,
            "192.0.2.7 300 manual\n203.0.113.66 600 over-limit\n");
  ASSERT_TRUE(rt.command("blocklist flush").ok);
  EXPECT_EQ(ask(rt, "blocklist list --json"), json::array());
  // --json only where a table is read
  EXPECT_FALSE(rt.command("blocklist flush --json").ok);
}

TEST(JsonCommands, Top) {
  Settings s;
  s.limit_rate = "1/hour";  // no refill while the test runs
  PipelineHarness h(s);
  h.send(PortSide::inside, responses_to(test::kVictimV4, 12, 800));
  h.send(PortSide::inside, responses_to(test::kOtherClientV4, 3, 800, 100));
  const json j = ask(h.runtime(), "top 2 --json");
  EXPECT_EQ(j, json::parse(R"({"unit": "packets", "rows": [
    {"address": "203.0.113.66", "credit_left": 0, "capacity": 10, "used_percent": 100,
     "blocked": true},
    {"address": "198.18.7.7", "credit_left": 7, "capacity": 10, "used_percent": 30,
     "blocked": false}]})"));
  EXPECT_EQ(h.runtime().command("top 2").text,
            "# address credit-left capacity (packets) used blocked\n"
            "203.0.113.66 0 10 100% blocked\n"
            "198.18.7.7 7 10 30% -\n");
  EXPECT_FALSE(h.runtime().command("top --json").ok);
}

}  // namespace
}  // namespace ampguard
