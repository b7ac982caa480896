// The totals as the control thread last read them. The control thread is the only reader of
// the ports' statistics (the ethdev API is not thread-safe, and NIC counters may clear on
// read) and of the tables' sizes; the Prometheus exposer and DPDK telemetry threads copy this
// snapshot instead, so they never race the control thread nor touch state that shutdown frees.
#pragma once

#include <mutex>

#include "control/metrics.hpp"
#include "control/stats.hpp"

namespace ampguard {

class StatsSnapshot {
 public:
  // Control thread.
  void publish(const StatsTotals& t, const ControlTotals& c) {
    std::lock_guard lock(mutex_);
    totals_ = t;
    control_ = c;
  }
  // Any thread.
  void read(StatsTotals& t, ControlTotals& c) const {
    std::lock_guard lock(mutex_);
    t = totals_;
    c = control_;
  }
  StatsTotals totals() const {
    std::lock_guard lock(mutex_);
    return totals_;
  }

 private:
  mutable std::mutex mutex_;
  StatsTotals totals_;
  ControlTotals control_;
};

}  // namespace ampguard
