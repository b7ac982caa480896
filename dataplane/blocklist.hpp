// The blocklist: key -> expiry, shared by every worker (blocklist.cpp).
#pragma once

#include <cstdint>
#include <optional>

#include "dataplane/flow_key.hpp"
#include "dataplane/table_core.hpp"
#include "dataplane/table_memory.hpp"
#include "dataplane/worker_counters.hpp"

namespace ampguard {

class Blocklist {
 public:
  explicit Blocklist(uint32_t max_entries, HashKey key = table_core::random_hash_key(),
                     TableSocket socket = std::nullopt);
  ~Blocklist();
  Blocklist(const Blocklist&) = delete;
  Blocklist& operator=(const Blocklist&) = delete;

  // The HashedKey forms take the key hashed under this table's key (SharedState::hashed).
  bool contains(FlowKey key, uint64_t now_ns) const { return contains(core_.hashed(key), now_ns); }
  // Inline: every packet from outside asks it, and a call per packet was 5 % of the normal mix.
  bool contains(const HashedKey& key, uint64_t now_ns) const {
    uint64_t expires = 0;
    return core_.find(key, expires) && expires > now_ns;
  }
  // Starts loading key's cache lines ahead of contains() or block() (burst prefetch).
  void prefetch(const HashedKey& key) const { core_.prefetch(key); }
  enum class Result : uint8_t { added, refreshed };
  // extend: a live entry's expiry only ever grows (the recipe's --exist); replace: it becomes
  // expires_ns, shorter or not (ampguardctl blocklist add --replace).
  enum class Expiry : uint8_t { extend, replace };
  // Adds key until expires_ns, or moves its expiry to expires_ns as `expiry` says.
  Result block(FlowKey key, uint64_t expires_ns, uint64_t now_ns, TableCounters& c,
               Expiry expiry = Expiry::extend) {
    return block(core_.hashed(key), expires_ns, now_ns, c, expiry);
  }
  Result block(const HashedKey& key, uint64_t expires_ns, uint64_t now_ns, TableCounters& c,
               Expiry expiry = Expiry::extend);
  // When key's block ends, or nullopt when it is not blocked at now_ns.
  std::optional<uint64_t> expires(FlowKey key, uint64_t now_ns) const;
  bool remove(FlowKey key);
  void expire_step(uint64_t now_ns, TableCounters& c);
  uint32_t capacity() const;
  uint32_t size(uint64_t now_ns) const;  // full scan: control thread only
  uint32_t size_in(uint32_t first, uint32_t n, uint64_t now_ns) const;  // as LimiterTable's
  uint32_t buckets() const { return core_.buckets(); }
  const TableMemory& memory() const { return core_.memory(); }

  // Calls f(FlowKey, uint64_t expires_ns) for every live entry. Full scan: control thread.
  template <class F>
  void for_each(uint64_t now_ns, F&& f) const {
    core_.for_each([&](table_core::Snapshot s) {
      if (s.state > now_ns) f(s.key, s.state);
    });
  }

  static constexpr unsigned kExpireBuckets = 16;  // per expire_step call

 private:
  table_core::TableCore core_;
};

}  // namespace ampguard
