#include "control/stats.hpp"

#include <cstdio>
#include <iterator>
#include <numeric>
#include <sstream>

namespace ampguard {

void add_worker_counters(const WorkerCounters& w, StatsTotals& t, uint64_t& first_tsc,
                         uint64_t& last_tsc) {
  for (unsigned p = 0; p < kPortSides; ++p) {
    const PortCounters& c = w.port[p];
    PortTotals& o = t.port[p];
    o.rx_packets += c.rx_packets.get();
    o.rx_bytes += c.rx_bytes.get();
    o.tx_packets += c.tx_packets.get();
    o.tx_bytes += c.tx_bytes.get();
    o.tx_dropped += c.tx_dropped.get();
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
  t.dry_run_forwarded += w.dry_run_forwarded.get();
  for (unsigned r = 0; r < kRewriteResults; ++r) {
    t.tc_reply_results[r] += w.tc_reply_results[r].get();
    t.truncate_results[r] += w.truncate_results[r].get();
  }
  for (unsigned o = 0; o < kCookieOutcomes; ++o) t.cookie_outcomes[o] += w.cookie_outcomes[o].get();
  t.verified_over_cap += w.verified_over_cap.get();
  t.block_events += w.block_events.get();
  t.block_events_dropped += w.block_events_dropped.get();
  const TableCounters& tc = w.tables;
  TableTotals& tt = t.tables;
  tt.limiter_inserts += tc.limiter_inserts.get();
  tt.limiter_evictions += tc.limiter_evictions.get();
  tt.limiter_expiries += tc.limiter_expiries.get();
  tt.limiter_sketch_debts += tc.limiter_sketch_debts.get();
  tt.block_adds += tc.block_adds.get();
  tt.block_refreshes += tc.block_refreshes.get();
  tt.block_evictions += tc.block_evictions.get();
  tt.block_expiries += tc.block_expiries.get();
  tt.fragment_inserts += tc.fragment_inserts.get();
  tt.fragment_evictions += tc.fragment_evictions.get();
  tt.proven_inserts += tc.proven_inserts.get();
  tt.proven_evictions += tc.proven_evictions.get();
  tt.cas_retries += tc.cas_retries.get();
  t.workers++;
  t.idle_pauses += w.idle_pauses.get();
  const uint64_t first = w.first_rx_tsc.get(), last = w.last_rx_tsc.get();
  if (first != 0 && (first_tsc == 0 || first < first_tsc)) first_tsc = first;
  if (last > last_tsc) last_tsc = last;
}

std::string stats_json(const StatsTotals& t) {
  std::ostringstream o;
  o << "{\n  \"workers\": " << t.workers << ",\n  \"config_generation\": " << t.config_generation
    << ",\n  \"forwarding_seconds\": " << t.forwarding_seconds
    << ",\n  \"idle_pauses\": " << t.idle_pauses << ",\n  \"ports\": {";
  for (unsigned p = 0; p < kPortSides; ++p) {
    const PortTotals& c = t.port[p];
    o << (p ? "," : "") << "\n    \"" << port_side_name(PortSide(p)) << "\": {"
      << "\"rx_packets\": " << c.rx_packets << ", \"rx_bytes\": " << c.rx_bytes
      << ", \"tx_packets\": " << c.tx_packets << ", \"tx_bytes\": " << c.tx_bytes
      << ", \"tx_dropped\": " << c.tx_dropped << ", \"ipackets\": " << c.ipackets
      << ", \"opackets\": " << c.opackets << ", \"imissed\": " << c.imissed
      << ", \"rx_nombuf\": " << c.rx_nombuf << ", \"oerrors\": " << c.oerrors << ", \"classes\": {";
    for (unsigned k = 0; k < kTrafficClasses; ++k)
      o << (k ? ", " : "") << "\"" << traffic_class_name(TrafficClass(k))
        << "\": {\"packets\": " << c.class_packets[k] << ", \"bytes\": " << c.class_bytes[k] << "}";
    o << "}}";
  }
  o << "\n  },\n  \"reasons\": {";
  for (unsigned r = 0; r < kVerdictReasonCount; ++r)
    o << (r ? "," : "") << "\n    \"" << reason_name(VerdictReason(r)) << "\": {\"action\": \""
      << (reason_action(VerdictReason(r)) == Action::drop    ? "drop"
          : reason_action(VerdictReason(r)) == Action::reply ? "reply"
                                                             : "forward")
      << "\", \"packets\": " << t.reason_packets[r] << ", \"bytes\": " << t.reason_bytes[r] << "}";
  o << "\n  },\n  \"parse\": {";
  for (unsigned s = 0; s < unsigned(ParseStatus::count); ++s)
    o << (s ? ", " : "") << "\"" << parse_status_name(ParseStatus(s))
      << "\": " << t.parse_status[s];
  const TableTotals& tt = t.tables;
  for (const auto& [name, results] : {std::pair{"tc_reply_results", t.tc_reply_results},
                                      std::pair{"truncate_results", t.truncate_results}}) {
    o << "},\n  \"" << name << "\": {";
    for (unsigned r = 0; r < kRewriteResults; ++r)
      o << (r ? ", " : "") << "\"" << rewrite_result_name(RewriteResult(r)) << "\": " << results[r];
  }
  o << "},\n  \"cookies\": {";
  for (unsigned c = 0; c < kCookieOutcomes; ++c)
    o << (c ? ", " : "") << "\"" << cookie_outcome_name(CookieOutcome(c))
      << "\": " << t.cookie_outcomes[c];
  o << "},\n  \"verified_over_cap\": " << t.verified_over_cap
    << ",\n  \"dry_run_forwarded\": " << t.dry_run_forwarded
    << ",\n  \"block_events\": " << t.block_events
    << ",\n  \"block_events_dropped\": " << t.block_events_dropped
    << ",\n  \"capture\": {\"frames\": " << t.capture_frames << ", \"missed\": " << t.capture_missed
    << "}"
    << ",\n  \"tables\": {\"limiter_entries\": " << tt.limiter_entries
    << ", \"limiter_capacity\": " << tt.limiter_capacity
    << ", \"limiter_inserts\": " << tt.limiter_inserts
    << ", \"limiter_evictions\": " << tt.limiter_evictions
    << ", \"limiter_expiries\": " << tt.limiter_expiries
    << ", \"limiter_sketch_debts\": " << tt.limiter_sketch_debts
    << ", \"block_entries\": " << tt.block_entries << ", \"block_capacity\": " << tt.block_capacity
    << ", \"block_adds\": " << tt.block_adds << ", \"block_refreshes\": " << tt.block_refreshes
    << ", \"block_evictions\": " << tt.block_evictions
    << ", \"block_expiries\": " << tt.block_expiries
    << ", \"fragment_inserts\": " << tt.fragment_inserts
    << ", \"fragment_evictions\": " << tt.fragment_evictions
    << ", \"proven_capacity\": " << tt.proven_capacity
    << ", \"proven_inserts\": " << tt.proven_inserts
    << ", \"proven_evictions\": " << tt.proven_evictions << ", \"cas_retries\": " << tt.cas_retries
    << "}\n}\n";
  return o.str();
}

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
    std::snprintf(line, sizeof line, "    %-7s %-24s %10llu pkts\n",
                  a == Action::drop    ? "drop"
                  : a == Action::reply ? "reply"
                                       : "forward",
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
