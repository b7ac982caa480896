// In-place DNS rewrites: the TC=1 reply to a query and the truncated form of a response.
//
// Both work on the frame a worker received, bounded by what parse_frame()/parse_dns() found:
// every record walk is bounded by the message end, names are skipped without following
// pointers, and the rewritten message is always built at or before the bytes it replaces.
#include "dataplane/dns_actions.hpp"

#include <rte_ip.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>

namespace ampguard {
namespace {

constexpr uint16_t kFlagQr = 0x8000;
constexpr uint16_t kOpcodeMask = 0x7800;
constexpr uint16_t kFlagTc = 0x0200;
constexpr uint16_t kFlagRd = 0x0100;
constexpr uint16_t kFlagCd = 0x0010;
constexpr uint16_t kEdnsDoBit = 0x8000;
constexpr uint16_t kIpv4MoreFragments = 0x2000;
constexpr uint32_t kOptLen = 11;      // root owner, type, class, TTL, RDLENGTH 0
constexpr uint32_t kRrFixedLen = 10;  // type, class, TTL, RDLENGTH after the owner name
constexpr uint8_t kReplyTtl = 64;

void store_be16(uint8_t* p, uint16_t x) {
  p[0] = uint8_t(x >> 8);
  p[1] = uint8_t(x);
}

// Returns the offset just past the name at pos, or 0 when it runs past end or uses a
// reserved label type. Pointers end a name and are skipped, never followed.
uint32_t skip_name(const uint8_t* frame, uint32_t pos, uint32_t end) {
  // Every step advances pos and pos < end is checked each time: bounded by the message.
  while (pos < end) {
    const uint8_t label = frame[pos];
    if (label == 0) return pos + 1;
    if ((label & 0xc0) == 0xc0) return pos + 2 <= end ? pos + 2 : 0;
    if (label > 63) return 0;
    pos += label + 1u;
  }
  return 0;
}

struct Record {
  uint32_t start = 0, end = 0;
  uint16_t type = 0;
  bool root_owner = false;  // owner name is the single root byte, as OPT requires
};

// Reads the resource record at pos; false when any part of it lies at or past end.
bool walk_record(const uint8_t* frame, uint32_t pos, uint32_t end, Record& r) {
  const uint32_t fixed = skip_name(frame, pos, end);
  if (fixed == 0 || fixed + kRrFixedLen > end) return false;
  const uint32_t rr_end = fixed + kRrFixedLen + load_be16(frame + fixed + 8);
  if (rr_end > end) return false;
  r.start = pos;
  r.end = rr_end;
  r.type = load_be16(frame + fixed);
  r.root_owner = fixed == pos + 1;
  return true;
}

void write_counts(uint8_t* dns, uint16_t flags, uint16_t arcount) {
  store_be16(dns + 2, flags);
  store_be16(dns + 4, 1);
  store_be16(dns + 6, 0);
  store_be16(dns + 8, 0);
  store_be16(dns + 10, arcount);
}

// Sets the IPv4 total length and recomputes the header checksum (options included).
void finish_ipv4(uint8_t* ip, uint16_t total_len) {
  store_be16(ip + 2, total_len);
  store_be16(ip + 10, 0);
  // rte_ipv4_cksum sums native 16-bit words, so its result is already in wire order.
  const uint16_t sum = rte_ipv4_cksum(reinterpret_cast<const rte_ipv4_hdr*>(ip));
  std::memcpy(ip + 10, &sum, 2);
}

// Sets the UDP length and checksum. For IPv6 the pseudo-header comes from a copy of the fixed
// header with next header UDP and payload length = UDP length, so extension headers that stay
// between them do not enter the sum.
void finish_udp(uint8_t* ip, L3 l3, uint8_t* udp, uint16_t udp_len) {
  store_be16(udp + 4, udp_len);
  store_be16(udp + 6, 0);
  uint16_t sum;
  if (l3 == L3::ipv4) {
    sum = rte_ipv4_udptcp_cksum(reinterpret_cast<const rte_ipv4_hdr*>(ip), udp);
  } else {
    rte_ipv6_hdr pseudo;
    std::memcpy(&pseudo, ip, sizeof(pseudo));
    pseudo.proto = kIpProtoUdp;
    pseudo.payload_len = rte_cpu_to_be_16(udp_len);
    sum = rte_ipv6_udptcp_cksum(&pseudo, udp);
  }
  std::memcpy(udp + 6, &sum, 2);
}

template <size_t N>
void swap_bytes(uint8_t* a, uint8_t* b) {
  uint8_t tmp[N];
  std::memcpy(tmp, a, N);
  std::memcpy(a, b, N);
  std::memcpy(b, tmp, N);
}

// Describes the rewritten frame: re-parsing is exact and cheap next to the rewrite itself.
void reparse(const uint8_t* frame, uint32_t len, PacketView& v) {
  v = parse_frame(frame, len);
  parse_dns(frame, v);
}

// The TC reply's view from its query's: only what the rewrite changed, so a reply under attack
// is not parsed again (the parse was 5 % of the attack mix). Tests and the fuzzer compare the
// result with a fresh parse of the reply, field by field (support/view_difference.hpp).
void describe_tc_reply(const uint8_t* frame, uint16_t ip_len, uint16_t dns_len, uint16_t flags,
                       bool opt, PacketView& v) {
  const uint16_t old_payload = v.payload_offset;
  std::swap(v.src, v.dst);
  std::swap(v.src_port, v.dst_port);
  v.status = ParseStatus::ok;
  v.ip_header_len = ip_len;
  v.l4_offset = uint16_t(v.l3_offset + ip_len);
  v.ip_total_len = uint16_t(ip_len + kUdpHeaderLen + dns_len);
  v.udp_len = uint16_t(kUdpHeaderLen + dns_len);
  v.payload_offset = uint16_t(v.l4_offset + kUdpHeaderLen);
  DnsView& d = v.dns;
  d.flags = flags;
  d.qdcount = 1;
  d.ancount = d.nscount = 0;
  d.arcount = opt ? 1 : 0;
  // The question moved with the payload (IPv4 options or IPv6 extension headers dropped).
  d.qname_offset = uint16_t(d.qname_offset - old_payload + v.payload_offset);
  d.question_end = uint16_t(d.question_end - old_payload + v.payload_offset);
  d.opt_offset = find_opt_after_question(frame, v);
}

}  // namespace

RewriteResult make_tc_reply(uint8_t* frame, uint32_t len, PacketView& v, uint16_t edns_udp_size,
                            uint32_t* new_len) {
  if (v.is_fragment) return RewriteResult::fragmented;
  const DnsView& d = v.dns;
  // A stale view must never make us write past the frame.
  if (!v.has_dns || uint32_t(v.l3_offset) + v.ip_total_len > len) return RewriteResult::not_a_query;
  if (d.is_response() || (d.flags & kOpcodeMask) != 0) return RewriteResult::not_a_query;
  if (d.qdcount != 1) return RewriteResult::multi_question;
  if (d.ancount != 0 || d.nscount != 0) return RewriteResult::malformed_body;
  const uint32_t msg_end = uint32_t(v.payload_offset) + v.udp_len - kUdpHeaderLen;
  // parse_dns() bounds the question by the IP packet; the UDP length may say less.
  if (d.question_end > msg_end) return RewriteResult::not_a_query;

  // Look for the OPT among the first kOptSearchRecords additional records only: a query
  // stuffed with records must not cost more than a plain one (issue 15). An OPT further on
  // is not seen and the reply carries none.
  const uint8_t* opt = nullptr;
  uint32_t pos = d.question_end;
  const uint32_t walk = std::min<uint32_t>(d.arcount, kOptSearchRecords);
  for (uint32_t i = 0; i < walk; ++i) {
    Record r;
    if (!walk_record(frame, pos, msg_end, r)) return RewriteResult::malformed_body;
    if (r.type == kDnsTypeOpt) {
      // RFC 6891 6.1.1: one OPT at most, owned by the root.
      if (!r.root_owner || opt != nullptr) return RewriteResult::malformed_body;
      opt = frame + r.start;
    }
    pos = r.end;
  }

  const bool ipv4 = v.l3 == L3::ipv4;
  const uint16_t ip_len = ipv4 ? kIpv4HeaderLen : kIpv6HeaderLen;
  const uint32_t dns_len = d.question_end - v.payload_offset + (opt ? kOptLen : 0);
  const uint32_t reply_len = v.l3_offset + ip_len + kUdpHeaderLen + dns_len;
  // Never longer than the query: a bare IP header <= the query's, an 11-byte OPT <= its OPT.
  assert(reply_len <= uint32_t(v.l3_offset) + v.ip_total_len);

  uint8_t* dns = frame + v.payload_offset;
  const uint16_t flags = uint16_t(kFlagQr | kFlagTc | (d.flags & (kFlagRd | kFlagCd)));
  write_counts(dns, flags, opt ? 1 : 0);
  if (opt != nullptr) {
    // Read before writing: the fresh OPT may overlap the query's additional records.
    const uint8_t version = opt[6];
    const uint16_t do_bit = load_be16(opt + 7) & kEdnsDoBit;
    uint8_t* o = frame + d.question_end;
    o[0] = 0;
    store_be16(o + 1, kDnsTypeOpt);
    store_be16(o + 3, edns_udp_size);
    o[5] = 0;  // extended RCODE
    o[6] = version;
    store_be16(o + 7, do_bit);
    store_be16(o + 9, 0);
  }

  swap_bytes<6>(frame, frame + 6);
  uint8_t* ip = frame + v.l3_offset;
  uint8_t* udp = ip + ip_len;
  // Drop IPv4 options / IPv6 extension headers: the UDP datagram follows the bare header.
  std::memmove(udp, frame + v.l4_offset, kUdpHeaderLen + dns_len);
  store_be16(udp, v.dst_port);
  store_be16(udp + 2, v.src_port);
  if (ipv4) {
    ip[0] = 0x45;
    store_be16(ip + 6, 0);  // no DF, offset 0
    ip[8] = kReplyTtl;
    swap_bytes<4>(ip + 12, ip + 16);
    finish_ipv4(ip, uint16_t(ip_len + kUdpHeaderLen + dns_len));
  } else {
    store_be16(ip + 4, uint16_t(kUdpHeaderLen + dns_len));
    ip[6] = kIpProtoUdp;
    ip[7] = kReplyTtl;
    swap_bytes<16>(ip + 8, ip + 24);
  }
  finish_udp(ip, v.l3, udp, uint16_t(kUdpHeaderLen + dns_len));
  *new_len = reply_len;
  describe_tc_reply(frame, ip_len, uint16_t(dns_len), flags, opt != nullptr, v);
  return RewriteResult::done;
}

RewriteResult truncate_response(uint8_t* frame, uint32_t len, PacketView& v, uint32_t* new_len,
                                OptForm opt_form) {
  if (v.later_fragment()) return RewriteResult::fragmented;
  const DnsView& d = v.dns;
  const uint32_t ip_end = uint32_t(v.l3_offset) + v.ip_total_len;
  if (!v.has_dns || ip_end > len) return RewriteResult::not_a_query;
  if (!d.is_response()) return RewriteResult::not_a_response;
  if (d.qdcount != 1) return RewriteResult::multi_question;
  // A first fragment holds less than its UDP length announces.
  const uint32_t msg_end = std::min(uint32_t(v.payload_offset) + v.udp_len - kUdpHeaderLen, ip_end);
  if (d.question_end > msg_end) return RewriteResult::not_a_query;

  // Walk every record up to the first OPT in the additional section; a record that does not
  // fit ends the walk (records past a fragment are absent, not an error).
  const uint32_t before_additional = uint32_t(d.ancount) + d.nscount;
  const uint32_t records = before_additional + d.arcount;
  uint32_t pos = d.question_end;
  Record opt;
  for (uint32_t i = 0; i < records; ++i) {
    Record r;
    if (!walk_record(frame, pos, msg_end, r)) break;
    if (i >= before_additional && r.type == kDnsTypeOpt && r.root_owner) {
      opt = r;
      break;
    }
    pos = r.end;
  }
  const uint32_t opt_len =
      opt_form == OptForm::bare && opt.end != opt.start ? kOptLen : opt.end - opt.start;

  // IPv6: find the next-header byte that names the fragment header before any write, so that
  // a chain we refuse leaves the frame untouched. parse_frame() walked this same chain, so it
  // holds at most 8 headers, each within the packet.
  uint8_t* link = nullptr;
  if (v.l3 == L3::ipv6 && v.frag_header_offset != 0) {
    link = frame + v.l3_offset + 6;
    uint32_t hdr = uint32_t(v.l3_offset) + kIpv6HeaderLen;
    while (hdr < v.frag_header_offset) {
      // A second fragment header (nested fragmentation): removing one leaves a fragment.
      if (*link == kIpv6NextFragment) return RewriteResult::fragmented;
      const uint32_t hlen = ipv6_extension_len(*link, frame + hdr);
      link = frame + hdr;
      hdr += hlen;
    }
    assert(hdr == v.frag_header_offset && *link == kIpv6NextFragment);
  }

  uint8_t* dns = frame + v.payload_offset;
  write_counts(dns, uint16_t(d.flags | kFlagTc), opt_len != 0 ? 1 : 0);
  // Kept byte for byte, options included; it only ever moves towards the question.
  std::memmove(frame + d.question_end, frame + opt.start, opt_len);
  if (opt_form == OptForm::bare && opt_len != 0) store_be16(frame + d.question_end + 9, 0);
  const uint32_t dns_len = d.question_end - v.payload_offset + opt_len;

  uint8_t* ip = frame + v.l3_offset;
  uint32_t l4_offset = v.l4_offset;
  if (v.l3 == L3::ipv4) {
    if (v.more_fragments) store_be16(ip + 6, uint16_t(load_be16(ip + 6) & ~kIpv4MoreFragments));
    finish_ipv4(ip, uint16_t(v.ip_header_len + kUdpHeaderLen + dns_len));
  } else {
    if (link != nullptr) {
      *link = frame[v.frag_header_offset];
      std::memmove(
          frame + v.frag_header_offset, frame + v.frag_header_offset + kIpv6FragmentHeaderLen,
          l4_offset - v.frag_header_offset - kIpv6FragmentHeaderLen + kUdpHeaderLen + dns_len);
      l4_offset -= kIpv6FragmentHeaderLen;
    }
    store_be16(ip + 4,
               uint16_t(l4_offset - v.l3_offset - kIpv6HeaderLen + kUdpHeaderLen + dns_len));
  }
  finish_udp(ip, v.l3, frame + l4_offset, uint16_t(kUdpHeaderLen + dns_len));
  *new_len = l4_offset + kUdpHeaderLen + dns_len;
  reparse(frame, *new_len, v);
  return RewriteResult::done;
}

}  // namespace ampguard
