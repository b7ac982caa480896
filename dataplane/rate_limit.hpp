// Per-destination rate limiting: user parameters -> validated profile -> tiny per-key state.
//
// Modeled on rte_meter: LimitParams are what the operator writes, make_limit_profile()
// validates them once and converts them to the units of the hot check, and the per-key state
// is one 64-bit word that LimiterTable updates with a 128-bit CAS together with its key.
//
// packets mode reproduces xt_hashlimit revision 3 exactly (docs/kernel-semantics.md): credits
// per jiffy CPJ, cost = user2credits(avg), cap = user2credits(avg * burst), credit refilled per
// elapsed jiffy and capped. bytes mode is a token bucket over IP total lengths in nanoseconds.
#pragma once

#include <cstdint>
#include <string>

#include "dataplane/named_enum.hpp"

namespace ampguard {

// limit.mode
#define AMPGUARD_LIMIT_MODES(X) X(packets) X(bytes)
AMPGUARD_NAMED_ENUM(LimitMode, AMPGUARD_LIMIT_MODES);

struct LimitParams {
  LimitMode mode = LimitMode::packets;
  uint64_t rate = 50;      // packets (packets mode) or bytes (bytes mode) per period
  uint64_t period_s = 60;  // the rate's period in seconds
  uint64_t burst = 10;     // packets, or bytes in bytes mode
  uint32_t hz = 250;       // kernel jiffies per second the packets mode reproduces
};

// Validated once (make_limit_profile); read-only in the hot path, which never asks the mode:
// a packet costs cost + bytes * cost_per_byte (one of them is 0), as rte_meter precomputes its
// profile. Credit is in kernel credits in packets mode (docs/kernel-semantics.md), in 1/256 ns
// in bytes mode.
struct LimitProfile {
  LimitMode mode = LimitMode::packets;
  uint64_t cap = 0;            // the most credit a key holds (the burst)
  uint64_t cost = 0;           // per packet: packets mode
  uint64_t cost_per_byte = 0;  // per byte of IP total length: bytes mode
  uint64_t skew = 0;           // see limit_skew()
  // packets mode's clock: the kernel's jiffies and CREDITS_PER_JIFFY
  uint64_t credits_per_jiffy = 0;
  uint64_t ns_per_jiffy = 0;
  uint64_t refill_ns = 0;  // time an empty bucket takes to fill: entries idle that long are inert
};

// Returns an empty string on success, else why the parameters are unusable.
std::string make_limit_profile(const LimitParams& params, LimitProfile& out);

// The pressure budget's default (limit.pressure-rate/-burst = auto): a tenth of what a table of
// max_entries destinations, each at the per-destination rate and burst, lets through. Overflow
// can then add at most 10 % to the most a full table forwards: an attacker who pushes the table
// past capacity gains a tenth more than one who fills it exactly, and new clients arriving while
// the table is full still have 10 % of its capacity to share. Rate and burst in `dest`'s units.
inline LimitParams default_pressure(const LimitParams& dest, uint32_t max_entries) {
  LimitParams p = dest;
  const uint64_t tenth = max_entries / 10 > 0 ? max_entries / 10 : 1;
  p.rate = dest.rate * tenth;
  p.burst = dest.burst * tenth;
  return p;
}

// The budget's profile: always the ns token bucket (bytes mode), whose unit is a packet when
// `params` are in packets and a byte when they are in bytes; pressure_units() says how many.
std::string make_pressure_profile(const LimitParams& params, LimitProfile& out);
inline uint32_t pressure_units(LimitMode dest_mode, uint32_t bytes) {
  return dest_mode == LimitMode::packets ? 1 : bytes;
}

// The per-key state word is E, the "empty time": the clock reading at which the key's credit
// was zero, so credit(t) = min(clock(t) - E, cap), all modulo 2^64. A charge moves E forward
// by the cost; refill needs no write at all, which is what lets one CAS carry key and state.
// The clock is jiffies * CPJ in packets mode (the kernel's credits) and 1/256 ns in bytes mode.
// An entry left untouched for about a day (2^64 clock units) would wrap: expire_step forgets
// full-credit entries long before that.

inline uint64_t limit_clock(const LimitProfile& p, uint64_t now_ns) {
  return p.mode == LimitMode::packets ? now_ns / p.ns_per_jiffy * p.credits_per_jiffy : now_ns << 8;
}

inline uint64_t limit_cap(const LimitProfile& p) { return p.cap; }

// bytes is the IP total length; packets mode ignores it (every packet costs the same).
inline uint64_t limit_cost(const LimitProfile& p, uint32_t bytes) {
  return p.cost + uint64_t(bytes) * p.cost_per_byte;
}

// Workers read their clocks at different times, so a state may have been written at a clock
// slightly ahead of the reader's. Differences within this margin of 2^64 are "behind", not a
// day of refill: about 4 s of jiffies (packets) or 4.3 s (bytes).
inline uint64_t limit_skew(const LimitProfile& p) { return p.skew; }

inline uint64_t limit_credit(const LimitProfile& p, uint64_t state, uint64_t clock) {
  const uint64_t credit = clock - state;
  if (credit > ~uint64_t(0) - limit_skew(p)) return 0;  // the writer's clock was ahead of ours
  return credit < limit_cap(p) ? credit : limit_cap(p);
}

// A key seen for the first time starts with full credit, as in the kernel.
inline uint64_t limit_fresh_state(const LimitProfile& p, uint64_t clock) {
  return clock - limit_cap(p);
}

// Charges cost to state at clock: true and the new state when it fits. An over-limit packet
// leaves the state alone (the kernel does not charge a dropped packet).
inline bool limit_charge(const LimitProfile& p, uint64_t& state, uint64_t cost, uint64_t clock) {
  const uint64_t credit = limit_credit(p, state, clock);
  if (credit < cost) return false;
  state = clock - (credit - cost);
  return true;
}

}  // namespace ampguard
