// Queries from blocklisted sources, per source, as a count-min sketch one worker writes: which
// blocked key the attack still aims at most. The fleet ranks its exports by it (fleet.max-routes:
// the heaviest blocks go out). Per worker, so the drop path writes only its own cache lines.
#pragma once

#include <atomic>
#include <cstdint>

namespace ampguard {

class BlockDropSketch {
 public:
  static constexpr unsigned kRows = 2, kCellBits = 12, kCells = 1u << kCellBits;

  // The owning worker: one more query from the blocked source with this keyed table hash
  // (HashedKey::hash). Relaxed load + store: a single writer, read by control.
  void add(uint64_t hash) {
    for (unsigned r = 0; r < kRows; ++r) {
      std::atomic<uint32_t>& c = cells_[r][cell(hash, r)];
      c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
  }
  uint32_t at(unsigned row, unsigned index) const {
    return cells_[row][index].load(std::memory_order_relaxed);
  }
  // Row r's cell: independent bits of the keyed hash (the attacker cannot aim collisions).
  static unsigned cell(uint64_t hash, unsigned row) {
    return unsigned(hash >> (32 * row)) & (kCells - 1);
  }

 private:
  std::atomic<uint32_t> cells_[kRows][kCells] = {};
};

}  // namespace ampguard
