// Test-only frame builder for the DNS rewrite tests: Ethernet with up to two VLAN tags, IPv4
// (options, fragment bits) or IPv6 (extension headers), UDP and DNS wire pieces. Checksums
// come from this file's own one's-complement sum, independent of DPDK and of the code under
// test, so expected frames built here are an independent statement of the wire format.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ampguard::test {

using Bytes = std::vector<uint8_t>;
using Mac = std::array<uint8_t, 6>;

// Appends n bytes: grow once, then copy. (push_back followed by insert, as these helpers had it,
// makes GCC 12 at -O3 report an over-read of the vector it has just reallocated.)
inline void append(Bytes& b, const uint8_t* p, size_t n) {
  if (n == 0) return;
  const size_t at = b.size();
  b.resize(at + n);
  std::memcpy(b.data() + at, p, n);
}

// Any contiguous range of bytes: Bytes, std::array, a label of a name.
template <typename Range>
inline void append(Bytes& b, const Range& r) {
  append(b, reinterpret_cast<const uint8_t*>(std::data(r)), std::size(r));
}

inline void put8(Bytes& b, uint8_t x) { append(b, &x, 1); }

inline void put16(Bytes& b, uint16_t x) {
  const uint8_t be[2] = {uint8_t(x >> 8), uint8_t(x)};
  append(b, be, sizeof be);
}

inline void put32(Bytes& b, uint32_t x) {
  const uint8_t be[4] = {uint8_t(x >> 24), uint8_t(x >> 16), uint8_t(x >> 8), uint8_t(x)};
  append(b, be, sizeof be);
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) append(out, p);
  return out;
}

// "wWw.Example.COM" -> length-prefixed labels and the root byte; case kept as written.
inline Bytes dns_name(std::string_view dotted) {
  Bytes out;
  while (!dotted.empty()) {
    const size_t dot = dotted.find('.');
    const std::string_view label = dotted.substr(0, dot);
    put8(out, uint8_t(label.size()));
    append(out, label);
    dotted = dot == std::string_view::npos ? std::string_view{} : dotted.substr(dot + 1);
  }
  put8(out, 0);
  return out;
}

inline Bytes dns_pointer(uint16_t offset) { return {uint8_t(0xc0 | offset >> 8), uint8_t(offset)}; }

inline Bytes dns_header(uint16_t id, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns,
                        uint16_t ar) {
  Bytes b;
  for (uint16_t x : {id, flags, qd, an, ns, ar}) put16(b, x);
  return b;
}

inline Bytes dns_question(std::string_view name, uint16_t type, uint16_t cls = 1) {
  Bytes b = dns_name(name);
  put16(b, type);
  put16(b, cls);
  return b;
}

inline Bytes dns_rr(const Bytes& owner, uint16_t type, uint16_t cls, uint32_t ttl,
                    const Bytes& rdata) {
  Bytes b = owner;
  put16(b, type);
  put16(b, cls);
  put32(b, ttl);
  put16(b, uint16_t(rdata.size()));
  append(b, rdata);
  return b;
}

// OPT pseudo-record: root owner, CLASS = payload size, TTL = ext-rcode|version|flags.
inline Bytes dns_opt(uint16_t payload_size, uint8_t version, uint16_t flags,
                     const Bytes& options = {}) {
  // fixed layout written in place (appends byte by byte make GCC 12 at -O3 report an overflow):
  // root name, type 41, class = payload size, TTL = extended rcode, version, flags, RDLENGTH
  Bytes b(11 + options.size(), 0);
  const auto be16 = [&](size_t at, uint16_t x) { b[at] = uint8_t(x >> 8), b[at + 1] = uint8_t(x); };
  be16(1, 41);
  be16(3, payload_size);
  b[6] = version;
  be16(7, flags);
  be16(9, uint16_t(options.size()));
  if (!options.empty()) std::memcpy(b.data() + 11, options.data(), options.size());
  return b;
}

