// The first field in which two PacketViews differ, for the tests and fuzzers that check a view
// updated in place (make_tc_reply) against a fresh parse of the same frame.
#pragma once

#include <cstring>

#include "dataplane/packet_parse.hpp"

namespace ampguard::test {

// "" when every field agrees; addresses compared over the L3's length (IPv4 uses 4 bytes).
inline const char* view_difference(const PacketView& a, const PacketView& b) {
#define AMPGUARD_SAME(field) \
  if (a.field != b.field) return #field
  AMPGUARD_SAME(status);
  AMPGUARD_SAME(l3);
  AMPGUARD_SAME(vlan_count);
  AMPGUARD_SAME(l4_proto);
  AMPGUARD_SAME(has_udp);
  AMPGUARD_SAME(is_fragment);
  AMPGUARD_SAME(more_fragments);
  AMPGUARD_SAME(has_dns);
  AMPGUARD_SAME(ether_type);
  AMPGUARD_SAME(l3_offset);
  AMPGUARD_SAME(l4_offset);
  AMPGUARD_SAME(ip_header_len);
  AMPGUARD_SAME(ip_total_len);
  AMPGUARD_SAME(frag_offset);
  AMPGUARD_SAME(frag_header_offset);
  AMPGUARD_SAME(frag_id);
  AMPGUARD_SAME(src_port);
  AMPGUARD_SAME(dst_port);
  AMPGUARD_SAME(udp_len);
  AMPGUARD_SAME(payload_offset);
  AMPGUARD_SAME(dns.id);
  AMPGUARD_SAME(dns.flags);
  AMPGUARD_SAME(dns.qdcount);
  AMPGUARD_SAME(dns.ancount);
  AMPGUARD_SAME(dns.nscount);
  AMPGUARD_SAME(dns.arcount);
  AMPGUARD_SAME(dns.qname_offset);
  AMPGUARD_SAME(dns.qname_len);
  AMPGUARD_SAME(dns.qtype);
  AMPGUARD_SAME(dns.qclass);
  AMPGUARD_SAME(dns.question_end);
  AMPGUARD_SAME(dns.opt_offset);
#undef AMPGUARD_SAME
  const size_t n = a.l3 == L3::ipv4 ? 4 : 16;
  if (std::memcmp(a.src.data(), b.src.data(), n) != 0) return "src";
  if (std::memcmp(a.dst.data(), b.dst.data(), n) != 0) return "dst";
  return "";
}

}  // namespace ampguard::test
