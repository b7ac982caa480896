#!/usr/bin/env bash
# bench/run.sh: ampguard's benchmark suite in one command (issue 6).
#
# Builds in Release mode (build-bench/), reserves hugepages, generates the normal and attack
# traces, runs full-process throughput A/B/C (ampguard, dpdk-testpmd io, dpdk-testpmd 5tswap on
# the same net_pcap vdevs, alternating), multi-worker scaling, the microbenchmarks and the
# kernel comparison, and writes bench/RESULTS.md and bench/results.png.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/run.sh [options]

  --quick          short smoke run: 1 run each, 5 s, 100,000 attack victims, short micros
  --runs N         full-process runs per program and trace (default 5)
  --seconds S      forwarding seconds per full-process run (default 6)
  --victims N      distinct spoofed victims in the attack trace (default: as many as the
                   hugepages hold twice, for the 2-worker run, at most 1,000,000)
  --hugepages N    2 MiB hugepages to reserve (default 2048; the attack trace's pcap replay
                   needs every frame in mbufs); the previous count is restored at exit
  --rev REV        build the git revision REV (git archive) instead of the working tree
  --no-kernel      skip bench/kernel_compare.sh (needs root and network namespaces)
  --no-perf        skip the perf profiles (--perf: profile in --quick mode too)
  --out DIR        where RESULTS.md and results.png go (default: bench/)
  -h, --help       this text

Runs as root (hugepages, namespaces). Takes about 12-15 minutes; --quick about 3.
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
QUICK=0 RUNS=5 RUN_SECONDS=6 VICTIMS="" HUGEPAGES=2048 REV="" KERNEL=1 PERF=1 OUT="$BENCH"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --runs) RUNS=$2; shift ;;
    --seconds) RUN_SECONDS=$2; shift ;;
    --victims) VICTIMS=$2; shift ;;
    --hugepages) HUGEPAGES=$2; shift ;;
    --rev) REV=$2; shift ;;
    --no-kernel) KERNEL=0 ;;
    --no-perf) PERF=0 ;;
    --perf) PERF=2 ;;
    --out) OUT=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [ "$QUICK" = 1 ]; then
  RUNS=1 RUN_SECONDS=5
  [ "$PERF" = 2 ] || PERF=0
  VICTIMS=${VICTIMS:-100000}
fi
[ "$(id -u)" -eq 0 ] || { echo "run.sh: run as root (hugepages, network namespaces)" >&2; exit 1; }

BUILD="$ROOT/build-bench"
WORK=$(mktemp -d /tmp/ampguard-bench.XXXXXX)
ORIG_HUGEPAGES=$(cat /proc/sys/vm/nr_hugepages)
CHILD="" RATE=""
cleanup() {
  if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then
    kill -INT "$CHILD" 2>/dev/null || true
    sleep 2
    kill -KILL "$CHILD" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  if [ -w /proc/sys/vm/nr_hugepages ]; then echo "$ORIG_HUGEPAGES" > /proc/sys/vm/nr_hugepages || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[$(date +%T)] $*" >&2; }
STARTED=$(date +%s)

# ---- build ----------------------------------------------------------------------------------
SRC="$ROOT"
if [ -n "$REV" ]; then
  BUILD="$ROOT/build-bench-rev"  # a CMake build dir is tied to its source dir
  SRC="$BUILD/src"
  rm -rf "$SRC" && mkdir -p "$SRC"
  git -C "$ROOT" archive "$REV" | tar -x -C "$SRC"
fi
COMMIT=$(git -C "$ROOT" rev-parse --short "${REV:-HEAD}")
DIRTY=""
[ -z "$REV" ] && ! git -C "$ROOT" diff --quiet HEAD -- dataplane control tools CMakeLists.txt &&
  DIRTY=" (working tree with uncommitted changes)"
log "building $COMMIT$DIRTY in $BUILD (Release)"
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DAMPGUARD_TESTS=OFF > "$WORK/cmake.log"
cmake --build "$BUILD" -j "$(nproc)" --target ampguard ampguard-tracegen bench_parser \
  bench_tables bench_pipeline > "$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log"; exit 1; }
AMPGUARD="$BUILD/ampguard"
TRACEGEN="$BUILD/tools/ampguard-tracegen"

