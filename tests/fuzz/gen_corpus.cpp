// Writes the seed corpora under tests/fuzz/corpus/ from the independent test frame builder:
// well-formed queries and responses of every shape the parser knows (IPv4 options, VLAN and
// QinQ tags, IPv6 extension headers, fragments, EDNS) plus non-DNS frames. The fuzzer mutates
// from there. Usage (from the repository root):
//   g++ -std=c++20 -Itests tests/fuzz/gen_corpus.cpp -o /tmp/gen_corpus && /tmp/gen_corpus
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "support/dns_frames.hpp"

using namespace ampguard::test;

namespace {

struct Seed {
  std::string name;
  Bytes frame;
  bool from_outside;  // the port a judge seed enters on
};

Bytes any_query_v4(bool edns) {
  return frame_v4(kToResolver, {{198, 18, 0, 9}, kResolverV4, 64, 7, 0, {}}, {40001, 53, {}},
                  dns_query_payload(7, "example.com", 255, edns));
}

std::vector<Seed> seeds() {
  const Bytes tsig = dns_rr(dns_name("key.example"), 250, 255, 0, Bytes(26, 0x5a));
  const Bytes opt_cookie = dns_opt(4096, 0, 0x8000, edns_option(10, Bytes(8, 0xc0)));
  const L2 vlan{kToResolver.dst, kToResolver.src, {{0x8100, 100}}};
  const L2 qinq{kFromResolver.dst, kFromResolver.src, {{0x88a8, 7}, {0x8100, 100}}};
  const std::array<uint8_t, 4> client{198, 18, 0, 1};
  const auto c6 = v6_addr(1, 1);
  std::vector<Seed> s = {
      {"query_v4_a", query_v4(client), true},
      {"query_v4_any", query_v4(client, 2, 255), true},
      {"query_v4_any_no_edns", any_query_v4(false), true},
      {"query_v6_any", query_v6(c6, 3, 255), true},
      {"query_v6_aaaa", query_v6(c6, 4, 28), true},
      {"query_v4_any_tsig",
       frame_v4(kToResolver, {client, kResolverV4, 64, 0, 0, {}}, {40002, 53, {}},
                cat({dns_header(9, 0x0100, 1, 0, 0, 2), dns_question("a.example", 255), opt_cookie,
                     tsig})),
       true},
      {"query_v4_vlan_any",
       frame_v4(vlan, {client, kResolverV4, 64, 0, 0, {}}, {40003, 53, {}},
                dns_query_payload(10, "vlan.example", 255)),
       true},
      {"query_v4_options_any",
       frame_v4(kToResolver, {client, kResolverV4, 64, 0, 0, Bytes{0x94, 4, 0, 0, 1, 1, 1, 0}},
                {40004, 53, {}}, dns_query_payload(11, "opt.example", 255)),
       true},
      {"query_v6_ext_any",
       frame_v6(kToResolver, {c6, kResolverV6, 64, 0, {{0, Bytes{0, 1, 4, 0, 0, 0, 0}}}},
                {40005, 53, {}}, dns_query_payload(12, "hbh.example", 255)),
       true},
      {"response_v4_small", response_v4(client, 200), false},
      {"response_v4_large", response_v4(client, 1400), false},
      {"response_v6_large", response_v6(c6, 1200), false},
      {"response_v4_edns",
       frame_v4(kFromResolver, {kResolverV4, client, 64, 0, 0, {}}, {53, 40000, {}},
                cat({dns_header(5, 0x8180, 1, 1, 0, 1), dns_question("big.example", 16),
                     dns_rr(dns_pointer(12), 16, 1, 60, Bytes(900, 'x')), opt_cookie})),
       false},
      {"response_qinq_large",
       frame_v4(qinq, {kResolverV4, client, 64, 0, 0, {}}, {53, 40000, {}},
                dns_response_payload(6, 1000)),
       false},
      {"response_v6_fragment_first",
       frame_v6(kFromResolver, {kResolverV6, c6, 64, 0, {ipv6_fragment(0, true, 0x1234)}},
                {53, 40000, uint16_t(3000)}, dns_response_payload(8, 1200)),
       false},
      {"response_v6_ah",
       frame_v6(kFromResolver,
                {kResolverV6, c6, 64, 0, {{51, Bytes{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}}}},
                {53, 40000, {}}, dns_response_payload(9, 900)),
       false},
      {"arp", arp_frame(), true},
      {"lldp", lldp_frame(), false},
  };
  const auto frags = fragmented_response_v4(client, 3200, 0x4242);
  for (size_t i = 0; i < frags.size(); ++i)
    s.push_back({"response_v4_fragment_" + std::to_string(i), frags[i], false});
  return s;
}

void write(const std::filesystem::path& p, const Bytes& prefix, const Bytes& frame) {
  std::filesystem::create_directories(p.parent_path());
  FILE* f = std::fopen(p.c_str(), "wb");
  std::fwrite(prefix.data(), 1, prefix.size(), f);
  std::fwrite(frame.data(), 1, frame.size(), f);
  std::fclose(f);
}

}  // namespace

