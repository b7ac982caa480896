// Queries carrying DNS cookies for pipeline tests, benchmarks and fuzz seeds: server cookies
// minted as the resolver mints them (RFC 9018: version 1, reserved 0, time, hash).
#pragma once

#include <ctime>

#include "dataplane/dns_cookie.hpp"
#include "support/dns_frames.hpp"

namespace ampguard::test {

inline const Bytes kCookieSecret{0xe5, 0xe9, 0x73, 0xe5, 0xa6, 0xb2, 0xa4, 0x3f,
                                 0x48, 0xe7, 0xdc, 0x84, 0x9e, 0x37, 0xbf, 0xcf};
inline const Bytes kClientCookie{0x24, 0x64, 0xc4, 0xab, 0xcf, 0x10, 0xc9, 0x57};

// The COOKIE option data: client cookie | server cookie for addr at Unix time t.
inline Bytes cookie_data(const Bytes& secret, L3 l3, const uint8_t* addr, uint32_t t,
                         const Bytes& client = kClientCookie) {
  Bytes o = cat(
      {client, Bytes{1, 0, 0, 0, uint8_t(t >> 24), uint8_t(t >> 16), uint8_t(t >> 8), uint8_t(t)}});
  uint8_t h[8];
  server_cookie_hash(secret.data(), o.data(), l3, addr, h);
  return cat({o, Bytes(h, h + 8)});
}

inline uint32_t unix_now() { return uint32_t(std::time(nullptr)); }

inline Bytes cookie_query_payload(uint16_t id, const Bytes& cookie, uint16_t qtype = 16) {
  return cat({dns_header(id, 0x0100, 1, 0, 0, 1), dns_question("big.example.com", qtype),
              dns_opt(1232, 0, 0, edns_option(kEdnsCookie, cookie))});
}

// A query from client:40000 with DNS id `id` whose COOKIE option carries `cookie`.
inline Bytes cookie_query_v4(std::array<uint8_t, 4> client, uint16_t id, const Bytes& cookie) {
  return frame_v4(kToResolver, {client, kResolverV4, 64, 0, 0, {}}, {40000, 53, {}},
                  cookie_query_payload(id, cookie));
}

inline Bytes cookie_query_v6(std::array<uint8_t, 16> client, uint16_t id, const Bytes& cookie) {
  return frame_v6(kToResolver, {client, kResolverV6, 64, 0, {}}, {40000, 53, {}},
                  cookie_query_payload(id, cookie));
}

// A valid cookie for client now (with the test secret).
inline Bytes valid_cookie_v4(std::array<uint8_t, 4> client, int64_t age_s = 0) {
  return cookie_data(kCookieSecret, L3::ipv4, client.data(), uint32_t(unix_now() - age_s));
}

}  // namespace ampguard::test
