#include "dataplane/dns_cookie.hpp"

#include <sodium.h>

#include <cstring>

namespace ampguard {

void server_cookie_hash(const uint8_t* secret, const uint8_t* option16, L3 l3, const uint8_t* addr,
                        uint8_t out[8]) {
  uint8_t in[16 + 16];
  const unsigned addr_len = l3 == L3::ipv4 ? 4 : 16;
  std::memcpy(in, option16, 16);
  std::memcpy(in + 16, addr, addr_len);
  crypto_shorthash_siphash24(out, in, 16 + addr_len, secret);
}

CookieOutcome check_cookie(const CookieSecrets& secrets, const CookieOption& c, L3 l3,
                           const uint8_t* addr, int64_t now_s) {
  // RFC 7873 5.2.2: 8 bytes (client cookie only) or 16 to 40; anything else is FORMERR.
  if (c.len == kClientCookieLen) return CookieOutcome::no_server_cookie;
  if (c.len < 16 || c.len > 40) return CookieOutcome::malformed;
  const uint8_t* server = c.data + kClientCookieLen;
  // Another server cookie format is well formed but cannot be the resolver's RFC 9018 one.
  if (c.len != kClientCookieLen + kServerCookieLen || server[0] != 1)
    return CookieOutcome::bad_hash;
  uint8_t hash[8];
  for (unsigned i = 0; i < secrets.count; ++i) {
    server_cookie_hash(secrets.key[i], c.data, l3, addr, hash);
    if (std::memcmp(hash, server + 8, 8) != 0) continue;
    // Serial arithmetic on the 32-bit time (RFC 1982), as RFC 9018 says.
    const int64_t age = int32_t(uint32_t(now_s) - load_be32(server + 4));
    return age > kCookieMaxAgeS || age < -kCookieMaxAheadS ? CookieOutcome::stale
                                                           : CookieOutcome::valid;
  }
  return CookieOutcome::bad_hash;
}

}  // namespace ampguard
