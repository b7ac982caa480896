// Property checks shared by the libFuzzer targets: an independent checksum verifier for
// rewritten frames and an abort that names the broken property.
//
// The sums are computed here, byte by byte, not with DPDK's helpers that the code under test
// uses, so a wrong checksum cannot agree with itself.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "dataplane/packet_parse.hpp"

namespace ampguard::fuzz {

// Aborts with the property's name: libFuzzer then saves the input as a crash artifact.
[[noreturn]] inline void fail(const char* property) {
  std::fprintf(stderr, "fuzz property violated: %s\n", property);
  std::abort();
}

inline void check(bool ok, const char* property) {
  if (!ok) fail(property);
}

// RFC 1071 sum of big-endian 16-bit words, an odd last byte padded with zero.
inline uint32_t ones_sum(const uint8_t* p, uint32_t n, uint32_t acc = 0) {
  for (uint32_t i = 0; i + 1 < n; i += 2) acc += uint32_t(p[i]) << 8 | p[i + 1];
  if (n % 2 != 0) acc += uint32_t(p[n - 1]) << 8;
  return acc;
}

inline uint16_t fold(uint32_t acc) {
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >> 16);
  return uint16_t(acc);
}

// Checks a frame a rewriter produced: it re-parses with status ok and a DNS question, its IP
// packet ends exactly at the frame's end, the UDP datagram fills the IP packet, and the IPv4
// header checksum and the UDP checksum verify. Pseudo-header addresses are the IP header's
// (dns_actions.hpp: a routing header's final destination is not looked up).
inline void check_rewritten(const uint8_t* f, uint32_t len) {
  PacketView v = parse_frame(f, len);
  check(v.status == ParseStatus::ok && v.has_udp, "rewritten frame parses to UDP");
  check(parse_dns(f, v) && v.status == ParseStatus::ok, "rewritten frame has a DNS question");
  check(!v.is_fragment, "rewritten frame is not a fragment");
  const uint32_t ip_end = uint32_t(v.l3_offset) + v.ip_total_len;
  check(ip_end == len, "rewritten IP packet ends at the frame's end");
  check(uint32_t(v.l4_offset) + v.udp_len == ip_end, "rewritten UDP length fills the packet");
  const uint8_t* ip = f + v.l3_offset;
  uint32_t pseudo;
  if (v.l3 == L3::ipv4) {
    check(fold(ones_sum(ip, v.ip_header_len)) == 0xffff, "IPv4 header checksum verifies");
    pseudo = ones_sum(ip + 12, 8);
  } else {
    pseudo = ones_sum(ip + 8, 32);
  }
  pseudo += kIpProtoUdp + v.udp_len;
  const uint8_t* udp = f + v.l4_offset;
  check(!(udp[6] == 0 && udp[7] == 0), "rewritten UDP checksum is not the 'none' value");
  check(fold(ones_sum(udp, v.udp_len, pseudo)) == 0xffff, "UDP checksum verifies");
}

}  // namespace ampguard::fuzz
