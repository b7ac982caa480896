// Runtime::command: the requests ampguardctl sends over the control socket.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "control/addresses.hpp"
#include "control/ctl_commands.hpp"
#include "control/runtime.hpp"
#include "control/units.hpp"
#include "dataplane/rate_limit.hpp"

namespace ampguard {
namespace {

constexpr unsigned kMaxTop = 10'000;

Reply error(const std::string& why) { return {false, why + "\n"}; }

std::vector<std::string> split(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// Printable only: a request may hold anything, and errors echo it.
std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s.substr(0, 256)) out += c >= 0x20 && c < 0x7f ? char(c) : '?';
  return out;
}

}  // namespace

Reply Runtime::command(const std::string& request) {
  std::vector<std::string> w = split(request);
  // --json on a read command: a JSON document instead of its table, so scripts never parse
  // the tables (stats is JSON either way).
  const bool json = w.size() >= 2 && w.back() == "--json" &&
                    (w[0] == "status" || w[0] == "stats" || w[0] == "top" ||
                     (w[0] == "blocklist" && w.size() == 3 && w[1] == "list"));
  if (json) w.pop_back();
  Reply r;
  if (w.empty()) {
    r = error("empty request (try help)");
  } else if (w[0] == "help" && w.size() == 1) {
    r = {true, kCtlCommands};
  } else if (w[0] == "status" && w.size() == 1) {
    r = {true, json ? status_document().dump(2) + "\n" : status_text()};
  } else if (w[0] == "stats" && w.size() == 1) {
    refresh_snapshot();  // ampguardctl reads what the scrapes will see next
    r = {true, stats_json(snapshot_.totals())};
  } else if (w[0] == "config" && w.size() == 1) {
    r = {true, render_config(settings_)};
  } else if (w[0] == "reload" && w.size() == 1) {
    r = reload();
  } else if (w[0] == "blocklist") {
    r = blocklist_command(w, json);
  } else if (w[0] == "top") {
    r = top_command(w, json);
  } else if (w[0] == "capture") {
    r = capture_command(w);
  } else if (w[0] == "fleet") {
    r = fleet_command(w);
  } else if (w[0] == "help" || w[0] == "status" || w[0] == "stats" || w[0] == "config" ||
             w[0] == "reload") {
    r = error(w[0] + " takes no arguments");
  } else {
    r = error("unknown command '" + printable(w[0]) + "' (try help)");
  }
  ++(r.ok ? control_.control_ok : control_.control_errors);
  refresh_snapshot();  // what a request changed shows in the next scrape, not a second later
  return r;
}

nlohmann::ordered_json Runtime::status_document() const {
  const StatsTotals t = totals();
  nlohmann::ordered_json o;
  o["version"] = AMPGUARD_VERSION;
  o["uptime_seconds"] = shared().now_ns() / kSecond;
  o["workers"] = t.workers;
  o["config_generation"] = t.config_generation;
  o["config_file"] = settings_.config_file;  // "": command line only
  o["limit"] = {{"mode", settings_.limit_mode},
                {"rate", settings_.effective_limit_rate()},
                {"burst", settings_.effective_limit_burst()}};
  o["blocklist"] = {{"entries", t.tables.block_entries}, {"capacity", t.tables.block_capacity}};
  o["limiter"] = {{"entries", t.tables.limiter_entries}, {"capacity", t.tables.limiter_capacity}};
  o["reloads"] = {{"ok", control_.reloads_ok}, {"failed", control_.reloads_failed}};
  o["capture_running"] = bool(capture_);
  o["restart_pending"] = restart_pending_;
  return o;
}

