// Queries still aimed through a block, counted per blocked source (issue 18: the fleet exports
// the heaviest blocks first, by the over-limit traffic they still drop).
#include "dataplane/block_drop_sketch.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "control/block_drop_rates.hpp"
#include "control/settings.hpp"
#include "dataplane/pipeline.hpp"
#include "support/dns_frames.hpp"

namespace ampguard {
namespace {

constexpr uint64_t kNow = 1'000'000'000'000;

class Blocked {
 public:
  Blocked() : shared_(TableSizes{}, 1) {
    Settings s;
    EXPECT_EQ(load_settings("", {}, s), "");
    EXPECT_EQ(build_dataplane_config(s, cfg_), "");
    w_.shared = &shared_;
    w_.counters = &counters_;
  }
  HashedKey key(std::array<uint8_t, 4> a) {
    std::array<uint8_t, 16> addr{};
    std::copy(a.begin(), a.end(), addr.begin());
    return shared_.hashed(flow_key(L3::ipv4, addr, cfg_.prefix_v4, cfg_.prefix_v6));
  }
  void block(std::array<uint8_t, 4> a) {
    TableCounters c;
    ASSERT_EQ(shared_.blocklist.block(key(a), kNow + 600 * kSecond, kNow, c),
              Blocklist::Result::added);
  }
  VerdictReason query(test::Bytes frame) {
    uint32_t len = uint32_t(frame.size());
    return judge_frame(w_, cfg_, PortSide::outside, frame.data(), &len, kNow).reason;
  }
  const WorkerCounters& counters() const { return counters_; }

 private:
  SharedState shared_;
  DataplaneConfig cfg_;
  WorkerCounters counters_;
  WorkerContext w_;
};

uint32_t estimate(const WorkerCounters& c, const HashedKey& k) {
  uint32_t e = ~0u;
  for (unsigned r = 0; r < BlockDropSketch::kRows; ++r)
    e = std::min(e, c.block_drops.at(r, BlockDropSketch::cell(k.hash, r)));
  return e;
}

TEST(BlockDropSketch, CountsQueriesFromEachBlockedSourceToTheService) {
  Blocked b;
  const std::array<uint8_t, 4> heavy{203, 0, 113, 1}, light{203, 0, 113, 2}, free{198, 18, 0, 9};
  b.block(heavy);
  b.block(light);
  for (int i = 0; i < 300; ++i)
    ASSERT_EQ(b.query(test::query_v4(heavy, uint16_t(i))), VerdictReason::blocklisted_source);
  for (int i = 0; i < 7; ++i)
    ASSERT_EQ(b.query(test::query_v4(light, uint16_t(i))), VerdictReason::blocklisted_source);
  for (int i = 0; i < 50; ++i) ASSERT_EQ(b.query(test::query_v4(free)), VerdictReason::query);
  EXPECT_EQ(estimate(b.counters(), b.key(heavy)), 300u);
  EXPECT_EQ(estimate(b.counters(), b.key(light)), 7u);
  EXPECT_EQ(estimate(b.counters(), b.key(free)), 0u) << "not blocked: not counted";
}

TEST(BlockDropRates, SumWorkersAndLetAnAbandonedBlockSink) {
  WorkerCounters a, b;
  const HashedKey old_target{1, 0x0000'0123'0000'0456}, new_target{2, 0x0000'0777'0000'0888};
  for (int i = 0; i < 1000; ++i) a.block_drops.add(old_target.hash);
  BlockDropRates rates;
  rates.update({&a, &b});
  EXPECT_DOUBLE_EQ(rates.rate(old_target), 1000);
  EXPECT_DOUBLE_EQ(rates.rate(new_target), 0);
  // The attack moves on: 100 a step at the new target, spread over both workers.
  for (int step = 0; step < 300; ++step) {
    for (int i = 0; i < 50; ++i) {
      a.block_drops.add(new_target.hash);
      b.block_drops.add(new_target.hash);
    }
    rates.update({&a, &b});
  }
  EXPECT_GT(rates.rate(new_target), rates.rate(old_target)) << "ranked by what still comes";
  EXPECT_LT(rates.rate(old_target), 1000 * 0.06);
  EXPECT_NEAR(rates.rate(new_target),
              100 * (1 - std::pow(BlockDropRates::kKeep, 300)) / (1 - BlockDropRates::kKeep), 1);
}

}  // namespace
}  // namespace ampguard
