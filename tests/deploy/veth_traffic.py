#!/usr/bin/python3
"""Traffic through ampguard between two veth ends (run inside the test's namespace).

  veth_traffic.py RESOLVER_IFACE INTERNET_IFACE

Sends, from the resolver side, 30 back-to-back 1000-byte DNS responses to one destination
and, from the internet side, 5 DNS queries to the resolver; prints how many of each arrived on
the other side as JSON. Raw AF_PACKET sockets: no addresses on the interfaces needed.
"""
import json
import socket
import struct
import sys
import time

resolver_if, internet_if = sys.argv[1], sys.argv[2]
RESOLVER, VICTIM, CLIENT = "10.53.0.1", "198.51.100.7", "198.51.100.20"
MAC_R, MAC_I = b"\x02\x00\x00\x00\x00\x01", b"\x02\x00\x00\x00\x00\x02"


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    return ~(s + (s >> 16)) & 0xFFFF


def frame(src_mac, dst_mac, src, dst, sport, dport, dns, ip_total):
    udp_len = ip_total - 20
    payload = dns + b"\0" * (udp_len - 8 - len(dns))
    udp = struct.pack("!HHHH", sport, dport, udp_len, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_total, 1, 0, 64, 17, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return dst_mac + src_mac + b"\x08\x00" + ip + udp


def dns(qr, qid):
    question = b"\x01a\x04test\x00" + struct.pack("!HH", 1, 1)
    flags = 0x8180 if qr else 0x0100
    return struct.pack("!HHHHHH", qid, flags, 1, 0, 0, 0) + question


def sock(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    s.bind((iface, 0))
    s.settimeout(0.2)
    return s


r, i = sock(resolver_if), sock(internet_if)


def received(s, dst, seconds=2.0):
    n, end = 0, time.time() + seconds
    while time.time() < end:
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        if len(data) >= 34 and data[12:14] == b"\x08\x00" and data[30:34] == socket.inet_aton(dst):
            n += 1
    return n


for q in range(5):
    i.send(frame(MAC_I, MAC_R, CLIENT, RESOLVER, 40000 + q, 53, dns(False, q), 60))
queries = received(r, RESOLVER)
for q in range(30):
    r.send(frame(MAC_R, MAC_I, RESOLVER, VICTIM, 53, 40000, dns(True, q), 1000))
responses = received(i, VICTIM)
print(json.dumps({"queries_sent": 5, "queries_arrived": queries,
                  "large_responses_sent": 30, "large_responses_arrived": responses}))
