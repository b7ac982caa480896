// The tables every worker shares: the per-destination limiter, the blocklist and the
// fragment verdicts. Fixed capacity, lock-free, bounded work per call; see the .cpp files.
#pragma once

#include <cstdint>
#include <optional>

#include "dataplane/flow_key.hpp"
#include "dataplane/rate_limit.hpp"
#include "dataplane/worker_counters.hpp"

namespace ampguard {

enum class Admit : uint8_t { pass, over_limit };

// Any worker may update any key (RSS is not trusted for correctness).
class LimiterTable {
 public:
  explicit LimiterTable(uint32_t max_entries);
  ~LimiterTable();
  LimiterTable(const LimiterTable&) = delete;
  LimiterTable& operator=(const LimiterTable&) = delete;

  // Charges one packet of `bytes` (IP total length) to `key` at time now_ns. Inserts the key
  // when new, evicting the least valuable entry of its probe window when that window is full.
  Admit admit(FlowKey key, uint32_t bytes, const LimitProfile& p, uint64_t now_ns,
              TableCounters& c);
  // Forgets entries idle at least idle_ns (and no longer holding back any credit); looks at
  // a bounded number of buckets per call, resuming where the last call stopped.
  void expire_step(const LimitProfile& p, uint64_t idle_ns, uint64_t now_ns, TableCounters& c);
  uint32_t capacity() const;
  uint32_t size() const;  // full scan: control thread only
};

class Blocklist {
 public:
  explicit Blocklist(uint32_t max_entries);
  ~Blocklist();
  Blocklist(const Blocklist&) = delete;
  Blocklist& operator=(const Blocklist&) = delete;

  bool contains(FlowKey key, uint64_t now_ns) const;
  enum class Result : uint8_t { added, refreshed };
  // Adds key until expires_ns, or resets its expiry to expires_ns (the recipe's --exist).
  Result block(FlowKey key, uint64_t expires_ns, uint64_t now_ns, TableCounters& c);
  bool remove(FlowKey key);
  void expire_step(uint64_t now_ns, TableCounters& c);
  uint32_t capacity() const;
  uint32_t size(uint64_t now_ns) const;  // full scan: control thread only
};

enum class FragmentVerdict : uint8_t { pass, drop };

class FragmentTable {
 public:
  explicit FragmentTable(uint32_t max_entries);
  ~FragmentTable();
  void remember(uint64_t datagram_key, FragmentVerdict v, uint64_t expires_ns, TableCounters& c);
  std::optional<FragmentVerdict> lookup(uint64_t datagram_key, uint64_t now_ns) const;
};

}  // namespace ampguard
