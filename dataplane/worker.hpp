// The worker lcore loop: poll both ports' RX queue, judge the burst, transmit, repeat.
//
// Each Worker is owned by exactly one lcore (its queue pair, its counters); it shares only
// the tables and the config snapshot in SharedState. No syscalls, locks or allocation here.
#pragma once

#include <atomic>
#include <cstdint>

#include "dataplane/pipeline.hpp"
#include "dataplane/shared_state.hpp"
#include "dataplane/worker_counters.hpp"

namespace ampguard {

struct WorkerPorts {
  uint16_t port[kPortSides] = {0, 1};  // indexed by PortSide
  uint16_t queue = 0;
};

class Worker {
 public:
  Worker(uint16_t id, WorkerPorts ports, SharedState& shared, WorkerCounters& counters);

  // Runs until `stop` is set. Registers with the config RCU for its lifetime.
  void run(const std::atomic<bool>& stop);

  // rte_eal_remote_launch entry point; arg is a Worker*, stop flag from set_stop_flag().
  static int lcore_main(void* arg);
  static void set_stop_flag(const std::atomic<bool>* stop);

 private:
  // Returns the frames received (0: the RX queue was empty).
  uint16_t poll(PortSide side, const DataplaneConfig& cfg, uint64_t now_ns);
  void transmit(uint16_t port, rte_mbuf** pkts, uint16_t n, PortCounters& pc);

  WorkerContext ctx_;
  WorkerPorts ports_;
};

}  // namespace ampguard
