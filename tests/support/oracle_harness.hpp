// The limits-at-scale oracle (issue 13): an in-process harness with a simulated clock that
// feeds generated frames to the real judging code (judge_frame on plain bytes, real shared
// tables) and, beside it, an infinite-memory model of the per-destination policy: the same
// limiter arithmetic (rate_limit.hpp) per destination in a hash map that never forgets, and
// the blocklist that follows from it. Millions of victims do not fit a pcap replay.
//
// Traffic: every victim asks (spoofed query from the outside) and receives (large response from
// the inside) 5 times a second for the scenario's length; 1,000 steady legitimate clients get
// one large answer every 2 s (within 50/min), from 10 s before the attack (they are the
// resolver's regular clients) to its end, and 10,000 new legitimate clients arrive during the
// attack with 3 large answers 1 s apart. Legitimate clients are scattered over 128.0.0.0/2, as a
// resolver's clients are over the internet, outside the attacked space. A query the dataplane
// drops (blocklisted source) gets no response, as with a real resolver. The config is the
// defaults with the scenario's table sizes, or a config file read as ampguard reads it.
// Needs the EAL (SharedState).
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "control/settings.hpp"
#include "dataplane/pipeline.hpp"
#include "support/dns_frames.hpp"

namespace ampguard::test {

enum class VictimSpace : uint8_t {
  spread_v4,     // distinct addresses scattered over 10.0.0.0/8
  random_v4,     // distinct addresses scattered over 64.0.0.0/2
  four_slash16,  // 10.1.0.0/16 .. 10.4.0.0/16, every address (at most 262,144 distinct)
};

struct Scenario {
  const char* name;
  uint32_t victims;
  VictimSpace space;
  uint32_t max_entries = 100'000;  // limit.max-entries and block.max-entries; 0: the config's
  uint32_t seconds = 30;
  uint32_t steady_clients = 1'000;
  uint32_t new_clients = 10'000;
  const char* config = nullptr;  // a config file; nullptr: the defaults (the kernel-exact profile)
};

struct OracleResult {
  uint64_t attack_events = 0;   // responses the victims would receive without any limit
  uint64_t oracle_over = 0;     // of those, what the infinite-memory policy withholds
  uint64_t over_forwarded = 0;  // withheld by the oracle, forwarded by the dataplane
  uint64_t under_dropped = 0;   // forwarded by the oracle, withheld by the dataplane
  uint64_t steady_events = 0, steady_dropped = 0;
  uint64_t new_events = 0, new_dropped = 0;
  uint64_t limiter_evictions = 0;
  uint64_t over_pressure_budget = 0;  // responses dropped by the pressure budget
  uint64_t pressure_allows = 0;       // the budget's bound over the run: burst + rate * seconds
  size_t table_bytes = 0;  // limiter, debt sketch, aggregates, blocklist: fixed at construction

  double over_forwarded_pct() const {
    return oracle_over == 0 ? 0 : 100.0 * double(over_forwarded) / double(oracle_over);
  }
};

class OracleHarness {
 public:
  explicit OracleHarness(const Scenario& s)
      : s_(s),
        settings_(load(s)),
        shared_(settings_.tables, 1),
        query_(query_v4(kVictimV4)),
        response_(response_v4(kVictimV4, 1200)) {
    const std::string err = build_dataplane_config(settings_, cfg_);
    if (!err.empty()) throw std::runtime_error("oracle config: " + err);
    w_.shared = &shared_;
    w_.counters = &counters_;
  }

  uint32_t limiter_entries() const { return settings_.tables.limiter_entries; }

  OracleResult run() {
    constexpr uint64_t kSecond = 1'000'000'000, kTick = kSecond / 5;  // 5 per second
    constexpr uint64_t kWarmUpTicks = 10 * 5;                         // steady clients only
    const uint64_t ticks = kWarmUpTicks + uint64_t(s_.seconds) * 5;
    uint64_t warm_up_events = 0, warm_up_dropped = 0;
    for (uint64_t tick = 0; tick < ticks; ++tick) {
      const uint64_t t0 = kStart + tick * kTick;
      const bool attack = tick >= kWarmUpTicks;
      const uint64_t atick = tick - kWarmUpTicks;  // the attack's tick
      if (attack)
        for (uint32_t v = 0; v < s_.victims; ++v)
          event(victim(v), t0 + kTick * v / s_.victims, r_.attack_events, nullptr);
      // legitimate clients between the victims' events, at fixed phases
      if (tick % 10 == 0)
        for (uint32_t c = 0; c < s_.steady_clients; ++c)
          event(legitimate(c), t0 + kTick * c / s_.steady_clients,
                attack ? r_.steady_events : warm_up_events,
                attack ? &r_.steady_dropped : &warm_up_dropped);
      if (attack && atick % 5 == 0) {  // each second: this second's new clients, and repeats
        const uint64_t sec = atick / 5, per_sec = s_.new_clients / s_.seconds;
        for (uint64_t back = 0; back < 3 && back <= sec; ++back)
          for (uint64_t c = (sec - back) * per_sec; c < (sec - back + 1) * per_sec; ++c)
            event(legitimate(s_.steady_clients + uint32_t(c)), t0 + kTick * (c % per_sec) / per_sec,
                  r_.new_events, &r_.new_dropped);
      }
    }
    r_.limiter_evictions = counters_.tables.limiter_evictions.get();
    r_.over_pressure_budget =
        counters_.reason_packets[unsigned(VerdictReason::over_pressure_budget)].get();
    r_.pressure_allows = budget_allows(s_.seconds);
    r_.table_bytes = shared_.limiter.memory_bytes() + shared_.limiter.sketch_memory_bytes() +
                     shared_.aggregates.memory_bytes() + shared_.blocklist.capacity() * 16ull;
    return r_;
  }

