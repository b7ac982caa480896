// RSS hash fields for real NICs (vdevs have no RSS): every packet type a DNS box sees is hashed
// on one address only, so one destination's traffic and every fragment of a datagram share a
// queue; nothing the device does not offer is requested.
#include "dataplane/ports.hpp"

#include <gtest/gtest.h>
#include <rte_ethdev.h>

namespace ampguard {
namespace {

// What i40e/ice offer: per packet type, with L3-only hashing.
constexpr uint64_t kPerType =
    RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_FRAG_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP |
    RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_NONFRAG_IPV4_SCTP | RTE_ETH_RSS_NONFRAG_IPV4_OTHER |
    RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_FRAG_IPV6 | RTE_ETH_RSS_NONFRAG_IPV6_TCP |
    RTE_ETH_RSS_NONFRAG_IPV6_UDP | RTE_ETH_RSS_NONFRAG_IPV6_SCTP | RTE_ETH_RSS_NONFRAG_IPV6_OTHER |
    RTE_ETH_RSS_L3_SRC_ONLY | RTE_ETH_RSS_L3_DST_ONLY | RTE_ETH_RSS_L4_SRC_ONLY |
    RTE_ETH_RSS_L4_DST_ONLY;

constexpr uint64_t kUdpAndFragments = RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_NONFRAG_IPV6_UDP |
                                      RTE_ETH_RSS_FRAG_IPV4 | RTE_ETH_RSS_FRAG_IPV6;

TEST(Rss, PacketTypeNicsHashUdpAndFragmentsOnTheDestinationInside) {
  const uint64_t hf = rss_hash_fields(PortSide::inside, kPerType);
  EXPECT_EQ(hf & kUdpAndFragments, kUdpAndFragments);
  EXPECT_NE(hf & RTE_ETH_RSS_NONFRAG_IPV4_OTHER, 0u);
  EXPECT_NE(hf & RTE_ETH_RSS_L3_DST_ONLY, 0u);
  EXPECT_EQ(hf & (RTE_ETH_RSS_L3_SRC_ONLY | RTE_ETH_RSS_L4_SRC_ONLY | RTE_ETH_RSS_L4_DST_ONLY), 0u);
}

TEST(Rss, PacketTypeNicsHashUdpAndFragmentsOnTheSourceOutside) {
  const uint64_t hf = rss_hash_fields(PortSide::outside, kPerType);
  EXPECT_EQ(hf & kUdpAndFragments, kUdpAndFragments);
  EXPECT_NE(hf & RTE_ETH_RSS_L3_SRC_ONLY, 0u);
  EXPECT_EQ(hf & (RTE_ETH_RSS_L3_DST_ONLY | RTE_ETH_RSS_L4_SRC_ONLY | RTE_ETH_RSS_L4_DST_ONLY), 0u);
}

TEST(Rss, WithoutL3OnlyHashingUdpStaysOnTheAddresses) {
  // ixgbe-like: IPV4 hashes every IPv4 packet on its addresses; asking for UDP would add ports.
  const uint64_t offered = kPerType & ~(RTE_ETH_RSS_L3_SRC_ONLY | RTE_ETH_RSS_L3_DST_ONLY);
  const uint64_t hf = rss_hash_fields(PortSide::inside, offered);
  EXPECT_EQ(hf, RTE_ETH_RSS_IP & offered);
  EXPECT_EQ(hf & (RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_NONFRAG_IPV6_UDP), 0u);
}

TEST(Rss, NeverRequestsWhatTheDeviceDoesNotOffer) {
  for (uint64_t offered : {uint64_t(0), uint64_t(RTE_ETH_RSS_IPV4), kPerType,
                           uint64_t(RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_L3_DST_ONLY)})
    for (PortSide side : {PortSide::inside, PortSide::outside})
      EXPECT_EQ(rss_hash_fields(side, offered) & ~offered, 0u) << std::hex << offered;
  EXPECT_EQ(rss_hash_fields(PortSide::inside, 0), 0u);
}

TEST(Rss, NamesTheChosenTypes) {
  EXPECT_EQ(rss_types_text(RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_FRAG_IPV6 |
                           RTE_ETH_RSS_L3_DST_ONLY),
            "ipv4-udp ipv6-frag l3-dst-only");
  EXPECT_EQ(rss_types_text(0), "none");
}

}  // namespace
}  // namespace ampguard
