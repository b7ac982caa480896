// Internal: the lock-free bucket/probe/CAS machinery shared by LimiterTable, Blocklist and
// FragmentTable. Not part of the dataplane API; include shared_tables.hpp instead.
//
// An entry is {key, state}, 16 bytes, key 0 = empty, and is only ever written by one 128-bit CAS
// (cmpxchg16b) so key and state change together. Four entries make one 64-byte bucket. A key
// hashes (SipHash-1-3 under a random per-process key: nobody can aim keys at a bucket) to two
// independent buckets, its 8-slot "window", so every operation touches at most two cache lines.
// A new key goes to the emptier of its buckets; when both are full, one occupant moves to its
// other bucket (cuckoo displacement, one step) before any entry is forgotten. Capacity is twice
// max_entries (32 bytes of memory per entry asked for, at least two buckets): one-step two-choice
// placement first fails near 72% load for 10M keys (77% for 100k), so max_entries random keys
// all fit before the first live entry is forgotten. Once a displacement finds no room the table
// counts as saturated and inserts evict directly until a sweep or a remove frees a slot. Memory
// is allocated once at construction and never grows (table_memory.hpp): DPDK hugepages when the
// caller gives a socket, else anonymous memory, so unit tests run without the EAL.
//
// Why not rte_hash: its multi-writer add takes a lock, it refuses keys when full instead of
// evicting, and a value update is a separate store from the key, so a reader can pair one key with
// another key's value. Here the state travels in the same CAS as its key.
//
// Readers load key, state, key again (all atomic) and retry if the key changed. That snapshot
// can still be torn (K -> J -> K between the reads pairs K with J's state), so nothing acts on it
// unconfirmed: writers CAS the whole entry against the snapshot they read, so a write based on a
// stale read fails, and a decision that writes nothing (upsert's unchanged path: an over-limit
// verdict) is confirmed by a CAS of the snapshot onto itself, paid only on that path. find()
// serves readers that tolerate a momentary pairing (lookups whose last write is the key's own). Two
// writers inserting the same absent key may pick different slots; after its insert each writer
// looks for another copy and removes whichever copy sits later in the window, so the first copy
// survives and duplicates last only for the duration of the race.
#pragma once

#include <rte_atomic.h>
#include <rte_prefetch.h>
#include <sys/random.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <system_error>

#include "dataplane/flow_key.hpp"
#include "dataplane/table_memory.hpp"
#include "dataplane/worker_counters.hpp"

namespace ampguard::table_core {

struct alignas(16) Entry {
  FlowKey key;     // first: cmpxchg16b compares key in rax, state in rdx
  uint64_t state;  // meaning is per table: limiter empty time, block expiry, fragment verdict
};
static_assert(sizeof(Entry) == 16, "one entry is exactly one 128-bit CAS");

inline constexpr unsigned kBucketEntries = 4;
inline constexpr unsigned kWindowSlots = 2 * kBucketEntries;

struct alignas(64) Bucket {
  Entry e[kBucketEntries];
};
static_assert(sizeof(Bucket) == 64, "a bucket is one cache line");

// SipHash's key. Random per process (random_hash_key); fixed only in tests.
struct HashKey {
  uint64_t k0, k1;
};

// 16 bytes from getrandom(2): the kernel's CSPRNG, once per table at construction (control).
inline HashKey random_hash_key() {
  HashKey k{};
  auto* p = reinterpret_cast<uint8_t*>(&k);
  for (size_t got = 0; got < sizeof(k);) {
    const ssize_t n = getrandom(p + got, sizeof(k) - got, 0);
    if (n < 0 && errno != EINTR)
      throw std::system_error(errno, std::generic_category(), "getrandom");
    if (n > 0) got += size_t(n);
  }
  return k;
}

inline uint64_t rotl(uint64_t x, int b) { return x << b | x >> (64 - b); }

// SipHash-c-d of one 8-byte word (the reference function on its little-endian bytes), inlined:
// a keyed PRF made for hash-flooding defence, without a library call per packet. The tables use
// siphash13 below; the rounds are a parameter so that one body is checked against two
// independent implementations (libsodium's SipHash-2-4, CPython's SipHash-1-3: table_core_test).
template <unsigned C, unsigned D>
inline uint64_t siphash(uint64_t m, const HashKey& key) {
  uint64_t v0 = key.k0 ^ 0x736f6d6570736575ULL, v1 = key.k1 ^ 0x646f72616e646f6dULL;
  uint64_t v2 = key.k0 ^ 0x6c7967656e657261ULL, v3 = key.k1 ^ 0x7465646279746573ULL;
  auto rounds = [&](unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
      v0 += v1, v1 = rotl(v1, 13), v1 ^= v0, v0 = rotl(v0, 32);
      v2 += v3, v3 = rotl(v3, 16), v3 ^= v2;
      v0 += v3, v3 = rotl(v3, 21), v3 ^= v0;
      v2 += v1, v1 = rotl(v1, 17), v1 ^= v2, v2 = rotl(v2, 32);
    }
  };
  const uint64_t last = uint64_t(8) << 56;  // the final block: message length, no tail bytes
  v3 ^= m, rounds(C), v0 ^= m;
  v3 ^= last, rounds(C), v0 ^= last;
  v2 ^= 0xff, rounds(D);
  return v0 ^ v1 ^ v2 ^ v3;
}

