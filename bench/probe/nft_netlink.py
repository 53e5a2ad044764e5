#!/usr/bin/env python3
"""Installs pinholes the way a gateway speaking nf_tables netlink itself would: per pinhole, one netlink
transaction (batch begin, an element for the `armed` set, one for the `target` map, batch end), sent on one
long-lived socket, and waits for the kernel's acknowledgement of both before the next. Prints the wall time and
this process's CPU per pinhole, split into user (Python building messages) and system (the kernel's work).

Usage (inside the namespace bench/nft-probe.sh prepares): nft_netlink.py N
The table `ip ftpgate` with set `armed` and map `target` (keys ipv4_addr . inet_service) must exist.
"""
import os
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_NFTABLES = 10
NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END = 0x10, 0x11
NFT_MSG_NEWSETELEM = 12
NLM_F_REQUEST, NLM_F_ACK, NLM_F_CREATE = 0x1, 0x4, 0x400
NLMSG_ERROR = 2
NLA_F_NESTED = 0x8000
NFPROTO_IPV4 = 2
# enum nft_set_elem_list_attributes, nft_list_attributes, nft_set_elem_attributes, nft_data_attributes
LIST_TABLE, LIST_SET, LIST_ELEMENTS = 1, 2, 3
LIST_ELEM = 1
ELEM_KEY, ELEM_DATA, ELEM_TIMEOUT = 1, 2, 4
DATA_VALUE = 1


def attr(kind, payload, nested=False):
    """One netlink attribute, padded to 4 bytes."""
    head = struct.pack("=HH", 4 + len(payload), kind | (NLA_F_NESTED if nested else 0))
    return head + payload + b"\0" * (-len(payload) % 4)


def message(kind, flags, seq, family, body, res_id=0):
    payload = struct.pack("=BBH", family, 0, socket.htons(res_id)) + body
    return struct.pack("=IHHII", 16 + len(payload), kind, flags, seq, 0) + payload


def addr_port(ip, port):
    """A concatenated key ipv4_addr . inet_service: each part padded to 4 bytes, network order."""
    return socket.inet_aton(ip) + struct.pack(">H", port) + b"\0\0"


def element(table, set_name, key, data, timeout_ms, timeout=True):
    elem = attr(ELEM_KEY, attr(DATA_VALUE, key), nested=True)
    if timeout:
        elem += attr(ELEM_TIMEOUT, struct.pack(">Q", timeout_ms))
    if data is not None:
        elem += attr(ELEM_DATA, attr(DATA_VALUE, data), nested=True)
    return (attr(LIST_TABLE, table.encode() + b"\0") + attr(LIST_SET, set_name.encode() + b"\0")
            + attr(LIST_ELEMENTS, attr(LIST_ELEM, elem, nested=True), nested=True))


def install(sock, seq, client, pinhole_port, server, server_port):
    """One transaction: arm (client . pinhole port) and map it to (server . port); True once both are acked."""
    key = addr_port(client, pinhole_port)
    kind = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWSETELEM
    flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE
    batch = (message(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, seq, socket.AF_UNSPEC, b"", NFNL_SUBSYS_NFTABLES)
             + message(kind, flags, seq + 1, NFPROTO_IPV4, element("ftpgate", "armed", key, None, 30000))
             + message(kind, flags, seq + 2, NFPROTO_IPV4,
                       element("ftpgate", "target", key, addr_port(server, server_port), 30000))
             + message(NFNL_MSG_BATCH_END, NLM_F_REQUEST, seq + 3, socket.AF_UNSPEC, b"", NFNL_SUBSYS_NFTABLES))
    sock.send(batch)
    await_acks(sock, 2)
    return True


def await_acks(sock, expected):
    """Reads the kernel's answers until `expected` messages are acknowledged; exits on any error."""
    acked = 0
    while acked < expected:
        data = sock.recv(65536)
        off = 0
        while off < len(data):
            length, kind_in, _, _, _ = struct.unpack_from("=IHHII", data, off)
            if kind_in == NLMSG_ERROR:
                error = struct.unpack_from("=i", data, off + 16)[0]
                if error != 0:
                    sys.exit("netlink error %d (%s)" % (error, os.strerror(-error)))
                acked += 1
            off += (length + 3) & ~3


def main():
    n = int(sys.argv[1])
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.bind((0, 0))
    seq = 1
    install(sock, seq, "192.0.2.10", 1024, "198.51.100.20", 30000)  # one uncounted, to fail early
    t0, c0 = time.time(), os.times()
    for i in range(1, n + 1):
        seq += 4
        install(sock, seq, "192.0.2.10", 1024 + i, "198.51.100.20", 30000 + i % 30000)
    wall, c1 = time.time() - t0, os.times()
    print("netlink, one transaction per pinhole: %d pinholes: %4.0f us wall, %4.0f us CPU per pinhole"
          " (%.0f user: Python building messages; %.0f system: the kernel)"
          % (n, wall / n * 1e6, (c1.user + c1.system - c0.user - c0.system) / n * 1e6,
             (c1.user - c0.user) / n * 1e6, (c1.system - c0.system) / n * 1e6))


if __name__ == "__main__":
    main()
