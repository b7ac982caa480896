// The control thread's reading of the workers' BlockDropSketch (dataplane/block_drop_sketch.hpp):
// per cell, a decayed rate of new drops, so a block the attack has moved away from sinks in the
// ranking and the one it still hammers rises (the fleet exports the heaviest first).
#pragma once

#include <cstdint>
#include <vector>

#include "dataplane/table_core.hpp"
#include "dataplane/worker_counters.hpp"

namespace ampguard {

class BlockDropRates {
 public:
  // Each update keeps this share of the rate before it: half-life about 69 updates (7 s at the
  // fleet's 100 ms step).
  static constexpr double kKeep = 0.99;

  // Adds what the workers counted since the last call (the same workers each time).
  void update(const std::vector<const WorkerCounters*>& workers);
  // The drops-per-update estimate for a blocked source: the smallest of its cells (count-min:
  // collisions only ever add).
  double rate(const HashedKey& k) const;

 private:
  static constexpr unsigned kCells = BlockDropSketch::kRows * BlockDropSketch::kCells;
  std::vector<uint32_t>
      last_;  // each worker's cells at the last update (they wrap: deltas mod 2^32)
  std::vector<double> rate_ = std::vector<double>(kCells);
};

}  // namespace ampguard
