#include "control/metrics.hpp"

#include <deque>

namespace ampguard {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

class Families {
 public:
  MetricFamily& add(const std::string& name, const std::string& help, MetricType type) {
    out_.push_back(MetricFamily{"ampguard_" + name, help, type, {}});
    return out_.back();
  }
  // The family `name`, added at its first sample (several counters of a list share one).
  MetricFamily& family(const std::string& name, const std::string& help, MetricType type) {
    for (MetricFamily& f : out_)
      if (f.name == "ampguard_" + name) return f;
    return add(name, help, type);
  }
  void sample(MetricFamily& f, Labels labels, uint64_t v) {
    sample(f, std::move(labels), double(v));
  }
  void sample(MetricFamily& f, Labels labels, double v) {
    ClientMetric m;
    m.label = std::move(labels);
    if (f.type == MetricType::Counter)
      m.counter.value = v;
    else
      m.gauge.value = v;
    f.metric.push_back(std::move(m));
  }
  // A family with one unlabelled sample.
  void one(const std::string& name, const std::string& help, MetricType type, uint64_t v) {
    sample(add(name, help, type), {}, v);
  }
  std::vector<MetricFamily> take() { return {out_.begin(), out_.end()}; }

 private:
  std::deque<MetricFamily> out_;  // add() hands out references that later adds must not move
};

constexpr MetricType kCounter = MetricType::Counter;
constexpr MetricType kGauge = MetricType::Gauge;

}  // namespace

std::vector<MetricFamily> metric_families(const StatsTotals& t, const ControlTotals& c) {
  Families f;
  for_each_counter(t, [&](const CounterView& v, uint64_t value) {
    Labels labels;
    for (const auto& [name, label] : v.labels) labels.push_back({name, label});
    f.sample(f.family(v.metric, v.help, v.gauge ? kGauge : kCounter), std::move(labels), value);
  });
  f.sample(f.add("forwarding_seconds", "First RX to last RX over all workers", kGauge), {},
           t.forwarding_seconds);
  auto& vi = f.add("verdict_reason_info", "What each verdict reason means", kGauge);
  for (unsigned r = 0; r < kVerdictReasonCount; ++r) {
    const VerdictReason reason = VerdictReason(r);
    f.sample(vi,
             {{"reason", std::string(reason_name(reason))},
              {"action", action_name(reason_action(reason))},
              {"help", std::string(reason_help(reason))}},
             uint64_t(1));
  }
  f.one("tc_replies_total", "ANY queries answered with a truncated (TC=1) reply", kCounter,
        t.reason_packets[unsigned(VerdictReason::any_tc_reply)]);
  f.one("truncations_total", "Oversized responses rewritten into their truncated form", kCounter,
        t.reason_packets[unsigned(VerdictReason::response_truncated)]);
  const auto figure = [&](const char* metric, const char* label, const char* value, bool gauge,
                          const char* help, uint64_t v) {
    Labels labels;
    if (*label != '\0') labels.push_back({label, value});
    f.sample(f.family(metric, help, gauge ? kGauge : kCounter), std::move(labels), v);
  };
#define AMPGUARD_SAMPLE(field, metric, label, value, gauge, help) \
  figure(metric, label, value, gauge, help, c.field);
  AMPGUARD_CONTROL_FIGURES(AMPGUARD_SAMPLE)
#undef AMPGUARD_SAMPLE
#define AMPGUARD_SAMPLE(field, metric, label, value, gauge, help) \
  figure(metric, label, value, gauge, help, c.fleet.field);
  AMPGUARD_FLEET_FIGURES(AMPGUARD_SAMPLE)
#undef AMPGUARD_SAMPLE
  auto& imported = f.add("fleet_imported_blocks",
                         "Blocklist entries held for peers' FlowSpec routes, by the announcing "
                         "router",
                         kGauge);
  for (const auto& [origin, n] : c.fleet.imported_by_origin)
    f.sample(imported, {{"origin", origin}}, n);
  f.sample(f.add("build_info", "ampguard build", kGauge), {{"version", AMPGUARD_VERSION}},
           uint64_t(1));
  return f.take();
}

std::vector<MetricFamily> MetricsCollectable::Collect() const {
  StatsTotals t;
  ControlTotals c;
  source_(t, c);
  return metric_families(t, c);
}

std::string MetricsServer::start(const std::string& listen, MetricsSource source) {
  collectable_ = std::make_shared<MetricsCollectable>(std::move(source));
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(listen, 2);
  } catch (const std::exception& e) {
    collectable_.reset();
    return "metrics.listen: cannot listen on '" + listen + "': " + e.what();
  }
  exposer_->RegisterCollectable(collectable_);
  return "";
}

void MetricsServer::stop() {
  exposer_.reset();  // joins the exposer's threads: no scrape runs after this returns
  collectable_.reset();
}

int MetricsServer::port() const {
  if (!exposer_) return 0;
  const auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

}  // namespace ampguard
