// Totals of the per-worker counters, as the control thread sees them, and their renderings:
// the --stats-file JSON and the human summary printed at exit.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "dataplane/worker_counters.hpp"

namespace ampguard {

// X(field, help): a port's statistics from rte_eth_stats_get (ampguard_dpdk_port_<field>_total).
#define AMPGUARD_PORT_NIC_COUNTERS(X)                                    \
  X(ipackets, "rte_eth_stats ipackets")                                  \
  X(opackets, "rte_eth_stats opackets")                                  \
  X(imissed, "rte_eth_stats imissed: dropped by the NIC, RX queue full") \
  X(rx_nombuf, "rte_eth_stats rx_nombuf: RX mbuf allocation failures")   \
  X(oerrors, "rte_eth_stats oerrors: failed transmissions")
// X(field, metric, help): the tables' sizes, read by the control thread (gauges).
#define AMPGUARD_TABLE_GAUGES(X)                                           \
  X(limiter_entries, "limiter_entries", "Destinations the limiter tracks") \
  X(limiter_capacity, "limiter_capacity", "Limiter table capacity")        \
  X(block_entries, "blocklist_entries", "Blocked destinations")            \
  X(block_capacity, "blocklist_capacity", "Blocklist capacity")            \
  X(proven_capacity, "proven_capacity", "Proven-query table capacity (cookies.max-entries)")

#define AMPGUARD_TOTAL_FIELD(field, ...) uint64_t field = 0;
#define AMPGUARD_TOTAL_FIELD_RX_TX(name, ...) uint64_t rx_##name = 0, tx_##name = 0;

struct PortTotals {
  AMPGUARD_PORT_DIRECTION_COUNTERS(AMPGUARD_TOTAL_FIELD_RX_TX)
  AMPGUARD_PORT_COUNTERS(AMPGUARD_TOTAL_FIELD)
  uint64_t class_packets[kTrafficClasses] = {}, class_bytes[kTrafficClasses] = {};
  AMPGUARD_PORT_NIC_COUNTERS(AMPGUARD_TOTAL_FIELD)
};

struct TableTotals {
  AMPGUARD_TABLE_COUNTERS(AMPGUARD_TOTAL_FIELD)
  AMPGUARD_TABLE_GAUGES(AMPGUARD_TOTAL_FIELD)
};

struct StatsTotals {
  PortTotals port[kPortSides];
  uint64_t reason_packets[kVerdictReasonCount] = {}, reason_bytes[kVerdictReasonCount] = {};
  uint64_t parse_status[unsigned(ParseStatus::count)] = {};
  // done, or why a TC reply / a truncation did not apply (RewriteResult)
  uint64_t tc_reply_results[kRewriteResults] = {}, truncate_results[kRewriteResults] = {};
  uint64_t cookie_outcomes[kCookieOutcomes] = {};  // queries with a COOKIE option, by outcome
  TableTotals tables;
  AMPGUARD_WORKER_COUNTERS(AMPGUARD_TOTAL_FIELD)
  uint64_t capture_frames = 0, capture_missed = 0;  // ampguardctl capture: copied, ring full
  uint64_t workers = 0;
  uint64_t config_generation = 0;
  double forwarding_seconds = 0;  // first RX to last RX over all workers
};

// One value of the totals and where every rendering puts it: the walk below is the only place
// that lists them, so the stats JSON, /metrics and /ampguard/stats cannot drift apart.
struct CounterView {
  std::vector<std::string> json;  // its path in the stats JSON
  std::string tel_dict, tel_key;  // /ampguard/stats: tel_key of dict tel_dict ("": top level)
  std::string metric, help;       // Prometheus family (after ampguard_) and its help
  bool gauge = false;
  std::vector<std::pair<std::string, std::string>> labels;
};

// Calls f for every value of t (all but forwarding_seconds, a ratio), in the JSON's order.
void for_each_counter(StatsTotals& t, const std::function<void(const CounterView&, uint64_t&)>& f);
void for_each_counter(const StatsTotals& t,
                      const std::function<void(const CounterView&, uint64_t)>& f);

// Sums the workers' counters (relaxed reads of single-writer counters: a scrape may be a
// few packets behind, never torn).
void add_worker_counters(const WorkerCounters& w, StatsTotals& t, uint64_t& first_tsc,
                         uint64_t& last_tsc);

// The stats JSON (ampguardctl stats, --stats-file) as a document and as text: one line per
// top-level key, per port and per reason.
nlohmann::ordered_json stats_document(const StatsTotals& t);
std::string stats_json(const StatsTotals& t);
// A document laid out like stats_json: objects of objects one member a line, the rest inline.
std::string json_lines(const nlohmann::ordered_json& j);
std::string stats_summary(const StatsTotals& t);

}  // namespace ampguard
