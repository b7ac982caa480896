// The fleet's figures as the control thread last read them (control/fleet.hpp), for metrics
// and ampguardctl; plain values, copied with the rest of ControlTotals.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace ampguard {

// Counters and gauges for metrics and `ampguardctl fleet status`.
struct FleetTotals {
  bool enabled = false, connected = false;
  uint64_t peers = 0, peers_established = 0;
  uint64_t exported = 0, pending = 0, imported = 0;
  uint64_t suppressed = 0;      // blocks over fleet.max-routes, not exported now
  uint64_t no_protect = 0;      // blocks of a family fleet.protect has no prefix for
  uint64_t waiting = 0;         // blocks younger than fleet.export-after
  uint64_t not_imported = 0;    // peers' routes whose source prefix is shorter than our keys
  uint64_t announcements = 0, withdrawals = 0, rpc_errors = 0, connects = 0, stale_removed = 0;
  std::map<std::string, uint64_t> imported_by_origin;  // bounded by the fleet's size
};

}  // namespace ampguard
