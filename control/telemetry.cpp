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

void add(rte_tel_data* d, const char* name, rte_tel_data* child) {
  if (child != nullptr && rte_tel_data_add_dict_container(d, name, child, 0) != 0)
    rte_tel_data_free(child);
}

int stats_cb(const char*, const char*, rte_tel_data* d) {
  std::lock_guard lock(sources().mutex);
  if (!sources().totals) return -1;
  const TelemetryStats t = telemetry_stats(sources().totals());
  rte_tel_data_start_dict(d);
  for (const auto& [name, v] : t.top) rte_tel_data_add_dict_u64(d, name.c_str(), v);
  for (const auto& [name, values] : t.dicts) {
    // A nested dictionary; the telemetry library takes ownership when it is added.
    rte_tel_data* child = rte_tel_data_alloc();
    if (child == nullptr) continue;
    rte_tel_data_start_dict(child);
    for (const auto& [key, v] : values) rte_tel_data_add_dict_u64(child, key.c_str(), v);
    add(d, name.c_str(), child);
  }
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

TelemetryStats telemetry_stats(const StatsTotals& totals) {
  TelemetryStats t;
  for_each_counter(totals, [&](const CounterView& v, uint64_t value) {
    if (v.tel_dict.empty()) {
      t.top.emplace_back(v.tel_key, value);
      return;
    }
    auto it = std::find_if(t.dicts.begin(), t.dicts.end(),
                           [&](const auto& dict) { return dict.first == v.tel_dict; });
    if (it == t.dicts.end()) it = t.dicts.insert(it, {v.tel_dict, {}});
    it->second.emplace_back(v.tel_key, value);
  });
  return t;
}

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
