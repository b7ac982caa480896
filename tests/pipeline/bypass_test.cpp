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

}  // namespace
}  // namespace ampguard