# ---- hugepages --------------------------------------------------------------------------------
AMPGUARD_HUGEPAGES=$HUGEPAGES "$ROOT/tools/install.sh" --test > "$WORK/install.log"
FREE_PAGES=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
log "hugepages: $FREE_PAGES free of $(cat /proc/sys/vm/nr_hugepages)"
# One mbuf with its headers is about 2.5 KiB (2176-byte buffer, 128-byte mbuf, pool header).
MBUF_KIB=2.5
MBUFS_FIT=$(awk -v p="$FREE_PAGES" -v k="$MBUF_KIB" 'BEGIN {printf "%d", (p - 64) * 2048 / k}')
WORKSET=16384  # RX/TX descriptors of both ports, per-lcore caches, bursts in flight
SCALE_WORKERS=2  # the scaling runs replay each trace once per worker queue: that many copies in mbufs

# ---- traces -----------------------------------------------------------------------------------
NORMAL_ARGS="--queries 100000 --clients 100000 --large-share 0.2 --fragmented-share 0.02"
if [ -z "$VICTIMS" ]; then
  # attack frames: victims responses (+ ~0.1 % fragments) + victims/5 flood + 41,000 normal
  VICTIMS=$(awk -v m="$MBUFS_FIT" -v w="$WORKSET" -v c="$SCALE_WORKERS" 'BEGIN {v = int(((m - w) / c - 41000) / 1.21 / 1000) * 1000;
    if (v > 1000000) v = 1000000; print v}')
fi
FLOOD=$((VICTIMS / 5))
ATTACK_ARGS="--queries 20000 --clients 20000 --large-share 0.2 --fragmented-share 0.02 --attack many --victims $VICTIMS --attack-responses $VICTIMS --blocked-flood $FLOOD"
declare -A FRAMES
for trace in normal attack; do
  args=$NORMAL_ARGS; [ "$trace" = attack ] && args=$ATTACK_ARGS
  # shellcheck disable=SC2086
  line=$("$TRACEGEN" --inside "$WORK/$trace-inside.pcap" --outside "$WORK/$trace-outside.pcap" $args)
  echo "$line" > "$WORK/$trace-trace.txt"
  in=$(sed -n 's/.*inside_frames=\([0-9]*\).*/\1/p' <<< "$line")
  out=$(sed -n 's/.*outside_frames=\([0-9]*\).*/\1/p' <<< "$line")
  FRAMES[$trace]=$((in + out))
  log "trace $trace: $line"
done
if [ $((FRAMES[attack] * SCALE_WORKERS + WORKSET)) -gt "$MBUFS_FIT" ]; then
  echo "run.sh: $SCALE_WORKERS copies of the attack trace (${FRAMES[attack]} frames) do not fit $FREE_PAGES free hugepages: use --victims or --hugepages" >&2
  exit 1
fi

# ---- full-process runs ------------------------------------------------------------------------
RESULTS="$WORK/throughput.csv"
echo "trace,workers,program,run,mpps" > "$RESULTS"
COMMANDS="$WORK/commands.txt"
: > "$COMMANDS"

# vdevs: one rx_pcap per queue (net_pcap gives one queue per pcap); TX is discarded.
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
lcores() {  # workers: main lcore on CPU 0; with 2 workers the second shares CPU 0 with it
  if [ "$1" = 1 ]; then echo "-l 0,1"; else echo "--lcores=0@0,1@1,2@0"; fi
}

# Runs "$@" in the background, waits for marker in its output, lets it forward RUN_SECONDS,
# stops it with SIGINT and waits.
run_for() {  # log marker cmd...
  local logf=$1 marker=$2; shift 2
  "$@" > "$logf" 2>&1 &
  CHILD=$!
  local waited=0
  until grep -q "$marker" "$logf" 2>/dev/null; do
    sleep 0.2; waited=$((waited + 1))
    if ! kill -0 "$CHILD" 2>/dev/null || [ $waited -gt 600 ]; then
      echo "run.sh: '$*' did not start forwarding; see below" >&2; tail -20 "$logf" >&2; exit 1
    fi
  done
  sleep "$RUN_SECONDS"
  kill -INT "$CHILD"
  wait "$CHILD" || true
  CHILD=""
}