// cookie: the RFC 9018 A.1 client with A.1's cookie (valid at its time), a client cookie
// only, and the A.4 IPv6 client with a cookie of the rolled-over secret.
std::vector<Seed> cookie_seeds() {
  const auto query = [](const Bytes& l3_frame_cookie, bool v6, uint16_t id) {
    const Bytes dns = cat({dns_header(id, 0x0100, 1, 0, 0, 1), dns_question("example.com", 1),
                           dns_opt(4096, 0, 0, edns_option(10, l3_frame_cookie))});
    return v6 ? frame_v6(kToResolver,
                         {{0x20, 0x01, 0x0d, 0xb8, 0x02, 0x20, 0, 1, 0x59, 0xde, 0xd0, 0xf4, 0x87,
                           0x69, 0x82, 0xb8},
                          kResolverV6,
                          64,
                          0,
                          {}},
                         {40000, 53, {}}, dns)
              : frame_v4(kToResolver, {{198, 51, 100, 100}, kResolverV4, 64, 0, 0, {}},
                         {40000, 53, {}}, dns);
  };
  const Bytes a1{0x24, 0x64, 0xc4, 0xab, 0xcf, 0x10, 0xc9, 0x57, 0x01, 0x00, 0x00, 0x00,
                 0x5c, 0xf7, 0x9f, 0x11, 0x1f, 0x81, 0x30, 0xc3, 0xee, 0xe2, 0x94, 0x80};
  const Bytes a4{0x22, 0x68, 0x1a, 0xb9, 0x7d, 0x52, 0xc2, 0x98, 0x01, 0x00, 0x00, 0x00,
                 0x5c, 0xf7, 0xc5, 0x79, 0x26, 0x55, 0x6b, 0xd0, 0x93, 0x4c, 0x72, 0xf8};
  return {{"a1_valid", cat({Bytes{0x5c, 0xf7, 0x9f, 0x11}, query(a1, false, 1)}), true},
          {"a1_client_only",
           cat({Bytes{0x5c, 0xf7, 0x9f, 0x11}, query(Bytes(a1.begin(), a1.begin() + 8), false, 2)}),
           true},
          {"a4_rolled_v6", cat({Bytes{0x5c, 0xf7, 0xc6, 0x09}, query(a4, true, 3)}), true}};
}

int main() {
  const std::filesystem::path root = "tests/fuzz/corpus";
  for (const Seed& s : cookie_seeds()) write(root / "cookie" / s.name, {}, s.frame);
  for (const Seed& s : seeds()) {
    write(root / "parse" / s.name, {}, s.frame);
    // rewrite: byte 0 even = TC reply, odd = truncation
    write(root / "rewrite" / (s.name + "_tc"), {0x00}, s.frame);
    write(root / "rewrite" / (s.name + "_trunc"), {0x01}, s.frame);
    // judge: byte 0 = side | variant << 1 (0: defaults; 8: truncate.above 200), byte 1 clock
    const uint8_t side = s.from_outside ? 1 : 0;
    write(root / "judge" / s.name, {side, 1}, s.frame);
    write(root / "judge" / (s.name + "_truncate"), {uint8_t(side | 8 << 1), 1}, s.frame);
  }
  return 0;
}
