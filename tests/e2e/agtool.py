#!/usr/bin/python3
"""Traffic roles and the reference arithmetic for the ampguard end-to-end tests.

  attack   spoofs the victim: raw IPv4/UDP queries with the victim's source address, paced on
           an absolute schedule (no drift when descheduled), every send time recorded
  mint     an RFC 9018 server cookie (COOKIE option data, hex) for a secret, address and time
  victim   a UDP socket bound to the victim's address and port, recording what arrives
  client   a legitimate client asking at a steady pace from its own address, counting answers
  recipe   the kernel recipe (xt_hashlimit rev 3 in packets mode + ipset block with timeout)
           replayed over the attacker's recorded send times: which responses pass
All times are time.monotonic() of this machine; the roles run in the same namespace.
"""
import argparse
import json
import os
import signal
import socket
import struct
import sys
import time

import dns.edns
import dns.flags
import dns.message
import dns.rdatatype


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def spoofed_datagram(src: str, sport: int, dst: str, dport: int, payload: bytes) -> bytes:
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    ulen = 8 + len(payload)
    pseudo = s + d + struct.pack("!BBH", 0, socket.IPPROTO_UDP, ulen)
    udp = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
    csum = checksum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", csum) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, os.getpid() & 0xFFFF, 0x4000, 64,
                     socket.IPPROTO_UDP, 0, s, d)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + udp


def query_wire(qname: str, qtype: str, payload: int, qid: int, cookie: bytes = b"") -> bytes:
    options = [dns.edns.GenericOption(10, cookie)] if cookie else []
    q = dns.message.make_query(qname, qtype, use_edns=0, payload=payload, options=options)
    q.id = qid & 0xFFFF
    return q.to_wire()


def cmd_attack(a):
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    raw.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    interval = 1.0 / a.rate
    n = int(round(a.duration * a.rate))
    sends = []
    start = time.monotonic() + 0.05
    for i in range(n):
        due = start + i * interval
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        pkt = spoofed_datagram(a.victim, a.sport, a.server, 53,
                               query_wire(a.qname, a.qtype, 4096, i, bytes.fromhex(a.cookie)))
        t = time.monotonic()
        raw.sendto(pkt, (a.server, 0))
        sends.append(t)
    late = max(t - (start + i * interval) for i, t in enumerate(sends))
    json.dump({"sends": sends, "rate": a.rate, "max_lateness_s": late}, open(a.out, "w"))
    print(f"attack: {n} spoofed queries from {a.victim}:{a.sport} in "
          f"{sends[-1] - sends[0]:.3f} s, worst lateness {late * 1000:.1f} ms")


def cmd_victim(a):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((a.bind, a.port))
    sock.settimeout(0.2)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    got = []
    open(a.ready, "w").close()
    while not stop:
        try:
            data, peer = sock.recvfrom(65535)
        except socket.timeout:
            continue
        t = time.monotonic()
        try:
            m = dns.message.from_wire(data)
            qname = str(m.question[0].name) if m.question else ""
            tc = bool(m.flags & dns.flags.TC)
        except Exception:  # counted all the same: the victim does not care what hits it
            qname, tc = "", False
        got.append({"t": t, "len": len(data), "ip_len": len(data) + 28, "qname": qname,
                    "tc": tc, "from": peer[0]})
    json.dump({"received": got}, open(a.out, "w"))


def cmd_client(a):
    """Asks qname every interval seconds from a bound source; records answered/lost."""
    fam = socket.AF_INET6 if ":" in a.server else socket.AF_INET
    sock = socket.socket(fam, socket.SOCK_DGRAM)
    sock.bind((a.bind, 0))
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    asked = answered = retried = 0
    lost = []
    start = time.monotonic()
    i = 0
    while not stop:
        due = start + i * a.interval
        d = due - time.monotonic()
        if d > 0:
            time.sleep(d)
        if stop:
            break
        qid = (i * 7919 + 1) & 0xFFFF
        asked += 1
        ok = False
        # Like a stub resolver: one retry after a timeout, so a datagram lost by the shared
        # machine's scheduling is not blamed on ampguard (which counts every drop it makes).
        for attempt in range(2):
            sock.sendto(query_wire(a.qname, a.qtype, 4096, qid), (a.server, 53))
            sock.settimeout(a.timeout)
            deadline = time.monotonic() + a.timeout
            while time.monotonic() < deadline:
                try:
                    data, _ = sock.recvfrom(65535)
                except (socket.timeout, InterruptedError):
                    break
                m = dns.message.from_wire(data)
                if m.id == qid and m.answer and not (m.flags & dns.flags.TC):
                    ok = True
                    break
            if ok:
                break
            retried += 1
        if ok:
            answered += 1
        else:
            lost.append(time.monotonic())
        i += 1
    json.dump({"asked": asked, "answered": answered, "retried": retried, "lost_at": lost},
              open(a.out, "w"))


# --- the kernel recipe -------------------------------------------------------------------------
HZ = 250
CPJ = 1 << 39                      # credits per jiffy at HZ=250 (docs/kernel-semantics.md)
SCALE = HZ * CPJ // 1_000_000      # user2credits(x) = x * SCALE


