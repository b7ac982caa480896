// Verdicts of fragmented datagrams, for their later fragments (fragment_table.cpp).
#pragma once

#include <cstdint>
#include <optional>

#include "dataplane/packet_parse.hpp"
#include "dataplane/table_core.hpp"
#include "dataplane/table_memory.hpp"
#include "dataplane/worker_counters.hpp"

namespace ampguard {

enum class FragmentVerdict : uint8_t { pass, drop };

class FragmentTable {
 public:
  explicit FragmentTable(uint32_t max_entries, TableSocket socket = std::nullopt);
  ~FragmentTable();
  FragmentTable(const FragmentTable&) = delete;
  FragmentTable& operator=(const FragmentTable&) = delete;

  // Records the verdict for a datagram's later fragments; a full window overwrites an expired
  // entry, else the pass verdict expiring soonest, else the drop verdict expiring soonest.
  // expires_ns keeps 1 ns less precision: its low bit holds the verdict.
  void remember(uint64_t datagram_key, FragmentVerdict v, uint64_t expires_ns, uint64_t now_ns,
                TableCounters& c);
  std::optional<FragmentVerdict> lookup(uint64_t datagram_key, uint64_t now_ns) const;
  uint32_t capacity() const;
  const TableMemory& memory() const { return core_.memory(); }

 private:
  table_core::TableCore core_;
};

// The fragment table key of a fragment: a hash of (src, dst, protocol, IP id), never 0.
inline uint64_t datagram_key(const PacketView& v) {
  const unsigned n = v.l3 == L3::ipv4 ? 4 : 16;
  uint64_t h = table_core::mix64(uint64_t(v.l4_proto) << 32 | v.frag_id);
  for (unsigned i = 0; i < n; i += 4) {
    h = table_core::mix64(h ^ (uint64_t(load_be32(&v.src[i])) << 32 | load_be32(&v.dst[i])));
  }
  return h == kEmptyKey ? 1 : h;
}

}  // namespace ampguard