# Both set RATE (Mpps); they run in this shell so that the EXIT trap knows the child.
run_ampguard() {  # trace workers run
  local trace=$1 w=$2 r=$3 mbufs=$(( FRAMES[$1] * $2 + WORKSET )) mode=""
  [ "$trace" = normal ] && mode="--dry-run"
  local stats="$WORK/stats-$trace-$w-$r.json"
  # shellcheck disable=SC2046,SC2086
  local cmd=("$AMPGUARD" $mode --ports.mbufs=$mbufs --stats-file=$stats -- $(lcores "$w")
             --in-memory --log-level=error $(vdevs "$trace" "$w"))
  [ "$r" = 1 ] && echo "ampguard ($trace, $w worker(s)): ${cmd[*]}" >> "$COMMANDS"
  run_for "$WORK/ampguard-$trace-$w-$r.log" "ampguard: forwarding between" "${cmd[@]}"
  RATE=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); p=s["ports"]
print("%.4f" % ((p["inside"]["rx_packets"] + p["outside"]["rx_packets"]) / s["forwarding_seconds"] / 1e6))' "$stats")
}

run_testpmd() {  # trace workers run mode
  local trace=$1 w=$2 r=$3 mode=$4 mbufs=$(( FRAMES[$1] * $2 + WORKSET ))
  local logf="$WORK/testpmd-$mode-$trace-$w-$r.log"
  # shellcheck disable=SC2046
  local cmd=(dpdk-testpmd $(lcores "$w") --in-memory --log-level=error $(vdevs "$trace" "$w")
             -- --port-topology=paired --forward-mode="$mode" --no-flush-rx
             --total-num-mbufs="$mbufs" --nb-cores="$w" --rxq="$w" --txq="$w" --stats-period 1)
  [ "$r" = 1 ] && echo "testpmd $mode ($trace, $w core(s)): ${cmd[*]}" >> "$COMMANDS"
  run_for "$logf" "start packet forwarding" "${cmd[@]}"
  # Rx-pps per port per 1 s period: sum both ports, skip the first 2 periods, median.
  RATE=$(awk '/Rx-pps:/ {v[n++] = $2} END {for (i = 4; i + 1 < n; i += 2) print v[i] + v[i + 1]}' \
    "$logf" | sort -n | awk '{s[m++] = $1} END {
      if (m == 0) print "0"; else printf "%.4f\n", (m % 2 ? s[(m - 1) / 2] : (s[m / 2 - 1] + s[m / 2]) / 2) / 1e6 }')
  if [ "$RATE" = 0 ]; then  # no steady-state period: a failed measurement, not a rate
    log "testpmd $mode ($trace, run $r) gave no stats periods; excluded. Its output ends:"
    tail -15 "$logf" >&2
    RATE=failed
  fi
}

for trace in normal attack; do
  for r in $(seq "$RUNS"); do
    run_ampguard "$trace" 1 "$r"; a=$RATE;        echo "$trace,1,ampguard,$r,$a" >> "$RESULTS"
    run_testpmd "$trace" 1 "$r" io; t=$RATE;       echo "$trace,1,testpmd_io,$r,$t" >> "$RESULTS"
    run_testpmd "$trace" 1 "$r" 5tswap; s=$RATE;   echo "$trace,1,testpmd_5tswap,$r,$s" >> "$RESULTS"
    log "$trace run $r: ampguard $a Mpps, testpmd io $t, 5tswap $s"
  done
done
# Scaling: SCALE_WORKERS (2: both CPUs; the main lcore shares CPU 0 with worker 2), both mixes.
SCALE_RUNS=$(( RUNS < 3 ? RUNS : 3 ))
for trace in normal attack; do
  for r in $(seq "$SCALE_RUNS"); do
    run_ampguard "$trace" $SCALE_WORKERS "$r"; a=$RATE; echo "$trace,$SCALE_WORKERS,ampguard,$r,$a" >> "$RESULTS"
    run_testpmd "$trace" $SCALE_WORKERS "$r" io; t=$RATE; echo "$trace,$SCALE_WORKERS,testpmd_io,$r,$t" >> "$RESULTS"
    log "$trace, $SCALE_WORKERS workers, run $r: ampguard $a Mpps, testpmd io $t"
  done
