// ampguard's own DPDK telemetry commands, beside the EAL's and ethdev's in dpdk-telemetry.py:
//   /ampguard/stats      every counter of the stats JSON (for_each_counter), forwarding_seconds
//   aside /ampguard/blocklist  blocked addresses with their remaining seconds (the first
//   kMaxListed) /ampguard/config     the running config's options and its generation
//
// The callbacks run on DPDK's telemetry thread. They never touch the RCU-protected config
// snapshot (only registered workers may hold it): the control thread publishes a plain copy of
// what they need (TelemetryView) under a mutex whenever the config generation changes. Totals
// and the tables are read as the metrics thread reads them (relaxed counters, atomic entries).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "control/stats.hpp"
#include "dataplane/shared_state.hpp"

namespace ampguard {

struct TelemetryView {
  uint64_t generation = 0;
  uint8_t prefix_v4 = 32, prefix_v6 = 64;
  std::vector<std::pair<std::string, std::string>> options;  // effective_options()
};

// Telemetry replies are at most 16 KiB: this many "ADDRESS SECONDS" lines fit.
inline constexpr unsigned kMaxListed = 200;

// /ampguard/stats as plain values: top-level counters and dicts of counters (DPDK telemetry
// nests one level deep), from the same walk as the stats JSON (for_each_counter).
struct TelemetryStats {
  std::vector<std::pair<std::string, uint64_t>> top;
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, uint64_t>>>> dicts;
};
TelemetryStats telemetry_stats(const StatsTotals& t);

// Registers the commands (the first time: DPDK cannot unregister them) and serves them from
// these sources until telemetry_detach(). Returns "" or the reason.
std::string telemetry_attach(std::function<StatsTotals()> totals, const SharedState* shared);
void telemetry_publish(TelemetryView view);
// After this the commands answer an error: call it before the sources go away.
void telemetry_detach();

}  // namespace ampguard
