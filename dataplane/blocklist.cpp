// Blocklist: key -> expiry (ns) in a TableCore (see table_core.hpp).
#include "dataplane/blocklist.hpp"

#include "dataplane/time_units.hpp"

namespace ampguard {

using table_core::Snapshot;
using table_core::Upserted;

namespace {
constexpr uint64_t kRefreshResolutionNs = kSecond;
}  // namespace

Blocklist::Blocklist(uint32_t max_entries, HashKey key, TableSocket socket)
    : core_(max_entries, key, socket) {}
Blocklist::~Blocklist() = default;

std::optional<uint64_t> Blocklist::expires(FlowKey key, uint64_t now_ns) const {
  uint64_t expires = 0;
  if (!core_.find(key, expires) || expires <= now_ns) return std::nullopt;
  return expires;
}

Blocklist::Result Blocklist::block(const HashedKey& key, uint64_t expires_ns, uint64_t now_ns,
                                   TableCounters& c, Expiry expiry) {
  bool live = false;
  const Upserted r = core_.upsert(
      key,
      [&](uint64_t& expires) {
        live = expires > now_ns;
        // an expired entry is a new block; a live one is only ever extended, and not rewritten
        // for less than a second (ipset's own resolution): a flood refreshes without writes
        if (expiry == Expiry::replace) {
          if (expires == expires_ns) return false;
        } else if (live && expires + kRefreshResolutionNs >= expires_ns) {
          return false;
        }
        expires = expires_ns;
        return true;
      },
      [&](uint64_t& expires) {
        live = false;
        expires = expires_ns;
      },
      // expired entries go first, then the one expiring soonest
      [&](Snapshot s) { return s.state <= now_ns ? 0 : s.state; }, c);
  if (r == Upserted::evicted) c.block_evictions.add();
  if (live) {
    c.block_refreshes.add();
    return Result::refreshed;
  }
  c.block_adds.add();
  return Result::added;
}

bool Blocklist::remove(FlowKey key) { return core_.remove(key); }

void Blocklist::expire_step(uint64_t now_ns, TableCounters& c) {
  c.block_expiries.add(core_.sweep(kExpireBuckets, [&](Snapshot s) { return s.state <= now_ns; }));
}

uint32_t Blocklist::capacity() const { return core_.capacity(); }

uint32_t Blocklist::size(uint64_t now_ns) const { return size_in(0, core_.buckets(), now_ns); }

uint32_t Blocklist::size_in(uint32_t first, uint32_t n, uint64_t now_ns) const {
  uint32_t count = 0;
  core_.for_each_in(first, n, [&](Snapshot s) { count += s.state > now_ns; });
  return count;
}

}  // namespace ampguard
