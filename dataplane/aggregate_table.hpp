// The covering prefixes' token buckets, shared by every worker (aggregate_table.cpp).
#pragma once

#include <cstdint>

#include "dataplane/aggregate_limits.hpp"
#include "dataplane/flow_key.hpp"
#include "dataplane/table_core.hpp"
#include "dataplane/table_memory.hpp"
#include "dataplane/worker_counters.hpp"

namespace ampguard {

// The covering prefixes' buckets (aggregate_limits.hpp). Sized like the limiter; a full window
// forgets the prefix with the most credit first, and a prefix at full credit is free space.
class AggregateTable {
 public:
  explicit AggregateTable(uint32_t max_entries, HashKey key = table_core::random_hash_key(),
                          TableSocket socket = std::nullopt);
  ~AggregateTable();
  AggregateTable(const AggregateTable&) = delete;
  AggregateTable& operator=(const AggregateTable&) = delete;

  // The keys of dst's covering prefixes (aggregate_key), hashed under this table's key: one per
  // level of a.levels(l3), a.count(l3) of them.
  using PrefixKeys = std::array<HashedKey, kMaxAggregateLevels>;
  PrefixKeys prefix_keys(const AggregateLimits& a, L3 l3, const std::array<uint8_t, 16>& dst) const;
  // True when every covering prefix has credit for `units` (pressure_units); writes
  // nothing, so a response another limit drops costs its prefixes nothing.
  bool has_credit(const AggregateLimits& a, L3 l3, const PrefixKeys& keys, uint32_t units,
                  uint64_t now_ns) const;
  // True when covering prefix `level` has no credit for `units` now: that prefix's own limit is
  // over (the fleet exports it instead of its keys). Writes nothing.
  bool over_limit(const AggregateLimits& a, L3 l3, unsigned level, const PrefixKeys& keys,
                  uint32_t units, uint64_t now_ns) const;
  // Charges units to every covering prefix; false when one had no credit left.
  bool charge(const AggregateLimits& a, L3 l3, const PrefixKeys& keys, uint32_t units,
              uint64_t now_ns, TableCounters& c);
  void prefetch(const AggregateLimits& a, L3 l3, const PrefixKeys& keys) const;
  // Forgets prefixes back at full credit; a bounded number of buckets per call.
  void expire_step(const AggregateLimits& a, uint64_t now_ns, TableCounters& c);
  uint32_t capacity() const;
  uint32_t size() const;  // full scan: control thread only
  size_t memory_bytes() const { return core_.memory_bytes(); }
  const TableMemory& memory() const { return core_.memory(); }

  static constexpr unsigned kExpireBuckets = 16;  // per expire_step call

 private:
  table_core::TableCore core_;
};

}  // namespace ampguard