// SipHash-1-3: the hash-flooding defence of Rust's HashMap, CPython's str/bytes hash and the
// kernel's 64-bit hsiphash: 5 rounds per word instead of 2-4's 8. The key stays secret
// (getrandom) and no hash value is ever shown, so 2-4's extra margin (a PRF whose outputs an
// attacker may read) buys nothing here.
inline uint64_t siphash13(uint64_t m, const HashKey& key) { return siphash<1, 3>(m, key); }

// murmur3 fmix64: full avalanche in 5 cheap ops, so sequential addresses spread out.
inline uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

struct Snapshot {
  FlowKey key;
  uint64_t state;
};

// A key with its SipHash: hashed once per packet, then every table keyed alike (one
// SharedState's tables share a key) finds its window with two multiply-shifts.
struct HashedKey {
  FlowKey key;
  uint64_t hash;
};

inline Snapshot load(const Entry* e) {
  for (;;) {
    // acquire: the state read below must not be satisfied before this key read
    const FlowKey k = __atomic_load_n(&e->key, __ATOMIC_ACQUIRE);
    // acquire: keeps the key re-check below after this state read
    const uint64_t s = __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);
    // relaxed: ordered after the state read by its acquire; only equality matters
    if (__atomic_load_n(&e->key, __ATOMIC_RELAXED) == k) return {k, s};
  }
}

