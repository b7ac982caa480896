// TableCore layout: how many keys it holds before it must evict a live one (issue 13 part 2).
#include "dataplane/table_core.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdint>
#include <cstring>

namespace ampguard::table_core {
namespace {

uint64_t splitmix64(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Inserts random live keys until the first eviction; returns how many the table then held.
uint64_t held_at_first_eviction(TableCore& core) {
  TableCounters c;
  uint64_t rng = 42, held = 0;
  for (;;) {
    const FlowKey k = splitmix64(rng) | 1;  // never the empty key
    const Upserted r = core.upsert(
        core.hashed(k), [](uint64_t&) { return false; }, [](uint64_t& s) { s = 1; },
        [](Snapshot) { return uint64_t(1); }, c);  // every entry is live: none is free to forget
    if (r == Upserted::evicted) return held;
    held += r == Upserted::inserted;
  }
}

constexpr HashKey kTestKey{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};

// The SipHash paper's reference vector: key 00..0f, message 00..07.
TEST(TableCore, SipHashMatchesTheReferenceVector) {
  EXPECT_EQ(siphash24(0x0706050403020100ULL, kTestKey), 0x93f5f5799a932462ULL);
}

// The inlined SipHash is libsodium's crypto_shorthash_siphash24 (Debian's), for any key and word:
// the table pays no library call per packet, and the function is still the reviewed one.
TEST(TableCore, SipHashIsLibsodiumsSipHash24) {
  uint64_t rng = 7;
  for (int i = 0; i < 10000; ++i) {
    const HashKey key{splitmix64(rng), splitmix64(rng)};
    const uint64_t word = splitmix64(rng);
    unsigned char k[crypto_shorthash_siphash24_KEYBYTES], in[8], out[8];
    static_assert(sizeof k == sizeof key);
    std::memcpy(k, &key, sizeof k);  // little-endian k0 | k1, as the reference reads its key
    std::memcpy(in, &word, sizeof in);
    ASSERT_EQ(crypto_shorthash_siphash24(out, in, sizeof in, k), 0);
    uint64_t expected;
    std::memcpy(&expected, out, sizeof expected);
    ASSERT_EQ(siphash24(word, key), expected) << "word " << word;
  }
}

TEST(TableCore, HoldsMaxEntriesRandomKeysBeforeTheFirstEviction) {
  for (const uint32_t max_entries : {1000u, 100000u, 1000000u}) {
    TableCore core(max_entries, kTestKey);
    EXPECT_GE(held_at_first_eviction(core), max_entries) << "max-entries " << max_entries;
  }
}

}  // namespace
}  // namespace ampguard::table_core
