#!/bin/bash
# The real binary: control socket (mode 0600, errors), SIGHUP and ampguardctl reloads (good
# and bad), a promtool-checked scrape, and a blocklist that survives SIGKILL and a restart.
set -euo pipefail
AMPGUARD=$1
CTL=$2
DIR=$(mktemp -d)
PID=
cleanup() {
  if [ -n "$PID" ]; then kill -9 "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$DIR"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- ampguard output:" >&2
  cat "$DIR/out" >&2 || true
  exit 1
}
# Waits (bounded) until "$@" succeeds.
wait_for() {
  for _ in $(seq 200); do "$@" > /dev/null 2>&1 && return 0; sleep 0.05; done
  fail "timed out waiting for: $*"
}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SOCK=$DIR/ctl.sock
STATE=$DIR/blocklist.state
write_conf() {
  cat > "$DIR/ampguard.conf" <<CONF
[block]
timeout = $1
state-file = $STATE
save-interval = 1s
[metrics]
listen = 127.0.0.1:$PORT
[control]
socket = $SOCK
[log]
syslog = false
CONF
}
start() {
  "$AMPGUARD" --config "$DIR/ampguard.conf" -- --vdev=net_null0 --vdev=net_null1 --no-huge \
    --no-shconf --no-pci -l 0,1 -m 256 --log-level '*:error' >> "$DIR/out" 2>&1 &
  PID=$!
  wait_for "$CTL" --socket "$SOCK" status
}
ctl() { "$CTL" --socket "$SOCK" "$@"; }

write_conf 600s
start
# --no-huge: the tables are in DPDK memory (on the ports' socket), said once at start
grep -qE '^ampguard: tables: [0-9]+\.[0-9] MiB in DPDK memory \(no hugepages\) on socket [0-9]+$' \
  "$DIR/out" || fail "no tables line"
[ "$(stat -c %a "$SOCK")" = 600 ] || fail "socket mode $(stat -c %a "$SOCK")"
ctl status | grep -qx "config generation 1 ($DIR/ampguard.conf)" || fail "status: $(ctl status)"

# Errors: exit status 1 and a clear reason.
set +e
msg=$(ctl blocklist add 192.0.2.999 2>&1); rc=$?
set -e
[ "$rc" = 1 ] && [ "$msg" = "ampguardctl: error: '192.0.2.999' is not an IPv4 or IPv6 address" ] \
  || fail "bad address: rc=$rc $msg"
set +e
msg=$(ctl launch 2>&1); rc=$?
set -e
[ "$rc" = 1 ] && [ "$msg" = "ampguardctl: error: unknown command 'launch' (try help)" ] || fail "$msg"
# Someone else: the socket's mode already keeps them out.
if id nobody > /dev/null 2>&1; then
  set +e
  setpriv --reuid=nobody --regid=nogroup --clear-groups "$CTL" --socket "$SOCK" status > /dev/null 2>&1
  rc=$?
  set -e
  [ "$rc" = 2 ] || fail "an unprivileged user reached the socket (rc $rc)"
fi

# Blocklist changes are saved at once; a SIGKILL cannot lose them.
[ "$(ctl blocklist add 192.0.2.7 1h)" = "blocked 192.0.2.7 for 3600s" ] || fail "add"
[ "$(ctl blocklist add 2001:db8:5::1)" = "blocked 2001:db8:5::/64 for 600s" ] || fail "add v6"
wait_for grep -q '^2001:db8:5::/64 [0-9]* manual$' "$STATE"
grep -q '^192.0.2.7 [0-9]* manual$' "$STATE" || fail "state file: $(cat "$STATE")"
grep -qF 'DNS-amplification protection: blocked 192.0.2.7 for 3600s: reason manual (blocks 1)' \
  "$DIR/out" || fail "no block line"

# SIGHUP reload: generation 2; a bad file is refused and the running config stays.
write_conf 300s
kill -HUP "$PID"
wait_for grep -qF "ampguard: reloaded $DIR/ampguard.conf: config generation 2" "$DIR/out"
echo "[block]" > "$DIR/ampguard.conf"
echo "timeout = forever" >> "$DIR/ampguard.conf"
set +e
msg=$(ctl reload 2>&1); rc=$?
set -e
[ "$rc" = 1 ] || fail "bad reload accepted"
[ "$msg" = "ampguardctl: error: $DIR/ampguard.conf:2: block.timeout: 'forever' is not a duration (e.g. 600s, 10m)" ] \
  || fail "bad reload message: $msg"
ctl status | grep -qx "config generation 2 ($DIR/ampguard.conf)" || fail "generation after bad reload"
ctl config | grep -qx "timeout = 300s" || fail "running config: $(ctl config)"
write_conf 300s

