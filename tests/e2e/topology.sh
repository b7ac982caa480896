# Shared topology for the end-to-end tests; sourced by every tests/e2e/*.sh scenario.
#
#   ag-<id>-res netns            ag-<id>-bump netns              ag-<id>-inet netns
#   Unbound on 10.53.0.1  r0 --- bi [ ampguard: port 0 | port 1 ] bo --- c0  clients 10.53.0.10,
#   and fd00:53::1                     (inside)        (outside)             .11, victim .20,
#                                                                            fd00:53::10
# One L2 segment (10.53.0.0/24, fd00:53::/64) cut by ampguard: nothing has a route off the
# namespaces, and deleting the three namespaces removes every veth. ampguard gets the two
# veth ends in its own namespace with no addresses (only the kernel's IPv6 link-local, which
# is disabled), so the only way between the resolver and the internet is through the bump.
#
# Usage in a scenario:  source topology.sh; ag_init "$AMPGUARD_BIN"; ag_topology_up;
#                       ag_unbound_start (or ag_named_start); ag_bump_start [ampguard options];
#                       ...; ag_bump_stop
# Everything is torn down by the EXIT trap, also on failure.

set -euo pipefail

AG_PY=/usr/bin/python3  # the python3 first on PATH may be a shim without dnspython
AG_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

AG_RESOLVER4=10.53.0.1
AG_RESOLVER6=fd00:53::1
AG_CLIENT4=10.53.0.10
AG_OTHER4=10.53.0.11
AG_VICTIM4=10.53.0.20
AG_CLIENT6=fd00:53::10
AG_METRICS=127.0.0.1:9977  # inside the bump namespace

ag_log() { printf '[%s %s] %s\n' "$(date +%T.%3N)" "${AG_TEST:-e2e}" "$*" >&2; }
ag_fail() { ag_log "FAIL: $*"; exit 1; }

# ag_init BIN [CTL]: names, work directory and the cleanup trap.
ag_init() {
  AG_BIN=$1
  AG_CTL=${2:-$(dirname "$1")/tools/ampguardctl}
  [ -x "$AG_BIN" ] || ag_fail "ampguard binary '$AG_BIN' not found"
  [ "$(id -u)" -eq 0 ] || { echo "SKIP: e2e tests need root (network namespaces)"; exit 77; }
  for tool in ip ethtool unbound dig; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
  done
  AG_ID=$(printf '%04x' $(( ($$ ^ RANDOM) & 0xffff )))
  AG_NS_RES=ag-$AG_ID-res
  AG_NS_BUMP=ag-$AG_ID-bump
  AG_NS_INET=ag-$AG_ID-inet
  AG_DIR=$(mktemp -d "/tmp/ag-e2e-${AG_TEST:-x}-XXXXXX")
  AG_PIDS=()
  AG_BUMP_PID=""
  trap ag_cleanup EXIT
  trap 'exit 130' INT TERM
}

