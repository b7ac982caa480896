// Parse outcomes: one X-macro list gives the enum, its metric label and its help text.
#pragma once

#include <cstdint>
#include <string_view>

namespace ampguard {

// X(name, help). `ok` must stay first: it is the only outcome that is not a defect.
#define AMPGUARD_PARSE_STATUSES(X)                                                   \
  X(ok, "parsed as far as the frame's protocols go")                                 \
  X(truncated_ethernet, "frame shorter than an Ethernet header")                     \
  X(truncated_vlan, "frame ends inside an 802.1Q/802.1ad tag")                       \
  X(too_many_vlans, "more than two VLAN tags")                                       \
  X(truncated_ipv4, "frame ends inside the IPv4 header")                             \
  X(bad_ipv4_ihl, "IPv4 header length below 20 bytes")                               \
  X(bad_ipv4_total_length, "IPv4 total length below the header or beyond the frame") \
  X(truncated_ipv6, "frame ends inside the IPv6 header")                             \
  X(bad_ipv6_payload_length, "IPv6 payload length beyond the frame")                 \
  X(truncated_ipv6_extension, "IPv6 extension header runs past the packet")          \
  X(ipv6_extension_chain_too_long, "more IPv6 extension headers than we follow")     \
  X(truncated_udp, "packet ends inside the UDP header")                              \
  X(bad_udp_length, "UDP length below 8 or beyond the IP packet")                    \
  X(truncated_dns_header, "UDP payload shorter than a DNS header")                   \
  X(dns_no_question, "DNS message with QDCOUNT 0")                                   \
  X(dns_bad_qname, "question name with a bad label, pointer or length")              \
  X(truncated_dns_question, "message ends inside the first question")

enum class ParseStatus : uint8_t {
#define AMPGUARD_X(name, help) name,
  AMPGUARD_PARSE_STATUSES(AMPGUARD_X)
#undef AMPGUARD_X
      count
};

inline constexpr std::string_view parse_status_name(ParseStatus s) {
  switch (s) {
#define AMPGUARD_X(name, help) \
  case ParseStatus::name:      \
    return #name;
    AMPGUARD_PARSE_STATUSES(AMPGUARD_X)
#undef AMPGUARD_X
    case ParseStatus::count:
      break;
  }
  return "unknown";
}

inline constexpr std::string_view parse_status_help(ParseStatus s) {
  switch (s) {
#define AMPGUARD_X(name, help) \
  case ParseStatus::name:      \
    return help;
    AMPGUARD_PARSE_STATUSES(AMPGUARD_X)
#undef AMPGUARD_X
    case ParseStatus::count:
      break;
  }
  return "unknown";
}

}  // namespace ampguard
