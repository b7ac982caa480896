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
  auto& lines =
      f.add("log_lines_total",
            "Block and unblock log lines: written, suppressed (repeats for one address) or "
            "dropped (over log.max-per-second)",
            kCounter);
  f.sample(lines, {{"result", "written"}}, c.log_written);
  f.sample(lines, {{"result", "suppressed"}}, c.log_suppressed);
  f.sample(lines, {{"result", "dropped"}}, c.log_dropped);
  auto& reloads =
      f.add("reloads_total", "Config reloads (SIGHUP, ampguardctl reload) by result", kCounter);
  f.sample(reloads, {{"result", "success"}}, c.reloads_ok);
  f.sample(reloads, {{"result", "failure"}}, c.reloads_failed);
  f.one("config_restart_pending_options", "Options changed in the config file that need a restart",
        kGauge, c.restart_pending);
  auto& saves =
      f.add("blocklist_saves_total", "Blocklist saves to block.state-file by result", kCounter);
  f.sample(saves, {{"result", "success"}}, c.saves_ok);
  f.sample(saves, {{"result", "failure"}}, c.saves_failed);
  f.one("blocklist_state_corrupt_total",
        "Starts whose block.state-file had unreadable lines (restored in part, original kept "
        "aside as .corrupt-TIME)",
        kCounter, c.state_corrupt);
  auto& requests = f.add("control_requests_total", "Control socket requests by result", kCounter);
  f.sample(requests, {{"result", "ok"}}, c.control_requests - c.control_errors);
  f.sample(requests, {{"result", "error"}}, c.control_errors);
  const FleetTotals& fl = c.fleet;
  f.one("fleet_session_up", "1 while the fleet client is connected to gobgpd's API", kGauge,
        uint64_t(fl.connected));
  auto& peers = f.add("fleet_peers", "gobgpd's BGP peers by session state", kGauge);
  f.sample(peers, {{"state", "established"}}, fl.peers_established);
  f.sample(peers, {{"state", "other"}}, fl.peers - fl.peers_established);
  auto& routes = f.add("fleet_routes",
                       "FlowSpec routes this box announces (exported) or waits to announce or "
                       "withdraw (pending: fleet.max-changes)",
                       kGauge);
  f.sample(routes, {{"state", "exported"}}, fl.exported);
  f.sample(routes, {{"state", "pending"}}, fl.pending);
  auto& held = f.add("fleet_blocks_not_exported",
                     "Blocks not exported now, by why: suppressed (over fleet.max-routes), "
                     "no_protect (no fleet.protect prefix of their family), waiting "
                     "(younger than fleet.export-after)",
                     kGauge);
  f.sample(held, {{"why", "suppressed"}}, fl.suppressed);
  f.sample(held, {{"why", "no_protect"}}, fl.no_protect);
  f.sample(held, {{"why", "waiting"}}, fl.waiting);
  auto& imported = f.add("fleet_imported_blocks",
                         "Blocklist entries held for peers' FlowSpec routes, by the announcing "
                         "router",
                         kGauge);
  for (const auto& [origin, n] : fl.imported_by_origin) f.sample(imported, {{"origin", origin}}, n);
  f.one("fleet_routes_not_imported",
        "Peers' routes with our community whose source prefix is shorter than "
        "limit.prefix-v4/-v6 (no blocklist key stands for them)",
        kGauge, fl.not_imported);
  auto& changes = f.add("fleet_route_changes_total", "Routes announced and withdrawn", kCounter);
  f.sample(changes, {{"change", "announce"}}, fl.announcements);
  f.sample(changes, {{"change", "withdraw"}}, fl.withdrawals);
  f.one("fleet_stale_routes_total",
        "Routes of this box found in gobgpd at connect that were no longer wanted (withdrawn)",
        kCounter, fl.stale_removed);
  f.one("fleet_connects_total", "Connections made to gobgpd's API", kCounter, fl.connects);
  f.one("fleet_errors_total", "Failed gobgpd API calls (each drops the connection)", kCounter,
        fl.rpc_errors);
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
