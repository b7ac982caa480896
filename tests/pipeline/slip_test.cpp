// Issue 14 part 2: limit.over-action = tc. Every limit.slip-th over-limit response leaves in its
// truncated form (header, question, at most a bare OPT), so a real client retries over TCP;
// it still counts as over the limit.
#include <gtest/gtest.h>

#include "dataplane/drop_capture.hpp"
#include "dataplane/packet_parse.hpp"
#include "support/dns_frames.hpp"
#include "support/pipeline_harness.hpp"

namespace ampguard {
namespace {

using test::Bytes;
using test::PipelineHarness;

constexpr PortSide kIn = PortSide::inside, kOut = PortSide::outside;
constexpr auto kClient = test::kVictimV4;

// A 1000-byte IPv4 response with an answer and an OPT carrying a 24-byte option.
Bytes response_with_opt(uint16_t id) {
  Bytes dns =
      test::cat({test::dns_header(id, 0x8180, 1, 1, 0, 1), test::dns_question("big.example", 16)});
  const Bytes opt = test::dns_opt(1232, 0, 0x8000, test::edns_option(10, Bytes(24, 0xab)));
  const size_t rdlen = 1000 - 28 - dns.size() - 12 - opt.size();
  Bytes txt{uint8_t(255)};
  txt.insert(txt.end(), 255, 'x');
  Bytes rdata;
  while (rdata.size() + txt.size() <= rdlen) rdata = test::cat({rdata, txt});
  rdata.push_back(uint8_t(rdlen - rdata.size() - 1));
  rdata.insert(rdata.end(), rdlen - rdata.size(), 'y');
  dns = test::cat({dns, test::dns_rr(test::dns_pointer(12), 16, 1, 300, rdata), opt});
  return test::frame_v4(test::kFromResolver, {test::kResolverV4, kClient, 64, id, 0, {}},
                        {53, 40000, {}}, dns);
}

Settings over_tc(uint32_t slip) {
  Settings s;
  s.limit_over_action = "tc";
  s.limit_slip = slip;
  return s;
}

TEST(Slip, EverySlipthOverLimitResponseLeavesTruncated) {
  PipelineHarness h(over_tc(2));
  std::vector<Bytes> burst;
  for (uint16_t i = 0; i < 30; ++i) burst.push_back(response_with_opt(i));
  ASSERT_EQ(burst[0].size(), 14u + 1000u);
  h.send(kIn, burst);
  const auto out = h.transmitted(kOut);
  ASSERT_EQ(out.size(), 20u);
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(out[i], burst[i]);
  for (size_t i = 10; i < 20; ++i) {
    const Bytes& t = out[i];
    EXPECT_EQ(test::checksum_error(t), "");
    PacketView v = parse_frame(t.data(), uint32_t(t.size()));
    ASSERT_TRUE(parse_dns(t.data(), v));
    EXPECT_EQ(v.dns.id, 10 + 2 * (i - 10) + 1) << "the 2nd, 4th, ... over-limit response";
    EXPECT_EQ(v.dns.flags & 0x8200, 0x8200);
    EXPECT_EQ(v.dns.ancount + v.dns.nscount, 0);
    ASSERT_EQ(v.dns.arcount, 1);
    // The OPT is bare: no options, the payload size and DO bit kept.
    ASSERT_EQ(v.dns.opt_offset, v.dns.question_end);
    EXPECT_EQ(t.size(), size_t(v.dns.question_end) + 11);
    EXPECT_EQ(load_be16(&t[v.dns.opt_offset + 3]), 1232);
    EXPECT_EQ(load_be16(&t[v.dns.opt_offset + 7]), 0x8000);
    EXPECT_EQ(load_be16(&t[v.dns.opt_offset + 9]), 0);
  }
  EXPECT_EQ(h.reason(VerdictReason::over_limit_tc), 10u);
  EXPECT_EQ(h.reason(VerdictReason::over_limit), 10u);
  // Truncated or dropped, every over-limit response refreshed the block.
  EXPECT_EQ(h.totals().tables.block_refreshes, 19u);
  EXPECT_EQ(h.totals().tables.block_entries, 1u);
}

TEST(Slip, FragmentedOverLimitResponseBecomesOneTruncatedFrame) {
  PipelineHarness h(over_tc(1));
  std::vector<Bytes> frames;
  for (uint16_t d = 0; d < 11; ++d)
    for (auto& f : test::fragmented_response_v4(kClient, 3000, uint16_t(0x100 + d)))
      frames.push_back(f);
  h.send(kIn, frames);
  const auto out = h.transmitted(kOut);
  ASSERT_EQ(out.size(), 31u);
  PacketView v = parse_frame(out[30].data(), uint32_t(out[30].size()));
  EXPECT_FALSE(v.is_fragment);
  ASSERT_TRUE(parse_dns(out[30].data(), v));
  EXPECT_EQ(v.dns.flags & 0x0200, 0x0200);
  EXPECT_EQ(h.reason(VerdictReason::over_limit_tc), 1u);
  EXPECT_EQ(h.reason(VerdictReason::fragment_dropped), 2u);
}

TEST(Slip, OverActionDropIsTheRecipe) {
  PipelineHarness h;
  std::vector<Bytes> burst;
  for (uint16_t i = 0; i < 30; ++i) burst.push_back(response_with_opt(i));
  h.send(kIn, burst);
  EXPECT_EQ(h.transmitted(kOut).size(), 10u);
  EXPECT_EQ(h.reason(VerdictReason::over_limit), 20u);
}

// Rewritten in place like a TC reply: ampguardctl capture can ask for it.
TEST(Slip, TruncatedOverLimitResponsesAreCapturable) {
  EXPECT_EQ(capturable_reasons() >> unsigned(VerdictReason::over_limit_tc) & 1u, 1u);
  EXPECT_EQ(capturable_reasons() >> unsigned(VerdictReason::blocklisted_tc_reply) & 1u, 1u);
  EXPECT_EQ(capturable_reasons() >> unsigned(VerdictReason::blocklisted_source_upstream) & 1u, 0u);
}

}  // namespace
}  // namespace ampguard
