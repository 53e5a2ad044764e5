#!/usr/bin/env python3
"""A throw-away model of the planned kernel data path, to measure what it could give before it is built in
ftpgate: a minimal FTP control relay that answers the client's EPSV/PASV with a pinhole port of its own and,
instead of relaying the data connection, installs a single-use nftables mapping (bench/probe/nft_netlink.py's
messages) so that the kernel forwards the client's connection to the server's passive port.

It is NOT a gateway: no policy, no line checks, no active mode, one address family, and it trusts the server.
It exists only so that bench/kernel-path-probe.sh can put a number on the design. The relayed control lines
are handled by two blocking threads per session, as plainly as possible.

Usage (in the gateway namespace, with the table from kernel-path-probe.sh): kernel_path_proxy.py LISTEN_IP
    LISTEN_PORT SERVER_IP SERVER_PORT
"""
import os
import re
import socket
import struct
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nft_netlink as nl  # noqa: E402

PINHOLES = range(61000, 62000)
TIMEOUT_MS = 30000


class Pinholes:
    """Installs mappings on one netlink socket; remembers which ports still have a `target` element."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, nl.NETLINK_NETFILTER)
        self.sock.bind((0, 0))
        self.lock = threading.Lock()
        self.seq = 1
        self.next = 0
        self.mapped = set()

    def arm(self, client_ip, server_ip, server_port):
        with self.lock:
            port = PINHOLES[self.next % len(PINHOLES)]
            self.next += 1
            key = nl.addr_port(client_ip, port)
            kind = (nl.NFNL_SUBSYS_NFTABLES << 8) | nl.NFT_MSG_NEWSETELEM
            delete = (nl.NFNL_SUBSYS_NFTABLES << 8) | 14  # NFT_MSG_DELSETELEM
            flags = nl.NLM_F_REQUEST | nl.NLM_F_ACK
            s = self.seq
            msgs = [nl.message(nl.NFNL_MSG_BATCH_BEGIN, nl.NLM_F_REQUEST, s, socket.AF_UNSPEC, b"",
                               nl.NFNL_SUBSYS_NFTABLES)]
            if (client_ip, port) in self.mapped:  # the last use's mapping outlives its single use
                msgs.append(nl.message(delete, flags, s + 1, nl.NFPROTO_IPV4,
                                       nl.element("ftpgate", "target", key, None, 0, timeout=False)))
            msgs += [nl.message(kind, flags | nl.NLM_F_CREATE, s + 2, nl.NFPROTO_IPV4,
                                nl.element("ftpgate", "armed", key, None, TIMEOUT_MS)),
                     nl.message(kind, flags | nl.NLM_F_CREATE, s + 3, nl.NFPROTO_IPV4,
                                nl.element("ftpgate", "target", key, nl.addr_port(server_ip, server_port),
                                           TIMEOUT_MS)),
                     nl.message(nl.NFNL_MSG_BATCH_END, nl.NLM_F_REQUEST, s + 4, socket.AF_UNSPEC, b"",
                                nl.NFNL_SUBSYS_NFTABLES)]
            self.seq += 5
            self.sock.send(b"".join(msgs))
            nl.await_acks(self.sock, len(msgs) - 2)
            self.mapped.add((client_ip, port))
            return port


def lines(sock):
    buf = b""
    while True:
        data = sock.recv(65536)
        if not data:
            return
        buf += data
        while b"\r\n" in buf:
            line, buf = buf.split(b"\r\n", 1)
            yield line


def session(client, server_addr, pinholes):
    server = socket.create_connection(server_addr)
    for s in (client, server):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    client_ip = client.getpeername()[0]
    gateway_ip = client.getsockname()[0]
    pending = []  # "EPSV" or "PASV": the client's form, answered when the server's 227 comes

    def from_server():
        for line in lines(server):
            if pending and line.startswith(b"227 "):
                form = pending.pop(0)
                h = [int(x) for x in re.search(rb"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", line).groups()]
                # Only the port is taken from the 227; the address is always the control peer's.
                port = pinholes.arm(client_ip, server_addr[0], h[4] * 256 + h[5])
                if form == b"EPSV":
                    reply = b"229 Entering Extended Passive Mode (|||%d|)" % port
                else:
                    reply = b"227 Entering Passive Mode (%s,%d,%d)" % (
                        gateway_ip.replace(".", ",").encode(), port // 256, port % 256)
                client.sendall(reply + b"\r\n")
            else:
                client.sendall(line + b"\r\n")
        client.close()

    threading.Thread(target=from_server, daemon=True).start()
    for line in lines(client):
        verb = line.split(b" ", 1)[0].upper()
        if verb in (b"EPSV", b"PASV"):
            pending.append(verb)
            server.sendall(b"PASV\r\n")
        else:
            server.sendall(line + b"\r\n")
    server.close()


def main():
    listen_ip, listen_port, server_ip, server_port = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    pinholes = Pinholes()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((listen_ip, listen_port))
    srv.listen(128)
    print("kernel-path model listening on %s:%d -> %s:%d" % (listen_ip, listen_port, server_ip, server_port),
          flush=True)
    while True:
        client, _ = srv.accept()
        threading.Thread(target=session, args=(client, (server_ip, server_port), pinholes), daemon=True).start()


if __name__ == "__main__":
    main()