// On failure `expected` holds the entry's current value (a consistent 16-byte snapshot).
inline bool cas(Entry* e, Snapshot& expected, Snapshot desired) {
  rte_int128_t exp, src;
  exp.val[0] = expected.key;
  exp.val[1] = expected.state;
  src.val[0] = desired.key;
  src.val[1] = desired.state;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"  // DPDK marks it experimental
  // seq_cst (lock cmpxchg16b is a full fence): the duplicate check after an insert relies on two
  // racing inserters seeing each other's CAS (store-load ordering).
  const int ok = rte_atomic128_cmp_exchange(reinterpret_cast<rte_int128_t*>(e), &exp, &src, 0,
                                            __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
#pragma GCC diagnostic pop
  expected = {exp.val[0], exp.val[1]};
  return ok != 0;
}

// What upsert() did, for the caller's counters. refused: the key was not held, and placing it
// would have overwritten a live entry, which the caller's may_evict() refused (no write).
enum class Upserted : uint8_t { unchanged, updated, inserted, evicted, refused };

class TableCore {
 public:
  // socket: where the buckets live (table_memory.hpp); nullopt, anonymous memory (no EAL).
  explicit TableCore(uint32_t max_entries, HashKey key = random_hash_key(),
                     TableSocket socket = std::nullopt)
      : nbuckets_(uint32_t(std::max<uint64_t>(
            (kHeadroom * uint64_t(max_entries) + kBucketEntries - 1) / kBucketEntries, 2))),
        key_(key),
        memory_("ampguard_table", size_t(nbuckets_) * sizeof(Bucket), socket),
        buckets_(static_cast<Bucket*>(memory_.data())) {}
  TableCore(const TableCore&) = delete;
  TableCore& operator=(const TableCore&) = delete;

  uint32_t capacity() const { return nbuckets_ * kBucketEntries; }
  size_t memory_bytes() const { return memory_.bytes(); }
  const TableMemory& memory() const { return memory_; }

  static constexpr unsigned kHeadroom = 2;  // slots per max_entries (see the file comment)

  HashedKey hashed(FlowKey key) const { return {key, siphash13(key, key_)}; }

  // The window of key: its two buckets.
  struct Window {
    Bucket* first;
    Bucket* second;
    Entry* operator[](unsigned i) const {
      return &(i < kBucketEntries ? first : second)->e[i % kBucketEntries];
    }
  };
  Window window(FlowKey key) const { return window(hashed(key)); }
  Window window(const HashedKey& hk) const {
    // multiply-shift maps each 32-bit half onto [0, nbuckets) without a division
    const uint64_t h = hk.hash;
    const uint32_t b1 = uint32_t((h >> 32) * nbuckets_ >> 32);
    uint32_t b2 = uint32_t((h & 0xffffffff) * nbuckets_ >> 32);
    if (b2 == b1) b2 = b1 + 1 == nbuckets_ ? 0 : b1 + 1;  // always two distinct lines
    return {&buckets_[b1], &buckets_[b2]};
  }

  // Starts loading key's two cache lines; a burst prefetches all its keys before using any.
  void prefetch(const HashedKey& key) const {
    const Window w = window(key);
    rte_prefetch0(w.first);
    rte_prefetch0(w.second);
  }

  // The first copy of key in its window.
  bool find(FlowKey key, uint64_t& state) const { return find(hashed(key), state); }
  bool find(const HashedKey& hk, uint64_t& state) const {
    const FlowKey key = hk.key;
    const Window w = window(hk);
    for (unsigned i = 0; i < kWindowSlots; ++i) {
      const Entry* e = w[i];
      // A miss (the common case) costs one load per slot; only a hit pays for the snapshot.
      // relaxed: load() below re-reads the key with acquire before trusting the state.
      if (__atomic_load_n(&e->key, __ATOMIC_RELAXED) != key) continue;
      const Snapshot s = load(e);
      if (s.key == key) {
        state = s.state;
        return true;
      }
    }
    return false;
  }

  // Insert-or-update of key, lock-free.
  //   update(uint64_t& state) -> bool: changes an existing key's state; false writes nothing.
  //   create(uint64_t& state): the state of a new key.
  //   value(Snapshot) -> uint64_t: how much an occupied slot is worth keeping; 0 means forgetting
  //   it changes nothing (it is reused like an empty slot). When the window is full and no
  //   occupant can move to its other bucket, the lowest-valued entry is overwritten.
  // Both callbacks may run several times (once per lost race); only the last run counts.
  // On Upserted::evicted, *evicted (when given) is the entry that was overwritten.
  // may_evict() -> bool is asked (at most once) before a live entry is overwritten: the table is
  // full around the key (no empty or forgotten slot, no room to displace an occupant).
  template <class Update, class Create, class Value, class MayEvict>
  Upserted upsert(const HashedKey& hk, Update&& update, Create&& create, Value&& value,
                  TableCounters& c, Snapshot* evicted, MayEvict&& may_evict) {
    const FlowKey key = hk.key;
    bool evict_allowed = false;
    const Window w = window(hk);
    for (;;) {
      Entry* target = nullptr;  // the key's first copy, else a free slot, else the victim
      Snapshot expected{};
      Snapshot seen[kWindowSlots];
      bool found = false;
      unsigned free_in[2] = {0, 0};
      Entry* free_slot[2] = {nullptr, nullptr};  // the first free slot of each bucket
      Snapshot free_seen[2] = {};
      uint64_t least = ~uint64_t(0);
      for (unsigned i = 0; i < kWindowSlots && !found; ++i) {
        Entry* e = w[i];
        const Snapshot s = seen[i] = load(e);
        const unsigned half = i / kBucketEntries;
        if (s.key == key) {
          target = e, expected = s, found = true;
        } else if (s.key == kEmptyKey || value(s) == 0) {
          // an empty slot before a forgotten one: keeps the forgotten entry for a later insert
          if (free_in[half]++ == 0 || (s.key == kEmptyKey && free_seen[half].key != kEmptyKey))
            free_slot[half] = e, free_seen[half] = s;
        } else if (const uint64_t v = value(s); target == nullptr || v < least) {
          target = e, expected = s, least = v;
        }
      }
      if (found) {
        for (;;) {
          uint64_t state = expected.state;
          if (!update(state)) {
            // confirm the snapshot before acting on it: a slot that went K -> J -> K between
            // load()'s reads pairs K with J's state (an innocent K judged over its limit); a
            // failed CAS hands back the real entry to judge again
            if (cas(target, expected, expected)) return Upserted::unchanged;
            c.cas_retries.add();
            if (expected.key != key) break;
            continue;
          }
          if (cas(target, expected, {key, state})) return Upserted::updated;
          c.cas_retries.add();
          if (expected.key != key) break;  // evicted or removed meanwhile: look again
        }
        continue;
      }
      uint64_t state = 0;
      create(state);
      const bool live_target = free_in[0] + free_in[1] == 0;
      if (!live_target) {
        // the emptier bucket (two-choice placement); racing inserters of one key see the same
        // counts, so they usually collide on one CAS
        unsigned half = free_in[1] > free_in[0] ? 1 : 0;
        if (free_seen[half].key != kEmptyKey && free_in[1 - half] != 0 &&
            free_seen[1 - half].key == kEmptyKey)
          half = 1 - half;  // an empty slot in the other bucket costs nothing
        target = free_slot[half], expected = free_seen[half];
      } else if (!saturated_.load(std::memory_order_relaxed)) {
        const Displaced d = displace(w, seen, {key, state}, c);
        if (d == Displaced::lost_race) continue;
        if (d == Displaced::moved) {
          remove_later_copies(w, key);
          return Upserted::inserted;
        }
        // no room anywhere near: stop paying 8 hashes and 8 lines per insert until space frees
        saturated_.store(true, std::memory_order_relaxed);
      }
      if (live_target && !evict_allowed) {
        if (!may_evict()) return Upserted::refused;
        evict_allowed = true;
      }
      if (!cas(target, expected, {key, state})) {
        c.cas_retries.add();
        continue;
      }
      remove_later_copies(w, key);
      if (expected.key == kEmptyKey || value(expected) == 0) return Upserted::inserted;
      if (evicted != nullptr) *evicted = expected;
      return Upserted::evicted;
    }
  }

  template <class Update, class Create, class Value>
  Upserted upsert(const HashedKey& key, Update&& update, Create&& create, Value&& value,
                  TableCounters& c, Snapshot* evicted = nullptr) {
    return upsert(key, update, create, value, c, evicted, [] { return true; });
  }

  // Empties every copy of key; true if there was one.
  bool remove(FlowKey key) {
    bool removed = false;
    const Window w = window(key);
    for (unsigned i = 0; i < kWindowSlots; ++i) removed |= remove_if_key(w[i], key);
    if (removed && saturated_.load(std::memory_order_relaxed))
      saturated_.store(false, std::memory_order_relaxed);
    return removed;
  }

  // Visits the next buckets in a cursor shared by all callers and empties each entry for which
  // expired(Snapshot) is true, only if it is unchanged since it was judged. Returns the count.
  template <class Expired>
  unsigned sweep(unsigned nbuckets, Expired&& expired) {
    // relaxed: the cursor only spreads work; entries are protected by their own CAS
    const uint64_t start = cursor_.fetch_add(nbuckets, std::memory_order_relaxed);
    unsigned removed = 0;
    for (unsigned b = 0; b < nbuckets; ++b) {
      Bucket& bucket = buckets_[(start + b) % nbuckets_];
      for (Entry& e : bucket.e) {
        Snapshot s = load(&e);
        if (s.key != kEmptyKey && expired(s) && cas(&e, s, {kEmptyKey, 0})) ++removed;
      }
    }
    if (removed != 0 && saturated_.load(std::memory_order_relaxed))
      saturated_.store(false, std::memory_order_relaxed);  // room again: displacement resumes
    return removed;
  }

  // Calls f(Snapshot) for every occupied entry. Full scan: control thread and tests only.
  template <class F>
  void for_each(F&& f) const {
    for_each_in(0, nbuckets_, f);
  }
  // The same over buckets [first, first + n) only: a table of millions is counted in steps.
  template <class F>
  void for_each_in(uint32_t first, uint32_t n, F&& f) const {
    for (uint32_t b = first; b < first + n && b < nbuckets_; ++b)
      for (const Entry& e : buckets_[b].e) {
        const Snapshot s = load(&e);
        if (s.key != kEmptyKey) f(s);
      }
  }
  uint32_t buckets() const { return nbuckets_; }

 private:
  static bool remove_if_key(Entry* e, FlowKey key) {
    Snapshot s = load(e);
    while (s.key == key)
      if (cas(e, s, {kEmptyKey, 0})) return true;
    return false;
  }

  enum class Displaced : uint8_t { none, moved, lost_race };

  // Both buckets of a new entry are full (seen: their snapshots): moves one occupant to an empty
  // slot of its other bucket and puts the new entry in its place. The occupant is never out of
  // sight: it is copied first, then its old slot is overwritten by the CAS that inserts.
  Displaced displace(const Window& w, const Snapshot (&seen)[kWindowSlots], Snapshot fresh,
                     TableCounters& c) {
    Bucket* other[kWindowSlots];
    for (unsigned i = 0; i < kWindowSlots; ++i) {
      const Window ow = window(seen[i].key);
      other[i] = ow.first == (i < kBucketEntries ? w.first : w.second) ? ow.second : ow.first;
      rte_prefetch0(other[i]);  // the eight lines load in parallel
    }
    for (unsigned i = 0; i < kWindowSlots; ++i) {
      for (Entry& dst : other[i]->e) {
        Snapshot empty = load(&dst);
        if (empty.key != kEmptyKey) continue;
        Snapshot occupant = seen[i];
        if (!cas(&dst, empty, occupant)) break;  // that bucket changed: try the next occupant
        if (cas(w[i], occupant, fresh)) return Displaced::moved;
        // the occupant changed meanwhile: take the copy back, or drop whichever copy is later
        c.cas_retries.add();
        Snapshot copy = seen[i];
        if (!cas(&dst, copy, {kEmptyKey, 0})) remove_later_copies(window(copy.key), copy.key);
        return Displaced::lost_race;
      }
    }
    return Displaced::none;
  }

  // After an insert of key: of any two copies in the window the later one goes.
  void remove_later_copies(const Window& w, FlowKey key) {
    bool first_seen = false;
    for (unsigned i = 0; i < kWindowSlots; ++i) {
      Entry* e = w[i];
      // seq_cst: pairs with the racing inserter's seq_cst CAS (see cas()), so of two racing
      // inserters at least the later one sees the other's copy
      if (__atomic_load_n(&e->key, __ATOMIC_SEQ_CST) != key) continue;
      if (first_seen) remove_if_key(e, key);
      first_seen = true;
    }
  }

  uint32_t nbuckets_ = 0;
  HashKey key_;
  TableMemory memory_;
  Bucket* buckets_ = nullptr;  // memory_'s, zero-filled: every slot starts empty
  std::atomic<uint64_t> cursor_{0};
  // relaxed: a hint that only decides whether displacement is worth trying; read on inserts
  // into full windows, written when that changes
  std::atomic<bool> saturated_{false};
};

}  // namespace ampguard::table_core

namespace ampguard {
// The tables take their keys hashed and their hash key by these names.
using table_core::HashedKey;
using table_core::HashKey;
}  // namespace ampguard
