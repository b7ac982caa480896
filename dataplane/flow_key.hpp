// 64-bit keys for the shared tables: a destination or source masked to its limit prefix.
//
// IPv4 /p keys live at 0:0:ffff:a.b.c.d/64 (inside ::/8, which never routes), IPv6 keys are
// the address's top 64 bits masked to p <= 64. Both fit one word, so a table entry
// {key, state} is 16 bytes and is updated with one 128-bit compare-and-swap.
#pragma once

#include <array>
#include <cstdint>

#include "dataplane/packet_parse.hpp"

namespace ampguard {

using FlowKey = uint64_t;
inline constexpr FlowKey kEmptyKey = 0;
inline constexpr unsigned kMaxPrefixV6 = 64;
inline constexpr unsigned kMinPrefixV6 = 16;  // keeps every key non-zero (no ::/16 unicast)

inline FlowKey flow_key_v4(uint32_t addr, unsigned prefix) {
  const uint32_t mask = prefix == 0 ? 0 : ~uint32_t(0) << (32 - prefix);
  return (uint64_t(0xffff) << 32) | (addr & mask);
}

inline FlowKey flow_key_v6(const uint8_t* addr, unsigned prefix) {
  uint64_t hi = 0;
  for (int i = 0; i < 8; ++i) hi = hi << 8 | addr[i];
  const uint64_t mask = prefix >= 64 ? ~uint64_t(0) : ~uint64_t(0) << (64 - prefix);
  const FlowKey k = hi & mask;
  return k == kEmptyKey ? 1 : k;  // ::/16 is never a real peer; stay off the empty marker
}

inline FlowKey flow_key(L3 l3, const std::array<uint8_t, 16>& addr, unsigned prefix_v4,
                        unsigned prefix_v6) {
  return l3 == L3::ipv4 ? flow_key_v4(load_be32(addr.data()), prefix_v4)
                        : flow_key_v6(addr.data(), prefix_v6);
}

inline bool flow_key_is_v4(FlowKey k) { return (k >> 32) == 0xffff; }

}  // namespace ampguard
