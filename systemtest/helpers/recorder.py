#!/usr/bin/env python3
"""The victim's services: an "internal web server" (8080) and a telnet-like service (23).

Records every connection it accepts as one JSON line (time, local and peer address, bytes received, the
first bytes) in LOG, so the system test can count what reached the victim. Stdlib only.
usage: recorder.py LOG ADDR:PORT... (IPv6 as [addr]:port)
"""
import json, socket, sys, threading, time

log_path = sys.argv[1]
lock = threading.Lock()


def record(entry):
    with lock, open(log_path, "a") as f:
        f.write(json.dumps(entry) + "\n")
        f.flush()


# The telnet-like service gives up on a silent peer after 3 s, like a login prompt would. The web server
# waits up to 30 s for the end of a request or the peer's EOF: nmap's bounce scan counts a port as open only
# when the server's LIST ends in 226, and the promiscuous server's throttled data link takes ~4 s for one
# listing line; hanging up earlier turns the control run's 226 into a 426 on a busy machine.
IDLE_TIMEOUT = {23: 3}
WEB_IDLE_TIMEOUT = 30


def serve_one(conn, local, peer):
    port = local[1]
    data = b""
    conn.settimeout(IDLE_TIMEOUT.get(port, WEB_IDLE_TIMEOUT))
    try:
        if port == 23:
            conn.sendall(b"victim login: ")
        while len(data) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
            if port != 23 and b"\r\n\r\n" in data:
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 17\r\n\r\ninternal web page")
                break
    except OSError:
        pass
    finally:
        conn.close()
    record({"event": "closed", "ts": time.time(), "local": "%s:%d" % local[:2], "peer": "%s:%d" % peer[:2],
            "bytes": len(data), "data": data[:300].decode("latin-1")})


def listen(spec):
    host, port = spec.rsplit(":", 1)
    host = host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((host, int(port)))
    s.listen(64)
    while True:
        conn, peer = s.accept()
        local = conn.getsockname()
        record({"event": "accepted", "ts": time.time(), "local": "%s:%d" % local[:2], "peer": "%s:%d" % peer[:2]})
        threading.Thread(target=serve_one, args=(conn, local, peer), daemon=True).start()


for spec in sys.argv[2:]:
    threading.Thread(target=listen, args=(spec,), daemon=True).start()
print("listening", flush=True)
while True:
    time.sleep(3600)
