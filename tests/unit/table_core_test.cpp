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

// The SipHash paper's reference vector for SipHash-2-4: key 00..0f, message 00..07.
TEST(TableCore, SipHash24MatchesTheReferenceVector) {
  EXPECT_EQ((siphash<2, 4>(0x0706050403020100ULL, kTestKey)), 0x93f5f5799a932462ULL);
}

// The body with 2-4 rounds is libsodium's crypto_shorthash_siphash24 (Debian's), for any key and
// word: the round function, the message and length blocks and the finalisation are the reviewed
// ones; the tables' siphash13 differs only in the round counts.
TEST(TableCore, SipHash24IsLibsodiums) {
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
    ASSERT_EQ((siphash<2, 4>(word, key)), expected) << "word " << word;
  }
}

// The tables' SipHash-1-3 against CPython 3.11's (sys.hash_info.algorithm 'siphash13'), an
// independent implementation: hash(bytes) of the word's 8 little-endian bytes under the key that
// PYTHONHASHSEED=seed derives (0: zero key; else bytes 0-15 of CPython's LCG, x = x * 214013 +
// 2531011, byte (x >> 16) & 0xff, read as little-endian k0, k1). Each hash printed by
//   PYTHONHASHSEED=seed python3 -c 'print(hex(hash((word).to_bytes(8, "little")) % 2**64))'
TEST(TableCore, SipHash13IsCPythons) {
  struct Vector {
    unsigned seed;
    HashKey key;
    uint64_t word, hash;
  };
  constexpr Vector kVectors[] = {
      {0,
       {0x0000000000000000ULL, 0x0000000000000000ULL},
       0x0000000000000000ULL,
       0xbd60acb658c79e45ULL},
      {0,
       {0x0000000000000000ULL, 0x0000000000000000ULL},
       0x0706050403020100ULL,
       0xead411e67ebe2eeaULL},
      {0,
       {0x0000000000000000ULL, 0x0000000000000000ULL},
       0xfedcba9876543210ULL,
       0xb019377495166681ULL},
      {0,
       {0x0000000000000000ULL, 0x0000000000000000ULL},
       0x0000000a000000c0ULL,
       0x2f88056e18425b4bULL},
      {1,
       {0xaed66ce184be2329ULL, 0xebe9bbf1f1499052ULL},
       0x0000000000000000ULL,
       0x97622c04ecfbdc7cULL},
      {1,
       {0xaed66ce184be2329ULL, 0xebe9bbf1f1499052ULL},
       0x0706050403020100ULL,
       0xc0b5739e7e28dd01ULL},
      {1,
       {0xaed66ce184be2329ULL, 0xebe9bbf1f1499052ULL},
       0xfedcba9876543210ULL,
       0x33647839b1ce7935ULL},
      {1,
       {0xaed66ce184be2329ULL, 0xebe9bbf1f1499052ULL},
       0x0000000a000000c0ULL,
       0x4d35b7850a0bb4fdULL},
      {12345,
       {0x25556dc46dc3dca0ULL, 0xfc3ee4dbd06f6c90ULL},
       0x0000000000000000ULL,
       0xe0c00e9ccd5b4660ULL},
      {12345,
       {0x25556dc46dc3dca0ULL, 0xfc3ee4dbd06f6c90ULL},
       0x0706050403020100ULL,
       0x354edb093928c942ULL},
      {12345,
       {0x25556dc46dc3dca0ULL, 0xfc3ee4dbd06f6c90ULL},
       0xfedcba9876543210ULL,
       0x9eb5ce6925a517e6ULL},
      {12345,
       {0x25556dc46dc3dca0ULL, 0xfc3ee4dbd06f6c90ULL},
       0x0000000a000000c0ULL,
       0x380f65137b4e0602ULL},
  };
  for (const Vector& v : kVectors)
    EXPECT_EQ(siphash13(v.word, v.key), v.hash)
        << "PYTHONHASHSEED=" << v.seed << " word " << v.word;
}

TEST(TableCore, HoldsMaxEntriesRandomKeysBeforeTheFirstEviction) {
  for (const uint32_t max_entries : {1000u, 100000u, 1000000u}) {
    TableCore core(max_entries, kTestKey);
    EXPECT_GE(held_at_first_eviction(core), max_entries) << "max-entries " << max_entries;
  }
}

}  // namespace
}  // namespace ampguard::table_core
