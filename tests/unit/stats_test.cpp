// The totals and their renderings: the sum over workers, the stats JSON (field names external
// tools read), and that every counter of the JSON is in /ampguard/stats and in /metrics (issue
// 16: telemetry had drifted, missing the fragment counters, cas_retries, classes and parse).
#include "control/stats.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "control/metrics.hpp"
#include "control/telemetry.hpp"

namespace ampguard {
namespace {

// Every counter a different value, so a value found elsewhere is that counter.
StatsTotals distinct_totals() {
  StatsTotals t;
  uint64_t n = 1000;
  for_each_counter(t, [&](const CounterView&, uint64_t& v) { v = n++; });
  t.forwarding_seconds = 2.5;
  return t;
}

// The numeric leaves of a JSON document by path ("ports.inside.rx_packets").
void leaves(const nlohmann::json& j, const std::string& path,
            std::map<std::string, uint64_t>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) leaves(v, path.empty() ? k : path + "." + k, out);
  } else if (j.is_number_unsigned()) {
    out[path] = j.get<uint64_t>();
  }
}

TEST(Stats, EveryJsonCounterIsInTelemetryAndMetrics) {
  const StatsTotals t = distinct_totals();
  std::map<std::string, uint64_t> json;
  leaves(nlohmann::json::parse(stats_json(t)), "", json);
  std::set<uint64_t> tel, metrics;
  const TelemetryStats ts = telemetry_stats(t);
  for (const auto& [k, v] : ts.top) tel.insert(v);
  for (const auto& [dict, values] : ts.dicts)
    for (const auto& [k, v] : values) EXPECT_TRUE(tel.insert(v).second) << dict << "/" << k;
  for (const auto& family : metric_families(t, ControlTotals{}))
    for (const auto& m : family.metric)
      metrics.insert(uint64_t(family.type == prometheus::MetricType::Counter ? m.counter.value
                                                                             : m.gauge.value));
  ASSERT_GT(json.size(), 100u);
  EXPECT_EQ(tel.size(), json.size());
  for (const auto& [path, v] : json) {
    EXPECT_TRUE(tel.count(v)) << path << " is not in /ampguard/stats";
    EXPECT_TRUE(metrics.count(v)) << path << " is not in /metrics";
  }
}

// External tools read these names; the lists must not rename them.
TEST(Stats, JsonKeepsItsFieldNames) {
  StatsTotals t;
  t.port[unsigned(PortSide::inside)].rx_packets = 7;
  t.port[unsigned(PortSide::outside)].class_bytes[unsigned(TrafficClass::dns_response)] = 9;
  t.reason_packets[unsigned(VerdictReason::over_limit)] = 3;
  t.tables.cas_retries = 4;
  t.tables.block_capacity = 5;
  t.forwarding_seconds = 1.5;
  const std::string text = stats_json(t);
  // the line scripts wait for (tests/visibility/telemetry_test.sh)
  EXPECT_NE(text.find("\"inside\": {\"rx_packets\": 7, \"rx_bytes\": 0,"), std::string::npos)
      << text;
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["forwarding_seconds"], 1.5);
  EXPECT_EQ(j["ports"]["outside"]["classes"]["dns_response"]["bytes"], 9u);
  EXPECT_EQ(j["reasons"]["over_limit"]["action"], "drop");
  EXPECT_EQ(j["reasons"]["over_limit"]["packets"], 3u);
  EXPECT_EQ(j["reasons"]["any_tc_reply"]["action"], "reply");
  EXPECT_EQ(j["tables"]["cas_retries"], 4u);
  EXPECT_EQ(j["tables"]["block_capacity"], 5u);
  for (const char* key :
       {"workers", "config_generation", "idle_pauses", "dry_run_forwarded", "block_events",
        "block_events_dropped", "parse", "tc_reply_results", "truncate_results", "capture"})
    EXPECT_TRUE(j.contains(key)) << key;
  for (const char* key : {"rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "tx_dropped",
                          "ipackets", "opackets", "imissed", "rx_nombuf", "oerrors"})
    EXPECT_TRUE(j["ports"]["inside"].contains(key)) << key;
  EXPECT_TRUE(j["parse"].contains("ok"));
  EXPECT_TRUE(j["tc_reply_results"].contains("done"));
  EXPECT_EQ(j["capture"].size(), 2u);
}

