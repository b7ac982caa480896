// The immutable configuration snapshot the workers read.
//
// The control thread builds a new snapshot on every reload, publishes it by pointer
// (SharedState::config) and frees the old one once every worker has passed a quiescent state
// (rte_rcu_qsbr). Workers load the pointer once per loop iteration and never write to it.
#pragma once

#include <cstdint>
#include <memory>

#include "dataplane/aggregate_limits.hpp"
#include "dataplane/dns_cookie.hpp"
#include "dataplane/named_enum.hpp"
#include "dataplane/prefix_set.hpp"
#include "dataplane/rate_limit.hpp"

namespace ampguard {

// any.action
#define AMPGUARD_ANY_ACTIONS(X) X(tc) X(drop) X(pass)
AMPGUARD_NAMED_ENUM(AnyAction, AMPGUARD_ANY_ACTIONS);
// What happens to a limited packet: dropped, or every slip-th answered with TC=1
// (limit.over-action, block.query-action).
#define AMPGUARD_LIMITED_ACTIONS(X) X(drop) X(tc)
AMPGUARD_NAMED_ENUM(LimitedAction, AMPGUARD_LIMITED_ACTIONS);

inline constexpr unsigned kMaxServicePorts = 8;
// Ethernet header and two VLAN tags (QinQ) around an MTU-sized IP packet; no FCS (stripped).
inline constexpr uint32_t kL2Overhead = 14 + 2 * 4;

struct DataplaneConfig {
  uint64_t generation = 0;
  // limit.*
  LimitProfile limit;
  // beyond the limiter table's capacity: the global pressure budget (overflow.hpp), in bytes-mode
  // units whose unit is a packet (packets mode) or a byte; cost_per_byte 0: no budget
  LimitProfile pressure{.mode = LimitMode::bytes};
  uint16_t min_size = 700;  // IP total length of the (reassembled) datagram
  uint16_t source_port = 53;
  uint8_t prefix_v4 = 32;
  uint8_t prefix_v6 = 64;
  uint64_t idle_expire_ns = 60'000'000'000;
  LimitedAction over_action = LimitedAction::drop;
  uint32_t limit_slip = 2;
  AggregateLimits aggregates;  // limit.aggregate-v4/-v6: none unless configured
  // block.*
  uint64_t block_timeout_ns = 600'000'000'000;
  // UDP from a blocklisted source is dropped only when addressed to one of these
  uint16_t service_ports[kMaxServicePorts] = {53};
  uint8_t service_port_count = 1;
  LimitedAction query_action = LimitedAction::drop;
  uint32_t block_slip = 2;
  // later fragments are matched to their first fragment for this long
  uint64_t fragment_timeout_ns = 2'000'000'000;
  bool dry_run = false;
  // ports.mtu: longer frames (or chained mbufs) are dropped as oversize
  uint32_t max_frame_len = 1500 + kL2Overhead;
  // ports.idle-pause: a worker whose RX stays empty sleeps this long per loop (0: never)
  uint64_t idle_pause_ns = 0;
  // any.*, truncate.*
  AnyAction any_action = AnyAction::tc;
  uint16_t edns_udp_size = 1232;
  uint16_t truncate_above = 0;  // DNS payload bytes; 0 = off
  // cookies.*: the resolver's server-cookie secrets (count 0: not checked); responses with more
  // DNS payload bytes than nocookie_udp_size that answer no proven query are truncated (0: off)
  CookieSecrets cookies;
  uint16_t nocookie_udp_size = 0;
  uint64_t proven_timeout_ns = 5'000'000'000;  // a proven query's answer is exempt this long
  // cookies.verified-rate: the global budget of exempt answers, one unit each (as `pressure`);
  // cost_per_byte 0: no cap
  LimitProfile verified_cap{.mode = LimitMode::bytes};
  // allow / deny prefixes (never null; empty sets when not configured)
  std::shared_ptr<const PrefixSet> allow, deny;

  bool is_service_port(uint16_t port) const {
    for (unsigned i = 0; i < service_port_count; ++i)
      if (service_ports[i] == port) return true;
    return false;
  }
};

}  // namespace ampguard
