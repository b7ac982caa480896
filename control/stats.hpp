// Totals of the per-worker counters, as the control thread sees them, and their renderings:
// the --stats-file JSON and the human summary printed at exit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dataplane/worker_counters.hpp"

namespace ampguard {

struct PortTotals {
  uint64_t rx_packets = 0, rx_bytes = 0, tx_packets = 0, tx_bytes = 0, tx_dropped = 0;
  uint64_t class_packets[kTrafficClasses] = {}, class_bytes[kTrafficClasses] = {};
  // from rte_eth_stats_get
  uint64_t ipackets = 0, opackets = 0, imissed = 0, rx_nombuf = 0, oerrors = 0;
};

struct TableTotals {
  uint64_t limiter_inserts = 0, limiter_evictions = 0, limiter_expiries = 0;
  uint64_t limiter_sketch_debts = 0;  // inserts that started in debt (debt sketch)
  uint64_t block_adds = 0, block_refreshes = 0, block_evictions = 0, block_expiries = 0;
  uint64_t fragment_inserts = 0, fragment_evictions = 0, cas_retries = 0;
  uint64_t proven_inserts = 0, proven_evictions = 0, proven_capacity = 0;  // cookies
  uint64_t limiter_entries = 0, limiter_capacity = 0, block_entries = 0, block_capacity = 0;
};

struct StatsTotals {
  PortTotals port[kPortSides];
  uint64_t reason_packets[kVerdictReasonCount] = {}, reason_bytes[kVerdictReasonCount] = {};
  uint64_t parse_status[unsigned(ParseStatus::count)] = {};
  uint64_t dry_run_forwarded = 0, block_events = 0, block_events_dropped = 0;
  // done, or why a TC reply / a truncation did not apply (RewriteResult)
  uint64_t tc_reply_results[kRewriteResults] = {}, truncate_results[kRewriteResults] = {};
  uint64_t cookie_outcomes[kCookieOutcomes] = {};  // queries with a COOKIE option, by outcome
  uint64_t verified_over_cap = 0;  // answers to proven queries over cookies.verified-rate
  TableTotals tables;
  uint64_t capture_frames = 0, capture_missed = 0;  // ampguardctl capture: copied, ring full
  uint64_t workers = 0;
  uint64_t idle_pauses = 0;  // ports.idle-pause sleeps, all workers
  uint64_t config_generation = 0;
  double forwarding_seconds = 0;  // first RX to last RX over all workers
};

// Sums the workers' counters (relaxed reads of single-writer counters: a scrape may be a
// few packets behind, never torn).
void add_worker_counters(const WorkerCounters& w, StatsTotals& t, uint64_t& first_tsc,
                         uint64_t& last_tsc);

std::string stats_json(const StatsTotals& t);
std::string stats_summary(const StatsTotals& t);

}  // namespace ampguard
