// FlowSpec routes (RFC 8955 IPv4, RFC 8956 IPv6) as gobgpd's gRPC API takes them: a blocked
// key's source prefix, a protected resolver prefix, UDP, the service ports, ampguard's
// community and the action (a small traffic-rate by default, or discard).
//
// Pure functions of their arguments: no connection, no clock. Encoded rules are sorted by
// component type as RFC 8955 section 4.2 orders them, so equal rules encode equally.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "attribute.pb.h"
#include "gobgp.pb.h"

namespace ampguard::fleet {

struct Prefix {
  bool v6 = false;
  std::array<uint8_t, 16> addr{};  // network address, host bits zero
  unsigned len = 0;
  std::string text() const;  // "192.0.2.0/24", "2001:db8::/64"
  auto operator<=>(const Prefix&) const = default;
};

// Parses "ADDR" (a host) or "ADDR/LEN"; host bits must be zero. Returns "" or the reason.
std::string parse_prefix(const std::string& text, Prefix& out);

// fleet.action
struct Action {
  bool discard = false;
  float rate_bytes = 0;  // traffic-rate, bytes per second (RFC 8955 section 7.3)
};
// "discard" or "rate:<bytes/s>". Returns "" or the reason.
std::string parse_action(const std::string& text, Action& out);
// "ASN:VALUE" (two 16-bit halves), a standard community. Returns "" or the reason.
std::string parse_community(const std::string& text, uint32_t& out);

// What every route of this box carries besides its two prefixes.
struct RouteShape {
  std::vector<uint16_t> ports = {53};  // block.service-ports
  uint32_t community = 0;              // fleet.community
  Action action;
};

// One FlowSpec rule: traffic from `source` (a blocked key) to `destination` (fleet.protect).
struct FlowRule {
  Prefix source, destination;
  auto operator<=>(const FlowRule&) const = default;
};

// The route gobgpd's AddPath (or DeletePath, with is_withdraw) takes for rule.
apipb::Path encode_path(const FlowRule& rule, const RouteShape& shape);
apipb::Family flowspec_family(bool v6);

// What an RIB entry says, for the paths that carry `community`: its rule's two prefixes (the
// other components are not checked: the source prefix is what a box blocks).
struct DecodedRoute {
  FlowRule rule;
  std::vector<uint64_t> ports;  // destination-port values, as listed
  std::optional<float> rate;    // traffic-rate, bytes/s (0: discard)
  bool local = false;           // originated by this gobgpd (AddPath), not learned from a peer
  std::string origin;  // the originating router: ORIGINATOR_ID when reflected, else the peer's id
};
std::optional<DecodedRoute> decode_path(const apipb::Path& path, uint32_t community);
// Any FlowSpec path's rule, whoever tagged it (a withdrawal names its route by this alone);
// its destination-port values appended to *ports when given.
std::optional<FlowRule> decode_rule(const apipb::Path& path,
                                    std::vector<uint64_t>* ports = nullptr);
// Whether a decoded route is what encode_path(d.rule, shape) announces (same ports, action).
bool same_shape(const DecodedRoute& d, const RouteShape& shape);

}  // namespace ampguard::fleet
