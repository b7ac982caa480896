#!/usr/bin/env python3
"""Helpers of the visibility tests, independent of ampguard's code.

  vistool.py send IFACE PCAP          send every frame of PCAP out of IFACE (AF_PACKET), in order
  vistool.py frames FILE              print each frame of a pcap or pcapng file as hex, one a line
  vistool.py telemetry SOCKET CMD     print the JSON reply of a DPDK telemetry command
"""
import json
import socket
import struct
import sys
import time


def read_pcap(data):
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        end = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        end = ">"
    else:
        raise ValueError("not a pcap file")
    off, frames = 24, []
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(end + "IIII", data[off:off + 16])
        frames.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return frames


def read_pcapng(data):
    off, frames, end = 0, [], "<"
    while off + 12 <= len(data):
        btype = struct.unpack(end + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:  # section header: its byte-order magic decides the endianness
            end = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        blen = struct.unpack(end + "I", data[off + 4:off + 8])[0]
        if btype == 6:  # enhanced packet block
            caplen = struct.unpack(end + "I", data[off + 20:off + 24])[0]
            frames.append(data[off + 28:off + 28 + caplen])
        off += blen
    return frames


def frames(path):
    data = open(path, "rb").read()
    if data[:4] == b"\x0a\x0d\x0d\x0a":
        return read_pcapng(data)
    return read_pcap(data)


def send(iface, path):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for i, f in enumerate(frames(path)):
        s.send(f)
        if i % 32 == 31:
            time.sleep(0.002)  # keep the receiving pcap ring from overflowing


def telemetry(path, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    greeting = json.loads(s.recv(1 << 16).decode())
    s.send(cmd.encode())
    reply = json.loads(s.recv(greeting.get("max_output_len", 16384)).decode())
    print(json.dumps(reply[cmd]))


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "send":
        send(sys.argv[2], sys.argv[3])
    elif what == "frames":
        for f in frames(sys.argv[2]):
            print(f.hex())
    elif what == "telemetry":
        telemetry(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
