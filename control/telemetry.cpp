#include "control/telemetry.hpp"

#include <rte_telemetry.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "control/addresses.hpp"
#include "control/units.hpp"

namespace ampguard {
namespace {

struct Sources {
  std::mutex mutex;  // the telemetry thread against attach, publish and detach
  std::function<StatsTotals()> totals;
  const SharedState* shared = nullptr;
  TelemetryView view;
  bool registered = false;
};

Sources& sources() {
  static Sources s;
  return s;
}

// A nested dictionary of counters; the telemetry library takes ownership when it is added.
rte_tel_data* counters(std::initializer_list<std::pair<const char*, uint64_t>> values) {
  rte_tel_data* d = rte_tel_data_alloc();
  if (d == nullptr) return nullptr;
  rte_tel_data_start_dict(d);
  for (const auto& [name, v] : values) rte_tel_data_add_dict_u64(d, name, v);
  return d;
}

void add(rte_tel_data* d, const char* name, rte_tel_data* child) {
  if (child != nullptr && rte_tel_data_add_dict_container(d, name, child, 0) != 0)
    rte_tel_data_free(child);
}

int stats_cb(const char*, const char*, rte_tel_data* d) {
  std::lock_guard lock(sources().mutex);
  if (!sources().totals) return -1;
  const StatsTotals t = sources().totals();
  rte_tel_data_start_dict(d);
  rte_tel_data_add_dict_u64(d, "workers", t.workers);
  rte_tel_data_add_dict_u64(d, "config_generation", t.config_generation);
  for (unsigned p = 0; p < kPortSides; ++p) {
    const PortTotals& c = t.port[p];
    add(d, port_side_name(PortSide(p)),
        counters({{"rx_packets", c.rx_packets},
                  {"rx_bytes", c.rx_bytes},
                  {"tx_packets", c.tx_packets},
                  {"tx_bytes", c.tx_bytes},
                  {"tx_dropped", c.tx_dropped},
                  {"ipackets", c.ipackets},
                  {"opackets", c.opackets},
                  {"imissed", c.imissed},
                  {"rx_nombuf", c.rx_nombuf},
                  {"oerrors", c.oerrors}}));
  }
  for (const auto& [name, values] :
       {std::pair{"reason_packets", t.reason_packets}, std::pair{"reason_bytes", t.reason_bytes}}) {
    rte_tel_data* r = rte_tel_data_alloc();
    if (r == nullptr) continue;
    rte_tel_data_start_dict(r);
    for (unsigned i = 0; i < kVerdictReasonCount; ++i)
      rte_tel_data_add_dict_u64(r, std::string(reason_name(VerdictReason(i))).c_str(), values[i]);
    add(d, name, r);
  }
  const TableTotals& tt = t.tables;
  add(d, "tables",
      counters({{"limiter_entries", tt.limiter_entries},
                {"limiter_capacity", tt.limiter_capacity},
                {"limiter_inserts", tt.limiter_inserts},
                {"limiter_evictions", tt.limiter_evictions},
                {"limiter_expiries", tt.limiter_expiries},
                {"limiter_sketch_debts", tt.limiter_sketch_debts},
                {"block_entries", tt.block_entries},
                {"block_capacity", tt.block_capacity},
                {"block_adds", tt.block_adds},
                {"block_refreshes", tt.block_refreshes},
                {"block_evictions", tt.block_evictions},
                {"block_expiries", tt.block_expiries}}));
  add(d, "capture", counters({{"frames", t.capture_frames}, {"missed", t.capture_missed}}));
  if (rte_tel_data* c = rte_tel_data_alloc(); c != nullptr) {
    rte_tel_data_start_dict(c);
    for (unsigned o = 0; o < kCookieOutcomes; ++o)
      rte_tel_data_add_dict_u64(c, std::string(cookie_outcome_name(CookieOutcome(o))).c_str(),
                                t.cookie_outcomes[o]);
    add(d, "cookies", c);
  }
  rte_tel_data_add_dict_u64(d, "block_events", t.block_events);
  rte_tel_data_add_dict_u64(d, "block_events_dropped", t.block_events_dropped);
  return 0;
}

int blocklist_cb(const char*, const char*, rte_tel_data* d) {
  std::lock_guard lock(sources().mutex);
  const SharedState* shared = sources().shared;
  if (shared == nullptr) return -1;
  const TelemetryView& v = sources().view;
  const uint64_t now = shared->now_ns();
  std::vector<std::string> rows;
  uint64_t entries = 0;
  shared->blocklist.for_each(now, [&](FlowKey key, uint64_t expires) {
    ++entries;
    rows.push_back(key_to_text(key, v.prefix_v4, v.prefix_v6) + " " +
                   std::to_string(remaining_seconds(expires, now)));
  });
  std::sort(rows.begin(), rows.end());
  rte_tel_data* list = rte_tel_data_alloc();
  if (list == nullptr) return -1;
  rte_tel_data_start_array(list, RTE_TEL_STRING_VAL);
  const size_t shown = std::min<size_t>(rows.size(), kMaxListed);
  for (size_t i = 0; i < shown; ++i) rte_tel_data_add_array_string(list, rows[i].c_str());
  rte_tel_data_start_dict(d);
  rte_tel_data_add_dict_u64(d, "entries", entries);
  rte_tel_data_add_dict_u64(d, "shown", shown);
  add(d, "list", list);
  return 0;
}

int config_cb(const char*, const char*, rte_tel_data* d) {
  std::lock_guard lock(sources().mutex);
  if (sources().shared == nullptr) return -1;
  const TelemetryView& v = sources().view;
  rte_tel_data_start_dict(d);
  rte_tel_data_add_dict_u64(d, "generation", v.generation);
  for (auto [option, value] : v.options) {
    // Telemetry names allow letters, digits, '_' and '/': limit.min-size is limit_min_size.
    std::replace_if(
        option.begin(), option.end(), [](char c) { return !std::isalnum(c); }, '_');
    rte_tel_data_add_dict_string(d, option.c_str(), value.c_str());
  }
  return 0;
}

}  // namespace

std::string telemetry_attach(std::function<StatsTotals()> totals, const SharedState* shared) {
  Sources& s = sources();
  std::lock_guard lock(s.mutex);
  s.totals = std::move(totals);
  s.shared = shared;
  if (s.registered) return "";
  if (rte_telemetry_register_cmd("/ampguard/stats", stats_cb,
                                 "ampguard totals: ports, reasons, tables") != 0 ||
      rte_telemetry_register_cmd("/ampguard/blocklist", blocklist_cb,
                                 "Blocked addresses, remaining seconds (first 200)") != 0 ||
      rte_telemetry_register_cmd("/ampguard/config", config_cb,
                                 "Running config options and generation") != 0)
    return "cannot register the /ampguard telemetry commands";
  s.registered = true;
  return "";
}

void telemetry_publish(TelemetryView view) {
  std::lock_guard lock(sources().mutex);
  sources().view = std::move(view);
}

void telemetry_detach() {
  std::lock_guard lock(sources().mutex);
  sources().totals = nullptr;
  sources().shared = nullptr;
}

}  // namespace ampguard
