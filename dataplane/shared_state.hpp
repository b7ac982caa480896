// State shared by every worker and the control thread: the tables (which survive reloads),
// the published config snapshot, the RCU handle that protects it and the event ring.
#pragma once

#include <rte_cycles.h>
#include <rte_memory.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/dataplane_config.hpp"
#include "dataplane/drop_capture.hpp"
#include "dataplane/shared_tables.hpp"
#include "dataplane/table_memory.hpp"
#include "dataplane/time_units.hpp"

namespace ampguard {

struct TableSizes {
  uint32_t limiter_entries = 100'000;
  uint32_t block_entries = 100'000;
  // 0: one per limiter entry, so every destination the limiter tracks can have a datagram's
  // verdict in flight (a 16k table evicted drop verdicts under attack)
  uint32_t fragment_entries = 0;
  uint32_t proven_entries = 100'000;  // queries with a valid server cookie (cookies.max-entries)
  uint32_t event_ring = 4096;         // power of two
  uint32_t capture_slots = 1024;      // drop capture ring (2 KiB each), power of two
};

class SharedState {
 public:
  // Needs the EAL (the ring and the RCU variable live in DPDK memory). The tables go in DPDK
  // memory on socket (the ports'), or anonymous memory when its heap is short (table_memory()).
  SharedState(const TableSizes& sizes, unsigned max_workers, int socket = SOCKET_ID_ANY);
  ~SharedState();
  SharedState(const SharedState&) = delete;
  SharedState& operator=(const SharedState&) = delete;

  // Swaps in `next` and waits until no worker can still read the old snapshot, then frees it.
  // Control thread only.
  void publish(std::unique_ptr<const DataplaneConfig> next);
  const DataplaneConfig* config() const { return config_.load(std::memory_order_acquire); }

  HashedKey hashed(FlowKey key) const { return {key, table_core::siphash13(key, table_hash_key)}; }

  // Every table's allocation, for the start-up line (describe_table_memory).
  std::vector<const TableMemory*> table_memory() const;

  // One bounded expiry step of every table (a worker calls it every few loops).
  void expire_step(const DataplaneConfig& cfg, uint64_t now_ns, TableCounters& c);

  // The limiter's, the aggregates' and the blocklist's SipHash key: a packet's key hashed once
  // (hashed()) finds its window in all three.
  const HashKey table_hash_key;
  LimiterTable limiter;
  AggregateTable aggregates;  // limit.aggregate-*: sized like the limiter
  Blocklist blocklist;
  FragmentTable fragments;
  ProvenQueries proven;        // queries with a valid server cookie, until their answers pass
  PressureBudget pressure;     // limit.pressure-*: charged by destinations the limiter cannot place
  PressureBudget verified;     // cookies.verified-rate: charged by answers to proven queries
  rte_ring* events = nullptr;  // BlockEvent elements, multi-producer / single-consumer
  rte_rcu_qsbr* qsbr = nullptr;
  DropCapture capture;  // ampguardctl capture: idle unless armed
  const TableSizes sizes;
  const uint64_t tsc_origin;  // the dataplane clock: nanoseconds since this TSC value

  // A multiply and a shift: the worker reads it once per loop.
  uint64_t now_ns() const {
    return uint64_t((unsigned __int128)(rte_rdtsc() - tsc_origin) * ns_per_tsc_q32_ >> 32);
  }
  // Unix time in seconds at dataplane time now_ns (server cookies carry Unix time).
  int64_t unix_seconds(uint64_t now_ns) const {
    // relaxed: a lone word; a burst that reads the previous offset is off by drift, not more
    return (int64_t(now_ns) + unix_offset_ns_.load(std::memory_order_relaxed)) / int64_t(kSecond);
  }
  // Re-reads CLOCK_REALTIME against the TSC clock (control thread, once a second): NTP steps and
  // TSC drift never pile up against the cookies' 5-minute window.
  void sync_unix_clock();

 private:
  const uint64_t ns_per_tsc_q32_;           // nanoseconds per TSC cycle, 32.32 fixed point
  std::atomic<int64_t> unix_offset_ns_{0};  // CLOCK_REALTIME minus now_ns()
  // acquire/release: a worker that sees the new pointer sees the snapshot's contents.
  std::atomic<const DataplaneConfig*> config_{nullptr};
};

}  // namespace ampguard
