#!/bin/bash
# Stop is clean under scrapes: /metrics is scraped in a tight loop while ampguard is stopped
# with SIGTERM, 100 times. Any use of freed state (under ASan: a report and a non-zero exit),
# crash or hang fails the test.
set -euo pipefail
AMPGUARD=$1
ROUNDS=${2:-100}
DIR=$(mktemp -d)
PID= SCRAPER=
cleanup() {
  for p in $PID $SCRAPER; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -n 30 "$DIR/out" >&2 || true; exit 1; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# One scraper for every round: GET /metrics back to back, through starts and stops alike.
python3 - "$PORT" "$DIR/scrapes" <<'PY' &
import http.client, os, sys, time
port, out = int(sys.argv[1]), sys.argv[2]
ok = 0
while True:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        c.request("GET", "/metrics")
        if c.getresponse().read().startswith(b"# HELP"):
            ok += 1
            open(out + ".tmp", "w").write(str(ok))
            os.replace(out + ".tmp", out)  # the shell never reads a half-written count
        c.close()
    except OSError:
        time.sleep(0.001)
PY
SCRAPER=$!

scrapes() { local n; n=$(cat "$DIR/scrapes" 2>/dev/null) || true; echo "${n:-0}"; }
for round in $(seq "$ROUNDS"); do
  : > "$DIR/out"
  "$AMPGUARD" --metrics.listen "127.0.0.1:$PORT" --control.socket '' --log.syslog false -- \
    --vdev=net_null0 --vdev=net_null1 --no-huge --no-shconf --no-pci -l 0,1 -m 256 \
    --log-level '*:error' > "$DIR/out" 2>&1 &
  PID=$!
  # Stop it while scrapes are being answered.
  before=$(scrapes)
  for _ in $(seq 400); do
    [ "$(scrapes)" -gt "$before" ] && break
    kill -0 "$PID" 2>/dev/null || fail "round $round: ampguard exited before its first scrape"
    sleep 0.01
  done
  [ "$(scrapes)" -gt "$before" ] || fail "round $round: no scrape answered"
  kill -TERM "$PID"
  rc=0
  timeout 20 tail --pid="$PID" -f /dev/null || fail "round $round: no exit within 20 s of SIGTERM"
  wait "$PID" || rc=$?
  PID=
  [ "$rc" = 0 ] || fail "round $round: exit status $rc after SIGTERM"
  if grep -qE "AddressSanitizer|runtime error|LeakSanitizer" "$DIR/out"; then
    fail "round $round: sanitizer report"
  fi
done
echo "PASS: $ROUNDS stops under $(scrapes) scrapes"
