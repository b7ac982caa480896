#!/usr/bin/env bash
# Scenario 2: ANY over UDP. ampguard answers it itself with TC=1 and no records (any.action=tc,
# the default); dig's automatic retry over TCP then gets Unbound's real answer.
AG_TEST=any
source "$(dirname "$0")/topology.sh"
ag_init "$1" "${2:-}"
ag_topology_up
ag_unbound_start
ag_bump_start

answer_of() { grep -v '^;' | grep -v '^$' | awk '{print $1, $3, $4, $5, $6}' | sort; }
direct=$(ag_in_res dig +tcp +nocmd +nocomments +nostats @"$AG_RESOLVER4" small.test ANY | answer_of)
[ -n "$direct" ] || ag_fail "Unbound gave no ANY answer even directly"

udp_any=0
# 1. The TC reply itself, without the retry: header flags and empty sections, IPv4 and IPv6.
for server in "$AG_RESOLVER4" "$AG_RESOLVER6"; do
  out=$(ag_in_inet dig +notcp +ignore +time=2 +tries=1 @"$server" small.test ANY)
  udp_any=$((udp_any + 1))
  grep -q 'status: NOERROR' <<<"$out" || ag_fail "TC reply via $server: no NOERROR header: $out"
  flags=$(echo "$out" | sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p')
  grep -q ' tc ' <<<" $flags " || ag_fail "TC reply via $server: TC flag missing ($flags)"
  grep -q ' qr ' <<<" $flags " || ag_fail "TC reply via $server: QR flag missing ($flags)"
  grep -q 'ANSWER: 0, AUTHORITY: 0' <<<"$out" || ag_fail "TC reply via $server carries records: $out"
  grep -q '^;small.test.[[:space:]]*IN[[:space:]]*ANY' <<<"$out" || ag_fail "TC reply via $server: question not echoed"
  ag_log "ok: UDP ANY via $server answered by ampguard: flags '$flags', no records"
done

# 2. An independent decoder (dnspython) on the raw reply: same id, QR+TC, RD kept, no records.
"$AG_PY" - "$AG_NS_INET" "$AG_RESOLVER4" "$AG_CLIENT4" <<'PYEOF' || ag_fail "dnspython check of the TC reply"
import subprocess, sys
ns, server, client = sys.argv[1:]
code = f'''
import socket, dns.message, dns.flags, dns.rdatatype
q = dns.message.make_query("small.test", "ANY", use_edns=0, payload=1232)
q.id = 0x5a5a
s = socket.socket(); s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("{client}", 0)); s.settimeout(2)
s.sendto(q.to_wire(), ("{server}", 53))
data, peer = s.recvfrom(65535)
r = dns.message.from_wire(data)
assert peer[0] == "{server}", peer
assert r.id == 0x5a5a, r.id
assert r.flags & dns.flags.QR and r.flags & dns.flags.TC, dns.flags.to_text(r.flags)
assert r.flags & dns.flags.RD, "RD not copied"
assert not r.answer and not r.authority, r
assert r.question[0].rdtype == dns.rdatatype.ANY
print("dnspython: TC reply", dns.flags.to_text(r.flags), "edns", r.edns, "payload", r.payload)
'''
subprocess.run(["ip", "netns", "exec", ns, "/usr/bin/python3", "-c", code], check=True)
PYEOF
udp_any=$((udp_any + 1))

# 3. dig's own behaviour: TC seen, retried over TCP, and the retry's answer is Unbound's.
for server in "$AG_RESOLVER4" "$AG_RESOLVER6"; do
  out=$(ag_in_inet dig +notcp +time=2 +tries=1 @"$server" small.test ANY)
  udp_any=$((udp_any + 1))
  grep -q 'Truncated, retrying in TCP mode' <<<"$out" || ag_fail "dig did not retry over TCP: $out"
  got=$(echo "$out" | sed -n '/ANSWER SECTION/,/^$/p' | answer_of)
  ag_expect_eq "ANY answer after the TCP retry via $server" "$direct" "$got"
done
# kdig does not retry by itself: its UDP attempt must show TC, its TCP one the records.
ag_in_inet kdig +notcp +time=2 +retry=0 @"$AG_RESOLVER4" small.test ANY | grep -i 'flags: qr[a-z ]* tc' >/dev/null ||
  ag_fail "kdig over UDP: no TC flag"
udp_any=$((udp_any + 1))
got=$(ag_in_inet kdig +tcp +time=2 +retry=0 +nocomments +noquestion +nostats @"$AG_RESOLVER4" small.test ANY | grep -v '^;' | answer_of)
ag_expect_eq "kdig ANY over TCP" "$direct" "$got"

# Other query types over UDP are untouched.
ag_expect_eq "UDP A next to the ANY handling" 10.53.0.100 \
  "$(ag_in_inet dig +short +notcp +time=2 +tries=1 @"$AG_RESOLVER4" small.test A)"

ag_bump_stop
ag_expect_eq "ampguard TC replies (any_tc_reply)" "$udp_any" "$(ag_stat reasons.any_tc_reply.packets)"
ag_expect_eq "ampguard drops" 0 "$(ag_stat_drops)"
ag_log "PASS"
