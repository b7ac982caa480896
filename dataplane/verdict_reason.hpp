// Verdict reasons: every packet a worker handles is counted under exactly one of them.
// One X-macro list gives the enum, the action it implies, the metric label and the help text.
#pragma once

#include <cstdint>
#include <string_view>

#include "dataplane/named_enum.hpp"

namespace ampguard {

// What a verdict does to the frame.
#define AMPGUARD_ACTIONS(X) X(forward) X(drop) X(reply)
AMPGUARD_NAMED_ENUM(Action, AMPGUARD_ACTIONS);
inline constexpr const char* action_name(Action a) { return enum_name(a); }

// X(name, action, help)
#define AMPGUARD_VERDICT_REASONS(X)                                                             \
  X(non_ip, forward, "not IPv4 or IPv6 (ARP, LLDP, ...): forwarded unchanged")                  \
  X(malformed, forward, "headers that do not parse: not ours to judge, forwarded unchanged")    \
  X(not_udp, forward, "IP but not UDP: forwarded unchanged")                                    \
  X(udp_other, forward, "UDP that is neither a query to nor a response from the resolver")      \
  X(dns_malformed, forward, "UDP on the DNS port whose DNS header or question does not parse")  \
  X(query, forward, "DNS query to the resolver")                                                \
  X(response_small, forward, "response below limit.min-size: never limited")                    \
  X(response_within_limit, forward, "large response within its destination's limit")            \
  X(response_allowlisted, forward, "large response to an allowlisted destination")              \
  X(fragment_passed, forward, "later fragment of a datagram judged to pass")                    \
  X(fragment_unmatched, forward, "later fragment whose first fragment was not seen")            \
  X(over_limit, drop, "large response over its destination's limit: destination blocklisted")   \
  X(blocklisted_source, drop, "UDP from a blocklisted source to a service port (outside port)") \
  X(blocklisted_source_upstream, forward,                                                       \
    "UDP from a blocklisted source to another port: an answer to the resolver's own query")     \
  X(blocklisted_fragment_unmatched, drop,                                                       \
    "later fragment from a blocklisted source whose first fragment was not seen")               \
  X(blocklisted_source_unreadable, drop,                                                        \
    "packet from a blocklisted source whose UDP ports cannot be read (e.g. long IPv6 chain)")   \
  X(denylisted_source, drop, "traffic from a denylisted source entering on the outside port")   \
  X(fragment_dropped, drop, "later fragment of a datagram that was dropped or truncated")       \
  X(fragment_to_blocklisted, drop, "unmatched later fragment to a blocklisted destination")     \
  X(any_dropped, drop, "ANY query dropped (any.action = drop)")                                 \
  X(any_tc_reply, reply, "ANY query answered with a truncated reply (any.action = tc)")         \
  X(response_truncated, forward, "oversized response rewritten into its truncated form")        \
  X(blocklisted_tc_reply, reply,                                                                \
    "query from a blocklisted source answered with TC=1 (block.query-action = tc, slipped)")    \
  X(over_limit_tc, forward,                                                                     \
    "over-limit response sent in its truncated form (limit.over-action = tc, slipped)")         \
  X(fragment_unmatched_over_limit, drop,                                                        \
    "unmatched later fragment charged as a large response and over its destination's limit")    \
  X(oversize, drop, "frame longer than ports.mtu allows (or in several segments): dropped")     \
  X(over_pressure_budget, drop,                                                                 \
    "large response to a destination the full limiter table cannot place, over the global "     \
    "pressure budget (limit.pressure-rate)")                                                    \
  X(response_pressure_budget, forward,                                                          \
    "large response to a destination the full limiter table cannot place, within the global "   \
    "pressure budget (limit.pressure-rate)")                                                    \
  X(over_aggregate_limit, drop,                                                                 \
    "large response over a covering prefix's aggregate limit (limit.aggregate-v4/-v6); "        \
    "nothing blocklisted")                                                                      \
  X(over_aggregate_tc, forward,                                                                 \
    "over-aggregate response sent in its truncated form (limit.over-action = tc, slipped)")     \
  X(query_verified, forward,                                                                    \
    "query with a valid server cookie (cookies.*): passes, blocklisted source or not")          \
  X(response_verified, forward,                                                                 \
    "large response to exactly a query with a valid server cookie: exempt from the limits")     \
  X(response_nocookie_tc, forward,                                                              \
    "response above cookies.nocookie-udp-size to no proven query, sent in its truncated form")

enum class VerdictReason : uint8_t {
#define AMPGUARD_X(name, action, help) name,
  AMPGUARD_VERDICT_REASONS(AMPGUARD_X)
#undef AMPGUARD_X
      count
};

inline constexpr unsigned kVerdictReasonCount = unsigned(VerdictReason::count);

inline constexpr Action reason_action(VerdictReason r) {
  switch (r) {
#define AMPGUARD_X(name, action, help) \
  case VerdictReason::name:            \
    return Action::action;
    AMPGUARD_VERDICT_REASONS(AMPGUARD_X)
#undef AMPGUARD_X
    case VerdictReason::count:
      break;
  }
  return Action::forward;
}

inline constexpr std::string_view reason_name(VerdictReason r) {
  switch (r) {
#define AMPGUARD_X(name, action, help) \
  case VerdictReason::name:            \
    return #name;
    AMPGUARD_VERDICT_REASONS(AMPGUARD_X)
#undef AMPGUARD_X
    case VerdictReason::count:
      break;
  }
  return "unknown";
}

inline constexpr std::string_view reason_help(VerdictReason r) {
  switch (r) {
#define AMPGUARD_X(name, action, help) \
  case VerdictReason::name:            \
    return help;
    AMPGUARD_VERDICT_REASONS(AMPGUARD_X)
#undef AMPGUARD_X
    case VerdictReason::count:
      break;
  }
  return "unknown";
}

// Reasons a capture may ask for (ampguardctl capture --reason): those that drop or rewrite
// the frame. Here, not in drop_capture.hpp, so ampguardctl lists them without DPDK headers.
inline constexpr uint64_t capturable_reasons() {
  uint64_t mask = 0;
  for (unsigned r = 0; r < kVerdictReasonCount; ++r)
    if (reason_action(VerdictReason(r)) != Action::forward ||
        VerdictReason(r) == VerdictReason::response_truncated ||
        VerdictReason(r) == VerdictReason::over_limit_tc ||
        VerdictReason(r) == VerdictReason::over_aggregate_tc ||
        VerdictReason(r) == VerdictReason::response_nocookie_tc)
      mask |= uint64_t(1) << r;
  return mask;
}
static_assert(kVerdictReasonCount <= 64, "a capture mask holds one bit per reason");

}  // namespace ampguard
