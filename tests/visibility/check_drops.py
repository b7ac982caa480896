#!/usr/bin/env python3
"""check_drops.py INPUT.pcap DROPS.pcap K: DROPS holds the 11th..(10+K)th large (>= 700 bytes)
IPv4 response to the most frequent large-response destination in INPUT, byte for byte."""
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vistool  # noqa: E402

frames = vistool.frames(sys.argv[1])
k = int(sys.argv[3])
large = [f for f in frames
         if f[12:14] == b"\x08\x00" and int.from_bytes(f[16:18], "big") >= 700]
victim = collections.Counter(f[30:34] for f in large).most_common(1)[0][0]
to_victim = [f for f in large if f[30:34] == victim]
want = to_victim[10:10 + k]
got = vistool.frames(sys.argv[2])
if got != want:
    sys.exit(f"{len(got)} frames captured, {len(want)} expected; first difference at "
             f"{next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))}")
print(f"{k} frames to {'.'.join(map(str, victim))} match")
