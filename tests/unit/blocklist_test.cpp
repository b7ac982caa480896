// Blocklist: add, --exist refresh, expiry, eviction order when full, remove, for_each.
#include <gtest/gtest.h>

#include <map>

#include "dataplane/shared_tables.hpp"
#include "dataplane/time_units.hpp"

namespace ampguard {
namespace {

constexpr uint64_t kStart = 1000 * kSecond;

FlowKey key(uint32_t i) { return flow_key_v4(0xc6336400 + i, 32); }

std::map<FlowKey, uint64_t> live(const Blocklist& b, uint64_t now) {
  std::map<FlowKey, uint64_t> out;
  b.for_each(now,
             [&](FlowKey k, uint64_t expires) { EXPECT_TRUE(out.emplace(k, expires).second); });
  return out;
}

TEST(Blocklist, AddThenContains) {
  Blocklist b(1000);
  TableCounters c;
  EXPECT_FALSE(b.contains(key(1), kStart));
  EXPECT_EQ(b.block(key(1), kStart + 600 * kSecond, kStart, c), Blocklist::Result::added);
  EXPECT_TRUE(b.contains(key(1), kStart));
  EXPECT_FALSE(b.contains(key(2), kStart));
  EXPECT_EQ(c.block_adds.get(), 1u);
  EXPECT_EQ(b.size(kStart), 1u);
}

TEST(Blocklist, RefreshResetsToTheFullTimeout) {
  Blocklist b(1000);
  TableCounters c;
  b.block(key(1), kStart + 600 * kSecond, kStart, c);
  const uint64_t later = kStart + 500 * kSecond;
  EXPECT_EQ(b.block(key(1), later + 600 * kSecond, later, c), Blocklist::Result::refreshed);
  EXPECT_EQ(live(b, later), (std::map<FlowKey, uint64_t>{{key(1), later + 600 * kSecond}}));
  EXPECT_TRUE(b.contains(key(1), kStart + 1000 * kSecond));
  // a shorter block never shortens a longer one
  EXPECT_EQ(b.block(key(1), later + kSecond, later, c), Blocklist::Result::refreshed);
  EXPECT_EQ(live(b, later)[key(1)], later + 600 * kSecond);
  EXPECT_EQ(c.block_adds.get(), 1u);
  EXPECT_EQ(c.block_refreshes.get(), 2u);
}

TEST(Blocklist, ExpiresAndIsSwept) {
  Blocklist b(64);
  TableCounters c;
  b.block(key(1), kStart + 600 * kSecond, kStart, c);
  b.block(key(2), kStart + 900 * kSecond, kStart, c);
  const uint64_t t = kStart + 600 * kSecond;
  EXPECT_FALSE(b.contains(key(1), t)) << "expired at exactly its expiry";
  EXPECT_TRUE(b.contains(key(2), t));
  EXPECT_EQ(b.size(t), 1u);
  for (int i = 0; i < 2; ++i) b.expire_step(t, c);  // 16 buckets per step, 16 buckets in all
  EXPECT_EQ(c.block_expiries.get(), 1u);
  EXPECT_EQ(live(b, kStart).size(), 1u) << "the expired entry is gone, not only hidden";
  // blocking an expired-but-unswept key again is a new block
  b.block(key(3), t + kSecond, kStart, c);
  EXPECT_EQ(b.block(key(3), t + 600 * kSecond, t + 2 * kSecond, c), Blocklist::Result::added);
}

TEST(Blocklist, FullWindowEvictsExpiredThenSoonestExpiring) {
  Blocklist b(4);  // two buckets: one window for every key
  TableCounters c;
  for (uint32_t i = 0; i < 8; ++i) b.block(key(i), kStart + (i + 1) * kSecond, kStart, c);
  const uint64_t now = kStart + 2 * kSecond;  // key 0 and key 1 have expired
  b.block(key(100), now + 600 * kSecond, now, c);
  b.block(key(101), now + 600 * kSecond, now, c);
  auto l = live(b, kStart);
  EXPECT_EQ(l.count(key(0)) + l.count(key(1)), 0u);
  EXPECT_EQ(l.count(key(2)), 1u);
  b.block(key(102), now + 600 * kSecond, now, c);
  l = live(b, kStart);
  EXPECT_EQ(l.count(key(2)), 0u) << "key 2 expires soonest";
  for (uint32_t i = 3; i < 8; ++i) EXPECT_EQ(l.count(key(i)), 1u);
  for (uint32_t i = 100; i < 103; ++i) EXPECT_TRUE(b.contains(key(i), now));
  EXPECT_EQ(c.block_evictions.get(), 1u) << "expired entries are free space, not evictions";
  EXPECT_EQ(b.capacity(), 8u);
}

TEST(Blocklist, Remove) {
  Blocklist b(1000);
  TableCounters c;
  b.block(key(1), kStart + 600 * kSecond, kStart, c);
  EXPECT_TRUE(b.remove(key(1)));
  EXPECT_FALSE(b.remove(key(1)));
  EXPECT_FALSE(b.contains(key(1), kStart));
  EXPECT_EQ(b.block(key(1), kStart + 600 * kSecond, kStart, c), Blocklist::Result::added);
}

TEST(Blocklist, ForEachListsLiveEntriesOnly) {
  Blocklist b(1000);
  TableCounters c;
  const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1};
  b.block(key(1), kStart + 10 * kSecond, kStart, c);
  b.block(flow_key_v6(v6, 64), kStart + 20 * kSecond, kStart, c);
  b.block(key(2), kStart + 5 * kSecond, kStart, c);
  EXPECT_EQ(live(b, kStart + 6 * kSecond),
            (std::map<FlowKey, uint64_t>{{key(1), kStart + 10 * kSecond},
                                         {flow_key_v6(v6, 64), kStart + 20 * kSecond}}));
  EXPECT_EQ(b.size(kStart + 6 * kSecond), 2u);
}

}  // namespace
}  // namespace ampguard
