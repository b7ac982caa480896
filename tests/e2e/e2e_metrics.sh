#!/usr/bin/env bash
# Scenario 5: metrics through a real Prometheus server. The test starts Prometheus (generated
# scrape config, 1 s interval, its own TSDB) next to ampguard, produces known traffic, and reads
# the counters back through Prometheus's HTTP API:
#   - 300 spoofed queries for big.test at 100/s with --block.timeout=600s: the recipe lets
#     exactly 10 through, then blocks the victim (one block event, one blocklist entry) and
#     drops every later spoofed query on the outside port, plus the victim's own query;
#   - 5 ANY queries over UDP: 5 TC replies;
#   - no truncation, no port drops.
# The values must be what the scenario produced, and what ampguard's final stats file says.
AG_TEST=metrics
source "$(dirname "$0")/topology.sh"
ag_init "$1" "${2:-}"
ag_topology_up
ag_unbound_start
ag_bump_start --block.timeout=600s
ag_prometheus_start

TOOL=$AG_HERE/agtool.py
VPORT=40053
rm -f "$AG_DIR/victim.ready"
ag_bg "$AG_NS_INET" "$AG_DIR/victim.log" "$AG_PY" "$TOOL" victim --bind "$AG_VICTIM4" --port "$VPORT" \
  --out "$AG_DIR/victim.json" --ready "$AG_DIR/victim.ready"
VICTIM_PID=$AG_LAST_PID
for _ in $(seq 50); do [ -e "$AG_DIR/victim.ready" ] && break; sleep 0.1; done

ag_in_inet "$AG_PY" "$TOOL" attack --victim "$AG_VICTIM4" --sport "$VPORT" --server "$AG_RESOLVER4" \
  --qname big.test --rate 100 --duration 3 --out "$AG_DIR/attack.json" >&2
# The victim's own query while blocked: dropped.
[ -z "$(ag_in_inet dig +short +notcp +time=1 +tries=1 -b "$AG_VICTIM4" @"$AG_RESOLVER4" small.test A | grep -x 10.53.0.100)" ] ||
  ag_fail "the blocked victim's own query was answered"
any=5
for _ in $(seq $any); do
  ag_in_inet dig +notcp +ignore +time=1 +tries=1 -b "$AG_CLIENT4" @"$AG_RESOLVER4" small.test ANY >/dev/null
done
sleep 0.5
kill -TERM "$VICTIM_PID"; wait "$VICTIM_PID" || true
received=$("$AG_PY" -c "import json,sys; print(sum(1 for r in json.load(open(sys.argv[1]))['received'] if r['qname']=='big.test.'))" "$AG_DIR/victim.json")
ag_expect_eq "large answers that reached the victim" 10 "$received"

# What Prometheus scraped, once it has scraped past the end of the traffic.
ag_prom_wait 'ampguard_tc_replies_total' "$any"
ag_prom_wait 'ampguard_verdict_packets_total{reason="any_tc_reply",action="reply"}' "$any"
ag_prom_wait 'ampguard_verdict_packets_total{reason="response_within_limit"}' 10
ag_prom_wait 'ampguard_blocklist_adds_total' 1
ag_prom_wait 'ampguard_blocklist_entries' 1
ag_prom_wait 'ampguard_block_events_total' 1
over=$(ag_prom 'ampguard_verdict_packets_total{reason="over_limit"}')
[ "$over" -ge 1 ] || ag_fail "prometheus: no over-limit drop"
ag_prom_wait 'ampguard_blocklist_refreshes_total' $((over - 1))
# Every spoofed query: 10 passed, $over over the limit, the rest blocked; plus the victim's own.
ag_prom_wait 'ampguard_verdict_packets_total{reason="blocklisted_source"}' $((300 - 10 - over + 1))
ag_prom_wait 'sum(ampguard_verdict_packets_total{action="drop"})' $((300 - 10 + 1))
ag_prom_wait 'ampguard_truncations_total' 0
ag_prom_wait 'sum(ampguard_port_tx_dropped_total)' 0
ag_prom_wait 'sum(ampguard_dpdk_port_imissed_total)' 0

# The deployment files: conf/prometheus.yml is a valid config, and every panel query of
# conf/grafana-dashboard.json parses and finds series in this Prometheus (Grafana's
# $__rate_interval and $job replaced by what Grafana would send here).
CONF_DIR=$AG_HERE/../../conf
if [ -f "$CONF_DIR/prometheus.yml" ]; then
  promtool check config "$CONF_DIR/prometheus.yml" >/dev/null || ag_fail "promtool rejects conf/prometheus.yml"
  ag_log "ok: conf/prometheus.yml passes promtool check config"
fi
if [ -f "$CONF_DIR/grafana-dashboard.json" ]; then
  ag_in_bump "$AG_PY" - "$AG_PROM" "$CONF_DIR/grafana-dashboard.json" <<'PYEOF' || ag_fail "dashboard queries"
import json, sys, urllib.parse, urllib.request
prom, path = sys.argv[1:]
d = json.load(open(path))
exprs = [(p["title"], t["expr"]) for p in d["panels"] for t in p.get("targets", [])]
bad = []
for title, e in exprs:
    q = e.replace("$__rate_interval", "10s").replace('"$job"', '".*"')
    url = f"http://{prom}/api/v1/query?" + urllib.parse.urlencode({"query": q})
    try:
        r = json.load(urllib.request.urlopen(url, timeout=5))
        if r["status"] != "success" or not r["data"]["result"]:
            bad.append(f"{title}: {q}: no series")
    except Exception as ex:
        bad.append(f"{title}: {q}: {ex}")
print(f"dashboard: {len(exprs)} queries, {len(bad)} without data", file=sys.stderr)
for b in bad:
    print("  " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PYEOF
  ag_log "ok: every conf/grafana-dashboard.json query returns series from Prometheus"
fi

# The same numbers from ampguard's own final counters.
declare -A from_prom
for r in over_limit blocklisted_source response_within_limit any_tc_reply query; do
  from_prom[$r]=$(ag_prom "ampguard_verdict_packets_total{reason=\"$r\"}")
done
ag_bump_stop
for r in over_limit blocklisted_source response_within_limit any_tc_reply query; do
  ag_expect_eq "prometheus vs final stats: $r" "$(ag_stat "reasons.$r.packets")" "${from_prom[$r]}"
done
ag_log "PASS"
