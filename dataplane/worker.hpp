// The worker lcore loop: poll both ports' RX queue, judge the burst, transmit, repeat.
//
// One WorkerInstance per worker lcore owns everything that lcore writes: its queue pair on both
// ports, its counters, its judging context and burst scratch. It lives in DPDK memory on the
// lcore's socket and shares only the tables and the config snapshot in SharedState. No
// syscalls, locks or allocation in the loop.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "dataplane/pipeline.hpp"
#include "dataplane/shared_state.hpp"
#include "dataplane/worker_counters.hpp"

namespace ampguard {

struct WorkerPorts {
  uint16_t port[kPortSides] = {0, 1};  // indexed by PortSide
  uint16_t queue = 0;
};

class WorkerInstance;
struct WorkerInstanceFree {
  void operator()(WorkerInstance* w) const;
};
using WorkerInstancePtr = std::unique_ptr<WorkerInstance, WorkerInstanceFree>;

class WorkerInstance {
 public:
  // Worker `id` for `lcore`, in DPDK memory on the lcore's socket (any socket when that one has
  // none free). The EAL must be up. Null, with *error set, when no memory is left.
  static WorkerInstancePtr create(uint16_t id, unsigned lcore, WorkerPorts ports,
                                  SharedState& shared, const std::atomic<bool>& stop,
                                  std::string* error);
  // rte_eal_remote_launch entry point; arg is the WorkerInstance. Runs until the stop flag is set.
  static int lcore_main(void* arg);

  // Read by the control thread while the worker runs (single-writer counters).
  const WorkerCounters& counters() const { return counters_; }
  unsigned lcore() const { return lcore_; }

  WorkerInstance(const WorkerInstance&) = delete;
  WorkerInstance& operator=(const WorkerInstance&) = delete;

 private:
  WorkerInstance(uint16_t id, unsigned lcore, WorkerPorts ports, SharedState& shared,
                 const std::atomic<bool>& stop);
  // Registers with the config RCU for its lifetime.
  void run();
  // Returns the frames received (0: the RX queue was empty).
  uint16_t poll(PortSide side, const DataplaneConfig& cfg, uint64_t now_ns);
  void transmit(uint16_t port, rte_mbuf** pkts, uint16_t n, PortCounters& pc);

  WorkerCounters counters_;  // first: cache-line aligned, read by control
  WorkerContext ctx_;        // ctx_.counters points at counters_
  WorkerPorts ports_;
  unsigned lcore_;
  const std::atomic<bool>& stop_;  // set by the control thread to end run()
};

}  // namespace ampguard
