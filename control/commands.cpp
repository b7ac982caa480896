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
  requests_.fetch_add(1, std::memory_order_relaxed);
  const std::vector<std::string> w = split(request);
  Reply r;
  if (w.empty()) {
    r = error("empty request (try help)");
  } else if (w[0] == "help" && w.size() == 1) {
    r = {true, kCtlCommands};
  } else if (w[0] == "status" && w.size() == 1) {
    r = {true, status_text()};
  } else if (w[0] == "stats" && w.size() == 1) {
    refresh_snapshot();  // ampguardctl reads what the scrapes will see next
    r = {true, stats_json(snapshot_.totals())};
  } else if (w[0] == "config" && w.size() == 1) {
    r = {true, render_config(settings_)};
  } else if (w[0] == "reload" && w.size() == 1) {
    r = reload();
  } else if (w[0] == "blocklist") {
    r = blocklist_command(w);
  } else if (w[0] == "top") {
    r = top_command(w);
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
  if (!r.ok) request_errors_.fetch_add(1, std::memory_order_relaxed);
  refresh_snapshot();  // what a request changed shows in the next scrape, not a second later
  return r;
}

std::string Runtime::status_text() const {
  const StatsTotals t = totals();
  std::string limit_text;
  for (const auto& [option, value] : effective_options(settings_))
    if (option == "limit.rate" || option == "limit.burst")
      limit_text += option.substr(6) + " " + value + " ";
  limit_text.pop_back();
  std::ostringstream o;
  o << "ampguard " << AMPGUARD_VERSION << "\n"
    << "uptime " << shared_->now_ns() / kSecond << "s\n"
    << "workers " << t.workers << "\n"
    << "config generation " << t.config_generation << " ("
    << (settings_.config_file.empty() ? "command line only" : settings_.config_file) << ")\n"
    << "limit " << settings_.limit_mode << " " << limit_text << "\n"
    << "blocklist " << t.tables.block_entries << " of " << t.tables.block_capacity << "\n"
    << "limiter " << t.tables.limiter_entries << " of " << t.tables.limiter_capacity << "\n"
    << "reloads " << reloads_ok_.load() << " ok, " << reloads_failed_.load() << " failed\n"
    << "capture " << (capture_ ? "running" : "none") << "\n"
    << "restart pending";
  if (restart_pending_.empty()) o << " none";
  for (const auto& option : restart_pending_) o << " " << option;
  o << "\n";
  return o.str();
}

Reply Runtime::blocklist_command(const std::vector<std::string>& w) {
  const DataplaneConfig& cfg = *shared_->config();
  const uint64_t now = shared_->now_ns();
  const std::string sub = w.size() > 1 ? w[1] : "";
  if (sub == "list" && w.size() == 2) {
    std::vector<std::pair<std::string, std::string>> rows;
    shared_->blocklist.for_each(now, [&](FlowKey key, uint64_t expires) {
      rows.emplace_back(
          key_to_text(key, cfg.prefix_v4, cfg.prefix_v6),
          std::to_string(remaining_seconds(expires, now)) + " " + block_log_.reason(key));
    });
    std::sort(rows.begin(), rows.end());
    std::string text;
    for (const auto& [addr, rest] : rows) text += addr + " " + rest + "\n";
    return {true, text};
  }
  if (sub == "flush" && w.size() == 2) {
    std::vector<FlowKey> keys;
    shared_->blocklist.for_each(now, [&](FlowKey key, uint64_t) { keys.push_back(key); });
    unsigned removed = 0;
    for (FlowKey k : keys) {
      if (!shared_->blocklist.remove(k)) continue;
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
      if (!shared_->blocklist.contains(key, now) || !shared_->blocklist.remove(key))
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
    shared_->blocklist.block(key, now + ttl, now, control_tables_,
                             replace ? Blocklist::Expiry::replace : Blocklist::Expiry::extend);
    // Say what the table holds: an entry blocked for longer is not shortened without --replace.
    const uint64_t left = shared_->blocklist.expires(key, now).value_or(now + ttl) - now;
    const std::string seconds = std::to_string((left + kSecond / 2) / kSecond) + "s";
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
  const std::string err = job->start(shared_->capture, {w.begin() + 1, w.end()}, shared_->now_ns());
  if (!err.empty()) return error(printable(err));
  capture_ = std::move(job);
  // The answer waits for the frames; the control loop goes on serving meanwhile.
  return {true, "", ++capture_reply_};
}

Reply Runtime::top_command(const std::vector<std::string>& w) {
  unsigned n = 0;
  try {
    size_t used = 0;
    if (w.size() != 2) throw std::invalid_argument("count");
    n = unsigned(std::stoul(w[1], &used));
    if (used != w[1].size() || n == 0 || n > kMaxTop) throw std::invalid_argument("count");
  } catch (const std::exception&) {
    return error("usage: top N (N from 1 to " + std::to_string(kMaxTop) + ")");
  }
  const DataplaneConfig& cfg = *shared_->config();
  const LimitProfile& p = cfg.limit;
  const uint64_t now = shared_->now_ns(), clock = limit_clock(p, now);
  struct Row {
    uint64_t credit;
    FlowKey key;
  };
  std::vector<Row> rows;
  shared_->limiter.for_each([&](FlowKey key, uint64_t state) {
    rows.push_back({limit_credit(p, state, clock), key});
  });
  // Least credit first: those are the destinations at or over their limit.
  const size_t shown = std::min<size_t>(n, rows.size());
  std::partial_sort(rows.begin(), rows.begin() + long(shown), rows.end(),
                    [](const Row& a, const Row& b) {
                      return a.credit < b.credit || (a.credit == b.credit && a.key < b.key);
                    });
  const bool packets = p.mode == LimitMode::packets;
  const uint64_t unit = packets ? p.cost : p.cost_per_byte, cap = limit_cap(p);
  std::ostringstream o;
  o << "# address credit-left capacity (" << (packets ? "packets" : "bytes") << ") used blocked\n";
  for (size_t i = 0; i < shown; ++i) {
    const Row& r = rows[i];
    o << key_to_text(r.key, cfg.prefix_v4, cfg.prefix_v6) << " " << r.credit / unit << " "
      << cap / unit << " " << std::lround(100.0 * double(cap - r.credit) / double(cap)) << "% "
      << (shared_->blocklist.contains(r.key, now) ? "blocked" : "-") << "\n";
  }
  return {true, o.str()};
}

}  // namespace ampguard
