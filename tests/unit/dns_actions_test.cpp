// Byte-exact fixtures for dataplane/dns_actions.hpp: {description, input frame, expected
// frame} tables for the TC reply and for response truncation, built with the test-only frame
// builder (its own checksum code), negative cases that must leave the frame untouched, and a
// seeded mutation sweep that runs both rewrites over damaged frames in exact-size buffers.
#include "dataplane/dns_actions.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "support/dns_frame_builder.hpp"
#include "support/view_difference.hpp"

namespace ampguard {
namespace {

using test::Bytes;
using test::cat;
using test::dns_header;
using test::dns_name;
using test::dns_opt;
using test::dns_pointer;
using test::dns_question;
using test::dns_rr;
using test::edns_option;

constexpr uint16_t kEdnsSize = 1232;
constexpr uint16_t kAny = 255, kA = 1, kNs = 2, kCname = 5, kTxt = 16, kTsig = 250;

const test::Mac kClientMac{0x02, 0, 0, 0, 0, 0x01};
const test::Mac kGuardMac{0x02, 0, 0, 0, 0, 0x02};
const std::array<uint8_t, 4> kClient4{198, 51, 100, 7};
const std::array<uint8_t, 4> kResolver4{192, 0, 2, 53};
const std::array<uint8_t, 16> kClient6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
const std::array<uint8_t, 16> kResolver6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                         0,    0,    0,    0,    0, 0, 0, 0x53};
const Bytes kCookie{1, 2, 3, 4, 5, 6, 7, 8};

std::string hex(const Bytes& b) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i != 0 && i % 16 == 0) s += '\n';
    s += digits[b[i] >> 4];
    s += digits[b[i] & 15];
  }
  return s;
}

test::L2 l2(const test::Mac& dst, const test::Mac& src, int vlans) {
  test::L2 l{dst, src, {}};
  if (vlans == 1) l.vlans = {{0x8100, 0x0064}};
  if (vlans == 2) l.vlans = {{0x88a8, 0x00c8}, {0x8100, 0x0064}};
  return l;
}

enum class Ip { v4, v6 };

// A query from the client to the resolver: DF set, TTL 57, id 0x1234, as a client sends it.
Bytes query_frame(Ip ip, int vlans, const Bytes& dns, const Bytes& v4_options = {},
                  const std::vector<test::Ipv6Ext>& ext = {}) {
  const test::Udp udp{40000, 53, {}};
  if (ip == Ip::v4)
    return test::frame_v4(l2(kGuardMac, kClientMac, vlans),
                          {kClient4, kResolver4, 57, 0x1234, 0x4000, v4_options}, udp, dns);
  return test::frame_v6(l2(kGuardMac, kClientMac, vlans), {kClient6, kResolver6, 57, 0xabcde, ext},
                        udp, dns);
}

// The reply as written by hand: everything swapped, TTL 64, IPv4 id kept with DF clear, bare
// IP header, flow label kept.
Bytes reply_frame(Ip ip, int vlans, const Bytes& dns) {
  const test::Udp udp{53, 40000, {}};
  if (ip == Ip::v4)
    return test::frame_v4(l2(kClientMac, kGuardMac, vlans),
                          {kResolver4, kClient4, 64, 0x1234, 0, {}}, udp, dns);
  return test::frame_v6(l2(kClientMac, kGuardMac, vlans), {kResolver6, kClient6, 64, 0xabcde, {}},
                        udp, dns);
}

// A response from the resolver to the client, as the resolver sends it.
Bytes response_frame(Ip ip, int vlans, const Bytes& dns, uint16_t v4_frag = 0,
                     std::optional<uint16_t> udp_len = {}, const Bytes& v4_options = {},
                     const std::vector<test::Ipv6Ext>& ext = {}) {
  const test::Udp udp{53, 40000, udp_len};
  if (ip == Ip::v4)
    return test::frame_v4(l2(kClientMac, kGuardMac, vlans),
                          {kResolver4, kClient4, 64, 0x7777, v4_frag, v4_options}, udp, dns);
  return test::frame_v6(l2(kClientMac, kGuardMac, vlans), {kResolver6, kClient6, 64, 0x12345, ext},
                        udp, dns);
}

struct Fixture {
  std::string description;
  Bytes input;
  Bytes expected;
};

void PrintTo(const Fixture& f, std::ostream* os) { *os << f.description; }

