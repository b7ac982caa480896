#!/usr/bin/env bash
# Issue 19: DNS cookies end to end against BIND 9.18. named mints RFC 9018 server cookies
# (cookie-algorithm siphash24) with a secret ampguard shares (cookies.secret-file).
#   1. A real client (dig, then kdig) learns a server cookie from its first answer, then asks
#      for the large big.test TXT answer 60 (20) times in a few seconds, far above the 50/min
#      burst 10 limit, presenting the cookie: every answer arrives. The same queries without a cookie
#      from another address get the burst and are blocked (the check can fail).
#   2. A spoofed flood "from" that client's address without cookies draws no more than the
#      burst and blocks the address; floods with forged and with stale (genuinely minted, two
#      hours old) cookies draw nothing and are counted as bad_hash and stale. Meanwhile the
#      real client, blocklisted, still gets every answer (its cookie passes the blocklist);
#      its queries without the cookie are dropped.
#   3. With cookies.nocookie-udp-size = 512, the spoofed flood receives only truncated
#      answers, the real client still full ones, and dig without a cookie retries over TCP.
AG_TEST=cookies
source "$(dirname "$0")/topology.sh"
ag_init "$1" "${2:-}"
ag_topology_up
SECRET=e5e973e5a6b2a43f48e7dc849e37bfcf
AG_NAMED_COOKIE_SECRETS=$SECRET ag_named_start
(umask 077; echo "$SECRET" >"$AG_DIR/cookie.secret")

TOOL=$AG_HERE/agtool.py
VPORT=40053
ag_stop_pid() { kill -TERM "$1"; wait "$1" || true; }
BUMP=(--ports.idle-pause=50us --block.timeout=60s --cookies.secret-file="$AG_DIR/cookie.secret")

# big QUERY_OPTIONS...: dig from the client for big.test TXT; prints how many TXT strings came.
big() {
  ag_in_inet dig +short +time=1 +tries=1 "$@" @"$AG_RESOLVER4" big.test TXT 2>/dev/null | grep -c '^"' || true
}

# ask N ADDRESS [dig options]: N large queries in a row; prints how many got the full answer.
ask() {
  local n=$1 addr=$2 ok=0 i
  shift 2
  for i in $(seq "$n"); do [ "$(big -b "$addr" "$@")" = 4 ] && ok=$((ok + 1)); done
  echo "$ok"
}

start_victim() {
  rm -f "$AG_DIR/victim.ready"
  ag_bg "$AG_NS_INET" "$AG_DIR/victim-$1.log" "$AG_PY" "$TOOL" victim --bind "$AG_CLIENT4" \
    --port "$VPORT" --out "$AG_DIR/victim-$1.json" --ready "$AG_DIR/victim.ready"
  VICTIM_PID=$AG_LAST_PID
  for _ in $(seq 50); do [ -e "$AG_DIR/victim.ready" ] && return 0; sleep 0.1; done
  ag_fail "victim listener did not start"
}

# flood NAME [agtool attack options]: 3 s of spoofed big.test queries at 200/s from the
# client's address; prints "received truncated max_len" of what reached its port.
flood() {
  local name=$1
  shift
  start_victim "$name"
  ag_in_inet "$AG_PY" "$TOOL" attack --victim "$AG_CLIENT4" --sport "$VPORT" \
    --server "$AG_RESOLVER4" --qname big.test --rate 200 --duration 3 \
    --out "$AG_DIR/attack-$name.json" "$@" >&2
  sleep 0.5
  ag_stop_pid "$VICTIM_PID"
  "$AG_PY" -c 'import json,sys; r=json.load(open(sys.argv[1]))["received"]
print(len(r), sum(x["tc"] for x in r), max([x["ip_len"] for x in r] or [0]))' "$AG_DIR/victim-$name.json"
}

# --- 1 and 2: cookies verified ----------------------------------------------------------------
ag_bump_start "${BUMP[@]}"
COOKIE=$(ag_in_inet dig +cookie +time=2 +tries=1 -b "$AG_CLIENT4" @"$AG_RESOLVER4" small.test A |
  sed -n 's/^; COOKIE: \([0-9a-f]*\).*/\1/p')
[ "${#COOKIE}" = 48 ] || ag_fail "no server cookie learned from named: '$COOKIE'"
ag_log "learned client|server cookie $COOKIE"
ag_expect_eq "real client with its cookie, 60 large answers" 60 "$(ask 60 "$AG_CLIENT4" +cookie="$COOKIE")"
# kdig (Knot's client) learns its own cookie the same way and presents it just as well.
KCOOKIE=$(ag_in_inet kdig +cookie +timeout=2 +retry=0 -b "$AG_CLIENT4" @"$AG_RESOLVER4" small.test A |
  grep -o 'COOKIE: [0-9a-fA-F]*' | head -1 | cut -d' ' -f2)
