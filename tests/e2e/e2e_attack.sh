#!/usr/bin/env bash
# Scenario 3: an amplification attack. The attacker (raw socket, victim's source address)
# asks for big.test TXT (about 930 bytes of IP datagram, over the recipe's 700) at 200 queries
# per second for 22 s. What may reach the victim is the kernel recipe's arithmetic replayed
# over the attacker's own recorded send times (agtool.py recipe):
#   - xt_hashlimit rev 3 packets mode, 50/min burst 10: 10 back to back, then one per 1.2 s
#     (300 jiffies of credit at HZ=250); an over-limit response blocks its destination;
#   - the block (--block.timeout=5s here, 600 s in the recipe) drops the victim's address on
#     the outside port: the spoofed queries themselves, and the victim's own queries, until
#     the block times out; then the credit earned meanwhile (about 4 per 5 s) passes again.
# Tolerance, and why it is exact: the recipe's result depends only on (a) where jiffy
# boundaries fall relative to our clock (unknowable: ampguard counts jiffies from its own TSC
# epoch) and (b) the delay from a query to its response reaching the limiter (0.1-2 ms here).
# The replay runs for 20 jiffy phases x 4 delays and accepts only the counts those cases give
# (almost always a single value): no slack beyond jiffy rounding. The counts of over-limit
# drops and blocked queries that ampguard reports must match one of those same cases.
# Then bytes mode: 50kB/min with a 10kB burst; the victim gets no more than burst + rate x
# duration bytes (IP lengths), and at least the burst's worth of whole packets.
AG_TEST=attack
source "$(dirname "$0")/topology.sh"
ag_init "$1" "${2:-}"
ag_topology_up
ag_unbound_start

TOOL=$AG_HERE/agtool.py
VPORT=40053
BLOCK_S=5
now() { "$AG_PY" "$TOOL" now; }
ag_stop_pid() { kill -TERM "$1"; wait "$1" || true; }

# victim_query: the victim's own small query; prints the answer or nothing when dropped.
victim_query() {
  ag_in_inet dig +short +notcp +time=1 +tries=1 -b "$AG_VICTIM4" @"$AG_RESOLVER4" small.test A 2>/dev/null |
    grep -x 10.53.0.100 || true
}

start_victim() {
  rm -f "$AG_DIR/victim.ready"
  ag_bg "$AG_NS_INET" "$AG_DIR/victim-$1.log" "$AG_PY" "$TOOL" victim --bind "$AG_VICTIM4" \
    --port "$VPORT" --out "$AG_DIR/victim-$1.json" --ready "$AG_DIR/victim.ready"
  VICTIM_PID=$AG_LAST_PID
  for _ in $(seq 50); do [ -e "$AG_DIR/victim.ready" ] && return 0; sleep 0.1; done
  ag_fail "victim listener did not start"
}

# Legitimate clients during the attack: one asks for the large answer every 2 s (its own
# destination: 12 in 22 s, inside its burst of 10 plus one per 1.2 s), one over IPv6 for a
# small answer twice a second. Neither may lose a single answer.
start_clients() {
  ag_bg "$AG_NS_INET" "$AG_DIR/clientA-$1.log" "$AG_PY" "$TOOL" client --bind "$AG_CLIENT4" \
    --server "$AG_RESOLVER4" --qname big.test --qtype TXT --interval 2 --out "$AG_DIR/clientA-$1.json"
  CLIENTA_PID=$AG_LAST_PID
  ag_bg "$AG_NS_INET" "$AG_DIR/clientB-$1.log" "$AG_PY" "$TOOL" client --bind "$AG_CLIENT6" \
    --server "$AG_RESOLVER6" --qname small.test --qtype A --interval 0.5 --out "$AG_DIR/clientB-$1.json"
  CLIENTB_PID=$AG_LAST_PID
}

stop_clients() {
  ag_stop_pid "$CLIENTA_PID"
  ag_stop_pid "$CLIENTB_PID"
  local c
  for c in A B; do
    read -r asked answered < <("$AG_PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['asked'], d['answered'])" "$AG_DIR/client$c-$1.json")
    [ "$asked" -ge 5 ] || ag_fail "client $c asked only $asked"
    ag_expect_eq "client $c ($1): answers for its $asked queries" "$asked" "$answered"
    if [ "$c" = A ]; then CLIENTA_ANSWERED=$answered; fi
  done
}

# --- packets mode ------------------------------------------------------------------------------
ag_bump_start --limit.mode=packets --block.timeout=${BLOCK_S}s
start_victim packets
start_clients packets
ag_in_inet "$AG_PY" "$TOOL" attack --victim "$AG_VICTIM4" --sport "$VPORT" --server "$AG_RESOLVER4" \
  --qname big.test --rate 200 --duration 22 --out "$AG_DIR/attack-packets.json"
ag_log "$(ag_in_inet true; "$AG_PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print("attack sent", len(d["sends"]), "queries, worst lateness", round(d["max_lateness_s"]*1000,1), "ms")' "$AG_DIR/attack-packets.json")"
"$AG_PY" "$TOOL" recipe --sends "$AG_DIR/attack-packets.json" --block-s "$BLOCK_S" \
  --delays-ms 0.1 0.5 1 2 5 10 --out "$AG_DIR/recipe-packets.json" >&2
