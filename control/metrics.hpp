// Prometheus metrics: a custom collectable that sums the plain per-worker counters when
// scraped (nothing from prometheus-cpp touches the packet path), served by prometheus-cpp's
// Exposer on metrics.listen. Names: `ampguard_` prefix, `_total` on counters, base units, label
// values from fixed lists only (ports, directions, verdict reasons, parse outcomes, results).
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <prometheus/metric_family.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "control/control_totals.hpp"
#include "control/stats.hpp"

namespace ampguard {

// Fills both; called on the exposer's thread, so it must be safe against the control thread.
using MetricsSource = std::function<void(StatsTotals&, ControlTotals&)>;

// Every family, from one snapshot of the totals.
std::vector<prometheus::MetricFamily> metric_families(const StatsTotals& t, const ControlTotals& c);

class MetricsCollectable : public prometheus::Collectable {
 public:
  explicit MetricsCollectable(MetricsSource source) : source_(std::move(source)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  MetricsSource source_;
};

class MetricsServer {
 public:
  // Listens on "address:port" ("[v6]:port" for IPv6; port 0 picks one). Returns "" or the reason.
  std::string start(const std::string& listen, MetricsSource source);
  // Stops listening and waits for a scrape in progress to finish; idempotent.
  void stop();
  // The port bound (0 when not started).
  int port() const;

 private:
  std::shared_ptr<MetricsCollectable> collectable_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace ampguard