ag_cleanup() {
  local rc=$?
  set +e
  if [ -n "${AG_BUMP_PID:-}" ] && kill -0 "$AG_BUMP_PID" 2>/dev/null; then
    kill -TERM "$AG_BUMP_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$AG_BUMP_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$AG_BUMP_PID" 2>/dev/null
  fi
  local p
  for p in "${AG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${AG_PIDS[@]}"; do
    for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
  done
  # Anything else still running in our namespaces (a dig left behind by a failed check).
  local ns
  for ns in "$AG_NS_RES" "$AG_NS_BUMP" "$AG_NS_INET"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  if [ "$rc" -ne 0 ] && [ -d "$AG_DIR" ]; then
    ag_log "exit $rc; logs kept in $AG_DIR"
    for f in "$AG_DIR"/*.log; do
      [ -f "$f" ] || continue
      echo "----- $f (last 30 lines)" >&2; tail -n 30 "$f" >&2
    done
  else
    rm -rf "$AG_DIR"
  fi
  exit "$rc"
}

# ag_bg NS LOG CMD...: run a command in a namespace in the background; pid in AG_LAST_PID.
ag_bg() {
  local ns=$1 log=$2; shift 2
  ip netns exec "$ns" "$@" >"$log" 2>&1 &
  AG_LAST_PID=$!
  AG_PIDS+=("$AG_LAST_PID")
}

ag_in_res() { ip netns exec "$AG_NS_RES" "$@"; }
ag_in_bump() { ip netns exec "$AG_NS_BUMP" "$@"; }
ag_ctl() { "$AG_CTL" --socket "$AG_DIR/ctl.sock" "$@"; }
ag_in_inet() { ip netns exec "$AG_NS_INET" "$@"; }

# No checksum offload (af_packet would forward unfinished checksums), no segmentation or
# receive offloads (af_packet frames must not exceed the MTU).
ag_no_offload() {
  ip netns exec "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 ||
    ip netns exec "$1" ethtool -K "$2" tx off >/dev/null
}

ag_topology_up() {
  local ns
  for ns in "$AG_NS_RES" "$AG_NS_BUMP" "$AG_NS_INET"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
  ip -n "$AG_NS_RES" link add r0 type veth peer name bi netns "$AG_NS_BUMP"
  ip -n "$AG_NS_INET" link add c0 type veth peer name bo netns "$AG_NS_BUMP"
  # The bump's ends carry no addresses and send nothing of their own.
  ip netns exec "$AG_NS_BUMP" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  for ns in "$AG_NS_RES" "$AG_NS_INET"; do
    # No DAD delay for the IPv6 addresses, no reverse-path filtering for the spoofer.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
      net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  done
  ag_no_offload "$AG_NS_RES" r0
  ag_no_offload "$AG_NS_INET" c0
  ag_no_offload "$AG_NS_BUMP" bi
  ag_no_offload "$AG_NS_BUMP" bo
  ip -n "$AG_NS_RES" addr add "$AG_RESOLVER4/24" dev r0
  ip -n "$AG_NS_RES" addr add "$AG_RESOLVER6/64" dev r0 nodad
  ip -n "$AG_NS_INET" addr add "$AG_CLIENT4/24" dev c0
  ip -n "$AG_NS_INET" addr add "$AG_OTHER4/24" dev c0
  ip -n "$AG_NS_INET" addr add "$AG_VICTIM4/24" dev c0
  ip -n "$AG_NS_INET" addr add "$AG_CLIENT6/64" dev c0 nodad
  ip -n "$AG_NS_BUMP" link set bi promisc on up
  ip -n "$AG_NS_BUMP" link set bo promisc on up
  ip -n "$AG_NS_RES" link set r0 up
  ip -n "$AG_NS_INET" link set c0 up
  ag_log "topology up: $AG_NS_RES -- $AG_NS_BUMP -- $AG_NS_INET (work dir $AG_DIR)"
}

# A TXT RRset of N strings of 200 characters: about 201*N bytes of answer.
ag_txt_records() {
  local name=$1 n=$2 i
  for i in $(seq -w 1 "$n"); do
    printf '%s 300 IN TXT "%s-%s"\n' "$name" "$i" "$(printf 'x%.0s' $(seq 197))"
  done
}

# ag_test_zone FILE: the zone test. that both resolvers serve.
ag_test_zone() {
  local i
  {
    cat <<EOF
\$ORIGIN test.
@ 300 IN SOA ns.test. admin.test. 1 3600 600 86400 300
@ 300 IN NS ns.test.
ns 300 IN A $AG_RESOLVER4
small 300 IN A 10.53.0.100
small 300 IN AAAA fd00:53::100
small 300 IN TXT "hello from the resolver"
EOF
    ag_txt_records big.test. 4
    ag_txt_records huge.test. 15
    for i in $(seq 1 20); do echo "host$i 300 IN A 10.53.1.$i"; done
  } >"$1"
}

# Unbound serving the zone test. (an auth-zone: unlike local-data it answers ANY with every
# RRset): small answers, answers over 700 bytes (big.test, about 900 bytes: over the recipe's
# 700-byte threshold, under any MTU) and over 1500 bytes (huge.test, about 3 kB: IP-fragmented
# over UDP, or truncated when the client's EDNS size is smaller).
# AG_UNBOUND_SERVER_EXTRA (server: options) and AG_UNBOUND_EXTRA (further clauses, e.g. a
# stub-zone) extend its config.
ag_unbound_start() {
  local conf=$AG_DIR/unbound.conf zone=$AG_DIR/test.zone
  ag_test_zone "$zone"
  cat >"$conf" <<EOF
server:
  interface: $AG_RESOLVER4
  interface: $AG_RESOLVER6
  port: 53
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$AG_DIR"
  pidfile: "$AG_DIR/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 1
  num-threads: 1
  do-ip4: yes
  do-ip6: yes
  do-udp: yes
  do-tcp: yes
  access-control: 10.53.0.0/24 allow
  access-control: fd00:53::/64 allow
  max-udp-size: 4096
  edns-buffer-size: 4096
  minimal-responses: yes
  ratelimit: 0
  ip-ratelimit: 0
  unwanted-reply-threshold: 0
  prefetch: no
  # test. is one of Unbound's default NXDOMAIN zones: lift that, then serve our zone.
  local-zone: "test." nodefault
${AG_UNBOUND_SERVER_EXTRA:-}
auth-zone:
  name: "test."
  zonefile: "$zone"
  for-downstream: yes
  for-upstream: yes
  fallback-enabled: no
remote-control:
  control-enable: no
${AG_UNBOUND_EXTRA:-}
EOF
  unbound-checkconf "$conf" >/dev/null || ag_fail "unbound-checkconf rejected $conf"
  ag_bg "$AG_NS_RES" "$AG_DIR/unbound.log" unbound -d -c "$conf"
  AG_UNBOUND_PID=$AG_LAST_PID
  local i
  for i in $(seq 100); do
    if ag_in_res dig +short +time=1 +tries=1 @"$AG_RESOLVER4" small.test A 2>/dev/null | grep 10.53.0.100 >/dev/null; then
      ag_log "unbound up (pid $AG_UNBOUND_PID)"
      return 0
    fi
    sleep 0.1
  done
  ag_fail "unbound did not answer"
}

# BIND 9.18 (named) serving the same zone test. instead of Unbound, authoritative only, with
# DNS cookies (answer-cookie, the default) minted with cookie-algorithm siphash24 and the
# secrets of AG_NAMED_COOKIE_SECRETS (hex, space-separated, the first current).
# AG_NAMED_OPTIONS extends its options { } block.
ag_named_start() {
  local conf=$AG_DIR/named.conf zone=$AG_DIR/test.zone secrets="" s
  command -v named >/dev/null || ag_fail "named (bind9) is not installed"
  ag_test_zone "$zone"
  for s in ${AG_NAMED_COOKIE_SECRETS:-}; do secrets+="  cookie-secret \"$s\";"$'\n'; done
  mkdir -p "$AG_DIR/named"
  cat >"$conf" <<EOF
options {
  directory "$AG_DIR/named";
  pid-file "$AG_DIR/named.pid";
  listen-on port 53 { $AG_RESOLVER4; };
  listen-on-v6 port 53 { $AG_RESOLVER6; };
  recursion no;
  allow-query { any; };
  dnssec-validation no;
  max-udp-size 4096;
  edns-udp-size 4096;
  minimal-responses yes;
  cookie-algorithm siphash24;
$secrets${AG_NAMED_OPTIONS:-}
};
controls { };
zone "test." { type primary; file "$zone"; };
EOF
  named-checkconf "$conf" || ag_fail "named-checkconf rejected $conf"
  ag_bg "$AG_NS_RES" "$AG_DIR/named.log" named -g -c "$conf"
  AG_NAMED_PID=$AG_LAST_PID
  local i
  for i in $(seq 100); do
    if ag_in_res dig +short +time=1 +tries=1 @"$AG_RESOLVER4" small.test A 2>/dev/null | grep 10.53.0.100 >/dev/null; then
      ag_log "named up (pid $AG_NAMED_PID)"
      return 0
    fi
    kill -0 "$AG_NAMED_PID" 2>/dev/null || ag_fail "named exited: $(tail -5 "$AG_DIR/named.log")"
    sleep 0.1
  done
  ag_fail "named did not answer"
}

# Which DPDK driver the bump uses on the veth ends: af_packet (default) or pcap (live mode:
# sees IP fragments as they are on the wire, where af_packet's DEFRAG fanout reassembles them).
AG_BUMP_DRIVER=${AG_BUMP_DRIVER:-af_packet}

ag_eal_args() {
  local vdevs
  case "$AG_BUMP_DRIVER" in
    af_packet) vdevs=(--vdev=net_af_packet0,iface=bi --vdev=net_af_packet1,iface=bo) ;;
    pcap) vdevs=(--vdev=net_pcap0,iface=bi --vdev=net_pcap1,iface=bo) ;;
    af_xdp) vdevs=(--vdev=net_af_xdp0,iface=bi --vdev=net_af_xdp1,iface=bo) ;;
    *) ag_fail "unknown AG_BUMP_DRIVER $AG_BUMP_DRIVER" ;;
  esac
  echo -l 0,1 --no-huge --no-shconf --no-pci --file-prefix="ag-e2e-$AG_ID" -m 256 --log-level=5 "${vdevs[@]}"
}

# ag_bump_start [ampguard options...]: start ampguard in its namespace (port 0 inside, port 1
# outside), wait until it forwards, then until a client gets an answer through it.
ag_bump_start() {
  AG_BUMP_RUN=$(( ${AG_BUMP_RUN:-0} + 1 ))
  AG_BUMP_LOG=$AG_DIR/ampguard-$AG_BUMP_RUN.log
  : >"$AG_BUMP_LOG"
  AG_STATS=$AG_DIR/stats-$AG_BUMP_RUN.json
  # shellcheck disable=SC2046
  # Control socket in our work directory (the default /run/ampguard/ctl.sock is shared with
  # anyone else running ampguard here), metrics on the bump namespace's own loopback, no
  # syslog, and every block/unblock line written (no per-address suppression).
  ip netns exec "$AG_NS_BUMP" "$AG_BIN" --ports.inside=0 --ports.outside=1 \
    --stats-file="$AG_STATS" --control.socket="$AG_DIR/ctl.sock" --metrics.listen="$AG_METRICS" \
    --log.syslog=0 --log.address-interval=0s "$@" -- $(ag_eal_args) >"$AG_BUMP_LOG" 2>&1 &
  AG_BUMP_PID=$!
  local i
  for i in $(seq 200); do
    grep -q "ampguard: forwarding between" "$AG_BUMP_LOG" && break
    kill -0 "$AG_BUMP_PID" 2>/dev/null || ag_fail "ampguard exited at start: $(tail -5 "$AG_BUMP_LOG")"
    sleep 0.1
  done
  grep -q "ampguard: forwarding between" "$AG_BUMP_LOG" || ag_fail "ampguard did not start forwarding"
  AG_PROBES=0
  for i in $(seq 50); do
    AG_PROBES=$((AG_PROBES + 1))
    if ag_in_inet dig +short +time=1 +tries=1 -b "$AG_OTHER4" @"$AG_RESOLVER4" ns.test A 2>/dev/null | grep "$AG_RESOLVER4" >/dev/null; then
      ag_log "ampguard forwarding (pid $AG_BUMP_PID, options: $*)"
      return 0
    fi
    sleep 0.2
  done
  ag_fail "no answer through ampguard"
}

# ag_bump_stop: SIGTERM, wait, leave the final counters in $AG_STATS.
ag_bump_stop() {
  [ -n "$AG_BUMP_PID" ] || return 0
  kill -TERM "$AG_BUMP_PID"
  local rc=0
  wait "$AG_BUMP_PID" || rc=$?
  AG_BUMP_PID=""
  [ "$rc" -eq 0 ] || ag_fail "ampguard exited with $rc"
  [ -s "$AG_STATS" ] || ag_fail "ampguard wrote no stats file"
}

# ag_stat EXPR: a value from the last stats file, e.g. ag_stat "reasons.over_limit.packets".
ag_stat() {
  "$AG_PY" - "$AG_STATS" "$1" <<'EOF'
import json, sys
v = json.load(open(sys.argv[1]))
for part in sys.argv[2].split("."):
    v = v[part]
print(v)
EOF
}

# Total packets ampguard dropped, over every drop reason.
ag_stat_drops() {
  "$AG_PY" - "$AG_STATS" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["reasons"]
print(sum(v["packets"] for v in r.values() if v["action"] == "drop"))
EOF
}

ag_expect_eq() {  # ag_expect_eq WHAT EXPECTED ACTUAL
  [ "$2" = "$3" ] || ag_fail "$1: expected $2, got $3"
  ag_log "ok: $1 = $3"
}

# --- Prometheus (scenarios metrics and reload) --------------------------------------------------
AG_PROM=127.0.0.1:9090  # inside the bump namespace, next to ampguard's exposer

# ag_prometheus_start: a real Prometheus server scraping ampguard every second, with a
# generated config (checked by promtool) and its own TSDB in the work directory.
ag_prometheus_start() {
  command -v prometheus >/dev/null || ag_fail "prometheus is not installed"
  cat >"$AG_DIR/prometheus.yml" <<PEOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: ampguard
    static_configs:
      - targets: ['$AG_METRICS']
PEOF
  promtool check config "$AG_DIR/prometheus.yml" >/dev/null || ag_fail "promtool rejected the config"
  ag_bg "$AG_NS_BUMP" "$AG_DIR/prometheus.log" prometheus --config.file="$AG_DIR/prometheus.yml" \
    --storage.tsdb.path="$AG_DIR/tsdb" --web.listen-address="$AG_PROM" \
    --storage.tsdb.retention.time=1h --log.level=warn
  AG_PROM_PID=$AG_LAST_PID
  local i
  for i in $(seq 150); do
    [ "$(ag_prom 'up{job="ampguard"}' 2>/dev/null)" = 1 ] && { ag_log "prometheus up and scraping ampguard"; return 0; }
    kill -0 "$AG_PROM_PID" 2>/dev/null || ag_fail "prometheus exited"
    sleep 0.2
  done
  ag_fail "prometheus does not see ampguard up"
}

# ag_prom QUERY: the instant value of a PromQL expression through Prometheus's HTTP API
# (summed over the series; "none" when there is no series).
ag_prom() {
  ag_in_bump "$AG_PY" - "$AG_PROM" "$1" <<'PEOF'
import json, sys, urllib.parse, urllib.request
url = f"http://{sys.argv[1]}/api/v1/query?" + urllib.parse.urlencode({"query": sys.argv[2]})
r = json.load(urllib.request.urlopen(url, timeout=5))
assert r["status"] == "success", r
res = r["data"]["result"]
if not res:
    print("none")
else:
    v = sum(float(s["value"][1]) for s in res)
    print(int(v) if v == int(v) else v)
PEOF
}

# ag_prom_wait QUERY EXPECTED [SECONDS]: wait for Prometheus to have scraped the value.
ag_prom_wait() {
  local got="" i
  for i in $(seq $(( ${3:-10} * 4 ))); do
    got=$(ag_prom "$1" 2>/dev/null || echo error)
    [ "$got" = "$2" ] && { ag_log "ok: prometheus: $1 = $got"; return 0; }
    sleep 0.25
  done
  ag_fail "prometheus: $1: expected $2, got $got"
}

# ag_metrics NAME{LABELS}: a value straight from ampguard's exposer (no Prometheus).
ag_metric() {
  ag_in_bump "$AG_PY" - "$AG_METRICS" "$1" <<'PEOF'
import sys, urllib.request
text = urllib.request.urlopen(f"http://{sys.argv[1]}/metrics", timeout=5).read().decode()
for line in text.splitlines():
    if line.startswith(sys.argv[2] + " "):
        v = float(line.split()[-1])
        print(int(v) if v == int(v) else v)
        break
else:
    print("none")
PEOF
}
