// Tests for tracegen/trace_generator.hpp: generated pcaps are read back with libpcap and
// every frame is checked with ampguard's own parser, independent checksum code and, when it is
// installed, tshark (through the ampguard-tracegen CLI).
#include "tracegen/trace_generator.hpp"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "dataplane/packet_parse.hpp"

namespace ampguard::tracegen {
namespace {

using Frame = std::vector<uint8_t>;

std::vector<Frame> read_pcap(const std::string& path) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  EXPECT_NE(p, nullptr) << err;
  std::vector<Frame> frames;
  if (p == nullptr) return frames;
  EXPECT_EQ(pcap_datalink(p), DLT_EN10MB);
  pcap_pkthdr* h;
  const u_char* data;
  while (pcap_next_ex(p, &h, &data) == 1) {
    EXPECT_EQ(h->caplen, h->len);
    frames.emplace_back(data, data + h->caplen);
  }
  pcap_close(p);
  return frames;
}

uint32_t sum16(const uint8_t* p, size_t n, uint32_t s = 0) {
  for (size_t i = 0; i + 1 < n; i += 2) s += uint32_t(p[i]) << 8 | p[i + 1];
  if (n % 2) s += uint32_t(p[n - 1]) << 8;
  return s;
}

uint16_t fold(uint32_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return uint16_t(s);
}

// Verifies a whole UDP datagram (header included) against its pseudo-header.
bool udp_checksum_ok(const PacketView& v, const uint8_t* udp, size_t len) {
  const size_t alen = v.l3 == L3::ipv6 ? 16 : 4;
  uint32_t s = sum16(v.src.data(), alen);
  s = sum16(v.dst.data(), alen, s);
  s += kIpProtoUdp + uint32_t(len);
  return load_be16(udp + 6) != 0 && fold(sum16(udp, len, s)) == 0xffff;
}

std::string addr_key(const PacketView& v, const std::array<uint8_t, 16>& a) {
  return std::string(reinterpret_cast<const char*>(a.data()), v.l3 == L3::ipv6 ? 16 : 4);
}

std::string key64(const PacketView& v, const std::array<uint8_t, 16>& a) {
  return std::string(reinterpret_cast<const char*>(a.data()), v.l3 == L3::ipv6 ? 8 : 4);
}

// What a trace holds, as an independent reader sees it.
struct Seen {
  uint64_t inside_frames = 0, outside_frames = 0, ipv6_frames = 0, fragments = 0;
  uint64_t any_queries = 0, responses = 0, large_responses = 0, fragmented_responses = 0;
  uint64_t matched_responses = 0, vlan_frames = 0;
  std::set<std::string> response_destinations;  // IPv4 /32 or IPv6 /64
  std::vector<std::string> inside_dst_order;    // per DNS-bearing inside frame
  std::vector<std::string> outside_src_order;
};

// A fragmented datagram being put back together.
struct Reassembly {
  Frame head;  // the first fragment's headers, up to its UDP header
  Frame data;  // UDP header and payload
  PacketView first;
  bool complete = false;
};

class TraceGeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "tracegen_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    inside_ = dir_ + "/inside.pcap";
    outside_ = dir_ + "/outside.pcap";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  TraceStats generate(const TraceOptions& o) {
    TraceStats stats;
    const std::string err = write_trace(o, inside_, outside_, &stats);
    EXPECT_EQ(err, "");
    return stats;
  }

