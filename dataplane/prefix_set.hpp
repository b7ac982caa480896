// Immutable allow / deny prefix lists (IPv4 and IPv6), looked up with rte_lpm / rte_lpm6.
// Built by the control thread for each config snapshot; read-only for workers.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataplane/packet_parse.hpp"

struct rte_lpm;
struct rte_lpm6;

namespace ampguard {

class PrefixSet {
 public:
  // Parses "192.0.2.0/24" or "2001:db8::/32" entries (a bare address is a host route).
  // Returns null and sets `error` (naming the entry and why) on a bad entry.
  static std::unique_ptr<PrefixSet> build(const std::vector<std::string>& prefixes,
                                          std::string& error);
  ~PrefixSet();
  PrefixSet(const PrefixSet&) = delete;
  PrefixSet& operator=(const PrefixSet&) = delete;

  bool contains(L3 l3, const std::array<uint8_t, 16>& addr) const;
  bool empty() const { return v4_ == nullptr && v6_ == nullptr; }

 private:
  PrefixSet() = default;
  rte_lpm* v4_ = nullptr;   // null when there are no IPv4 entries
  rte_lpm6* v6_ = nullptr;  // null when there are no IPv6 entries
};

}  // namespace ampguard
