#include "control/stats.hpp"

#include <cstdio>
#include <iterator>
#include <numeric>
#include <sstream>
#include <utility>

namespace ampguard {

void add_worker_counters(const WorkerCounters& w, StatsTotals& t, uint64_t& first_tsc,
                         uint64_t& last_tsc) {
#define AMPGUARD_SUM(field, ...) o.field += c.field.get();
#define AMPGUARD_SUM_RX_TX(name, ...) \
  o.rx_##name += c.rx_##name.get();   \
  o.tx_##name += c.tx_##name.get();
  for (unsigned p = 0; p < kPortSides; ++p) {
    const PortCounters& c = w.port[p];
    PortTotals& o = t.port[p];
    AMPGUARD_PORT_DIRECTION_COUNTERS(AMPGUARD_SUM_RX_TX)
    AMPGUARD_PORT_COUNTERS(AMPGUARD_SUM)
    for (unsigned k = 0; k < kTrafficClasses; ++k) {
      o.class_packets[k] += c.class_packets[k].get();
      o.class_bytes[k] += c.class_bytes[k].get();
    }
  }
  for (unsigned r = 0; r < kVerdictReasonCount; ++r) {
    t.reason_packets[r] += w.reason_packets[r].get();
    t.reason_bytes[r] += w.reason_bytes[r].get();
  }
  for (unsigned s = 0; s < unsigned(ParseStatus::count); ++s)
    t.parse_status[s] += w.parse_status[s].get();
  for (unsigned r = 0; r < kRewriteResults; ++r) {
    t.tc_reply_results[r] += w.tc_reply_results[r].get();
    t.truncate_results[r] += w.truncate_results[r].get();
  }
  for (unsigned o = 0; o < kCookieOutcomes; ++o) t.cookie_outcomes[o] += w.cookie_outcomes[o].get();
  {
    const TableCounters& c = w.tables;
    TableTotals& o = t.tables;
    AMPGUARD_TABLE_COUNTERS(AMPGUARD_SUM)
  }
  {
    const WorkerCounters& c = w;
    StatsTotals& o = t;
    AMPGUARD_WORKER_COUNTERS(AMPGUARD_SUM)
  }
#undef AMPGUARD_SUM
#undef AMPGUARD_SUM_RX_TX
  t.workers++;
  const uint64_t first = w.first_rx_tsc.get(), last = w.last_rx_tsc.get();
  if (first != 0 && (first_tsc == 0 || first < first_tsc)) first_tsc = first;
  if (last > last_tsc) last_tsc = last;
}

void for_each_counter(StatsTotals& t, const std::function<void(const CounterView&, uint64_t&)>& f) {
  CounterView v;
  const auto emit = [&](std::vector<std::string> json, std::string tel_dict, std::string tel_key,
                        std::string metric, std::string help, bool gauge,
                        std::vector<std::pair<std::string, std::string>> labels, uint64_t& value) {
    v.json = std::move(json);
    v.tel_dict = std::move(tel_dict);
    v.tel_key = std::move(tel_key);
    v.metric = std::move(metric);
    v.help = std::move(help);
    v.gauge = gauge;
    v.labels = std::move(labels);
    f(v, value);
  };
  emit({"workers"}, "", "workers", "workers", "Worker lcores", true, {}, t.workers);
  emit({"config_generation"}, "", "config_generation", "config_generation",
       "Generation of the running config snapshot (1 at start, +1 per reload)", true, {},
       t.config_generation);
#define AMPGUARD_EMIT(field, metric, help) \
  emit({#field}, "", #field, metric, help, false, {}, t.field);
  AMPGUARD_WORKER_COUNTERS(AMPGUARD_EMIT)
#undef AMPGUARD_EMIT
  for (unsigned p = 0; p < kPortSides; ++p) {
    PortTotals& c = t.port[p];
    const std::string side = port_side_name(PortSide(p));
    for (const char* dir : {"rx", "tx"}) {
#define AMPGUARD_EMIT(name, metric, help)                                                         \
  emit({"ports", side, std::string(dir) + "_" #name}, side, std::string(dir) + "_" #name, metric, \
       help, false, {{"port", side}, {"direction", dir}},                                         \
       dir[0] == 'r' ? c.rx_##name : c.tx_##name);
      AMPGUARD_PORT_DIRECTION_COUNTERS(AMPGUARD_EMIT)
#undef AMPGUARD_EMIT
    }
#define AMPGUARD_EMIT(field, metric, help) \
  emit({"ports", side, #field}, side, #field, metric, help, false, {{"port", side}}, c.field);
    AMPGUARD_PORT_COUNTERS(AMPGUARD_EMIT)
#undef AMPGUARD_EMIT
#define AMPGUARD_EMIT(field, help)                                                       \
  emit({"ports", side, #field}, side, #field, "dpdk_port_" #field "_total", help, false, \
       {{"port", side}}, c.field);
    AMPGUARD_PORT_NIC_COUNTERS(AMPGUARD_EMIT)
#undef AMPGUARD_EMIT
    for (unsigned k = 0; k < kTrafficClasses; ++k) {
      const std::string cls = traffic_class_name(TrafficClass(k));
      const std::vector<std::pair<std::string, std::string>> l = {{"port", side}, {"class", cls}};
      emit({"ports", side, "classes", cls, "packets"}, side + "_classes", cls + "_packets",
           "port_class_packets_total", "Received frames by port and traffic class", false, l,
           c.class_packets[k]);
      emit({"ports", side, "classes", cls, "bytes"}, side + "_classes", cls + "_bytes",
           "port_class_bytes_total", "Received bytes by port and traffic class", false, l,
           c.class_bytes[k]);
    }
  }
  for (unsigned r = 0; r < kVerdictReasonCount; ++r) {
    const std::string reason(reason_name(VerdictReason(r)));
    const std::vector<std::pair<std::string, std::string>> l = {
        {"reason", reason}, {"action", action_name(reason_action(VerdictReason(r)))}};
    emit({"reasons", reason, "packets"}, "reason_packets", reason, "verdict_packets_total",
         "Frames by verdict reason and the action it implies (see ampguard_verdict_reason_info)",
         false, l, t.reason_packets[r]);
    emit({"reasons", reason, "bytes"}, "reason_bytes", reason, "verdict_bytes_total",
         "Frame bytes by verdict reason and action", false, l, t.reason_bytes[r]);
  }
  for (unsigned s = 0; s < unsigned(ParseStatus::count); ++s) {
    const std::string outcome(parse_status_name(ParseStatus(s)));
    emit({"parse", outcome}, "parse", outcome, "parse_outcomes_total", "Frames by parser outcome",
         false, {{"outcome", outcome}}, t.parse_status[s]);
  }
  for (unsigned r = 0; r < kRewriteResults; ++r) {
    const std::string outcome(rewrite_result_name(RewriteResult(r)));
    emit({"tc_reply_results", outcome}, "tc_reply_results", outcome, "tc_reply_results_total",
         "ANY queries the TC action was tried on, by outcome (done, or why not)", false,
         {{"outcome", outcome}}, t.tc_reply_results[r]);
  }
  for (unsigned r = 0; r < kRewriteResults; ++r) {
    const std::string outcome(rewrite_result_name(RewriteResult(r)));
    emit({"truncate_results", outcome}, "truncate_results", outcome, "truncate_results_total",
         "Oversized responses truncation was tried on, by outcome (done, or why not)", false,
         {{"outcome", outcome}}, t.truncate_results[r]);
  }
  emit({"capture", "frames"}, "capture", "frames", "capture_frames_total",
       "Frames copied for ampguardctl capture", false, {}, t.capture_frames);
  emit({"capture", "missed"}, "capture", "missed", "capture_missed_total",
       "Frames ampguardctl capture missed: its ring was full", false, {}, t.capture_missed);
#define AMPGUARD_EMIT(field, metric, help) \
  emit({"tables", #field}, "tables", #field, metric, help, false, {}, t.tables.field);
  AMPGUARD_TABLE_COUNTERS(AMPGUARD_EMIT)
#undef AMPGUARD_EMIT
#define AMPGUARD_EMIT(field, metric, help) \
  emit({"tables", #field}, "tables", #field, metric, help, true, {}, t.tables.field);
  AMPGUARD_TABLE_GAUGES(AMPGUARD_EMIT)
#undef AMPGUARD_EMIT
  for (unsigned c = 0; c < kCookieOutcomes; ++c) {
    const std::string outcome(cookie_outcome_name(CookieOutcome(c)));
    emit({"cookies", outcome}, "cookies", outcome, "cookie_queries_total",
         "Queries with a COOKIE option by outcome (cookies.secret-file)", false,
         {{"outcome", outcome}}, t.cookie_outcomes[c]);
  }
}

void for_each_counter(const StatsTotals& t,
                      const std::function<void(const CounterView&, uint64_t)>& f) {
  StatsTotals copy = t;
  for_each_counter(copy, [&](const CounterView& v, uint64_t& value) { f(v, value); });
}

nlohmann::ordered_json stats_document(const StatsTotals& t) {
  nlohmann::ordered_json o;
  o["forwarding_seconds"] = t.forwarding_seconds;
  for_each_counter(t, [&](const CounterView& v, uint64_t value) {
    nlohmann::ordered_json* at = &o;
    for (const std::string& key : v.json) at = &(*at)[key];
    *at = value;
  });
  // A reason's object starts with the action it implies.
  for (unsigned r = 0; r < kVerdictReasonCount; ++r) {
    auto& reason = o["reasons"][std::string(reason_name(VerdictReason(r)))];
    nlohmann::ordered_json with_action = {{"action", action_name(reason_action(VerdictReason(r)))}};
    with_action.update(reason);
    reason = std::move(with_action);
  }
  return o;
}

std::string json_lines(const nlohmann::ordered_json& j) {
  const auto put = [](const auto& self, const nlohmann::ordered_json& v, unsigned depth,
                      std::string& out) -> void {
    if (!v.is_object() || v.empty()) {
      out += v.dump();
      return;
    }
    bool nested = depth == 0;
    for (const auto& [key, value] : v.items()) nested = nested || (depth == 1 && value.is_object());
    // Appended piece by piece: GCC 12 -O3 flags "literal" + string with a false -Wrestrict.
    out += '{';
    bool first = true;
    for (const auto& [key, value] : v.items()) {
      if (!first) out += nested ? "," : ", ";
      if (nested) out.append("\n").append(2 * depth + 2, ' ');
      out += nlohmann::ordered_json(key).dump();
      out += ": ";
      self(self, value, depth + 1, out);
      first = false;
    }
    if (nested) out.append("\n").append(2 * depth, ' ');
    out += '}';
  };
  std::string out;
  put(put, j, 0, out);
  return out + "\n";
}

std::string stats_json(const StatsTotals& t) { return json_lines(stats_document(t)); }

std::string stats_summary(const StatsTotals& t) {
  std::ostringstream o;
  char line[160];
  o << "ampguard summary (" << t.workers << " worker" << (t.workers == 1 ? "" : "s") << ")\n";
  for (unsigned p = 0; p < kPortSides; ++p) {
    const PortTotals& c = t.port[p];
    std::snprintf(line, sizeof line,
                  "  %-8s rx %10llu pkts %12llu B   tx %10llu pkts %12llu B   tx-dropped %llu\n",
                  port_side_name(PortSide(p)), (unsigned long long)c.rx_packets,
                  (unsigned long long)c.rx_bytes, (unsigned long long)c.tx_packets,
                  (unsigned long long)c.tx_bytes, (unsigned long long)c.tx_dropped);
    o << line;
  }
  o << "  verdicts:\n";
  for (unsigned r = 0; r < kVerdictReasonCount; ++r) {
    if (t.reason_packets[r] == 0) continue;
    const Action a = reason_action(VerdictReason(r));
    std::snprintf(line, sizeof line, "    %-7s %-24s %10llu pkts\n", action_name(a),
                  std::string(reason_name(VerdictReason(r))).c_str(),
                  (unsigned long long)t.reason_packets[r]);
    o << line;
  }
  std::snprintf(line, sizeof line,
                "  blocklist: %llu entries, %llu added, %llu refreshed; limiter: %llu entries\n",
                (unsigned long long)t.tables.block_entries, (unsigned long long)t.tables.block_adds,
                (unsigned long long)t.tables.block_refreshes,
                (unsigned long long)t.tables.limiter_entries);
  o << line;
  if (std::accumulate(std::begin(t.cookie_outcomes), std::end(t.cookie_outcomes), uint64_t(0))) {
    o << "  cookies:";
    for (unsigned i = 0; i < kCookieOutcomes; ++i)
      o << " " << cookie_outcome_name(CookieOutcome(i)) << " " << t.cookie_outcomes[i];
    o << "\n";
  }
  if (t.dry_run_forwarded)
    o << "  dry run: " << t.dry_run_forwarded << " drops forwarded instead\n";
  return o.str();
}

}  // namespace ampguard
