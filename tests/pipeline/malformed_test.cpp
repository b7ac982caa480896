// Malformed traffic through the real worker loop: crafted frames truncated at every header,
// lying about their lengths, with looping or overlong IPv6 extension chains, bad DNS names and
// counts, runts and jumbo frames. Each must be counted under its named reason and parse status
// and leave by the other port byte for byte: what ampguard cannot judge it never drops.
#include <gtest/gtest.h>
#include <rte_mbuf.h>

#include <string>

#include "support/dns_frames.hpp"
#include "support/pipeline_harness.hpp"

namespace ampguard {
namespace {

using test::Bytes;

constexpr PortSide kIn = PortSide::inside, kOut = PortSide::outside;
constexpr size_t kEth = 14, kIp4 = kEth, kUdp4 = kIp4 + 20, kDns4 = kUdp4 + 8;
constexpr size_t kIp6 = kEth, kExt6 = kIp6 + 40;
const std::array<uint8_t, 4> kClient{198, 18, 9, 9};

struct Case {
  std::string description;
  Bytes frame;
  PortSide side;
  VerdictReason reason;
  ParseStatus status;
};

void set16(Bytes& f, size_t off, uint16_t x) {
  f[off] = uint8_t(x >> 8);
  f[off + 1] = uint8_t(x);
}

Bytes prefix(const Bytes& f, size_t n) { return Bytes(f.begin(), f.begin() + long(n)); }

// A query from the internet to the resolver carrying `dns` as its UDP payload.
Bytes query_with(const Bytes& dns) {
  return test::frame_v4(test::kToResolver, {kClient, test::kResolverV4, 64, 0, 0, {}},
                        {40000, 53, {}}, dns);
}

Bytes header(uint16_t qd, uint16_t an = 0, uint16_t ar = 0, uint16_t flags = 0x0100) {
  return test::dns_header(0x4d4d, flags, qd, an, 0, ar);
}

Bytes type_class(uint16_t qtype = 1) { return {uint8_t(qtype >> 8), uint8_t(qtype), 0, 1}; }

Bytes label(size_t n) {
  Bytes b(1 + n, 'a');  // sized once (GCC 12 -O3 misreads a grow-then-insert)
  b[0] = uint8_t(n);
  return b;
}

// An IPv6 frame to the resolver whose payload (extension headers and all) is `payload`, with
// next header `nh` and the payload length field set to `payload_len`.
Bytes ipv6_raw(uint8_t nh, const Bytes& payload, uint16_t payload_len) {
  Bytes ip;
  test::put32(ip, 0x60000000u);
  test::put16(ip, payload_len);
  ip.push_back(nh);
  ip.push_back(64);
  const auto src = test::v6_addr(9, 9);
  ip.insert(ip.end(), src.begin(), src.end());
  ip.insert(ip.end(), test::kResolverV6.begin(), test::kResolverV6.end());
  return test::cat({test::l2_header(test::kToResolver, 0x86dd), ip, payload});
}

// An 8-byte extension header (options padding) that names `next`.
Bytes ext8(uint8_t next) { return {next, 0, 1, 4, 0, 0, 0, 0}; }

std::vector<Case> cases() {
  using R = VerdictReason;
  using S = ParseStatus;
  const Bytes q4 = test::query_v4(kClient, 7);
  const Bytes r4 = test::response_v4(kClient, 300, 7);
  const Bytes q6 = test::query_v6(test::v6_addr(9, 9), 8);
  const Bytes any4 = test::query_v4(kClient, 9, kDnsTypeAny);
  std::vector<Case> c;
  auto add = [&](std::string d, Bytes f, PortSide side, R r, S s) {
    c.push_back({std::move(d), std::move(f), side, r, s});
  };

  // Ethernet and VLAN.
  add("one-byte runt", {0x42}, kIn, R::malformed, S::truncated_ethernet);
  add("runt cut inside the ether type", prefix(q4, 13), kOut, R::malformed, S::truncated_ethernet);
  add("IPv4 ether type and nothing else", prefix(q4, 14), kOut, R::malformed, S::truncated_ipv4);
  {
    Bytes f = prefix(q4, 12);
    f.insert(f.end(), {0x81, 0x00, 0x00});
    add("frame ends inside a VLAN tag", f, kIn, R::malformed, S::truncated_vlan);
  }
  {
    const test::L2 three{
        test::kToResolver.dst, test::kToResolver.src, {{0x88a8, 1}, {0x8100, 2}, {0x9100, 3}}};
    add("three VLAN tags", test::cat({test::l2_header(three, 0x0800), Bytes(40, 0)}), kOut,
        R::malformed, S::too_many_vlans);
  }
  {
    const test::L2 qinq{test::kToResolver.dst, test::kToResolver.src, {{0x88a8, 1}, {0x8100, 2}}};
    add("QinQ-tagged ARP", test::cat({test::l2_header(qinq, 0x0806), Bytes(28, 0)}), kIn, R::non_ip,
        S::ok);
  }
  add("jumbo non-IP frame filling an mbuf",
      test::cat({test::l2_header(test::kToResolver, 0x88b5), Bytes(2048 - 14, 0xee)}), kOut,
      R::non_ip, S::ok);

  // IPv4 header.
  for (size_t cut : {15u, 20u, 33u})
    add("IPv4 header cut at byte " + std::to_string(cut - kIp4), prefix(q4, cut), kOut,
        R::malformed, S::truncated_ipv4);
  for (uint8_t ihl : {0, 1, 4}) {
    Bytes f = q4;
    f[kIp4] = uint8_t(0x40 | ihl);
    add("IHL " + std::to_string(ihl), f, kOut, R::malformed, S::bad_ipv4_ihl);
  }
  {
    Bytes f = r4;
    f[kIp4] = 0x65;
    add("version 6 under the IPv4 ether type", f, kIn, R::malformed, S::bad_ipv4_ihl);
  }
  {
    Bytes f = prefix(q4, kIp4 + 40);
    f[kIp4] = 0x4f;
    add("IHL 15 beyond the frame", f, kOut, R::malformed, S::truncated_ipv4);
  }
  for (uint16_t total : {0, 19, 65535}) {
    Bytes f = r4;
    set16(f, kIp4 + 2, total);
    add("IPv4 total length " + std::to_string(total), f, kIn, R::malformed,
        S::bad_ipv4_total_length);
  }
  {
    Bytes f = q4;
    set16(f, kIp4 + 2, uint16_t(q4.size() - kIp4 + 1));
    add("IPv4 total length one byte beyond the frame", f, kOut, R::malformed,
        S::bad_ipv4_total_length);
  }
  {
    Bytes f = test::cat({q4, Bytes(200, 0)});
    add("Ethernet trailer after the IP packet", f, kOut, R::query, S::ok);
  }
  {
    Bytes f = r4;
    f[kIp4 + 9] = 6;
    add("TCP from the resolver", f, kIn, R::not_udp, S::ok);
  }
  {
    Bytes f = prefix(r4, kIp4 + 20);
    set16(f, kIp4 + 2, 20);
    f[kIp4 + 9] = 1;
    add("bare ICMP header", f, kIn, R::not_udp, S::ok);
  }
  {
    Bytes f = r4;
    set16(f, kIp4 + 6, 0x0010);  // offset 128 bytes, no first fragment seen
    add("unmatched later IPv4 fragment", f, kIn, R::fragment_unmatched, S::ok);
  }
  {
    Bytes f = q4;
    set16(f, kIp4 + 6, 0x0010);
    add("later IPv4 fragment to the DNS port from outside", f, kOut, R::udp_other, S::ok);
  }

  // UDP header and length.
  for (size_t cut : {1u, 7u}) {
    Bytes f = prefix(r4, kUdp4 + cut);
    set16(f, kIp4 + 2, uint16_t(20 + cut));
    add("UDP header cut at byte " + std::to_string(cut), f, kIn, R::malformed, S::truncated_udp);
  }
  for (uint16_t ulen : {0, 7}) {
    Bytes f = r4;
    set16(f, kUdp4 + 4, ulen);
    add("UDP length " + std::to_string(ulen), f, kIn, R::malformed, S::bad_udp_length);
  }
  {
    Bytes f = q4;
    set16(f, kUdp4 + 4, uint16_t(q4.size() - kUdp4 + 1));
    add("UDP length beyond the IP packet", f, kOut, R::malformed, S::bad_udp_length);
  }
  {
    Bytes f = any4;
    set16(f, kUdp4 + 4, 8 + 14);  // ends inside the question
    add("ANY query whose UDP length ends inside the question", f, kOut, R::query, S::ok);
  }
  {
    Bytes f = r4;
    set16(f, kUdp4, 5353);
    add("UDP from another source port", f, kIn, R::udp_other, S::ok);
  }

  // IPv6 header and extension chains.
  add("IPv6 header cut at byte 30", prefix(q6, kIp6 + 30), kOut, R::malformed, S::truncated_ipv6);
  {
    Bytes f = q6;
    f[kIp6] = 0x40;
    add("version 4 under the IPv6 ether type", f, kOut, R::malformed, S::bad_ipv6_payload_length);
  }
  {
    Bytes f = q6;
    set16(f, kIp6 + 4, uint16_t(q6.size() - kExt6 + 1));
    add("IPv6 payload length beyond the frame", f, kOut, R::malformed, S::bad_ipv6_payload_length);
  }
  {
    Bytes f = q6;
    set16(f, kIp6 + 4, 0);
    add("IPv6 payload length 0 (jumbogram) with UDP", f, kOut, R::malformed, S::truncated_udp);
  }
  add("hop-by-hop header cut at 4 bytes", ipv6_raw(0, {17, 0, 1, 2}, 4), kOut, R::malformed,
      S::truncated_ipv6_extension);
  add("destination options length 255 runs off the end",
      ipv6_raw(60, {17, 255, 1, 4, 0, 0, 0, 0}, 8), kOut, R::malformed,
      S::truncated_ipv6_extension);
  add("AH length runs off the end", ipv6_raw(51, {17, 200, 0, 0, 0, 0, 0, 0}, 8), kOut,
      R::malformed, S::truncated_ipv6_extension);
  add("chain names a header the packet does not hold", ipv6_raw(60, ext8(60), 8), kOut,
      R::malformed, S::truncated_ipv6_extension);
  {
    Bytes chain;
    for (int i = 0; i < 9; ++i) chain = test::cat({chain, ext8(60)});
    add("destination options that name themselves nine times (a loop)",
        ipv6_raw(60, test::cat({chain, Bytes(8, 0)}), uint16_t(chain.size() + 8)), kOut,
        R::malformed, S::ipv6_extension_chain_too_long);
  }
  {
    Bytes chain;
    for (int i = 0; i < 8; ++i) chain = test::cat({chain, ext8(i < 7 ? 0 : 59)});
    add("eight hop-by-hop headers, then no next header", ipv6_raw(0, chain, 64), kOut, R::not_udp,
        S::ok);
  }
  add("hop-by-hop header then a UDP header cut short",
      ipv6_raw(0, test::cat({ext8(17), Bytes(4, 0)}), 12), kOut, R::malformed, S::truncated_udp);
  {
    add("unmatched later IPv6 fragment from the resolver",
        test::frame_v6(
            test::kFromResolver,
            {test::kResolverV6, test::v6_addr(9, 9), 64, 0, {test::ipv6_fragment(128, true, 1)}},
            {53, 40000, {}}, Bytes(64, 0)),
        kIn, R::fragment_unmatched, S::ok);
  }

  // DNS header and question, in queries from the internet.
  add("empty UDP payload on the DNS port", query_with({}), kOut, R::dns_malformed,
      S::truncated_dns_header);
  add("11-byte DNS header", query_with(Bytes(11, 0)), kOut, R::dns_malformed,
      S::truncated_dns_header);
  add("QDCOUNT 0", query_with(header(0)), kOut, R::dns_malformed, S::dns_no_question);
  add("QDCOUNT 0 with a question present",
      query_with(test::cat({header(0), test::dns_question("a.example", 1)})), kOut,
      R::dns_malformed, S::dns_no_question);
  add("QDCOUNT 65535, one question present",
      query_with(test::cat({header(65535), test::dns_question("a.example", 1)})), kOut, R::query,
      S::ok);
  add("ANY with QDCOUNT 65535 (multi-question: no TC reply)",
      query_with(test::cat({header(65535), test::dns_question("a.example", 255)})), kOut, R::query,
      S::ok);
  add("root name (zero-length) question", query_with(test::cat({header(1), {0}, type_class()})),
      kOut, R::query, S::ok);
  add("label length 64", query_with(test::cat({header(1), label(64), {0}, type_class()})), kOut,
      R::dns_malformed, S::dns_bad_qname);
  for (uint8_t reserved : {0x40, 0x80}) {
    add("reserved label type " + std::to_string(reserved),
        query_with(test::cat({header(1), {reserved, 'a'}, {0}, type_class()})), kOut,
        R::dns_malformed, S::dns_bad_qname);
  }
  add("name of 256 bytes",
      query_with(
          test::cat({header(1), label(63), label(63), label(63), label(62), {0}, type_class()})),
      kOut, R::dns_malformed, S::dns_bad_qname);
  add("name of exactly 255 bytes",
      query_with(
          test::cat({header(1), label(63), label(63), label(63), label(61), {0}, type_class()})),
      kOut, R::query, S::ok);
  add("question name pointing at itself (compression loop)",
      query_with(test::cat({header(1), test::dns_pointer(12), type_class()})), kOut,
      R::dns_malformed, S::dns_bad_qname);
  add("question name: a label, then a pointer back to it",
      query_with(test::cat({header(1), label(3), test::dns_pointer(12), type_class()})), kOut,
      R::dns_malformed, S::dns_bad_qname);
  add("label runs past the message", query_with(test::cat({header(1), label(20)})), kOut,
      R::dns_malformed, S::truncated_dns_question);
  add("name without its root label", query_with(test::cat({header(1), label(5)})), kOut,
      R::dns_malformed, S::truncated_dns_question);
  add("QTYPE/QCLASS cut short",
      query_with(test::cat({header(1), test::dns_name("a.example"), {0, 1}})), kOut,
      R::dns_malformed, S::truncated_dns_question);
  {
    // Additional-record owners are not parsed for a plain query: a loop there is harmless.
    const Bytes loop_rr = test::dns_rr(test::dns_pointer(27), 1, 1, 0, {});
    add("A query with an additional record whose owner points at itself",
        query_with(test::cat({header(1, 0, 1), test::dns_question("a.example", 1), loop_rr})), kOut,
        R::query, S::ok);
  }
  add("ANY query claiming five additional records, holding one (no TC reply)",
      query_with(test::cat(
          {header(1, 0, 5), test::dns_question("a.example", 255), test::dns_opt(1232, 0, 0)})),
      kOut, R::query, S::ok);
  add("ANY query with two OPT records (no TC reply)",
      query_with(test::cat({header(1, 0, 2), test::dns_question("a.example", 255),
                            test::dns_opt(1232, 0, 0), test::dns_opt(512, 0, 0)})),
      kOut, R::query, S::ok);
  add("ANY query with an answer record (no TC reply)",
      query_with(test::cat({header(1, 1, 0), test::dns_question("a.example", 255),
                            test::dns_rr(test::dns_pointer(12), 1, 1, 0, {1, 2, 3, 4})})),
      kOut, R::query, S::ok);
  add("ANY with opcode STATUS (no TC reply)",
      query_with(test::cat({header(1, 0, 0, 0x1100), test::dns_question("a.example", 255)})), kOut,
      R::query, S::ok);

  // Responses from the resolver: judged by size, their bodies never walked by default.
  {
    const Bytes loop = test::dns_rr(test::dns_pointer(27), 1, 1, 0, {1, 2, 3, 4});
    add("small response whose answer owner points at itself",
        test::frame_v4(
            test::kFromResolver, {test::kResolverV4, kClient, 64, 0, 0, {}}, {53, 40000, {}},
            test::cat({header(1, 1, 0, 0x8180), test::dns_question("a.example", 1), loop})),
        kIn, R::response_small, S::ok);
  }
  add("small response claiming 65535 answers, holding none",
      test::frame_v4(test::kFromResolver, {test::kResolverV4, kClient, 64, 0, 0, {}},
                     {53, 40000, {}},
                     test::cat({header(1, 65535, 0, 0x8180), test::dns_question("a.example", 1)})),
      kIn, R::response_small, S::ok);
  add("response that is not DNS at all",
      test::frame_v4(test::kFromResolver, {test::kResolverV4, kClient, 64, 0, 0, {}},
                     {53, 40000, {}}, Bytes(3, 0xff)),
      kIn, R::response_small, S::ok);
  add("jumbo response filling an mbuf", test::response_v4(kClient, 2048 - 14, 3), kIn,
      R::response_within_limit, S::ok);
  {
    Bytes f = test::response_v4(kClient, 2048 - 14, 4);
    set16(f, kIp4 + 2, 9000);
    add("jumbo response claiming 9000 bytes", f, kIn, R::malformed, S::bad_ipv4_total_length);
  }
  return c;
}

TEST(Malformed, EveryFrameIsCountedAndForwardedUnchanged) {
  const std::vector<Case> all = cases();
  ASSERT_GE(all.size(), 50u);
  // Frames fill a default mbuf (2048 bytes), past the default 1500-byte MTU: judged, not cut.
  Settings s;
  s.mtu = 9000;
  test::PipelineHarness h(s);
  for (const Case& k : all) {
    SCOPED_TRACE(k.description);
    ASSERT_LE(k.frame.size(), size_t(RTE_MBUF_DEFAULT_BUF_SIZE - RTE_PKTMBUF_HEADROOM));
    const StatsTotals before = h.totals();
    h.send(k.side, k.frame);
    const PortSide other = k.side == kIn ? kOut : kIn;
    EXPECT_EQ(h.transmitted(other), std::vector<Bytes>{k.frame});
    EXPECT_TRUE(h.transmitted(k.side).empty());
    const StatsTotals after = h.totals();
    for (unsigned r = 0; r < kVerdictReasonCount; ++r) {
      const uint64_t want = r == unsigned(k.reason) ? 1 : 0;
      EXPECT_EQ(after.reason_packets[r] - before.reason_packets[r], want)
          << "reason " << reason_name(VerdictReason(r));
    }
    for (unsigned s = 0; s < unsigned(ParseStatus::count); ++s) {
      const uint64_t want = s == unsigned(k.status) ? 1 : 0;
      EXPECT_EQ(after.parse_status[s] - before.parse_status[s], want)
          << "parse status " << parse_status_name(ParseStatus(s));
    }
  }
  EXPECT_EQ(h.totals().tables.block_entries, 0u);
}

}  // namespace
}  // namespace ampguard
