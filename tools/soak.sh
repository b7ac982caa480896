#!/usr/bin/env bash
# Nightly-style soak (not in CI): the real ampguard binary replays a large attack trace
# forever (net_pcap infinite_rx) for SOAK_SECONDS (default 600), and the script checks, from
# /proc and the Prometheus endpoint, that
#  - resident memory (VmRSS) after warm-up grows by less than SOAK_RSS_SLACK_KB (1024);
#  - limiter and blocklist entries never exceed their capacities;
#  - the tables churn (evictions happen: the trace holds more destinations than the tables);
#  - the attack is still limited at the end (over_limit keeps growing) and the process is alive;
#  - it exits cleanly on SIGTERM and writes its final counters (stats-file).
# The trace: SOAK_VICTIMS (150000) spoofed destinations, two large responses each per
# replay, more than the 100000-entry tables hold, plus normal traffic; every victim exceeds
# its limit after a few replays, so the blocklist churns too.
# Usage: tools/soak.sh [build-dir]   (needs about 1.5 GiB of memory; hugepages used if free)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
seconds=${SOAK_SECONDS:-600}
warmup=${SOAK_WARMUP_SECONDS:-60}
victims=${SOAK_VICTIMS:-150000}
slack_kb=${SOAK_RSS_SLACK_KB:-1024}
port=${SOAK_METRICS_PORT:-9979}
work=$(mktemp -d /tmp/ampguard-soak.XXXXXX)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
pid=

cmake --build "$build" -j"$(nproc)" --target ampguard ampguard-tracegen >/dev/null
"$build"/tools/ampguard-tracegen --inside "$work/inside.pcap" --outside "$work/outside.pcap" \
  --queries 50000 --clients 5000 --attack many --victims "$victims" \
  --attack-responses $((2 * victims)) --blocked-flood 20000 --seed 7 >/dev/null
frames=$(python3 - "$work/inside.pcap" "$work/outside.pcap" <<'PY'
import struct, sys
n = 0
for name in sys.argv[1:]:  # classic pcap: 24-byte file header, 16-byte record headers
    with open(name, "rb") as f:
        f.seek(24)
        while (h := f.read(16)):
            n += 1
            f.seek(struct.unpack("<I", h[8:12])[0], 1)
print(n)
PY
)
# infinite_rx keeps a copy of every frame of its pcap in mbufs: size the pool for all of them.
mbufs=$((frames + 16384))
mem_args=(--no-huge --no-shconf -m 1536)
free_huge=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if [ "${free_huge:-0}" -ge 768 ]; then mem_args=(--in-memory); fi

"$build"/ampguard --metrics.listen "127.0.0.1:$port" --control.socket "" \
  --block.state-file "" --ports.mbufs "$mbufs" --stats-file "$work/stats.json" -- \
  -l 0,1 --no-pci --log-level '*:warning' "${mem_args[@]}" \
  "--vdev=net_pcap0,rx_pcap=$work/inside.pcap,tx_pcap=/dev/null,infinite_rx=1" \
  "--vdev=net_pcap1,rx_pcap=$work/outside.pcap,tx_pcap=/dev/null,infinite_rx=1" \
  >"$work/ampguard.log" 2>&1 &
pid=$!

metric() {  # name -> value (summed over label sets)
  curl -sf "http://127.0.0.1:$port/metrics" |
    awk -v m="$1" '$1 == m || index($1, m "{") == 1 {s += $2} END {printf "%.0f\n", s}'
}
over_limit() {
  curl -sf "http://127.0.0.1:$port/metrics" |
    awk '/^ampguard_verdict_packets_total\{/ && /reason="over_limit"/ {s += $2} END {printf "%.0f\n", s}'
}
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
fail() {
  echo "soak: FAIL: $*" >&2
  tail -20 "$work/ampguard.log" >&2
  exit 1
}

sleep "$warmup"
kill -0 "$pid" 2>/dev/null || fail "ampguard exited during warm-up"
warm_rss=$(rss_kb)
over_before=$(over_limit)
echo "soak: $frames frames replayed forever; warm-up RSS ${warm_rss} kB; running ${seconds}s"
end=$((SECONDS + seconds - warmup))
max_rss=$warm_rss
while [ $SECONDS -lt $end ]; do
  sleep 10
  kill -0 "$pid" 2>/dev/null || fail "ampguard exited"
  rss=$(rss_kb)
  [ "$rss" -gt "$max_rss" ] && max_rss=$rss
  le=$(metric ampguard_limiter_entries); lc=$(metric ampguard_limiter_capacity)
  be=$(metric ampguard_blocklist_entries); bc=$(metric ampguard_blocklist_capacity)
  [ "$le" -le "$lc" ] || fail "limiter entries $le > capacity $lc"
  [ "$be" -le "$bc" ] || fail "blocklist entries $be > capacity $bc"
  echo "soak: t=${SECONDS}s rss=${rss}kB limiter=$le/$lc blocklist=$be/$bc"
done
[ $((max_rss - warm_rss)) -lt "$slack_kb" ] ||
  fail "RSS grew from ${warm_rss} kB to ${max_rss} kB after warm-up"
[ "$(metric ampguard_limiter_evictions_total)" -gt 0 ] || fail "the limiter never evicted"
[ "$(over_limit)" -gt "$over_before" ] || fail "the attack was no longer limited after warm-up"
kill -TERM "$pid"
wait "$pid" || fail "ampguard exited with status $?"
pid=
python3 - "$work/stats.json" <<'PY' || fail "final counters"
import json, sys
s = json.load(open(sys.argv[1]))
judged = sum(r["packets"] for r in s["reasons"].values())
rx = sum(p["rx_packets"] for p in s["ports"].values())
assert judged == rx, f"{rx} frames received, {judged} judged"
assert s["reasons"]["over_limit"]["packets"] > 0, "nothing over the limit"
print(f"soak: {rx} frames judged, {s['reasons']['over_limit']['packets']} over the limit")
PY
echo "soak: PASS (RSS ${warm_rss} -> max ${max_rss} kB after warm-up)"
