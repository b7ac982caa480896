#!/usr/bin/env bash
# Sanitizer builds, as CI runs them (tools/test-all.sh calls this after the normal suite):
#  1. ASan + UBSan: the unit and pipeline tests, and stops under scrapes (label shutdown), in
#     build-asan. Pipeline tests run the EAL with
#     --no-huge, which ASan supports; ASan does not see overflows inside mempool memory (DPDK's
#     own allocator), the libFuzzer targets cover the parser and rewriters on exact-size buffers.
#  2. TSan: the concurrency tests (build-tsan): unit_table_stress_test, which needs no EAL.
# Only the needed targets are built. Exits non-zero on any failure or sanitizer report.
# The oracle scenarios and the 10 M-key exhaustion test (about 7 min under ASan here) run in the
# normal build in CI and under ASan only with --full (tools/test-all.sh --full passes it).
# Usage: tools/sanitize.sh [--full] [asan|tsan]... (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
slow=(-E '^(OracleScenario|Exhaustion)\.')
if [ "${1:-}" = --full ]; then
  slow=()
  shift
fi
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(asan tsan)

# Sanitizer reports fail the run: UBSan aborts at the first finding, ASan and TSan exit non-zero.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# TSan cannot see the inline-asm cmpxchg16b of rte_atomic128_cmp_exchange (table writes): it
# checks every other access, and needs no suppressions as it stands (docs/robustness.md).
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"

configure() {  # dir, flags
  cmake -S . -B "$1" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAMPGUARD_BENCH=OFF \
    -DCMAKE_CXX_FLAGS="$2" -DCMAKE_EXE_LINKER_FLAGS="$2" >/dev/null
}

for step in "${steps[@]}"; do
  case $step in
    asan)
      flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
      configure build-asan "$flags"
      # Every target the unit and pipeline tests run (script tests run ampguard and helpers),
      # not the fuzz targets: they have their own ASan build.
      targets=$(cmake --build build-asan --target help | sed -n 's/^\.\.\. \([^ ]*\).*/\1/p' |
        grep -vE '^(all|clean|depend|edit_cache|rebuild_cache|test|install.*|list_install_components|fuzz_targets)$|\.(o|i|s)$' |
        sort -u)
      # shellcheck disable=SC2086  # one word per target
      cmake --build build-asan -j"$jobs" --target $targets
      (cd build-asan && ctest --output-on-failure -j"$jobs" --timeout 600 -L 'unit|pipeline|shutdown' "${slow[@]}")
      ;;
    tsan)
      flags="-fsanitize=thread -fno-omit-frame-pointer"
      configure build-tsan "$flags"
      cmake --build build-tsan -j"$jobs" --target unit_table_stress_test
      (cd build-tsan && ctest --output-on-failure --timeout 600 -R '^TableStress')
      ;;
    *)
      echo "unknown step: $step (asan or tsan)" >&2
      exit 2
      ;;
  esac
done