  // Checks every frame of both pcaps and records what they hold in `seen`.
  void check_trace(Seen& seen) {
    std::map<std::string, std::string> questions;  // client, port, id -> qname + qtype
    std::map<std::string, bool> query_edns;
    auto exchange_key = [](const std::string& client, uint16_t port, uint16_t id) {
      return client + char(port >> 8) + char(port) + char(id >> 8) + char(id);
    };
    auto question = [](const uint8_t* f, const PacketView& v) {
      return std::string(reinterpret_cast<const char*>(f + v.dns.qname_offset),
                         v.dns.question_end - v.dns.qname_offset);
    };

    for (const Frame& fr : read_pcap(outside_)) {
      const uint8_t* f = fr.data();
      PacketView v = parse_frame(f, uint32_t(fr.size()));
      ++seen.outside_frames;
      EXPECT_EQ(std::memcmp(f, kResolverMac, 6), 0);
      EXPECT_EQ(std::memcmp(f + 6, kRouterMac, 6), 0);
      check_l2_l3(f, fr.size(), v, seen);
      ASSERT_TRUE(parse_dns(f, v)) << parse_status_name(v.status);
      EXPECT_EQ(v.status, ParseStatus::ok);
      EXPECT_FALSE(v.is_fragment);
      EXPECT_FALSE(v.dns.is_response());
      EXPECT_EQ(v.dst_port, 53);
      EXPECT_GE(v.src_port, 1024);
      EXPECT_EQ(addr_key(v, v.dst), addr_key(v, resolver_address(v.l3 == L3::ipv6).bytes));
      EXPECT_TRUE(udp_checksum_ok(v, f + v.l4_offset, v.udp_len));
      if (v.dns.qtype == kDnsTypeAny) ++seen.any_queries;
      const std::string k = exchange_key(addr_key(v, v.src), v.src_port, v.dns.id);
      questions[k] = question(f, v);
      query_edns[k] = find_opt_after_question(f, v) != 0;
      seen.outside_src_order.push_back(key64(v, v.src));
    }

    std::map<std::string, Reassembly> pending;
    auto check_response = [&](const uint8_t* f, PacketView& v, size_t datagram_len) {
      ++seen.responses;
      const uint32_t ip_len = uint32_t(datagram_len) + (v.l3 == L3::ipv6 ? 40 : 20);
      if (ip_len >= 700) ++seen.large_responses;
      EXPECT_TRUE(parse_dns(f, v)) << parse_status_name(v.status);
      EXPECT_EQ(v.status, ParseStatus::ok);
      EXPECT_TRUE(v.dns.is_response());
      EXPECT_EQ(v.dns.flags, 0x8180);
      EXPECT_GE(v.dns.ancount, 1);
      EXPECT_EQ(v.src_port, 53);
      const std::string k = exchange_key(addr_key(v, v.dst), v.dst_port, v.dns.id);
      if (auto it = questions.find(k); it != questions.end()) {
        ++seen.matched_responses;
        EXPECT_EQ(it->second, question(f, v));
        EXPECT_EQ(v.dns.arcount, query_edns[k] ? 1 : 0);
      }
      seen.response_destinations.insert(key64(v, v.dst));
      seen.inside_dst_order.push_back(key64(v, v.dst));
    };

    for (const Frame& fr : read_pcap(inside_)) {
      const uint8_t* f = fr.data();
      PacketView v = parse_frame(f, uint32_t(fr.size()));
      ++seen.inside_frames;
      EXPECT_EQ(std::memcmp(f, kRouterMac, 6), 0);
      EXPECT_EQ(std::memcmp(f + 6, kResolverMac, 6), 0);
      check_l2_l3(f, fr.size(), v, seen);
      EXPECT_EQ(v.status, ParseStatus::ok) << parse_status_name(v.status);
      EXPECT_LE(v.ip_total_len, 1500);
      if (!v.is_fragment) {
        EXPECT_TRUE(udp_checksum_ok(v, f + v.l4_offset, v.udp_len));
        check_response(f, v, v.udp_len);
        continue;
      }
      ++seen.fragments;
      const std::string fk = addr_key(v, v.src) + addr_key(v, v.dst) + std::to_string(v.frag_id);
      Reassembly& r = pending[fk];
      EXPECT_FALSE(r.complete) << "fragment after the last one";
      // Offsets must be contiguous: each fragment starts where the previous one ended.
      EXPECT_EQ(v.frag_offset, r.data.size());
      if (v.frag_offset == 0) {
        EXPECT_TRUE(v.more_fragments);
        EXPECT_TRUE(v.has_udp);
        r.first = v;
        r.head.assign(f, f + v.l4_offset);
      } else {
        EXPECT_FALSE(v.has_udp);
      }
      if (v.more_fragments) {
        EXPECT_EQ((v.ip_total_len - v.ip_header_len) % 8, 0);
      }
      r.data.insert(r.data.end(), f + v.l4_offset, f + v.l3_offset + v.ip_total_len);
      if (!v.more_fragments) {
        r.complete = true;
        ++seen.fragmented_responses;
        ASSERT_TRUE(r.first.has_udp);
        EXPECT_EQ(r.data.size(), r.first.udp_len);
        EXPECT_GT(r.data.size() + (v.l3 == L3::ipv6 ? 40 : 20), 1500u);
        EXPECT_TRUE(udp_checksum_ok(r.first, r.data.data(), r.data.size()));
        // The question sits in the first fragment: check it in a frame rebuilt from it.
        Frame first = r.head;
        first.insert(first.end(), r.data.begin(), r.data.end());
        PacketView fv = r.first;
        fv.ip_total_len = uint16_t(first.size() - fv.l3_offset);
        check_response(first.data(), fv, r.data.size());
      }
    }
    for (const auto& [k, r] : pending) EXPECT_TRUE(r.complete) << "incomplete datagram";
  }

