#!/usr/bin/env bash
# bench/scale.sh: ampguard's multi-worker scaling in one short run (issue 17).
#
# Runs the full process with 1, 2, 4, ... workers on the same net_pcap infinite_rx vdevs as
# bench/run.sh (one rx_pcap per queue, TX discarded), every worker seeing the same victims
# (vdevs have no RSS: the shared tables are contended), and prints Mpps per worker count and
# the speedups over one worker. Needs only a build (no network, no packages): made for a
# 16-core machine the build travels to, and it runs here with --workers "1 2".
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/scale.sh [options]

  --workers "LIST"  worker counts (default "1 2 4 8 16", capped at the CPUs: the main lcore
                    shares CPU 0 with the last worker when all CPUs work)
  --trace T         attack (default), normal or both
  --seconds S       forwarding seconds per run (default 5)
  --runs N          runs per worker count, median reported (default 1)
  --victims N       spoofed victims in the attack trace (default: what the hugepages hold for
                    the largest worker count, 10,000 to 1,000,000)
  --build DIR       build directory holding ampguard and tools/ampguard-tracegen
                    (default build-bench/, else build/)
  --out FILE        also write the key=value summary here
  -h, --help        this text

Runs as root (hugepages; raised if too few and restored at exit). Prints one line per run
and a summary: mpps_<trace>_<W>w=..., <trace>_speedup_<W>w=..., two_workers_attack_speedup=...
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORKERS="1 2 4 8 16" TRACE=attack RUN_SECONDS=5 RUNS=1 VICTIMS="" BUILD="" OUTFILE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --workers) WORKERS=$2; shift ;;
    --trace) TRACE=$2; shift ;;
    --seconds) RUN_SECONDS=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    --victims) VICTIMS=$2; shift ;;
    --build) BUILD=$2; shift ;;
    --out) OUTFILE=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "scale.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" -eq 0 ] || { echo "scale.sh: run as root (hugepages)" >&2; exit 1; }
if [ -z "$BUILD" ]; then
  BUILD="$ROOT/build-bench"; [ -x "$BUILD/ampguard" ] || BUILD="$ROOT/build"
fi
AMPGUARD="$BUILD/ampguard" TRACEGEN="$BUILD/tools/ampguard-tracegen"
for b in "$AMPGUARD" "$TRACEGEN"; do
  [ -x "$b" ] || { echo "scale.sh: $b missing: build the ampguard and ampguard-tracegen targets" >&2; exit 1; }
done
TRACES=$TRACE; [ "$TRACE" = both ] && TRACES="normal attack"
CPUS=$(nproc)
MAXW=0
for w in $WORKERS; do [ "$w" -gt "$CPUS" ] && { echo "scale.sh: $w workers > $CPUS CPUs: skipped" >&2; continue; }; [ "$w" -gt "$MAXW" ] && MAXW=$w; done
[ "$MAXW" -gt 0 ] || { echo "scale.sh: no worker count fits $CPUS CPUs" >&2; exit 1; }

WORK=$(mktemp -d /tmp/ampguard-scale.XXXXXX)
ORIG_HUGEPAGES=$(cat /proc/sys/vm/nr_hugepages)
CHILD=""
cleanup() {
  if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then
    kill -INT "$CHILD" 2>/dev/null || true; sleep 2; kill -KILL "$CHILD" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  [ "$(cat /proc/sys/vm/nr_hugepages)" = "$ORIG_HUGEPAGES" ] || echo "$ORIG_HUGEPAGES" > /proc/sys/vm/nr_hugepages || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "[$(date +%T)] $*" >&2; }

# ---- hugepages and traces ------------------------------------------------------------------
WORKSET=16384  # RX/TX descriptors of both ports, per-lcore caches, bursts in flight
MBUF_KIB=2.5   # 2176-byte buffer, mbuf header and pool overhead
free_pages() { awk '/HugePages_Free/ {print $2}' /proc/meminfo; }
if [ -z "$VICTIMS" ]; then
  # attack frames ~ 1.21 x victims + 41,000, held MAXW times (one copy per rx_pcap queue)
  VICTIMS=$(awk -v p="$(free_pages)" -v k="$MBUF_KIB" -v w="$MAXW" -v s="$WORKSET" 'BEGIN {
    v = int(((p - 64) * 2048 / k / w - s - 41000) / 1.21 / 1000) * 1000;
    if (v > 1000000) v = 1000000; if (v < 10000) v = 10000; print v}')