 private:
  static constexpr uint64_t kStart = 1'000'000'000'000;
  static constexpr size_t kIpSrc = 14 + 12, kIpDst = 14 + 16;
  static constexpr unsigned kExpireEvery = 64;  // packets between expiry steps

  static Settings load(const Scenario& s) {
    Settings out;
    const std::string entries = std::to_string(s.max_entries);
    std::vector<std::string> sizes;
    if (s.max_entries != 0)
      sizes = {"--limit.max-entries=" + entries, "--block.max-entries=" + entries};
    const std::string err = load_settings(s.config != nullptr ? s.config : "", sizes, out);
    if (!err.empty()) throw std::runtime_error("oracle config: " + err);
    return out;
  }

  // Packets (or bytes) the pressure budget lets through in `seconds`: its burst and its rate.
  uint64_t budget_allows(uint64_t seconds) const {
    if (cfg_.pressure.cost_per_byte == 0) return 0;
    const uint64_t units = cfg_.limit.mode == LimitMode::packets ? 1 : 1200;
    const uint64_t burst = cfg_.pressure.cap / cfg_.pressure.cost_per_byte;
    const uint64_t per_s = 256'000'000'000ull / (cfg_.pressure.cost_per_byte);
    return (burst + per_s * seconds) / units;
  }

  // Distinct addresses over 128.0.0.0/2 (an odd multiplier permutes 2^30).
  static uint32_t legitimate(uint32_t i) { return 0x80000000u | ((i * 0x9e3779b1u) & 0x3fffffffu); }

  uint32_t victim(uint32_t i) const {
    switch (s_.space) {
      case VictimSpace::spread_v4:  // an odd multiplier permutes 2^24: distinct addresses
        return 0x0a000000u | ((i * 0x9e3779b1u) & 0xffffffu);
      case VictimSpace::random_v4:
        return 0x40000000u | ((i * 0x9e3779b1u) & 0x3fffffffu);
      case VictimSpace::four_slash16:
        return 0x0a010000u + (i % (4u << 16));
    }
    return 0;
  }

  static void put_v4(Bytes& frame, size_t off, uint32_t addr) {
    for (int i = 0; i < 4; ++i) frame[off + i] = uint8_t(addr >> (24 - 8 * i));
  }

  // A TC reply or a truncation rewrites the frame it is given: it is then restored from `clean`.
  VerdictReason judge(PortSide side, Bytes& frame, const Bytes& clean, uint64_t now_ns) {
    uint32_t len = uint32_t(frame.size());
    const VerdictReason r = judge_frame(w_, cfg_, side, frame.data(), &len, now_ns).reason;
    if (len != frame.size() || reason_action(r) == Action::reply || truncated(r)) frame = clean;
    if (++packets_ % kExpireEvery == 0) shared_.expire_step(cfg_, now_ns, counters_.tables);
    return r;
  }
  // A limited answer slipped truncated (TC=1) is forwarded, but the large one is withheld.
  static bool truncated(VerdictReason r) {
    return r == VerdictReason::over_limit_tc || r == VerdictReason::over_aggregate_tc ||
           r == VerdictReason::response_truncated;
  }

  // The infinite-memory policy: true when it forwards a response to addr at now_ns.
  bool oracle_forwards(uint32_t addr, uint64_t now_ns) {
    Model& m = model_[addr];
    if (m.blocked_until > now_ns) return false;  // its spoofed query is dropped
    const uint64_t clock = limit_clock(cfg_.limit, now_ns);
    if (!m.seen) m.state = limit_fresh_state(cfg_.limit, clock), m.seen = true;
    if (limit_charge(cfg_.limit, m.state, limit_cost(cfg_.limit, 1200), clock)) return true;
    m.blocked_until = now_ns + cfg_.block_timeout_ns;
    return false;
  }

  // One query from addr and, unless the dataplane dropped it, the resolver's large answer.
  void event(uint32_t addr, uint64_t now_ns, uint64_t& events, uint64_t* dropped) {
    ++events;
    const bool oracle = oracle_forwards(addr, now_ns);
    put_v4(query_, kIpSrc, addr);
    bool forwarded =
        reason_action(judge(PortSide::outside, query_, clean_query_, now_ns)) == Action::forward;
    if (forwarded) {
      put_v4(response_, kIpDst, addr);
      const VerdictReason r = judge(PortSide::inside, response_, clean_response_, now_ns);
      forwarded = reason_action(r) == Action::forward && !truncated(r);
    }
    if (!oracle) r_.oracle_over += dropped == nullptr;
    if (!oracle && forwarded) r_.over_forwarded++;
    if (oracle && !forwarded) r_.under_dropped++;
    if (dropped != nullptr && !forwarded) ++*dropped;
  }

  struct Model {
    uint64_t state = 0, blocked_until = 0;
    bool seen = false;
  };

  Scenario s_;
  Settings settings_;
  SharedState shared_;
  DataplaneConfig cfg_;
  WorkerCounters counters_;
  WorkerContext w_;
  Bytes query_, response_;
  const Bytes clean_query_ = query_, clean_response_ = response_;
  std::unordered_map<uint32_t, Model> model_;
  uint64_t packets_ = 0;
  OracleResult r_;
};

}  // namespace ampguard::test