std::string Runtime::status_text() const {
  const nlohmann::ordered_json d = status_document();
  const auto text = [](const nlohmann::ordered_json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
  };
  const std::string file = d["config_file"];
  std::string pending;
  for (const auto& option : d["restart_pending"]) {
    pending += ' ';
    pending += text(option);
  }
  // Appended part by part: GCC 12 -O3 flags "literal" + string with a false -Wrestrict.
  std::string out;
  const auto line = [&out](std::initializer_list<std::string> parts) {
    for (const std::string& p : parts) out += p;
    out += '\n';
  };
  line({"ampguard ", text(d["version"])});
  line({"uptime ", text(d["uptime_seconds"]), "s"});
  line({"workers ", text(d["workers"])});
  line({"config generation ", text(d["config_generation"]), " (",
        file.empty() ? "command line only" : file, ")"});
  line({"limit ", text(d["limit"]["mode"]), " rate ", text(d["limit"]["rate"]), " burst ",
        text(d["limit"]["burst"])});
  line({"blocklist ", text(d["blocklist"]["entries"]), " of ", text(d["blocklist"]["capacity"])});
  line({"limiter ", text(d["limiter"]["entries"]), " of ", text(d["limiter"]["capacity"])});
  line({"reloads ", text(d["reloads"]["ok"]), " ok, ", text(d["reloads"]["failed"]), " failed"});
  line({"capture ", d["capture_running"] ? "running" : "none"});
  line({"restart pending", pending.empty() ? " none" : pending});
  return out;
}

Reply Runtime::blocklist_command(const std::vector<std::string>& w, bool json) {
  const DataplaneConfig& cfg = *shared().config();
  const uint64_t now = shared().now_ns();
  const std::string sub = w.size() > 1 ? w[1] : "";
  if (sub == "list" && w.size() == 2) {
    struct Row {
      std::string address;
      uint64_t remaining_seconds;
      std::string reason;
      bool operator<(const Row& o) const { return address < o.address; }
    };
    std::vector<Row> rows;
    shared().blocklist.for_each(now, [&](FlowKey key, uint64_t expires) {
      rows.push_back({key_to_text(key, cfg.prefix_v4, cfg.prefix_v6),
                      remaining_seconds(expires, now), block_log_.reason(key)});
    });
    std::sort(rows.begin(), rows.end());
    if (json) {
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const auto& row : rows)
        list.push_back({{"address", row.address},
                        {"remaining_seconds", row.remaining_seconds},
                        {"reason", row.reason}});
      return {true, list.dump(2) + "\n"};
    }
    std::string text;
    for (const auto& row : rows)
      text += row.address + " " + std::to_string(row.remaining_seconds) + " " + row.reason + "\n";
    return {true, text};
  }
  if (sub == "flush" && w.size() == 2) {
    std::vector<FlowKey> keys;
    shared().blocklist.for_each(now, [&](FlowKey key, uint64_t) { keys.push_back(key); });
    unsigned removed = 0;
    for (FlowKey k : keys) {
      if (!shared().blocklist.remove(k)) continue;
      block_log_.on_control_unblock(k, "flushed by ampguardctl", now);
      ++removed;
    }
    save_due_ = true;
    return {true, "removed " + std::to_string(removed) + " entries\n"};
  }
  const bool replace = sub == "add" && w.size() >= 4 && w.size() <= 5 && w.back() == "--replace";
  const bool has_ttl = sub == "add" && w.size() == 4 + unsigned(replace);
  if ((sub == "add" && (w.size() == 3 || w.size() == 4 || replace)) ||
      (sub == "del" && w.size() == 3)) {
    FlowKey key;
    const std::string err = parse_key(w[2], cfg.prefix_v4, cfg.prefix_v6, key);
    if (!err.empty()) return error(printable(err));
    const std::string text = key_to_text(key, cfg.prefix_v4, cfg.prefix_v6);
    if (sub == "del") {
      if (!shared().blocklist.contains(key, now) || !shared().blocklist.remove(key))
        return error(text + " is not blocked");
      block_log_.on_control_unblock(key, "removed by ampguardctl", now);
      save_due_ = true;
      return {true, "unblocked " + text + "\n"};
    }
    uint64_t ttl = cfg.block_timeout_ns;
    if (has_ttl) {
      const std::string terr = parse_duration_ns(w[3], ttl);
      if (!terr.empty()) return error("TTL: " + printable(terr));
      if (ttl < kSecond || ttl > 366 * 86400 * kSecond) return error("TTL: must be 1s to 366d");
    }
    shared().blocklist.block(key, now + ttl, now, control_tables_,
                             replace ? Blocklist::Expiry::replace : Blocklist::Expiry::extend);
    // Say what the table holds: an entry blocked for longer is not shortened without --replace.
    const uint64_t left = shared().blocklist.expires(key, now).value_or(now + ttl) - now;
    const std::string seconds = seconds_text(left);
    block_log_.on_control_block(key, "manual", left, now);
    save_due_ = true;
    if (left > ttl + kSecond)
      return {true, text + " stays blocked for " + seconds +
                        " (blocked for longer already; --replace sets " +
                        std::to_string(ttl / kSecond) + "s)\n"};
    return {true, "blocked " + text + " for " + seconds + "\n"};
  }
  return error(
      "usage: blocklist list | blocklist add ADDR [TTL] [--replace] | blocklist del ADDR | "
      "blocklist flush");
}

