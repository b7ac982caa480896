// LimiterTable: insert, eviction of the least valuable entry, idle expiry, floods.
#include <gtest/gtest.h>

#include <vector>

#include "dataplane/shared_tables.hpp"
#include "dataplane/time_units.hpp"

namespace ampguard {
namespace {

constexpr uint64_t kStart = 1000 * kSecond;

LimitProfile recipe() {
  LimitProfile p;
  EXPECT_EQ(make_limit_profile(LimitParams{}, p), "");  // 50/min, burst 10
  return p;
}

FlowKey key(uint32_t i) { return flow_key_v4(0x0a000000 + i, 32); }

// Packets sent to key at now until the first over-limit one, which is not counted.
int passes_until_limited(LimiterTable& t, FlowKey k, const LimitProfile& p, uint64_t now,
                         TableCounters& c) {
  int n = 0;
  while (t.admit(k, 1000, p, now, c) == Admit::pass) ++n;
  return n;
}

TEST(LimiterTable, CapacityIsTwiceMaxEntriesInWholeBuckets) {
  EXPECT_EQ(LimiterTable(100000).capacity(), 200000u);
  EXPECT_EQ(LimiterTable(100001).capacity(), 200004u);
  EXPECT_EQ(LimiterTable(1).capacity(), 8u);
  EXPECT_EQ(LimiterTable(100000).memory_bytes(), 200000u * 16);
}

TEST(LimiterTable, ChargesPerKey) {
  const LimitProfile p = recipe();
  LimiterTable t(1000);
  TableCounters c;
  EXPECT_EQ(passes_until_limited(t, key(1), p, kStart, c), 10);
  EXPECT_EQ(passes_until_limited(t, key(2), p, kStart, c), 10);
  EXPECT_EQ(t.admit(key(1), 1000, p, kStart + 1200 * kSecond / 1000, c), Admit::pass);
  EXPECT_EQ(t.admit(key(1), 1000, p, kStart + 1200 * kSecond / 1000, c), Admit::over_limit);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(c.limiter_inserts.get(), 2u);
  EXPECT_EQ(c.limiter_evictions.get(), 0u);
  EXPECT_EQ(t.credit(key(3), p, kStart), std::nullopt);
}

TEST(LimiterTable, FullWindowEvictsTheEntryWithTheMostCredit) {
  const LimitProfile p = recipe();
  LimiterTable t(4);  // two buckets: every key shares one window
  TableCounters c;
  for (uint32_t i = 0; i < 8; ++i)
    for (uint32_t n = 0; n <= i; ++n) t.admit(key(i), 1000, p, kStart, c);  // key i: i+1 pkts
  EXPECT_EQ(t.size(), 8u);
  EXPECT_EQ(t.admit(key(100), 1000, p, kStart, c), Admit::pass);
  EXPECT_EQ(c.limiter_evictions.get(), 1u);
  EXPECT_EQ(t.credit(key(0), p, kStart), std::nullopt) << "key 0 had the most credit left";
  for (uint32_t i = 1; i < 8; ++i) EXPECT_NE(t.credit(key(i), p, kStart), std::nullopt);
  EXPECT_EQ(t.admit(key(101), 1000, p, kStart, c), Admit::pass);
  EXPECT_EQ(t.credit(key(100), p, kStart), std::nullopt) << "9 of 10 left: the most now";
  EXPECT_EQ(t.size(), 8u);
}

TEST(LimiterTable, FullCreditEntriesAreFreeSpaceNotEvictions) {
  const LimitProfile p = recipe();
  LimiterTable t(4);  // two buckets: every key shares one window
  TableCounters c;
  for (uint32_t i = 0; i < 8; ++i) t.admit(key(i), 1000, p, kStart, c);
  // one charge refills in 1.2 s; full for a further refill time (12 s), an entry is idle, not a
  // client served lately
  const uint64_t later = kStart + 14 * kSecond;
  EXPECT_EQ(t.admit(key(100), 1000, p, later, c), Admit::pass);
  EXPECT_EQ(c.limiter_evictions.get(), 0u) << "forgetting a full entry changes no decision";
  EXPECT_EQ(c.limiter_inserts.get(), 9u);
  EXPECT_EQ(t.size(), 8u);
}

TEST(LimiterTable, IdleFullEntriesExpire) {
  const LimitProfile p = recipe();
  LimiterTable t(64);
  TableCounters c;
  t.admit(key(1), 1000, p, kStart, c);
  const auto sweep_all = [&](uint64_t now) {
    for (uint32_t i = 0; i < t.capacity() / 4; i += LimiterTable::kExpireBuckets)
      t.expire_step(p, 60 * kSecond, now, c);
  };
  sweep_all(kStart + 59 * kSecond);  // full credit after 1.2 s, but not idle for 60 s yet
  EXPECT_EQ(t.size(), 1u);
  // E only bounds the last charge from below: proven idle up to one cost's refill (1.2 s) late
  sweep_all(kStart + 61 * kSecond);
  EXPECT_EQ(t.size(), 1u);
  sweep_all(kStart + 61200 * kSecond / 1000);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(c.limiter_expiries.get(), 1u);
}

TEST(LimiterTable, LimitedKeyIsKeptUntilItsCreditIsFull) {
  LimitParams slow;  // 1/min, burst 100: 100 minutes to refill
  slow.rate = 1;
  slow.burst = 100;
  LimitProfile p;
  ASSERT_EQ(make_limit_profile(slow, p), "");
  LimiterTable t(64);
  TableCounters c;
  EXPECT_EQ(passes_until_limited(t, key(1), p, kStart, c), 100);
  for (uint32_t i = 0; i < 16; ++i) t.expire_step(p, 60 * kSecond, kStart + 3600 * kSecond, c);
  EXPECT_EQ(t.size(), 1u) << "an hour idle is not enough: forgetting would hand back credit";
  for (uint32_t i = 0; i < 16; ++i) t.expire_step(p, 60 * kSecond, kStart + 7000 * kSecond, c);
  EXPECT_EQ(t.size(), 0u);
}

TEST(LimiterTable, FloodDoesNotGrowTheTableNorFreeAHeavyHitter) {
  const LimitProfile p = recipe();
  LimiterTable empty(100000);
  TableCounters c;
  const int reference = passes_until_limited(empty, key(0xffffff), p, kStart, c);
  ASSERT_EQ(reference, 10);

  LimiterTable t(100000);
  const uint32_t capacity = t.capacity();
  const size_t memory = t.memory_bytes();
  const FlowKey heavy = flow_key_v4(0xc0000201, 32);
  const FlowKey late = flow_key_v4(0xc0000202, 32);
  int heavy_passes = 0;
  for (uint32_t i = 0; i < 1000000; ++i) {
    EXPECT_EQ(t.admit(key(i), 700, p, kStart, c), Admit::pass);
    if (i % 20000 == 0) heavy_passes += t.admit(heavy, 700, p, kStart, c) == Admit::pass;
  }
  EXPECT_EQ(heavy_passes, reference) << "interleaved with the flood";
  EXPECT_EQ(t.admit(heavy, 700, p, kStart, c), Admit::over_limit);
  // The flood's evicted keys each left one packet of debt in the debt sketch: a key new after
  // it may start one packet short (the sketch errs toward limiting), never with more.
  const int late_passes = passes_until_limited(t, late, p, kStart, c);
  EXPECT_LE(late_passes, reference) << "after the flood";
  EXPECT_GE(late_passes, reference - 1) << "after the flood";
  EXPECT_EQ(t.capacity(), capacity);
  EXPECT_EQ(t.memory_bytes(), memory);
  EXPECT_EQ(t.size(), capacity) << "flood keys are evicted, never refused";
  EXPECT_GT(c.limiter_evictions.get(), 1000000u - capacity);
}

}  // namespace
}  // namespace ampguard
