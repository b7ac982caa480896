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

const char* action_name(Action a) {
  return a == Action::drop ? "drop" : a == Action::reply ? "reply" : "forward";
}

}  // namespace

std::vector<MetricFamily> metric_families(const StatsTotals& t, const ControlTotals& c) {
  Families f;
  auto& pkts = f.add("port_packets_total",
                     "Frames received (rx) and transmitted (tx) by the workers, by port", kCounter);
  auto& bytes =
      f.add("port_bytes_total",
            "Frame bytes received (rx) and transmitted (tx) by the workers, by port", kCounter);
  auto& txdrop =
      f.add("port_tx_dropped_total", "Frames freed because the TX queue was full", kCounter);
  auto& cls_p =
      f.add("port_class_packets_total", "Received frames by port and traffic class", kCounter);
  auto& cls_b =
      f.add("port_class_bytes_total", "Received bytes by port and traffic class", kCounter);
  auto& ip = f.add("dpdk_port_ipackets_total", "rte_eth_stats ipackets", kCounter);
  auto& op = f.add("dpdk_port_opackets_total", "rte_eth_stats opackets", kCounter);
  auto& im = f.add("dpdk_port_imissed_total",
                   "rte_eth_stats imissed: dropped by the NIC, RX queue full", kCounter);
  auto& nb = f.add("dpdk_port_rx_nombuf_total",
                   "rte_eth_stats rx_nombuf: RX mbuf allocation failures", kCounter);
  auto& oe =
      f.add("dpdk_port_oerrors_total", "rte_eth_stats oerrors: failed transmissions", kCounter);
  for (unsigned p = 0; p < kPortSides; ++p) {
    const PortTotals& pt = t.port[p];
    const std::string port = port_side_name(PortSide(p));
    f.sample(pkts, {{"port", port}, {"direction", "rx"}}, pt.rx_packets);
    f.sample(pkts, {{"port", port}, {"direction", "tx"}}, pt.tx_packets);
    f.sample(bytes, {{"port", port}, {"direction", "rx"}}, pt.rx_bytes);
    f.sample(bytes, {{"port", port}, {"direction", "tx"}}, pt.tx_bytes);
    f.sample(txdrop, {{"port", port}}, pt.tx_dropped);
    for (unsigned k = 0; k < kTrafficClasses; ++k) {
      f.sample(cls_p, {{"port", port}, {"class", traffic_class_name(TrafficClass(k))}},
               pt.class_packets[k]);
      f.sample(cls_b, {{"port", port}, {"class", traffic_class_name(TrafficClass(k))}},
               pt.class_bytes[k]);
    }
    f.sample(ip, {{"port", port}}, pt.ipackets);
    f.sample(op, {{"port", port}}, pt.opackets);
    f.sample(im, {{"port", port}}, pt.imissed);
    f.sample(nb, {{"port", port}}, pt.rx_nombuf);
    f.sample(oe, {{"port", port}}, pt.oerrors);
  }
  auto& vp =
      f.add("verdict_packets_total",
            "Frames by verdict reason and the action it implies (see ampguard_verdict_reason_info)",
            kCounter);
  auto& vb = f.add("verdict_bytes_total", "Frame bytes by verdict reason and action", kCounter);
  auto& vi = f.add("verdict_reason_info", "What each verdict reason means", kGauge);
  for (unsigned r = 0; r < kVerdictReasonCount; ++r) {
    const VerdictReason reason = VerdictReason(r);
    const Labels l = {{"reason", std::string(reason_name(reason))},
                      {"action", action_name(reason_action(reason))}};
    f.sample(vp, l, t.reason_packets[r]);
    f.sample(vb, l, t.reason_bytes[r]);
    Labels info = l;
    info.push_back({"help", std::string(reason_help(reason))});
    f.sample(vi, info, uint64_t(1));
  }
  auto& parse = f.add("parse_outcomes_total", "Frames by parser outcome", kCounter);
  for (unsigned s = 0; s < unsigned(ParseStatus::count); ++s)
    f.sample(parse, {{"outcome", std::string(parse_status_name(ParseStatus(s)))}},
             t.parse_status[s]);
  f.one("tc_replies_total", "ANY queries answered with a truncated (TC=1) reply", kCounter,
        t.reason_packets[unsigned(VerdictReason::any_tc_reply)]);
  f.one("truncations_total", "Oversized responses rewritten into their truncated form", kCounter,
        t.reason_packets[unsigned(VerdictReason::response_truncated)]);
  auto& tc_res =
      f.add("tc_reply_results_total",
            "ANY queries the TC action was tried on, by outcome (done, or why not)", kCounter);
  auto& tr_res =
      f.add("truncate_results_total",
            "Oversized responses truncation was tried on, by outcome (done, or why not)", kCounter);
  for (unsigned r = 0; r < kRewriteResults; ++r) {
    const Labels l = {{"outcome", std::string(rewrite_result_name(RewriteResult(r)))}};
    f.sample(tc_res, l, t.tc_reply_results[r]);
    f.sample(tr_res, l, t.truncate_results[r]);
  }
  auto& cookies = f.add("cookie_queries_total",
                        "Queries with a COOKIE option by outcome (cookies.secret-file)", kCounter);
  for (unsigned o = 0; o < kCookieOutcomes; ++o)
    f.sample(cookies, {{"outcome", std::string(cookie_outcome_name(CookieOutcome(o)))}},
             t.cookie_outcomes[o]);
  f.one("verified_over_cap_total",
        "Answers to queries with a valid server cookie over cookies.verified-rate (limited)",
        kCounter, t.verified_over_cap);
  f.one("dry_run_forwarded_total", "Drops that dry-run forwarded instead", kCounter,
        t.dry_run_forwarded);
  const TableTotals& tt = t.tables;
  f.one("limiter_entries", "Destinations the limiter tracks", kGauge, tt.limiter_entries);
  f.one("limiter_capacity", "Limiter table capacity", kGauge, tt.limiter_capacity);
  f.one("limiter_inserts_total", "Destinations added to the limiter", kCounter, tt.limiter_inserts);
  f.one("limiter_evictions_total", "Limiter entries evicted to make room", kCounter,
        tt.limiter_evictions);
  f.one("limiter_expiries_total", "Idle limiter entries forgotten", kCounter, tt.limiter_expiries);
  f.one("limiter_sketch_debts_total",
        "Limiter inserts that started in debt from the debt sketch (evicted debtors returning)",
        kCounter, tt.limiter_sketch_debts);
  f.one("blocklist_entries", "Blocked destinations", kGauge, tt.block_entries);
  f.one("blocklist_capacity", "Blocklist capacity", kGauge, tt.block_capacity);
  f.one(
      "blocklist_adds_total",
      "Destinations added to the blocklist by workers and ampguardctl (restored ones are not adds)",
      kCounter, tt.block_adds);
  f.one("blocklist_refreshes_total",
        "Blocks reset to the full timeout by another over-limit response", kCounter,
        tt.block_refreshes);
  f.one("blocklist_evictions_total", "Blocklist entries evicted to make room", kCounter,
        tt.block_evictions);
  f.one("blocklist_expiries_total", "Blocklist entries expired", kCounter, tt.block_expiries);
  f.one("fragment_inserts_total", "Fragment verdicts remembered", kCounter, tt.fragment_inserts);
  f.one("fragment_evictions_total", "Fragment verdicts evicted to make room", kCounter,
        tt.fragment_evictions);
  f.one("proven_capacity", "Proven-query table capacity (cookies.max-entries)", kGauge,
        tt.proven_capacity);
  f.one("proven_inserts_total", "Queries with a valid server cookie remembered", kCounter,
        tt.proven_inserts);
  f.one("proven_evictions_total",
        "Proven queries evicted before their time (cookies.max-entries too small)", kCounter,
        tt.proven_evictions);
  f.one("table_cas_retries_total", "Lost races on a shared table entry", kCounter, tt.cas_retries);
  f.one("block_events_total", "Block events raised by the workers", kCounter, t.block_events);
  f.one("block_events_dropped_total", "Block events lost because the event ring was full", kCounter,
        t.block_events_dropped);
  f.one("capture_frames_total", "Frames copied for ampguardctl capture", kCounter,
        t.capture_frames);
  f.one("capture_missed_total", "Frames ampguardctl capture missed: its ring was full", kCounter,
        t.capture_missed);
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
  f.one("config_generation",
        "Generation of the running config snapshot (1 at start, +1 per reload)", kGauge,
        t.config_generation);
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
  f.one("workers", "Worker lcores", kGauge, t.workers);
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
