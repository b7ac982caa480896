// Test-only tool: runs make_tc_reply() and truncate_response() over a fixed set of query and
// response frames and writes each frame before and after to pcap files, so that an
// independent decoder (check_dns_actions.py, dnspython) can judge the rewrites.
//
// Usage: dns_actions_dump <dir>. Writes <dir>/{tc,trunc}_{in,out}.pcap (the n-th packet of
// an _out file is the rewrite of the n-th of its _in file) and <dir>/manifest.txt, one line
// per pair: "<tc|trunc> <index> opt=<0|1> complete=<0|1> <description>". complete=0 marks an
// input that is a first fragment, which a DNS decoder cannot read whole.
#include <pcap/pcap.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "dataplane/dns_actions.hpp"
#include "support/dns_frame_builder.hpp"

namespace {

using namespace ampguard;
using namespace ampguard::test;

struct Case {
  std::string description;
  Bytes frame;
  bool opt;       // the rewrite must carry an OPT record
  bool complete;  // the input holds the whole DNS message
};

const Mac kClientMac{0x02, 0, 0, 0, 0, 0x11};
const Mac kGuardMac{0x02, 0, 0, 0, 0, 0x22};
const std::array<uint8_t, 4> kClient4{203, 0, 113, 9};
const std::array<uint8_t, 4> kResolver4{192, 0, 2, 53};
const std::array<uint8_t, 16> kClient6{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
const std::array<uint8_t, 16> kResolver6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                         0,    0,    0,    0,    0, 0, 0, 0x53};

L2 l2(const Mac& dst, const Mac& src, int vlans) {
  L2 l{dst, src, {}};
  if (vlans >= 1) l.vlans.push_back({vlans == 2 ? uint16_t(0x88a8) : uint16_t(0x8100), 0x0123});
  if (vlans == 2) l.vlans.push_back({0x8100, 0x0456});
  return l;
}

Bytes query(bool v6, int vlans, const Bytes& dns, const std::vector<Ipv6Ext>& ext = {}) {
  const Udp udp{51515, 53, {}};
  if (!v6)
    return frame_v4(l2(kGuardMac, kClientMac, vlans),
                    {kClient4, kResolver4, 50, 0x4321, 0x4000, {}}, udp, dns);
  return frame_v6(l2(kGuardMac, kClientMac, vlans), {kClient6, kResolver6, 50, 0, ext}, udp, dns);
}

Bytes response(bool v6, int vlans, const Bytes& dns, std::optional<uint16_t> udp_len = {},
               uint16_t v4_frag = 0, const std::vector<Ipv6Ext>& ext = {}) {
  const Udp udp{53, 51515, udp_len};
  if (!v6)
    return frame_v4(l2(kClientMac, kGuardMac, vlans), {kResolver4, kClient4, 64, 0x99, v4_frag, {}},
                    udp, dns);
  return frame_v6(l2(kClientMac, kGuardMac, vlans), {kResolver6, kClient6, 64, 0, ext}, udp, dns);
}

Bytes any_query(uint16_t id, std::string_view name, const Bytes& opt) {
  return cat({dns_header(id, 0x0100, 1, 0, 0, opt.empty() ? 0 : 1), dns_question(name, 255), opt});
}

std::vector<Case> tc_cases() {
  const Bytes cookie = edns_option(10, {0xc0, 0x0c, 0x1e, 0, 1, 2, 3, 4});
  return {
      {"ipv4 plain", query(false, 0, any_query(1, "isc.ORG", {})), false, true},
      {"ipv4 EDNS cookie DO",
       query(false, 0, any_query(2, "eXaMpLe.CoM", dns_opt(4096, 0, 0x8000, cookie))), true, true},
      {"ipv6 EDNS", query(true, 0, any_query(3, "Example.NET", dns_opt(1232, 0, 0))), true, true},
      {"vlan ipv4 EDNS", query(false, 1, any_query(4, "a.b.c.d.e", dns_opt(512, 0, 0x8000))), true,
       true},
      {"qinq ipv6 plain", query(true, 2, any_query(5, "ROOT-servers.net", {})), false, true},
      {"qinq ipv4 EDNS cookie",
       query(false, 2, any_query(6, "Mixed.Case.Test", dns_opt(1400, 0, 0, cookie))), true, true},
      {"ipv6 hop-by-hop EDNS",
       query(true, 0, any_query(7, "hbh.example", dns_opt(1232, 0, 0x8000)),
             {{0, {0, 1, 4, 0, 0, 0, 0}}}),
       true, true},
  };
}

Bytes big_response(uint16_t id, bool with_opt) {
  Bytes answers;
  for (uint8_t i = 1; i <= 20; ++i)
    answers = cat({answers, dns_rr(dns_pointer(12), 1, 1, 300, {192, 0, 2, i})});
  const Bytes txt = dns_rr(dns_pointer(12), 16, 1, 300, cat({Bytes{250}, Bytes(250, 'x')}));
  const Bytes ns = dns_rr(dns_pointer(12), 2, 1, 3600, cat({Bytes{2, 'n', 's'}, dns_pointer(12)}));
  const Bytes opt = dns_opt(1232, 0, 0x8000, edns_option(10, Bytes(24, 0x42)));
  return cat({dns_header(id, 0x8180, 1, 21, 1, with_opt ? 1 : 0),
              dns_question("BiG.eXample.org", 255), answers, txt, ns, with_opt ? opt : Bytes{}});
}

std::vector<Case> trunc_cases() {
  const Bytes full = big_response(20, true);
  const Bytes head(full.begin(), full.begin() + 200);
  const uint16_t full_udp = uint16_t(8 + full.size());
  return {
      {"ipv4 with OPT", response(false, 0, big_response(10, true)), true, true},
      {"ipv4 without OPT", response(false, 0, big_response(11, false)), false, true},
      {"ipv6 with OPT", response(true, 0, big_response(12, true)), true, true},
      {"qinq ipv6 without OPT", response(true, 2, big_response(13, false)), false, true},
      {"vlan ipv4 with OPT", response(false, 1, big_response(14, true)), true, true},
      {"ipv4 first fragment", response(false, 0, head, full_udp, 0x2000), false, false},
      {"ipv6 first fragment", response(true, 0, head, full_udp, 0, {ipv6_fragment(0, true, 77)}),
       false, false},
  };
}

// Writes frames to a pcap file; false on any libpcap failure.
bool write_pcap(const std::string& path, const std::vector<Bytes>& frames) {
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
  if (dead == nullptr) return false;
  pcap_dumper_t* out = pcap_dump_open(dead, path.c_str());
  if (out == nullptr) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), pcap_geterr(dead));
    pcap_close(dead);
    return false;
  }
  long usec = 0;
  for (const Bytes& f : frames) {
    pcap_pkthdr h{};
    h.ts.tv_usec = ++usec;
    h.caplen = h.len = bpf_u_int32(f.size());
    pcap_dump(reinterpret_cast<u_char*>(out), &h, f.data());
  }
  pcap_dump_close(out);
  pcap_close(dead);
  return true;
}