Bytes query_dns(uint16_t flags, const Bytes& additional, uint16_t arcount,
                std::string_view name = "wWw.ExAmPle.CoM") {
  return cat({dns_header(0xbeef, flags, 1, 0, 0, arcount), dns_question(name, kAny), additional});
}

Bytes reply_dns(uint16_t flags, bool opt, uint16_t do_flag = 0, uint8_t version = 0,
                std::string_view name = "wWw.ExAmPle.CoM") {
  return cat({dns_header(0xbeef, flags, 1, 0, 0, opt ? 1 : 0), dns_question(name, kAny),
              opt ? dns_opt(kEdnsSize, version, do_flag) : Bytes{}});
}

std::vector<Fixture> tc_fixtures() {
  const Bytes opt_cookie = dns_opt(4096, 0, 0x8000, edns_option(10, kCookie));
  const Bytes opt_plain = dns_opt(1400, 0, 0);
  const Bytes hop_by_hop{0, 1, 4, 0, 0, 0, 0};  // length 0, PadN of 4
  const Bytes tsig = dns_rr(dns_name("key.example"), kTsig, 255, 0, Bytes(26, 0xaa));
  Bytes padded = query_frame(Ip::v4, 0, query_dns(0x0100, {}, 0, "a.B"));
  padded.resize(padded.size() + 8, 0);  // trailer bytes past the IP packet
  return {
      {"ipv4, no EDNS, 0x20 name, RD copied", query_frame(Ip::v4, 0, query_dns(0x0100, {}, 0)),
       reply_frame(Ip::v4, 0, reply_dns(0x8300, false))},
      {"ipv4, EDNS with cookie, DO copied, options dropped",
       query_frame(Ip::v4, 0, query_dns(0x0100, opt_cookie, 1)),
       reply_frame(Ip::v4, 0, reply_dns(0x8300, true, 0x8000))},
      {"ipv4, RD clear, CD copied, AD cleared, EDNS version 1",
       query_frame(Ip::v4, 0, query_dns(0x0030, dns_opt(512, 1, 0), 1)),
       reply_frame(Ip::v4, 0, reply_dns(0x8210, true, 0, 1))},
      {"ipv6, no EDNS", query_frame(Ip::v6, 0, query_dns(0x0100, {}, 0)),
       reply_frame(Ip::v6, 0, reply_dns(0x8300, false))},
      {"ipv6, EDNS with cookie", query_frame(Ip::v6, 0, query_dns(0x0100, opt_cookie, 1)),
       reply_frame(Ip::v6, 0, reply_dns(0x8300, true, 0x8000))},
      {"single VLAN ipv4, EDNS", query_frame(Ip::v4, 1, query_dns(0x0100, opt_plain, 1)),
       reply_frame(Ip::v4, 1, reply_dns(0x8300, true))},
      {"QinQ ipv6, no EDNS", query_frame(Ip::v6, 2, query_dns(0x0100, {}, 0)),
       reply_frame(Ip::v6, 2, reply_dns(0x8300, false))},
      {"QinQ ipv4, EDNS with cookie", query_frame(Ip::v4, 2, query_dns(0x0100, opt_cookie, 1)),
       reply_frame(Ip::v4, 2, reply_dns(0x8300, true, 0x8000))},
      {"ipv4 options dropped", query_frame(Ip::v4, 0, query_dns(0x0100, {}, 0), {1, 1, 1, 0}),
       reply_frame(Ip::v4, 0, reply_dns(0x8300, false))},
      {"ipv6 hop-by-hop header dropped",
       query_frame(Ip::v6, 0, query_dns(0x0100, opt_plain, 1), {}, {{0, hop_by_hop}}),
       reply_frame(Ip::v6, 0, reply_dns(0x8300, true))},
      {"OPT followed by TSIG", query_frame(Ip::v4, 0, query_dns(0x0100, cat({opt_plain, tsig}), 2)),
       reply_frame(Ip::v4, 0, reply_dns(0x8300, true))},
      {"bytes past the IP packet dropped", padded,
       reply_frame(Ip::v4, 0, reply_dns(0x8300, false, 0, 0, "a.B"))},
  };
}

class TcReply : public ::testing::TestWithParam<Fixture> {};

// Every field of the view the rewriter left equals a fresh parse of the rewritten frame.
void expect_view_describes(const PacketView& v, const Bytes& frame) {
  PacketView want = parse_frame(frame.data(), uint32_t(frame.size()));
  ASSERT_TRUE(parse_dns(frame.data(), want));
  EXPECT_STREQ(test::view_difference(v, want), "");
  EXPECT_EQ(v.is_fragment, false);
  EXPECT_EQ(v.dns.ancount, 0);
}

