// FragmentTable and datagram_key: verdicts for later fragments of a datagram.
#include <gtest/gtest.h>

#include <set>

#include "dataplane/shared_tables.hpp"
#include "dataplane/time_units.hpp"

namespace ampguard {
namespace {

constexpr uint64_t kStart = 1000 * kSecond;

PacketView fragment(L3 l3, uint8_t last_src_byte, uint32_t id, uint8_t proto = 17) {
  PacketView v;
  v.l3 = l3;
  v.l4_proto = proto;
  v.is_fragment = true;
  v.frag_id = id;
  v.src = {192, 0, 2, last_src_byte};
  v.dst = {198, 51, 100, 7};
  if (l3 == L3::ipv6) {
    v.src = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last_src_byte};
    v.dst = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53};
  }
  return v;
}

TEST(FragmentTable, DatagramKeyTellsDatagramsApart) {
  std::set<uint64_t> keys;
  for (L3 l3 : {L3::ipv4, L3::ipv6})
    for (uint8_t src = 1; src < 4; ++src)
      for (uint32_t id : {0u, 1u, 0xffffu})
        for (uint8_t proto : {uint8_t(17), uint8_t(6)}) {
          const uint64_t k = datagram_key(fragment(l3, src, id, proto));
          EXPECT_NE(k, kEmptyKey);
          EXPECT_TRUE(keys.insert(k).second);
        }
  EXPECT_EQ(datagram_key(fragment(L3::ipv4, 1, 7)), datagram_key(fragment(L3::ipv4, 1, 7)));
}

TEST(FragmentTable, RemembersVerdictsUntilExpiry) {
  FragmentTable t(1000);
  TableCounters c;
  const uint64_t a = datagram_key(fragment(L3::ipv4, 1, 1));
  const uint64_t b = datagram_key(fragment(L3::ipv6, 1, 1));
  EXPECT_EQ(t.lookup(a, kStart), std::nullopt);
  t.remember(a, FragmentVerdict::drop, kStart + 30 * kSecond, kStart, c);
  t.remember(b, FragmentVerdict::pass, kStart + 30 * kSecond, kStart, c);
  EXPECT_EQ(t.lookup(a, kStart), FragmentVerdict::drop);
  EXPECT_EQ(t.lookup(b, kStart), FragmentVerdict::pass);
  EXPECT_EQ(t.lookup(a, kStart + 30 * kSecond), std::nullopt);
  t.remember(a, FragmentVerdict::pass, kStart + 60 * kSecond, kStart + 30 * kSecond,
             c);  // IP id reused later
  EXPECT_EQ(t.lookup(a, kStart + 30 * kSecond), FragmentVerdict::pass);
  EXPECT_EQ(c.fragment_inserts.get(), 2u);
  EXPECT_EQ(c.fragment_evictions.get(), 0u);
}

TEST(FragmentTable, FullWindowOverwritesTheSoonestExpiring) {
  FragmentTable t(4);  // two buckets: one window for every key
  TableCounters c;
  EXPECT_EQ(t.capacity(), 8u);
  for (uint32_t i = 0; i < 8; ++i)
    t.remember(1000 + i, FragmentVerdict::drop, kStart + (10 - i) * kSecond, kStart, c);
  t.remember(2000, FragmentVerdict::pass, kStart + 30 * kSecond, kStart, c);
  EXPECT_EQ(t.lookup(1007, kStart), std::nullopt) << "1007 expired soonest";
  for (uint32_t i = 0; i < 7; ++i) EXPECT_EQ(t.lookup(1000 + i, kStart), FragmentVerdict::drop);
  EXPECT_EQ(t.lookup(2000, kStart), FragmentVerdict::pass);
  EXPECT_EQ(c.fragment_evictions.get(), 1u);
}

// Issue 15: a drop verdict evicted makes the rest of a truncated or dropped datagram pass.
TEST(FragmentTable, FullWindowOverwritesPassVerdictsBeforeDropVerdicts) {
  FragmentTable t(4);  // two buckets: every key's window is the whole table
  TableCounters c;
  for (uint32_t i = 0; i < 4; ++i)
    t.remember(1000 + i, FragmentVerdict::drop, kStart + (10 + i) * kSecond, kStart, c);
  for (uint32_t i = 0; i < 4; ++i)
    t.remember(2000 + i, FragmentVerdict::pass, kStart + (20 + i) * kSecond, kStart, c);
  for (uint32_t i = 0; i < 4; ++i)
    t.remember(3000 + i, FragmentVerdict::pass, kStart + 30 * kSecond, kStart, c);
  for (uint32_t i = 0; i < 4; ++i) EXPECT_EQ(t.lookup(1000 + i, kStart), FragmentVerdict::drop);
  for (uint32_t i = 0; i < 4; ++i) EXPECT_EQ(t.lookup(3000 + i, kStart), FragmentVerdict::pass);
  // Expired entries still go first, drop verdicts included.
  t.remember(4000, FragmentVerdict::pass, kStart + 40 * kSecond, kStart + 10 * kSecond, c);
  EXPECT_EQ(t.lookup(1000, kStart), std::nullopt);
  EXPECT_EQ(t.lookup(4000, kStart), FragmentVerdict::pass);
}

}  // namespace
}  // namespace ampguard
