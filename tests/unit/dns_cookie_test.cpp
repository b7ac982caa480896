// dataplane/dns_cookie.hpp: the RFC 9018 Appendix A vectors byte for byte, the time window's
// edges, rollover and the COOKIE option walk.
#include "dataplane/dns_cookie.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/dns_frame_builder.hpp"

namespace ampguard {
namespace {

std::vector<uint8_t> hex(const std::string& s) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < s.size(); i += 2)
    out.push_back(uint8_t(std::stoul(s.substr(i, 2), nullptr, 16)));
  return out;
}

struct Client {
  L3 l3;
  uint8_t addr[16];
};

Client client(const char* text) {
  Client c{};
  c.l3 = inet_pton(AF_INET, text, c.addr) == 1 ? L3::ipv4 : L3::ipv6;
  if (c.l3 == L3::ipv6) {
    EXPECT_EQ(inet_pton(AF_INET6, text, c.addr), 1) << text;
  }
  return c;
}

CookieSecrets secrets(std::initializer_list<const char*> keys) {
  CookieSecrets s;
  for (const char* k : keys) {
    const auto b = hex(k);
    std::copy(b.begin(), b.end(), s.key[s.count++]);
  }
  return s;
}

// The server cookie the resolver mints: version 1, reserved 0, time, hash.
std::string mint(const char* secret, const char* client_cookie, const Client& c, uint32_t t) {
  std::vector<uint8_t> o = hex(client_cookie);
  o.insert(o.end(), {1, 0, 0, 0, uint8_t(t >> 24), uint8_t(t >> 16), uint8_t(t >> 8), uint8_t(t)});
  uint8_t h[8];
  server_cookie_hash(hex(secret).data(), o.data(), c.l3, c.addr, h);
  o.insert(o.end(), h, h + 8);
  char out[3];
  std::string s;
  for (size_t i = kClientCookieLen; i < o.size(); ++i) {
    std::snprintf(out, sizeof out, "%02x", o[i]);
    s += out;
  }
  return s;
}

CookieOutcome check(const CookieSecrets& s, const std::string& option_hex, const Client& c,
                    int64_t now) {
  const auto o = hex(option_hex);
  return check_cookie(s, {o.data(), uint16_t(o.size())}, c.l3, c.addr, now);
}

constexpr const char* kSecretA = "e5e973e5a6b2a43f48e7dc849e37bfcf";

TEST(DnsCookie, Rfc9018A1LearningANewServerCookie) {
  EXPECT_EQ(mint(kSecretA, "2464c4abcf10c957", client("198.51.100.100"), 1559731985),
            "010000005cf79f111f8130c3eee29480");
}

TEST(DnsCookie, Rfc9018A2TheSameClientRenewingIt) {
  const Client c = client("198.51.100.100");
  // A.1's cookie, presented 40 minutes later, is still valid; the renewed one is A.2's.
  EXPECT_EQ(
      check(secrets({kSecretA}), "2464c4abcf10c957010000005cf79f111f8130c3eee29480", c, 1559734385),
      CookieOutcome::valid);
  EXPECT_EQ(mint(kSecretA, "2464c4abcf10c957", c, 1559734385), "010000005cf7a871d4a564a1442aca77");
}

TEST(DnsCookie, Rfc9018A3AnotherClientWithReservedBytesSet) {
  const Client c = client("203.0.113.203");
  const std::string sent = "fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5";
  // The hash covers the reserved bytes as sent: it verifies. Minted at 09:46:25, presented at
  // 11:38:20, it is past the hour: stale (the example's server renews it).
  EXPECT_EQ(check(secrets({kSecretA}), sent, c, 1559734700), CookieOutcome::stale);
  EXPECT_EQ(check(secrets({kSecretA}), sent, c, 1559727985 + 3600), CookieOutcome::valid);
  EXPECT_EQ(mint(kSecretA, "fc93fc62807ddb86", c, 1559734700), "010000005cf7a9acf73a7810aca2381e");
}

TEST(DnsCookie, Rfc9018A4Ipv6WithARolledOverSecret) {
  const Client c = client("2001:db8:220:1:59de:d0f4:8769:82b8");
  const char* old_secret = "dd3bdf9344b678b185a6f5cb60fca715";
  const char* new_secret = "445536bcd2513298075a5d379663c962";
  const std::string sent = "22681ab97d52c298010000005cf7c57926556bd0934c72f8";
  EXPECT_EQ(mint(old_secret, "22681ab97d52c298", c, 1559741817), sent.substr(16));
  // The old secret is still accepted after the new one became current...
  EXPECT_EQ(check(secrets({new_secret, old_secret}), sent, c, 1559741961), CookieOutcome::valid);
  // ...and once it is dropped, the cookie no longer verifies.
  EXPECT_EQ(check(secrets({new_secret}), sent, c, 1559741961), CookieOutcome::bad_hash);
  EXPECT_EQ(mint(new_secret, "22681ab97d52c298", c, 1559741961),
            "010000005cf7c609a6bb79d16625507a");
}

