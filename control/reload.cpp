// Runtime::reload: the config file read again, checked, built into a fresh snapshot and
// published through RCU; the tables are left as they are.
#include <algorithm>
#include <map>

#include "control/fleet.hpp"
#include "control/runtime.hpp"

namespace ampguard {
namespace {

// Puts the running values of the options that need a restart back into next, and names the
// ones the file changed.
std::vector<std::string> keep_restart_only(const Settings& running, Settings& next) {
  std::map<std::string, std::string> before;
  for (const auto& [option, value] : effective_options(running)) before[option] = value;
  std::vector<std::string> changed;
  for (const auto& [option, value] : effective_options(next)) {
    const auto& r = restart_only_options();
    if (std::find(r.begin(), r.end(), option) != r.end() && before[option] != value)
      changed.push_back(option);
  }
  const bool mode_changed = next.limit_mode != running.limit_mode;
  // The pool, the ports, the tables, the sockets, the keys' prefixes and the limiter's hz
  // units are set at start.
#define AMPGUARD_X(name, kind, field, def, check, apply, group, help) \
  if (OptionApply::apply == OptionApply::restart) next.field = running.field;
  AMPGUARD_OPTIONS(AMPGUARD_X)
#undef AMPGUARD_X
  if (mode_changed) {
    // The limiter's state words are in the mode's units: rate and burst stay with the mode.
    next.limit_rate = running.limit_rate;
    next.limit_burst = running.limit_burst;
  }
  next.eal_args = running.eal_args;
  return changed;
}

}  // namespace

Reply Runtime::reload() {
  const std::string file =
      settings_.config_file.empty() ? "the command line" : settings_.config_file;
  Settings next;
  std::string err = load_settings(settings_.config_file, settings_.cli_args, next);
  const std::vector<std::string> restart =
      err.empty() ? keep_restart_only(settings_, next) : std::vector<std::string>{};
  auto cfg = std::make_unique<DataplaneConfig>();
  if (err.empty()) err = locate_error(next, build_dataplane_config(next, *cfg));
  FleetPlan fleet;
  if (err.empty() && fleet_)
    err = locate_error(next,
                       build_fleet_plan(next, cfg->service_ports, cfg->service_port_count, fleet));
  if (!err.empty()) {
    ++control_.reloads_failed;
    say("ampguard: reload failed, running config kept: " + err);
    return {false, err + "\n"};
  }
  const uint64_t generation = generation_.load(std::memory_order_relaxed) + 1;
  cfg->generation = generation;
  shared().publish(std::move(cfg));  // returns once no worker can still read the old snapshot
  generation_.store(generation, std::memory_order_relaxed);
  settings_ = std::move(next);
  configure_block_log();
  if (fleet_) fleet_->reconfigure(fleet);
  restart_pending_ = restart;
  control_.restart_pending = restart.size();
  ++control_.reloads_ok;
  std::string text =
      "reloaded " + file + ": config generation " + std::to_string(generation) + "\n";
  if (!restart.empty()) {
    text += "needs a restart to take effect (running values kept):";
    for (const auto& o : restart) text += " " + o;
    text += "\n";
  }
  std::string line = text.substr(0, text.size() - 1);
  std::replace(line.begin(), line.end(), '\n', ';');
  say("ampguard: " + line);
  return {true, text};
}

}  // namespace ampguard