  // Ethernet, VLAN and IP-level checks shared by both directions.
  static void check_l2_l3(const uint8_t* f, size_t len, const PacketView& v, Seen& seen) {
    ASSERT_EQ(v.status, ParseStatus::ok) << parse_status_name(v.status);
    EXPECT_EQ(size_t(v.l3_offset) + v.ip_total_len, len) << "no trailing bytes";
    EXPECT_EQ(v.l4_proto, kIpProtoUdp);
    if (v.vlan_count == 1) {
      ++seen.vlan_frames;
      EXPECT_EQ(load_be16(f + 12), kEtherTypeVlan);
      EXPECT_EQ(load_be16(f + 14) & 0x0fff, kVlanId);
    }
    if (v.l3 == L3::ipv6) {
      ++seen.ipv6_frames;
    } else {
      ASSERT_EQ(v.l3, L3::ipv4);
      EXPECT_EQ(fold(sum16(f + v.l3_offset, v.ip_header_len)), 0xffff) << "IPv4 header checksum";
    }
  }

  std::string dir_, inside_, outside_;
};

TEST_F(TraceGeneratorTest, NormalMixParsesAndMatchesStats) {
  TraceOptions o;
  o.queries = 3000;
  o.clients = 400;
  o.large_share = 0.25;
  o.fragmented_share = 0.05;
  o.ipv6_share = 0.3;
  o.any_share = 0.05;
  const TraceStats st = generate(o);
  Seen s;
  check_trace(s);
  EXPECT_EQ(st.inside_frames, s.inside_frames);
  EXPECT_EQ(st.outside_frames, s.outside_frames);
  EXPECT_EQ(st.outside_frames, o.queries);
  EXPECT_EQ(st.fragments, s.fragments);
  EXPECT_EQ(st.any_queries, s.any_queries);
  EXPECT_EQ(st.ipv6_frames, s.ipv6_frames);
  EXPECT_EQ(st.large_responses, s.large_responses);
  EXPECT_EQ(s.responses, o.queries);
  EXPECT_EQ(s.matched_responses, o.queries);
  EXPECT_EQ(s.response_destinations.size(), o.clients);
  EXPECT_EQ(s.vlan_frames, 0u);
  // Shares are drawn at random: 3000 draws keep them well within these bounds.
  EXPECT_NEAR(double(s.large_responses) / o.queries, o.large_share, 0.03);
  EXPECT_NEAR(double(s.fragmented_responses) / o.queries, o.fragmented_share, 0.015);
  EXPECT_NEAR(double(s.any_queries) / o.queries, o.any_share, 0.015);
  EXPECT_NEAR(double(s.ipv6_frames) / double(s.inside_frames + s.outside_frames), o.ipv6_share,
              0.06);
  EXPECT_GT(s.fragments, s.fragmented_responses);
}

