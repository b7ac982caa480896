// PrefixSet: parse once, look up with rte_lpm (IPv4) and rte_lpm6 (IPv6).
#include "dataplane/prefix_set.hpp"

#include <arpa/inet.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_memory.h>

#include <atomic>
#include <charconv>
#include <cstdio>

namespace ampguard {

namespace {

struct Prefix {
  std::string text;
  L3 l3 = L3::none;
  std::array<uint8_t, 16> addr{};
  unsigned depth = 0;
};

std::string parse_prefix(const std::string& text, Prefix& out) {
  const size_t slash = text.find('/');
  const std::string addr = text.substr(0, slash);
  if (inet_pton(AF_INET, addr.c_str(), out.addr.data()) == 1) {
    out.l3 = L3::ipv4;
  } else if (inet_pton(AF_INET6, addr.c_str(), out.addr.data()) == 1) {
    out.l3 = L3::ipv6;
  } else {
    return "not an IPv4 or IPv6 address";
  }
  const unsigned bits = out.l3 == L3::ipv4 ? 32 : 128;
  out.depth = bits;
  if (slash != std::string::npos) {
    const char* first = text.data() + slash + 1;
    const char* last = text.data() + text.size();
    const auto [end, ec] = std::from_chars(first, last, out.depth);
    if (first == last || ec != std::errc() || end != last || out.depth > bits)
      return "prefix length must be a number from 0 to " + std::to_string(bits);
  }
  // A set host bit is usually a typo for a different network: refuse rather than guess.
  for (unsigned bit = out.depth; bit < bits; ++bit)
    if (out.addr[bit / 8] & (0x80 >> (bit % 8))) return "host bits set beyond the prefix length";
  return {};
}

// rte_lpm names are global to the process and each reload builds new sets.
std::string unique_name(const char* kind) {
  static std::atomic<uint32_t> counter{0};
  char name[32];
  std::snprintf(name, sizeof(name), "ag_%s_%u", kind, counter.fetch_add(1));
  return name;
}

}  // namespace

std::unique_ptr<PrefixSet> PrefixSet::build(const std::vector<std::string>& prefixes,
                                            std::string& error) {
  std::vector<Prefix> v4, v6;
  uint32_t tbl8s_v6 = 0;
  for (const std::string& text : prefixes) {
    Prefix p{text};
    if (std::string why = parse_prefix(text, p); !why.empty()) {
      error = "bad prefix \"" + text + "\": " + why;
      return nullptr;
    }
    // lpm6 resolves the first 24 bits in one table, then one tbl8 group per further byte
    if (p.l3 == L3::ipv6 && p.depth > 24) tbl8s_v6 += (p.depth - 24 + 7) / 8;
    auto& family = p.l3 == L3::ipv4 ? v4 : v6;
    if (p.depth == 0) {  // rte_lpm takes depths from 1: "everything" is its two halves
      p.depth = 1;
      family.push_back(p);
      p.addr[0] = 0x80;
    }
    family.push_back(p);
  }
  std::unique_ptr<PrefixSet> set(new PrefixSet());
  if (!v4.empty()) {
    // at most one tbl8 group per prefix longer than /24
    const rte_lpm_config cfg{uint32_t(v4.size()), uint32_t(v4.size()), 0};
    set->v4_ = rte_lpm_create(unique_name("lpm4").c_str(), SOCKET_ID_ANY, &cfg);
    if (set->v4_ == nullptr) {
      error = "cannot create the IPv4 prefix table (EAL memory?)";
      return nullptr;
    }
    for (const Prefix& p : v4)
      if (rte_lpm_add(set->v4_, load_be32(p.addr.data()), uint8_t(p.depth), 1) != 0) {
        error = "cannot add prefix \"" + p.text + "\"";
        return nullptr;
      }
  }
  if (!v6.empty()) {
    const rte_lpm6_config cfg{uint32_t(v6.size()), tbl8s_v6 + 1, 0};
    set->v6_ = rte_lpm6_create(unique_name("lpm6").c_str(), SOCKET_ID_ANY, &cfg);
    if (set->v6_ == nullptr) {
      error = "cannot create the IPv6 prefix table (EAL memory?)";
      return nullptr;
    }
    for (const Prefix& p : v6)
      if (rte_lpm6_add(set->v6_, p.addr.data(), uint8_t(p.depth), 1) != 0) {
        error = "cannot add prefix \"" + p.text + "\"";
        return nullptr;
      }
  }
  return set;
}

PrefixSet::~PrefixSet() {
  rte_lpm_free(v4_);
  rte_lpm6_free(v6_);
}

bool PrefixSet::contains(L3 l3, const std::array<uint8_t, 16>& addr) const {
  uint32_t next_hop = 0;
  if (l3 == L3::ipv4)
    return v4_ != nullptr && rte_lpm_lookup(v4_, load_be32(addr.data()), &next_hop) == 0;
  if (l3 == L3::ipv6) return v6_ != nullptr && rte_lpm6_lookup(v6_, addr.data(), &next_hop) == 0;
  return false;
}

}  // namespace ampguard
