#!/usr/bin/env bash
# Scenario 4: truncation. With --truncate.above=1232 a client asking over UDP with a 4096-byte
# EDNS buffer for huge.test TXT (a 3233-byte answer, which Unbound sends as three IP fragments)
# gets a truncated answer (TC=1, no records) and the full answer over TCP; answers under 1232
# bytes pass untouched.
# Driver: net_af_packet cannot do this. Its sockets use PACKET_FANOUT_FLAG_DEFRAG, so the
# kernel hands DPDK the reassembled 3.2 kB datagram, which exceeds the frame size and the MTU
# (ampguard sees it as malformed and it never arrives). net_pcap in live mode (iface=) and
# net_af_xdp see the fragments as they are on the wire; both pass this scenario and both are
# run here (af_xdp only where the kernel offers it).
AG_TEST=truncate
source "$(dirname "$0")/topology.sh"
ag_init "$1" "${2:-}"
ag_topology_up
ag_unbound_start

huge_direct=$(ag_in_res dig +short +tcp @"$AG_RESOLVER4" huge.test TXT | sort | md5sum)
big_direct=$(ag_in_res dig +short +tcp @"$AG_RESOLVER4" big.test TXT | sort | md5sum)
[ "$(ag_in_res dig +short +tcp @"$AG_RESOLVER4" huge.test TXT | wc -l)" = 15 ] || ag_fail "zone lacks huge.test"
# Unbound sends it whole over UDP when asked directly (no bump): about 3.2 kB, fragmented on
# the 1500-byte veths.
direct=$(ag_in_res dig +notcp +ignore +bufsize=4096 @"$AG_RESOLVER4" huge.test TXT)
size=$(sed -n 's/^;; MSG SIZE  rcvd: \([0-9]*\)$/\1/p' <<<"$direct")
[ "${size:-0}" -gt 3000 ] && [ "$size" -lt 4096 ] || ag_fail "Unbound's direct UDP answer for huge.test is ${size:-?} bytes"
ag_log "Unbound's own UDP answer for huge.test: $size bytes"

run_with_driver() {
  AG_BUMP_DRIVER=$1
  ag_bump_start --truncate.above=1232
  local udp=0 server out flags
  for server in "$AG_RESOLVER4" "$AG_RESOLVER6"; do
    out=$(ag_in_inet dig +notcp +ignore +bufsize=4096 +time=2 +tries=1 @"$server" huge.test TXT)
    udp=$((udp + 1))
    flags=$(echo "$out" | sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p')
    grep -q ' tc ' <<<" $flags " || ag_fail "$1: UDP answer via $server without TC ($flags): $out"
    grep -q 'ANSWER: 0,' <<<"$out" || ag_fail "$1: truncated answer via $server carries records"
    grep -q '^;huge.test.[[:space:]]*IN[[:space:]]*TXT' <<<"$out" || ag_fail "$1: question not kept"
    ag_log "ok: $1: UDP via $server: '$flags', $(echo "$out" | grep -o 'MSG SIZE  rcvd: [0-9]*')"
    # dig's automatic retry over TCP gets all 15 records.
    out=$(ag_in_inet dig +notcp +bufsize=4096 +time=2 +tries=1 @"$server" huge.test TXT)
    udp=$((udp + 1))
    grep -q 'Truncated, retrying in TCP mode' <<<"$out" || ag_fail "$1: dig did not retry over TCP"
    ag_expect_eq "$1: full answer over TCP after the retry via $server" "$huge_direct" \
      "$(echo "$out" | sed -n '/ANSWER SECTION/,/^$/p' | grep TXT | awk '{$1=$2=$3=$4=""; print substr($0,5)}' | sort | md5sum)"
  done
  # kdig over TCP directly; a 900-byte answer over UDP is not touched.
  ag_expect_eq "$1: kdig TCP huge.test" "$huge_direct" \
    "$(ag_in_inet kdig +short +tcp +time=2 +retry=0 @"$AG_RESOLVER4" huge.test TXT | sort | md5sum)"
  ag_expect_eq "$1: UDP big.test (under 1232 bytes) untouched" "$big_direct" \
    "$(ag_in_inet dig +short +notcp +ignore +bufsize=4096 +time=2 +tries=1 @"$AG_RESOLVER4" big.test TXT | sort | md5sum)"
  ag_bump_stop
  ag_expect_eq "$1: responses truncated" "$udp" "$(ag_stat reasons.response_truncated.packets)"
  # Each 3.2 kB answer is three fragments on a 1500-byte MTU (IPv4 and IPv6 alike): the
  # first is rewritten into the truncated answer, the two later ones are dropped.
  ag_expect_eq "$1: later fragments dropped" "$((2 * udp))" "$(ag_stat reasons.fragment_dropped.packets)"
  ag_expect_eq "$1: fragments passed" 0 "$(ag_stat reasons.fragment_passed.packets)"
  ag_expect_eq "$1: unmatched fragments" 0 "$(ag_stat reasons.fragment_unmatched.packets)"
  ag_expect_eq "$1: all drops are those fragments" "$((2 * udp))" "$(ag_stat_drops)"
  ag_expect_eq "$1: malformed" 0 "$(ag_stat reasons.malformed.packets)"
}

run_with_driver pcap
# AF_XDP sockets (address family 44) exist only when the kernel was built with XDP sockets.
if ip netns exec "$AG_NS_BUMP" "$AG_PY" -c 'import socket; socket.socket(44, socket.SOCK_RAW)' 2>/dev/null; then
  run_with_driver af_xdp
else
  ag_log "AF_XDP sockets not available in this kernel: checked with net_pcap only"
fi
ag_log "PASS"
