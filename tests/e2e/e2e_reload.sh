#!/usr/bin/env bash
# Scenario 6: a reload and a restart during an attack keep the victim blocked.
# ampguard runs from a generated config file (block.timeout=600s, block.state-file, saved every
# second). While the attacker keeps spoofing the victim (100 queries/s for big.test):
#   1. the victim gets its 10 large answers and is blocked;
#   2. SIGHUP (what systemd's ExecReload sends) with a changed config file (any.action tc ->
#      drop): the new config is live (ANY over UDP now dropped), the victim is still blocked;
#   3. restart (SIGTERM, start again with the same config): the blocklist comes back from the
#      state file, so the fresh limiter's 10 credits never reach the victim;
#   4. `ampguardctl reload` on the new process: still blocked.
# In the end the victim has received exactly the first 10 large answers, nothing more.
AG_TEST=reload
source "$(dirname "$0")/topology.sh"
ag_init "$1" "${2:-}"
[ -x "$AG_CTL" ] || ag_fail "ampguardctl not found at $AG_CTL"
ag_topology_up
ag_unbound_start

TOOL=$AG_HERE/agtool.py
VPORT=40053
CONF=$AG_DIR/ampguard.conf
STATE=$AG_DIR/blocklist.state
write_conf() {
  cat >"$CONF" <<CEOF
[block]
timeout = 600s
state-file = $STATE
save-interval = 1s
[any]
action = $1
CEOF
}
victim_answered() {
  ag_in_inet dig +short +notcp +time=1 +tries=1 -b "$AG_VICTIM4" @"$AG_RESOLVER4" small.test A 2>/dev/null |
    grep -x 10.53.0.100 || true
}
victim_listed() { ag_ctl blocklist list | awk -v v="$AG_VICTIM4" '$1 == v || $1 == v "/32" {print "yes"}'; }
expect_blocked() {  # expect_blocked WHEN
  ag_expect_eq "$1: victim in ampguardctl blocklist list" yes "$(victim_listed)"
  ag_expect_eq "$1: victim's own query" "" "$(victim_answered)"
}

write_conf tc
ag_bump_start --config="$CONF"
rm -f "$AG_DIR/victim.ready"
ag_bg "$AG_NS_INET" "$AG_DIR/victim.log" "$AG_PY" "$TOOL" victim --bind "$AG_VICTIM4" --port "$VPORT" \
  --out "$AG_DIR/victim.json" --ready "$AG_DIR/victim.ready"
VICTIM_PID=$AG_LAST_PID
for _ in $(seq 50); do [ -e "$AG_DIR/victim.ready" ] && break; sleep 0.1; done
ag_bg "$AG_NS_INET" "$AG_DIR/attack.log" "$AG_PY" "$TOOL" attack --victim "$AG_VICTIM4" --sport "$VPORT" \
  --server "$AG_RESOLVER4" --qname big.test --rate 100 --duration 15 --out "$AG_DIR/attack.json"
ATTACK_PID=$AG_LAST_PID

# 1. Blocked.
for _ in $(seq 50); do [ "$(victim_listed)" = yes ] && break; sleep 0.1; done
expect_blocked "under attack"
grep -q ' tc ' <<<" $(ag_in_inet dig +notcp +ignore +time=1 +tries=1 @"$AG_RESOLVER4" small.test ANY | sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p') " ||
  ag_fail "before the reload: UDP ANY got no TC reply"

# 2. SIGHUP with a changed config.
write_conf drop
kill -HUP "$AG_BUMP_PID"
for _ in $(seq 50); do [ "$(ag_metric ampguard_config_generation)" = 2 ] && break; sleep 0.1; done
ag_expect_eq "config generation after SIGHUP" 2 "$(ag_metric ampguard_config_generation)"
ag_expect_eq "successful reloads" 1 "$(ag_metric 'ampguard_reloads_total{result="success"}')"
ag_expect_eq "after SIGHUP: UDP ANY dropped (the new any.action is live)" "" \
  "$(ag_in_inet dig +notcp +ignore +time=1 +tries=1 @"$AG_RESOLVER4" small.test ANY | grep -i 'flags:' || true)"
expect_blocked "after SIGHUP"
sleep 1.2  # one save interval

# 3. Restart while the attack goes on: the state file brings the block back.
ag_bump_stop
grep -q "$AG_VICTIM4" "$STATE" || ag_fail "the state file does not hold the victim: $(cat "$STATE")"
ag_expect_eq "first run: any_dropped" 1 "$(ag_stat reasons.any_dropped.packets)"
ag_bump_start --config="$CONF"
expect_blocked "after the restart"
# 4. Reload through the control client.
ag_ctl reload >"$AG_DIR/ctl-reload.txt" || ag_fail "ampguardctl reload: $(cat "$AG_DIR/ctl-reload.txt")"
expect_blocked "after ampguardctl reload"

wait "$ATTACK_PID" || ag_fail "attacker failed: $(cat "$AG_DIR/attack.log")"
ag_log "$(cat "$AG_DIR/attack.log")"
sleep 0.5
kill -TERM "$VICTIM_PID"; wait "$VICTIM_PID" || true
ag_bump_stop
received=$("$AG_PY" -c "import json,sys; print(sum(1 for r in json.load(open(sys.argv[1]))['received'] if r['qname']=='big.test.'))" "$AG_DIR/victim.json")
escaped=$(ag_stat reasons.response_within_limit.packets)
[ "$escaped" = 0 ] || ag_fail "second run: $escaped large responses reached the victim after the restart: spoofed queries were forwarded before the blocklist was restored (the workers must not forward before block.state-file is loaded)"
ag_expect_eq "large answers the victim received over the whole attack" 10 "$received"
ag_expect_eq "second run: over-limit (no spoofed query got through to Unbound)" 0 "$(ag_stat reasons.over_limit.packets)"
ag_expect_eq "second run: block adds (restored, not re-added)" 0 "$(ag_stat tables.block_adds)"
dropped=$(ag_stat reasons.blocklisted_source.packets)
[ "$dropped" -ge 100 ] || ag_fail "second run dropped only $dropped spoofed queries: the attack ended too early to tell"
ag_log "ok: second run dropped $dropped spoofed queries from the restored block"
ag_log "PASS"
