// Aggregate limits (limit.aggregate-v4, limit.aggregate-v6): every large response that passes its
// destination's limit is also charged to the destination's covering prefixes, each a token bucket
// whose rate and burst are a multiple of the per-destination ones, as Knot DNS's rate limiting
// counts several prefix lengths at once. An attack spread over many addresses of one prefix (more
// victims than any table holds) is then limited as a whole; the prefix itself is never
// blocklisted, and destinations outside it are untouched.
#pragma once

#include <array>
#include <cstdint>

#include "dataplane/flow_key.hpp"
#include "dataplane/packet_parse.hpp"
#include "dataplane/rate_limit.hpp"

namespace ampguard {

inline constexpr unsigned kMaxAggregateLevels = 2;

// One covering prefix length and its bucket: the ns token bucket (make_pressure_profile) whose
// unit is a packet in packets mode and a byte in bytes mode, as the pressure budget's.
struct AggregateLevel {
  uint8_t prefix = 0;
  uint32_t multiple = 0;  // of the per-destination rate and burst (for the effective config)
  LimitProfile profile{.mode = LimitMode::bytes};
};

struct AggregateLimits {
  AggregateLevel v4[kMaxAggregateLevels], v6[kMaxAggregateLevels];
  uint8_t n_v4 = 0, n_v6 = 0;

  unsigned count(L3 l3) const { return l3 == L3::ipv4 ? n_v4 : n_v6; }
  const AggregateLevel* levels(L3 l3) const { return l3 == L3::ipv4 ? v4 : v6; }
  // The level an aggregate key was made for, or nullptr when a reload has dropped it.
  const AggregateLevel* level_of(FlowKey key) const;
};

// A prefix's key: its address bits and its length, so a /24 and the /16 that starts at the same
// address differ. IPv4 keeps flow_key_v4's 0xffff marker with the length above it; IPv6 (at most
// /56) has the length in its low byte, which no /56 or shorter prefix uses.
inline FlowKey aggregate_key(L3 l3, const std::array<uint8_t, 16>& addr, unsigned prefix) {
  if (l3 == L3::ipv4) return flow_key_v4(load_be32(addr.data()), prefix) | uint64_t(prefix) << 48;
  return flow_key_v6(addr.data(), prefix) | prefix;
}

inline bool aggregate_key_is_v4(FlowKey key) { return (key >> 32 & 0xffff) == 0xffff && key >> 56 == 0; }

inline const AggregateLevel* AggregateLimits::level_of(FlowKey key) const {
  const bool is_v4 = aggregate_key_is_v4(key);
  const unsigned prefix = is_v4 ? unsigned(key >> 48 & 0xff) : unsigned(key & 0xff);
  const AggregateLevel* l = is_v4 ? v4 : v6;
  for (unsigned i = 0, n = is_v4 ? n_v4 : n_v6; i < n; ++i)
    if (l[i].prefix == prefix) return &l[i];
  return nullptr;
}

}  // namespace ampguard
