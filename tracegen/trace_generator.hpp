// Trace generator: writes two pcaps of real wire-format DNS traffic as ampguard sees it.
//
// The inside pcap holds the frames that enter ampguard's inside port (resolver -> internet:
// responses, including attack responses to spoofed victims); the outside pcap holds the frames
// that enter the outside port (internet -> resolver: client queries and the victims' flood).
// Queries carry realistic names, QTYPEs and EDNS; each response repeats its query's id and
// question and carries answer records sized to the requested mix (small, large, IP-fragmented).
// Addresses come from documentation prefixes and are derived from an index, so tests can
// name them. Output is deterministic for a given seed; generation reuses one buffer per frame.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ampguard::tracegen {

enum class Attack : uint8_t { none, one_victim, many_victims };

struct TraceOptions {
  uint32_t queries = 2000;         // client queries (each gets one response)
  uint32_t clients = 500;          // distinct legitimate clients (response destinations)
  double large_share = 0.2;        // share of responses >= 700 bytes (IP total length)
  double fragmented_share = 0.02;  // share of responses > 1500 bytes, IP-fragmented
  double ipv6_share = 0.2;         // share of clients (and many_victims victims) on IPv6
  double any_share = 0.02;         // share of client queries with QTYPE ANY
  Attack attack = Attack::none;
  uint32_t victims = 1;           // many_victims: distinct spoofed victims
  uint32_t attack_responses = 0;  // large responses sent to the victim(s)
  uint32_t blocked_flood = 0;     // UDP packets from the victim(s) entering on the outside port
  bool vlan = false;              // tag every frame with 802.1Q VLAN 100
  uint64_t seed = 1;
};

struct TraceStats {
  uint64_t inside_frames = 0;
  uint64_t outside_frames = 0;
  uint64_t large_responses = 0;  // responses (attack ones included) of >= 700 bytes datagrams
  uint64_t fragments = 0;        // IP fragment frames (first and later ones)
  uint64_t any_queries = 0;      // query frames with QTYPE ANY (the victims' flood included)
  uint64_t ipv6_frames = 0;      // in both pcaps
};

// Writes both pcaps. Returns "" on success or an error message.
std::string write_trace(const TraceOptions& options, const std::string& inside_pcap,
                        const std::string& outside_pcap, TraceStats* stats = nullptr);

// One line of `key=value` pairs, as the CLI prints it.
std::string format_stats(const TraceStats& stats);

// "none", "one" / "one_victim", "many" / "many_victims".
std::optional<Attack> parse_attack(std::string_view name);

// ---- Fixed addressing -------------------------------------------------------------------

inline constexpr uint8_t kResolverMac[6] = {0x02, 0, 0, 0, 0, 0x53};
inline constexpr uint8_t kRouterMac[6] = {0x02, 0, 0, 0, 0, 0x01};
inline constexpr uint16_t kVlanId = 100;
inline constexpr uint32_t kMaxClients = 131070;       // 198.18.0.0/15 without its ends
inline constexpr uint32_t kMaxVictims = 20'000'000;   // see victim_address()
inline constexpr uint32_t kOneVictimV4 = 0xcb007142;  // 203.0.113.66

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4 bytes, network order
  bool operator==(const IpAddress&) const = default;
};

IpAddress resolver_address(bool v6);  // 192.0.2.53 / 2001:db8::53

// Whether client or victim `index` uses IPv6: a fixed, evenly spread share of indexes.
bool index_is_ipv6(uint32_t index, double ipv6_share);

// Client `index` (< kMaxClients): 198.18.0.0 + index + 1, or 2001:db8:c0XX:XXXX::1 (the low 24
// bits of the index select one /64 per client).
IpAddress client_address(uint32_t index, bool v6);

// Victim `index` (< kMaxVictims). IPv4: 203.0.113.66 first, then the rest of 203.0.113.1-254,
// then 100.64.0.0/10, then 10.0.0.0/8. IPv6: 2001:db8:dead:<index>::1 below 65536, then
// 2001:db8:e0XX:<low 16 bits>::1 (one /64 per victim either way).
IpAddress victim_address(uint32_t index, bool v6);

}  // namespace ampguard::tracegen
