// Per-destination rate limiting: user parameters -> validated profile -> tiny per-key state.
//
// Modeled on rte_meter: LimitParams are what the operator writes, make_limit_profile()
// validates them once and converts them to the units of the hot check, and the per-key state
// is one 64-bit word that LimiterTable updates with a 128-bit CAS together with its key.
//
// packets mode reproduces xt_hashlimit revision 3 exactly (REFERENCE.md): credits per jiffy
// CPJ, cost = user2credits(avg), cap = user2credits(avg * burst), credit refilled per elapsed
// jiffy and capped. bytes mode is a token bucket over IP total lengths in nanoseconds.
#pragma once

#include <cstdint>
#include <string>

namespace ampguard {

enum class LimitMode : uint8_t { packets, bytes };

struct LimitParams {
  LimitMode mode = LimitMode::packets;
  uint64_t rate = 50;       // packets (packets mode) or bytes (bytes mode) per period
  uint64_t period_s = 60;   // the rate's period in seconds
  uint64_t burst = 10;      // packets, or bytes in bytes mode
  uint32_t hz = 250;        // kernel jiffies per second the packets mode reproduces
};

// Validated once (make_limit_profile); read-only in the hot path.
struct LimitProfile {
  LimitMode mode = LimitMode::packets;
  // packets mode, in kernel credits (see REFERENCE.md)
  uint64_t credits_per_jiffy = 0;
  uint64_t cost = 0;
  uint64_t cap = 0;
  uint64_t ns_per_jiffy = 0;
  // bytes mode: credit unit is 1/256 ns; a byte costs cost_per_byte units
  uint64_t cost_per_byte = 0;
  uint64_t byte_cap = 0;
  uint64_t refill_ns = 0;  // time an empty bucket takes to fill: entries idle that long are inert
};

// Returns an empty string on success, else why the parameters are unusable.
std::string make_limit_profile(const LimitParams& params, LimitProfile& out);

}  // namespace ampguard
