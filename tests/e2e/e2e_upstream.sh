#!/usr/bin/env bash
# Scenario: the blocklist cuts nobody off (issue 14).
# 1. The resolver keeps its upstreams. A real authoritative server (NSD) in the internet
#    namespace serves zone.ag., to which Unbound recurses (a stub zone, UDP only: outgoing TCP
#    is off, so no fallback hides a dropped answer). A spoofed attack "from" the server's
#    address gets it blocklisted; during the block Unbound still resolves names of zone.ag.,
#    including a 3.2 kB answer that arrives as IP fragments, because only UDP to the service
#    port is dropped from a blocklisted source.
# 2. A real client is limited, never silenced. With conf/recommended.conf (block.query-action
#    and limit.over-action tc, slip 2) a client whose address a spoofed attack got blocked
#    still gets every answer, over TCP (dig and kdig retry over TCP on TC); the spoofed victim,
#    from the moment it is blocked, receives fewer bytes than the queries sent in its name.
# Driver: net_pcap in live mode, which sees IP fragments as they are on the wire (see
# e2e_truncate.sh).
AG_TEST=upstream
source "$(dirname "$0")/topology.sh"
for tool in nsd kdig; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
ag_init "$1" "${2:-}"
AG_BUMP_DRIVER=pcap
AUTH4=10.53.0.30
TOOL=$AG_HERE/agtool.py
RECOMMENDED=$AG_HERE/../../conf/recommended.conf

ag_topology_up
ip -n "$AG_NS_INET" addr add "$AUTH4/24" dev c0

# --- the authoritative server ------------------------------------------------------------------
{
  cat <<EOF
\$ORIGIN zone.ag.
@ 300 IN SOA ns.zone.ag. admin.zone.ag. 1 3600 600 86400 300
@ 300 IN NS ns.zone.ag.
ns 300 IN A $AUTH4
EOF
  for i in $(seq 0 9); do echo "n$i 300 IN A 10.53.2.$i"; done
  ag_txt_records huge.zone.ag. 15
} >"$AG_DIR/zone.ag.zone"
cat >"$AG_DIR/nsd.conf" <<EOF
server:
  ip-address: $AUTH4
  port: 53
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "$AG_DIR"
  database: ""
  zonelistfile: "$AG_DIR/zone.list"
  xfrdfile: "$AG_DIR/xfrd.state"
  xfrdir: "$AG_DIR"
  pidfile: "$AG_DIR/nsd.pid"
  server-count: 1
  ipv4-edns-size: 4096
  verbosity: 1
remote-control:
  control-enable: no
zone:
  name: zone.ag.
  zonefile: zone.ag.zone
EOF
nsd-checkconf "$AG_DIR/nsd.conf" || ag_fail "nsd-checkconf rejected $AG_DIR/nsd.conf"
ag_bg "$AG_NS_INET" "$AG_DIR/nsd.log" nsd -d -c "$AG_DIR/nsd.conf"
for _ in $(seq 100); do
  ag_in_inet dig +short +time=1 +tries=1 @"$AUTH4" ns.zone.ag A 2>/dev/null | grep -qx "$AUTH4" && break
  sleep 0.1
done
ag_in_inet dig +short +time=1 +tries=1 @"$AUTH4" ns.zone.ag A | grep -qx "$AUTH4" || ag_fail "nsd did not answer"
ag_log "nsd up on $AUTH4"

AG_UNBOUND_SERVER_EXTRA="  outgoing-num-tcp: 0"
AG_UNBOUND_EXTRA="stub-zone:
  name: \"zone.ag.\"
  stub-addr: $AUTH4"
ag_unbound_start

# ask NAME TYPE: the answer's records through the bump, over UDP only, from the client.
ask() {
  ag_in_inet dig +short +notcp +ignore +bufsize=4096 +time=3 +tries=1 -b "$AG_CLIENT4" \
    @"$AG_RESOLVER4" "$1" "$2" 2>/dev/null || true
}

# attack VICTIM PORT SECONDS OUT: spoofed big.test queries in VICTIM's name at 200/s.
attack() {
  ag_in_inet "$AG_PY" "$TOOL" attack --victim "$1" --sport "$2" --server "$AG_RESOLVER4" \
    --qname big.test --rate 200 --duration "$3" --out "$4" >&2
}

blocked() { ag_ctl blocklist list | grep -q "^$1 "; }

# --- 1. the resolver keeps its upstreams --------------------------------------------------------
ag_bump_start
ag_expect_eq "n0.zone.ag through the recursion before the attack" 10.53.2.0 "$(ask n0.zone.ag A)"
attack "$AUTH4" 40053 0.5 "$AG_DIR/attack-auth.json"
sleep 0.5
blocked "$AUTH4" || ag_fail "the attack did not get $AUTH4 blocklisted: $(ag_ctl blocklist list)"
ag_log "ok: $AUTH4 (the authoritative server) is blocklisted"
for i in 1 2 3; do
  ag_expect_eq "n$i.zone.ag while its server is blocklisted" "10.53.2.$i" "$(ask "n$i.zone.ag" A)"
