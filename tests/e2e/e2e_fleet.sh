#!/usr/bin/env bash
# Fleet: two ampguard boxes, each with its own gobgpd, both iBGP clients (FlowSpec families) of
# a third gobgpd, the route reflector / edge router. Every BGP speaker is Debian's gobgpd.
#
#   ag-<id>-inet --- [A: ag-<id>-bump] --- ag-<id>-res (Unbound 10.53.0.1, 10.54.0.1)
#                     gobgpd A 10.99.1.1                  |
#                           \                             |
#                      ag-<id>-edge: gobgpd RR/edge        |
#                           /                             |
#                     gobgpd B 10.99.2.1                  |
#   ag-<id>-inetb --- [B: ag-<id>-bumpb] -----------------+
#   ag-<id>-frr: FRR's bgpd, an upstream router receiving FlowSpec from the edge (docs/fleet.md)
#
# 1. An attack through A blocks the victim on A; with fleet.export-after = 0 the FlowSpec
#    route is in the edge's RIB and B has imported it within 2 s of A's block (measured and
#    logged: export and import latency); B then drops the victim's spoofed queries at once
#    (its own limiter never blocked it: limit counts zero over-limit responses). FRR shows
#    the same rule with its traffic-rate.
# 2. A's gobgpd killed during the block: A keeps blocking (the victim's own query is still
#    dropped); restarted: the route comes back without anything else restarted.
# 3. IPv6 through the same path (a manual block on A: fleet.export-manual = true).
# 4. The block's end withdraws everywhere (edge RIB and B's blocklist).
# 5. Clean stop of A withdraws its routes; 10,000 blocks restored with fleet.max-routes = 100
#    give exactly 100 routes, the rest counted suppressed; B, capped at fleet.max-imports = 40,
#    imports 40 of their 50 keys and counts 10; A killed -9 and restarted without
#    them: the reconciler at connect withdraws the 100 stale routes.
# Busy-polling boxes share the cores through ports.idle-pause.
AG_TEST=fleet
source "$(dirname "$0")/topology.sh"
ag_init "$1" "${2:-}"
command -v gobgpd >/dev/null || ag_fail "gobgpd is not installed"
TOOL=$AG_HERE/agtool.py
NS_EDGE=ag-$AG_ID-edge
NS_BUMPB=ag-$AG_ID-bumpb
NS_INETB=ag-$AG_ID-inetb
NS_FRR=ag-$AG_ID-frr
API=127.0.0.1:50051  # every namespace has its own loopback
RESOLVER_B=10.54.0.1
CLIENT_B=10.54.0.10

fleet_cleanup() {
  local rc=$? ns p
  set +e
  for ns in "$NS_EDGE" "$NS_BUMPB" "$NS_INETB" "$NS_FRR"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$p" 2>/dev/null; done
  done
  sleep 0.5
  for ns in "$NS_EDGE" "$NS_BUMPB" "$NS_INETB" "$NS_FRR"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  (exit "$rc")
  ag_cleanup
}
trap fleet_cleanup EXIT

ag_topology_up
for ns in "$NS_EDGE" "$NS_BUMPB" "$NS_INETB" "$NS_FRR"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
# B's data path: inetb --- bumpb --- res (a second link into the resolver's namespace).
ip -n "$AG_NS_RES" link add r1 type veth peer name bi2 netns "$NS_BUMPB"
ip -n "$NS_INETB" link add c1 type veth peer name bo2 netns "$NS_BUMPB"
ip netns exec "$NS_BUMPB" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns exec "$NS_INETB" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
ag_no_offload "$AG_NS_RES" r1
ag_no_offload "$NS_INETB" c1
ag_no_offload "$NS_BUMPB" bi2
ag_no_offload "$NS_BUMPB" bo2
ip -n "$AG_NS_RES" addr add "$RESOLVER_B/24" dev r1
ip -n "$NS_INETB" addr add "$CLIENT_B/24" dev c1
ip -n "$NS_BUMPB" link set bi2 promisc on up
ip -n "$NS_BUMPB" link set bo2 promisc on up
ip -n "$AG_NS_RES" link set r1 up
ip -n "$NS_INETB" link set c1 up
# BGP links: each box's namespace to the edge's.
ip -n "$AG_NS_BUMP" link add ga type veth peer name ea netns "$NS_EDGE"
ip -n "$NS_BUMPB" link add gb type veth peer name eb netns "$NS_EDGE"
ip -n "$AG_NS_BUMP" addr add 10.99.1.1/24 dev ga
ip -n "$NS_EDGE" addr add 10.99.1.254/24 dev ea
ip -n "$NS_BUMPB" addr add 10.99.2.1/24 dev gb
ip -n "$NS_EDGE" addr add 10.99.2.254/24 dev eb
ip -n "$NS_FRR" link add gf type veth peer name ef netns "$NS_EDGE"
ip -n "$NS_FRR" addr add 10.99.3.1/24 dev gf
ip -n "$NS_EDGE" addr add 10.99.3.254/24 dev ef
ip -n "$NS_FRR" link set gf up
ip -n "$NS_EDGE" link set ef up
ip -n "$AG_NS_BUMP" link set ga up
ip -n "$NS_BUMPB" link set gb up
ip -n "$NS_EDGE" link set ea up
ip -n "$NS_EDGE" link set eb up

