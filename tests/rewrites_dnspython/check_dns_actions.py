#!/usr/bin/env python3
"""Independent check of ampguard's DNS rewrites (dataplane/dns_actions.cpp).

Reads the pcaps written by dns_actions_dump (<dir>/{tc,trunc}_{in,out}.pcap and
manifest.txt), decodes every frame with plain struct parsing and dnspython, and asserts:
- tc: the reply is a valid reply to its query (query.is_response(reply)), TC set, no
  records but an OPT exactly when the query had one (payload 1232, DO copied), the question
  byte-identical (0x20 case kept), MACs / IPs / ports swapped, VLAN tags kept;
- trunc: TC set, no answers or authority, the question and id kept, OPT as the manifest says
  (identical to the original's when present), addresses and ports unchanged, not a fragment;
- for every rewritten frame: IPv4 header checksum, UDP checksum and all lengths verify.
"""
import struct
import sys

import dns.flags
import dns.message
import dns.name

EDNS_SIZE = 1232


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    frames, off = [], 24
    while off < len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        frames.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return frames


def ones_sum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def decode(frame, verify):
    """Splits a frame into its layers; with verify, checks lengths and checksums."""
    p = {"dst_mac": frame[0:6], "src_mac": frame[6:12]}
    off, vlans = 12, b""
    while struct.unpack("!H", frame[off:off + 2])[0] in (0x8100, 0x88A8, 0x9100):
        vlans += frame[off:off + 4]
        off += 4
    p["vlans"] = vlans
    etype = struct.unpack("!H", frame[off:off + 2])[0]
    l3 = off + 2
    fragment = False
    if etype == 0x0800:
        ihl = (frame[l3] & 0x0F) * 4
        total, frag = struct.unpack("!H2xH", frame[l3 + 2:l3 + 8])
        fragment = (frag & 0x3FFF) != 0
        src, dst = frame[l3 + 12:l3 + 16], frame[l3 + 16:l3 + 20]
        l4, ip_end = l3 + ihl, l3 + total
        if verify:
            assert ones_sum(frame[l3:l3 + ihl]) == 0xFFFF, "IPv4 header checksum"
            assert ip_end == len(frame), "IPv4 total length"
        pseudo = src + dst + struct.pack("!BB", 0, 17)
    elif etype == 0x86DD:
        plen, nh = struct.unpack("!HB", frame[l3 + 4:l3 + 7])
        src, dst = frame[l3 + 8:l3 + 24], frame[l3 + 24:l3 + 40]
        l4, ip_end = l3 + 40, l3 + 40 + plen
        while nh != 17:
            fragment |= nh == 44
            hlen = 8 if nh == 44 else (frame[l4 + 1] + 1) * 8
            nh = frame[l4]
            l4 += hlen
        if verify:
            assert ip_end == len(frame), "IPv6 payload length"
        pseudo = src + dst + struct.pack("!H", 17)
    else:
        raise AssertionError("not IP")
    sport, dport, ulen = struct.unpack("!HHH", frame[l4:l4 + 6])
    if verify:
        assert not fragment, "rewritten frame is still a fragment"
        assert l4 + ulen == ip_end, "UDP length"
        udp = frame[l4:l4 + ulen]
        assert ones_sum(pseudo + struct.pack("!H", ulen) + udp) == 0xFFFF, "UDP checksum"
        assert udp[6:8] != b"\0\0", "UDP checksum missing"
    p.update(src=src, dst=dst, sport=sport, dport=dport, ip_version=4 if etype == 0x0800 else 6,
             dns=frame[l4 + 8:min(l4 + ulen, ip_end)])
    return p


def question_wire(wire):
    _, used = dns.name.from_wire(wire, 12)
    return wire[12:12 + used + 4]


