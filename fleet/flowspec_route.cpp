#include "fleet/flowspec_route.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace ampguard::fleet {
namespace {

// RFC 8955 section 4.2.2: component types; numeric operator bits.
constexpr uint32_t kDestinationPrefix = 1, kSourcePrefix = 2, kIpProtocol = 3, kDestinationPort = 5;
constexpr uint32_t kOpEqual = 0x01;  // gobgpd sets the end-of-list bit and the value length
constexpr uint64_t kUdp = 17;

template <class M>
google::protobuf::Any pack(const M& m) {
  google::protobuf::Any a;
  a.PackFrom(m);
  return a;
}

bool parse_uint(const std::string& s, uint64_t max, uint64_t& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty() && out <= max;
}

std::string address_text(const Prefix& p) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(p.v6 ? AF_INET6 : AF_INET, p.addr.data(), buf, sizeof buf);
  return buf;
}

apipb::FlowSpecIPPrefix prefix_rule(uint32_t type, const Prefix& p) {
  apipb::FlowSpecIPPrefix r;
  r.set_type(type);
  r.set_prefix_len(p.len);
  r.set_prefix(address_text(p));
  return r;
}

apipb::FlowSpecComponent equal_to(uint32_t type, const std::vector<uint64_t>& values) {
  apipb::FlowSpecComponent c;
  c.set_type(type);
  for (uint64_t v : values) {
    auto* item = c.add_items();
    item->set_op(kOpEqual);  // successive items are ORed (the AND bit stays clear)
    item->set_value(v);
  }
  return c;
}

}  // namespace

std::string Prefix::text() const { return address_text(*this) + "/" + std::to_string(len); }

std::string parse_prefix(const std::string& text, Prefix& out) {
  const size_t slash = text.find('/');
  const std::string addr = text.substr(0, slash);
  out = Prefix{};
  out.v6 = addr.find(':') != std::string::npos;
  if (inet_pton(out.v6 ? AF_INET6 : AF_INET, addr.c_str(), out.addr.data()) != 1)
    return "'" + text + "' is not an address or prefix";
  const unsigned bits = out.v6 ? 128 : 32;
  uint64_t len = bits;
  if (slash != std::string::npos && !parse_uint(text.substr(slash + 1), bits, len))
    return "'" + text + "': prefix length must be 0-" + std::to_string(bits);
  out.len = unsigned(len);
  for (unsigned i = out.len; i < bits; ++i)
    if (out.addr[i / 8] & (0x80 >> (i % 8))) return "'" + text + "' has host bits set";
  return "";
}

std::string parse_action(const std::string& text, Action& out) {
  out = Action{};
  if (text == "discard") {
    out.discard = true;
    return "";
  }
  uint64_t rate = 0;
  // A traffic-rate of 0 is discard (RFC 8955 section 7.3): spelled out, never implied.
  if (text.rfind("rate:", 0) != 0 || !parse_uint(text.substr(5), 1'000'000'000'000, rate) ||
      rate == 0)
    return "'" + text + "' is neither discard nor rate:<bytes per second, at least 1>";
  out.rate_bytes = float(rate);
  return "";
}

std::string parse_community(const std::string& text, uint32_t& out) {
  const size_t colon = text.find(':');
  uint64_t high = 0, low = 0;
  if (colon == std::string::npos || !parse_uint(text.substr(0, colon), 65535, high) ||
      !parse_uint(text.substr(colon + 1), 65535, low))
    return "'" + text + "' is not ASN:VALUE (each 0-65535)";
  out = uint32_t(high << 16 | low);
  return "";
}

apipb::Family flowspec_family(bool v6) {
  apipb::Family f;
  f.set_afi(v6 ? apipb::Family::AFI_IP6 : apipb::Family::AFI_IP);
  f.set_safi(apipb::Family::SAFI_FLOW_SPEC_UNICAST);
  return f;
}

