# Shared set-up of the visibility tests: a network namespace with two veth pairs (IPv6 off, so
# the kernel sends nothing of its own), ampguard in it as a DPDK primary with multi-process on
# (hugepages on a private hugetlbfs mount, its own --file-prefix), its ports net_pcap on the veths' ends ag-in and ag-out.
# The test sends frames into ag-in-peer; what ampguard forwards leaves through ag-out-peer.
set -euo pipefail
AMPGUARD=$1
CTL=$2
TRACEGEN=$3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIR=$(mktemp -d)
NS=agvis$$
PREFIX=ag-vis-$$
SOCK=$DIR/ctl.sock
PID=
skip() {
  echo "SKIP: $*"
  exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, hugepages)"
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
[ "${free:-0}" -ge 128 ] || skip "multi-process needs hugepages: $free free 2 MiB pages (tools/install.sh reserves 1024)"
cleanup() {
  if [ -n "$PID" ]; then kill -INT "$PID" 2>/dev/null || true; fi
  for _ in $(seq 100); do [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null || break; sleep 0.05; done
  if [ -n "$PID" ]; then kill -9 "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  ip netns del "$NS" 2>/dev/null || true
  umount "$DIR/huge" 2>/dev/null || true
  rm -rf "$DIR" "/var/run/dpdk/$PREFIX"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- ampguard output:" >&2
  cat "$DIR/out" >&2 || true
  exit 1
}
wait_for() {
  for _ in $(seq 300); do "$@" > /dev/null 2>&1 && return 0; sleep 0.05; done
  fail "timed out waiting for: $*"
}
in_ns() { ip netns exec "$NS" "$@"; }
ctl() { "$CTL" --socket "$SOCK" "$@"; }

# A private hugetlbfs mount: the secondaries map the primary's hugepage files by their paths.
mkdir "$DIR/huge"
mount -t hugetlbfs -o pagesize=2M nodev "$DIR/huge" || skip "cannot mount hugetlbfs"
ip netns add "$NS"
in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
for p in in out; do
  in_ns ip link add "ag-$p" type veth peer name "ag-$p-peer"
  in_ns ip link set "ag-$p" up
  in_ns ip link set "ag-$p-peer" up
done

# No metrics listener: tests run in parallel.
cat > "$DIR/ampguard.conf" <<CONF
[control]
socket = $SOCK
[metrics]
listen =
[log]
syslog = false
CONF

# Starts ampguard with the extra options in "$@" (before the EAL's).
start_ampguard() {
  # Not through in_ns: a backgrounded function is a subshell, and $! would be its pid, not
  # ampguard's (ip netns exec execs the command, so here $! is ampguard itself).
  ip netns exec "$NS" "$AMPGUARD" --config "$DIR/ampguard.conf" "$@" -- \
    -l 0,1 --no-pci --file-prefix "$PREFIX" --huge-dir "$DIR/huge" --log-level '*:error' \
    --vdev=net_pcap0,iface=ag-in --vdev=net_pcap1,iface=ag-out >> "$DIR/out" 2>&1 &
  PID=$!
  wait_for ctl status
}

# Sends the frames of a pcap into ag-in-peer, in order.
send_pcap() { in_ns python3 "$HERE/vistool.py" send ag-in-peer "$1"; }
