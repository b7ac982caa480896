// Beyond capacity (issue 13): what the limiter table forgets must not come back as credit.
//
// DebtSketch is a count-min style sketch of limiter states behind the exact table. An entry the
// table evicts while still in debt writes the debt it ran up while held into its key's cells (each
// cell keeps the state with the least credit, a max over empty times); a key the table inserts
// starts from the most credit any of its cells allows, never from more than a fresh key gets.
// Every key mapped to a cell has at least that cell's credit, so the estimate errs toward
// limiting: a collision can cost an innocent key credit. The one approximation the other way: the
// debt a key inherited at insert is not recorded again at its eviction (estimated as what its
// cells allow then), or collisions would compound from one generation of keys to the next; a key
// evicted after every visit therefore keeps only one visit's debt, and the pressure budget bounds
// what such churn leaks. Debt is at most one burst, so a cell is clean again one refill time
// (burst / rate, 12 s by default) after its last debtor.
//
// Layout: one 64-byte line of 8 cells per key (one cache line per insert or eviction, never on
// an update of a held key), 4 cells of it chosen by hash (one of each pair: 4 "rows" of 2). Lines
// are chosen by the limiter table's keyed SipHash-1-3 of the key, remixed so that a line is
// independent of the key's buckets (hashed once per packet: HashedKey), so nobody can aim debt
// at a chosen client.
// Memory: max_entries / 2 lines of 64 bytes, 32 bytes per entry asked for, allocated once
// (table_memory.hpp).
//
// PressureBudget is one global token bucket charged by large responses to destinations the table
// cannot place (an insert that had to evict a live entry). It bounds what overflow can leak to a
// number the operator chose (limit.pressure-rate, limit.pressure-burst); held keys never touch it.
#pragma once

#include <rte_prefetch.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "dataplane/flow_key.hpp"
#include "dataplane/rate_limit.hpp"
#include "dataplane/table_core.hpp"
#include "dataplane/table_memory.hpp"

namespace ampguard {

class DebtSketch {
 public:
  static constexpr unsigned kCellsPerLine = 8;
  static constexpr unsigned kRows = 4;  // cells per key: one of each pair of the line

  // socket: where the lines live (table_memory.hpp); nullopt, anonymous memory (no EAL).
  explicit DebtSketch(uint32_t max_entries, table_core::HashKey key = table_core::random_hash_key(),
                      TableSocket socket = std::nullopt)
      : nlines_(max_entries / 2 > 0 ? max_entries / 2 : 1),
        key_(key),
        memory_("ampguard_sketch", size_t(nlines_) * sizeof(Line), socket),
        lines_(static_cast<Line*>(memory_.data())) {}
  DebtSketch(const DebtSketch&) = delete;
  DebtSketch& operator=(const DebtSketch&) = delete;

  size_t memory_bytes() const { return memory_.bytes(); }
  const TableMemory& memory() const { return memory_; }

  // Remembers the debt an evicted entry ran up while the table held it: its state less what it
  // started from, estimated as the credit its cells allow now (the same line, already loaded).
  // Recording inherited debt again would compound collisions from one eviction to the next.
  void record(FlowKey k, uint64_t state, const LimitProfile& p, uint64_t clock) {
    const uint64_t h = table_core::siphash13(k, key_);  // an evicted key: not hashed yet
    const uint64_t start_credit = clock - start_state(h, p, clock);
    const uint64_t credit = limit_credit(p, state, clock);
    if (credit >= start_credit) return;  // no debt of its own: nothing to remember
    state = clock - (limit_cap(p) - (start_credit - credit));  // its own debt, from a full burst
    Cells c = cells(h);
    for (unsigned r = 0; r < kRows; ++r) {
      std::atomic<uint64_t>& cell = *c.cell[r];
      // relaxed: a cell is one word on its own; a lost race retries against the new value
      uint64_t old = cell.load(std::memory_order_relaxed);
      const uint64_t own = limit_credit(p, state, clock);
      for (unsigned tries = 0; tries < kMaxTries; ++tries) {
        if (old != 0 && limit_credit(p, old, clock) <= own) break;  // already as deep
        if (cell.compare_exchange_weak(old, state | (state == 0), std::memory_order_relaxed)) break;
      }
    }
  }

