// Options for real NICs, through the real worker loop on net_ring ports: jumbo frames up to
// ports.mtu cross byte for byte and longer ones are dropped and counted; with ports.idle-pause
// the worker sleeps when RX is empty and still forwards everything.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "support/dns_frames.hpp"
#include "support/pipeline_harness.hpp"

namespace ampguard {
namespace {

using test::Bytes;
using test::PipelineHarness;

constexpr PortSide kIn = PortSide::inside, kOut = PortSide::outside;
constexpr std::array<uint8_t, 4> kClient{198, 18, 9, 9};

// Settings as an operator writes them (the option names are the interface under test).
Settings with(const std::vector<std::string>& args) {
  Settings s;
  const std::string err = load_settings("", args, s);
  if (!err.empty()) throw std::runtime_error(err);
  return s;
}

TEST(Jumbo, NineThousandByteFrameCrossesByteForByte) {
  PipelineHarness h(with({"--ports.mtu=9000"}));
  // A 9000-byte frame, and the longest one a 9000-byte MTU carries (IP total length 9000).
  const std::vector<Bytes> frames = {test::response_v4(kClient, 9000 - 14, 1),
                                     test::response_v4({198, 18, 9, 10}, 9000, 2)};
  ASSERT_EQ(frames[0].size(), 9000u);
  h.send(kIn, frames);
  EXPECT_EQ(h.transmitted(kOut), frames);
  EXPECT_EQ(h.reason(VerdictReason::response_within_limit), 2u);
  const Bytes query = test::query_v4(kClient, 3);
  h.send(kOut, query);
  EXPECT_EQ(h.transmitted(kIn), std::vector<Bytes>{query});
  EXPECT_EQ(h.reason(VerdictReason::oversize), 0u);
}

TEST(Jumbo, FramesLongerThanTheMtuAreDroppedAndCounted) {
  PipelineHarness h(with({"--ports.mtu=9000"}));
  // 9023 bytes: one past a 9000-byte IP packet with Ethernet and two VLAN tags around it.
  const Bytes too_long = test::response_v4(kClient, 9000 + 8 + 1, 1);
  h.send(kIn, too_long);
  h.send(kOut, too_long);
  EXPECT_TRUE(h.transmitted(kOut).empty());
  EXPECT_TRUE(h.transmitted(kIn).empty());
  EXPECT_EQ(h.reason(VerdictReason::oversize), 2u);
  EXPECT_EQ(h.totals().reason_bytes[unsigned(VerdictReason::oversize)], 2 * too_long.size());
}

TEST(Jumbo, DefaultMtuDropsAJumboFrame) {
  PipelineHarness h;
  const Bytes fits = test::response_v4(kClient, 1500, 1);
  const Bytes jumbo = test::response_v4({198, 18, 9, 10}, 2000, 2);
  h.send(kIn, {fits, jumbo});
  EXPECT_EQ(h.transmitted(kOut), std::vector<Bytes>{fits});
  EXPECT_EQ(h.reason(VerdictReason::oversize), 1u);
}

TEST(IdlePause, FramesStillCrossWithThePauseOn) {
  PipelineHarness h(with({"--ports.idle-pause=50us"}));
  std::vector<Bytes> queries, responses;
  for (uint8_t i = 1; i <= 20; ++i) {
    queries.push_back(test::query_v4({198, 18, 0, i}, i));
    responses.push_back(test::response_v4({198, 18, 0, i}, 900, i));
  }
  for (int round = 0; round < 3; ++round) {
    h.send(kOut, queries);
    EXPECT_EQ(h.transmitted(kIn), queries);
    h.send(kIn, responses);
    EXPECT_EQ(h.transmitted(kOut), responses);
    // Let the worker go idle (and pause) between rounds: it must wake up for the next one.
    const uint64_t pauses = h.totals().idle_pauses;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (h.totals().idle_pauses == pauses) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the worker never paused";
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  EXPECT_EQ(h.totals().port[unsigned(kIn)].rx_packets, 60u);
}

TEST(IdlePause, OffByDefault) {
  PipelineHarness h;
  h.send(kOut, test::query_v4(kClient, 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(h.totals().idle_pauses, 0u);
}

}  // namespace
}  // namespace ampguard
