// libFuzzer target: the parser (parse_frame, parse_dns, find_opt_after_question) on any bytes.
//
// Beyond "no crash and no read past the frame" (ASan sees the exact-size input buffer), it
// checks that every offset the parser reports lies inside the frame and inside the IP packet,
// that the fields agree with each other, that the parser never writes to the frame, and that
// parsing is deterministic.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <tuple>
#include <vector>

#include "dataplane/packet_parse.hpp"
#include "fuzz/fuzz_checks.hpp"

using namespace ampguard;
using fuzz::check;

namespace {

void check_view(const uint8_t* f, uint32_t len, const PacketView& v) {
  check(v.status < ParseStatus::count, "status is a known value");
  if (v.l3 == L3::none) {
    check(!v.has_udp && !v.has_dns, "no UDP or DNS without IP");
    return;
  }
  const uint32_t ip_end = uint32_t(v.l3_offset) + v.ip_total_len;
  check(ip_end <= len, "IP packet within the frame");
  check(v.l3_offset >= 14 && v.l3_offset == 14 + 4u * v.vlan_count, "L3 after the L2 tags");
  check(v.vlan_count <= 2, "at most two VLAN tags");
  const bool l4_known = v.status == ParseStatus::ok || v.has_udp ||
                        v.status == ParseStatus::truncated_udp ||
                        v.status == ParseStatus::bad_udp_length;
  if (l4_known) {
    check(v.l4_offset == v.l3_offset + v.ip_header_len, "l4 offset = l3 offset + header length");
    check(v.l4_offset <= ip_end, "L4 within the IP packet");
  }
  if (l4_known && v.frag_header_offset != 0)
    check(v.frag_header_offset + 8u <= v.l4_offset, "fragment header before L4");
  if (!v.has_udp) {
    check(!v.has_dns, "no DNS without UDP");
    return;
  }
  check(v.l4_proto == kIpProtoUdp && v.frag_offset == 0, "UDP only in a first or whole packet");
  check(v.payload_offset == v.l4_offset + 8u, "payload after the UDP header");
  check(v.udp_len >= 8, "UDP length covers its header");
  check(v.more_fragments || uint32_t(v.l4_offset) + v.udp_len <= ip_end,
        "whole datagram within the IP packet");
  check(v.payload_in_frame() == ip_end - v.payload_offset, "payload_in_frame agrees");
  if (!v.has_dns) return;
  const DnsView& d = v.dns;
  check(v.status == ParseStatus::ok, "DNS parsed only with status ok");
  check(d.qdcount != 0, "a question needs QDCOUNT >= 1");
  check(d.qname_offset == v.payload_offset + kDnsHeaderLen, "question after the header");
  check(d.qname_len >= 1 && d.qname_len <= 255, "name length 1..255");
  check(d.question_end == d.qname_offset + d.qname_len + 4u, "question end = name + 4");
  check(d.question_end <= ip_end, "question within the IP packet");
  check(f[d.question_end - 5] == 0, "name ends with the root label");
  check(d.qtype == load_be16(f + d.question_end - 4), "qtype read from the question");
  const uint16_t opt = find_opt_after_question(f, v);
  if (opt != 0) {
    check(opt == d.question_end, "OPT right after the question");
    check(opt + 11u + load_be16(f + opt + 9) <= ip_end, "OPT within the IP packet");
  }
}

// Every field, so that padding bytes never enter the comparison.
auto fields(const PacketView& v) {
  const DnsView& d = v.dns;
  return std::tuple(v.status, v.l3, v.vlan_count, v.l4_proto, v.has_udp, v.is_fragment,
                    v.more_fragments, v.has_dns, v.ether_type, v.l3_offset, v.l4_offset,
                    v.ip_header_len, v.ip_total_len, v.frag_offset, v.frag_header_offset, v.frag_id,
                    v.src_port, v.dst_port, v.udp_len, v.payload_offset, v.src, v.dst, d.id,
                    d.flags, d.qdcount, d.ancount, d.nscount, d.arcount, d.qname_offset,
                    d.qname_len, d.qtype, d.qclass, d.question_end);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An mbuf's data length is 16 bits: nothing longer ever reaches the parser.
  if (size > 0xffff) return 0;
  const uint32_t len = uint32_t(size);
  const std::vector<uint8_t> before(data, data + size);
  PacketView v;
  parse_frame(data, len, v);
  const PacketView l4 = v;
  parse_dns(data, v);
  check_view(data, len, v);
  // Deterministic: a second parse of the same bytes gives the same view.
  PacketView again = parse_frame(data, len);
  check(fields(again) == fields(l4), "parse_frame is deterministic");
  parse_dns(data, again);
  check(fields(again) == fields(v), "parse_dns is deterministic");
  check(std::equal(before.begin(), before.end(), data), "the parser never writes the frame");
  return 0;
}
