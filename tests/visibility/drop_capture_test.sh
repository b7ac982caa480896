#!/bin/bash
# ampguardctl capture: the pcap holds the frames dropped over the limit, byte for byte (the
# victim's 11th to (10+K)th large response: the first 10 are its burst), and the control socket
# keeps serving while the capture waits.
source "$(dirname "$0")/common.sh"
K=25
start_ampguard
"$TRACEGEN" --inside "$DIR/in.pcap" --outside "$DIR/unused.pcap" --queries 100 --clients 50 \
  --large-share 0 --fragmented-share 0 --attack one --attack-responses 300 > /dev/null
ctl capture --reason over_limit --count "$K" --file "$DIR/drops.pcap" > "$DIR/capture.out" &
CAPTURE=$!
# The socket keeps serving while the capture waits, and says it runs.
wait_for eval 'ctl status | grep -qx "capture running"'
# A second capture while one runs is refused.
if ctl capture --reason all --count 1 --file "$DIR/other.pcap" 2> "$DIR/err"; then
  fail "a second capture was accepted"
fi
grep -q "already running" "$DIR/err" || fail "second capture: $(cat "$DIR/err")"
send_pcap "$DIR/in.pcap"
wait "$CAPTURE" || fail "ampguardctl capture failed: $(cat "$DIR/capture.out")"
grep -qx "wrote $K frames (reason over_limit) to $DIR/drops.pcap" "$DIR/capture.out" ||
  fail "reply: $(cat "$DIR/capture.out")"
python3 "$HERE/check_drops.py" "$DIR/in.pcap" "$DIR/drops.pcap" "$K" || fail "captured frames"
stats=$(ctl stats)
python3 -c 'import json,sys; s=json.loads(sys.argv[1]); c=s["capture"]; assert c["frames"] == int(sys.argv[2]) and c["missed"] == 0, c' \
  "$stats" "$K" || fail "capture counters: $stats"
# Bad requests: clear reasons.
msg=$(ctl capture --reason query --count 1 --file "$DIR/x.pcap" 2>&1) && fail "forward reason accepted"
grep -q "is not one of: all, over_limit" <<< "$msg" || fail "bad reason: $msg"
echo "ok: the pcap holds the $K over-limit drops, byte for byte"
