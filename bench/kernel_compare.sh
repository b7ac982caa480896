#!/usr/bin/env bash
# bench/kernel_compare.sh: the recipe's kernel equivalent against ampguard on one veth topology.
#
#   ns agk-gen [gen0] <-veth-> [rin] ns agk-rtr [rout] <-veth-> [sink0] ns agk-sink
#
# Kernel: agk-rtr forwards (ip_forward=1) with the nftables version of the recipe
# (docs/kernel-semantics.md; rin is the inside port, rout the outside one). ampguard: the same
# namespace
# with forwarding off and ampguard on net_af_packet (framecnt=4096: the default 512-frame ring
# drops most of the offered load) over rin (inside) and rout (outside), one
# worker on CPU 1. The same trafgen config drives both: DNS responses (UDP from port 53) of
# 87 bytes from the resolver to 65,536 rotating clients, all under the recipe's 700-byte limit,
# so every frame is judged and forwarded and the sink counts them all.
# Rate = frames received at the sink / time. Prints `key: value` lines on stdout.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/kernel_compare.sh [--seconds S] [--ampguard PATH]

  --seconds S      measured seconds per router (default 10; 1 s of warm-up before)
  --ampguard PATH  the ampguard binary (default build-bench/ampguard)
Needs root, iproute2, nftables, trafgen (netsniff-ng), ethtool and 2 MiB hugepages. Creates
the namespaces agk-gen, agk-rtr and agk-sink and deletes them at exit.
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECS=10 AMPGUARD="$ROOT/build-bench/ampguard"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECS=$2; shift ;;
    --ampguard) AMPGUARD=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "kernel_compare.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" -eq 0 ] || { echo "kernel_compare.sh: run as root" >&2; exit 1; }
for tool in ip nft trafgen ethtool; do
  command -v "$tool" > /dev/null || { echo "kernel_compare.sh: $tool missing" >&2; exit 1; }
done

