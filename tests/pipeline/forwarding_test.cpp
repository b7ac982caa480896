// The foundation: frames cross the real worker loop L2-transparently, byte for byte, in both
// directions, for IPv4, IPv6, VLAN-tagged, fragmented and non-IP traffic.
#include <gtest/gtest.h>

#include "support/dns_frames.hpp"
#include "support/pipeline_harness.hpp"

namespace ampguard {
namespace {

using test::Bytes;
using test::PipelineHarness;

constexpr PortSide kIn = PortSide::inside, kOut = PortSide::outside;

void expect_crosses(PipelineHarness& h, PortSide from, const std::vector<Bytes>& frames) {
  const PortSide to = from == kIn ? kOut : kIn;
  h.send(from, frames);
  EXPECT_EQ(h.transmitted(to), frames);
  EXPECT_TRUE(h.transmitted(from).empty());
}

TEST(Forwarding, Ipv4QueriesAndResponsesCrossUnchanged) {
  PipelineHarness h;
  std::vector<Bytes> queries, responses;
  for (uint8_t i = 1; i <= 20; ++i) {
    queries.push_back(test::query_v4({198, 18, 0, i}, i));
    responses.push_back(test::response_v4({198, 18, 0, i}, 80 + i * 10, i));
  }
  expect_crosses(h, kOut, queries);
  expect_crosses(h, kIn, responses);
  const StatsTotals t = h.totals();
  EXPECT_EQ(t.port[unsigned(kOut)].rx_packets, 20u);
  EXPECT_EQ(t.port[unsigned(kIn)].tx_packets, 20u);
  EXPECT_EQ(t.port[unsigned(kIn)].rx_packets, 20u);
  EXPECT_EQ(t.port[unsigned(kOut)].tx_packets, 20u);
  EXPECT_EQ(t.reason_packets[unsigned(VerdictReason::query)], 20u);
  EXPECT_EQ(t.reason_packets[unsigned(VerdictReason::response_small)], 20u);
  EXPECT_EQ(t.port[unsigned(kOut)].class_packets[unsigned(TrafficClass::dns_query)], 20u);
}

TEST(Forwarding, Ipv6CrossesUnchanged) {
  PipelineHarness h;
  expect_crosses(h, kOut,
                 {test::query_v6(test::v6_addr(1, 1), 7), test::query_v6(test::v6_addr(2, 9), 8)});
  expect_crosses(h, kIn,
                 {test::response_v6(test::v6_addr(1, 1), 300, 7),
                  test::response_v6(test::v6_addr(2, 9), 900, 8)});
  EXPECT_EQ(h.reason(VerdictReason::response_within_limit), 1u);
  EXPECT_EQ(h.reason(VerdictReason::response_small), 1u);
}

TEST(Forwarding, VlanAndQinQTagsAreKept) {
  PipelineHarness h;
  const test::L2 vlan{{2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 0x53}, {{0x8100, 100}}};
  const test::L2 qinq{{2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 0x53}, {{0x88a8, 7}, {0x8100, 100}}};
  std::vector<Bytes> frames;
  for (const test::L2& l2 : {vlan, qinq})
    frames.push_back(test::frame_v4(l2, {test::kResolverV4, {198, 18, 1, 1}, 64, 0, 0, {}},
                                    {53, 40000, {}}, test::dns_response_payload(5, 800)));
  expect_crosses(h, kIn, frames);
  EXPECT_EQ(h.reason(VerdictReason::response_within_limit), 2u);
}

TEST(Forwarding, FragmentedResponseCrossesWhole) {
  PipelineHarness h;
  const auto frags = test::fragmented_response_v4({198, 18, 2, 2}, 3500, 0x4242);
  ASSERT_EQ(frags.size(), 3u);
  expect_crosses(h, kIn, frags);
  EXPECT_EQ(h.reason(VerdictReason::response_within_limit), 1u);
  EXPECT_EQ(h.reason(VerdictReason::fragment_passed), 2u);
}

TEST(Forwarding, NonIpFramesPassBothWays) {
  PipelineHarness h;
  expect_crosses(h, kIn, {test::arp_frame(), test::lldp_frame()});
  expect_crosses(h, kOut, {test::arp_frame(), test::lldp_frame()});
  EXPECT_EQ(h.reason(VerdictReason::non_ip), 4u);
}

TEST(Forwarding, MalformedFramesAreNotOursToDrop) {
  PipelineHarness h;
  Bytes bad_ihl = test::response_v4({198, 18, 3, 3}, 900);
  bad_ihl[14] = 0x44;
  Bytes runt(10, 0xab);
  Bytes bad_dns =
      test::frame_v4(test::kToResolver, {{198, 18, 3, 4}, test::kResolverV4, 64, 0, 0, {}},
                     {40000, 53, {}}, Bytes(5, 0));
  expect_crosses(h, kIn, {bad_ihl, runt});
  expect_crosses(h, kOut, {bad_dns});
  EXPECT_EQ(h.reason(VerdictReason::malformed), 2u);
  EXPECT_EQ(h.reason(VerdictReason::dns_malformed), 1u);
  const StatsTotals t = h.totals();
  EXPECT_EQ(t.parse_status[unsigned(ParseStatus::bad_ipv4_ihl)], 1u);
  EXPECT_EQ(t.parse_status[unsigned(ParseStatus::truncated_ethernet)], 1u);
  EXPECT_EQ(t.parse_status[unsigned(ParseStatus::truncated_dns_header)], 1u);
}

}  // namespace
}  // namespace ampguard
