// The control socket's commands, as `ampguardctl help` (from ampguard) and `ampguardctl --help`
// (without a running ampguard: the man page and the bash completion are made from it) print them.
#pragma once

namespace ampguard {

inline constexpr const char* kCtlCommands =
    "commands:\n"
    "  status                      version, uptime, config generation, table fill\n"
    "  stats                       the counters as JSON (as --stats-file writes them)\n"
    "  blocklist list              blocked addresses: ADDRESS REMAINING_SECONDS REASON\n"
    "  blocklist add ADDR [TTL] [--replace]\n"
    "                              block ADDR for TTL (default block.timeout), e.g. 10m; an\n"
    "                              entry blocked for longer keeps its expiry unless --replace\n"
    "  blocklist del ADDR          unblock ADDR\n"
    "  blocklist flush             unblock everything\n"
    "  top N                       the N destinations closest to or over their limit\n"
    "  fleet status                FlowSpec session, peers, routes exported, imported, suppressed\n"
    "  reload                      re-read the config file (as SIGHUP does)\n"
    "  config                      the running config, as a config file\n"
    "  capture --reason R|all --count N --file PATH [--timeout 10s]\n"
    "                              pcap of the next N frames dropped or rewritten for reason R\n"
    "  help                        this list\n"
    "status, stats, blocklist list and top N take --json: a JSON document instead of the table.\n";

}  // namespace ampguard
