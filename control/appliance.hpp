// The data path as the control thread holds it: the EAL, the two ports and their mbuf pool, the
// shared tables and one WorkerInstance per worker lcore. Runtime (control/runtime.hpp), the
// control loop, owns one and reaches the data path only through it.
#pragma once

#include <rte_mempool.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "control/settings.hpp"
#include "control/stats.hpp"
#include "dataplane/shared_state.hpp"
#include "dataplane/worker.hpp"

namespace ampguard {

class Appliance {
 public:
  Appliance() = default;
  Appliance(const Appliance&) = delete;
  Appliance& operator=(const Appliance&) = delete;
  // Stops the workers and the ports, frees the tables and the pool, cleans up the EAL.
  ~Appliance();

  // Initialises the EAL with these arguments. Returns "" or the reason.
  std::string init_eal(const char* argv0, const std::vector<std::string>& eal_args);
  // Starts both ports with one queue pair per worker lcore and their mbuf pool, and allocates
  // the tables, all on the ports' socket. Returns "" or the reason.
  std::string start_ports(const Settings& s);
  // Launches one WorkerInstance per queue pair on the worker lcores. Returns "" or the reason.
  std::string launch_workers();
  // Stops the workers and waits for them. False when none ran (idempotent).
  bool stop_workers();

  SharedState& shared() { return *shared_; }
  const SharedState& shared() const { return *shared_; }
  // Adds the workers' counters, forwarding_seconds and the ports' statistics (control thread:
  // the ethdev API is not thread-safe).
  void add_totals(StatsTotals& t) const;
  // Every worker's counters (control thread reads; the workers keep writing).
  std::vector<const WorkerCounters*> worker_counters() const;
  // Frames received by all workers so far (for --exit-when-idle).
  uint64_t rx_packets() const;

 private:
  bool eal_ready_ = false;
  bool pdump_ready_ = false;
  bool ports_started_ = false;
  uint16_t ports_[kPortSides] = {};  // indexed by PortSide
  uint16_t queues_ = 0;
  rte_mempool* pool_ = nullptr;
  std::unique_ptr<SharedState> shared_;
  std::vector<WorkerInstancePtr> workers_;  // before shared_ goes: they point into it
  std::atomic<bool> stop_{false};
  bool workers_running_ = false;
};

}  // namespace ampguard
