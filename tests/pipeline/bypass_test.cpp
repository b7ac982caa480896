// Issue 15: bypasses found in review, each through the real worker loop.
#include <gtest/gtest.h>

#include "support/dns_frames.hpp"
#include "support/pipeline_harness.hpp"

namespace ampguard {
namespace {

using test::Bytes;
using test::PipelineHarness;

constexpr PortSide kIn = PortSide::inside, kOut = PortSide::outside;

std::vector<Bytes> fragmented_v6_burst(std::array<uint8_t, 16> client, size_t ip_bytes, int n) {
  std::vector<Bytes> frames;
  for (int d = 0; d < n; ++d)
    for (auto& f : test::fragmented_response_v6(client, ip_bytes, uint32_t(0x900 + d), 400))
      frames.push_back(f);
  return frames;
}

// The kernel sizes a datagram before fragmentation: the fragment header is not part of it.
TEST(Bypass, Ipv6FragmentsAreSizedWithoutTheFragmentHeader) {
  PipelineHarness h;
  const auto small = fragmented_v6_burst(test::v6_addr(0x600d, 1), 692, 30);
  ASSERT_EQ(small.size(), 60u);
  h.send(kIn, small);
  EXPECT_EQ(h.transmitted(kOut), small);
  EXPECT_EQ(h.reason(VerdictReason::response_small), 30u);
  // 700 bytes before fragmentation is large: ten datagrams pass, the rest lose every fragment.
  const auto large = fragmented_v6_burst(test::v6_addr(0xbad, 1), 700, 12);
  h.send(kIn, large);
  EXPECT_EQ(h.transmitted(kOut), std::vector<Bytes>(large.begin(), large.begin() + 20));
  EXPECT_EQ(h.reason(VerdictReason::over_limit), 2u);
}

// The fragment table holds a verdict for as many datagrams as the limiter tracks destinations.
TEST(Bypass, FragmentTableIsSizedWithTheLimiter) {
  Settings s;
  s.tables.limiter_entries = 200'000;
  PipelineHarness h(s);
  EXPECT_EQ(h.runtime().shared().fragments.capacity(), h.runtime().shared().limiter.capacity());
}

// A full fragment table overwrites pass verdicts before the drop verdict of a truncated
// datagram: its tail stays dropped.
TEST(Bypass, TailOfATruncatedDatagramStaysDroppedWhenTheTableFills) {
  Settings s;
  s.truncate_above = 1232;
  s.tables.limiter_entries = 8;  // the fragment table is then 16 slots: 4 buckets of 4
  PipelineHarness h(s);
  ASSERT_EQ(h.runtime().shared().fragments.capacity(), 16u);
  const auto truncated = test::fragmented_response_v4(test::kVictimV4, 3000, 0x77);
  h.send(kIn, truncated[0]);
  ASSERT_EQ(h.transmitted(kOut).size(), 1u);
  // Twice as many small fragmented answers to other clients as there are slots: every window,
  // the truncated datagram's too, fills with pass verdicts and keeps evicting.
  for (uint8_t c = 1; c <= 32; ++c) {
    const auto frags = test::fragments_v4(
        test::response_v4({198, 18, 5, c}, 600, uint16_t(0x200 + c)), test::kFromResolver, 400);
    h.send(kIn, frags);
    ASSERT_EQ(h.transmitted(kOut), frags);
  }
  h.send(kIn, {truncated[1], truncated[2]});
  EXPECT_TRUE(h.transmitted(kOut).empty());
  EXPECT_EQ(h.reason(VerdictReason::fragment_dropped), 2u);
}

// Later fragments whose first fragment was never seen are charged to their destination's
// limiter, each as one large response: a flood of tails is limited like whole answers.
TEST(Bypass, UnmatchedLaterFragmentsAreChargedToTheirDestination) {
  PipelineHarness h;
  std::vector<Bytes> tails;
  for (uint16_t d = 0; d < 15; ++d) {
    const auto frags = test::fragmented_response_v4(test::kVictimV4, 3000, uint16_t(0x300 + d));
    tails.push_back(frags[1]);
    tails.push_back(frags[2]);
  }
  h.send(kIn, tails);
  EXPECT_EQ(h.transmitted(kOut), std::vector<Bytes>(tails.begin(), tails.begin() + 10));
  EXPECT_EQ(h.reason(VerdictReason::fragment_unmatched), 10u);
  EXPECT_EQ(h.reason(VerdictReason::fragment_unmatched_over_limit), 20u);
}

TEST(Bypass, UnmatchedLaterFragmentsToAnAllowlistedDestinationPass) {
  Settings s;
  s.allow = {"203.0.113.0/24"};
  PipelineHarness h(s);
  std::vector<Bytes> tails;
  for (uint16_t d = 0; d < 15; ++d)
    tails.push_back(test::fragmented_response_v4(test::kVictimV4, 3000, uint16_t(0x300 + d))[1]);
  h.send(kIn, tails);
  EXPECT_EQ(h.transmitted(kOut), tails);
}

}  // namespace
}  // namespace ampguard
