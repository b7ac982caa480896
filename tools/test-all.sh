#!/usr/bin/env bash
# The whole test suite, as CI runs it: install the packages, build, run every ctest label
# (unit, pipeline, e2e, fuzz smoke runs), then the sanitizer builds. Exits non-zero on any
# failure. Usage: tools/test-all.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}

log=$(mktemp)
trap 'rm -f "$log"' EXIT

tools/install.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$(nproc)"
(cd "$build" && ctest --output-on-failure -j"$(nproc)" --timeout 600) | tee "$log"
# A test that leaves a poll-mode ampguard behind steals a core from everything after it.
if leaked=$(pgrep -a -x ampguard); then
  echo "test-all.sh: tests left ampguard processes running:" >&2
  echo "$leaked" >&2
  exit 1
fi

# Sanitizer builds of the unit and pipeline tests (see tools/sanitize.sh), when present.
if [ -x tools/sanitize.sh ]; then
  tools/sanitize.sh | tee -a "$log"
fi

# One closing line over every ctest run above (plain build and sanitizer builds).
awk '/tests passed, [0-9]+ tests failed out of/ {
       failed += $(NF - 5); total += $NF
     }
     END { printf "test-all: %d passed, %d failed\n", total - failed, failed }' "$log"
