// DNS frames for pipeline tests, built with the independent test builder: queries from the
// internet to the resolver and responses of an exact IP size from the resolver.
#pragma once

#include <string>

#include "support/dns_frame_builder.hpp"

namespace ampguard::test {

inline const L2 kToResolver{{2, 0, 0, 0, 0, 0x53}, {2, 0, 0, 0, 0, 1}, {}};
inline const L2 kFromResolver{{2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 0x53}, {}};
inline const std::array<uint8_t, 4> kResolverV4{192, 0, 2, 53};
// The victim of the attack tests (the tracegen's one_victim too) and an unrelated client.
inline constexpr std::array<uint8_t, 4> kVictimV4{203, 0, 113, 66};
inline constexpr std::array<uint8_t, 4> kOtherClientV4{198, 18, 7, 7};
inline const std::array<uint8_t, 16> kResolverV6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                                 0,    0,    0,    0,    0, 0, 0, 0x53};

inline std::array<uint8_t, 16> v6_addr(uint16_t net, uint16_t host) {
  return {0x20, 0x01, 0x0d, 0xb8, uint8_t(net >> 8),  uint8_t(net), 0, 0, 0, 0,
          0,    0,    0,    0,    uint8_t(host >> 8), uint8_t(host)};
}

inline Bytes dns_query_payload(uint16_t id, std::string_view name, uint16_t qtype,
                               bool edns = true) {
  Bytes b = cat({dns_header(id, 0x0100, 1, 0, 0, edns ? 1 : 0), dns_question(name, qtype)});
  if (edns) b = cat({b, dns_opt(1232, 0, 0, {})});
  return b;
}

// A response whose DNS payload is padded with a TXT record to exactly `dns_bytes`.
inline Bytes dns_response_payload(uint16_t id, size_t dns_bytes) {
  Bytes b = cat({dns_header(id, 0x8180, 1, 1, 0, 0), dns_question("big.example.com", 16)});
  const size_t fixed = b.size() + 2 + 10;  // pointer owner + RR fixed part
  const size_t rdlen = dns_bytes > fixed ? dns_bytes - fixed : 0;
  Bytes rdata;
  for (size_t left = rdlen; left > 0;) {  // TXT strings of at most 255 bytes
    const size_t n = std::min<size_t>(left - 1, 255);
    rdata.push_back(uint8_t(n));
    rdata.insert(rdata.end(), n, 'x');
    left -= n + 1;
  }
  return cat({b, dns_rr(dns_pointer(12), 16, 1, 300, rdata)});
}

inline Bytes query_v4(std::array<uint8_t, 4> client, uint16_t id = 1, uint16_t qtype = 1,
                      uint16_t sport = 40000) {
  return frame_v4(kToResolver, {client, kResolverV4, 64, 0, 0, {}}, {sport, 53, {}},
                  dns_query_payload(id, "www.example.com", qtype));
}

// IPv4 response from the resolver with an IP total length of exactly ip_bytes (>= 100).
inline Bytes response_v4(std::array<uint8_t, 4> client, size_t ip_bytes, uint16_t id = 1) {
  return frame_v4(kFromResolver, {kResolverV4, client, 64, id, 0, {}}, {53, 40000, {}},
                  dns_response_payload(id, ip_bytes - 28));
}

inline Bytes response_v6(std::array<uint8_t, 16> client, size_t ip_bytes, uint16_t id = 1) {
  return frame_v6(kFromResolver, {kResolverV6, client, 64, 0, {}}, {53, 40000, {}},
                  dns_response_payload(id, ip_bytes - 48));
}

inline Bytes query_v6(std::array<uint8_t, 16> client, uint16_t id = 1, uint16_t qtype = 1) {
  return frame_v6(kToResolver, {client, kResolverV6, 64, 0, {}}, {40000, 53, {}},
                  dns_query_payload(id, "www.example.com", qtype));
}

// An unfragmented IPv4 frame (no VLAN, no options) split into fragments of at most `piece`
// bytes of its datagram (a multiple of 8); the first carries the UDP header.
inline std::vector<Bytes> fragments_v4(const Bytes& whole, const L2& l2, size_t piece = 1480) {
  const size_t l3 = 14;
  const Bytes header(whole.begin() + l3, whole.begin() + l3 + 20);
  const Bytes datagram(whole.begin() + l3 + 20, whole.end());  // UDP header + payload
  std::vector<Bytes> out;
  for (size_t off = 0; off < datagram.size(); off += piece) {
    const size_t n = std::min<size_t>(piece, datagram.size() - off);
    const bool more = off + n < datagram.size();
    Bytes ip = header;
    ip[2] = uint8_t((20 + n) >> 8);
    ip[3] = uint8_t(20 + n);
    ip[6] = uint8_t(((more ? 0x2000 : 0) | off / 8) >> 8);
    ip[7] = uint8_t(off / 8);
    ip[10] = ip[11] = 0;
    const uint16_t sum = uint16_t(~fold(ones_sum(ip.data(), ip.size())));
    ip[10] = uint8_t(sum >> 8);
    ip[11] = uint8_t(sum);
    out.push_back(cat({l2_header(l2, 0x0800), ip,
                       Bytes(datagram.begin() + long(off), datagram.begin() + long(off + n))}));
  }
  return out;
}

// An IPv4 response of ip_bytes split at 1500 bytes into fragments (the first carries UDP).
inline std::vector<Bytes> fragmented_response_v4(std::array<uint8_t, 4> client, size_t ip_bytes,
                                                 uint16_t ip_id) {
  return fragments_v4(response_v4(client, ip_bytes, ip_id), kFromResolver);
}

// An IPv6 response of ip_bytes (as the sender sized it, before fragmentation) sent as
// fragments of at most `piece` datagram bytes (a multiple of 8), each with a fragment header.
inline std::vector<Bytes> fragmented_response_v6(std::array<uint8_t, 16> client, size_t ip_bytes,
                                                 uint32_t frag_id, size_t piece = 1232) {
  const Bytes whole = response_v6(client, ip_bytes, uint16_t(frag_id));
  const size_t l3 = 14;
  const Bytes header(whole.begin() + l3, whole.begin() + l3 + 40);
  const Bytes datagram(whole.begin() + l3 + 40, whole.end());
  std::vector<Bytes> out;
  for (size_t off = 0; off < datagram.size(); off += piece) {
    const size_t n = std::min<size_t>(piece, datagram.size() - off);
    Bytes ip = header;
    ip[4] = uint8_t((8 + n) >> 8);
    ip[5] = uint8_t(8 + n);
    ip[6] = 44;
    const Ipv6Ext f = ipv6_fragment(uint16_t(off), off + n < datagram.size(), frag_id);
    Bytes frag{17};
    frag.insert(frag.end(), f.rest.begin(), f.rest.end());
    out.push_back(cat({l2_header(kFromResolver, 0x86dd), ip, frag,
                       Bytes(datagram.begin() + long(off), datagram.begin() + long(off + n))}));
  }
  return out;
}

inline Bytes arp_frame() { return cat({l2_header(kFromResolver, 0x0806), Bytes(28, 0x11)}); }
inline Bytes lldp_frame() {
  return cat({l2_header({{0x01, 0x80, 0xc2, 0, 0, 0x0e}, {2, 0, 0, 0, 0, 1}, {}}, 0x88cc),
              Bytes(46, 0x22)});
}

}  // namespace ampguard::test