inline Bytes edns_option(uint16_t code, const Bytes& data) {
  Bytes b;
  put16(b, code);
  put16(b, uint16_t(data.size()));
  append(b, data);
  return b;
}

// RFC 1071 sum of big-endian 16-bit words, odd byte padded with zero.
inline uint32_t ones_sum(const uint8_t* p, size_t n, uint32_t acc = 0) {
  for (size_t i = 0; i + 1 < n; i += 2) acc += uint32_t(p[i] << 8 | p[i + 1]);
  if (n % 2 != 0) acc += uint32_t(p[n - 1] << 8);
  return acc;
}

inline uint16_t fold(uint32_t acc) {
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >> 16);
  return uint16_t(acc);
}

struct Vlan {
  uint16_t tpid, tci;
};

struct L2 {
  Mac dst, src;
  std::vector<Vlan> vlans;
};

struct Ipv4 {
  std::array<uint8_t, 4> src, dst;
  uint8_t ttl = 64;
  uint16_t id = 0;
  uint16_t frag = 0;  // flags and offset word as on the wire
  Bytes options;      // a multiple of 4 bytes
};

struct Ipv6Ext {
  uint8_t type;
  Bytes rest;  // the header after its next-header byte; the builder fills that byte in
};

struct Ipv6 {
  std::array<uint8_t, 16> src, dst;
  uint8_t hop = 64;
  uint32_t flow = 0;
  std::vector<Ipv6Ext> ext;
};

struct Udp {
  uint16_t sport, dport;
  std::optional<uint16_t> length;  // a first fragment announces the whole datagram
};

inline void store16(uint8_t* p, uint16_t x) {
  p[0] = uint8_t(x >> 8);
  p[1] = uint8_t(x);
}

// Fixed-layout headers are sized once and written at their offsets: no growth while building.
inline Bytes l2_header(const L2& l2, uint16_t ether_type) {
  Bytes b(12 + 4 * l2.vlans.size() + 2);
  std::memcpy(b.data(), l2.dst.data(), 6);
  std::memcpy(b.data() + 6, l2.src.data(), 6);
  size_t off = 12;
  for (const Vlan& v : l2.vlans) {
    store16(&b[off], v.tpid);
    store16(&b[off + 2], v.tci);
    off += 4;
  }
  store16(&b[off], ether_type);
  return b;
}

// pseudo_sum covers the addresses; protocol and length are added here (the same sum for the
// IPv4 and the IPv6 pseudo-header).
inline Bytes udp_datagram(const Udp& u, const Bytes& payload, uint32_t pseudo_sum) {
  const uint16_t len = u.length.value_or(uint16_t(8 + payload.size()));
  Bytes b(8 + payload.size());
  store16(&b[0], u.sport);
  store16(&b[2], u.dport);
  store16(&b[4], len);
  if (!payload.empty()) std::memcpy(&b[8], payload.data(), payload.size());
  uint16_t sum = uint16_t(~fold(ones_sum(b.data(), b.size(), pseudo_sum + 17 + len)));
  if (sum == 0) sum = 0xffff;
  store16(&b[6], sum);
  return b;
}

inline Bytes frame_v4(const L2& l2, const Ipv4& ip, const Udp& u, const Bytes& payload) {
  const uint32_t pseudo = ones_sum(ip.src.data(), 4, ones_sum(ip.dst.data(), 4));
  const Bytes udp = udp_datagram(u, payload, pseudo);
  Bytes h(20 + ip.options.size());
  h[0] = uint8_t(0x40 | h.size() / 4);
  store16(&h[2], uint16_t(h.size() + udp.size()));
  store16(&h[4], ip.id);
  store16(&h[6], ip.frag);
  h[8] = ip.ttl;
  h[9] = 17;
  std::memcpy(&h[12], ip.src.data(), 4);
  std::memcpy(&h[16], ip.dst.data(), 4);
  if (!ip.options.empty()) std::memcpy(&h[20], ip.options.data(), ip.options.size());
  store16(&h[10], uint16_t(~fold(ones_sum(h.data(), h.size()))));
  return cat({l2_header(l2, 0x0800), h, udp});
}

