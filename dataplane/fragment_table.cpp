// FragmentTable: datagram key -> (expiry | verdict) in a TableCore (see table_core.hpp).
#include "dataplane/fragment_table.hpp"

namespace ampguard {

using table_core::Snapshot;
using table_core::Upserted;

FragmentTable::FragmentTable(uint32_t max_entries, TableSocket socket)
    : core_(max_entries, table_core::random_hash_key(), socket) {}
FragmentTable::~FragmentTable() = default;

void FragmentTable::remember(uint64_t datagram_key, FragmentVerdict v, uint64_t expires_ns,
                             uint64_t now_ns, TableCounters& c) {
  const uint64_t packed = (expires_ns & ~uint64_t(1)) | uint64_t(v == FragmentVerdict::drop);
  const Upserted r = core_.upsert(
      core_.hashed(datagram_key),
      [&](uint64_t& state) {
        if (state == packed) return false;
        state = packed;
        return true;
      },
      [&](uint64_t& state) { state = packed; },
      // expired entries first, then pass verdicts, then drops: losing a drop lets a tail through
      [&](Snapshot s) -> uint64_t {
        if ((s.state & ~uint64_t(1)) <= now_ns) return 0;
        return (s.state & 1) != 0 ? s.state | uint64_t(1) << 63 : s.state;
      },
      c);
  if (r == Upserted::inserted || r == Upserted::evicted) c.fragment_inserts.add();
  if (r == Upserted::evicted) c.fragment_evictions.add();
}

std::optional<FragmentVerdict> FragmentTable::lookup(uint64_t datagram_key, uint64_t now_ns) const {
  uint64_t state = 0;
  if (!core_.find(datagram_key, state) || (state & ~uint64_t(1)) <= now_ns) return std::nullopt;
  return (state & 1) != 0 ? FragmentVerdict::drop : FragmentVerdict::pass;
}

uint32_t FragmentTable::capacity() const { return core_.capacity(); }

}  // namespace ampguard
