// The running appliance: EAL, ports, shared state, worker lcores and the control loop on the
// main lcore (block event logging, idle detection, stop on SIGINT/SIGTERM).
#pragma once

#include <atomic>
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

  // Initialises the EAL and everything on top of it. Returns "" or the reason.
  std::string start(const char* argv0);
  // Runs the control loop until a signal or --exit-when-idle; then stops the workers.
  void run();
  StatsTotals totals() const;

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
};

// Set by SIGINT/SIGTERM.
extern std::atomic<bool> g_signal_stop;

}  // namespace ampguard
