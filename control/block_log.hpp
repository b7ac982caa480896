// Block and unblock lines for operators: "DNS-amplification protection: blocked ADDR ..." to
// stdout (or a test's sink) and syslog, one per block and one per unblock.
//
// Workers report blocks through the event ring; control-made blocks (ampguardctl, restore) are
// reported here directly. Unblocks are found by comparing the tracked keys with the
// blocklist once a second (an expiry, an eviction, a delete), so the workers' expiry sweep
// stays as it is. Lines are rate-limited twice: per address (repeats within
// log.address-interval are suppressed and counted) and overall (log.max-per-second, the rest
// dropped and counted). Control thread only; the counters may be read from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "dataplane/block_event.hpp"
#include "dataplane/shared_tables.hpp"
#include "dataplane/time_units.hpp"

namespace ampguard {

class BlockLog {
 public:
  struct Limits {
    uint32_t max_per_second = 100;
    uint64_t address_interval_ns = 60 * kSecond;
    unsigned prefix_v4 = 32, prefix_v6 = 64;  // how keys are written
    std::string line_prefix = "";             // log.prefix
  };
  using Sink = std::function<void(const std::string&)>;

  void configure(const Limits& l) { limits_ = l; }
  // Where lines go besides syslog (when opened); default stdout.
  void set_sink(Sink sink) { sink_ = std::move(sink); }
  void enable_syslog();

  // A worker blocked e.key.
  void on_event(const BlockEvent& e, uint64_t block_timeout_ns, uint64_t now_ns);
  // Control blocked key (reason: one word, e.g. "manual" or the restored reason).
  void on_control_block(FlowKey key, const std::string& reason, uint64_t ttl_ns, uint64_t now_ns);
  // Tracks a restored key without a line (a restart is not a new block).
  void remember(FlowKey key, const std::string& reason, uint64_t now_ns);
  // Control removed key (ampguardctl blocklist del / flush).
  void on_control_unblock(FlowKey key, const std::string& why, uint64_t now_ns);
  // Reports tracked keys no longer in bl as unblocked and untracked live keys as blocked.
  void reconcile(const Blocklist& bl, uint64_t now_ns);

  // The reason key was blocked for ("over-limit" when it is not tracked).
  std::string reason(FlowKey key) const;
  // When key's current block began and how many blocks it had while tracked; false when it is
  // not tracked as blocked (fleet export ranks and delays by these).
  bool block_age(FlowKey key, uint64_t& since_ns, uint64_t& blocks) const;

  uint64_t lines_written() const { return written_.load(std::memory_order_relaxed); }
  uint64_t lines_suppressed() const { return suppressed_.load(std::memory_order_relaxed); }
  uint64_t lines_dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  struct Tracked {
    std::string reason;
    uint64_t since_ns = 0;
    uint64_t last_block_line_ns = 0, last_unblock_line_ns = 0;
    uint64_t blocks = 0;      // blocks of this key while it stays tracked
    uint64_t suppressed = 0;  // its lines not written since its last written one
    bool blocked = false;     // false: kept only to rate-limit its next lines
    bool seen = false;        // found by the current reconcile scan
  };
  std::string prefix() const;  // of every line
  Tracked& track(FlowKey key, const std::string& reason, uint64_t now_ns);
  void unblock(FlowKey key, Tracked& t, const std::string& why, uint64_t now_ns);
  // Writes line unless its address or the overall rate is over its limit.
  void emit(Tracked& t, uint64_t& last_line_ns, const std::string& line, uint64_t now_ns);

  Limits limits_;
  Sink sink_;
  bool syslog_ = false;
  std::unordered_map<FlowKey, Tracked> tracked_;
  // Live but untracked at the last scan: an event may still be on its way through the ring.
  std::unordered_set<FlowKey> unexplained_;
  uint64_t second_start_ns_ = 0;
  uint32_t second_lines_ = 0;
  std::atomic<uint64_t> written_{0}, suppressed_{0}, dropped_{0};
};

}  // namespace ampguard