families() {
  local f
  for f in ipv4-flowspec ipv6-flowspec; do
    printf '  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "%s"\n' "$f"
  done
}
# The edge: route reflector for both boxes, passive (the boxes dial in).
{
  printf '[global.config]\n  as = 64512\n  router-id = "10.99.0.254"\n'
  for n in 10.99.1.1 10.99.2.1 10.99.3.1; do
    printf '[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "%s"\n    peer-as = 64512\n' "$n"
    printf '  [neighbors.transport.config]\n    passive-mode = true\n'
    printf '  [neighbors.route-reflector.config]\n    route-reflector-client = true\n    route-reflector-cluster-id = "10.99.0.254"\n'
    families
  done
} >"$AG_DIR/edge.toml"
box_conf() {  # box_conf ROUTER_ID EDGE_ADDRESS: no BGP listener; dials the edge every second
  printf '[global.config]\n  as = 64512\n  router-id = "%s"\n  port = -1\n' "$1"
  printf '[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "%s"\n    peer-as = 64512\n' "$2"
  printf '  [neighbors.timers.config]\n    connect-retry = 1\n'
  families
}
box_conf 10.99.1.1 10.99.1.254 >"$AG_DIR/gobgpd-a.toml"
box_conf 10.99.2.1 10.99.2.254 >"$AG_DIR/gobgpd-b.toml"

ag_bg "$NS_EDGE" "$AG_DIR/gobgpd-edge.log" gobgpd -f "$AG_DIR/edge.toml" --api-hosts "$API"
# FRR's bgpd as the upstream router, without zebra (it only shows what it receives).
FRR_DIR=$AG_DIR/frr
mkdir -p "$FRR_DIR"
chown frr:frr "$FRR_DIR"
chmod o+x "$AG_DIR"  # bgpd drops to the frr user: it must reach its own directory
cat >"$FRR_DIR/bgpd.conf" <<FEOF
router bgp 64512
 bgp router-id 10.99.3.1
 neighbor 10.99.3.254 remote-as 64512
 neighbor 10.99.3.254 timers connect 1
 address-family ipv4 flowspec
  neighbor 10.99.3.254 activate
 exit-address-family
 address-family ipv6 flowspec
  neighbor 10.99.3.254 activate
 exit-address-family
FEOF
chmod 644 "$FRR_DIR/bgpd.conf"
ag_bg "$NS_FRR" "$AG_DIR/frr-bgpd.log" /usr/lib/frr/bgpd -Z -n -f "$FRR_DIR/bgpd.conf" \
  -i "$FRR_DIR/bgpd.pid" --vty_socket "$FRR_DIR" -u frr -g frr
frr() { ip netns exec "$NS_FRR" vtysh --vty_socket "$FRR_DIR" -c "$1"; }
start_gobgpd_a() {
  ag_bg "$AG_NS_BUMP" "$AG_DIR/gobgpd-a.log" gobgpd -f "$AG_DIR/gobgpd-a.toml" --api-hosts "$API"
  GOBGPD_A=$AG_LAST_PID
}
start_gobgpd_a
ag_bg "$NS_BUMPB" "$AG_DIR/gobgpd-b.log" gobgpd -f "$AG_DIR/gobgpd-b.toml" --api-hosts "$API"
edge() { ip netns exec "$NS_EDGE" gobgp -p 50051 "$@"; }
established() { edge neighbor 2>/dev/null | grep -c Establ || true; }
for _ in $(seq 150); do [ "$(established)" = 3 ] && break; sleep 0.2; done
[ "$(established)" = 3 ] || ag_fail "the boxes' gobgpd and FRR did not establish with the edge: $(edge neighbor 2>&1)"
ag_log "edge gobgpd: both boxes and FRR established"

AG_UNBOUND_SERVER_EXTRA="  interface: $RESOLVER_B
  access-control: 10.54.0.0/24 allow"
ag_unbound_start