NS_GEN=agk-gen NS_RTR=agk-rtr NS_SINK=agk-sink
WORK=$(mktemp -d /tmp/ampguard-kcmp.XXXXXX)
cleanup() {
  # every process left in our namespaces (trafgen forks, ampguard), then the namespaces
  local ns sig
  for sig in TERM KILL; do
    for ns in $NS_GEN $NS_RTR $NS_SINK; do
      ip netns pids "$ns" 2> /dev/null | xargs -r kill -"$sig" 2> /dev/null || true
    done
    [ $sig = TERM ] && sleep 1
  done
  for ns in $NS_GEN $NS_RTR $NS_SINK; do ip netns del "$ns" 2> /dev/null || true; done
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

for ns in $NS_GEN $NS_RTR $NS_SINK; do
  ip netns del "$ns" 2> /dev/null || true
  ip netns add "$ns"
  in_ns "$ns" ip link set lo up
done
ip link add gen0 netns $NS_GEN type veth peer name rin netns $NS_RTR
ip link add rout netns $NS_RTR type veth peer name sink0 netns $NS_SINK
in_ns $NS_GEN ip addr add 192.0.2.53/24 dev gen0
in_ns $NS_RTR ip addr add 192.0.2.1/24 dev rin
in_ns $NS_RTR ip addr add 198.18.255.254/15 dev rout
in_ns $NS_SINK ip addr add 198.19.255.253/15 dev sink0
for pair in "$NS_GEN gen0" "$NS_RTR rin" "$NS_RTR rout" "$NS_SINK sink0"; do
  set -- $pair
  in_ns "$1" ip link set "$2" up
  # veth would otherwise leave checksums to an offload nobody does (reflected UDP is dropped)
  in_ns "$1" ethtool -K "$2" tx off > /dev/null 2>&1 || true
done
in_ns $NS_SINK ip link set sink0 promisc on
SINK_MAC=$(in_ns $NS_SINK cat /sys/class/net/sink0/address)
RIN_MAC=$(in_ns $NS_RTR cat /sys/class/net/rin/address)
GEN_MAC=$(in_ns $NS_GEN cat /sys/class/net/gen0/address)
# Every client lives behind the sink; a static neighbour spares ARP for 65,536 addresses.
in_ns $NS_RTR ip route replace 198.18.0.0/15 via 198.19.255.253 dev rout onlink 2> /dev/null ||
  true
in_ns $NS_RTR ip neigh replace 198.19.255.253 lladdr "$SINK_MAC" dev rout nud permanent
in_ns $NS_RTR sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.rin.rp_filter=0

mac_bytes() { echo "$1" | sed 's/^/0x/; s/:/, 0x/g'; }
# 87-byte DNS response: A record for example.com; the client's last two bytes rotate.
cat > "$WORK/dns.cfg" <<EOF
{
  $(mac_bytes "$RIN_MAC"), $(mac_bytes "$GEN_MAC"), 0x08, 0x00,
  0x45, 0x00, const16(73), drnd(2), 0x40, 0x00, 64, 17, csumip(14, 33),
  192, 0, 2, 53, 198, 18, dinc(0, 255), drnd(),
  const16(53), const16(40000), const16(53), csumudp(14, 34),
  0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
  7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0x00, 0x01, 0x00, 0x01,
  0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04, 192, 0, 2, 80,
}
EOF

counter() { in_ns "$1" cat "/sys/class/net/$2/statistics/$3"; }

# Stops every process in namespace $1 (trafgen forks a worker per CPU) and waits for them.
stop_ns() {
  ip netns pids "$1" | xargs -r kill -TERM 2> /dev/null || true
  for _ in $(seq 50); do
    [ -z "$(ip netns pids "$1")" ] && return 0
    sleep 0.1
  done
  ip netns pids "$1" | xargs -r kill -KILL 2> /dev/null || true
}

# Drives the topology for SECS seconds after 1 s of warm-up; sets SINK_MPPS and OFFERED_MPPS.
drive() {
  ip netns exec $NS_GEN trafgen --dev gen0 --conf "$WORK/dns.cfg" --cpus 1 --no-sock-mem \
    > "$WORK/trafgen.log" 2>&1 &
  local gen=$!
  sleep 1
  local s0 g0 t0 s1 g1 t1
  s0=$(counter $NS_SINK sink0 rx_packets) g0=$(counter $NS_GEN gen0 tx_packets) t0=$(date +%s.%N)
  sleep "$SECS"
  s1=$(counter $NS_SINK sink0 rx_packets) g1=$(counter $NS_GEN gen0 tx_packets) t1=$(date +%s.%N)
  stop_ns $NS_GEN
  wait "$gen" 2> /dev/null || true
  read -r SINK_MPPS OFFERED_MPPS < <(awk -v s="$((s1 - s0))" -v g="$((g1 - g0))" -v a="$t0" \
    -v b="$t1" 'BEGIN {printf "%.3f %.3f\n", s / (b - a) / 1e6, g / (b - a) / 1e6}')
}

# ---- kernel router with the recipe in nftables ------------------------------------------------
in_ns $NS_RTR sysctl -qw net.ipv4.ip_forward=1
in_ns $NS_RTR nft -f - <<'EOF'
table ip ampguard_recipe {
  set throttled-ips { type ipv4_addr; size 100000; flags dynamic,timeout; timeout 600s; }
  set large-dns-packets { type ipv4_addr; size 100000; flags dynamic,timeout; timeout 60s; }
  chain prerouting {
    type filter hook prerouting priority raw;
    iifname "rout" meta l4proto udp ip saddr @throttled-ips counter drop
  }
  chain forward {
    type filter hook forward priority filter;
    iifname "rin" udp sport 53 ip length 700-65535 jump large_dns
  }
  chain large_dns {
    update @large-dns-packets { ip daddr limit rate 50/minute burst 10 packets } accept
    update @throttled-ips { ip daddr timeout 600s }
    log prefix "DNS-amplification protection: "
    drop
  }
}
EOF
drive
K_SINK=$SINK_MPPS K_OFFERED=$OFFERED_MPPS
in_ns $NS_RTR nft flush ruleset
in_ns $NS_RTR sysctl -qw net.ipv4.ip_forward=0

# ---- ampguard on net_af_packet ----------------------------------------------------------------
ip netns exec $NS_RTR "$AMPGUARD" --stats-file="$WORK/stats.json" -- -l 0,1 --in-memory \
  --log-level=error --vdev=net_af_packet0,iface=rin,framecnt=4096 --vdev=net_af_packet1,iface=rout,framecnt=4096 \
  > "$WORK/ampguard.log" 2>&1 &
AG=$!  # ip netns exec execs ampguard: this is ampguard's pid
for _ in $(seq 150); do
  grep -q "ampguard: forwarding between" "$WORK/ampguard.log" && break
  kill -0 "$AG" 2> /dev/null || break
  sleep 0.2
done
grep -q "ampguard: forwarding between" "$WORK/ampguard.log" ||
  { echo "kernel_compare.sh: ampguard did not start:" >&2; tail -20 "$WORK/ampguard.log" >&2; exit 1; }
drive
A_SINK=$SINK_MPPS A_OFFERED=$OFFERED_MPPS
kill -TERM "$AG"
wait "$AG" || true

echo "frames: 87-byte DNS responses (UDP sport 53) to 65,536 clients, trafgen --cpus 1"
echo "seconds: $SECS"
echo "kernel_router_mpps: $K_SINK"
echo "kernel_offered_mpps: $K_OFFERED"
echo "ampguard_afpacket_mpps: $A_SINK"
echo "ampguard_offered_mpps: $A_OFFERED"
