// Per-worker counters: written only by the owning worker lcore, summed by the control thread.
//
// Each counter is a relaxed atomic used with load + store (never fetch_add): on x86-64 that is
// a plain mov, no lock prefix, and the control thread's concurrent reads are well defined.
#pragma once

#include <atomic>
#include <cstdint>

#include "dataplane/dns_actions.hpp"
#include "dataplane/dns_cookie.hpp"
#include "dataplane/parse_status.hpp"
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

enum class PortSide : uint8_t { inside = 0, outside = 1 };
inline constexpr unsigned kPortSides = 2;
inline constexpr const char* port_side_name(PortSide s) {
  return s == PortSide::inside ? "inside" : "outside";
}

// What a frame is to ampguard, by the port it entered.
enum class TrafficClass : uint8_t { dns_query, dns_response, other };
inline constexpr unsigned kTrafficClasses = 3;
inline constexpr const char* traffic_class_name(TrafficClass c) {
  return c == TrafficClass::dns_query      ? "dns_query"
         : c == TrafficClass::dns_response ? "dns_response"
                                           : "other";
}

struct PortCounters {
  SingleWriterCounter rx_packets, rx_bytes;
  SingleWriterCounter tx_packets, tx_bytes;
  SingleWriterCounter tx_dropped;  // TX queue full: freed and counted
  SingleWriterCounter class_packets[kTrafficClasses], class_bytes[kTrafficClasses];
};

// Shared-table activity caused by this worker.
struct TableCounters {
  SingleWriterCounter limiter_inserts, limiter_evictions, limiter_expiries;
  SingleWriterCounter limiter_sketch_debts;  // inserts that started in debt (debt sketch)
  SingleWriterCounter block_adds, block_refreshes, block_evictions, block_expiries;
  SingleWriterCounter fragment_inserts, fragment_evictions;
  SingleWriterCounter proven_inserts, proven_evictions;  // proven queries (cookies)
  SingleWriterCounter cas_retries;  // lost races on a shared entry (contention indicator)
};

struct alignas(64) WorkerCounters {
  PortCounters port[kPortSides];
  SingleWriterCounter reason_packets[kVerdictReasonCount], reason_bytes[kVerdictReasonCount];
  SingleWriterCounter parse_status[unsigned(ParseStatus::count)];
  SingleWriterCounter dry_run_forwarded;  // drops and replies that dry-run forwarded instead
  // Outcomes of the rewrites: done, or why the action did not apply to a candidate frame.
  SingleWriterCounter tc_reply_results[kRewriteResults], truncate_results[kRewriteResults];
  SingleWriterCounter block_events, block_events_dropped;  // event ring full
  SingleWriterCounter cookie_outcomes[kCookieOutcomes];    // queries with a COOKIE option
  SingleWriterCounter verified_over_cap;  // answers to proven queries over cookies.verified-rate
  TableCounters tables;
  SingleWriterCounter polls, busy_polls;
  SingleWriterCounter idle_pauses;                // ports.idle-pause sleeps taken with RX empty
  SingleWriterCounter first_rx_tsc, last_rx_tsc;  // for forwarding-time rates
};

}  // namespace ampguard
