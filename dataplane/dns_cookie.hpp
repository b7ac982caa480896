// DNS cookies (RFC 7873) with RFC 9018 server cookies, checked on the query path.
//
// A server cookie is version 1 | 3 reserved bytes | 32-bit Unix time | SipHash-2-4 (the
// resolver's 16-byte secret) over client cookie | version | reserved | time | client address.
// Only a client that received an answer at its address holds one: a query that presents a
// valid one is not spoofed. ampguard never mints cookies, it only checks the resolver's with
// the same secrets (cookies.secret-file), so it needs no state per client.
//
// find_cookie() walks a bounded number of EDNS options of the OPT that parse_dns() found;
// check_cookie() classifies what it found. Neither reads outside the frame.
#pragma once

#include <cstdint>
#include <string_view>

#include "dataplane/packet_parse.hpp"

namespace ampguard {

inline constexpr uint16_t kEdnsCookie = 10;
inline constexpr unsigned kClientCookieLen = 8;
inline constexpr unsigned kServerCookieLen = 16;  // RFC 9018; RFC 7873 allows 8-32
inline constexpr unsigned kCookieSecretLen = 16;
inline constexpr unsigned kMaxCookieSecrets = 8;
// EDNS options walked looking for COOKIE: bounded work per query (clients send one to three).
inline constexpr unsigned kCookieSearchOptions = 8;
// RFC 9018 4.3: a server cookie more than 1 hour old or more than 5 minutes ahead is stale.
inline constexpr int64_t kCookieMaxAgeS = 3600, kCookieMaxAheadS = 300;

// X(name, help)
#define AMPGUARD_COOKIE_OUTCOMES(X)                                                           \
  X(valid, "server cookie minted with a configured secret, within its time window")           \
  X(stale, "server cookie minted with a configured secret, over 1 h old or over 5 min ahead") \
  X(bad_hash,                                                                                 \
    "server cookie no configured secret minted (forged, not RFC 9018, or an unknown secret)") \
  X(no_server_cookie, "COOKIE option with a client cookie only (a client's first query)")     \
  X(malformed, "COOKIE option of a length RFC 7873 forbids, or EDNS options that do not walk")

enum class CookieOutcome : uint8_t {
#define AMPGUARD_X(name, help) name,
  AMPGUARD_COOKIE_OUTCOMES(AMPGUARD_X)
#undef AMPGUARD_X
      count
};
inline constexpr unsigned kCookieOutcomes = unsigned(CookieOutcome::count);

inline constexpr std::string_view cookie_outcome_name(CookieOutcome o) {
  switch (o) {
#define AMPGUARD_X(name, help) \
  case CookieOutcome::name:    \
    return #name;
    AMPGUARD_COOKIE_OUTCOMES(AMPGUARD_X)
#undef AMPGUARD_X
    case CookieOutcome::count:
      break;
  }
  return "unknown";
}

inline constexpr std::string_view cookie_outcome_help(CookieOutcome o) {
  switch (o) {
#define AMPGUARD_X(name, help) \
  case CookieOutcome::name:    \
    return help;
    AMPGUARD_COOKIE_OUTCOMES(AMPGUARD_X)
#undef AMPGUARD_X
    case CookieOutcome::count:
      break;
  }
  return "unknown";
}

// The resolver's secrets: key[0] is the one it mints with, the others are still accepted
// (rollover). count 0: cookies are not checked.
struct CookieSecrets {
  uint8_t key[kMaxCookieSecrets][kCookieSecretLen] = {};
  uint8_t count = 0;
};

// Where the COOKIE option's data lies in the frame.
struct CookieOption {
  const uint8_t* data = nullptr;
  uint16_t len = 0;
};

enum class CookieFind : uint8_t { none, found, malformed };

// Looks for the COOKIE option among the first kCookieSearchOptions options of the OPT record
// at v.dns.opt_offset (parse_dns() sets it; 0: no OPT, none). malformed: an option runs past
// the OPT's data.
inline CookieFind find_cookie(const uint8_t* frame, const PacketView& v, CookieOption& out) {
  const uint32_t opt = v.dns.opt_offset;
  if (opt == 0) return CookieFind::none;
  // parse_dns() checked that the OPT's fixed part and its RDLENGTH bytes lie in the frame.
  uint32_t pos = opt + 11;
  const uint32_t end = pos + load_be16(frame + opt + 9);
  for (unsigned i = 0; i < kCookieSearchOptions && pos < end; ++i) {
    if (pos + 4 > end) return CookieFind::malformed;
    const uint16_t code = load_be16(frame + pos), len = load_be16(frame + pos + 2);
    if (pos + 4 + len > end) return CookieFind::malformed;
    if (code == kEdnsCookie) {
      out = {frame + pos + 4, len};
      return CookieFind::found;
    }
    pos += 4 + len;
  }
  return CookieFind::none;
}

// The 8-byte hash of an RFC 9018 server cookie: SipHash-2-4 under `secret` over the option's
// first 16 bytes (client cookie, version, reserved, time) and the client's address.
void server_cookie_hash(const uint8_t* secret, const uint8_t* option16, L3 l3, const uint8_t* addr,
                        uint8_t out[8]);

// What a query's COOKIE option proves about a client at `addr`, at Unix time now_s.
CookieOutcome check_cookie(const CookieSecrets& secrets, const CookieOption& c, L3 l3,
                           const uint8_t* addr, int64_t now_s);

}  // namespace ampguard
