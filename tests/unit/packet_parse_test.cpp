// Table-driven parser tests: each case is a description, the frame bytes and what the parse
// must say. Frames come from the independent test builder (tests/support/dns_frame_builder.hpp).
#include "dataplane/packet_parse.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "support/dns_frame_builder.hpp"

namespace ampguard {
namespace {

using test::Bytes;

const test::L2 kL2{{2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 0x53}, {}};
const test::L2 kVlan{{2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 0x53}, {{0x8100, 100}}};
const test::L2 kQinQ{{2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 0x53}, {{0x88a8, 10}, {0x8100, 20}}};
const test::L2 kThreeTags{
    {2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 0x53}, {{0x88a8, 10}, {0x8100, 20}, {0x8100, 30}}};
const test::Ipv4 kV4{{198, 18, 0, 7}, {192, 0, 2, 53}, 64, 0, 0, {}};
const test::Ipv6 kV6{{0x20, 0x01, 0x0d, 0xb8, 0xc0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 1},
                     {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53},
                     64,
                     0,
                     {}};

Bytes query(std::string_view name = "www.example.com", uint16_t qtype = 1) {
  return test::cat({test::dns_header(0x1234, 0x0100, 1, 0, 0, 1), test::dns_question(name, qtype),
                    test::dns_opt(1232, 0, 0, {})});
}

Bytes v4_query(const test::L2& l2 = kL2, Bytes payload = query()) {
  return test::frame_v4(l2, kV4, {40000, 53, {}}, payload);
}

Bytes v6_query(std::vector<test::Ipv6Ext> ext = {}) {
  test::Ipv6 ip = kV6;
  ip.ext = std::move(ext);
  return test::frame_v6(kL2, ip, {40000, 53, {}}, query());
}

Bytes with(Bytes b, size_t at, std::initializer_list<uint8_t> bytes) {
  for (uint8_t x : bytes) b.at(at++) = x;
  return b;
}

Bytes truncated(Bytes b, size_t len) {
  b.resize(len);
  return b;
}

struct Case {
  const char* description;
  Bytes frame;
  ParseStatus status;
  bool dns;  // parse_dns() succeeds
  std::function<void(const PacketView&)> check = [](const PacketView&) {};
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.description; }

class ParseTable : public testing::TestWithParam<Case> {};

TEST_P(ParseTable, Parses) {
  const Case& c = GetParam();
  PacketView v = parse_frame(c.frame.data(), uint32_t(c.frame.size()));
  parse_dns(c.frame.data(), v);
  EXPECT_EQ(parse_status_name(v.status), parse_status_name(c.status)) << c.description;
  EXPECT_EQ(v.has_dns, c.dns) << c.description;
  c.check(v);
}

// Offsets: Ethernet 14, IPv4 20, UDP 8 -> DNS at 42; the question name at 54.
constexpr size_t kV4Ip = 14, kV4Udp = 34, kV4Dns = 42, kV4Qname = 54;

const Bytes kArp = test::cat({test::l2_header(kL2, 0x0806), Bytes(28, 0)});
const Bytes kLldp = test::cat({test::l2_header(kL2, 0x88cc), Bytes(40, 1)});

Bytes v6_dstopts(int count) {
  std::vector<test::Ipv6Ext> ext;
  for (int i = 0; i < count; ++i) ext.push_back({60, {0, 1, 4, 0, 0, 0, 0}});
  return v6_query(ext);
}

Bytes long_name_query() {
  std::string name;
  for (int i = 0; i < 5; ++i) name += std::string(60, 'a') + ".";  // 305 bytes of name
  name.pop_back();
  return v4_query(
      kL2, test::cat({test::dns_header(1, 0x0100, 1, 0, 0, 0), test::dns_question(name, 1)}));
}

INSTANTIATE_TEST_SUITE_P(
    Frames, ParseTable,
    testing::Values(
        Case{"IPv4 UDP DNS query", v4_query(), ParseStatus::ok, true,
             [](const PacketView& v) {
               EXPECT_EQ(v.l3, L3::ipv4);
               EXPECT_TRUE(v.has_udp);
               EXPECT_EQ(v.src_port, 40000);
               EXPECT_EQ(v.dst_port, 53);
               EXPECT_EQ(v.src_v4(), 0xc6120007u);
               EXPECT_EQ(v.dst_v4(), 0xc0000235u);
               EXPECT_EQ(v.dns.id, 0x1234);
               EXPECT_EQ(v.dns.qtype, 1);
               EXPECT_EQ(v.dns.qname_offset, kV4Qname);
               EXPECT_EQ(v.dns.qname_len, 17);
               EXPECT_EQ(v.dns.arcount, 1);
               EXPECT_FALSE(v.is_fragment);
             }},
        Case{"ANY query", v4_query(kL2, query("example.org", 255)), ParseStatus::ok, true,
             [](const PacketView& v) { EXPECT_EQ(v.dns.qtype, kDnsTypeAny); }},
        Case{"802.1Q tag", v4_query(kVlan), ParseStatus::ok, true,
             [](const PacketView& v) {
               EXPECT_EQ(v.vlan_count, 1);
               EXPECT_EQ(v.l3_offset, 18);
             }},
        Case{"QinQ tags", v4_query(kQinQ), ParseStatus::ok, true,
             [](const PacketView& v) {
               EXPECT_EQ(v.vlan_count, 2);
               EXPECT_EQ(v.l3_offset, 22);
             }},
        Case{"three VLAN tags", v4_query(kThreeTags), ParseStatus::too_many_vlans, false},
        Case{"ARP passes as non-IP", kArp, ParseStatus::ok, false,
             [](const PacketView& v) { EXPECT_EQ(v.l3, L3::none); }},
        Case{"LLDP passes as non-IP", kLldp, ParseStatus::ok, false,
             [](const PacketView& v) { EXPECT_EQ(v.ether_type, 0x88cc); }},
        Case{"runt: 13 bytes", truncated(v4_query(), 13), ParseStatus::truncated_ethernet, false},
        Case{"empty frame", Bytes{}, ParseStatus::truncated_ethernet, false},
        Case{"ends inside the VLAN tag", truncated(v4_query(kVlan), 16), ParseStatus::truncated_vlan, false},
        Case{"ends inside the IPv4 header", truncated(v4_query(), 30), ParseStatus::truncated_ipv4, false},
        Case{"IHL 4", with(v4_query(), kV4Ip, {0x44}), ParseStatus::bad_ipv4_ihl, false},
        Case{"IHL 0", with(v4_query(), kV4Ip, {0x40}), ParseStatus::bad_ipv4_ihl, false},
        Case{"IP version 6 in an IPv4 ether type", with(v4_query(), kV4Ip, {0x65}), ParseStatus::bad_ipv4_ihl, false},
        Case{"IHL beyond the frame", truncated(with(v4_query(), kV4Ip, {0x4f}), 40), ParseStatus::truncated_ipv4, false},
        Case{"total length beyond the frame", with(v4_query(), kV4Ip + 2, {0x05, 0xdc}),
             ParseStatus::bad_ipv4_total_length, false},
        Case{"total length below the header", with(v4_query(), kV4Ip + 2, {0x00, 0x10}),
             ParseStatus::bad_ipv4_total_length, false},
        Case{"IPv4 options", [] {
               test::Ipv4 ip = kV4;
               ip.options = {1, 1, 1, 0};  // NOPs and end of list
               return test::frame_v4(kL2, ip, {40000, 53, {}}, query());
             }(), ParseStatus::ok, true,
             [](const PacketView& v) {
               EXPECT_EQ(v.ip_header_len, 24);
               EXPECT_EQ(v.payload_offset, 14 + 24 + 8);
             }},
        Case{"Ethernet padding after the IP packet", [] {
               Bytes b = v4_query();
               b.resize(b.size() + 20, 0);
               return b;
             }(), ParseStatus::ok, true,
             [](const PacketView& v) { EXPECT_EQ(v.ip_total_len, 20 + 8 + query().size()); }},
        Case{"IPv4 first fragment announces the whole datagram", [] {
               test::Ipv4 ip = kV4;
               ip.id = 0xbeef;
               ip.frag = 0x2000;
               return test::frame_v4(kL2, ip, {53, 40000, uint16_t(3000)}, test::cat({query(), Bytes(900, 0)}));
             }(), ParseStatus::ok, true,
             [](const PacketView& v) {
               EXPECT_TRUE(v.first_fragment());
               EXPECT_TRUE(v.more_fragments);
               EXPECT_EQ(v.frag_id, 0xbeefu);
               EXPECT_EQ(v.udp_len, 3000);
               EXPECT_EQ(v.payload_in_frame(), query().size() + 900);
               EXPECT_TRUE(v.has_udp);
             }},
        Case{"IPv4 later fragment has no UDP header", [] {
               test::Ipv4 ip = kV4;
               ip.frag = 185;  // offset 1480 bytes, last fragment
               Bytes b = test::frame_v4(kL2, ip, {1, 2, {}}, Bytes(100, 0));
               return b;
             }(), ParseStatus::ok, false,
             [](const PacketView& v) {
               EXPECT_TRUE(v.later_fragment());
               EXPECT_EQ(v.frag_offset, 1480);
               EXPECT_FALSE(v.has_udp);
             }},
        Case{"UDP header cut", [] {
               Bytes b = v4_query();
               b.resize(kV4Udp + 4);
               b[kV4Ip + 2] = 0;
               b[kV4Ip + 3] = 24;
               return b;
             }(), ParseStatus::truncated_udp, false},
        Case{"UDP length below 8", with(v4_query(), kV4Udp + 4, {0, 7}), ParseStatus::bad_udp_length, false},
        Case{"UDP length beyond the IP packet", with(v4_query(), kV4Udp + 4, {0x10, 0}), ParseStatus::bad_udp_length, false},
        Case{"DNS header cut", v4_query(kL2, Bytes(11, 0)), ParseStatus::truncated_dns_header, false},
        Case{"QDCOUNT 0", with(v4_query(), kV4Dns + 4, {0, 0}), ParseStatus::dns_no_question, false},
        Case{"QDCOUNT 65535 still reads the first question", with(v4_query(), kV4Dns + 4, {0xff, 0xff}),
             ParseStatus::ok, true, [](const PacketView& v) { EXPECT_EQ(v.dns.qdcount, 65535); }},
        Case{"label of 64 bytes", with(v4_query(), kV4Qname, {64}), ParseStatus::dns_bad_qname, false},
        Case{"compression pointer in the question", with(v4_query(), kV4Qname, {0xc0, 0x0c}),
             ParseStatus::dns_bad_qname, false},
        Case{"pointer to itself", with(v4_query(), kV4Qname, {0xc0, uint8_t(kV4Qname - kV4Dns)}),
             ParseStatus::dns_bad_qname, false},
        Case{"name over 255 bytes", long_name_query(), ParseStatus::dns_bad_qname, false},
        Case{"zero-length name is the root", v4_query(kL2, test::cat({test::dns_header(1, 0x0100, 1, 0, 0, 0),
                                                                       test::dns_question("", 2)})),
             ParseStatus::ok, true, [](const PacketView& v) { EXPECT_EQ(v.dns.qname_len, 1); }},
        Case{"label runs past the message", v4_query(kL2, test::cat({test::dns_header(1, 0x0100, 1, 0, 0, 0),
                                                                     Bytes{30, 'a', 'b'}})),
             ParseStatus::truncated_dns_question, false},
        Case{"QTYPE cut", v4_query(kL2, test::cat({test::dns_header(1, 0x0100, 1, 0, 0, 0),
                                                   test::dns_name("a.b"), Bytes{0, 1}})),
             ParseStatus::truncated_dns_question, false},
        Case{"IPv6 UDP DNS query", v6_query(), ParseStatus::ok, true,
             [](const PacketView& v) {
               EXPECT_EQ(v.l3, L3::ipv6);
               EXPECT_EQ(v.l4_offset, 54);
               EXPECT_EQ(v.dst[15], 0x53);
             }},
        Case{"IPv6 hop-by-hop, routing and destination options",
             v6_query({{0, {0, 1, 4, 0, 0, 0, 0}}, {43, {0, 0, 0, 0, 0, 0, 0}}, {60, {0, 1, 4, 0, 0, 0, 0}}}),
             ParseStatus::ok, true, [](const PacketView& v) { EXPECT_EQ(v.ip_header_len, 64); }},
        Case{"IPv6 first fragment", v6_query({test::ipv6_fragment(0, true, 0xabcdef01)}), ParseStatus::ok, true,
             [](const PacketView& v) {
               EXPECT_TRUE(v.first_fragment());
               EXPECT_EQ(v.frag_id, 0xabcdef01u);
               EXPECT_EQ(v.frag_header_offset, 54);
             }},
        Case{"IPv6 later fragment", v6_query({test::ipv6_fragment(1448, false, 7)}), ParseStatus::ok, false,
             [](const PacketView& v) {
               EXPECT_TRUE(v.later_fragment());
               EXPECT_FALSE(v.has_udp);
             }},
        Case{"IPv6 eight extension headers are followed", v6_dstopts(8), ParseStatus::ok, true},
        Case{"IPv6 nine extension headers are too many", v6_dstopts(9),
             ParseStatus::ipv6_extension_chain_too_long, false},
        Case{"IPv6 extension header runs off the end", with(v6_query({{60, {0, 1, 4, 0, 0, 0, 0}}}), 55, {200}),
             ParseStatus::truncated_ipv6_extension, false},
        Case{"IPv6 header cut", truncated(v6_query(), 40), ParseStatus::truncated_ipv6, false},
        Case{"IPv6 payload length beyond the frame", with(v6_query(), 18, {0x10, 0}),
             ParseStatus::bad_ipv6_payload_length, false}));

TEST(FindOpt, QueryWithOpt) {
  const Bytes f = v4_query();
  PacketView v = parse_frame(f.data(), uint32_t(f.size()));
  ASSERT_TRUE(parse_dns(f.data(), v));
  EXPECT_EQ(find_opt_after_question(f.data(), v), v.dns.question_end);
  EXPECT_EQ(v.dns.opt_offset, v.dns.question_end);
}

TEST(FindOpt, QueryWithoutOpt) {
  const Bytes f = v4_query(
      kL2, test::cat({test::dns_header(1, 0x0100, 1, 0, 0, 0), test::dns_question("a.b", 1)}));
  PacketView v = parse_frame(f.data(), uint32_t(f.size()));
  ASSERT_TRUE(parse_dns(f.data(), v));
  EXPECT_EQ(find_opt_after_question(f.data(), v), 0);
  EXPECT_EQ(v.dns.opt_offset, 0);
}

// Every prefix of a valid frame parses without reading past its end (ASan checks the reads).
TEST(ParseBounds, EveryTruncationIsSafe) {
  for (const Bytes& full : {v4_query(kQinQ), v6_query({{0, {0, 1, 4, 0, 0, 0, 0}}})}) {
    for (size_t n = 0; n <= full.size(); ++n) {
      std::vector<uint8_t> copy(full.begin(), full.begin() + long(n));
      PacketView v = parse_frame(copy.data(), uint32_t(n));
      parse_dns(copy.data(), v);
      if (n < full.size()) {
        EXPECT_FALSE(v.has_dns) << n;
      }
    }
  }
}

}  // namespace
}  // namespace ampguard