TEST(Stats, WorkersAreSummed) {
  WorkerCounters a, b;
  a.port[unsigned(PortSide::outside)].tx_bytes.add(100);
  b.port[unsigned(PortSide::outside)].tx_bytes.add(23);
  a.reason_bytes[unsigned(VerdictReason::query)].add(5);
  b.tables.fragment_evictions.add(2);
  a.idle_pauses.add(1);
  b.idle_pauses.add(1);
  a.first_rx_tsc.set(50);
  a.last_rx_tsc.set(60);
  b.first_rx_tsc.set(40);
  b.last_rx_tsc.set(55);
  StatsTotals t;
  uint64_t first = 0, last = 0;
  add_worker_counters(a, t, first, last);
  add_worker_counters(b, t, first, last);
  EXPECT_EQ(t.workers, 2u);
  EXPECT_EQ(t.port[unsigned(PortSide::outside)].tx_bytes, 123u);
  EXPECT_EQ(t.reason_bytes[unsigned(VerdictReason::query)], 5u);
  EXPECT_EQ(t.tables.fragment_evictions, 2u);
  EXPECT_EQ(t.idle_pauses, 2u);
  EXPECT_EQ(first, 40u);
  EXPECT_EQ(last, 60u);
}

TEST(Stats, SummaryNamesTheActions) {
  StatsTotals t;
  t.reason_packets[unsigned(VerdictReason::over_limit)] = 30;
  t.reason_packets[unsigned(VerdictReason::any_tc_reply)] = 2;
  const std::string s = stats_summary(t);
  EXPECT_NE(s.find("drop    over_limit"), std::string::npos) << s;
  EXPECT_NE(s.find("reply   any_tc_reply"), std::string::npos) << s;
  EXPECT_EQ(s.find("query"), std::string::npos) << s;  // reasons never seen are left out
}

// The control thread's figures: each field of the two lists is exactly one sample of its family
// with its label, and the names dashboards use stay.
TEST(Stats, EveryControlFigureIsOneLabelledSampleInMetrics) {
  ControlTotals c;
  uint64_t n = 5000;
  std::map<uint64_t, std::string> expected;  // value -> "family{label=value}"
  const auto name = [](const char* metric, const char* label, const char* value) {
    return "ampguard_" + std::string(metric) +
           (*label ? "{" + std::string(label) + "=" + value + "}" : "");
  };
#define AMPGUARD_SET(field, metric, label, value, ...) \
  c.field = n;                                         \
  expected[n++] = name(metric, label, value);
  AMPGUARD_CONTROL_FIGURES(AMPGUARD_SET)
#undef AMPGUARD_SET
#define AMPGUARD_SET(field, metric, label, value, ...) \
  c.fleet.field = n;                                   \
  expected[n++] = name(metric, label, value);
  AMPGUARD_FLEET_FIGURES(AMPGUARD_SET)
#undef AMPGUARD_SET
  c.fleet.imported_by_origin["192.0.2.1"] = n;
  expected[n++] = "ampguard_fleet_imported_blocks{origin=192.0.2.1}";
  std::map<uint64_t, std::string> found;
  for (const auto& family : metric_families(StatsTotals{}, c)) {
    EXPECT_FALSE(family.help.empty()) << family.name;
    for (const auto& m : family.metric) {
      const uint64_t v = uint64_t(family.type == prometheus::MetricType::Counter ? m.counter.value
                                                                                 : m.gauge.value);
      if (v < 5000) continue;
      std::string text = family.name;
      for (const auto& l : m.label) text += "{" + l.name + "=" + l.value + "}";
      EXPECT_TRUE(found.emplace(v, text).second) << text;
    }
  }
  EXPECT_EQ(found, expected);
  for (const char* stays :
       {"ampguard_log_lines_total{result=written}", "ampguard_reloads_total{result=failure}",
        "ampguard_control_requests_total{result=error}", "ampguard_fleet_peers{state=other}",
        "ampguard_fleet_session_up"}) {
    bool seen = false;
    for (const auto& [v, text] : found) seen = seen || text == stays;
    EXPECT_TRUE(seen) << stays;
  }
}

}  // namespace
}  // namespace ampguard
