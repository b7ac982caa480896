#!/usr/bin/env bash
# Scenario 1: normal traffic through ampguard. dig and kdig get the right answers over UDP and
# TCP, IPv4 and IPv6; a bounded dnsperf run (2000 queries at 400 qps) loses nothing, and
# ampguard's own counters show that it dropped nothing at all.
AG_TEST=normal
source "$(dirname "$0")/topology.sh"
ag_init "$1" "${2:-}"
ag_topology_up
ag_unbound_start
ag_bump_start

big_txt=$(ag_in_res dig +short @"$AG_RESOLVER4" big.test TXT | sort | md5sum)

# dig: UDP and TCP, IPv4 and IPv6, small and large (900-byte) answers.
ag_expect_eq "dig udp A" 10.53.0.100 \
  "$(ag_in_inet dig +short +notcp +time=2 +tries=1 -b "$AG_CLIENT4" @"$AG_RESOLVER4" small.test A)"
ag_expect_eq "dig tcp A" 10.53.0.100 \
  "$(ag_in_inet dig +short +tcp +time=2 +tries=1 -b "$AG_CLIENT4" @"$AG_RESOLVER4" small.test A)"
ag_expect_eq "dig udp6 AAAA" fd00:53::100 \
  "$(ag_in_inet dig +short +notcp +time=2 +tries=1 @"$AG_RESOLVER6" small.test AAAA)"
ag_expect_eq "dig tcp6 AAAA" fd00:53::100 \
  "$(ag_in_inet dig +short +tcp +time=2 +tries=1 @"$AG_RESOLVER6" small.test AAAA)"
ag_expect_eq "dig udp big TXT (same RRset as asked directly)" "$big_txt" \
  "$(ag_in_inet dig +short +notcp +ignore +time=2 +tries=1 -b "$AG_CLIENT4" @"$AG_RESOLVER4" big.test TXT | sort | md5sum)"
ag_expect_eq "dig tcp big TXT" "$big_txt" \
  "$(ag_in_inet dig +short +tcp +time=2 +tries=1 -b "$AG_CLIENT4" @"$AG_RESOLVER4" big.test TXT | sort | md5sum)"

# kdig (Knot's independent implementation): UDP and TCP.
ag_expect_eq "kdig udp A" 10.53.0.100 \
  "$(ag_in_inet kdig +short +notcp +time=2 +retry=0 @"$AG_RESOLVER4" small.test A)"
ag_expect_eq "kdig tcp A" 10.53.0.100 \
  "$(ag_in_inet kdig +short +tcp +time=2 +retry=0 @"$AG_RESOLVER4" small.test A)"
ag_expect_eq "kdig udp6 AAAA" fd00:53::100 \
  "$(ag_in_inet kdig +short +notcp +time=2 +retry=0 @"$AG_RESOLVER6" small.test AAAA)"
ag_expect_eq "kdig tcp TXT" '"hello from the resolver"' \
  "$(ag_in_inet kdig +short +tcp +time=2 +retry=0 @"$AG_RESOLVER4" small.test TXT)"

# dnsperf: 2000 small queries at a modest rate (the worker busy-polls one of our two cores).
queries=$AG_DIR/queries.txt
{ for i in $(seq 1 20); do echo "host$i.test A"; done; } >"$queries"
if command -v dnsperf >/dev/null; then
  ag_in_inet dnsperf -s "$AG_RESOLVER4" -a "$AG_CLIENT4" -d "$queries" -n 100 -Q 400 -l 60 -t 2 \
    >"$AG_DIR/dnsperf.log" 2>&1 || ag_fail "dnsperf failed: $(tail -5 "$AG_DIR/dnsperf.log")"
  sent=$(awk '/Queries sent:/ {print $3}' "$AG_DIR/dnsperf.log")
  completed=$(awk '/Queries completed:/ {print $3}' "$AG_DIR/dnsperf.log")
  lost=$(awk '/Queries lost:/ {print $3}' "$AG_DIR/dnsperf.log")
  ag_expect_eq "dnsperf queries sent" 2000 "$sent"
  ag_expect_eq "dnsperf queries completed" 2000 "$completed"
  ag_expect_eq "dnsperf queries lost" 0 "$lost"
  noerror=$(grep -o 'NOERROR [0-9]*' "$AG_DIR/dnsperf.log" | awk '{print $2}')
  ag_expect_eq "dnsperf NOERROR answers" 2000 "$noerror"
else
  ag_fail "dnsperf is not installed"
fi

ag_bump_stop
ag_expect_eq "ampguard drops (every drop reason)" 0 "$(ag_stat_drops)"
ag_expect_eq "inside tx_dropped" 0 "$(ag_stat ports.inside.tx_dropped)"
ag_expect_eq "outside tx_dropped" 0 "$(ag_stat ports.outside.tx_dropped)"
ag_expect_eq "TC replies" 0 "$(ag_stat reasons.any_tc_reply.packets)"
ag_expect_eq "truncated responses" 0 "$(ag_stat reasons.response_truncated.packets)"
# Every UDP query we sent was seen and forwarded: 2000 from dnsperf, 5 from the UDP digs and
# kdigs above, plus the start-up probes (1 to AG_PROBES: a probe sent before the worker polled
# may have been answered late and retried).
queries_seen=$(ag_stat reasons.query.packets)
[ "$queries_seen" -ge 2006 ] && [ "$queries_seen" -le $((2005 + AG_PROBES)) ] ||
  ag_fail "ampguard forwarded $queries_seen UDP queries, expected 2005 + 1..$AG_PROBES probes"
ag_log "ok: ampguard forwarded $queries_seen UDP queries, dropped none"
ag_log "PASS"
