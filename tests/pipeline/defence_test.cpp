// The amplification defence through the real worker loop: the recipe's packet counts, the
// blocklist on the outside port, IPv6 prefixes, fragments, dry run, bytes mode, allow / deny.
#include <gtest/gtest.h>

#include <thread>

#include "support/dns_frames.hpp"
#include "support/pipeline_harness.hpp"

namespace ampguard {
namespace {

using test::Bytes;
using test::PipelineHarness;

constexpr PortSide kIn = PortSide::inside, kOut = PortSide::outside;
constexpr auto kVictim = test::kVictimV4;
constexpr auto kOther = test::kOtherClientV4;

std::vector<Bytes> responses_to(std::array<uint8_t, 4> dst, int n, size_t bytes,
                                uint16_t first_id = 1) {
  std::vector<Bytes> out;
  for (int i = 0; i < n; ++i) out.push_back(test::response_v4(dst, bytes, uint16_t(first_id + i)));
  return out;
}

std::vector<Bytes> first(const std::vector<Bytes>& v, size_t n) {
  return {v.begin(), v.begin() + long(n)};
}

TEST(Defence, RecipeThirtyLargeResponsesTenLeave) {
  PipelineHarness h;
  const auto burst = responses_to(kVictim, 30, 1000);
  h.send(kIn, burst);
  EXPECT_EQ(h.transmitted(kOut), first(burst, 10));
  EXPECT_EQ(h.reason(VerdictReason::response_within_limit), 10u);
  EXPECT_EQ(h.reason(VerdictReason::over_limit), 20u);
  const StatsTotals t = h.totals();
  EXPECT_EQ(t.tables.block_entries, 1u);
  EXPECT_EQ(t.tables.block_adds, 1u);
  EXPECT_EQ(t.tables.block_refreshes, 19u);
  EXPECT_EQ(t.block_events, 1u);
  const auto log = h.log_lines();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].rfind("DNS-amplification protection: blocked 203.0.113.66 for 600s", 0), 0u)
      << log[0];
}

TEST(Defence, BlocklistedSourceIsDroppedOnTheOutsideOnly) {
  PipelineHarness h;
  h.send(kIn, responses_to(kVictim, 11, 800));
  ASSERT_EQ(h.reason(VerdictReason::over_limit), 1u);
  // UDP from the victim: dropped; UDP from anyone else: forwarded.
  const Bytes from_victim = test::query_v4(kVictim, 99);
  const Bytes from_other = test::query_v4(kOther, 98);
  h.send(kOut, {from_victim, from_other, from_victim});
  EXPECT_EQ(h.transmitted(kIn), std::vector<Bytes>{from_other});
  EXPECT_EQ(h.reason(VerdictReason::blocklisted_source), 2u);
  // The recipe matches UDP only: other protocols from the victim still pass.
  Bytes tcp_from_victim = from_victim;
  tcp_from_victim[14 + 9] = 6;
  h.send(kOut, tcp_from_victim);
  EXPECT_EQ(h.transmitted(kIn), std::vector<Bytes>{tcp_from_victim});
}

TEST(Defence, SmallResponsesAlwaysPassAndSevenHundredIsLarge) {
  PipelineHarness h;
  const auto small = responses_to(kVictim, 50, 699);
  h.send(kIn, small);
  EXPECT_EQ(h.transmitted(kOut), small);
  const auto large = responses_to(kVictim, 12, 700, 100);
  h.send(kIn, large);
  EXPECT_EQ(h.transmitted(kOut), first(large, 10));
  const auto small_again = responses_to(kVictim, 5, 120, 200);
  h.send(kIn, small_again);
  EXPECT_EQ(h.transmitted(kOut), small_again);  // the recipe never limits small answers
  EXPECT_EQ(h.reason(VerdictReason::response_small), 55u);
}

TEST(Defence, OtherDestinationsAreUnaffected) {
  PipelineHarness h;
  h.send(kIn, responses_to(kVictim, 30, 1400));
  const auto others = responses_to(kOther, 10, 1400, 500);
  h.send(kIn, others);
  const auto out = h.transmitted(kOut);
  ASSERT_EQ(out.size(), 20u);
  EXPECT_EQ(std::vector<Bytes>(out.begin() + 10, out.end()), others);
}

TEST(Defence, Ipv6IsLimitedPerSlash64) {
  PipelineHarness h;
  const auto a = test::v6_addr(0xdead, 1), b = test::v6_addr(0xdead, 2);
  std::vector<Bytes> burst;
  for (int i = 0; i < 30; ++i) burst.push_back(test::response_v6(i % 2 ? a : b, 1000, uint16_t(i)));
  h.send(kIn, burst);
  EXPECT_EQ(h.transmitted(kOut), first(burst, 10));
  // Another address of the blocked /64 is blocked too; another /64 is not.
  const Bytes same_net = test::query_v6(test::v6_addr(0xdead, 3), 1);
  const Bytes other_net = test::query_v6(test::v6_addr(0xbeef, 3), 2);
  h.send(kOut, {same_net, other_net});
  EXPECT_EQ(h.transmitted(kIn), std::vector<Bytes>{other_net});
}

