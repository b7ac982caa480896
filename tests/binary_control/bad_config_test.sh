#!/bin/bash
# A bad config file stops ampguard at start-up with the file, the line and the reason.
set -euo pipefail
AMPGUARD=$1
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

printf '[limit]\nrate = 50/min\nburts = 10\n' > "$DIR/a.conf"
set +e
"$AMPGUARD" --config "$DIR/a.conf" -- --no-pci > "$DIR/out" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || fail "exit status $rc, expected 2"
grep -qxF "ampguard: $DIR/a.conf:3: unknown option 'burts' in section [limit]" "$DIR/out" \
  || fail "message: $(cat "$DIR/out")"

# Valid line by line, wrong together: found after the EAL is up, still located.
printf '[limit]\nmode = bytes\nrate = 50/min\n' > "$DIR/b.conf"
set +e
"$AMPGUARD" --config "$DIR/b.conf" --control.socket '' --metrics.listen '' -- --vdev=net_null0 \
  --vdev=net_null1 --no-huge --no-shconf --no-pci -l 0,1 -m 256 --log-level '*:error' > "$DIR/out" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || fail "exit status $rc, expected 1"
grep -qxF "ampguard: $DIR/b.conf:3: limit.rate: '50/min' is a packet rate but limit.mode is bytes" \
  "$DIR/out" || fail "message: $(cat "$DIR/out")"
echo PASS