TEST_P(TcReply, MatchesHandWrittenReply) {
  const Fixture& f = GetParam();
  Bytes frame = f.input;
  PacketView v = parse_frame(frame.data(), uint32_t(frame.size()));
  ASSERT_TRUE(parse_dns(frame.data(), v)) << parse_status_name(v.status);
  uint32_t new_len = 0;
  ASSERT_EQ(make_tc_reply(frame.data(), uint32_t(frame.size()), v, kEdnsSize, &new_len),
            RewriteResult::done);
  ASSERT_LE(new_len, f.input.size());
  frame.resize(new_len);
  EXPECT_EQ(hex(frame), hex(f.expected));
  EXPECT_EQ(test::checksum_error(frame), "");
  expect_view_describes(v, frame);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TcReply, ::testing::ValuesIn(tc_fixtures()));

// One fixture spelled out byte by byte, so the builder itself is checked against the wire:
// reply to "a.B ANY" over IPv4, checksums worked out separately (Python struct sums).
TEST(TcReplyHex, Ipv4WithoutEdns) {
  Bytes frame = query_frame(Ip::v4, 0, query_dns(0x0100, {}, 0, "a.B"));
  const Bytes expected{
      0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00,  // eth
      0x45, 0x00, 0x00, 0x31, 0x12, 0x34, 0x00, 0x00, 0x40, 0x11, 0x7c, 0x18,  // IPv4 ... cksum
      0xc0, 0x00, 0x02, 0x35, 0xc6, 0x33, 0x64, 0x07,                          // 192.0.2.53 ->
      0x00, 0x35, 0x9c, 0x40, 0x00, 0x1d, 0x32, 0x39,                          // UDP 53 -> 40000
      0xbe, 0xef, 0x83, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // DNS header
      0x01, 'a',  0x01, 'B',  0x00, 0x00, 0xff, 0x00, 0x01};                   // a.B ANY IN
  PacketView v = parse_frame(frame.data(), uint32_t(frame.size()));
  ASSERT_TRUE(parse_dns(frame.data(), v));
  uint32_t new_len = 0;
  ASSERT_EQ(make_tc_reply(frame.data(), uint32_t(frame.size()), v, kEdnsSize, &new_len),
            RewriteResult::done);
  frame.resize(new_len);
  EXPECT_EQ(hex(frame), hex(expected));
  EXPECT_EQ(hex(reply_frame(Ip::v4, 0, reply_dns(0x8300, false, 0, 0, "a.B"))), hex(expected));
}

struct Rejected {
  std::string description;
  Bytes input;
  RewriteResult result;
};

void PrintTo(const Rejected& r, std::ostream* os) { *os << r.description; }

// Runs `rewrite` and checks the frame, the view and *new_len are all left alone.
template <typename Rewrite>
void expect_untouched(const Rejected& r, Rewrite rewrite) {
  Bytes frame = r.input;
  PacketView v = parse_frame(frame.data(), uint32_t(frame.size()));
  parse_dns(frame.data(), v);
  const PacketView before = v;
  uint32_t new_len = 0xdeadbeef;
  EXPECT_EQ(rewrite(frame.data(), uint32_t(frame.size()), v, &new_len), r.result);
  EXPECT_EQ(hex(frame), hex(r.input));
  EXPECT_EQ(new_len, 0xdeadbeef);
  EXPECT_EQ(v.ip_total_len, before.ip_total_len);
  EXPECT_EQ(v.dns.flags, before.dns.flags);
  EXPECT_EQ(v.dns.arcount, before.dns.arcount);
}