Reply Runtime::capture_command(const std::vector<std::string>& w) {
  if (capture_) return error("a capture is already running (one at a time)");
  auto job = std::make_unique<CaptureJob>();
  const std::string err = job->start(shared().capture, {w.begin() + 1, w.end()}, shared().now_ns());
  if (!err.empty()) return error(printable(err));
  capture_ = std::move(job);
  // The answer waits for the frames; the control loop goes on serving meanwhile.
  return {true, "", ++capture_reply_};
}

Reply Runtime::top_command(const std::vector<std::string>& w, bool json) {
  uint64_t n = 0;
  if (w.size() != 2 || !parse_uint(w[1], 1, kMaxTop, n))
    return error("usage: top N (N from 1 to " + std::to_string(kMaxTop) + ")");
  const DataplaneConfig& cfg = *shared().config();
  const LimitProfile& p = cfg.limit;
  const uint64_t now = shared().now_ns(), clock = limit_clock(p, now);
  struct Row {
    uint64_t credit;
    FlowKey key;
  };
  std::vector<Row> rows;
  shared().limiter.for_each([&](FlowKey key, uint64_t state) {
    rows.push_back({limit_credit(p, state, clock), key});
  });
  // Least credit first: those are the destinations at or over their limit.
  const size_t shown = std::min<size_t>(n, rows.size());
  std::partial_sort(rows.begin(), rows.begin() + long(shown), rows.end(),
                    [](const Row& a, const Row& b) {
                      return a.credit < b.credit || (a.credit == b.credit && a.key < b.key);
                    });
  const uint64_t unit = p.mode == LimitMode::packets ? p.cost : p.cost_per_byte, cap = limit_cap(p);
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (size_t i = 0; i < shown; ++i) {
    const Row& r = rows[i];
    list.push_back({{"address", key_to_text(r.key, cfg.prefix_v4, cfg.prefix_v6)},
                    {"credit_left", r.credit / unit},
                    {"capacity", cap / unit},
                    {"used_percent", std::lround(100.0 * double(cap - r.credit) / double(cap))},
                    {"blocked", shared().blocklist.contains(r.key, now)}});
  }
  const char* unit_name = enum_name(p.mode);
  if (json)
    return {true, nlohmann::ordered_json{{"unit", unit_name}, {"rows", list}}.dump(2) + "\n"};
  std::string text =
      std::string("# address credit-left capacity (") + unit_name + ") used blocked\n";
  for (const auto& row : list)
    text += row["address"].get<std::string>() + " " + row["credit_left"].dump() + " " +
            row["capacity"].dump() + " " + row["used_percent"].dump() + "% " +
            (row["blocked"] ? "blocked" : "-") + "\n";
  return {true, text};
}

}  // namespace ampguard
