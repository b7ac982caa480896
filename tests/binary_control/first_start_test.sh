#!/bin/bash
# The demo is asked for, never fallen into: the shipped unit's ExecStart with an empty
# environment fails loudly, and --demo never touches a real instance's state file.
set -euo pipefail
AMPGUARD=$1
UNIT=$2
CONF=$3
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
no_ports="ampguard: no ports: give the EAL arguments after '--' (lcores and the two ports,"

# ExecStart as systemd runs it when /etc/default/ampguard is missing: $AMPGUARD_EAL expands to
# no words at all. The binary and config paths are swapped for the ones under test.
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
[ -n "$exec_start" ] || fail "no ExecStart in $UNIT"
read -r -a words <<<"$exec_start"
words[0]=$AMPGUARD
for i in "${!words[@]}"; do
  case ${words[$i]} in
    */ampguard.conf) words[$i]=$CONF ;;
    '$AMPGUARD_EAL') unset 'words[i]' ;;
  esac
done
set +e
env -i "${words[@]}" > "$DIR/out" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || fail "unit ExecStart without EAL arguments: exit $rc, expected 2: $(cat "$DIR/out")"
grep -qF "$no_ports" "$DIR/out" || fail "message: $(cat "$DIR/out")"
grep -q "running the built-in demo" "$DIR/out" && fail "ran the demo: $(cat "$DIR/out")"

# Demo arguments and EAL arguments together are refused, not half-honoured.
set +e
"$AMPGUARD" --demo -- --no-pci > "$DIR/out" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || fail "--demo with EAL arguments: exit $rc, expected 2"

# The demo under block.state-file=X (and the config's socket and metrics) leaves X untouched,
# byte for byte, and exits 0 with its summary.
state=$DIR/blocklist.state
printf '# ampguard blocklist v1: address expires-unix-seconds reason\n198.51.100.9 %s over-limit\n' \
  "$(( $(date +%s) + 3600 ))" > "$state"
cp "$state" "$DIR/before"
"$AMPGUARD" --demo --config "$CONF" --block.state-file="$state" > "$DIR/out" 2>&1 \
  || fail "demo failed: $(cat "$DIR/out")"
grep -q "^DNS-amplification protection: blocked 203.0.113.66" "$DIR/out" || fail "no block line"
cmp -s "$state" "$DIR/before" || fail "the demo changed the state file"
[ ! -e "$state.tmp" ] || fail "the demo wrote $state.tmp"
grep -q "198.51.100.9\|restored" "$DIR/out" && fail "the demo read the state file: $(cat "$DIR/out")"
echo PASS