def recipe(times, jiffy_phase, delay, block_s, rate_per_min=50, burst=10):
    """Replays the recipe over query arrival times: returns (passed response times, blocked
    queries, over-limit responses, end of the last block). jiffy_phase (0..1) is where the
    kernel's jiffy boundaries fall relative to our clock, delay the time from a query to its
    response reaching the limiter."""
    avg = 1_000_000 * 60 // rate_per_min
    cost = avg * SCALE
    cap = avg * burst * SCALE
    credit = None
    prev = 0
    blocked_until = float("-inf")
    passed, blocked, over = [], 0, 0
    for t in times:
        if t < blocked_until:          # raw PREROUTING: the spoofed query never reaches Unbound
            blocked += 1
            continue
        r = t + delay                  # the large response leaves the resolver
        j = int(r * HZ + jiffy_phase)
        if credit is None:
            credit, prev = cap, j
        credit = min(credit + (j - prev) * CPJ, cap)
        prev = j
        if credit >= cost:
            credit -= cost
            passed.append(r)
        else:                          # SET --add-set --exist: (re)block for the full timeout
            over += 1
            blocked_until = r + block_s
    return passed, blocked, over, blocked_until


def cmd_recipe(a):
    sends = json.load(open(a.sends))["sends"]
    outcomes = {}
    for delay_ms in a.delays_ms:
        for k in range(a.phases):
            p, b, o, until = recipe(sends, k / a.phases, delay_ms / 1000.0, a.block_s)
            outcomes.setdefault(len(p), []).append(
                {"phase": k / a.phases, "delay_ms": delay_ms, "passed": len(p), "blocked": b,
                 "over": o, "blocked_until": until})
    # The nominal case (1 ms, phase 0.5) also tells the caller until when the victim is blocked.
    nominal = recipe(sends, 0.5, 0.001, a.block_s)
    latest_until = max(r["blocked_until"] for v in outcomes.values() for r in v)
    earliest_until = min(r["blocked_until"] for v in outcomes.values() for r in v)
    res = {"allowed_passed": sorted(outcomes), "nominal_passed": len(nominal[0]),
           "nominal_over": nominal[2], "nominal_blocked": nominal[1],
           "blocked_until_min": earliest_until, "blocked_until_max": latest_until,
           "queries": len(sends), "first": sends[0], "last": sends[-1],
           "cases": [c for v in outcomes.values() for c in v]}
    json.dump(res, open(a.out, "w"), indent=1)
    print(json.dumps({k: res[k] for k in ("allowed_passed", "nominal_passed", "nominal_over",
                                          "nominal_blocked", "queries")}))


def cmd_mint(a):
    """A server cookie as the resolver mints it (RFC 9018), with libsodium's SipHash-2-4."""
    import ctypes
    sodium = ctypes.CDLL("libsodium.so.23")
    head = bytes.fromhex(a.client_cookie) + struct.pack("!BBBBI", 1, 0, 0, 0, a.time & 0xFFFFFFFF)
    out = ctypes.create_string_buffer(8)
    data = head + socket.inet_aton(a.ip)
    sodium.crypto_shorthash_siphash24(out, data, ctypes.c_ulonglong(len(data)),
                                      bytes.fromhex(a.secret))
    print((head + out.raw).hex())


def cmd_now(a):
    print(f"{time.monotonic():.6f}")


def cmd_until(a):
    d = a.t - time.monotonic()
    if d > 0:
        time.sleep(d)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("now")
    p = sub.add_parser("until")
    p.add_argument("t", type=float)
    p = sub.add_parser("attack")
    p.add_argument("--victim", required=True)
    p.add_argument("--sport", type=int, required=True)
    p.add_argument("--server", required=True)
    p.add_argument("--qname", default="big.test")
    p.add_argument("--qtype", default="TXT")
    p.add_argument("--rate", type=float, default=200)
    p.add_argument("--duration", type=float, required=True)
    p.add_argument("--cookie", default="", help="COOKIE option data (hex): forged or replayed")
    p.add_argument("--out", required=True)
    p = sub.add_parser("victim")
    p.add_argument("--bind", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--ready", required=True)
    p = sub.add_parser("client")
    p.add_argument("--bind", required=True)
    p.add_argument("--server", required=True)
    p.add_argument("--qname", required=True)
    p.add_argument("--qtype", default="A")
    p.add_argument("--interval", type=float, default=0.5)
    p.add_argument("--timeout", type=float, default=1.0)
    p.add_argument("--out", required=True)
    p = sub.add_parser("mint")
    p.add_argument("--secret", required=True)
    p.add_argument("--client-cookie", required=True)
    p.add_argument("--ip", required=True)
    p.add_argument("--time", type=int, required=True)
    p = sub.add_parser("recipe")
    p.add_argument("--sends", required=True)
    p.add_argument("--block-s", type=float, required=True)
    p.add_argument("--phases", type=int, default=20)
    p.add_argument("--delays-ms", type=float, nargs="+", default=[0.1, 0.5, 1.0, 2.0])
    p.add_argument("--out", required=True)
    a = ap.parse_args()
    {"attack": cmd_attack, "victim": cmd_victim, "client": cmd_client,
     "recipe": cmd_recipe, "mint": cmd_mint, "now": cmd_now, "until": cmd_until}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