std::vector<Rejected> tc_rejected() {
  const Bytes question = dns_question("example.com", kAny);
  const Bytes opt = dns_opt(1232, 0, 0);
  Bytes second_fragment = query_frame(Ip::v4, 0, query_dns(0x0100, {}, 0));
  second_fragment[14 + 6] = 0x00;
  second_fragment[14 + 7] = 0xb9;  // offset 1480; checksum not fixed, nothing reads it
  return {
      {"QR set", query_frame(Ip::v4, 0, query_dns(0x8100, {}, 0)), RewriteResult::not_a_query},
      {"opcode 1 (IQUERY)", query_frame(Ip::v4, 0, query_dns(0x0900, {}, 0)),
       RewriteResult::not_a_query},
      {"opcode 5 (UPDATE)", query_frame(Ip::v6, 0, query_dns(0x2800, {}, 0)),
       RewriteResult::not_a_query},
      {"QDCOUNT 2",
       query_frame(Ip::v4, 0, cat({dns_header(1, 0x0100, 2, 0, 0, 0), question, question})),
       RewriteResult::multi_question},
      {"truncated question",
       query_frame(Ip::v4, 0, cat({dns_header(1, 0x0100, 1, 0, 0, 0), Bytes{7, 'e', 'x', 'a'}})),
       RewriteResult::not_a_query},
      {"bad label type 0x40",
       query_frame(Ip::v6, 0,
                   cat({dns_header(1, 0x0100, 1, 0, 0, 0), Bytes{0x41, 'x', 0, 0, 255, 0, 1}})),
       RewriteResult::not_a_query},
      {"ANCOUNT 1 in a query",
       query_frame(Ip::v4, 0,
                   cat({dns_header(1, 0x0100, 1, 1, 0, 0), question,
                        dns_rr(dns_pointer(12), kA, 1, 60, {1, 2, 3, 4})})),
       RewriteResult::malformed_body},
      {"OPT RDLENGTH past the end",
       query_frame(Ip::v4, 0,
                   cat({dns_header(1, 0x0100, 1, 0, 0, 1), question,
                        Bytes{0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 9, 1, 2}})),
       RewriteResult::malformed_body},
      {"ARCOUNT larger than the records present",
       query_frame(Ip::v4, 0, cat({dns_header(1, 0x0100, 1, 0, 0, 2), question, opt})),
       RewriteResult::malformed_body},
      {"two OPT records",
       query_frame(Ip::v6, 0, cat({dns_header(1, 0x0100, 1, 0, 0, 2), question, opt, opt})),
       RewriteResult::malformed_body},
      {"OPT with a non-root owner",
       query_frame(Ip::v4, 0,
                   cat({dns_header(1, 0x0100, 1, 0, 0, 1), question,
                        dns_rr(dns_pointer(12), 41, 1232, 0, {})})),
       RewriteResult::malformed_body},
      {"later fragment", second_fragment, RewriteResult::fragmented},
  };
}

class TcReplyRejected : public ::testing::TestWithParam<Rejected> {};

TEST_P(TcReplyRejected, LeavesFrameUntouched) {
  expect_untouched(GetParam(), [](uint8_t* f, uint32_t len, PacketView& v, uint32_t* n) {
    return make_tc_reply(f, len, v, kEdnsSize, n);
  });
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TcReplyRejected, ::testing::ValuesIn(tc_rejected()));

// A referral-shaped response: three compressed A answers, an NS with a compressed target,
// glue, and (optionally) an OPT with a server cookie last.
struct BigResponse {
  Bytes full;
  Bytes truncated;
};

BigResponse big_response(bool with_opt, std::string_view qname = "ExAmple.COM") {
  const Bytes question = dns_question(qname, kA);
  const Bytes answers = cat({dns_rr(dns_pointer(12), kA, 1, 300, {192, 0, 2, 1}),
                             dns_rr(dns_pointer(12), kA, 1, 300, {192, 0, 2, 2}),
                             dns_rr(dns_pointer(12), kA, 1, 300, {192, 0, 2, 3})});
  const Bytes ns =
      dns_rr(dns_pointer(12), kNs, 1, 3600, cat({Bytes{3, 'n', 's', '1'}, dns_pointer(12)}));
  const Bytes glue = dns_rr(dns_name("ns1.example.com"), kA, 1, 3600, {192, 0, 2, 99});
  const Bytes opt = dns_opt(1232, 0, 0x8000, edns_option(10, cat({kCookie, Bytes(16, 0x5a)})));
  const uint16_t ar = with_opt ? 2 : 1;
  return {cat({dns_header(0x4242, 0x8580, 1, 3, 1, ar), question, answers, ns, glue,
               with_opt ? opt : Bytes{}}),
          cat({dns_header(0x4242, 0x8780, 1, 0, 0, with_opt ? 1 : 0), question,
               with_opt ? opt : Bytes{}})};
}

