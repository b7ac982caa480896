// ProvenQueries: query key -> expiry in a TableCore (see table_core.hpp).
#include "dataplane/proven_queries.hpp"

namespace ampguard {

using table_core::Snapshot;
using table_core::Upserted;

ProvenQueries::ProvenQueries(uint32_t max_entries, TableSocket socket)
    : core_(max_entries, table_core::random_hash_key(), socket) {}
ProvenQueries::~ProvenQueries() = default;

void ProvenQueries::remember(uint64_t query_key, uint64_t expires_ns, uint64_t now_ns,
                             TableCounters& c) {
  const Upserted r = core_.upsert(
      core_.hashed(query_key),
      [&](uint64_t& state) {
        if (state >= expires_ns) return false;
        state = expires_ns;
        return true;
      },
      [&](uint64_t& state) { state = expires_ns; },
      // expired entries are free; of live ones the soonest to expire goes first
      [&](Snapshot s) -> uint64_t { return s.state <= now_ns ? 0 : s.state; }, c);
  if (r == Upserted::inserted || r == Upserted::evicted) c.proven_inserts.add();
  if (r == Upserted::evicted) c.proven_evictions.add();
}

bool ProvenQueries::contains(uint64_t query_key, uint64_t now_ns) const {
  uint64_t expires = 0;
  return core_.find(query_key, expires) && expires > now_ns;
}

uint32_t ProvenQueries::capacity() const { return core_.capacity(); }

}  // namespace ampguard
