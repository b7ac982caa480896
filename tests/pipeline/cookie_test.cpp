// Issue 19: DNS cookies in the data path. A query with a valid server cookie passes even from
// a blocklisted source, and the response to exactly its (address, port, ID) is never limited;
// every other outcome (stale, bad hash, client cookie only, malformed) and every other
// response is limited as before. Secrets roll over on reload; cookies.nocookie-udp-size
// truncates large answers that answer no proven query.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "control/settings.hpp"
#include "support/dns_cookies.hpp"
#include "support/pipeline_harness.hpp"

namespace ampguard {
namespace {

using test::Bytes;
using test::PipelineHarness;

constexpr PortSide kIn = PortSide::inside, kOut = PortSide::outside;
constexpr auto kClient = test::kVictimV4;
constexpr const char* kSecretHex = "e5e973e5a6b2a43f48e7dc849e37bfcf";  // test::kCookieSecret
constexpr const char* kOtherHex = "445536bcd2513298075a5d379663c962";
const Bytes kOtherSecret{0x44, 0x55, 0x36, 0xbc, 0xd2, 0x51, 0x32, 0x98,
                         0x07, 0x5a, 0x5d, 0x37, 0x96, 0x63, 0xc9, 0x62};

std::string temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("ampguard_cookie_" + std::to_string(getpid()) + "_" + name);
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// Files removed when the test ends.
struct Files {
  std::string secrets = temp_path("secrets"), conf = temp_path("conf");
  ~Files() {
    std::filesystem::remove(secrets);
    std::filesystem::remove(conf);
  }
};

// ampguard --config conf: `top` (options without a section), then [cookies] with secret-file =
// the secrets file and `extra`.
Settings with_cookies(const Files& f, const std::string& secrets, const std::string& extra = "",
                      const std::string& top = "") {
  write_file(f.secrets, secrets);
  write_file(f.conf, top + "[cookies]\nsecret-file = " + f.secrets + "\n" + extra +
                         "[ports]\nrx-descriptors = 256\ntx-descriptors = 256\n");
  Settings s;
  EXPECT_EQ(load_settings(f.conf, {}, s), "");
  return s;
}

// n answers to the client's query `id` (port 40000).
std::vector<Bytes> responses(int n, size_t bytes, uint16_t id) {
  return std::vector<Bytes>(size_t(n), test::response_v4(kClient, bytes, id));
}

uint64_t outcome(PipelineHarness& h, CookieOutcome o) {
  return h.totals().cookie_outcomes[unsigned(o)];
}

void block_client(PipelineHarness& h) {
  ASSERT_TRUE(h.runtime().command("blocklist add 203.0.113.66 10m").ok);
}

TEST(Cookies, ValidCookiePassesABlocklistedSourceAndItsAnswersAreNeverLimited) {
  Files f;
  PipelineHarness h(with_cookies(f, std::string(kSecretHex) + "\n"));
  block_client(h);
  const Bytes q = test::cookie_query_v4(kClient, 100, test::valid_cookie_v4(kClient));
  h.send(kOut, q);
  const auto in = h.transmitted(kIn);
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[0], q) << "forwarded unchanged";
  EXPECT_EQ(h.reason(VerdictReason::query_verified), 1u);
  EXPECT_EQ(outcome(h, CookieOutcome::valid), 1u);
  // Far above the limit (burst 10): every answer to that query passes, none is charged.
  h.send(kIn, responses(40, 1000, 100));
  EXPECT_EQ(h.transmitted(kOut).size(), 40u);
  EXPECT_EQ(h.reason(VerdictReason::response_verified), 40u);
  EXPECT_EQ(h.reason(VerdictReason::over_limit), 0u);
  EXPECT_EQ(h.totals().tables.limiter_entries, 0u);
  EXPECT_EQ(h.totals().tables.proven_inserts, 1u);
}

TEST(Cookies, SpoofedAnswersToTheSameAddressAreLimitedAsBefore) {
  Files f;
  PipelineHarness h(with_cookies(f, std::string(kSecretHex) + "\n"));
  h.send(kOut, test::cookie_query_v4(kClient, 100, test::valid_cookie_v4(kClient)));
  ASSERT_EQ(h.transmitted(kIn).size(), 1u);
  // The attacker spoofs the client's address but never sees its port and ID: another ID...
  h.send(kIn, responses(20, 1000, 101));
  EXPECT_EQ(h.transmitted(kOut).size(), 10u);
  // ...or another port, same ID.
  Bytes other_port = test::response_v4(kClient, 1000, 100);
  other_port[14 + 20 + 3] ^= 1;                           // UDP destination port 40000 -> 40001
  other_port[14 + 20 + 6] = other_port[14 + 20 + 7] = 0;  // UDP checksum: none
  h.send(kIn, other_port);
  EXPECT_EQ(h.transmitted(kOut).size(), 0u);
  EXPECT_EQ(h.reason(VerdictReason::response_verified), 0u);
  EXPECT_EQ(h.reason(VerdictReason::over_limit), 11u);
  // Once blocklisted, spoofed queries without a valid cookie stay dropped.
  h.send(kOut, test::query_v4(kClient, 7));
  EXPECT_EQ(h.transmitted(kIn).size(), 0u);
  EXPECT_EQ(h.reason(VerdictReason::blocklisted_source), 1u);
}

TEST(Cookies, EveryOtherOutcomeIsCountedAndDroppedFromABlocklistedSource) {
  Files f;
  PipelineHarness h(with_cookies(f, std::string(kSecretHex) + "\n"));
  block_client(h);
  Bytes forged = test::valid_cookie_v4(kClient);
  forged.back() ^= 0x80;
  const std::vector<Bytes> queries = {
      test::cookie_query_v4(kClient, 1, test::valid_cookie_v4(kClient, 4000)),  // stale
      test::cookie_query_v4(kClient, 2, forged),
      // minted for another address: replayed from the spoofed one
      test::cookie_query_v4(kClient, 3,
                            test::cookie_data(test::kCookieSecret, L3::ipv4,
                                              test::kOtherClientV4.data(), test::unix_now())),
      // a cookie minted with a secret the resolver does not have
      test::cookie_query_v4(
          kClient, 4, test::cookie_data(kOtherSecret, L3::ipv4, kClient.data(), test::unix_now())),
      test::cookie_query_v4(kClient, 5, test::kClientCookie),  // client cookie only
      test::cookie_query_v4(kClient, 6, Bytes(12, 0x42)),      // a length RFC 7873 forbids
      test::query_v4(kClient, 7),                              // no COOKIE option at all
  };
  h.send(kOut, queries);
  EXPECT_EQ(h.transmitted(kIn).size(), 0u);
  EXPECT_EQ(h.reason(VerdictReason::blocklisted_source), queries.size());
  EXPECT_EQ(outcome(h, CookieOutcome::stale), 1u);
  EXPECT_EQ(outcome(h, CookieOutcome::bad_hash), 3u);
  EXPECT_EQ(outcome(h, CookieOutcome::no_server_cookie), 1u);
  EXPECT_EQ(outcome(h, CookieOutcome::malformed), 1u);
  EXPECT_EQ(outcome(h, CookieOutcome::valid), 0u);
  // None of them was remembered: answers to them are limited like any other.
  h.runtime().command("blocklist del 203.0.113.66");
  std::vector<Bytes> answers;
  for (uint16_t id = 1; id <= 7; ++id)
    for (int i = 0; i < 3; ++i) answers.push_back(test::response_v4(kClient, 1000, id));
  h.send(kIn, answers);
  EXPECT_EQ(h.transmitted(kOut).size(), 10u);
  EXPECT_EQ(h.totals().tables.proven_inserts, 0u);
}

TEST(Cookies, TimeWindowEdges) {
  Files f;
  PipelineHarness h(with_cookies(f, std::string(kSecretHex) + "\n"));
  block_client(h);
  // RFC 9018: at most one hour old, at most five minutes ahead (100 s margins for the clock
  // the test and the worker each read).
  h.send(kOut, {test::cookie_query_v4(kClient, 1, test::valid_cookie_v4(kClient, 3500)),
                test::cookie_query_v4(kClient, 2, test::valid_cookie_v4(kClient, 3700)),
                test::cookie_query_v4(kClient, 3, test::valid_cookie_v4(kClient, -200)),
                test::cookie_query_v4(kClient, 4, test::valid_cookie_v4(kClient, -400))});
  const auto in = h.transmitted(kIn);
  ASSERT_EQ(in.size(), 2u);
  EXPECT_EQ(parse_frame(in[0].data(), uint32_t(in[0].size())).payload_offset, 42);
  EXPECT_EQ(load_be16(&in[0][42]), 1);
  EXPECT_EQ(load_be16(&in[1][42]), 3);
  EXPECT_EQ(outcome(h, CookieOutcome::valid), 2u);
  EXPECT_EQ(outcome(h, CookieOutcome::stale), 2u);
}

TEST(Cookies, RolloverBetweenTwoSecretsOnReload) {
  Files f;
  // The resolver mints with the new secret and still accepts the old one.
  PipelineHarness h(with_cookies(f, std::string(kOtherHex) + "\n" + kSecretHex + "\n"));
  block_client(h);
  const Bytes old_cookie = test::valid_cookie_v4(kClient);
  const Bytes new_cookie =
      test::cookie_data(kOtherSecret, L3::ipv4, kClient.data(), test::unix_now());
  h.send(kOut, {test::cookie_query_v4(kClient, 1, old_cookie),
                test::cookie_query_v4(kClient, 2, new_cookie)});
  EXPECT_EQ(h.transmitted(kIn).size(), 2u);
  // The old secret retired: its cookies no longer verify, the new one's still do.
  write_file(f.secrets, std::string("# rotated\n") + kOtherHex + "\n");
  ASSERT_TRUE(h.runtime().reload().ok);
  h.send(kOut, {test::cookie_query_v4(kClient, 3, old_cookie),
                test::cookie_query_v4(kClient, 4, new_cookie)});
  const auto in = h.transmitted(kIn);
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(load_be16(&in[0][42]), 4);
  EXPECT_EQ(outcome(h, CookieOutcome::valid), 3u);
  EXPECT_EQ(outcome(h, CookieOutcome::bad_hash), 1u);
}

TEST(Cookies, BadSecretFileOnReloadKeepsTheRunningSecrets) {
  Files f;
  PipelineHarness h(with_cookies(f, std::string(kSecretHex) + "\n"));
  write_file(f.secrets, std::string(kSecretHex) + "\nnot-a-secret\n");
  const Reply r = h.runtime().reload();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.text, f.conf + ":2: cookies.secret-file: " + f.secrets +
                        ":2: a secret is 32 hex digits (128 bits), one a line\n");
  block_client(h);
  h.send(kOut, test::cookie_query_v4(kClient, 1, test::valid_cookie_v4(kClient)));
  EXPECT_EQ(h.transmitted(kIn).size(), 1u);
}

