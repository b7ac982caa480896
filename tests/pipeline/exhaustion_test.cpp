// State exhaustion: 10,000,000 spoofed destinations (large responses from the resolver) and
// 10,000,000 spoofed sources (UDP from the internet) through judge_frame() against tables of
// the default sizes. The tables stay at their bounds, resident memory stays flat after
// warm-up, and a heavy hitter arriving after the flood, or interleaved with it, is blocked
// after as many packets as on an empty table, or one fewer (the debt sketch, issue 13), never more.
//
// judge_frame() runs on one reused frame whose address bytes are rewritten per packet: the
// test allocates nothing per packet, so any growth is the dataplane's.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "dataplane/pipeline.hpp"
#include "support/dns_frames.hpp"

namespace ampguard {
namespace {

using test::Bytes;

constexpr PortSide kIn = PortSide::inside, kOut = PortSide::outside;
constexpr uint32_t kFlood = 10'000'000;
constexpr uint32_t kWarmUp = 1'000'000;
constexpr uint64_t kPacketNs = 1'000;  // a 1 Mpps flood: 10 s of dataplane time per 10M
constexpr unsigned kExpireEvery = 64;  // packets between expiry steps, as the worker loop does
constexpr size_t kIpDst = 14 + 16, kIpSrc = 14 + 12;

long resident_bytes() {
  long size = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  if (std::fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
  std::fclose(f);
  return resident * 4096;
}

void put_v4(Bytes& frame, size_t off, uint32_t addr) {
  for (int i = 0; i < 4; ++i) frame[off + i] = uint8_t(addr >> (24 - 8 * i));
}

// One worker's view of a SharedState with default table sizes and the default config.
class Dataplane {
 public:
  Dataplane() : shared_(TableSizes{}, 1) {
    std::string err;
    cfg_.allow = PrefixSet::build({}, err);
    cfg_.deny = PrefixSet::build({}, err);
    EXPECT_TRUE(make_limit_profile(LimitParams{}, cfg_.limit).empty());
    w_.shared = &shared_;
    w_.counters = &counters_;
  }

  VerdictReason judge(PortSide side, Bytes& frame) {
    now_ns_ += kPacketNs;
    uint32_t len = uint32_t(frame.size());
    const VerdictReason r = judge_frame(w_, cfg_, side, frame.data(), &len, now_ns_).reason;
    if (++packets_ % kExpireEvery == 0) {
      shared_.expire_step(cfg_, now_ns_, counters_.tables);
    }
    return r;
  }

  // Large responses to `victim` until one is over the limit: how many passed.
  int passes_before_block(Bytes& response, uint32_t victim) {
    put_v4(response, kIpDst, victim);
    for (int n = 0; n < 100; ++n)
      if (judge(kIn, response) == VerdictReason::over_limit) return n;
    return -1;
  }

  SharedState& shared() { return shared_; }
  uint64_t reason(VerdictReason r) const { return counters_.reason_packets[unsigned(r)].get(); }

 private:
  SharedState shared_;
  DataplaneConfig cfg_;
  WorkerCounters counters_;
  WorkerContext w_;
  uint64_t now_ns_ = 1'000'000'000;
  uint64_t packets_ = 0;
};

TEST(Exhaustion, TenMillionSpoofedKeysKeepTablesBoundedMemoryFlatAndLimitsExact) {
  Bytes response = test::response_v4({0, 0, 0, 0}, 1000);
  Bytes query = test::query_v4({0, 0, 0, 0});
  constexpr uint32_t kVictim = 0xcb007142;  // 203.0.113.66
  constexpr uint32_t kLateVictim = 0xcb007143;

  int baseline;
  {
    Dataplane empty;
    baseline = empty.passes_before_block(response, kVictim);
  }
  ASSERT_EQ(baseline, 10);  // the recipe: burst 10, the 11th large response is over the limit

  Dataplane dp;
  long warm_rss = 0;
  for (uint32_t i = 0; i < kFlood; ++i) {
    // 10.0.0.0/8 holds 16.7M addresses: every destination and every source is distinct.
    put_v4(response, kIpDst, 0x0a000000u + i);
    ASSERT_EQ(dp.judge(kIn, response), VerdictReason::response_within_limit);
    put_v4(query, kIpSrc, 0x0a000000u + i);
    ASSERT_EQ(dp.judge(kOut, query), VerdictReason::query);
    if (i + 1 == kWarmUp) warm_rss = resident_bytes();
  }
  const long end_rss = resident_bytes();
  RecordProperty("rss_after_warm_up", std::to_string(warm_rss));
  RecordProperty("rss_after_flood", std::to_string(end_rss));
  ASSERT_GT(warm_rss, 0);
  EXPECT_LT(end_rss - warm_rss, 1L << 20) << "resident memory grew after warm-up";
  LimiterTable& limiter = dp.shared().limiter;
  // Full, never beyond: every probe window holds a key.
  EXPECT_EQ(limiter.size(), limiter.capacity());
  EXPECT_GE(limiter.capacity(), TableSizes{}.limiter_entries);
  EXPECT_EQ(dp.shared().blocklist.size(0), 0u);
  EXPECT_EQ(dp.reason(VerdictReason::over_limit), 0u);

  // After the flood: never more than the ten passes of an empty table; one fewer when the
  // flood's one-packet debts fill the victim's debt sketch cells (it errs toward limiting).
  const int after = dp.passes_before_block(response, kVictim);
  EXPECT_LE(after, baseline);
  EXPECT_GE(after, baseline - 1);

  // Interleaved with it: one response to the late victim per two bursts of flood. Its first
  // packet leaves it with the credit of any one-packet spoofed key (nothing tells them apart);
  // from its second on it holds less credit than any fresh key, and eviction takes the entry
  // with the most credit first.
  int passes = 0;
  for (uint32_t i = 0; i < 11; ++i) {
    put_v4(response, kIpDst, kLateVictim);
    if (dp.judge(kIn, response) != VerdictReason::over_limit) ++passes;
    for (uint32_t j = 0; j < 64; ++j) {
      put_v4(response, kIpDst, 0x0b000000u + i * 64 + j);
      dp.judge(kIn, response);
    }
  }
  EXPECT_LE(passes, baseline);
  EXPECT_GE(passes, baseline - 1);  // its first packet may start from the flood's sketched debt
  EXPECT_LE(limiter.size(), limiter.capacity());
  EXPECT_EQ(dp.shared().blocklist.size(0), 2u);
}

}  // namespace
}  // namespace ampguard
