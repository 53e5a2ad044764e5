#!/usr/bin/env python3
"""kernel_crowd.py — the client side of bench/kernel-crowd.sh: many FTP sessions at once, one transfer each.

    kernel_crowd.py crowd HOST PORT SESSIONS SOURCES MANIFEST UPLOAD_DIR
    kernel_crowd.py hold HOST PORT SESSIONS SOURCE

crowd: SESSIONS threads, session i from source address SOURCES[i % len] (comma-separated), data mode
PASV/EPSV/PORT/EPRT by i % 4; every fifth session uploads (STOR up/crowd-i.bin of 256 KiB + i bytes),
the others download a file of MANIFEST (lines "sha256 size name", one per file under the login directory).
All sessions log in first; only then do all of them send their data command, so the transfers overlap;
and each holds its data connection after the first block (read, or about to be written) until all have
theirs, so that every data connection is open at once. Meanwhile the command in SNAPSHOT_CMD (if set; its
output: `nft -j list table ...`) is run and the elements of each set are printed, and so is the output of
CONNTRACK_CMD (if set: how many translated data connections the gateway's conntrack holds).
Each download's sha256 is checked as it arrives; each upload's on the server's disk (UPLOAD_DIR, the same
machine) after the crowd. Prints key=value lines and exits 1 unless every session succeeded uncorrupted.

hold: SESSIONS sessions from SOURCE each send EPSV (arming a pinhole) and never connect; prints
"armed=N" and then waits to be killed (bench/kernel-crowd.sh's crash check).
"""
import ftplib
import hashlib
import json
import os
import random
import subprocess
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
    stats = {"ok": 0, "corrupted": 0, "failed": 0, "bytes": 0, "in_transfer": 0, "peak": 0, "logged_in": 0,
             "flowing": 0}
    errors = []
    go = threading.Event()
    flowing = threading.Event()
    proceed = threading.Event()
    logins = threading.Semaphore(LOGINS_AT_ONCE)
    uploads = {}

    def note(key, amount=1):
        with lock:
            stats[key] += amount

    def first_block():
        """A data connection is open and has moved its first block: wait until all have and the snapshot is
        taken (or a minute)."""
        note("flowing")
        if stats["flowing"] >= n - stats["failed"]:
            flowing.set()
        proceed.wait(60)

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
                c.storbinary("STOR up/crowd-%d.bin" % i, _Reader(data, first_block))
                uploads[i] = (hashlib.sha256(data).hexdigest(), len(data))
                note("bytes", len(data))
                note("ok")
            else:
                sha, size, name = files[i % len(files)]
                h = hashlib.sha256()
                got = [0]

                def chunk(b):
                    if got[0] == 0:
                        first_block()
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
    all_open = flowing.wait(TIMEOUT)
    snapshot = table_elements() if all_open else "-"
    conntrack = run(os.environ.get("CONNTRACK_CMD")).strip() if all_open else "-"
    proceed.set()
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
    print("client_peak_in_transfer=%d data_connections_open_at_once=%d of %d" % (
        stats["peak"], stats["flowing"] if all_open else 0, n))
    print("table_while_all_open: " + snapshot)
    print("conntrack_while_all_open: " + conntrack)
    print("ok=%d corrupted=%d failed=%d bytes=%d" % (stats["ok"], stats["corrupted"], stats["failed"], stats["bytes"]))
    for e in errors[:20]:
        print("error " + e)
    good = stats["ok"] == n and stats["corrupted"] == 0
    print("result=" + ("PASS" if good else "FAIL"))
    return 0 if good else 1


def run(cmd):
    """The standard output of a shell command; empty without one."""
    return subprocess.run(cmd, shell=True, capture_output=True, text=True, check=False).stdout if cmd else ""


def table_elements():
    """The elements of each set of the table SNAPSHOT_CMD lists (nft's JSON), as name=count."""
    out = run(os.environ.get("SNAPSHOT_CMD"))
    if not out:
        return "-"
    counts = {}
    for o in json.loads(out)["nftables"]:
        for k in ("set", "map"):
            if k in o:
                counts[o[k]["name"]] = len(o[k].get("elem", []))
    return " ".join("%s=%d" % kv for kv in sorted(counts.items()))


class _Reader:
    """A file-like view of bytes for storbinary; calls first() once, before the first block."""

    def __init__(self, data, first):
        self.data, self.pos, self.first = data, 0, first

    def read(self, size):
        if self.pos == 0 and self.first:
            self.first, first = None, self.first
            first()
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