# Prometheus: a scrape promtool accepts, with the values above.
curl -sf "http://127.0.0.1:$PORT/metrics" > "$DIR/scrape"
promtool check metrics < "$DIR/scrape" || fail "promtool"
for line in 'ampguard_reloads_total{result="success"} 1' 'ampguard_reloads_total{result="failure"} 1' \
  'ampguard_config_generation 2' 'ampguard_blocklist_entries 2' 'ampguard_blocklist_adds_total 2' \
  'ampguard_build_info{version="'"$("$AMPGUARD" --help > /dev/null; ctl status | sed -n 's/^ampguard //p')"'"} 1'; do
  grep -qxF "$line" "$DIR/scrape" || fail "scrape lacks: $line"
done
# Never on all addresses by default: only 127.0.0.1 listens on the port.
ss -ltnH "sport = :$PORT" | awk '{print $4}' | grep -qx "127.0.0.1:$PORT" || fail "listen address"

# SIGKILL, restart: both entries back with their reasons and remaining times.
kill -9 "$PID"
wait "$PID" 2>/dev/null || true
PID=
start
grep -qF "ampguard: restored 2 blocklist entries from $STATE (0 expired, 0 unreadable)" "$DIR/out" \
  || fail "restore line"
list=$(ctl blocklist list)
echo "$list" | grep -q '^192.0.2.7 3[0-9][0-9][0-9] manual$' || fail "restored list: $list"
echo "$list" | grep -q '^2001:db8:5::/64 [0-9]* manual$' || fail "restored list: $list"
[ "$(echo "$list" | wc -l)" = 2 ] || fail "restored list: $list"

# A clean stop saves too. A file with unreadable lines: every line that parses is restored, the
# rest reported, the original kept aside byte for byte before any save can replace it, counted.
kill -TERM "$PID"
wait "$PID" || fail "exit status after SIGTERM"
PID=
{ head -1 "$STATE"; echo "192.0.2.8 $(( $(date +%s) + 3600 )) manual"; echo "192.0.2.9 s\x01on manual"; } \
  > "$STATE.new"
mv "$STATE.new" "$STATE"
cp "$STATE" "$DIR/corrupt.orig"
start
grep -qF "ampguard: not restored: $STATE:3: expected 'ADDRESS EXPIRES-UNIX-SECONDS REASON'" \
  "$DIR/out" || fail "bad line not reported"
grep -qF "ampguard: restored 1 blocklist entries from $STATE (0 expired, 1 unreadable)" \
  "$DIR/out" || fail "partial restore line"
aside=$(ls "$STATE".corrupt-*) || fail "no .corrupt- copy"
[ "$(echo "$aside" | wc -l)" = 1 ] || fail "copies: $aside"
grep -qF "ampguard: the original state file is kept as $aside" "$DIR/out" || fail "aside line"
cmp "$aside" "$DIR/corrupt.orig" || fail "the kept copy differs from the original"
ctl blocklist list | grep -q '^192.0.2.8 ' || fail "good line not restored: $(ctl blocklist list)"
# Into a file first: under pipefail, grep -q exiting at the match fails curl (EPIPE) mid-scrape.
curl -sf "http://127.0.0.1:$PORT/metrics" > "$DIR/scrape" || fail "scrape after a partial restore"
grep -qx 'ampguard_blocklist_state_corrupt_total 1' "$DIR/scrape" || fail "corrupt counter"
for line in 'ampguard_blocklist_state_entries_at_start{result="restored"} 1' \
  'ampguard_blocklist_state_entries_at_start{result="expired"} 0' \
  'ampguard_blocklist_state_entries_at_start{result="unreadable"} 1'; do
  grep -qxF "$line" "$DIR/scrape" || fail "scrape lacks: $line"
done
# A later save writes what was restored; the kept copy stays as it was.
kill -TERM "$PID"
wait "$PID" || fail "exit status after SIGTERM"
PID=
grep -q '^192.0.2.8 ' "$STATE" || fail "saved file: $(cat "$STATE")"
cmp "$aside" "$DIR/corrupt.orig" || fail "the kept copy changed after a save"
rm -f "$aside"
# A file that is not ours at all (a future format, garbage): nothing restored, kept aside too.
echo "garbage" > "$STATE"
start
grep -qF "ampguard: not restored: $STATE:1: not an ampguard blocklist" "$DIR/out" \
  || fail "corrupt file not reported"
[ -z "$(ctl blocklist list)" ] || fail "entries from a corrupt file"
[ "$(cat "$STATE".corrupt-*)" = garbage ] || fail "garbage not kept aside"
echo PASS
