#!/bin/bash
# Crash safety: SIGKILL at random moments while traffic flows, blocks are added through the
# control socket (each one saved at once) and the config is reloaded. Every restart must
# start, never find a torn state file, and restore every block the file held at the kill.
set -euo pipefail
AMPGUARD=$1
CTL=$2
ROUNDS=${3:-8}
DIR=$(mktemp -d)
PID=
WORKER=
cleanup() {
  [ -n "$WORKER" ] && kill "$WORKER" 2>/dev/null || true
  if [ -n "$PID" ]; then kill -9 "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$DIR"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  tail -20 "$DIR/out" >&2 || true
  exit 1
}
SOCK=$DIR/ctl.sock
STATE=$DIR/blocklist.state
cat > "$DIR/ampguard.conf" <<CONF
[block]
state-file = $STATE
save-interval = 1s
[metrics]
listen =
[control]
socket = $SOCK
[log]
syslog = false
CONF
ctl() { "$CTL" --socket "$SOCK" "$@"; }
start() {
  : > "$DIR/out"
  # net_null delivers frames as fast as the worker polls: traffic flows throughout.
  "$AMPGUARD" --config "$DIR/ampguard.conf" -- --vdev=net_null0 --vdev=net_null1 --no-huge \
    --no-shconf --no-pci -l 0,1 -m 256 --log-level '*:error' >> "$DIR/out" 2>&1 &
  PID=$!
  for _ in $(seq 400); do ctl status > /dev/null 2>&1 && return 0; sleep 0.05; done
  fail "ampguard did not start"
}
# Adds blocks and reloads until killed.
churn() {
  local round=$1 i=0
  while :; do
    i=$((i + 1))
    ctl blocklist add "10.$round.$((i / 250)).$((i % 250 + 1))" 1h > /dev/null 2>&1 || true
    if [ $((i % 7)) = 0 ]; then kill -HUP "$PID" 2>/dev/null || true; fi
  done
}

for round in $(seq "$ROUNDS"); do
  start
  if [ "$round" -gt 1 ]; then
    grep -q "blocklist not restored" "$DIR/out" && fail "round $round: $(grep 'not restored' "$DIR/out")"
    listed=$(ctl blocklist list | awk '{print $1}' | sort)
    missing=$(comm -23 <(awk '!/^#/ {print $1}' "$DIR/saved" | sort) <(echo "$listed"))
    [ -z "$missing" ] || fail "round $round: saved before the kill but not restored: $missing"
    echo "round $round: restored all $(grep -vc '^#' "$DIR/saved") saved entries"
  fi
  churn "$round" &
  WORKER=$!
  # A random moment between 0.2 s and 1.7 s into the churn.
  sleep "$(awk -v r="$RANDOM" 'BEGIN{printf "%.3f", 0.2 + (r % 1500) / 1000}')"
  kill -9 "$PID"
  wait "$PID" 2>/dev/null || true
  PID=
  kill "$WORKER" 2>/dev/null || true
  wait "$WORKER" 2>/dev/null || true
  WORKER=
  [ -f "$STATE" ] || fail "round $round: no state file after the kill"
  # What the file held at the kill: the entries the next start must bring back.
  cp "$STATE" "$DIR/saved"
  [ "$round" = 1 ] || [ -s "$DIR/saved" ] || fail "round $round: empty state file"
done
echo PASS
