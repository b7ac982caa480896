// Every option ampguard reads, written once. The Settings fields and their defaults, --help,
// the config file's value checks, the effective options (ampguardctl config, /ampguard/config),
// the restart-only list (ampguard --list-restart-only, ampguard.conf(5)) and what a reload keeps
// all follow from this list, in its order (the --help order).
#pragma once

#include <cstdint>

namespace ampguard {
// The apply column.
enum class OptionApply : uint8_t { reload, restart, cli };
}  // namespace ampguard

// X(name, kind, field, default, check, apply, group, help)
//   kind   how Boost reads it and Settings holds it (settings.hpp): u16, u32, text, text_bare
//          (no default shown: limit.rate and limit.burst default by mode), yesno (a bool given
//          a value), flag (a bool switch), list (repeatable), table (a TableSizes capacity,
//          its default kept in TableSizes)
//   check  the value as text -> "" or the reason: one of the checks in settings.cpp
//   apply  reload (a reload applies it), restart (a reload keeps the running value),
//          cli (command line only: refused in a config file, not an effective option)
//   group  its --help section (AMPGUARD_OPTION_GROUPS)
#define AMPGUARD_OPTIONS(X)                                                                       \
  X("ports.inside", u16, inside_port, 0, any, restart, ports, "DPDK port facing the resolver")    \
  X("ports.outside", u16, outside_port, 1, any, restart, ports, "DPDK port facing the internet")  \
  X("ports.rx-descriptors", u16, rx_descriptors, 1024, any, restart, ports,                       \
    "RX ring size per queue")                                                                     \
  X("ports.tx-descriptors", u16, tx_descriptors, 1024, any, restart, ports,                       \
    "TX ring size per queue")                                                                     \
  X("ports.mbufs", u32, mbufs, 0, any, restart, ports,                                            \
    "mbufs in the packet pool (0: sized for the queues; net_pcap infinite_rx needs every frame "  \
    "of its pcaps)")                                                                              \
  X("ports.mtu", u32, mtu, 1500, mtu, restart, ports,                                             \
    "largest IP packet forwarded (1280-9702; jumbo frames up to it, longer ones dropped and "     \
    "counted as oversize); mbufs are sized for it")                                               \
  X("ports.idle-pause", text, idle_pause, "0", idle_pause, reload, ports,                         \
    "when RX stays empty, workers sleep this long between polls (0: busy-poll; at most 1ms; "     \
    "e.g. 50us)")                                                                                 \
  X("limit.mode", text, limit_mode, "packets", limit_mode, restart, limit,                        \
    "packets (the kernel recipe as it runs) or bytes (what the recipe meant)")                    \
  X("limit.rate", text_bare, limit_rate, "", rate, reload, limit,                                 \
    "steady rate per destination: 50/min (packets) or 50kB/min (bytes)")                          \
  X("limit.burst", text_bare, limit_burst, "", any, reload, limit,                                \
    "burst per destination: 10 (packets) or 10kB (bytes)")                                        \
  X("limit.min-size", u32, min_size, 700, at_most_65535, reload, limit,                           \
    "responses with a smaller IP total length are never limited")                                 \
  X("limit.source-port", u32, source_port, 53, port, reload, limit,                               \
    "UDP port the resolver answers from")                                                         \
  X("limit.prefix-v4", u32, prefix_v4, 32, prefix_v4, restart, limit,                             \
    "IPv4 destinations are limited per prefix of this length")                                    \
  X("limit.prefix-v6", u32, prefix_v6, 64, prefix_v6, restart, limit,                             \
    "IPv6 destinations are limited per prefix of this length (16-64)")                            \
  X("limit.max-entries", table, tables.limiter_entries, TableSizes{}.limiter_entries, any,        \
    restart, limit, "limiter table capacity (full: least valuable entry evicted)")                \
  X("limit.idle-expire", text, idle_expire, "60s", idle_expire, reload, limit,                    \
    "forget a destination idle this long")                                                        \
  X("limit.hz", u32, limit_hz, 250, any, restart, limit,                                          \
    "kernel HZ the packets mode reproduces (jiffy granularity)")                                  \
  X("limit.over-action", text, limit_over_action, "drop", limited_action, reload, limit,          \
    "over-limit large responses: drop, or tc (every limit.slip-th sent truncated, TC=1)")         \
  X("limit.slip", u32, limit_slip, 2, slip, reload, limit,                                        \
    "with limit.over-action = tc: every Nth over-limit response is sent truncated (1-100)")       \
  X("limit.pressure-rate", text, pressure_rate, "auto", pressure_rate, reload, limit,             \
    "global budget for large responses to destinations the full limiter table cannot place; "     \
    "over it they are dropped (auto: limit.rate * limit.max-entries / 10; off: no budget, the "   \
    "full table evicts its least valuable entry and the debt sketch keeps what it owed)")         \
  X("limit.pressure-burst", text, pressure_burst, "auto", any, reload, limit,                     \
    "burst of that budget (auto: limit.burst * limit.max-entries / 10)")                          \
  X("limit.aggregate-v4", text, aggregate_v4, "", aggregate_v4, reload, limit,                    \
    "IPv4 covering prefixes every large response is also charged to, each PREFIX:MULTIPLE of "    \
    "the per-destination rate and burst, e.g. 24:64,16:1024 (at most 2; empty: none)")            \
  X("limit.aggregate-v6", text, aggregate_v6, "", aggregate_v6, reload, limit,                    \
    "IPv6 covering prefixes (at most /56), e.g. 48:64,32:1024 (at most 2; empty: none)")          \
  X("block.timeout", text, block_timeout, "600s", duration, reload, block,                        \
    "how long an over-limit destination stays blocked (reset while it stays over)")               \
  X("block.max-entries", table, tables.block_entries, TableSizes{}.block_entries, any, restart,   \
    block, "blocklist capacity (full: expired, then soonest-expiring evicted)")                   \
  X("block.fragment-timeout", text, fragment_timeout, "2s", duration, reload, block,              \
    "later fragments get their first fragment's verdict for this long")                           \
  X("block.service-ports", text, block_service_ports, "53", service_ports, reload, block,         \
    "UDP ports of the resolver's service: from a blocklisted source only UDP to these is "        \
    "dropped (comma-separated, at most 8)")                                                       \
  X("block.query-action", text, block_query_action, "drop", limited_action, reload, block,        \
    "queries from blocklisted sources: drop, or tc (every block.slip-th answered TC=1)")          \
  X("block.slip", u32, block_slip, 2, slip, reload, block,                                        \
    "with block.query-action = tc: every Nth query from a blocklisted source gets TC (1-100)")    \
  X("allow", list, allow, {}, any, reload, actions,                                               \
    "destination prefix never limited or blocked (repeatable)")                                   \
  X("deny", list, deny, {}, any, reload, actions,                                                 \
    "source prefix always dropped on the outside port (repeatable)")                              \
  X("dry-run", flag, dry_run, false, any, reload, actions,                                        \
    "count and log every decision but drop and rewrite nothing")                                  \
  X("any.action", text, any_action, "tc", any_action, reload, actions,                            \
    "ANY queries over UDP: tc (answer TC=1), drop or pass")                                       \
  X("any.edns-udp-size", u32, edns_udp_size, 1232, edns_udp_size, reload, actions,                \
    "UDP payload size advertised in the OPT of a TC reply")                                       \
  X("truncate.above", u32, truncate_above, 0, at_most_65535, reload, actions,                     \
    "UDP answers with more DNS payload bytes become truncated (0: off)")                          \
  X("cookies.secret-file", text, cookie_secret_file, "", any, reload, cookies,                    \
    "the resolver's server-cookie secrets (siphash24), 32 hex digits a line, the first "          \
    "current: a query with a valid server cookie passes and its answer is never limited "         \
    "(\"\": off)")                                                                                \
  X("cookies.nocookie-udp-size", u32, nocookie_udp_size, 0, any, reload, cookies,                 \
    "answers with more DNS payload bytes that answer no query with a valid server cookie "        \
    "are truncated (TC=1; 0: off; needs cookies.secret-file)")                                    \
  X("cookies.proven-timeout", text, cookie_proven_timeout, "5s", duration, reload, cookies,       \
    "how long the answer to a query with a valid server cookie is awaited (at most 60s)")         \
  X("cookies.verified-rate", text, cookie_verified_rate, "off", verified_rate, reload, cookies,   \
    "at most this many answers to queries with a valid server cookie are exempt from the "        \
    "limits, over all clients (a packet rate, e.g. 100000/s, burst one second of it; over it "    \
    "they are limited like any other; off: no cap)")                                              \
  X("cookies.max-entries", table, tables.proven_entries, TableSizes{}.proven_entries, any,        \
    restart, cookies,                                                                             \
    "queries with a valid server cookie awaiting their answer (full: soonest-expiring "           \
    "evicted)")                                                                                   \
  X("metrics.listen", text, metrics_listen, "127.0.0.1:9977", any, restart, ops,                  \
    "Prometheus endpoint address:port (\"\": off; never all addresses unless given 0.0.0.0)")     \
  X("control.socket", text, control_socket, "/run/ampguard/ctl.sock", any, restart, ops,          \
    "Unix socket of ampguardctl (mode 0600; \"\": off)")                                          \
  X("block.state-file", text, block_state_file, "", any, reload, ops,                             \
    "blocklist saved here and restored at start (\"\": not saved)")                               \
  X("block.save-interval", text, block_save_interval, "10s", duration, reload, ops,               \
    "how often the blocklist is saved (also at once after ampguardctl changes and at exit)")      \
  X("log.syslog", yesno, log_syslog, true, any, reload, ops,                                      \
    "also send block and unblock lines to syslog (they always go to stdout)")                     \
  X("log.max-per-second", u32, log_max_per_second, 100, at_least_1, reload, ops,                  \
    "block and unblock lines per second; more are dropped and counted")                           \
  X("log.address-interval", text, log_address_interval, "60s", duration, reload, ops,             \
    "repeated lines for one address within this time are suppressed and counted")                 \
  X("log.prefix", text, log_prefix, "DNS-amplification protection:", any, reload, ops,            \
    "block and unblock lines start with this (the recipe's --log-prefix; a space follows)")       \
  X("fleet.api", text, fleet_api, "", any, restart, fleet,                                        \
    "gobgpd's gRPC address host:port (\"\": no fleet)")                                           \
  X("fleet.protect", text, fleet_protect, "", fleet_protect, restart, fleet,                      \
    "the resolver prefixes exported routes protect, comma-separated (their destination)")         \
  X("fleet.community", text, fleet_community, "64512:53", fleet_community, restart, fleet,        \
    "BGP community ASN:VALUE marking ampguard's FlowSpec routes (exported and imported)")         \
  X("fleet.action", text, fleet_action, "rate:1000", fleet_action, restart, fleet,                \
    "what routers do with matching traffic: rate:<bytes/s> (traffic-rate) or discard")            \
  X("fleet.export-after", text, fleet_export_after, "30s", duration, reload, fleet,               \
    "a block is exported once it has lasted this long (0: at once)")                              \
  X("fleet.export-manual", yesno, fleet_export_manual, false, any, reload, fleet,                 \
    "also export blocks made with ampguardctl blocklist add")                                     \
  X("fleet.max-routes", u32, fleet_max_routes, 100, at_least_1, reload, fleet,                    \
    "at most this many routes exported (heaviest blocks first; the rest counted suppressed)")     \
  X("fleet.export-prefixes", yesno, fleet_export_prefixes, true, any, reload, fleet,              \
    "past fleet.max-routes, export a covering prefix over its aggregate limit for its keys")      \
  X("fleet.max-changes", u32, fleet_max_changes, 50, at_least_1, restart, fleet,                  \
    "route announcements and withdrawals per second, at most")                                    \
  X("fleet.import", yesno, fleet_import, true, any, restart, fleet,                               \
    "block the sources of peers' routes carrying fleet.community while they are announced")       \
  X("fleet.max-imports", u32, fleet_max_imports, 10000, any, reload, fleet,                       \
    "at most this many peers' routes become blocklist entries (0: none; the rest counted)")       \
  X("config", text_bare, config_file, "", any, cli, batch,                                        \
    "read options from this file (the command line wins); SIGHUP and ampguardctl reload re-read " \
    "it")                                                                                         \
  X("demo", flag, demo, false, any, cli, batch,                                                   \
    "run the built-in demo: a generated DNS trace through net_pcap virtual devices (no EAL "      \
    "arguments; no state file, control socket or metrics)")                                       \
  X("exit-when-idle", u32, exit_when_idle_ms, 0, any, restart, batch,                             \
    "exit once every RX queue has been idle this many milliseconds (0: run until signalled)")     \
  X("stats-file", text_bare, stats_file, "", any, reload, batch,                                  \
    "write the final counters as JSON to this file")

// X(group, title): the --help sections, in order.
#define AMPGUARD_OPTION_GROUPS(X)                                \
  X(ports, "Ports")                                              \
  X(limit, "Limiter (large responses leaving the resolver)")     \
  X(block, "Blocklist")                                          \
  X(actions, "Actions")                                          \
  X(cookies, "DNS cookies (RFC 7873, RFC 9018 server cookies)")  \
  X(ops, "Operations")                                           \
  X(fleet, "Fleet (BGP FlowSpec through gobgpd, docs/fleet.md)") \
  X(batch, "Start-up and batch runs")