TEST(Cookies, Ipv6ProvenClient) {
  Files f;
  PipelineHarness h(with_cookies(f, std::string(kSecretHex) + "\n"));
  const auto client = test::v6_addr(7, 9);
  h.send(kOut, test::cookie_query_v6(client, 55,
                                     test::cookie_data(test::kCookieSecret, L3::ipv6, client.data(),
                                                       test::unix_now())));
  ASSERT_EQ(h.transmitted(kIn).size(), 1u);
  std::vector<Bytes> answers(30, test::response_v6(client, 1000, 55));
  answers.push_back(test::response_v6(client, 1000, 56));
  h.send(kIn, answers);
  EXPECT_EQ(h.transmitted(kOut).size(), 31u);
  EXPECT_EQ(h.reason(VerdictReason::response_verified), 30u);
  EXPECT_EQ(h.reason(VerdictReason::response_within_limit), 1u);
}

TEST(Cookies, NocookiePolicyTruncatesAnswersToUnprovenQueries) {
  Files f;
  PipelineHarness h(with_cookies(f, std::string(kSecretHex) + "\n", "nocookie-udp-size = 512\n"));
  h.send(kOut, test::cookie_query_v4(kClient, 100, test::valid_cookie_v4(kClient)));
  ASSERT_EQ(h.transmitted(kIn).size(), 1u);
  const Bytes proven = test::response_v4(kClient, 1000, 100);
  const Bytes spoofed = test::response_v4(kClient, 1000, 101);
  const Bytes medium = test::response_v4(kClient, 600, 102);  // below min-size, above 512
  const Bytes small = test::response_v4(kClient, 400, 103);
  h.send(kIn, {proven, spoofed, medium, small});
  const auto out = h.transmitted(kOut);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0], proven);
  EXPECT_EQ(out[3], small);
  for (const Bytes* t : {&out[1], &out[2]}) {
    EXPECT_EQ(test::checksum_error(*t), "");
    PacketView v = parse_frame(t->data(), uint32_t(t->size()));
    ASSERT_TRUE(parse_dns(t->data(), v));
    EXPECT_EQ(v.dns.flags & 0x8200, 0x8200) << "QR and TC";
    EXPECT_EQ(v.dns.ancount, 0);
    EXPECT_LT(t->size(), 100u);
  }
  EXPECT_EQ(h.reason(VerdictReason::response_verified), 1u);
  EXPECT_EQ(h.reason(VerdictReason::response_nocookie_tc), 2u);
  EXPECT_EQ(h.reason(VerdictReason::response_small), 1u);
}