// A CNAME chain whose owners point into earlier RDATA, and a long TXT.
BigResponse compressed_response() {
  const Bytes question = dns_question("wWw.Example.Org", kTxt);
  const uint16_t alias_at = uint16_t(12 + question.size() + 2 + 10);
  const Bytes cname = dns_rr(dns_pointer(12), kCname, 1, 60,
                             cat({Bytes{5, 'a', 'l', 'i', 'a', 's'}, dns_pointer(16)}));
  const Bytes txt = dns_rr(dns_pointer(alias_at), kTxt, 1, 60, cat({Bytes{200}, Bytes(200, 't')}));
  const Bytes opt = dns_opt(4096, 0, 0);
  return {cat({dns_header(7, 0x8180, 1, 2, 0, 1), question, cname, txt, opt}),
          cat({dns_header(7, 0x8380, 1, 0, 0, 1), question, opt})};
}

std::vector<Fixture> truncate_fixtures() {
  const BigResponse with_opt = big_response(true), without_opt = big_response(false);
  const BigResponse compressed = compressed_response();
  const Bytes hop_by_hop{0, 1, 4, 0, 0, 0, 0};
  // First fragments: the frame carries 60 bytes of the datagram, the OPT lies beyond.
  const Bytes head(with_opt.full.begin(), with_opt.full.begin() + 60);
  const uint16_t full_udp = uint16_t(8 + with_opt.full.size());
  const Bytes no_opt_truncated =
      cat({dns_header(0x4242, 0x8780, 1, 0, 0, 0), dns_question("ExAmple.COM", kA)});
  Bytes garbage = cat({dns_header(9, 0x8180, 1, 2, 0, 1), dns_question("x.test", kA),
                       Bytes{0x80, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}});
  return {
      {"ipv4 multi-record response with OPT", response_frame(Ip::v4, 0, with_opt.full),
       response_frame(Ip::v4, 0, with_opt.truncated)},
      {"ipv4 multi-record response without OPT", response_frame(Ip::v4, 0, without_opt.full),
       response_frame(Ip::v4, 0, without_opt.truncated)},
      {"ipv6 multi-record response with OPT", response_frame(Ip::v6, 0, with_opt.full),
       response_frame(Ip::v6, 0, with_opt.truncated)},
      {"single VLAN ipv4 compressed CNAME chain", response_frame(Ip::v4, 1, compressed.full),
       response_frame(Ip::v4, 1, compressed.truncated)},
      {"QinQ ipv6 compressed CNAME chain", response_frame(Ip::v6, 2, compressed.full),
       response_frame(Ip::v6, 2, compressed.truncated)},
      {"ipv4 first fragment: MF cleared, OPT absent",
       response_frame(Ip::v4, 0, head, 0x2000, full_udp),
       response_frame(Ip::v4, 0, no_opt_truncated)},
      {"ipv4 first fragment with options: options kept",
       response_frame(Ip::v4, 0, head, 0x2000, full_udp, {1, 1, 1, 0}),
       response_frame(Ip::v4, 0, no_opt_truncated, 0, {}, {1, 1, 1, 0})},
      {"ipv6 first fragment: fragment header removed",
       response_frame(Ip::v6, 0, head, 0, full_udp, {}, {test::ipv6_fragment(0, true, 0x11223344)}),
       response_frame(Ip::v6, 0, no_opt_truncated)},
      {"ipv6 hop-by-hop then fragment: hop-by-hop kept",
       response_frame(Ip::v6, 1, head, 0, full_udp, {},
                      {{0, hop_by_hop}, test::ipv6_fragment(0, true, 0x11223344)}),
       response_frame(Ip::v6, 1, no_opt_truncated, 0, {}, {}, {{0, hop_by_hop}})},
      {"records that do not walk: question kept, AR=0", response_frame(Ip::v4, 0, garbage),
       response_frame(Ip::v4, 0,
                      cat({dns_header(9, 0x8380, 1, 0, 0, 0), dns_question("x.test", kA)}))},
  };
}

class Truncate : public ::testing::TestWithParam<Fixture> {};

TEST_P(Truncate, MatchesHandWrittenTruncation) {
  const Fixture& f = GetParam();
  Bytes frame = f.input;
  PacketView v = parse_frame(frame.data(), uint32_t(frame.size()));
  ASSERT_TRUE(parse_dns(frame.data(), v)) << parse_status_name(v.status);
  uint32_t new_len = 0;
  ASSERT_EQ(truncate_response(frame.data(), uint32_t(frame.size()), v, &new_len),
            RewriteResult::done);
  ASSERT_LE(new_len, f.input.size());
  frame.resize(new_len);
  EXPECT_EQ(hex(frame), hex(f.expected));
  EXPECT_EQ(test::checksum_error(frame), "");
  expect_view_describes(v, frame);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Truncate, ::testing::ValuesIn(truncate_fixtures()));