// Rewrites every case; false (and a message) when one is not done.
bool run(const char* kind, const std::vector<Case>& cases, const std::string& dir,
         std::ofstream& manifest) {
  std::vector<Bytes> in, out;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    Bytes frame = c.frame;
    PacketView v = parse_frame(frame.data(), uint32_t(frame.size()));
    parse_dns(frame.data(), v);
    uint32_t new_len = 0;
    const RewriteResult r =
        std::string(kind) == "tc"
            ? make_tc_reply(frame.data(), uint32_t(frame.size()), v, 1232, &new_len)
            : truncate_response(frame.data(), uint32_t(frame.size()), v, &new_len);
    if (r != RewriteResult::done) {
      std::fprintf(stderr, "%s %s: %s\n", kind, c.description.c_str(),
                   std::string(rewrite_result_name(r)).c_str());
      return false;
    }
    frame.resize(new_len);
    in.push_back(c.frame);
    out.push_back(frame);
    manifest << kind << ' ' << i << " opt=" << c.opt << " complete=" << c.complete << ' '
             << c.description << '\n';
  }
  return write_pcap(dir + "/" + kind + "_in.pcap", in) &&
         write_pcap(dir + "/" + kind + "_out.pcap", out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <dir>\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  std::filesystem::create_directories(dir);
  std::ofstream manifest(dir + "/manifest.txt");
  const bool ok =
      run("tc", tc_cases(), dir, manifest) && run("trunc", trunc_cases(), dir, manifest);
  return ok ? 0 : 1;
}
