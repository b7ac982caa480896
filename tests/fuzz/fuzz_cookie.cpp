// libFuzzer target: the COOKIE option walk (find_cookie) and its check (check_cookie) on any
// frame, with the RFC 9018 Appendix A secret and a second, rolled-over one.
//
// Input: bytes 0-3 the Unix time (big-endian) the check runs at, the rest the frame, copied
// into a buffer of exactly its length. Checked on every input: the option found lies inside
// the OPT record's data and is the COOKIE option its header says; the outcome follows the
// option's length (RFC 7873 5.2.2) and only a 24-byte RFC 9018 cookie can verify; valid
// means within the time window; the walk and the check are deterministic and never write.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "dataplane/dns_cookie.hpp"
#include "fuzz/fuzz_checks.hpp"

using namespace ampguard;
using fuzz::check;

namespace {

CookieSecrets secrets() {
  CookieSecrets s;
  const uint8_t current[16] = {0x44, 0x55, 0x36, 0xbc, 0xd2, 0x51, 0x32, 0x98,
                               0x07, 0x5a, 0x5d, 0x37, 0x96, 0x63, 0xc9, 0x62};
  const uint8_t old[16] = {0xe5, 0xe9, 0x73, 0xe5, 0xa6, 0xb2, 0xa4, 0x3f,
                           0x48, 0xe7, 0xdc, 0x84, 0x9e, 0x37, 0xbf, 0xcf};
  std::copy(current, current + 16, s.key[0]);
  std::copy(old, old + 16, s.key[1]);
  s.count = 2;
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4 || size - 4 > 0xffff) return 0;
  static const CookieSecrets kSecrets = secrets();
  const int64_t now = load_be32(data);
  const std::vector<uint8_t> frame(data + 4, data + size);
  const std::vector<uint8_t> before = frame;
  const uint8_t* f = frame.data();
  const uint32_t len = uint32_t(frame.size());
  PacketView v;
  parse_frame(f, len, v);
  if (!parse_dns(f, v)) return 0;
  CookieOption c;
  const CookieFind found = find_cookie(f, v, c);
  CookieOption again;
  check(find_cookie(f, v, again) == found, "find_cookie is deterministic");
  if (v.dns.opt_offset == 0) check(found == CookieFind::none, "no OPT, no cookie");
  if (found != CookieFind::found) return 0;
  const uint32_t opt = v.dns.opt_offset;
  const uint8_t* rdata = f + opt + 11;
  const uint8_t* rdata_end = rdata + load_be16(f + opt + 9);
  check(rdata_end <= f + len, "the OPT's data lies in the frame");
  check(c.data >= rdata + 4 && c.data + c.len <= rdata_end, "the option lies in the OPT's data");
  check(load_be16(c.data - 4) == kEdnsCookie && load_be16(c.data - 2) == c.len,
        "the option header says COOKIE and its length");
  const CookieOutcome o = check_cookie(kSecrets, c, v.l3, v.src.data(), now);
  check(check_cookie(kSecrets, c, v.l3, v.src.data(), now) == o, "check_cookie is deterministic");
  if (c.len == 8) {
    check(o == CookieOutcome::no_server_cookie, "8 bytes: a client cookie only");
  } else if (c.len < 16 || c.len > 40) {
    check(o == CookieOutcome::malformed, "a length RFC 7873 forbids is malformed");
  } else if (c.len != 24 || c.data[8] != 1) {
    check(o == CookieOutcome::bad_hash, "only a 24-byte version-1 cookie can verify");
  }
  if (o == CookieOutcome::valid || o == CookieOutcome::stale) {
    const int64_t age = int32_t(uint32_t(now) - load_be32(c.data + 12));
    check((o == CookieOutcome::valid) == (age <= kCookieMaxAgeS && age >= -kCookieMaxAheadS),
          "valid exactly within the time window");
  }
  check(std::equal(before.begin(), before.end(), f), "the walk and the check never write");
  return 0;
}
