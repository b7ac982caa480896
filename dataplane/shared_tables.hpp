// The tables every worker shares: the per-destination limiter, the covering prefixes' aggregate
// limits, the blocklist and the fragment verdicts. Fixed capacity, lock-free, bounded work per
// call; see the .cpp files and dataplane/table_core.hpp for the entry layout and the concurrency
// argument.
//
// Capacity is twice max_entries in whole 4-slot buckets (32 bytes per entry asked for), allocated
// once (DPDK hugepages on a socket when the constructor is given one), so max_entries random keys
// fit. A full probe window evicts its least valuable entry; only the limiter, given a pressure
// budget, leaves its live entries alone (overflow.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "dataplane/aggregate_limits.hpp"
#include "dataplane/flow_key.hpp"
#include "dataplane/overflow.hpp"
#include "dataplane/rate_limit.hpp"
#include "dataplane/table_core.hpp"
#include "dataplane/table_memory.hpp"
#include "dataplane/worker_counters.hpp"

namespace ampguard {

using table_core::HashedKey;
using table_core::HashKey;

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

class Blocklist {
 public:
  explicit Blocklist(uint32_t max_entries, HashKey key = table_core::random_hash_key(),
                     TableSocket socket = std::nullopt);
  ~Blocklist();
  Blocklist(const Blocklist&) = delete;
  Blocklist& operator=(const Blocklist&) = delete;

  // The HashedKey forms take the key hashed under this table's key (SharedState::hashed).
  bool contains(FlowKey key, uint64_t now_ns) const { return contains(core_.hashed(key), now_ns); }
  bool contains(const HashedKey& key, uint64_t now_ns) const;
  // Starts loading key's cache lines ahead of contains() or block() (burst prefetch).
  void prefetch(const HashedKey& key) const { core_.prefetch(key); }
  enum class Result : uint8_t { added, refreshed };
  // extend: a live entry's expiry only ever grows (the recipe's --exist); replace: it becomes
  // expires_ns, shorter or not (ampguardctl blocklist add --replace).
  enum class Expiry : uint8_t { extend, replace };
  // Adds key until expires_ns, or moves its expiry to expires_ns as `expiry` says.
  Result block(FlowKey key, uint64_t expires_ns, uint64_t now_ns, TableCounters& c,
               Expiry expiry = Expiry::extend) {
    return block(core_.hashed(key), expires_ns, now_ns, c, expiry);
  }
  Result block(const HashedKey& key, uint64_t expires_ns, uint64_t now_ns, TableCounters& c,
               Expiry expiry = Expiry::extend);
  // When key's block ends, or nullopt when it is not blocked at now_ns.
  std::optional<uint64_t> expires(FlowKey key, uint64_t now_ns) const;
  bool remove(FlowKey key);
  void expire_step(uint64_t now_ns, TableCounters& c);
  uint32_t capacity() const;
  uint32_t size(uint64_t now_ns) const;  // full scan: control thread only
  uint32_t size_in(uint32_t first, uint32_t n, uint64_t now_ns) const;  // as LimiterTable's
  uint32_t buckets() const { return core_.buckets(); }
  const TableMemory& memory() const { return core_.memory(); }

  // Calls f(FlowKey, uint64_t expires_ns) for every live entry. Full scan: control thread.
  template <class F>
  void for_each(uint64_t now_ns, F&& f) const {
    core_.for_each([&](table_core::Snapshot s) {
      if (s.state > now_ns) f(s.key, s.state);
    });
  }

  static constexpr unsigned kExpireBuckets = 16;  // per expire_step call

 private:
  table_core::TableCore core_;
};

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

enum class FragmentVerdict : uint8_t { pass, drop };

class FragmentTable {
 public:
  explicit FragmentTable(uint32_t max_entries, TableSocket socket = std::nullopt);
  ~FragmentTable();
  FragmentTable(const FragmentTable&) = delete;
  FragmentTable& operator=(const FragmentTable&) = delete;

  // Records the verdict for a datagram's later fragments; a full window overwrites an expired
  // entry, else the pass verdict expiring soonest, else the drop verdict expiring soonest.
  // expires_ns keeps 1 ns less precision: its low bit holds the verdict.
  void remember(uint64_t datagram_key, FragmentVerdict v, uint64_t expires_ns, uint64_t now_ns,
                TableCounters& c);
  std::optional<FragmentVerdict> lookup(uint64_t datagram_key, uint64_t now_ns) const;
  uint32_t capacity() const;
  const TableMemory& memory() const { return core_.memory(); }

 private:
  table_core::TableCore core_;
};

// Queries that carried a valid server cookie, by (client address, client port, DNS ID), each
// until its expiry: a response to exactly one of them answers a proven client. Expired entries
// are reused in place (no sweep); a full window overwrites the entry expiring soonest.
class ProvenQueries {
 public:
  explicit ProvenQueries(uint32_t max_entries, TableSocket socket = std::nullopt);
  ~ProvenQueries();
  ProvenQueries(const ProvenQueries&) = delete;
  ProvenQueries& operator=(const ProvenQueries&) = delete;

  void remember(uint64_t query_key, uint64_t expires_ns, uint64_t now_ns, TableCounters& c);
  bool contains(uint64_t query_key, uint64_t now_ns) const;
  uint32_t capacity() const;
  const TableMemory& memory() const { return core_.memory(); }

 private:
  table_core::TableCore core_;
};

// The proven-query key of (address, UDP port, DNS ID), never 0. Unkeyed like datagram_key():
// a spoofer cannot aim at an entry whose port and ID it never sees (the table's buckets are
// keyed).
inline uint64_t query_key(L3 l3, const std::array<uint8_t, 16>& addr, uint16_t port, uint16_t id) {
  const unsigned n = l3 == L3::ipv4 ? 4 : 16;
  uint64_t h = table_core::mix64(uint64_t(l3) << 32 | uint32_t(port) << 16 | id);
  for (unsigned i = 0; i < n; i += 8) {
    const uint64_t hi = load_be32(&addr[i]);
    const uint64_t lo = n == 4 ? 0 : load_be32(&addr[i + 4]);
    h = table_core::mix64(h ^ (hi << 32 | lo));
  }
  return h == kEmptyKey ? 1 : h;
}

// The fragment table key of a fragment: a hash of (src, dst, protocol, IP id), never 0.
inline uint64_t datagram_key(const PacketView& v) {
  const unsigned n = v.l3 == L3::ipv4 ? 4 : 16;
  uint64_t h = table_core::mix64(uint64_t(v.l4_proto) << 32 | v.frag_id);
  for (unsigned i = 0; i < n; i += 4) {
    h = table_core::mix64(h ^ (uint64_t(load_be32(&v.src[i])) << 32 | load_be32(&v.dst[i])));
  }
  return h == kEmptyKey ? 1 : h;
}

}  // namespace ampguard
