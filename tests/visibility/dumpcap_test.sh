#!/bin/bash
# dpdk-dumpcap against a running ampguard: a bounded capture of the inside port while frames
# flow holds exactly the frames sent, byte for byte.
source "$(dirname "$0")/common.sh"
start_ampguard
"$TRACEGEN" --inside "$DIR/in.pcap" --outside "$DIR/unused.pcap" --queries 200 --clients 50 \
  > /dev/null
python3 "$HERE/vistool.py" frames "$DIR/in.pcap" > "$DIR/sent"
N=$(wc -l < "$DIR/sent")
in_ns timeout 60 dpdk-dumpcap --file-prefix "$PREFIX" -i net_pcap0 -c "$N" -w "$DIR/cap.pcapng" \
  > "$DIR/dumpcap.out" 2>&1 &
DUMPCAP=$!
# Its statistics line starts once the capture is attached.
wait_for grep -q "Packets captured" "$DIR/dumpcap.out"
sleep 0.3  # margin for the primary to install the RX/TX callbacks under a loaded machine
send_pcap "$DIR/in.pcap"
wait "$DUMPCAP" || fail "dpdk-dumpcap: $(cat "$DIR/dumpcap.out")"
python3 "$HERE/vistool.py" frames "$DIR/cap.pcapng" > "$DIR/captured"
cmp -s "$DIR/sent" "$DIR/captured" ||
  fail "the pcapng differs from the $N frames sent ($(wc -l < "$DIR/captured") captured)"
# tshark reads it too.
[ "$(tshark -r "$DIR/cap.pcapng" 2>/dev/null | wc -l)" = "$N" ] || fail "tshark count"
echo "ok: dpdk-dumpcap captured exactly the $N frames sent"
