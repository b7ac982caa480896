// The running appliance: the data path (control/appliance.hpp: EAL, ports, tables, worker
// lcores) and the control loop on the main lcore: block and unblock logging, reload (SIGHUP,
// ampguardctl), the control socket, metrics, blocklist persistence, idle detection, stop on
// SIGINT/SIGTERM.
//
// Everything here runs on the control thread. Other threads (the metrics exposer, DPDK
// telemetry) read only snapshot(), which the control thread refreshes.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "control/appliance.hpp"
#include "control/block_log.hpp"
#include "control/capture.hpp"
#include "control/control_socket.hpp"
#include "control/metrics.hpp"
#include "control/settings.hpp"
#include "control/stats.hpp"
#include "control/stats_snapshot.hpp"
#include "control/table_census.hpp"
#include "dataplane/shared_state.hpp"
#include "dataplane/time_units.hpp"

namespace ampguard {

class FleetControl;

class Runtime {
 public:
  explicit Runtime(Settings settings);
  ~Runtime();

  // Initialises the EAL with settings.eal_args. Returns "" or the reason.
  std::string init_eal(const char* argv0);
  // Sets up ports, tables and config, restores block.state-file and launches the workers (the
  // EAL must be up).
  std::string start();
  // The services a real run adds to start(): syslog, control socket, metrics, periodic saves.
  // Returns "" or the reason.
  std::string start_services();
  // One pass of the control thread's duties: pending reload, block and unblock lines, control
  // socket requests, periodic saves.
  void control_step();
  // Re-reads the config file (with the command line on top) and publishes the new snapshot.
  // A bad file changes nothing. Options that need a restart keep their running values.
  Reply reload();
  // Runs one control request ("status", "blocklist add 192.0.2.1 10m", ...).
  Reply command(const std::string& request);
  // Writes the blocklist to block.state-file now. Returns "" or the reason.
  std::string save_state();
  // Runs control_step() until a signal or --exit-when-idle, then stops the workers.
  void run();
  // Stops the workers and waits for them; idempotent.
  void stop();
  // Reads every counter, the ports' statistics and the tables' sizes now (control thread).
  StatsTotals totals() const;
  ControlTotals control_totals() const;
  // Publishes totals() and control_totals() to snapshot() (control thread). control_step()
  // does it once a second; ampguardctl's reads do it before they answer.
  void refresh_snapshot();
  const StatsSnapshot& snapshot() const { return snapshot_; }
  SharedState& shared() { return appliance_.shared(); }
  const SharedState& shared() const { return appliance_.shared(); }
  const Settings& settings() const { return settings_; }
  int metrics_port() const { return metrics_.port(); }
  // Where log lines go (default: stdout).
  void set_log_sink(std::function<void(const std::string&)> sink);

 private:
  void drain_events();
  void say(const std::string& line);
  void configure_block_log();
  void restore_state();
  // json: a JSON document instead of the table (ampguardctl ... --json).
  Reply blocklist_command(const std::vector<std::string>& words, bool json);
  Reply top_command(const std::vector<std::string>& words, bool json);
  Reply capture_command(const std::vector<std::string>& words);
  Reply fleet_command(const std::vector<std::string>& words);
  // Starts the fleet client when fleet.api is set. Returns "" or the reason.
  std::string start_fleet();
  void finish_capture();
  void publish_telemetry();
  nlohmann::ordered_json status_document() const;
  std::string status_text() const;

  Appliance appliance_;  // first: destroyed last, after everything that points into it
  Settings settings_;
  std::function<void(const std::string&)> log_;
  BlockLog block_log_;
  ControlSocket socket_;
  StatsSnapshot snapshot_;  // before metrics_: the exposer reads it until metrics_ is gone
  // mutable: totals() counts the next chunk of each table (control thread only)
  mutable TableCensus limiter_census_, block_census_;
  MetricsServer metrics_;
  bool services_ = false;
  bool save_due_ = false;  // a control-socket change waits to be saved
  uint64_t next_save_ns_ = 0, next_reconcile_ns_ = 0, next_snapshot_ns_ = 0;
  uint64_t save_interval_ns_ = 10 * kSecond;
  std::vector<std::string> restart_pending_;
  TableCounters control_tables_;         // blocklist changes made by the control thread
  std::unique_ptr<CaptureJob> capture_;  // the running ampguardctl capture, if any
  uint64_t capture_reply_ = 0;           // its deferred control socket answer (a new id each)
  std::unique_ptr<FleetControl> fleet_;  // fleet.api set: FlowSpec export and import
  bool telemetry_ = false;
  uint64_t telemetry_generation_ = 0;  // the config generation telemetry last got
  // Read by the metrics thread: never dereference the config snapshot there.
  std::atomic<uint64_t> generation_{0};
  ControlTotals control_;  // this thread's own figures (control_totals() adds the log's, fleet's)
};

// Set by SIGINT/SIGTERM.
extern std::atomic<bool> g_signal_stop;
// Set by SIGHUP: the control loop reloads the config file.
extern std::atomic<bool> g_signal_reload;

}  // namespace ampguard
