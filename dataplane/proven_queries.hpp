// Queries that carried a valid server cookie (proven_queries.cpp, dns_cookie.hpp).
#pragma once

#include <array>
#include <cstdint>

#include "dataplane/packet_parse.hpp"
#include "dataplane/table_core.hpp"
#include "dataplane/table_memory.hpp"
#include "dataplane/worker_counters.hpp"

namespace ampguard {

// Queries that carried a valid server cookie, by (client address, client port, DNS ID), each
// until its expiry: a response to exactly one of them answers a proven client. Expired entries
// are reused in place (no sweep); a full window overwrites the entry expiring soonest.
class ProvenQueries {
 public:
  explicit ProvenQueries(uint32_t max_entries, TableSocket socket = std::nullopt);
  ~ProvenQueries();
  ProvenQueries(const ProvenQueries&) = delete;
  ProvenQueries& operator=(const ProvenQueries&) = delete;

  void remember(uint64_t query_key, uint64_t expires_ns, uint64_t now_ns, TableCounters& c);
  bool contains(uint64_t query_key, uint64_t now_ns) const;
  uint32_t capacity() const;
  const TableMemory& memory() const { return core_.memory(); }

 private:
  table_core::TableCore core_;
};

// The proven-query key of (address, UDP port, DNS ID), never 0. Unkeyed like datagram_key():
// a spoofer cannot aim at an entry whose port and ID it never sees (the table's buckets are
// keyed).
inline uint64_t query_key(L3 l3, const std::array<uint8_t, 16>& addr, uint16_t port, uint16_t id) {
  const unsigned n = l3 == L3::ipv4 ? 4 : 16;
  uint64_t h = table_core::mix64(uint64_t(l3) << 32 | uint32_t(port) << 16 | id);
  for (unsigned i = 0; i < n; i += 8) {
    const uint64_t hi = load_be32(&addr[i]);
    const uint64_t lo = n == 4 ? 0 : load_be32(&addr[i + 4]);
    h = table_core::mix64(h ^ (hi << 32 | lo));
  }
  return h == kEmptyKey ? 1 : h;
}

}  // namespace ampguard
