#!/usr/bin/env python3
"""kernel_crowd.py — the client side of bench/kernel-crowd.sh: many FTP sessions at once, one transfer each.

    kernel_crowd.py crowd HOST PORT SESSIONS SOURCES MANIFEST UPLOAD_DIR
    kernel_crowd.py hold HOST PORT SESSIONS SOURCE

crowd: SESSIONS threads, session i from source address SOURCES[i % len] (comma-separated), data mode
PASV/EPSV/PORT/EPRT by i % 4; every fifth session uploads (STOR up/crowd-i.bin of 256 KiB + i bytes),
the others download a file of MANIFEST (lines "sha256 size name", one per file under the login directory).
All sessions log in first; only then do all of them send their data command, so the transfers overlap.
Each download's sha256 is checked as it arrives; each upload's on the server's disk (UPLOAD_DIR, the same
machine) after the crowd. Prints key=value lines and exits 1 unless every session succeeded uncorrupted.

hold: SESSIONS sessions from SOURCE each send EPSV (arming a pinhole) and never connect; prints
"armed=N" and then waits to be killed (bench/kernel-crowd.sh's crash check).
"""
import ftplib
import hashlib
import os
import random
import socket
import sys
import threading
import time

TIMEOUT = 180  # seconds per socket operation: 1,000 sessions share two cores with the gateway and vsftpd
# Logins in progress at once. vsftpd listens with a fixed backlog of 32 (VSFTP_LISTEN_BACKLOG), so 1,000
# simultaneous connects overflow its queue, SYNs are dropped, and some of the gateway's connects give up
# (421 "the server cannot be reached"). The transfers, not the logins, are what must overlap.
LOGINS_AT_ONCE = 32
MODES = ("PASV", "EPSV", "PORT", "EPRT")


class Client(ftplib.FTP):
    """ftplib with the extended commands on IPv4 too (ftplib sends EPSV/EPRT only over IPv6)."""

    mode = "PASV"

    def makepasv(self):
        if self.mode == "EPSV":
            return ftplib.parse229(self.sendcmd("EPSV"), self.sock.getpeername())
        return super().makepasv()

    def sendport(self, host, port):
        if self.mode == "EPRT":
            return self.sendeprt(host, port)
        return super().sendport(host, port)


def login(host, port, source, mode):
    c = Client(timeout=TIMEOUT)
    c.connect(host, port, source_address=(source, 0))
    c.login("bench", "bench")
    c.voidcmd("TYPE I")
    c.mode = mode
    c.set_pasv(mode in ("PASV", "EPSV"))
    return c


def crowd(host, port, n, sources, manifest, upload_dir):
    files = [line.split() for line in open(manifest) if line.strip()]
    lock = threading.Lock()
    stats = {"ok": 0, "corrupted": 0, "failed": 0, "bytes": 0, "in_transfer": 0, "peak": 0, "logged_in": 0}
    errors = []
    go = threading.Event()
    logins = threading.Semaphore(LOGINS_AT_ONCE)
    uploads = {}

    def note(key, amount=1):
        with lock:
            stats[key] += amount

    def session(i):
        mode = MODES[i % 4]
        try:
            with logins:
                c = login(host, port, sources[i % len(sources)], mode)
        except Exception as e:  # noqa: BLE001 - the report names every failure
            note("failed")
            with lock:
                errors.append("session %d login: %s" % (i, e))
            note("logged_in")
            return
        note("logged_in")
        go.wait()
        try:
            with lock:
                stats["in_transfer"] += 1
                stats["peak"] = max(stats["peak"], stats["in_transfer"])
            if i % 5 == 0:
                data = random.Random(i).randbytes(256 * 1024 + i)
                c.storbinary("STOR up/crowd-%d.bin" % i, _Reader(data))
                uploads[i] = (hashlib.sha256(data).hexdigest(), len(data))
                note("bytes", len(data))
                note("ok")
            else:
                sha, size, name = files[i % len(files)]
                h = hashlib.sha256()
                got = [0]

                def chunk(b):
                    h.update(b)
                    got[0] += len(b)
                c.retrbinary("RETR " + name, chunk, blocksize=65536)
                note("bytes", got[0])
                if h.hexdigest() == sha and got[0] == int(size):
                    note("ok")
                else:
                    note("corrupted")
                    with lock:
                        errors.append("session %d %s %s: %d bytes, sha256 mismatch" % (i, mode, name, got[0]))
        except Exception as e:  # noqa: BLE001
            note("failed")
            with lock:
                errors.append("session %d %s: %s" % (i, mode, e))
        finally:
            with lock:
                stats["in_transfer"] -= 1
            try:
                c.quit()
            except Exception:  # noqa: BLE001 - the transfer's verdict is already counted
                c.close()

    threading.stack_size(512 * 1024)
    threads = [threading.Thread(target=session, args=(i,)) for i in range(n)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    while stats["logged_in"] < n and time.monotonic() - t0 < TIMEOUT:
        time.sleep(0.1)
    t1 = time.monotonic()
    go.set()
    for t in threads:
        t.join()
    t2 = time.monotonic()
    for i, (sha, size) in sorted(uploads.items()):
        path = os.path.join(upload_dir, "crowd-%d.bin" % i)
        with open(path, "rb") as f:
            disk = f.read()
        os.remove(path)
        if hashlib.sha256(disk).hexdigest() != sha or len(disk) != size:
            stats["ok"] -= 1
            stats["corrupted"] += 1
            errors.append("session %d upload: %d bytes on disk, sha256 mismatch" % (i, len(disk)))
    print("sessions=%d sources=%d modes=%s uploads=%d downloads=%d" % (
        n, len(sources), "/".join(MODES), len(range(0, n, 5)), n - len(range(0, n, 5))))
    print("login_phase_s=%.1f transfer_phase_s=%.1f" % (t1 - t0, t2 - t1))
    print("client_peak_in_transfer=%d" % stats["peak"])
    print("ok=%d corrupted=%d failed=%d bytes=%d" % (stats["ok"], stats["corrupted"], stats["failed"], stats["bytes"]))
    for e in errors[:20]:
        print("error " + e)
    good = stats["ok"] == n and stats["corrupted"] == 0
    print("result=" + ("PASS" if good else "FAIL"))
    return 0 if good else 1


class _Reader:
    """A file-like view of bytes for storbinary."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def read(self, size):
        b = self.data[self.pos:self.pos + size]
        self.pos += len(b)
        return b


def hold(host, port, n, source):
    sessions = []
    for _ in range(n):
        c = login(host, port, source, "EPSV")
        c.sendcmd("EPSV")
        sessions.append(c)
    print("armed=%d" % len(sessions), flush=True)
    while True:
        time.sleep(60)


def main(argv):
    if len(argv) == 7 and argv[0] == "crowd":
        return crowd(argv[1], int(argv[2]), int(argv[3]), argv[4].split(","), argv[5], argv[6])
    if len(argv) == 5 and argv[0] == "hold":
        return hold(argv[1], int(argv[2]), int(argv[3]), argv[4])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
