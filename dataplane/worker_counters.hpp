// Per-worker counters: written only by the owning worker lcore, summed by the control thread.
//
// Each counter is a relaxed atomic used with load + store (never fetch_add): on x86-64 that is
// a plain mov, no lock prefix, and the control thread's concurrent reads are well defined.
#pragma once

#include <atomic>
#include <cstdint>

#include "dataplane/block_drop_sketch.hpp"
#include "dataplane/dns_actions.hpp"
#include "dataplane/dns_cookie.hpp"
#include "dataplane/named_enum.hpp"
#include "dataplane/parse_status.hpp"
#include "dataplane/traffic_types.hpp"
#include "dataplane/verdict_reason.hpp"

namespace ampguard {

// A counter with exactly one writer thread.
class SingleWriterCounter {
 public:
  void add(uint64_t n = 1) {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void set(uint64_t n) { v_.store(n, std::memory_order_relaxed); }
  uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

// The counter lists. Each gives the per-worker field, the total (control/stats.hpp), the sum
// over workers, the stats JSON key (the field), the Prometheus family (ampguard_<metric>) and
// the /ampguard/stats telemetry key; control/stats.cpp walks them for every rendering.

// X(name, metric, help): per port and direction, fields rx_<name> and tx_<name>; the family
// has the labels port and direction.
#define AMPGUARD_PORT_DIRECTION_COUNTERS(X)                              \
  X(packets, "port_packets_total",                                       \
    "Frames received (rx) and transmitted (tx) by the workers, by port") \
  X(bytes, "port_bytes_total",                                           \
    "Frame bytes received (rx) and transmitted (tx) by the workers, "    \
    "by port")
// X(field, metric, help): per port (label port).
#define AMPGUARD_PORT_COUNTERS(X) \
  X(tx_dropped, "port_tx_dropped_total", "Frames freed because the TX queue was full")
// X(field, metric, help): shared-table activity caused by this worker.
#define AMPGUARD_TABLE_COUNTERS(X)                                                            \
  X(limiter_inserts, "limiter_inserts_total", "Destinations added to the limiter")            \
  X(limiter_evictions, "limiter_evictions_total", "Limiter entries evicted to make room")     \
  X(limiter_expiries, "limiter_expiries_total", "Idle limiter entries forgotten")             \
  X(limiter_sketch_debts, "limiter_sketch_debts_total",                                       \
    "Limiter inserts that started in debt from the debt sketch (evicted debtors returning)")  \
  X(block_adds, "blocklist_adds_total",                                                       \
    "Destinations added to the blocklist by workers and ampguardctl (restored ones are not "  \
    "adds)")                                                                                  \
  X(block_refreshes, "blocklist_refreshes_total",                                             \
    "Blocks reset to the full timeout by another over-limit response")                        \
  X(block_evictions, "blocklist_evictions_total", "Blocklist entries evicted to make room")   \
  X(block_expiries, "blocklist_expiries_total", "Blocklist entries expired")                  \
  X(fragment_inserts, "fragment_inserts_total", "Fragment verdicts remembered")               \
  X(fragment_evictions, "fragment_evictions_total", "Fragment verdicts evicted to make room") \
  X(proven_inserts, "proven_inserts_total", "Queries with a valid server cookie remembered")  \
  X(proven_evictions, "proven_evictions_total",                                               \
    "Proven queries evicted before their time (cookies.max-entries too small)")               \
  X(cas_retries, "table_cas_retries_total", "Lost races on a shared table entry")
// X(field, metric, help): the worker's own.
#define AMPGUARD_WORKER_COUNTERS(X)                                                         \
  X(dry_run_forwarded, "dry_run_forwarded_total", "Drops that dry-run forwarded instead")   \
  X(block_events, "block_events_total", "Block events raised by the workers")               \
  X(block_events_dropped, "block_events_dropped_total",                                     \
    "Block events lost because the event ring was full")                                    \
  X(idle_pauses, "idle_pauses_total", "ports.idle-pause sleeps taken with RX empty")        \
  X(rx_full_bursts, "rx_full_bursts_total",                                                 \
    "RX polls that returned a full burst: more frames were waiting (the worker is behind)") \
  X(verified_over_cap, "verified_over_cap_total",                                           \
    "Answers to queries with a valid server cookie over cookies.verified-rate (limited)")

#define AMPGUARD_COUNTER_FIELD(field, ...) SingleWriterCounter field;
#define AMPGUARD_COUNTER_FIELD_RX_TX(name, ...) SingleWriterCounter rx_##name, tx_##name;

struct PortCounters {
  AMPGUARD_PORT_DIRECTION_COUNTERS(AMPGUARD_COUNTER_FIELD_RX_TX)
  AMPGUARD_PORT_COUNTERS(AMPGUARD_COUNTER_FIELD)
  SingleWriterCounter class_packets[kTrafficClasses], class_bytes[kTrafficClasses];
};

struct TableCounters {
  AMPGUARD_TABLE_COUNTERS(AMPGUARD_COUNTER_FIELD)
};

struct alignas(64) WorkerCounters {
  PortCounters port[kPortSides];
  SingleWriterCounter reason_packets[kVerdictReasonCount], reason_bytes[kVerdictReasonCount];
  SingleWriterCounter parse_status[unsigned(ParseStatus::count)];
  // Outcomes of the rewrites: done, or why the action did not apply to a candidate frame.
  SingleWriterCounter tc_reply_results[kRewriteResults], truncate_results[kRewriteResults];
  SingleWriterCounter cookie_outcomes[kCookieOutcomes];  // queries with a COOKIE option
  TableCounters tables;
  AMPGUARD_WORKER_COUNTERS(AMPGUARD_COUNTER_FIELD)
  SingleWriterCounter first_rx_tsc, last_rx_tsc;  // for forwarding-time rates
  BlockDropSketch block_drops;  // per blocked source, not summed: the fleet ranks by it
};

}  // namespace ampguard