TEST(Cookies, VerifiedRateCapsTheExemption) {
  Files f;
  // 5/min: a burst of one, then one every 12 s: the 40 answers below get exactly one exemption.
  PipelineHarness h(with_cookies(f, std::string(kSecretHex) + "\n", "verified-rate = 5/min\n"));
  h.send(kOut, test::cookie_query_v4(kClient, 100, test::valid_cookie_v4(kClient)));
  ASSERT_EQ(h.transmitted(kIn).size(), 1u);
  h.send(kIn, responses(40, 1000, 100));
  EXPECT_EQ(h.transmitted(kOut).size(), 11u) << "one exempt, then the limit's burst of 10";
  EXPECT_EQ(h.reason(VerdictReason::response_verified), 1u);
  EXPECT_EQ(h.totals().verified_over_cap, 39u);
  EXPECT_EQ(h.reason(VerdictReason::over_limit), 29u);
}

TEST(Cookies, VerifiedRateMustBeAPacketRate) {
  Files f;
  write_file(f.secrets, std::string(kSecretHex) + "\n");
  write_file(f.conf, "[cookies]\nsecret-file = " + f.secrets + "\nverified-rate = 5kB/s\n");
  Settings s;
  EXPECT_EQ(load_settings(f.conf, {}, s),
            f.conf + ":3: cookies.verified-rate: '5kB/s' is not a packet rate (e.g. 100000/s)");
}

