// AggregateTable: the covering prefixes' buckets in a TableCore (see table_core.hpp).
#include "dataplane/aggregate_table.hpp"

namespace ampguard {

using table_core::Snapshot;

namespace {

// How much an entry is worth keeping: 0 once its credit is full (it is then a fresh prefix:
// forgetting it changes nothing); else the less credit, the more: the prefixes in debt, the ones
// under attack, are the last a full window gives up. No sketch: a prefix forgotten early comes
// back with one burst, which its limit is a multiple of anyway.
uint64_t worth(const AggregateLimits& a, Snapshot s, uint64_t clock) {
  const AggregateLevel* l = a.level_of(s.key);
  if (l == nullptr) return 0;  // a level a reload removed
  const uint64_t credit = limit_credit(l->profile, s.state, clock);
  return credit >= limit_cap(l->profile) ? 0 : ~credit;
}

}  // namespace

AggregateTable::AggregateTable(uint32_t max_entries, HashKey key, TableSocket socket)
    : core_(max_entries, key, socket) {}
AggregateTable::~AggregateTable() = default;

AggregateTable::PrefixKeys AggregateTable::prefix_keys(const AggregateLimits& a, L3 l3,
                                                       const std::array<uint8_t, 16>& dst) const {
  PrefixKeys keys{};
  const AggregateLevel* levels = a.levels(l3);
  for (unsigned i = 0, n = a.count(l3); i < n; ++i)
    keys[i] = core_.hashed(aggregate_key(l3, dst, levels[i].prefix));
  return keys;
}

bool AggregateTable::has_credit(const AggregateLimits& a, L3 l3, const PrefixKeys& keys,
                                uint32_t units, uint64_t now_ns) const {
  const AggregateLevel* levels = a.levels(l3);
  for (unsigned i = 0, n = a.count(l3); i < n; ++i) {
    const LimitProfile& p = levels[i].profile;
    uint64_t state = 0;
    // relaxed snapshot (find): a decision that writes nothing; charge() below re-checks by CAS
    if (core_.find(keys[i], state) &&
        limit_credit(p, state, limit_clock(p, now_ns)) < limit_cost(p, units))
      return false;
  }
  return true;
}

bool AggregateTable::over_limit(const AggregateLimits& a, L3 l3, unsigned level,
                                const PrefixKeys& keys, uint32_t units, uint64_t now_ns) const {
  const LimitProfile& p = a.levels(l3)[level].profile;
  uint64_t state = 0;
  return core_.find(keys[level], state) &&
         limit_credit(p, state, limit_clock(p, now_ns)) < limit_cost(p, units);
}

bool AggregateTable::charge(const AggregateLimits& a, L3 l3, const PrefixKeys& keys, uint32_t units,
                            uint64_t now_ns, TableCounters& c) {
  const AggregateLevel* levels = a.levels(l3);
  const uint64_t clock = now_ns << 8;  // every level is an ns bucket (limit_clock, bytes mode)
  bool all = true;
  for (unsigned i = 0, n = a.count(l3); i < n; ++i) {
    const LimitProfile& p = levels[i].profile;
    const uint64_t cost = limit_cost(p, units);
    bool pass = false;
    core_.upsert(
        keys[i], [&](uint64_t& state) { return pass = limit_charge(p, state, cost, clock); },
        [&](uint64_t& state) {
          state = limit_fresh_state(p, clock);
          pass = limit_charge(p, state, cost, clock);
        },
        [&](Snapshot s) { return worth(a, s, clock); }, c);
    all &= pass;  // the levels charged before a refusal stay charged: errs toward limiting
  }
  return all;
}

void AggregateTable::prefetch(const AggregateLimits& a, L3 l3, const PrefixKeys& keys) const {
  for (unsigned i = 0, n = a.count(l3); i < n; ++i) core_.prefetch(keys[i]);
}

void AggregateTable::expire_step(const AggregateLimits& a, uint64_t now_ns, TableCounters&) {
  const uint64_t clock = now_ns << 8;
  core_.sweep(kExpireBuckets, [&](Snapshot s) { return worth(a, s, clock) == 0; });
}

uint32_t AggregateTable::capacity() const { return core_.capacity(); }

uint32_t AggregateTable::size() const {
  uint32_t n = 0;
  core_.for_each([&](Snapshot) { ++n; });
  return n;
}

}  // namespace ampguard