def check_tc(query_frame, reply_frame):
    q, r = decode(query_frame, False), decode(reply_frame, True)
    assert (r["src_mac"], r["dst_mac"]) == (q["dst_mac"], q["src_mac"]), "MACs not swapped"
    assert r["vlans"] == q["vlans"], "VLAN tags changed"
    assert (r["src"], r["dst"]) == (q["dst"], q["src"]), "addresses not swapped"
    assert (r["sport"], r["dport"]) == (q["dport"], q["sport"]), "ports not swapped"
    query, reply = dns.message.from_wire(q["dns"]), dns.message.from_wire(r["dns"])
    assert query.is_response(reply), "not a reply to its query"
    assert reply.flags & dns.flags.TC, "TC clear"
    assert reply.flags & dns.flags.QR, "QR clear"
    assert (reply.flags & dns.flags.RD) == (query.flags & dns.flags.RD), "RD not copied"
    assert reply.rcode() == 0, "RCODE not NOERROR"
    assert not reply.answer and not reply.authority, "records in a TC reply"
    assert question_wire(r["dns"]) == question_wire(q["dns"]), "question bytes changed"
    assert (reply.edns >= 0) == (query.edns >= 0), "OPT presence differs from the query"
    if reply.edns >= 0:
        assert reply.payload == EDNS_SIZE, "OPT payload size"
        assert reply.edns == query.edns, "EDNS version"
        assert (reply.ednsflags & dns.flags.DO) == (query.ednsflags & dns.flags.DO), "DO bit"
        assert not reply.options, "options in the reply OPT"
    assert len(reply_frame) <= len(query_frame), "reply longer than query"


def check_trunc(in_frame, out_frame, want_opt, complete):
    a, b = decode(in_frame, False), decode(out_frame, True)
    for k in ("src_mac", "dst_mac", "vlans", "src", "dst", "sport", "dport"):
        assert a[k] == b[k], k + " changed"
    out = dns.message.from_wire(b["dns"])
    assert out.flags & dns.flags.TC, "TC clear"
    assert not out.answer and not out.authority, "records left in a truncated response"
    assert (out.edns >= 0) == want_opt, "OPT presence"
    assert len(out.additional) == 0, "additional records other than OPT"
    assert question_wire(b["dns"]) == question_wire(a["dns"]), "question bytes changed"
    assert b["dns"][0:4] == bytes([a["dns"][0], a["dns"][1], a["dns"][2] | 0x02, a["dns"][3]]), \
        "id or flags other than TC changed"
    if complete:
        orig = dns.message.from_wire(a["dns"])
        assert out.id == orig.id and out.question == orig.question, "id or question"
        assert out.rcode() == orig.rcode() and out.opcode() == orig.opcode(), "rcode/opcode"
        if want_opt:
            assert out.options == orig.options and out.payload == orig.payload, "OPT changed"
            assert out.ednsflags == orig.ednsflags, "EDNS flags changed"
    assert len(out_frame) < len(in_frame), "truncation did not shrink the frame"


def main(directory):
    pairs = {k: list(zip(read_pcap(f"{directory}/{k}_in.pcap"),
                         read_pcap(f"{directory}/{k}_out.pcap"))) for k in ("tc", "trunc")}
    failures, checked = 0, 0
    with open(f"{directory}/manifest.txt") as f:
        for line in f:
            kind, index, opt, complete, description = line.rstrip("\n").split(" ", 4)
            frame_in, frame_out = pairs[kind][int(index)]
            try:
                if kind == "tc":
                    check_tc(frame_in, frame_out)
                else:
                    check_trunc(frame_in, frame_out, opt == "opt=1", complete == "complete=1")
                checked += 1
                print(f"ok   {kind} {description}")
            except Exception as e:  # report every case, then fail once
                failures += 1
                print(f"FAIL {kind} {description}: {e!r}")
    assert checked + failures == len(pairs["tc"]) + len(pairs["trunc"]), "manifest mismatch"
    print(f"{checked} ok, {failures} failed")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
