// The per-destination limiter: rate_limit.hpp's state words in a shared table, the debt sketch
// behind it (overflow.hpp) for what it forgets.
#pragma once

#include <cstdint>

#include "dataplane/flow_key.hpp"
#include "dataplane/overflow.hpp"
#include "dataplane/rate_limit.hpp"
#include "dataplane/table_core.hpp"
#include "dataplane/table_memory.hpp"
#include "dataplane/worker_counters.hpp"

namespace ampguard {

// Only with a pressure budget (admit_at), for a key the table does not hold and cannot place
// without evicting a live entry (nothing is written): pass_unplaced, the budget paid for it;
// over_pressure, the budget is spent.
enum class Admit : uint8_t { pass, over_limit, pass_unplaced, over_pressure };

// The global pressure budget an admit may draw on (overflow.hpp): units at now_ns.
struct PressureCharge {
  PressureBudget& budget;
  const LimitProfile& profile;
  uint64_t units;
  uint64_t now_ns;
};

// Any worker may update any key (RSS is not trusted for correctness).
class LimiterTable {
 public:
  // socket: where its memory lives (table_memory.hpp); nullopt, anonymous memory (no EAL).
  explicit LimiterTable(uint32_t max_entries, HashKey key = table_core::random_hash_key(),
                        TableSocket socket = std::nullopt);
  ~LimiterTable();
  LimiterTable(const LimiterTable&) = delete;
  LimiterTable& operator=(const LimiterTable&) = delete;

  // Charges one packet of `bytes` (IP total length) to `key` at time now_ns. Inserts the key
  // when new, evicting the least valuable entry of its probe window when that window is full.
  // An evicted entry still in debt leaves its debt in the sketch; a new key starts from the
  // sketch's estimate (a full burst unless its cells hold debtors).
  Admit admit(FlowKey key, uint32_t bytes, const LimitProfile& p, uint64_t now_ns,
              TableCounters& c);
  // admit() with the profile's clock already computed (limit_clock), once per burst. With a
  // pressure budget, a key the table could only place by evicting a live entry (beyond
  // capacity) is not placed: it starts from the sketch's estimate and is charged to the budget
  // (pass_unplaced, or over_pressure when spent), so overflow neither leaks past the budget nor
  // churns out the keys the table holds. Without one, the least valuable entry is evicted.
  // key: hashed under this table's key (hashed(), or SharedState::hashed for its tables).
  Admit admit_at(const HashedKey& key, uint32_t bytes, const LimitProfile& p, uint64_t clock,
                 TableCounters& c, const PressureCharge* pressure = nullptr);
  // Forgets entries idle at least idle_ns (and no longer holding back any credit); looks at
  // a bounded number of buckets per call, resuming where the last call stopped.
  // A limited destination is never forgotten earlier than the kernel would: only once its
  // credit is full again (forgetting it changes no decision) and idle_ns after its last pass.
  void expire_step(const LimitProfile& p, uint64_t idle_ns, uint64_t now_ns, TableCounters& c);
  uint32_t capacity() const;
  uint32_t size() const;  // full scan: control thread only
  // Entries in buckets [first, first + n) of buckets(): the stats count big tables in steps.
  uint32_t size_in(uint32_t first, uint32_t n) const;
  uint32_t buckets() const { return core_.buckets(); }
  // Starts loading key's cache lines ahead of admit() (burst prefetch).
  void prefetch(const HashedKey& key) const {
    core_.prefetch(key);
    sketch_.prefetch(key.hash);
  }
  HashedKey hashed(FlowKey key) const { return core_.hashed(key); }

  // The key's credit now (cost units of p), or nullopt when it is not tracked.
  std::optional<uint64_t> credit(FlowKey key, const LimitProfile& p, uint64_t now_ns) const;
  size_t memory_bytes() const { return core_.memory_bytes(); }
  size_t sketch_memory_bytes() const { return sketch_.memory_bytes(); }
  const TableMemory& memory() const { return core_.memory(); }
  const TableMemory& sketch_memory() const { return sketch_.memory(); }
  // Calls f(FlowKey, uint64_t state) for every entry. Full scan: control thread and tests.
  template <class F>
  void for_each(F&& f) const {
    core_.for_each([&](table_core::Snapshot s) { f(s.key, s.state); });
  }

  static constexpr unsigned kExpireBuckets = 16;  // per expire_step call

 private:
  table_core::TableCore core_;
  DebtSketch sketch_;
};

}  // namespace ampguard
