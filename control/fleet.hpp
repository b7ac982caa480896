// The control thread's side of the fleet (docs/fleet.md): which blocks go out as FlowSpec
// routes and which peers' routes become blocklist entries. It runs in the control loop on a
// timer and never waits: the gRPC calls are the fleet client's thread's (fleet/fleet_client.hpp);
// the workers only ever see blocklist entries.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "control/block_drop_rates.hpp"
#include "control/block_log.hpp"
#include "control/fleet_totals.hpp"
#include "control/settings.hpp"
#include "dataplane/shared_state.hpp"
#include "dataplane/time_units.hpp"
#include "fleet/fleet_client.hpp"

namespace ampguard {

// The client's config and what the control thread needs, built from f and
// block.service-ports. Returns "" or "option: reason".
struct FleetPlan {
  fleet::ClientConfig client;
  std::vector<fleet::Prefix> protect;
  uint64_t export_after_ns = 0;
  bool export_manual = false;
  uint32_t max_routes = 0;
  bool export_prefixes = true;  // covering prefixes past max_routes (fleet_exports.hpp)
  uint32_t max_imports = 0;     // peers' routes that become blocklist entries, at most
};
// The fleet.* options of s -> the plan; "" or the reason naming the option.
std::string build_fleet_plan(const Settings& s, const uint16_t* service_ports,
                             unsigned service_port_count, FleetPlan& out);

class FleetControl {
 public:
  using Say = std::function<void(const std::string&)>;
  // Starts the client thread; plan from build_fleet_plan().
  FleetControl(const FleetPlan& plan, unsigned prefix_v4, unsigned prefix_v6, Say say);
  ~FleetControl();
  // fleet.export-after, fleet.export-manual and fleet.max-routes after a reload.
  void reconfigure(const FleetPlan& plan);
  // Once per control loop pass; does its work every kStepNs. workers: every worker's counters
  // (their BlockDropSketch ranks the exports).
  void step(SharedState& shared, BlockLog& log, TableCounters& control_tables,
            const std::vector<const WorkerCounters*>& workers, uint64_t now_ns);
  // Withdraws this box's routes (clean stop).
  void stop();
  FleetTotals totals() const;
  std::string status_text() const;

  static constexpr uint64_t kStepNs = kSecond / 10;

 private:
  void export_blocks(SharedState& shared, BlockLog& log, uint64_t now_ns);
  void import_routes(SharedState& shared, BlockLog& log, TableCounters& c, uint64_t now_ns);

  FleetPlan plan_;
  unsigned prefix_v4_, prefix_v6_;
  Say say_;
  fleet::Client client_;
  uint64_t next_step_ns_ = 0;
  std::map<FlowKey, std::string> imported_;  // key -> origin, as last applied
  BlockDropRates drop_rates_;                // queries still aimed at each blocked source
  FleetTotals totals_;
};

}  // namespace ampguard
