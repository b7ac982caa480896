#!/usr/bin/env bash
# bench/ab.sh: the pipeline microbenchmarks of two revisions in one run, alternating, for a
# before/after claim ("no per-packet regression") that the machine's noise cannot fake.
#
# Builds bench_pipeline of each revision (git archive, Release) in build-ab/<rev>/, then runs
# BM_Pipeline_<name> of A and of B in turn, RUNS times each, and prints each run's on-CPU cycles
# per packet and the ratio of the medians (B / A; below 1.00: B is faster).
# Usage (root, hugepages as bench/run.sh reserves them): bench/ab.sh REV_A REV_B [RUNS] [NAMES]
#   NAMES: space-separated benchmark names (default "Normal Attack")
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,9p "$0" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
A=$(git -C "$ROOT" rev-parse --short "$1")
B=$(git -C "$ROOT" rev-parse --short "$2")
RUNS=${3:-3}
NAMES=${4:-Normal Attack}
for rev in "$A" "$B"; do
  dir="$ROOT/build-ab/$rev"
  if [ ! -x "$dir/bench/bench_pipeline" ]; then
    rm -rf "$dir/src" && mkdir -p "$dir/src"
    git -C "$ROOT" archive "$rev" | tar -x -C "$dir/src"
    cmake -S "$dir/src" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DAMPGUARD_TESTS=OFF > /dev/null
    cmake --build "$dir" -j "$(nproc)" --target bench_pipeline > "$dir/build.log" 2>&1 ||
      { tail -30 "$dir/build.log" >&2; exit 1; }
  fi
done
# One benchmark's on-CPU cycles per packet from Google Benchmark's JSON.
cycles() {
  "$ROOT/build-ab/$1/bench/bench_pipeline" --benchmark_filter="^BM_Pipeline_$2/" \
    --benchmark_format=json 2> /dev/null |
    python3 -c 'import json,sys; print("%.1f" % json.load(sys.stdin)["benchmarks"][0]["cycles_per_packet"])'
}
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
echo "bench/ab.sh $A -> $B, $RUNS runs each, alternating, on $(nproc) CPUs, $(date -u +%FT%TZ)"
for name in $NAMES; do
  ra=() rb=()
  for i in $(seq "$RUNS"); do
    ra+=("$(cycles "$A" "$name")")
    rb+=("$(cycles "$B" "$name")")
  done
  ma=$(median "${ra[@]}") mb=$(median "${rb[@]}")
  printf 'BM_Pipeline_%s: %s [%s] %s, %s [%s] %s, ratio %.3f\n' "$name" "$A" "${ra[*]}" "$ma" \
    "$B" "${rb[*]}" "$mb" "$(python3 -c "print($mb / $ma)")"
done
