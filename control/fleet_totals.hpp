// The fleet's figures as the control thread last read them (control/fleet.hpp), for metrics
// and ampguardctl; plain values, copied with the rest of ControlTotals.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace ampguard {

// X(field, metric, label, value, gauge, help): one sample of ampguard_<metric>{label="value"}
// (label "": none). The samples of one metric share its family; the first carries the help.
#define AMPGUARD_FLEET_FIGURES(X)                                                               \
  X(connected, "fleet_session_up", "", "", true,                                                \
    "1 while the fleet client is connected to gobgpd's API")                                    \
  X(peers_established, "fleet_peers", "state", "established", true,                             \
    "gobgpd's BGP peers by session state")                                                      \
  X(peers_other, "fleet_peers", "state", "other", true, "")                                     \
  X(exported, "fleet_routes", "state", "exported", true,                                        \
    "FlowSpec routes this box announces (exported) or waits to announce or withdraw (pending: " \
    "fleet.max-changes)")                                                                       \
  X(pending, "fleet_routes", "state", "pending", true, "")                                      \
  X(suppressed, "fleet_blocks_not_exported", "why", "suppressed", true,                         \
    "Blocks not exported now, by why: suppressed (over fleet.max-routes), no_protect (no "      \
    "fleet.protect prefix of their family), waiting (younger than fleet.export-after)")         \
  X(no_protect, "fleet_blocks_not_exported", "why", "no_protect", true, "")                     \
  X(waiting, "fleet_blocks_not_exported", "why", "waiting", true, "")                           \
  X(aggregated, "fleet_blocks_aggregated", "", "", true,                                        \
    "Blocks exported through one covering prefix over its own aggregate limit (past "           \
    "fleet.max-routes)")                                                                        \
  X(not_imported, "fleet_routes_not_imported", "", "", true,                                    \
    "Peers' routes with our community whose source prefix is shorter than limit.prefix-v4/-v6 " \
    "(no blocklist key stands for them)")                                                       \
  X(over_import_cap, "fleet_routes_over_import_cap", "", "", true,                              \
    "Peers' routes not imported because fleet.max-imports blocks are imported already")         \
  X(announcements, "fleet_route_changes_total", "change", "announce", false,                    \
    "Routes announced and withdrawn")                                                           \
  X(withdrawals, "fleet_route_changes_total", "change", "withdraw", false, "")                  \
  X(stale_removed, "fleet_stale_routes_total", "", "", false,                                   \
    "Routes of this box found in gobgpd at connect that were no longer wanted (withdrawn)")     \
  X(connects, "fleet_connects_total", "", "", false, "Connections made to gobgpd's API")        \
  X(rpc_errors, "fleet_errors_total", "", "", false,                                            \
    "Failed gobgpd API calls (each drops the connection)")

#define AMPGUARD_FIGURE_FIELD(field, ...) uint64_t field = 0;

struct FleetTotals {
  AMPGUARD_FLEET_FIGURES(AMPGUARD_FIGURE_FIELD)
  uint64_t imported = 0;  // blocks held for peers' routes: in metrics by origin, below
  std::map<std::string, uint64_t> imported_by_origin;  // bounded by the fleet's size
};

}  // namespace ampguard