rj() { "$AG_PY" -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$AG_DIR/recipe-packets.json" "$1"; }
until_min=$(rj blocked_until_min)
until_max=$(rj blocked_until_max)

# While blocked: the victim's own UDP query is dropped (the block's end is at least 1.5 s away).
t=$(now)
victim_dropped=0
if "$AG_PY" -c "import sys; sys.exit(0 if float(sys.argv[1]) + 1.5 < float(sys.argv[2]) else 1)" "$t" "$until_min"; then
  ag_expect_eq "victim's own query while blocked" "" "$(victim_query)"
  victim_dropped=1
else
  ag_fail "the recipe replay says the block ends too soon after the attack to test it ($t vs $until_min)"
fi
# After the block times out (the latest end any case allows, plus margin): answered again.
"$AG_PY" "$TOOL" until "$("$AG_PY" -c "import sys; print(float(sys.argv[1]) + 0.3)" "$until_max")"
ag_expect_eq "victim's own query after the block timed out" 10.53.0.100 "$(victim_query)"

stop_clients packets
ag_stop_pid "$VICTIM_PID"
received=$("$AG_PY" -c "import json,sys; print(sum(1 for r in json.load(open(sys.argv[1]))['received'] if r['qname']=='big.test.'))" "$AG_DIR/victim-packets.json")
allowed=$(rj allowed_passed)
ag_log "victim received $received large answers; the recipe allows $allowed (nominal $(rj nominal_passed))"
"$AG_PY" -c "import sys, json; sys.exit(0 if int(sys.argv[1]) in json.loads(sys.argv[2]) else 1)" "$received" "$allowed" ||
  ag_fail "victim received $received large answers, the kernel recipe lets through $allowed"
[ "$received" -gt 10 ] || ag_fail "nothing passed after the first block ($received)"

ag_bump_stop
over=$(ag_stat reasons.over_limit.packets)
blocked=$(( $(ag_stat reasons.blocklisted_source.packets) - victim_dropped ))
within=$(( $(ag_stat reasons.response_within_limit.packets) - CLIENTA_ANSWERED ))
adds=$(ag_stat tables.block_adds)
ag_expect_eq "large responses ampguard passed to the victim" "$received" "$within"
refreshes=$(ag_stat tables.block_refreshes)
sent=$(rj queries)
# Every spoofed query is accounted for exactly once: dropped on the outside port while the
# victim was blocked, or answered and then passed or dropped over the limit.
ag_expect_eq "spoofed queries = blocked + passed + over-limit" "$sent" "$((blocked + received + over))"
# Block events: one per over-limit response that found the victim unblocked; the recipe's
# replay gives that count for the same cases that give the passed count. Responses already in
# flight when a block was set (queries that crossed before it) are over the limit too and
# refresh the block, as ipset --exist does: they are the difference.
"$AG_PY" - "$AG_DIR/recipe-packets.json" "$received" "$adds" <<'PYEOF' ||
import json, sys
r = json.load(open(sys.argv[1]))
passed, adds = map(int, sys.argv[2:])
ok = [c for c in r["cases"] if (c["passed"], c["over"]) == (passed, adds)]
print(f"ampguard: passed {passed}, blocks {adds}; recipe cases matching: {len(ok)} of "
      f"{len(r['cases'])}", file=sys.stderr)
sys.exit(0 if ok else 1)
PYEOF
  ag_fail "ampguard's passed/block counts ($received/$adds) match no case of the recipe"
ag_expect_eq "over-limit drops = blocks + refreshes by responses in flight" "$over" "$((adds + refreshes))"
ag_expect_eq "block log lines (log.address-interval=0s: none suppressed)" "$adds" "$(grep -c "DNS-amplification protection: blocked $AG_VICTIM4" "$AG_BUMP_LOG")"
ag_expect_eq "all drops (only the victim was ever blocked)" "$((over + blocked + victim_dropped))" "$(ag_stat_drops)"

# --- bytes mode ---------------------------------------------------------------------------------
RATE_BPS=$((50 * 1024)) # per minute
BURST_B=$((10 * 1024))
ag_bump_start --limit.mode=bytes --limit.rate=50kB/min --limit.burst=10kB --block.timeout=${BLOCK_S}s
start_victim bytes
start_clients bytes
ag_in_inet "$AG_PY" "$TOOL" attack --victim "$AG_VICTIM4" --sport "$VPORT" --server "$AG_RESOLVER4" \
  --qname big.test --rate 200 --duration 12 --out "$AG_DIR/attack-bytes.json"
sleep 0.5
stop_clients bytes
ag_stop_pid "$VICTIM_PID"
ag_bump_stop
"$AG_PY" - "$AG_DIR/attack-bytes.json" "$AG_DIR/victim-bytes.json" "$RATE_BPS" "$BURST_B" <<'PYEOF' ||
import json, sys
sends = json.load(open(sys.argv[1]))["sends"]
got = [r for r in json.load(open(sys.argv[2]))["received"] if r["qname"] == "big.test."]
rate_per_min, burst = int(sys.argv[3]), int(sys.argv[4])
size = got[0]["ip_len"] if got else 0
total = sum(r["ip_len"] for r in got)
# The responses' span at the limiter is the queries' span plus at most their delay difference.
span = sends[-1] - sends[0] + 0.01
bound = burst + rate_per_min * span / 60
print(f"bytes mode: victim got {len(got)} x {size} B = {total} B; bound burst {burst} + "
      f"{rate_per_min}/min x {span:.2f} s = {bound:.0f} B", file=sys.stderr)
assert got, "nothing reached the victim"
assert total <= bound, f"{total} B > {bound:.0f} B"
assert len(got) >= burst // size, f"only {len(got)} packets: the burst alone allows {burst // size}"
PYEOF
  ag_fail "bytes mode: victim received more than the configured rate plus burst"
[ "$(ag_stat tables.block_adds)" -ge 1 ] || ag_fail "bytes mode: the victim was never blocked"
ag_log "ok: bytes mode: $(ag_stat tables.block_adds) blocks, $(ag_stat reasons.over_limit.packets) over-limit drops"
ag_log "PASS"