FLEET=(--fleet.api="$API" --fleet.protect=10.53.0.1/32,$RESOLVER_B/32,fd00:53::1/128
       --fleet.export-after=0 --fleet.export-manual=true --ports.idle-pause=50us)
ag_bump_start --limit.mode=packets --block.timeout=120s "${FLEET[@]}"
CTL_B=$AG_DIR/ctl-b.sock
ctlb() { "$AG_CTL" --socket "$CTL_B" "$@"; }
# shellcheck disable=SC2046
ag_bg "$NS_BUMPB" "$AG_DIR/ampguard-b.log" "$AG_BIN" --ports.inside=0 --ports.outside=1 \
  --control.socket="$CTL_B" --metrics.listen="$AG_METRICS" --log.syslog=0 \
  --log.address-interval=0s --block.timeout=120s --fleet.max-imports=40 "${FLEET[@]}" -- \
  -l 0,1 --no-huge --no-shconf --no-pci --file-prefix="ag-e2e-$AG_ID-b" -m 256 --log-level=5 \
  --vdev=net_af_packet0,iface=bi2 --vdev=net_af_packet1,iface=bo2
for _ in $(seq 100); do
  ip netns exec "$NS_INETB" dig +short +time=1 +tries=1 -b "$CLIENT_B" @"$RESOLVER_B" ns.test A 2>/dev/null |
    grep -q "$AG_RESOLVER4" && break
  sleep 0.2
done
ip netns exec "$NS_INETB" dig +short +time=1 +tries=1 -b "$CLIENT_B" @"$RESOLVER_B" ns.test A | grep -q "$AG_RESOLVER4" ||
  ag_fail "no answer through box B"
ag_log "box B forwarding"

now() { date +%s.%N; }
ms() { "$AG_PY" -c "import sys; print(round((float(sys.argv[2]) - float(sys.argv[1])) * 1000))" "$1" "$2"; }
rib_has() { edge global rib -a "$1" 2>/dev/null | grep -qF "[source: $2]"; }
rib_count() { edge global rib -a "$1" -j 2>/dev/null | "$AG_PY" -c "import json,sys; print(len(json.load(sys.stdin)))"; }
victim_query() {
  ag_in_inet dig +short +notcp +time=1 +tries=1 -b "$AG_VICTIM4" @"$AG_RESOLVER4" small.test A 2>/dev/null |
    grep -x 10.53.0.100 || true
}
stat_b() { ctlb stats | "$AG_PY" -c "import json,sys; print(json.load(sys.stdin)['reasons'][sys.argv[1]]['packets'])" "$1"; }
wait_for() {  # wait_for SECONDS WHAT CMD...: poll every 50 ms
  local seconds=$1 what=$2 i; shift 2
  for i in $(seq $((seconds * 20))); do "$@" && return 0; sleep 0.05; done
  ag_fail "$what: not within ${seconds}s"
}

# --- 1. attack through A: exported, imported, enforced on B --------------------------------------
ag_bg "$AG_NS_INET" "$AG_DIR/attack-a.log" "$AG_PY" "$TOOL" attack --victim "$AG_VICTIM4" \
  --sport 40053 --server "$AG_RESOLVER4" --qname big.test --rate 200 --duration 4 \
  --out "$AG_DIR/attack-a.json"
t_block="" t_edge="" t_import=""
for _ in $(seq 300); do
  t=$(now)
  [ -z "$t_block" ] && ag_ctl blocklist list | grep -q "^$AG_VICTIM4 .*over-limit" && t_block=$t
  [ -n "$t_block" ] && [ -z "$t_edge" ] && rib_has ipv4-flowspec "$AG_VICTIM4/32" && t_edge=$(now)
  [ -n "$t_block" ] && [ -z "$t_import" ] && ctlb blocklist list | grep -q "^$AG_VICTIM4 .* fleet:10.99.1.1$" && t_import=$(now)
  [ -n "$t_edge" ] && [ -n "$t_import" ] && break
  sleep 0.02
done
[ -n "$t_block" ] || ag_fail "A did not block the victim"
[ -n "$t_edge" ] || ag_fail "the route never reached the edge: $(edge global rib -a ipv4-flowspec)"
[ -n "$t_import" ] || ag_fail "B never imported the route: $(ctlb blocklist list | head)"
export_ms=$(ms "$t_block" "$t_edge") import_ms=$(ms "$t_block" "$t_import")
ag_log "measured: export latency ${export_ms} ms (A's block -> edge RIB), import latency ${import_ms} ms (A's block -> B's blocklist)"
[ "$export_ms" -le 2000 ] || ag_fail "export took ${export_ms} ms (over 2 s)"
[ "$import_ms" -le 2000 ] || ag_fail "import took ${import_ms} ms (over 2 s)"
rule=$(edge global rib -a ipv4-flowspec | grep -F "[destination: 10.53.0.1/32][source: $AG_VICTIM4/32]" || true)
for part in "[protocol: ==udp][destination-port: ==53]" "Communities: 64512:53" "rate: 1000.000000"; do
  grep -qF "$part" <<<"$rule" || ag_fail "edge route lacks $part: $rule"
