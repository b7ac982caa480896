// Bounds-checked, allocation-free parser for the frames ampguard judges.
//
// parse_frame() walks Ethernet (up to two VLAN tags), IPv4 (options, fragments) or IPv6 (the
// extension-header chain, fragments) and UDP. parse_dns() then reads the DNS header and the
// first question of a UDP payload. Neither ever reads past `len`; a defect is reported in
// `status` and the fields before it stay valid, so callers can still forward the frame.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "dataplane/parse_status.hpp"

namespace ampguard {

inline constexpr uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr uint16_t kEtherTypeIpv6 = 0x86dd;
inline constexpr uint16_t kEtherTypeVlan = 0x8100;
inline constexpr uint16_t kEtherTypeQinQ = 0x88a8;
inline constexpr uint16_t kEtherTypeQinQ9100 = 0x9100;
inline constexpr uint8_t kIpProtoUdp = 17;
inline constexpr uint16_t kIpv4HeaderLen = 20;  // without options
inline constexpr uint16_t kIpv6HeaderLen = 40;
inline constexpr uint16_t kUdpHeaderLen = 8;
inline constexpr uint8_t kIpv6NextFragment = 44;
inline constexpr uint8_t kIpv6NextAh = 51;
inline constexpr uint16_t kIpv6FragmentHeaderLen = 8;
inline constexpr uint16_t kIpv6ExtensionMinLen = 8;  // every extension header is at least this
inline constexpr uint16_t kDnsHeaderLen = 12;
inline constexpr uint16_t kDnsTypeOpt = 41;
inline constexpr uint16_t kDnsTypeAny = 255;

enum class L3 : uint8_t { none, ipv4, ipv6 };

// What the first question of a DNS message says, with offsets relative to the frame start.
struct DnsView {
  uint16_t id = 0;
  uint16_t flags = 0;
  uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
  uint16_t qname_offset = 0;  // first byte of the question name
  uint16_t qname_len = 0;     // wire length of the name, including the root label
  uint16_t qtype = 0, qclass = 0;
  uint16_t question_end = 0;  // first byte after QTYPE/QCLASS
  uint16_t opt_offset = 0;    // an EDNS OPT record right after the question (queries), or 0
  bool is_response() const { return (flags & 0x8000) != 0; }
};

// Fields up to payload_offset are reset by every parse; src and dst are valid when l3 says so
// (IPv4: the first 4 bytes), dns when has_dns does.
struct PacketView {
  ParseStatus status = ParseStatus::ok;
  L3 l3 = L3::none;
  uint8_t vlan_count = 0;
  uint8_t l4_proto = 0;      // final next-header / protocol
  bool has_udp = false;      // UDP header present and parsed (first or only fragment)
  bool is_fragment = false;  // IPv4 MF/offset or an IPv6 fragment header
  bool more_fragments = false;
  bool has_dns = false;     // set by parse_dns() when header and first question parsed
  uint16_t ether_type = 0;  // after the VLAN tags
  uint16_t l3_offset = 0;
  uint16_t l4_offset = 0;           // after IPv4 options / IPv6 extension headers
  uint16_t ip_header_len = 0;       // l4_offset - l3_offset
  uint16_t ip_total_len = 0;        // IPv4 total length; IPv6 40 + payload length
  uint16_t frag_offset = 0;         // in bytes
  uint16_t frag_header_offset = 0;  // IPv6 fragment header position, 0 if none
  uint32_t frag_id = 0;
  uint16_t src_port = 0, dst_port = 0, udp_len = 0;
  uint16_t payload_offset = 0;    // UDP payload
  std::array<uint8_t, 16> src{};  // IPv4 uses the first 4 bytes, network order
  std::array<uint8_t, 16> dst{};
  DnsView dns{};

