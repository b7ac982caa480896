#!/bin/bash
# DPDK telemetry and dpdk-proc-info against a running ampguard: /ampguard/stats, /ampguard/blocklist
# and /ampguard/config answer on the telemetry socket (and through dpdk-telemetry.py) with the
# values of ampguardctl stats, blocklist list and status, once the traffic has stopped.
source "$(dirname "$0")/common.sh"
start_ampguard
"$TRACEGEN" --inside "$DIR/in.pcap" --outside "$DIR/out.pcap" --queries 100 --clients 50 \
  --attack one --attack-responses 40 > /dev/null
N=$(python3 "$HERE/vistool.py" frames "$DIR/in.pcap" | wc -l)
send_pcap "$DIR/in.pcap"
wait_for eval "ctl stats | grep -q '\"inside\": {\"rx_packets\": $N,'"
ctl blocklist add 2001:db8:7::1 1h > /dev/null
TEL=/var/run/dpdk/$PREFIX/dpdk_telemetry.v2
tel() { python3 "$HERE/vistool.py" telemetry "$TEL" "$1"; }
tel /ampguard/stats > "$DIR/tel_stats"
tel /ampguard/blocklist > "$DIR/tel_block"
tel /ampguard/config > "$DIR/tel_config"
ctl stats > "$DIR/stats"
ctl blocklist list > "$DIR/block"
ctl status > "$DIR/status"
python3 - "$DIR" <<'PY' || fail "telemetry and ampguardctl disagree"
import json, sys
d = sys.argv[1]
load = lambda n: json.load(open(f"{d}/{n}"))
tel, stats, block, config = load("tel_stats"), load("stats"), load("tel_block"), load("tel_config")
for side in ("inside", "outside"):
    for k, v in tel[side].items():
        assert v == stats["ports"][side][k], (side, k, v, stats["ports"][side][k])
for reason, r in stats["reasons"].items():
    assert tel["reason_packets"][reason] == r["packets"], reason
    assert tel["reason_bytes"][reason] == r["bytes"], reason
for k, v in tel["tables"].items():
    assert v == stats["tables"][k], (k, v, stats["tables"][k])
assert tel["reason_packets"]["over_limit"] == 30 and tel["config_generation"] == 1, tel
lines = [l.split() for l in open(f"{d}/block").read().splitlines()]
assert block["entries"] == len(lines) == 2, (block, lines)
listed = {l.split()[0]: int(l.split()[1]) for l in block["list"]}
for addr, secs, _ in lines:
    assert abs(listed[addr] - int(secs)) <= 1, (addr, listed, secs)
assert listed["203.0.113.66"] <= 600 and listed["2001:db8:7::/64"] > 3500, listed
assert config["generation"] == 1 and config["limit_rate"] == "50/min", config
assert "config generation 1 " in open(f"{d}/status").read()
print("telemetry matches")
PY
# dpdk-telemetry.py reads the same socket (stdin commands, -f FILE_PREFIX).
echo /ampguard/config | dpdk-telemetry.py -f "$PREFIX" | grep -q '"limit_min_size": "700"' ||
  fail "dpdk-telemetry.py: $(echo /ampguard/config | dpdk-telemetry.py -f "$PREFIX" 2>&1)"
# dpdk-proc-info as a secondary: the port statistics of the running process. It prints them and
# then crashes in its own exit path on net_pcap ports (DPDK 22.11): judged by its output.
in_ns timeout 30 dpdk-proc-info --file-prefix "$PREFIX" --no-pci --log-level '*:error' -- --stats \
  > "$DIR/proc_info" 2>&1 || true
python3 - "$DIR/proc_info" "$DIR/stats" <<'PY' || fail "dpdk-proc-info: $(head -c 2000 "$DIR/proc_info")"
import json, re, sys
text, stats = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
for port, side in ((0, "inside"), (1, "outside")):
    block = text.split(f"NIC statistics for port {port}")[1]
    rx = int(re.search(r"RX-packets:\s+(\d+)", block).group(1))
    assert rx == stats["ports"][side]["ipackets"], (port, rx, stats["ports"][side])
PY
kill -0 "$PID" || fail "ampguard died while the secondaries ran"
echo "ok: /ampguard/stats, /ampguard/blocklist, /ampguard/config and dpdk-proc-info agree with ampguardctl"