done
ag_expect_eq "edge routes for the victim (one per IPv4 fleet.protect prefix)" 2 \
  "$(edge global rib -a ipv4-flowspec | grep -cF "[source: $AG_VICTIM4/32]")"
wait_for 3 "FRR receives the rule" bash -c "ip netns exec $NS_FRR vtysh --vty_socket $FRR_DIR -c 'show bgp ipv4 flowspec detail' | grep -qF 'Source Address $AG_VICTIM4/32'"
frr_rule=$(frr "show bgp ipv4 flowspec detail")
for part in "Destination Address 10.53.0.1/32" "Source Address $AG_VICTIM4/32" "IP Protocol = 17" \
            "Destination Port = 53" "FS:rate 1000.000000"; do
  grep -qF "$part" <<<"$frr_rule" || ag_fail "FRR's route lacks $part: $frr_rule"
done
ag_log "ok: FRR received the rule (destination, source, UDP, port 53, rate 1000)"
wait "$AG_LAST_PID" || true
over_b=$(stat_b over_limit) blocked_b=$(stat_b blocklisted_source)
ag_in_inetb() { ip netns exec "$NS_INETB" "$@"; }
ag_in_inetb "$AG_PY" "$TOOL" attack --victim "$AG_VICTIM4" --sport 40053 --server "$RESOLVER_B" \
  --qname big.test --rate 100 --duration 2 --out "$AG_DIR/attack-b.json" >&2
sent_b=$("$AG_PY" -c "import json,sys; print(len(json.load(open(sys.argv[1]))['sends']))" "$AG_DIR/attack-b.json")
sleep 0.5
ag_expect_eq "B: the victim's spoofed queries dropped as blocklisted" "$sent_b" $(( $(stat_b blocklisted_source) - blocked_b ))
ag_expect_eq "B: over-limit responses (its own limiter never saw one)" "$over_b" "$(stat_b over_limit)"
ag_expect_eq "B: over-limit responses at all" 0 "$(stat_b over_limit)"
ctlb fleet status >&2
ctlb fleet status | grep -q "^imported 1 blocks (0 routes .* not imported, 0 over fleet.max-imports) 10.99.1.1=1$" || ag_fail "B's fleet status: $(ctlb fleet status)"

# --- 2. A's gobgpd killed during the block, then restarted ---------------------------------------
kill -KILL "$GOBGPD_A"
wait_for 10 "the edge drops A's route with its session" bash -c "! ip netns exec $NS_EDGE gobgp -p 50051 global rib -a ipv4-flowspec | grep -qF '[source: $AG_VICTIM4/32]'"
[ -z "$(victim_query)" ] || ag_fail "A stopped blocking while its gobgpd was down"
ag_ctl blocklist list | grep -q "^$AG_VICTIM4 " || ag_fail "A lost the block with its gobgpd"
ag_ctl fleet status | grep -q "^session down" || ag_fail "A's fleet status: $(ag_ctl fleet status)"
ag_log "ok: A's gobgpd down: A still blocks the victim, session down"
t_restart=$(now)
start_gobgpd_a
wait_for 30 "the route back at the edge after A's gobgpd restarted" rib_has ipv4-flowspec "$AG_VICTIM4/32"
ag_log "measured: route back at the edge $(ms "$t_restart" "$(now)") ms after gobgpd A restarted"

# --- 3. IPv6 through the same path ---------------------------------------------------------------
ag_ctl blocklist add fd00:53:0:bad::1 >&2
wait_for 3 "IPv6 route at the edge" rib_has ipv6-flowspec "fd00:53:0:bad::/64/0"
wait_for 3 "IPv6 route imported by B" bash -c "'$AG_CTL' --socket '$CTL_B' blocklist list | grep -q '^fd00:53:0:bad::/64 .* fleet:10.99.1.1$'"
edge global rib -a ipv6-flowspec | grep -F "[destination: fd00:53::1/128/0][source: fd00:53:0:bad::/64/0]" >/dev/null ||
  ag_fail "IPv6 rule: $(edge global rib -a ipv6-flowspec)"