  // The state a key not in the table starts from: the fresh state, or less credit if every one
  // of its cells holds a debtor. hash: the key's SipHash under this sketch's key.
  uint64_t start_state(uint64_t hash, const LimitProfile& p, uint64_t clock) const {
    const Cells c = cells(hash);
    uint64_t best = 0;  // the most credit any cell allows
    for (unsigned r = 0; r < kRows; ++r) {
      // relaxed: a stale cell only misses a debt recorded concurrently
      const uint64_t cell = c.cell[r]->load(std::memory_order_relaxed);
      const uint64_t credit = cell == 0 ? limit_cap(p) : limit_credit(p, cell, clock);
      if (credit > best) best = credit;
    }
    return clock - best;  // best <= cap: a fresh key is clock - cap
  }

  // Starts loading the key's line: a key the table does not hold reads it at insert.
  void prefetch(uint64_t hash) const { rte_prefetch0(&lines_[line_of(hash)]); }

  // Clears the cells of the next lines whose credit is full, so a cell never ages into the
  // clock's wrap (about a day) and reads as debt again. Bounded: n lines per call.
  void sweep(unsigned n, const LimitProfile& p, uint64_t clock) {
    // relaxed: the cursor only spreads work
    const uint64_t start = cursor_.fetch_add(n, std::memory_order_relaxed);
    for (unsigned i = 0; i < n; ++i)
      for (auto& cell : lines_[(start + i) % nlines_].cell) {
        uint64_t old = cell.load(std::memory_order_relaxed);
        if (old != 0 && limit_credit(p, old, clock) >= limit_cap(p))
          cell.compare_exchange_strong(old, 0, std::memory_order_relaxed);
      }
  }

 private:
  static constexpr unsigned kMaxTries = 4;  // bounded work: a cell fought over this much is hot

  struct alignas(64) Line {
    std::atomic<uint64_t> cell[kCellsPerLine];
  };
  static_assert(sizeof(Line) == 64, "a line is one cache line");

  struct Cells {
    std::atomic<uint64_t>* cell[kRows];
  };
  // The line from the hash times an odd constant: every bit of the hash moves its high half, so
  // the keys of one table bucket (which share the hash's high bits) spread over all lines.
  uint32_t line_of(uint64_t h) const {
    return uint32_t((h * 0x9e3779b97f4a7c15ull >> 32) * nlines_ >> 32);
  }
  Cells cells(uint64_t h) const {
    Line& line = lines_[line_of(h)];
    Cells c;
    for (unsigned r = 0; r < kRows; ++r) c.cell[r] = &line.cell[2 * r + (h >> r & 1)];
    return c;
  }

  uint32_t nlines_ = 0;
  table_core::HashKey key_;
  TableMemory memory_;
  // memory_'s, zero-filled: 0 marks a cell no debtor has written (full credit at any clock)
  Line* lines_ = nullptr;
  std::atomic<uint64_t> cursor_{0};
};

// The pressure budget's profile: a token bucket in 1/256 ns (rate_limit.hpp's bytes mode) whose
// unit is a packet in packets mode and a byte in bytes mode; built by build_dataplane_config.
class alignas(64) PressureBudget {
 public:
  // True when units fit the budget at now_ns (and are taken from it). Lock-free, bounded: a
  // charge that keeps losing races to other workers is refused (errs toward limiting).
  bool charge(const LimitProfile& p, uint64_t units, uint64_t now_ns) {
    const uint64_t clock = limit_clock(p, now_ns);
    const uint64_t cost = limit_cost(p, uint32_t(units));
    // relaxed: the bucket is this one word; its CAS orders the charges
    uint64_t old = state_.load(std::memory_order_relaxed);
    for (unsigned tries = 0; tries < kMaxTries; ++tries) {
      uint64_t next = old == 0 ? limit_fresh_state(p, clock) : old;  // 0: never charged, full
      if (!limit_charge(p, next, cost, clock)) return false;
      if (state_.compare_exchange_weak(old, next | (next == 0), std::memory_order_relaxed))
        return true;
    }
    return false;
  }

 private:
  static constexpr unsigned kMaxTries = 8;
  // its own cache line (the class is aligned and sized to one): written only on the pressure path
  std::atomic<uint64_t> state_{0};
};

}  // namespace ampguard