fi
NORMAL_ARGS="--queries 100000 --clients 100000 --large-share 0.2 --fragmented-share 0.02"
ATTACK_ARGS="--queries 20000 --clients 20000 --large-share 0.2 --fragmented-share 0.02 --attack many --victims $VICTIMS --attack-responses $VICTIMS --blocked-flood $((VICTIMS / 5))"
declare -A FRAMES
for trace in $TRACES; do
  args=$NORMAL_ARGS; [ "$trace" = attack ] && args=$ATTACK_ARGS
  # shellcheck disable=SC2086
  line=$("$TRACEGEN" --inside "$WORK/$trace-inside.pcap" --outside "$WORK/$trace-outside.pcap" $args)
  in=$(sed -n 's/.*inside_frames=\([0-9]*\).*/\1/p' <<< "$line")
  out=$(sed -n 's/.*outside_frames=\([0-9]*\).*/\1/p' <<< "$line")
  FRAMES[$trace]=$((in + out))
  log "trace $trace: $line"
  need=$(awk -v f="${FRAMES[$trace]}" -v w="$MAXW" -v s="$WORKSET" -v k="$MBUF_KIB" \
    'BEGIN {printf "%d", (f * w + s) * k / 2048 + 128}')
  if [ "$(free_pages)" -lt "$need" ]; then  # reserve what the largest run holds
    echo $(( $(cat /proc/sys/vm/nr_hugepages) + need - $(free_pages) )) > /proc/sys/vm/nr_hugepages || true
    [ "$(free_pages)" -ge "$need" ] || { echo "scale.sh: $need free hugepages needed for $MAXW workers, $(free_pages) free: use --victims" >&2; exit 1; }
  fi
done

# ---- runs ------------------------------------------------------------------------------------
vdevs() {  # trace queues
  local v="" p side
  for p in 0 1; do
    side=inside; [ $p = 1 ] && side=outside
    v+=" --vdev=net_pcap$p"
    for _ in $(seq "$2"); do v+=",rx_pcap=$WORK/$1-$side.pcap"; done
    v+=",infinite_rx=1"
  done
  echo "$v"
}
lcores() {  # workers: main lcore 0 on CPU 0, worker i on CPU i (CPU 0 again once all are used)
  local m="0@0" i
  for i in $(seq "$1"); do m+=",$i@$((i % CPUS))"; done
  echo "--lcores=$m"
}
run_ampguard() {  # trace workers run -> RATE
  local trace=$1 w=$2 r=$3 mode="" stats="$WORK/stats-$1-$2-$3.json" logf="$WORK/ampguard-$1-$2-$3.log"
  [ "$trace" = normal ] && mode="--dry-run"
  # shellcheck disable=SC2046,SC2086
  local cmd=("$AMPGUARD" $mode --ports.mbufs=$(( FRAMES[$trace] * w + WORKSET )) --stats-file="$stats"
             --metrics.listen "" --control.socket "" -- $(lcores "$w") --in-memory --log-level=error
             $(vdevs "$trace" "$w"))
  [ "$r" = 1 ] && log "command ($trace, $w worker(s)): ${cmd[*]}"
  "${cmd[@]}" > "$logf" 2>&1 &
  CHILD=$!
  local waited=0
  until grep -q "ampguard: forwarding between" "$logf" 2>/dev/null; do
    sleep 0.2; waited=$((waited + 1))
    if ! kill -0 "$CHILD" 2>/dev/null || [ $waited -gt 600 ]; then
      echo "scale.sh: ampguard did not start forwarding:" >&2; tail -20 "$logf" >&2; exit 1
    fi
  done
  sleep "$RUN_SECONDS"
  kill -INT "$CHILD"; wait "$CHILD" || true; CHILD=""
  RATE=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); p=s["ports"]
print("%.4f" % ((p["inside"]["rx_packets"] + p["outside"]["rx_packets"]) / s["forwarding_seconds"] / 1e6))' "$stats")
}
median() { sort -n | awk '{v[n++] = $1} END {print (n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2)}'; }

SUMMARY="$WORK/summary.txt"
echo "commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown) cpus=$CPUS victims=$VICTIMS seconds=$RUN_SECONDS runs=$RUNS build=$BUILD" > "$SUMMARY"
for trace in $TRACES; do
  declare -A MPPS=()
  for w in $WORKERS; do
    [ "$w" -le "$CPUS" ] || continue
    rates=""
    for r in $(seq "$RUNS"); do
      run_ampguard "$trace" "$w" "$r"; rates+="$RATE"$'\n'
      log "$trace, $w worker(s), run $r: $RATE Mpps"
    done
    MPPS[$w]=$(printf '%s' "$rates" | median)
    echo "mpps_${trace}_${w}w=${MPPS[$w]}" >> "$SUMMARY"
  done
  if [ -n "${MPPS[1]:-}" ]; then
    for w in $WORKERS; do
      [ -n "${MPPS[$w]:-}" ] && [ "$w" != 1 ] || continue
      echo "${trace}_speedup_${w}w=$(awk -v a="${MPPS[$w]}" -v b="${MPPS[1]}" 'BEGIN {printf "%.3f", a / b}')" >> "$SUMMARY"
    done
    [ "$trace" = attack ] && [ -n "${MPPS[2]:-}" ] &&
      echo "two_workers_attack_speedup=$(awk -v a="${MPPS[2]}" -v b="${MPPS[1]}" 'BEGIN {printf "%.3f", a / b}')" >> "$SUMMARY"
  fi
  unset MPPS
done
cat "$SUMMARY"
[ -z "$OUTFILE" ] || cp "$SUMMARY" "$OUTFILE"