TEST_F(TraceGeneratorTest, OneVictimAttack) {
  TraceOptions o;
  o.queries = 1000;
  o.attack = Attack::one_victim;
  o.attack_responses = 500;
  o.blocked_flood = 300;
  const TraceStats st = generate(o);
  Seen s;
  check_trace(s);
  EXPECT_EQ(st.inside_frames, s.inside_frames);
  EXPECT_EQ(st.outside_frames, o.queries + o.blocked_flood);
  EXPECT_EQ(s.responses, o.queries + o.attack_responses);
  EXPECT_EQ(s.matched_responses, o.queries);  // the victim never asked
  EXPECT_EQ(st.large_responses, s.large_responses);
  EXPECT_EQ(st.any_queries, s.any_queries);
  IpAddress victim = victim_address(0, false);
  const std::string vk(reinterpret_cast<const char*>(victim.bytes.data()), 4);
  EXPECT_EQ(vk, std::string("\xcb\x00\x71\x42", 4));  // 203.0.113.66
  size_t to_victim = 0, first_attack = SIZE_MAX, last_attack = 0;
  for (size_t i = 0; i < s.inside_dst_order.size(); ++i) {
    if (s.inside_dst_order[i] != vk) continue;
    ++to_victim;
    first_attack = std::min(first_attack, i);
    last_attack = i;
  }
  EXPECT_EQ(to_victim, o.attack_responses);
  EXPECT_GT(first_attack, 10u) << "a prefix of normal traffic comes first";
  EXPECT_LT(first_attack, 200u);
  EXPECT_GT(last_attack, s.inside_dst_order.size() - 20) << "attack interleaves to the end";
  EXPECT_EQ(size_t(std::count(s.outside_src_order.begin(), s.outside_src_order.end(), vk)),
            o.blocked_flood);
}

TEST_F(TraceGeneratorTest, ManyVictimsAreDistinct) {
  TraceOptions o;
  o.queries = 50;
  o.clients = 10;
  o.attack = Attack::many_victims;
  o.victims = 100000;
  o.attack_responses = 100000;
  o.blocked_flood = 1000;
  const TraceStats st = generate(o);
  Seen s;
  check_trace(s);
  EXPECT_EQ(st.inside_frames, s.inside_frames);
  EXPECT_EQ(s.responses, o.queries + o.attack_responses);
  EXPECT_EQ(s.response_destinations.size(), o.victims + o.clients);
}

TEST_F(TraceGeneratorTest, VictimAddressesStayDistinctAtScale) {
  // Derived from the index, so 10 million victims are as cheap as one.
  std::set<std::string> seen;
  const uint32_t probes[] = {0,   188,     189,     253,        254,
                             255, 4194557, 4194558, 10'000'000, kMaxVictims - 1};
  for (uint32_t i : probes) {
    for (bool v6 : {false, true}) {
      const IpAddress a = victim_address(i, v6);
      EXPECT_TRUE(seen.insert(std::string(a.bytes.begin(), a.bytes.begin() + (v6 ? 8 : 4))).second)
          << i << (v6 ? " v6" : " v4");
    }
  }
  const IpAddress last = victim_address(kMaxVictims - 1, false);
  EXPECT_EQ(last.bytes[0], 10);
  EXPECT_EQ(victim_address(254, false).bytes[0], 100);
  EXPECT_EQ(victim_address(70000, true).bytes[4], 0xe0);
  EXPECT_EQ(client_address(kMaxClients - 1, false).bytes[1], 19);  // 198.19.255.254
}

TEST_F(TraceGeneratorTest, VlanTagsEveryFrame) {
  TraceOptions o;
  o.queries = 500;
  o.vlan = true;
  o.fragmented_share = 0.1;
  o.large_share = 0.3;
  o.attack = Attack::many_victims;
  o.victims = 20;
  o.attack_responses = 100;
  o.blocked_flood = 100;
  const TraceStats st = generate(o);
  Seen s;
  check_trace(s);
  EXPECT_EQ(s.vlan_frames, st.inside_frames + st.outside_frames);
  EXPECT_EQ(st.fragments, s.fragments);
}

