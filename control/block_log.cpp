#include "control/block_log.hpp"

#include <syslog.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "control/addresses.hpp"
#include "control/units.hpp"

namespace ampguard {

void BlockLog::enable_syslog() {
  openlog("ampguard", LOG_PID | LOG_NDELAY, LOG_DAEMON);
  syslog_ = true;
}

std::string BlockLog::prefix() const {
  return limits_.line_prefix.empty() ? "" : limits_.line_prefix + " ";
}

BlockLog::Tracked& BlockLog::track(FlowKey key, const std::string& reason, uint64_t now_ns) {
  Tracked& t = tracked_[key];
  t.reason = reason;
  t.since_ns = now_ns;
  t.blocks++;
  t.blocked = true;
  return t;
}

void BlockLog::on_event(const BlockEvent& e, uint64_t block_timeout_ns, uint64_t now_ns) {
  Tracked& t = track(e.key, "over-limit", now_ns);
  const std::string addr = key_to_text(e.key, limits_.prefix_v4, limits_.prefix_v6);
  emit(t, t.last_block_line_ns,
       prefix() + "blocked " + addr + " for " + seconds_text(block_timeout_ns) + ": " +
           std::to_string(e.ip_total_len) +
           "-byte response over its limit (reason over-limit, worker " + std::to_string(e.worker) +
           ", blocks " + std::to_string(t.blocks) + ")",
       now_ns);
}

void BlockLog::on_control_block(FlowKey key, const std::string& reason, uint64_t ttl_ns,
                                uint64_t now_ns) {
  Tracked& t = track(key, reason, now_ns);
  emit(t, t.last_block_line_ns,
       prefix() + "blocked " + key_to_text(key, limits_.prefix_v4, limits_.prefix_v6) + " for " +
           seconds_text(ttl_ns) + ": reason " + reason + " (blocks " + std::to_string(t.blocks) +
           ")",
       now_ns);
}

void BlockLog::remember(FlowKey key, const std::string& reason, uint64_t now_ns) {
  track(key, reason, now_ns);
}

void BlockLog::on_control_unblock(FlowKey key, const std::string& why, uint64_t now_ns) {
  Tracked& t = tracked_[key];
  if (!t.blocked) {
    t.reason = "unknown";
    t.since_ns = now_ns;
  }
  unblock(key, t, why, now_ns);
}

void BlockLog::unblock(FlowKey key, Tracked& t, const std::string& why, uint64_t now_ns) {
  emit(t, t.last_unblock_line_ns,
       prefix() + "unblocked " + key_to_text(key, limits_.prefix_v4, limits_.prefix_v6) + ": " +
           why + " after " + seconds_text(now_ns - t.since_ns) + " (reason " + t.reason +
           ", blocks " + std::to_string(t.blocks) + ")",
       now_ns);
  t.blocked = false;
}

void BlockLog::reconcile(const Blocklist& bl, uint64_t now_ns) {
  for (auto& [key, t] : tracked_) t.seen = false;
  std::vector<FlowKey> found;
  bl.for_each(now_ns, [&](FlowKey key, uint64_t) {
    const auto it = tracked_.find(key);
    if (it != tracked_.end() && it->second.blocked) {
      it->second.seen = true;
    } else {
      found.push_back(key);
    }
  });
  for (auto it = tracked_.begin(); it != tracked_.end();) {
    Tracked& t = it->second;
    if (t.blocked && !t.seen) unblock(it->first, t, "expired", now_ns);
    // Unblocked keys stay only as long as they can still suppress a repeat.
    const uint64_t last = std::max({t.since_ns, t.last_block_line_ns, t.last_unblock_line_ns});
    if (!t.blocked && now_ns - last >= limits_.address_interval_ns) {
      it = tracked_.erase(it);
    } else {
      ++it;
    }
  }
  // Blocked by a worker whose event the full ring dropped: logged late rather than never.
  std::unordered_set<FlowKey> still;
  for (FlowKey key : found) {
    if (!unexplained_.count(key)) {
      still.insert(key);
      continue;
    }
    Tracked& t = track(key, "over-limit", now_ns);
    emit(t, t.last_block_line_ns,
         prefix() + "blocked " + key_to_text(key, limits_.prefix_v4, limits_.prefix_v6) +
             ": reason over-limit (found in the blocklist: its event was dropped, blocks " +
             std::to_string(t.blocks) + ")",
         now_ns);
  }
  unexplained_ = std::move(still);
}

std::string BlockLog::reason(FlowKey key) const {
  const auto it = tracked_.find(key);
  return it == tracked_.end() || !it->second.blocked ? "over-limit" : it->second.reason;
}

bool BlockLog::block_age(FlowKey key, uint64_t& since_ns, uint64_t& blocks) const {
  const auto it = tracked_.find(key);
  if (it == tracked_.end() || !it->second.blocked) return false;
  since_ns = it->second.since_ns;
  blocks = it->second.blocks;
  return true;
}

void BlockLog::emit(Tracked& t, uint64_t& last_line_ns, const std::string& line, uint64_t now_ns) {
  if (last_line_ns != 0 && now_ns - last_line_ns < limits_.address_interval_ns) {
    t.suppressed++;
    suppressed_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (now_ns - second_start_ns_ >= kSecond) {
    second_start_ns_ = now_ns;
    second_lines_ = 0;
  }
  if (second_lines_ >= limits_.max_per_second) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  second_lines_++;
  last_line_ns = now_ns;
  const std::string text =
      t.suppressed == 0 ? line
                        : line + " [" + std::to_string(t.suppressed) + " similar lines suppressed]";
  t.suppressed = 0;
  written_.fetch_add(1, std::memory_order_relaxed);
  if (syslog_) syslog(LOG_NOTICE, "%s", text.c_str());
  if (sink_) {
    sink_(text);
  } else {
    std::printf("%s\n", text.c_str());
    std::fflush(stdout);
  }
}

}  // namespace ampguard
