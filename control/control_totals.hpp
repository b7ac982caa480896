// What the control thread adds to the workers' totals (metrics, ampguardctl): one list, from
// which the fields and the Prometheus samples follow.
#pragma once

#include <cstdint>

#include "control/fleet_totals.hpp"

namespace ampguard {

// X(field, metric, label, value, gauge, help), as AMPGUARD_FLEET_FIGURES.
#define AMPGUARD_CONTROL_FIGURES(X)                                                              \
  X(log_written, "log_lines_total", "result", "written", false,                                  \
    "Block and unblock log lines: written, suppressed (repeats for one address) or dropped "     \
    "(over log.max-per-second)")                                                                 \
  X(log_suppressed, "log_lines_total", "result", "suppressed", false, "")                        \
  X(log_dropped, "log_lines_total", "result", "dropped", false, "")                              \
  X(reloads_ok, "reloads_total", "result", "success", false,                                     \
    "Config reloads (SIGHUP, ampguardctl reload) by result")                                     \
  X(reloads_failed, "reloads_total", "result", "failure", false, "")                             \
  X(restart_pending, "config_restart_pending_options", "", "", true,                             \
    "Options changed in the config file that need a restart")                                    \
  X(saves_ok, "blocklist_saves_total", "result", "success", false,                               \
    "Blocklist saves to block.state-file by result")                                             \
  X(saves_failed, "blocklist_saves_total", "result", "failure", false, "")                       \
  X(state_restored, "blocklist_state_entries_at_start", "result", "restored", true,              \
    "block.state-file entries at the last start: restored, expired or unreadable")               \
  X(state_expired, "blocklist_state_entries_at_start", "result", "expired", true, "")            \
  X(state_unreadable, "blocklist_state_entries_at_start", "result", "unreadable", true, "")      \
  X(state_corrupt, "blocklist_state_corrupt_total", "", "", false,                               \
    "Starts whose block.state-file had unreadable lines (restored in part, original kept aside " \
    "as .corrupt-TIME)")                                                                         \
  X(control_ok, "control_requests_total", "result", "ok", false,                                 \
    "Control socket requests by result")                                                         \
  X(control_errors, "control_requests_total", "result", "error", false, "")

struct ControlTotals {
  AMPGUARD_CONTROL_FIGURES(AMPGUARD_FIGURE_FIELD)
  FleetTotals fleet;
};

}  // namespace ampguard