TEST_F(TraceGeneratorTest, DeterministicPerSeed) {
  auto slurp = [](const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  TraceOptions o;
  o.queries = 300;
  generate(o);
  const std::string a = slurp(inside_) + slurp(outside_);
  generate(o);
  EXPECT_EQ(a, slurp(inside_) + slurp(outside_));
  o.seed = 2;
  generate(o);
  EXPECT_NE(a, slurp(inside_) + slurp(outside_));
}

TEST_F(TraceGeneratorTest, RejectsBadOptions) {
  TraceOptions o;
  o.fragmented_share = 0.5;
  o.large_share = 0.1;
  EXPECT_NE(write_trace(o, inside_, outside_), "");
  o = {};
  o.attack_responses = 10;  // needs an attack mode
  EXPECT_NE(write_trace(o, inside_, outside_), "");
  o = {};
  o.attack = Attack::many_victims;
  o.victims = 0;
  EXPECT_NE(write_trace(o, inside_, outside_), "");
  o = {};
  EXPECT_NE(write_trace(o, dir_ + "/no/such/dir.pcap", outside_), "");
  EXPECT_EQ(parse_attack("many"), Attack::many_victims);
  EXPECT_EQ(parse_attack("one_victim"), Attack::one_victim);
  EXPECT_FALSE(parse_attack("some"));
}

// Runs the CLI and has tshark decode its output: every DNS message, no malformed frame, no bad
// checksum. Skipped when tshark or the CLI (next to this test or in <build>/tools) is missing.
TEST_F(TraceGeneratorTest, CliOutputDecodesWithTshark) {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0) GTEST_SKIP() << "no tshark";
  const auto self = std::filesystem::read_symlink("/proc/self/exe").parent_path();
  std::string cli;
  for (const auto& c : {self / "ampguard-tracegen", self / "../tools/ampguard-tracegen"})
    if (std::filesystem::exists(c)) cli = c.string();
  if (cli.empty()) GTEST_SKIP() << "ampguard-tracegen not found";
  ASSERT_EQ(std::system((cli + " --help >/dev/null").c_str()), 0);
  const std::string out = dir_ + "/stats.txt";
  ASSERT_EQ(std::system((cli + " --inside " + inside_ + " --outside " + outside_ +
                         " --queries 1000 --fragmented-share 0.05 --ipv6-share 0.4 "
                         "--attack many --victims 30 --attack-responses 200 "
                         "--blocked-flood 100 --vlan --seed 7 >" +
                         out)
                            .c_str()),
            0);
  std::ifstream stats(out);
  std::string line;
  std::getline(stats, line);
  EXPECT_NE(line.find("outside_frames=1100 "), std::string::npos) << line;
  auto count = [&](const std::string& file, const std::string& filter) {
    const std::string n = dir_ + "/count.txt";
    const std::string cmd = "tshark -r " + file +
                            " -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE -Y '" + filter +
                            "' -T fields -e frame.number 2>/dev/null | wc -l >" + n;
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    std::ifstream in(n);
    long v = -1;
    in >> v;
    return v;
  };
  const std::string bad =
      "_ws.malformed || udp.checksum.status == 2 || ip.checksum.status == 2 || "
      "_ws.expert.severity >= warning";
  EXPECT_EQ(count(inside_, bad), 0);
  EXPECT_EQ(count(outside_, bad), 0);
  EXPECT_EQ(count(inside_, "dns.flags.response == 1 && dns.count.answers > 0"), 1200);
  EXPECT_EQ(count(outside_, "dns.flags.response == 0 && udp.dstport == 53"), 1100);
  EXPECT_EQ(count(inside_, "vlan.id == 100"), count(inside_, "frame"));
}

}  // namespace
}  // namespace ampguard::tracegen
