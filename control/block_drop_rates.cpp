#include "control/block_drop_rates.hpp"

#include <algorithm>

namespace ampguard {

void BlockDropRates::update(const std::vector<const WorkerCounters*>& workers) {
  last_.resize(workers.size() * kCells);
  for (double& r : rate_) r *= kKeep;
  for (size_t w = 0; w < workers.size(); ++w)
    for (unsigned row = 0; row < BlockDropSketch::kRows; ++row)
      for (unsigned i = 0; i < BlockDropSketch::kCells; ++i) {
        const unsigned cell = row * BlockDropSketch::kCells + i;
        const uint32_t now = workers[w]->block_drops.at(row, i);
        uint32_t& last = last_[w * kCells + cell];
        rate_[cell] += double(uint32_t(now - last));
        last = now;
      }
}

double BlockDropRates::rate(const HashedKey& k) const {
  double r = rate_[BlockDropSketch::cell(k.hash, 0)];
  for (unsigned row = 1; row < BlockDropSketch::kRows; ++row)
    r = std::min(r, rate_[row * BlockDropSketch::kCells + BlockDropSketch::cell(k.hash, row)]);
  return r;
}

}  // namespace ampguard
