// Drives the real ampguard runtime (ports, worker lcore, shared tables, control step) through
// two net_ring virtual ports: the test enqueues frames on a port's RX ring and reads what the
// worker transmitted from each port's TX ring, byte for byte.
#pragma once

#include <rte_ring.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "control/runtime.hpp"
#include "control/settings.hpp"

namespace ampguard::test {

using Frame = std::vector<uint8_t>;

class PipelineHarness {
 public:
  // Port 0 is inside, port 1 outside (the defaults). Aborts the test on set-up failure.
  explicit PipelineHarness(Settings settings = {});
  ~PipelineHarness();

  // Enqueues frames on the RX ring of `side` and waits until the worker has taken them all.
  void send(PortSide side, const std::vector<Frame>& frames);
  void send(PortSide side, const Frame& frame) { send(side, std::vector<Frame>{frame}); }
  // Everything transmitted out of `side` since the last call.
  std::vector<Frame> transmitted(PortSide side);

  StatsTotals totals() { return runtime_->totals(); }
  uint64_t reason(VerdictReason r) { return totals().reason_packets[unsigned(r)]; }
  Runtime& runtime() { return *runtime_; }
  // Log lines the control thread wrote (block events), after a control step.
  std::vector<std::string> log_lines();

 private:
  rte_ring* rx_[kPortSides] = {};
  rte_ring* tx_[kPortSides] = {};
  rte_mempool* pool_ = nullptr;
  std::unique_ptr<Runtime> runtime_;
  std::vector<std::string> log_;
  uint64_t sent_ = 0;
};

}  // namespace ampguard::test