apipb::Path encode_path(const FlowRule& rule, const RouteShape& shape) {
  apipb::FlowSpecNLRI nlri;
  *nlri.add_rules() = pack(prefix_rule(kDestinationPrefix, rule.destination));
  *nlri.add_rules() = pack(prefix_rule(kSourcePrefix, rule.source));
  *nlri.add_rules() = pack(equal_to(kIpProtocol, {kUdp}));
  *nlri.add_rules() = pack(equal_to(kDestinationPort, {shape.ports.begin(), shape.ports.end()}));

  apipb::Path path;
  *path.mutable_family() = flowspec_family(rule.source.v6);
  *path.mutable_nlri() = pack(nlri);
  apipb::OriginAttribute origin;
  origin.set_origin(0);  // IGP
  *path.add_pattrs() = pack(origin);
  // In the order the gobgp CLI adds them, so that both list alike.
  apipb::CommunitiesAttribute communities;
  communities.add_communities(shape.community);
  *path.add_pattrs() = pack(communities);
  apipb::TrafficRateExtended rate;
  rate.set_asn(0);
  rate.set_rate(shape.action.discard ? 0.0f : shape.action.rate_bytes);
  apipb::ExtendedCommunitiesAttribute ext;
  *ext.add_communities() = pack(rate);
  *path.add_pattrs() = pack(ext);
  // gobgpd takes a multiprotocol NLRI's next hop from here; FlowSpec has none (RFC 8955: 0).
  apipb::MpReachNLRIAttribute reach;
  *reach.mutable_family() = path.family();
  reach.add_next_hops(rule.source.v6 ? "::" : "0.0.0.0");
  *reach.add_nlris() = path.nlri();
  *path.add_pattrs() = pack(reach);
  return path;
}

std::optional<FlowRule> decode_rule(const apipb::Path& path, std::vector<uint64_t>* ports) {
  if (path.family().safi() != apipb::Family::SAFI_FLOW_SPEC_UNICAST) return std::nullopt;
  apipb::FlowSpecNLRI nlri;
  if (!path.nlri().UnpackTo(&nlri)) return std::nullopt;
  FlowRule rule;
  bool have_source = false, have_destination = false;
  for (const auto& any : nlri.rules()) {
    apipb::FlowSpecComponent component;
    if (ports && any.UnpackTo(&component) && component.type() == kDestinationPort)
      for (const auto& item : component.items()) ports->push_back(item.value());
    apipb::FlowSpecIPPrefix p;
    if (!any.UnpackTo(&p) || (p.type() != kSourcePrefix && p.type() != kDestinationPrefix))
      continue;
    Prefix parsed;
    if (!parse_prefix(p.prefix() + "/" + std::to_string(p.prefix_len()), parsed).empty())
      return std::nullopt;
    (p.type() == kSourcePrefix ? rule.source : rule.destination) = parsed;
    (p.type() == kSourcePrefix ? have_source : have_destination) = true;
  }
  if (!have_source) return std::nullopt;
  if (!have_destination) rule.destination = Prefix{rule.source.v6, {}, 0};
  return rule;
}

std::optional<DecodedRoute> decode_path(const apipb::Path& path, uint32_t community) {
  bool tagged = false;
  DecodedRoute out;
  for (const auto& any : path.pattrs()) {
    apipb::CommunitiesAttribute c;
    apipb::OriginatorIdAttribute originator;
    apipb::ExtendedCommunitiesAttribute ext;
    if (any.UnpackTo(&c)) {
      for (uint32_t v : c.communities()) tagged |= v == community;
    } else if (any.UnpackTo(&originator)) {
      out.origin = originator.id();
    } else if (any.UnpackTo(&ext)) {
      for (const auto& e : ext.communities()) {
        apipb::TrafficRateExtended rate;
        if (e.UnpackTo(&rate)) out.rate = rate.rate();
      }
    }
  }
  if (!tagged) return std::nullopt;
  const std::optional<FlowRule> rule = decode_rule(path, &out.ports);
  if (!rule) return std::nullopt;
  out.rule = *rule;
  // gobgpd names a local path's missing neighbour "<nil>" (Go's nil net.IP).
  out.local = path.neighbor_ip().empty() || path.neighbor_ip() == "<nil>";
  if (out.origin.empty()) out.origin = out.local ? "local" : path.source_id();
  return out;
}

bool same_shape(const DecodedRoute& d, const RouteShape& shape) {
  std::vector<uint64_t> want(shape.ports.begin(), shape.ports.end()), have = d.ports;
  std::sort(want.begin(), want.end());
  std::sort(have.begin(), have.end());
  return have == want && d.rate == (shape.action.discard ? 0.0f : shape.action.rate_bytes);
}

}  // namespace ampguard::fleet