std::vector<Rejected> truncate_rejected() {
  const Bytes question = dns_question("example.com", kA);
  Bytes later = response_frame(Ip::v4, 0, big_response(true).full, 0x00b9);
  return {
      {"QR clear", response_frame(Ip::v4, 0, cat({dns_header(1, 0x0100, 1, 0, 0, 0), question})),
       RewriteResult::not_a_response},
      {"QDCOUNT 2",
       response_frame(Ip::v6, 0, cat({dns_header(1, 0x8180, 2, 0, 0, 0), question, question})),
       RewriteResult::multi_question},
      {"question with a pointer",
       response_frame(Ip::v4, 0,
                      cat({dns_header(1, 0x8180, 1, 0, 0, 0), dns_pointer(12), Bytes{0, 1, 0, 1}})),
       RewriteResult::not_a_query},
      {"truncated question",
       response_frame(Ip::v4, 0,
                      cat({dns_header(1, 0x8180, 1, 1, 0, 0), Bytes{3, 'f', 'o', 'o', 0, 0}})),
       RewriteResult::not_a_query},
      {"later fragment", later, RewriteResult::fragmented},
  };
}

class TruncateRejected : public ::testing::TestWithParam<Rejected> {};

TEST_P(TruncateRejected, LeavesFrameUntouched) {
  expect_untouched(GetParam(), [](uint8_t* f, uint32_t len, PacketView& v, uint32_t* n) {
    return truncate_response(f, len, v, n);
  });
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TruncateRejected, ::testing::ValuesIn(truncate_rejected()));

// Damaged DNS bytes and cut frames, each in a buffer of exactly its length (so ASan sees any
// overrun): a rewrite either refuses or yields a shorter frame whose checksums verify.
TEST(DnsActionsMutation, NeverGrowsAndKeepsChecksumsValid) {
  std::vector<Bytes> seeds;
  for (const Fixture& f : tc_fixtures()) seeds.push_back(f.input);
  for (const Fixture& f : truncate_fixtures()) seeds.push_back(f.input);
  std::mt19937 rng(20240607);
  int done = 0;
  for (int round = 0; round < 4000; ++round) {
    Bytes frame = seeds[rng() % seeds.size()];
    PacketView seed_view = parse_frame(frame.data(), uint32_t(frame.size()));
    const uint32_t dns_at = seed_view.payload_offset;
    for (int flips = 1 + int(rng() % 4); flips > 0; --flips) {
      const uint32_t at = dns_at + rng() % (uint32_t(frame.size()) - dns_at);
      frame[at] = uint8_t(rng() % 4 == 0 ? frame[at] ^ (1u << rng() % 8) : rng());
    }
    if (rng() % 4 == 0) frame.resize(frame.size() - rng() % (frame.size() - dns_at));
    for (bool tc : {true, false}) {
      std::vector<uint8_t> buf(frame);  // exact size: no slack past frame[len - 1]
      PacketView v = parse_frame(buf.data(), uint32_t(buf.size()));
      if (!parse_dns(buf.data(), v)) continue;
      uint32_t new_len = 0;
      const RewriteResult r =
          tc ? make_tc_reply(buf.data(), uint32_t(buf.size()), v, kEdnsSize, &new_len)
             : truncate_response(buf.data(), uint32_t(buf.size()), v, &new_len);
      if (r != RewriteResult::done) {
        EXPECT_EQ(hex(buf), hex(frame));
        continue;
      }
      ++done;
      ASSERT_LE(new_len, buf.size());
      buf.resize(new_len);
      ASSERT_EQ(test::checksum_error(buf), "") << hex(frame);
      ASSERT_TRUE(v.has_dns);
      EXPECT_EQ(v.dns.ancount, 0);
      EXPECT_EQ(v.dns.nscount, 0);
      EXPECT_LE(v.dns.arcount, 1);
      EXPECT_NE(v.dns.flags & 0x0200, 0);
      PacketView fresh = parse_frame(buf.data(), uint32_t(buf.size()));
      ASSERT_TRUE(parse_dns(buf.data(), fresh)) << hex(frame);
      EXPECT_STREQ(test::view_difference(v, fresh), "")
          << (tc ? "TC reply " : "truncated ") << hex(frame);
    }
  }
  EXPECT_GT(done, 500);  // the sweep must exercise the rewrite, not only the refusals
}

}  // namespace
}  // namespace ampguard