  bool first_fragment() const { return is_fragment && frag_offset == 0; }
  bool later_fragment() const { return is_fragment && frag_offset != 0; }
  // Bytes of UDP payload present in this frame (less than udp_len - 8 for a first fragment).
  uint16_t payload_in_frame() const { return uint16_t(l3_offset + ip_total_len - payload_offset); }
  uint32_t src_v4() const { return uint32_t(src[0]) << 24 | src[1] << 16 | src[2] << 8 | src[3]; }
  uint32_t dst_v4() const { return uint32_t(dst[0]) << 24 | dst[1] << 16 | dst[2] << 8 | dst[3]; }
};

inline uint16_t load_be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t load_be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

// Length of the IPv6 extension header h whose type is nh (not the fragment header, fixed 8):
// AH counts 4-byte units less 2, the others 8-byte units less 1 (RFC 4302, RFC 8200).
inline uint32_t ipv6_extension_len(uint8_t nh, const uint8_t* h) {
  return nh == kIpv6NextAh ? (uint32_t(h[1]) + 2) * 4 : (uint32_t(h[1]) + 1) * 8;
}

namespace detail {

inline bool parse_udp(const uint8_t* frame, uint32_t ip_end, PacketView& v) {
  if (uint32_t(v.l4_offset) + kUdpHeaderLen > ip_end) {
    v.status = ParseStatus::truncated_udp;
    return false;
  }
  const uint8_t* u = frame + v.l4_offset;
  v.src_port = load_be16(u);
  v.dst_port = load_be16(u + 2);
  v.udp_len = load_be16(u + 4);
  v.payload_offset = uint16_t(v.l4_offset + kUdpHeaderLen);
  // A first fragment carries only part of the datagram: its UDP length may exceed the packet.
  uint32_t room = v.more_fragments ? 0xffff : ip_end - v.l4_offset;
  if (v.udp_len < kUdpHeaderLen || v.udp_len > room) {
    v.status = ParseStatus::bad_udp_length;
    return false;
  }
  v.has_udp = true;
  return true;
}

inline bool parse_ipv4(const uint8_t* frame, uint32_t len, PacketView& v) {
  const uint32_t off = v.l3_offset;
  if (off + kIpv4HeaderLen > len) {
    v.status = ParseStatus::truncated_ipv4;
    return false;
  }
  const uint8_t* ip = frame + off;
  const uint16_t ihl = uint16_t((ip[0] & 0x0f) * 4);
  if ((ip[0] >> 4) != 4 || ihl < kIpv4HeaderLen) {
    v.status = ParseStatus::bad_ipv4_ihl;
    return false;
  }
  if (off + ihl > len) {
    v.status = ParseStatus::truncated_ipv4;
    return false;
  }
  v.ip_total_len = load_be16(ip + 2);
  if (v.ip_total_len < ihl || off + v.ip_total_len > len) {
    v.status = ParseStatus::bad_ipv4_total_length;
    return false;
  }
  v.l3 = L3::ipv4;
  v.l4_proto = ip[9];
  std::memcpy(v.src.data(), ip + 12, 4);
  std::memcpy(v.dst.data(), ip + 16, 4);
  const uint16_t frag = load_be16(ip + 6);
  v.more_fragments = (frag & 0x2000) != 0;
  v.frag_offset = uint16_t((frag & 0x1fff) * 8);
  v.is_fragment = v.more_fragments || v.frag_offset != 0;
  v.frag_id = load_be16(ip + 4);
  v.ip_header_len = ihl;
  v.l4_offset = uint16_t(off + ihl);
  return true;
}

// Hop-by-hop, routing, fragment, destination options, AH, mobility, HIP, shim6 (RFC 7045).
inline bool is_ipv6_extension(uint8_t nh) {
  return nh == 0 || nh == 43 || nh == kIpv6NextFragment || nh == 60 || nh == kIpv6NextAh ||
         nh == 135 || nh == 139 || nh == 140;
}

inline bool parse_ipv6(const uint8_t* frame, uint32_t len, PacketView& v) {
  const uint32_t off = v.l3_offset;
  if (off + kIpv6HeaderLen > len) {
    v.status = ParseStatus::truncated_ipv6;
    return false;
  }
  const uint8_t* ip = frame + off;
  const uint32_t total = kIpv6HeaderLen + load_be16(ip + 4);
  if ((ip[0] >> 4) != 6 || off + total > len) {
    v.status = ParseStatus::bad_ipv6_payload_length;
    return false;
  }
  v.l3 = L3::ipv6;
  v.ip_total_len = uint16_t(total);  // jumbograms (payload length 0) are not ours: total 40
  std::memcpy(v.src.data(), ip + 8, 16);
  std::memcpy(v.dst.data(), ip + 24, 16);
  const uint32_t end = off + total;
  uint32_t pos = off + kIpv6HeaderLen;
  uint8_t nh = ip[6];
  // A bounded walk: a chain that loops or runs long is a defect, never a stall.
  constexpr int kMaxExtensions = 8;
  int seen = 0;
  while (is_ipv6_extension(nh)) {
    if (++seen > kMaxExtensions) {
      v.status = ParseStatus::ipv6_extension_chain_too_long;
      return false;
    }
    if (pos + kIpv6ExtensionMinLen > end) {  // 59, no next header, is not an extension
      v.status = ParseStatus::truncated_ipv6_extension;
      return false;
    }
    const uint8_t* h = frame + pos;
    uint32_t hlen;
    if (nh == kIpv6NextFragment) {
      const uint16_t fo = load_be16(h + 2);
      v.is_fragment = true;
      v.frag_header_offset = uint16_t(pos);
      v.frag_offset = uint16_t(fo & 0xfff8);
      v.more_fragments = (fo & 1) != 0;
      v.frag_id = load_be32(h + 4);
      hlen = kIpv6FragmentHeaderLen;
    } else {
      hlen = ipv6_extension_len(nh, h);
    }
    if (pos + hlen > end) {
      v.status = ParseStatus::truncated_ipv6_extension;
      return false;
    }
    nh = h[0];
    pos += hlen;
  }
  v.l4_proto = nh;
  v.l4_offset = uint16_t(pos);
  v.ip_header_len = uint16_t(pos - off);
  return true;
}

}  // namespace detail

// Parses L2 to L4 into v (reset first). Never reads beyond frame[len - 1]. Filling the
// caller's view in place spares the hot path a copy of it per packet.
inline void parse_frame(const uint8_t* frame, uint32_t len, PacketView& v) {
  // Only the fields before the addresses are reset: they say which of the rest are valid
  // (l3, has_udp, has_dns), and a full reset of the view costs more than the parse itself.
  std::memset(static_cast<void*>(&v), 0, offsetof(PacketView, src));
  if (len < 14) {
    v.status = ParseStatus::truncated_ethernet;
    return;
  }
  uint32_t off = 12;
  uint16_t type = load_be16(frame + off);
  while (type == kEtherTypeVlan || type == kEtherTypeQinQ || type == kEtherTypeQinQ9100) {
    if (v.vlan_count == 2) {
      v.status = ParseStatus::too_many_vlans;
      return;
    }
    if (off + 6 > len) {
      v.status = ParseStatus::truncated_vlan;
      return;
    }
    ++v.vlan_count;
    off += 4;
    type = load_be16(frame + off);
  }
  v.ether_type = type;
  v.l3_offset = uint16_t(off + 2);
  if (type == kEtherTypeIpv4) {
    if (!detail::parse_ipv4(frame, len, v)) return;
  } else if (type == kEtherTypeIpv6) {
    if (!detail::parse_ipv6(frame, len, v)) return;
  } else {
    return;  // ARP, LLDP, ...: fine, not ours
  }
  if (v.l4_proto == kIpProtoUdp && v.frag_offset == 0)
    detail::parse_udp(frame, uint32_t(v.l3_offset) + v.ip_total_len, v);
}

inline PacketView parse_frame(const uint8_t* frame, uint32_t len) {
  PacketView v;
  parse_frame(frame, len, v);
  return v;
}

inline uint16_t find_opt_after_question(const uint8_t* frame, const PacketView& v);

// Reads the DNS header and the first question of v's UDP payload. Returns v.has_dns.
// The question name must be uncompressed (RFC 1035 4.1.2 has no reason to point), labels
// <= 63 bytes, name <= 255 bytes; the loop is bounded by the name limit.
inline bool parse_dns(const uint8_t* frame, PacketView& v) {
  if (!v.has_udp) return false;
  const uint32_t end = uint32_t(v.l3_offset) + v.ip_total_len;  // this fragment's end
  const uint32_t off = v.payload_offset;
  if (off + kDnsHeaderLen > end) {
    v.status = ParseStatus::truncated_dns_header;
    return false;
  }
  const uint8_t* h = frame + off;
  DnsView& d = v.dns;
  d.id = load_be16(h);
  d.flags = load_be16(h + 2);
  d.qdcount = load_be16(h + 4);
  d.ancount = load_be16(h + 6);
  d.nscount = load_be16(h + 8);
  d.arcount = load_be16(h + 10);
  if (d.qdcount == 0) {
    v.status = ParseStatus::dns_no_question;
    return false;
  }
  uint32_t pos = off + kDnsHeaderLen;
  d.qname_offset = uint16_t(pos);
  uint32_t name_len = 0;
  for (;;) {
    if (pos >= end) {
      v.status = ParseStatus::truncated_dns_question;
      return false;
    }
    const uint8_t label = frame[pos];
    if (label > 63) {  // a pointer (0xc0) or a reserved label type
      v.status = ParseStatus::dns_bad_qname;
      return false;
    }
    name_len += label + 1u;
    if (name_len > 255) {
      v.status = ParseStatus::dns_bad_qname;
      return false;
    }
    pos += label + 1u;
    if (label == 0) break;
  }
  if (pos + 4 > end) {
    v.status = ParseStatus::truncated_dns_question;
    return false;
  }
  d.qname_len = uint16_t(name_len);
  d.qtype = load_be16(frame + pos);
  d.qclass = load_be16(frame + pos + 2);
  d.question_end = uint16_t(pos + 4);
  v.has_dns = true;
  d.opt_offset = find_opt_after_question(frame, v);
  return true;
}

// Finds an OPT record among the additional records of a message whose only other records are
// the first question (a query, or a response already stripped of answers). Returns its
// offset or 0. Bounded by the message end; names must be the root (OPT owner) or pointers.
inline uint16_t find_opt_after_question(const uint8_t* frame, const PacketView& v) {
  const DnsView& d = v.dns;
  if (!v.has_dns || d.qdcount != 1 || d.ancount != 0 || d.nscount != 0 || d.arcount == 0) return 0;
  const uint32_t end = uint32_t(v.l3_offset) + v.ip_total_len;
  uint32_t pos = d.question_end;
  // OPT has the root name: one zero byte, then TYPE 41.
  if (pos + 11 > end || frame[pos] != 0 || load_be16(frame + pos + 1) != kDnsTypeOpt) return 0;
  const uint16_t rdlen = load_be16(frame + pos + 9);
  if (pos + 11 + rdlen > end) return 0;
  return uint16_t(pos);
}

}  // namespace ampguard
