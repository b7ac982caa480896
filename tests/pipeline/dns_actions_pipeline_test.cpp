// DNS actions through the real worker loop: ANY over UDP answered with TC=1 out of the port it
// came in on, other queries untouched, oversized answers truncated before the limiter sees them.
#include <gtest/gtest.h>

#include "dataplane/packet_parse.hpp"
#include "support/dns_frames.hpp"
#include "support/pipeline_harness.hpp"

namespace ampguard {
namespace {

using test::Bytes;
using test::PipelineHarness;

constexpr PortSide kIn = PortSide::inside, kOut = PortSide::outside;
constexpr std::array<uint8_t, 4> kClient{198, 18, 9, 9};

// The parts of a reply a client checks, read with our parser after an independent checksum walk.
void expect_tc_reply_to(const Bytes& reply, const Bytes& query) {
  EXPECT_EQ(test::checksum_error(reply), "");
  PacketView q = parse_frame(query.data(), uint32_t(query.size()));
  PacketView r = parse_frame(reply.data(), uint32_t(reply.size()));
  ASSERT_TRUE(parse_dns(query.data(), q));
  ASSERT_TRUE(parse_dns(reply.data(), r));
  EXPECT_EQ(r.src, q.dst);
  EXPECT_EQ(r.dst, q.src);
  EXPECT_EQ(r.src_port, q.dst_port);
  EXPECT_EQ(r.dst_port, q.src_port);
  EXPECT_EQ(r.dns.id, q.dns.id);
  EXPECT_EQ(r.dns.flags & 0x8200, 0x8200) << "QR and TC set";
  EXPECT_EQ(r.dns.flags & 0x0100, q.dns.flags & 0x0100) << "RD copied";
  EXPECT_EQ(r.dns.flags & 0x000f, 0) << "NOERROR";
  EXPECT_EQ(r.dns.ancount + r.dns.nscount, 0);
  EXPECT_EQ(Bytes(reply.begin() + r.dns.qname_offset, reply.begin() + r.dns.question_end),
            Bytes(query.begin() + q.dns.qname_offset, query.begin() + q.dns.question_end));
  // Ethernet addresses swapped: the reply goes back to the router it came from.
  EXPECT_EQ(Bytes(reply.begin(), reply.begin() + 6), Bytes(query.begin() + 6, query.begin() + 12));
}

TEST(DnsActions, AnyQueryGetsOneTcReplyOnTheOutsideOnly) {
  PipelineHarness h;
  const Bytes any = test::query_v4(kClient, 0x4444, kDnsTypeAny);
  h.send(kOut, any);
  const auto replies = h.transmitted(kOut);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_TRUE(h.transmitted(kIn).empty());
  expect_tc_reply_to(replies[0], any);
  EXPECT_EQ(h.reason(VerdictReason::any_tc_reply), 1u);
  EXPECT_EQ(h.totals().port[unsigned(kOut)].tx_packets, 1u);
}

TEST(DnsActions, Ipv6AnyQueryGetsATcReply) {
  PipelineHarness h;
  const Bytes any = test::query_v6(test::v6_addr(0x77, 1), 0x5555, kDnsTypeAny);
  h.send(kOut, any);
  const auto replies = h.transmitted(kOut);
  ASSERT_EQ(replies.size(), 1u);
  expect_tc_reply_to(replies[0], any);
}

TEST(DnsActions, OtherQueriesPassUntouched) {
  PipelineHarness h;
  std::vector<Bytes> queries;
  for (uint16_t qtype : {1, 28, 15, 16, 48})
    queries.push_back(test::query_v4(kClient, qtype, qtype));
  h.send(kOut, queries);
  EXPECT_EQ(h.transmitted(kIn), queries);
  EXPECT_TRUE(h.transmitted(kOut).empty());
}

TEST(DnsActions, AnyActionDropDropsTheQuery) {
  Settings drop;
  drop.any_action = "drop";
  PipelineHarness h(drop);
  h.send(kOut, test::query_v4(kClient, 1, kDnsTypeAny));
  EXPECT_TRUE(h.transmitted(kIn).empty());
  EXPECT_TRUE(h.transmitted(kOut).empty());
  EXPECT_EQ(h.reason(VerdictReason::any_dropped), 1u);
}

TEST(DnsActions, AnyActionPassForwardsToTheResolver) {
  Settings pass;
  pass.any_action = "pass";
  PipelineHarness h(pass);
  const Bytes any = test::query_v4(kClient, 1, kDnsTypeAny);
  h.send(kOut, any);
  EXPECT_EQ(h.transmitted(kIn), std::vector<Bytes>{any});
}

TEST(DnsActions, MultiQuestionAnyPassesUntouched) {
  PipelineHarness h;
  Bytes any = test::query_v4(kClient, 1, kDnsTypeAny);
  any[14 + 20 + 8 + 5] = 2;  // QDCOUNT 2: not ours to answer (UDP checksum now stale: fine)
  h.send(kOut, any);
  EXPECT_EQ(h.transmitted(kIn), std::vector<Bytes>{any});
  EXPECT_EQ(h.reason(VerdictReason::query), 1u);
  // Counted with the reason the TC action did not apply.
  EXPECT_EQ(h.totals().tc_reply_results[unsigned(RewriteResult::multi_question)], 1u);
  EXPECT_EQ(h.totals().tc_reply_results[unsigned(RewriteResult::done)], 0u);
}

// Issue 15: a query stuffed with additional records costs no more to answer than a plain one.
// Its OPT, past the records looked at, is not seen: the TC reply carries none.
TEST(DnsActions, AnyQueryWithManyRecordsGetsATcReplyWithoutWalkingThemAll) {
  PipelineHarness h;
  Bytes dns = test::cat({test::dns_header(0x4545, 0x0100, 1, 0, 0, 125),
                         test::dns_question("www.example.com", kDnsTypeAny)});
  for (int i = 0; i < 124; ++i) dns = test::cat({dns, test::dns_rr({0}, 1, 1, 0, {})});
  dns = test::cat({dns, test::dns_opt(1232, 0, 0)});
  const Bytes any = test::frame_v4(test::kToResolver, {kClient, test::kResolverV4, 64, 0, 0, {}},
                                   {40000, 53, {}}, dns);
  ASSERT_LE(any.size(), 1514u);
  h.send(kOut, any);
  const auto replies = h.transmitted(kOut);
  ASSERT_EQ(replies.size(), 1u);
  expect_tc_reply_to(replies[0], any);
  PacketView r = parse_frame(replies[0].data(), uint32_t(replies[0].size()));
  ASSERT_TRUE(parse_dns(replies[0].data(), r));
  EXPECT_EQ(r.dns.arcount, 0) << "the OPT is the 125th record: not looked for";
}

TEST(DnsActions, OversizedAnswerIsTruncatedBeforeTheLimiter) {
  Settings s;
  s.truncate_above = 1232;
  PipelineHarness h(s);
  const Bytes big = test::response_v4(kClient, 1400, 0x99);
  h.send(kIn, big);
  const auto out = h.transmitted(kOut);
  ASSERT_EQ(out.size(), 1u);
  const Bytes& t = out[0];
  EXPECT_EQ(test::checksum_error(t), "");
  PacketView v = parse_frame(t.data(), uint32_t(t.size()));
  ASSERT_TRUE(parse_dns(t.data(), v));
  EXPECT_EQ(v.dns.id, 0x99);
  EXPECT_EQ(v.dns.flags & 0x8200, 0x8200);
  EXPECT_EQ(v.dns.ancount, 0);
  EXPECT_LT(v.ip_total_len, 700) << "what the limiter charges is the truncated answer";
  EXPECT_EQ(h.reason(VerdictReason::response_truncated), 1u);
  EXPECT_EQ(h.totals().truncate_results[unsigned(RewriteResult::done)], 1u);
  // Small after truncation: never limited, so thirty of them all pass.
  std::vector<Bytes> many;
  for (uint16_t i = 0; i < 30; ++i) many.push_back(test::response_v4(kClient, 1400, i));
  h.send(kIn, many);
  EXPECT_EQ(h.transmitted(kOut).size(), 30u);
}

TEST(DnsActions, FragmentedOversizedAnswerBecomesOneTruncatedFrame) {
  Settings s;
  s.truncate_above = 1232;
  PipelineHarness h(s);
  const auto frags = test::fragmented_response_v4(kClient, 3000, 0x7777);
  ASSERT_EQ(frags.size(), 3u);
  h.send(kIn, frags);
  const auto out = h.transmitted(kOut);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(test::checksum_error(out[0]), "");
  PacketView v = parse_frame(out[0].data(), uint32_t(out[0].size()));
  EXPECT_FALSE(v.is_fragment);
  ASSERT_TRUE(parse_dns(out[0].data(), v));
  EXPECT_EQ(v.dns.flags & 0x0200, 0x0200);
  EXPECT_EQ(h.reason(VerdictReason::fragment_dropped), 2u);
}

}  // namespace
}  // namespace ampguard
