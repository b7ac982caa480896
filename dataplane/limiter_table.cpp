// LimiterTable: per-destination limiter state in a TableCore (see table_core.hpp).
#include "dataplane/limiter_table.hpp"

namespace ampguard {

using table_core::Snapshot;
using table_core::Upserted;

LimiterTable::LimiterTable(uint32_t max_entries, HashKey key, TableSocket socket)
    : core_(max_entries, key, socket), sketch_(max_entries, key, socket) {}
LimiterTable::~LimiterTable() = default;

Admit LimiterTable::admit(FlowKey key, uint32_t bytes, const LimitProfile& p, uint64_t now_ns,
                          TableCounters& c) {
  return admit_at(core_.hashed(key), bytes, p, limit_clock(p, now_ns), c);
}

Admit LimiterTable::admit_at(const HashedKey& key, uint32_t bytes, const LimitProfile& p,
                             uint64_t clock, TableCounters& c, const PressureCharge* pressure) {
  const uint64_t cost = limit_cost(p, bytes);
  bool pass = false;
  Snapshot evicted{};
  // the sketch's line is read once per admit, and only for a key the table does not hold
  bool have_start = false;
  uint64_t start = 0;
  const Upserted r = core_.upsert(
      key, [&](uint64_t& state) { return pass = limit_charge(p, state, cost, clock); },
      [&](uint64_t& state) {
        if (!have_start) start = sketch_.start_state(key.hash, p, clock), have_start = true;
        state = start;
        pass = limit_charge(p, state, cost, clock);
      },
      // the entry with the most credit goes first: one full for a further refill time is worth
      // nothing (forgetting it changes no decision), one full since less is a client served
      // lately and goes last, as does a heavy hitter near zero credit
      [&](Snapshot s) {
        const uint64_t credit = limit_credit(p, s.state, clock);
        if (credit < limit_cap(p)) return ~credit;
        return clock - s.state - limit_cap(p) >= limit_cap(p) ? 0 : ~uint64_t(0);
      },
      // with a pressure budget a live entry is never given up for a key the full table cannot
      // place: what the table holds stays exact, and overflow is the budget's to bound
      c, &evicted, [&] { return pressure == nullptr; });
  if (have_start && limit_credit(p, start, clock) < limit_cap(p)) c.limiter_sketch_debts.add();
  if (r == Upserted::refused) {
    if (!pass) return Admit::over_limit;  // over its limit anyway (sketched debt): no budget
    return pressure->budget.charge(pressure->profile, pressure->units, pressure->now_ns)
               ? Admit::pass_unplaced
               : Admit::over_pressure;
  }
  if (r == Upserted::inserted || r == Upserted::evicted) c.limiter_inserts.add();
  if (r == Upserted::evicted) {
    c.limiter_evictions.add();
    sketch_.record(evicted.key, evicted.state, p, clock);  // what it forgets stays owed
  }
  return pass ? Admit::pass : Admit::over_limit;
}

// The last charge t0 left credit(t0) <= cap, so E >= clock(t0) - cap and clock(now) - E - cap <=
// clock(now) - clock(t0): once clock(now) - E >= cap + idle, the credit is full and the last charge
// is at least idle old. A kernel entry expires idle after its last packet whatever its credit;
// ampguard also waits for the credit to be full, so it never forgets a limited destination earlier
// than the kernel, and forgetting changes nothing.
void LimiterTable::expire_step(const LimitProfile& p, uint64_t idle_ns, uint64_t now_ns,
                               TableCounters& c) {
  const uint64_t clock = limit_clock(p, now_ns);
  const uint64_t idle = p.mode == LimitMode::packets
                            ? (idle_ns + p.ns_per_jiffy - 1) / p.ns_per_jiffy * p.credits_per_jiffy
                            : idle_ns << 8;
  uint64_t threshold = 0;
  if (__builtin_add_overflow(limit_cap(p), idle, &threshold) ||
      threshold > ~uint64_t(0) - limit_skew(p))
    return;  // idle near a day of clock: nothing can be proven idle that long
  const unsigned n = core_.sweep(kExpireBuckets, [&](Snapshot s) {
    const uint64_t elapsed = clock - s.state;
    return elapsed >= threshold && elapsed <= ~uint64_t(0) - limit_skew(p);
  });
  c.limiter_expiries.add(n);
  sketch_.sweep(kExpireBuckets, p, clock);  // clears spent debt long before the clock wraps
}

uint32_t LimiterTable::capacity() const { return core_.capacity(); }

uint32_t LimiterTable::size() const { return size_in(0, core_.buckets()); }

uint32_t LimiterTable::size_in(uint32_t first, uint32_t n) const {
  uint32_t count = 0;
  core_.for_each_in(first, n, [&](Snapshot) { ++count; });
  return count;
}

std::optional<uint64_t> LimiterTable::credit(FlowKey key, const LimitProfile& p,
                                             uint64_t now_ns) const {
  uint64_t state = 0;
  if (!core_.find(key, state)) return std::nullopt;
  return limit_credit(p, state, limit_clock(p, now_ns));
}

}  // namespace ampguard