done
ag_expect_eq "huge.zone.ag TXT records (3.2 kB, fragmented) while blocklisted" 15 \
  "$(ask huge.zone.ag TXT | grep -c .)"
blocked "$AUTH4" || ag_fail "$AUTH4 is no longer blocked"
ag_bump_stop
upstream=$(ag_stat reasons.blocklisted_source_upstream.packets)
# n1-n3 one datagram each, huge.zone.ag three fragments: at least 6 (Unbound may ask twice).
[ "$upstream" -ge 6 ] || ag_fail "blocklisted_source_upstream = $upstream, expected at least 6"
ag_log "ok: blocklisted_source_upstream = $upstream; blocklisted_source = $(ag_stat reasons.blocklisted_source.packets)"

# --- 2. a real client is limited, never silenced ------------------------------------------------
ag_bump_start --config="$RECOMMENDED"
VPORT=40054
rm -f "$AG_DIR/victim.ready"
ag_bg "$AG_NS_INET" "$AG_DIR/victim.log" "$AG_PY" "$TOOL" victim --bind "$AG_VICTIM4" \
  --port "$VPORT" --out "$AG_DIR/victim.json" --ready "$AG_DIR/victim.ready"
VICTIM_PID=$AG_LAST_PID
for _ in $(seq 50); do [ -e "$AG_DIR/victim.ready" ] && break; sleep 0.1; done
attack "$AG_VICTIM4" "$VPORT" 3 "$AG_DIR/attack-victim.json"
sleep 0.5
kill -TERM "$VICTIM_PID"
wait "$VICTIM_PID" || true
blocked "$AG_VICTIM4" || ag_fail "the attack did not get $AG_VICTIM4 blocklisted"
ag_log "ok: $AG_VICTIM4 is blocklisted"
"$AG_PY" - "$AG_HERE" "$AG_DIR/attack-victim.json" "$AG_DIR/victim.json" <<'PYEOF' ||
import json, sys
sys.path.insert(0, sys.argv[1])
import agtool
sends = json.load(open(sys.argv[2]))["sends"]
got = json.load(open(sys.argv[3]))["received"]
full = [r for r in got if not r["tc"]]
assert len(full) >= 10, f"only {len(full)} whole answers reached the victim"
blocked_at = full[9]["t"]  # its 10th whole answer: the burst; the next one blocks it
query_ip = len(agtool.query_wire("big.test", "TXT", 4096, 0)) + 28
sent = sum(query_ip for t in sends if t > blocked_at)
received = sum(r["ip_len"] for r in got if r["t"] > blocked_at)
print(f"after the block: spoofed queries {sent} B, the victim received {received} B "
      f"({sum(1 for r in got if r['t'] > blocked_at)} datagrams, whole answers "
      f"{sum(1 for r in full if r['t'] > blocked_at)})", file=sys.stderr)
assert received < sent, f"{received} B >= {sent} B"
assert len(full) == 10, f"{len(full)} whole answers: more than the burst of 10"
PYEOF
  ag_fail "the spoofed victim received more than the queries sent in its name"

# The blocked address's own queries: every one answered, over TCP after a TC reply.
for name in small.test host1.test host2.test; do
  out=$(ag_in_inet dig +time=1 +tries=4 -b "$AG_VICTIM4" @"$AG_RESOLVER4" "$name" A 2>&1 || true)
  grep -q "status: NOERROR" <<<"$out" || ag_fail "dig $name from the blocked client: $out"
  grep -q "Truncated, retrying in TCP mode" <<<"$out" || ag_fail "dig $name did not go through TCP: $out"
  ag_log "ok: dig $name from the blocked client: answered over TCP"
done
out=$(ag_in_inet dig +time=1 +tries=4 -b "$AG_VICTIM4" @"$AG_RESOLVER4" big.test TXT 2>&1 || true)
ag_expect_eq "big.test TXT records for the blocked client (dig, TCP)" 4 "$(grep -cP '^[^;].*\tIN\tTXT' <<<"$out")"
for name in host3.test host4.test; do
  out=$(ag_in_inet kdig +timeout=1 +retry=3 -b "$AG_VICTIM4" @"$AG_RESOLVER4" "$name" A 2>&1 || true)
  grep -q "status: NOERROR" <<<"$out" || ag_fail "kdig $name from the blocked client: $out"
  grep -q "(TCP)" <<<"$out" || ag_fail "kdig $name did not go through TCP: $out"
  ag_log "ok: kdig $name from the blocked client: answered over TCP"
done
blocked "$AG_VICTIM4" || ag_fail "$AG_VICTIM4 is no longer blocked"
ag_bump_stop
ag_log "blocklisted_tc_reply = $(ag_stat reasons.blocklisted_tc_reply.packets), over_limit_tc = $(ag_stat reasons.over_limit_tc.packets), blocklisted_source = $(ag_stat reasons.blocklisted_source.packets)"
[ "$(ag_stat reasons.blocklisted_tc_reply.packets)" -ge 1 ] || ag_fail "no TC reply to the blocked client"
ag_log "PASS"