done

# ---- profiles ---------------------------------------------------------------------------------
if [ "$PERF" != 0 ] && command -v perf > /dev/null; then
  for trace in normal attack; do
    mode=""; [ "$trace" = normal ] && mode="--dry-run"
    # shellcheck disable=SC2046,SC2086
    run_for "$WORK/perf-$trace.log" "ampguard: forwarding between" \
      perf record -e cpu-clock -o "$WORK/perf-$trace.data" -- \
      "$AMPGUARD" $mode --ports.mbufs=$((FRAMES[$trace] + WORKSET)) -- -l 0,1 --in-memory \
      --log-level=error $(vdevs "$trace" 1)
    # the worker thread only (the main lcore loads the pcaps and sleeps)
    perf report -i "$WORK/perf-$trace.data" --no-children --comms rte-worker-1 \
      --percentage relative --sort dso,symbol --stdio 2> /dev/null |
      grep -v '^#' | grep -v '^$' | sed 's/ *- *- *$//; s/ *$//' | head -25 > "$WORK/perf-$trace.txt" || true
    perf report -i "$WORK/perf-$trace.data" --no-children --sort comm,dso --stdio 2> /dev/null |
      grep rte-worker-1 | sed 's/ *$//' | head -8 > "$WORK/perf-$trace-dso.txt" || true
    log "perf profile ($trace) done"
  done
fi

# ---- microbenchmarks --------------------------------------------------------------------------
MICRO_ARGS=(--benchmark_out_format=json)
[ "$QUICK" = 1 ] && MICRO_ARGS+=(--benchmark_min_time=0.05)
for b in parser tables pipeline; do
  log "microbenchmark bench_$b"
  "$BUILD/bench/bench_$b" "${MICRO_ARGS[@]}" --benchmark_out="$WORK/micro-$b.json" \
    > "$WORK/micro-$b.txt" 2> "$WORK/micro-$b.err" || { cat "$WORK/micro-$b.err" >&2; exit 1; }
done

# The pipeline benchmarks sampled: report.py sorts the samples into the cycle budget's stages.
if [ "$PERF" != 0 ] && command -v perf > /dev/null; then
  for b in Normal Attack AttackRecommended; do
    perf record -e cpu-clock -o "$WORK/perf-micro-$b.data" -- "$BUILD/bench/bench_pipeline" \
      --benchmark_filter="^BM_Pipeline_$b/" > /dev/null 2>&1
    perf report -i "$WORK/perf-micro-$b.data" --no-children --sort symbol --stdio 2> /dev/null |
      grep -v '^#' | grep -v '^$' > "$WORK/perf-micro-$b.txt" || true
    log "perf profile (BM_Pipeline_$b) done"
  done
fi

# ---- kernel comparison ------------------------------------------------------------------------
if [ "$KERNEL" = 1 ]; then
  log "kernel comparison"
  ksec=10; [ "$QUICK" = 1 ] && ksec=3
  "$BENCH/kernel_compare.sh" --seconds "$ksec" --ampguard "$AMPGUARD" > "$WORK/kernel.txt" \
    2> "$WORK/kernel.err" || { tail -20 "$WORK/kernel.err" >&2; echo "kernel_compare failed" >&2; }
fi

# ---- report -----------------------------------------------------------------------------------
ELAPSED=$(( $(date +%s) - STARTED ))
mkdir -p "$OUT"
python3 "$BENCH/report.py" --work "$WORK" --out "$OUT" --commit "$COMMIT$DIRTY" \
  --elapsed "$ELAPSED" --runs "$RUNS" --seconds "$RUN_SECONDS" --victims "$VICTIMS" \
  --quick "$QUICK" --hugepages "$(cat /proc/sys/vm/nr_hugepages)" \
  --normal-args "$NORMAL_ARGS" --attack-args "$ATTACK_ARGS"
gnuplot -e "datafile='$OUT/results.dat'; outfile='$OUT/results.png'" "$BENCH/results.gp"
log "wrote $OUT/RESULTS.md and $OUT/results.png in ${ELAPSED}s"