TEST(Cookies, DryRunCountsTheDecisionsAndChangesNothing) {
  Files f;
  PipelineHarness h(with_cookies(f, std::string(kSecretHex) + "\n", "nocookie-udp-size = 512\n",
                                 "dry-run = true\n"));
  block_client(h);
  const Bytes valid = test::cookie_query_v4(kClient, 100, test::valid_cookie_v4(kClient));
  const Bytes stale = test::cookie_query_v4(kClient, 101, test::valid_cookie_v4(kClient, 4000));
  h.send(kOut, {valid, stale});
  EXPECT_EQ(h.transmitted(kIn), (std::vector<Bytes>{valid, stale}));
  EXPECT_EQ(h.reason(VerdictReason::query_verified), 1u);
  EXPECT_EQ(h.reason(VerdictReason::blocklisted_source), 1u);
  const Bytes proven = test::response_v4(kClient, 1000, 100);
  const Bytes spoofed = test::response_v4(kClient, 1000, 101);
  h.send(kIn, {proven, spoofed});
  EXPECT_EQ(h.transmitted(kOut), (std::vector<Bytes>{proven, spoofed})) << "nothing rewritten";
  EXPECT_EQ(h.reason(VerdictReason::response_verified), 1u);
  EXPECT_EQ(h.reason(VerdictReason::response_nocookie_tc), 1u);
  EXPECT_EQ(h.totals().dry_run_forwarded, 1u);
}

}  // namespace
}  // namespace ampguard