TEST(DnsCookie, TimeWindowEdges) {
  const Client c = client("198.51.100.100");
  const std::string sent = "2464c4abcf10c957010000005cf79f111f8130c3eee29480";
  const int64_t t = 1559731985;
  const CookieSecrets s = secrets({kSecretA});
  EXPECT_EQ(check(s, sent, c, t), CookieOutcome::valid);
  EXPECT_EQ(check(s, sent, c, t + 3600), CookieOutcome::valid) << "exactly one hour old";
  EXPECT_EQ(check(s, sent, c, t + 3601), CookieOutcome::stale);
  EXPECT_EQ(check(s, sent, c, t - 300), CookieOutcome::valid) << "exactly five minutes ahead";
  EXPECT_EQ(check(s, sent, c, t - 301), CookieOutcome::stale);
  // Serial arithmetic: a time from the far side of the 32-bit wrap is stale, never fresh.
  EXPECT_EQ(check(s, sent, c, t + (int64_t(1) << 31)), CookieOutcome::stale);
  EXPECT_EQ(check(s, sent, c, t + (int64_t(1) << 32)), CookieOutcome::valid) << "wraps in 2106";
}

TEST(DnsCookie, AnyChangedByteIsABadHash) {
  const Client c = client("198.51.100.100");
  const auto good = hex("2464c4abcf10c957010000005cf79f111f8130c3eee29480");
  const CookieSecrets s = secrets({kSecretA});
  for (size_t i = 0; i < good.size(); ++i) {
    if (i == 8) continue;  // the version byte: another version is not RFC 9018's
    auto bad = good;
    bad[i] ^= 0x01;
    EXPECT_EQ(check_cookie(s, {bad.data(), uint16_t(bad.size())}, c.l3, c.addr, 1559731985),
              CookieOutcome::bad_hash)
        << "byte " << i;
  }
  // The same cookie from another address: the hash covers the address.
  EXPECT_EQ(check_cookie(s, {good.data(), uint16_t(good.size())}, L3::ipv4,
                         client("198.51.100.101").addr, 1559731985),
            CookieOutcome::bad_hash);
  // No secret configured verifies nothing.
  EXPECT_EQ(check_cookie(CookieSecrets{}, {good.data(), 24}, c.l3, c.addr, 1559731985),
            CookieOutcome::bad_hash);
}

TEST(DnsCookie, OptionLengthsFollowRfc7873) {
  const Client c = client("198.51.100.100");
  const std::vector<uint8_t> data(41, 1);
  const CookieSecrets s = secrets({kSecretA});
  for (uint16_t len = 0; len <= 41; ++len) {
    const CookieOutcome want = len == 8               ? CookieOutcome::no_server_cookie
                               : len < 16 || len > 40 ? CookieOutcome::malformed
                                                      : CookieOutcome::bad_hash;
    EXPECT_EQ(check_cookie(s, {data.data(), len}, c.l3, c.addr, 0), want) << "length " << len;
  }
}

// A query frame with the given EDNS options, parsed.
struct Parsed {
  test::Bytes frame;
  PacketView v;
};

Parsed query_with(const test::Bytes& options) {
  Parsed p;
  p.frame = test::frame_v4(
      {}, {{198, 51, 100, 100}, {192, 0, 2, 53}, 64, 0, 0, {}}, {40000, 53, {}},
      test::cat({test::dns_header(7, 0x0100, 1, 0, 0, 1), test::dns_question("example.com", 1),
                 test::dns_opt(1232, 0, 0, options)}));
  parse_frame(p.frame.data(), uint32_t(p.frame.size()), p.v);
  EXPECT_TRUE(parse_dns(p.frame.data(), p.v));
  return p;
}

TEST(DnsCookie, FindCookieWalksABoundedNumberOfOptions) {
  const test::Bytes cookie = test::edns_option(10, test::Bytes(24, 0xcc));
  const test::Bytes padding = test::edns_option(12, test::Bytes(3, 0));
  CookieOption o;
  {
    Parsed p = query_with(test::cat({padding, cookie}));
    ASSERT_EQ(find_cookie(p.frame.data(), p.v, o), CookieFind::found);
    EXPECT_EQ(o.len, 24);
    EXPECT_EQ(o.data, p.frame.data() + p.frame.size() - 24);
  }
  {
    Parsed p = query_with(padding);
    EXPECT_EQ(find_cookie(p.frame.data(), p.v, o), CookieFind::none);
  }
  {
    // Past the walked options the cookie is not seen: the walk is bounded.
    test::Bytes many;
    for (unsigned i = 0; i < kCookieSearchOptions; ++i) many = test::cat({many, padding});
    Parsed p = query_with(test::cat({many, cookie}));
    EXPECT_EQ(find_cookie(p.frame.data(), p.v, o), CookieFind::none);
  }
  {
    // An option whose length runs past the OPT's data.
    test::Bytes bad = test::edns_option(10, test::Bytes(24, 0xcc));
    bad[3] = 25;
    Parsed p = query_with(bad);
    EXPECT_EQ(find_cookie(p.frame.data(), p.v, o), CookieFind::malformed);
    Parsed q = query_with(test::Bytes{0, 10, 0});  // three bytes: not even an option header
    EXPECT_EQ(find_cookie(q.frame.data(), q.v, o), CookieFind::malformed);
  }
}

}  // namespace
}  // namespace ampguard