TEST(Defence, FragmentedResponsesAreJudgedWhole) {
  PipelineHarness h;
  std::vector<Bytes> frames;
  for (uint16_t d = 0; d < 15; ++d)
    for (auto& f : test::fragmented_response_v4(kVictim, 3000, uint16_t(0x100 + d)))
      frames.push_back(f);
  ASSERT_EQ(frames.size(), 45u);
  h.send(kIn, frames);
  // Ten datagrams pass whole; the five over the limit lose every fragment, not just the first.
  EXPECT_EQ(h.transmitted(kOut), first(frames, 30));
  EXPECT_EQ(h.reason(VerdictReason::over_limit), 5u);
  EXPECT_EQ(h.reason(VerdictReason::fragment_dropped), 10u);
  EXPECT_EQ(h.reason(VerdictReason::fragment_passed), 20u);
}

TEST(Defence, DryRunForwardsEverythingAndCountsTheSameDecisions) {
  Settings s;
  s.dry_run = true;
  PipelineHarness h(s);
  const auto burst = responses_to(kVictim, 30, 1000);
  h.send(kIn, burst);
  EXPECT_EQ(h.transmitted(kOut), burst);
  EXPECT_EQ(h.reason(VerdictReason::over_limit), 20u);
  const Bytes from_victim = test::query_v4(kVictim, 5);
  h.send(kOut, from_victim);
  EXPECT_EQ(h.transmitted(kIn), std::vector<Bytes>{from_victim});
  EXPECT_EQ(h.reason(VerdictReason::blocklisted_source), 1u);
  // An ANY query is judged for a TC reply but reaches the resolver untouched.
  const Bytes any = test::query_v4(kOther, 6, kDnsTypeAny);
  h.send(kOut, any);
  EXPECT_EQ(h.transmitted(kIn), std::vector<Bytes>{any});
  EXPECT_TRUE(h.transmitted(kOut).empty());
  EXPECT_EQ(h.reason(VerdictReason::any_tc_reply), 1u);
  const StatsTotals t = h.totals();
  EXPECT_EQ(t.dry_run_forwarded, 22u);
  EXPECT_EQ(h.log_lines().size(), 1u);
}

TEST(Defence, BytesModeLimitsBytes) {
  Settings s;
  s.limit_mode = "bytes";
  s.limit_rate = "50kB/min";
  s.limit_burst = "10kB";
  s.mtu = 9000;  // the 2000-byte responses below are unfragmented: jumbo frames
  PipelineHarness h(s);
  // 10240 bytes of burst: ten 1000-byte responses fit, the eleventh does not.
  const auto burst = responses_to(kVictim, 12, 1000);
  h.send(kIn, burst);
  EXPECT_EQ(h.transmitted(kOut), first(burst, 10));
  // A fresh client's 10240 bytes hold five 2000-byte responses, not six.
  const auto big = responses_to(kOther, 6, 2000, 100);
  h.send(kIn, big);
  EXPECT_EQ(h.transmitted(kOut), first(big, 5));
}

TEST(Defence, AllowlistedDestinationsAreNeverLimited) {
  Settings s;
  s.allow = {"203.0.113.0/24"};
  PipelineHarness h(s);
  const auto burst = responses_to(kVictim, 30, 1000);
  h.send(kIn, burst);
  EXPECT_EQ(h.transmitted(kOut), burst);
  EXPECT_EQ(h.reason(VerdictReason::response_allowlisted), 30u);
}

TEST(Defence, DenylistedSourcesAreDropped) {
  Settings s;
  s.deny = {"198.51.100.0/24", "2001:db8:bad::/48"};
  PipelineHarness h(s);
  const Bytes denied = test::query_v4({198, 51, 100, 9}, 1);
  const Bytes denied6 =
      test::query_v6({0x20, 0x01, 0x0d, 0xb8, 0x0b, 0xad, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, 2);
  const Bytes fine = test::query_v4(kOther, 3);
  h.send(kOut, {denied, fine, denied6});
  EXPECT_EQ(h.transmitted(kIn), std::vector<Bytes>{fine});
  EXPECT_EQ(h.reason(VerdictReason::denylisted_source), 2u);
}

TEST(Defence, CreditRefillsAtOnePer1200ms) {
  PipelineHarness h;
  const auto start = std::chrono::steady_clock::now();
  h.send(kIn, responses_to(kVictim, 30, 1000));
  ASSERT_EQ(h.transmitted(kOut).size(), 10u);
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  const auto later = responses_to(kVictim, 5, 1000, 100);
  h.send(kIn, later);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  // At least 1.3 s passed between the two batches: one credit. On a loaded machine the worker
  // may see the batches further apart, never more than the whole run: at most one per 1.2 s.
  const size_t most = std::max<size_t>(1, size_t(elapsed / std::chrono::milliseconds(1200)));
  const auto out = h.transmitted(kOut);
  ASSERT_GE(out.size(), 1u);
  ASSERT_LE(out.size(), most);
  EXPECT_EQ(out, first(later, out.size()));
}

}  // namespace
}  // namespace ampguard
