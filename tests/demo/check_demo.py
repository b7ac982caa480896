#!/usr/bin/python3
"""Runs the README's first command's binary the way the README does (--demo with the example
config; plus a stats file) and checks what it printed and its JSON summary: every frame of the generated trace
judged, conservation of packets, the victim blocked once with its log line."""
import json
import re
import subprocess
import sys
import tempfile

binary, config = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as tmp:
    stats_path = f"{tmp}/stats.json"
    run = subprocess.run([binary, "--demo", "--config", config, f"--stats-file={stats_path}"], capture_output=True, text=True,
                         timeout=300)
    out = run.stdout
    assert run.returncode == 0, f"exit {run.returncode}\n{out}\n{run.stderr}"
    with open(stats_path) as f:
        stats = json.load(f)

trace = re.search(r"(\d+) frames from the resolver .* (\d+) from the internet", out)
assert trace, out
from_resolver, from_internet = int(trace.group(1)), int(trace.group(2))
ports = stats["ports"]
assert ports["inside"]["rx_packets"] == from_resolver, ports["inside"]
assert ports["outside"]["rx_packets"] == from_internet, ports["outside"]

reasons = stats["reasons"]
by_action = {"forward": 0, "drop": 0, "reply": 0}
for r in reasons.values():
    by_action[r["action"]] += r["packets"]
rx = from_resolver + from_internet
assert sum(by_action.values()) == rx, (by_action, rx)
tx = ports["inside"]["tx_packets"] + ports["outside"]["tx_packets"]
assert tx == by_action["forward"] + by_action["reply"], (tx, by_action)
assert ports["inside"]["tx_dropped"] == ports["outside"]["tx_dropped"] == 0

# The victim: 300 large responses replayed in well under a second, so exactly 10 pass.
assert stats["tables"]["block_adds"] == 1, stats["tables"]
assert reasons["over_limit"]["packets"] == 290, reasons["over_limit"]
assert reasons["blocklisted_source"]["packets"] > 0
assert reasons["any_tc_reply"]["packets"] > 0
blocks = [l for l in out.splitlines() if l.startswith("DNS-amplification protection: ")]
assert len(blocks) == 1 and "203.0.113.66" in blocks[0], blocks
print(f"demo ok: {rx} frames, {by_action}")
