// Table sizes for the stats without a full scan per refresh: each step counts the next chunk of
// kBucketsPerStep buckets and keeps one count per chunk, so a table of the default size is
// counted whole at every refresh and one of millions over a couple of minutes (its gauge lags
// that much), never reading more than a few MB per refresh. Control thread only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

namespace ampguard {

class TableCensus {
 public:
  static constexpr uint32_t kBucketsPerStep = 1u << 16;  // 4 MB of a table per refresh

  // count_in(first, n): the entries in buckets [first, first + n) of a table of `buckets`.
  template <class CountIn>
  uint32_t step(uint32_t buckets, CountIn&& count_in) {
    const uint32_t chunks = (buckets + kBucketsPerStep - 1) / kBucketsPerStep;
    if (counts_.size() != chunks) counts_.assign(chunks, 0), next_ = 0;
    if (chunks == 0) return 0;
    const uint32_t first = next_ * kBucketsPerStep;
    counts_[next_] = count_in(first, std::min(kBucketsPerStep, buckets - first));
    next_ = (next_ + 1) % chunks;
    return std::accumulate(counts_.begin(), counts_.end(), 0u);
  }

 private:
  std::vector<uint32_t> counts_;
  uint32_t next_ = 0;
};

}  // namespace ampguard