ag_log "ok: IPv6 block exported and imported"

# --- 4. the blocks end: withdrawn everywhere -----------------------------------------------------
ag_ctl blocklist del "$AG_VICTIM4" >&2
ag_ctl blocklist del fd00:53:0:bad::/64 >&2
wait_for 3 "IPv4 route withdrawn at the edge" bash -c "[ \"\$(ip netns exec $NS_EDGE gobgp -p 50051 global rib -a ipv4-flowspec -j)\" = '{}' ]"
wait_for 3 "IPv6 route withdrawn at the edge" bash -c "[ \"\$(ip netns exec $NS_EDGE gobgp -p 50051 global rib -a ipv6-flowspec -j)\" = '{}' ]"
wait_for 3 "B's imported entries gone" bash -c "! '$AG_CTL' --socket '$CTL_B' blocklist list | grep -q fleet:"
ag_log "ok: block end withdrew the routes at the edge and B's imported entries"

# --- 5. clean stop, 10,000 blocks, crash and reconcile -------------------------------------------
ag_ctl blocklist add 10.53.0.77 >&2
wait_for 3 "manual block exported" rib_has ipv4-flowspec 10.53.0.77/32
ag_bump_stop
grep -q "fleet: stopped: withdrew 2 of 2 routes" "$AG_BUMP_LOG" || ag_fail "no withdrawal at stop: $(grep fleet "$AG_BUMP_LOG" | tail -3)"
ag_expect_eq "edge routes after A's clean stop" 0 "$(rib_count ipv4-flowspec)"
state=$AG_DIR/blocks.state
"$AG_PY" - "$state" <<'PEOF'
import sys, time
until = int(time.time()) + 3600
with open(sys.argv[1], "w") as f:
    f.write("# ampguard blocklist v1: address expires-unix-seconds reason\n")
    for i in range(10000):
        f.write(f"10.60.{i // 250}.{i % 250 + 1} {until} over-limit\n")
PEOF
ag_bump_start --block.timeout=120s --block.state-file="$state" --fleet.max-routes=100 "${FLEET[@]}"
wait_for 10 "100 routes at the edge" bash -c "[ \"\$(ip netns exec $NS_EDGE gobgp -p 50051 global rib -a ipv4-flowspec -j | $AG_PY -c 'import json,sys; print(len(json.load(sys.stdin)))')\" = 100 ]"
sleep 1
ag_expect_eq "edge routes for 10,000 blocks, fleet.max-routes=100 (2 per key)" 100 "$(rib_count ipv4-flowspec)"
ag_ctl fleet status >&2
ag_ctl fleet status | grep -q "^suppressed 9950 blocks over fleet.max-routes" || ag_fail "A's fleet status: $(ag_ctl fleet status)"
# B caps its imports (fleet.max-imports=40): a peer flooding routes cannot fill its blocklist.
wait_for 5 "B imports 40 of the 50 keys" bash -c "[ \"\$('$AG_CTL' --socket '$CTL_B' blocklist list | grep -c ' fleet:10.99.1.1$')\" = 40 ]"
sleep 0.5
ag_expect_eq "B's imported entries at fleet.max-imports=40" 40 "$(ctlb blocklist list | grep -c ' fleet:10.99.1.1$')"
ctlb fleet status | grep -q "^imported 40 blocks (.* 10 over fleet.max-imports) 10.99.1.1=40$" || ag_fail "B's fleet status: $(ctlb fleet status)"
ag_log "ok: 10,000 blocks -> 100 routes (50 keys x 2 prefixes), 9950 suppressed, 40 imported by B (10 over its cap)"
kill -KILL "$AG_BUMP_PID"
wait "$AG_BUMP_PID" 2>/dev/null || true
AG_BUMP_PID=""
ag_expect_eq "edge routes left by A killed -9 (gobgpd keeps them)" 100 "$(rib_count ipv4-flowspec)"
ag_bump_start --block.timeout=120s "${FLEET[@]}"
wait_for 10 "stale routes withdrawn by A's reconciler" bash -c "[ \"\$(ip netns exec $NS_EDGE gobgp -p 50051 global rib -a ipv4-flowspec -j)\" = '{}' ]"
grep -q "100 routes of ours there, 100 no longer wanted" "$AG_BUMP_LOG" || ag_fail "no reconcile line: $(grep fleet "$AG_BUMP_LOG")"
wait_for 5 "B's imported entries gone" bash -c "! '$AG_CTL' --socket '$CTL_B' blocklist list | grep -q fleet:"
ag_log "ok: restart after a crash withdrew the 100 stale routes"
ag_bump_stop
ag_log "PASS"
