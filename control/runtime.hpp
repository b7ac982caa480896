// The running appliance: EAL, ports, shared state, worker lcores and the control loop on the
// main lcore (block event logging, idle detection, stop on SIGINT/SIGTERM).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "control/settings.hpp"
#include "control/stats.hpp"
#include "dataplane/shared_state.hpp"
#include "dataplane/worker.hpp"

namespace ampguard {

class Runtime {
 public:
  explicit Runtime(Settings settings);
  ~Runtime();

  // Initialises the EAL with settings.eal_args. Returns "" or the reason.
  std::string init_eal(const char* argv0);
  // Sets up ports, tables and config and launches the workers (the EAL must be up).
  std::string start();
  // One pass of the control thread's duties: hand block events to the log.
  void control_step();
  // Runs control_step() until a signal or --exit-when-idle, then stops the workers.
  void run();
  // Stops the workers and waits for them; idempotent.
  void stop();
  StatsTotals totals() const;
  SharedState& shared() { return *shared_; }
  // Where log lines go (default: stdout).
  void set_log_sink(std::function<void(const std::string&)> sink) { log_ = std::move(sink); }

 private:
  void drain_events();

  Settings settings_;
  bool eal_ready_ = false;
  bool ports_started_ = false;
  rte_mempool* pool_ = nullptr;
  std::unique_ptr<SharedState> shared_;
  std::unique_ptr<WorkerCounters[]> counters_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<bool> stop_{false};
  bool workers_running_ = false;
  std::function<void(const std::string&)> log_;
};

// Set by SIGINT/SIGTERM.
extern std::atomic<bool> g_signal_stop;

}  // namespace ampguard