[ "${#KCOOKIE}" = 48 ] || ag_fail "kdig learned no server cookie: '$KCOOKIE'"
kok=0
for _ in $(seq 20); do
  n=$(ag_in_inet kdig +short +timeout=1 +retry=0 +cookie="$KCOOKIE" -b "$AG_CLIENT4" @"$AG_RESOLVER4" \
    big.test TXT 2>/dev/null | grep -c '^"' || true)
  [ "$n" = 4 ] && kok=$((kok + 1))
done
ag_expect_eq "kdig with its cookie, 20 large answers" 20 "$kok"
without=$(ask 15 "$AG_OTHER4" +nocookie)
[ "$without" -le 11 ] || ag_fail "15 large queries without a cookie: $without answered (limit: burst 10)"
ag_log "ok: the same queries without a cookie from $AG_OTHER4: $without of 15 answered"

read -r got tc _ < <(flood plain)
[ "$got" -ge 1 ] && [ "$got" -le 11 ] || ag_fail "spoofed flood without cookies: $got answers reached the client"
ag_log "ok: spoofed flood without cookies: $got answers, then blocked"
ag_ctl blocklist list | grep -q "^$AG_CLIENT4 " || ag_fail "the client's address is not blocklisted"
ag_expect_eq "blocklisted real client with its cookie" 20 "$(ask 20 "$AG_CLIENT4" +cookie="$COOKIE")"
ag_expect_eq "blocklisted real client without its cookie" 0 "$(ask 3 "$AG_CLIENT4" +nocookie)"

FORGED=${COOKIE:0:16}01000000$(printf '%08x' "$(date +%s)")0123456789abcdef
STALE=$("$AG_PY" "$TOOL" mint --secret "$SECRET" --client-cookie "${COOKIE:0:16}" --ip "$AG_CLIENT4" \
  --time $(( $(date +%s) - 7200 )))
read -r got tc _ < <(flood forged --cookie "$FORGED")
ag_expect_eq "answers to a flood with forged cookies" 0 "$got"
read -r got tc _ < <(flood stale --cookie "$STALE")
ag_expect_eq "answers to a flood with stale cookies" 0 "$got"
ag_bump_stop
ag_expect_eq "queries with a valid cookie" 100 "$(ag_stat cookies.valid)"
[ "$(ag_stat cookies.bad_hash)" -ge 590 ] || ag_fail "bad_hash $(ag_stat cookies.bad_hash)"
[ "$(ag_stat cookies.stale)" -ge 590 ] || ag_fail "stale $(ag_stat cookies.stale)"
ag_expect_eq "verified answers" 100 "$(ag_stat reasons.response_verified.packets)"
ag_log "ok: bad_hash $(ag_stat cookies.bad_hash), stale $(ag_stat cookies.stale), client only $(ag_stat cookies.no_server_cookie)"

# --- 3: cookies.nocookie-udp-size ---------------------------------------------------------------
ag_bump_start "${BUMP[@]}" --cookies.nocookie-udp-size=512
read -r got tc max < <(flood nocookie)
[ "$got" -ge 500 ] || ag_fail "nocookie flood: only $got answers arrived (expected truncated ones)"
ag_expect_eq "truncated among the $got answers to the spoofed flood" "$got" "$tc"
[ "$max" -lt 200 ] || ag_fail "a truncated answer of $max bytes"
ag_expect_eq "real client with its cookie, full answers" 30 "$(ask 30 "$AG_CLIENT4" +cookie="$COOKIE")"
ag_in_inet dig +time=2 +tries=1 +nocookie -b "$AG_OTHER4" @"$AG_RESOLVER4" big.test TXT >"$AG_DIR/tcp.txt" 2>&1 || true
grep -q "Truncated, retrying in TCP mode" "$AG_DIR/tcp.txt" || ag_fail "dig without a cookie was not truncated: $(head -5 "$AG_DIR/tcp.txt")"
[ "$(grep -c 'IN.TXT' "$AG_DIR/tcp.txt")" -ge 4 ] || ag_fail "dig got no full answer over TCP"
ag_log "ok: dig without a cookie got TC and the full answer over TCP"
ag_bump_stop
[ "$(ag_stat reasons.response_nocookie_tc.packets)" -ge "$got" ] || ag_fail "response_nocookie_tc $(ag_stat reasons.response_nocookie_tc.packets)"
ag_expect_eq "verified answers" 30 "$(ag_stat reasons.response_verified.packets)"
ag_log "PASS"