inline Bytes frame_v6(const L2& l2, const Ipv6& ip, const Udp& u, const Bytes& payload) {
  const uint32_t pseudo = ones_sum(ip.src.data(), 16, ones_sum(ip.dst.data(), 16));
  const Bytes udp = udp_datagram(u, payload, pseudo);
  Bytes ext;
  for (size_t i = 0; i < ip.ext.size(); ++i) {
    put8(ext, i + 1 < ip.ext.size() ? ip.ext[i + 1].type : 17);
    append(ext, ip.ext[i].rest);
  }
  Bytes h(40);
  store16(&h[0], uint16_t((0x60000000u | ip.flow) >> 16));
  store16(&h[2], uint16_t(ip.flow));
  store16(&h[4], uint16_t(ext.size() + udp.size()));
  h[6] = ip.ext.empty() ? 17 : ip.ext[0].type;
  h[7] = ip.hop;
  std::memcpy(&h[8], ip.src.data(), 16);
  std::memcpy(&h[24], ip.dst.data(), 16);
  return cat({l2_header(l2, 0x86dd), h, ext, udp});
}

// IPv6 fragment header body (after its next-header byte): offset in bytes, M flag, id.
inline Ipv6Ext ipv6_fragment(uint16_t offset, bool more, uint32_t id) {
  Bytes rest{0};
  put16(rest, uint16_t(offset | (more ? 1 : 0)));
  put32(rest, id);
  return {44, rest};
}

// Checks the IPv4 header checksum and the UDP checksum of an unfragmented frame by walking it
// by hand. Returns an empty string when both verify, else what failed.
inline std::string checksum_error(const Bytes& f) {
  size_t off = 12;
  while (off + 2 <= f.size() && (f[off] << 8 | f[off + 1]) != 0x0800 &&
         (f[off] << 8 | f[off + 1]) != 0x86dd)
    off += 4;
  if (off + 2 > f.size()) return "no IP ether type";
  const bool v4 = (f[off] << 8 | f[off + 1]) == 0x0800;
  const size_t l3 = off + 2;
  size_t l4;
  uint32_t pseudo;
  uint16_t udp_len;
  if (v4) {
    const size_t ihl = (f[l3] & 0x0f) * 4u;
    if (l3 + ihl > f.size()) return "short IPv4 header";
    if (fold(ones_sum(&f[l3], ihl)) != 0xffff) return "IPv4 header checksum";
    if (l3 + size_t(f[l3 + 2] << 8 | f[l3 + 3]) != f.size()) return "IPv4 total length";
    l4 = l3 + ihl;
    pseudo = ones_sum(&f[l3 + 12], 8) + f[l3 + 9];
  } else {
    if (l3 + 40 + size_t(f[l3 + 4] << 8 | f[l3 + 5]) != f.size()) return "IPv6 payload length";
    uint8_t nh = f[l3 + 6];
    l4 = l3 + 40;
    while (nh != 17 && l4 + 8 <= f.size()) {
      const size_t hlen = nh == 44 ? 8 : (f[l4 + 1] + 1u) * 8;
      nh = f[l4];
      l4 += hlen;
    }
    pseudo = ones_sum(&f[l3 + 8], 32) + 17;
  }
  if (l4 + 8 > f.size()) return "short UDP header";
  udp_len = uint16_t(f[l4 + 4] << 8 | f[l4 + 5]);
  if (l4 + udp_len != f.size()) return "UDP length";
  if (fold(ones_sum(&f[l4], udp_len, pseudo + udp_len)) != 0xffff) return "UDP checksum";
  return {};
}

}  // namespace ampguard::test
