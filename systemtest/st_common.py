"""System test, shared parts: the test network's addresses, the matrix's dimensions, and small helpers
(logging, commands in namespaces, processes, waiting, reading packet captures). Stdlib only."""
import hashlib
import os
import re
import signal
import struct
import subprocess
import threading
import time


HERE = os.path.dirname(os.path.abspath(__file__))


REPO = os.path.dirname(HERE)


HELPERS = os.path.join(HERE, "helpers")


PY = "/usr/bin/python3"  # Debian's python: the one python3-pyftpdlib installs into


A = {  # addresses (documentation ranges only); see world.sh
    "cli4": "203.0.113.10", "cli6": "2001:db8:1::10",
    "atk4": "203.0.113.66", "atk6": "2001:db8:1::66",
    "out4": "203.0.113.1", "out6": "2001:db8:1::1",
    "in4": "198.51.100.1", "in6": "2001:db8:2::1",
    "srv4": "198.51.100.20", "srv6": "2001:db8:2::20",
    "vic4": "198.51.100.30", "vic6": "2001:db8:2::30",
    "inc4": "198.51.100.40",
}


GW_OUT = {A["out4"], A["out6"]}


GW_IN = {A["in4"], A["in6"]}


CLIENTS = ["curl", "lftp", "tnftp", "commons-net"]


MODES = ["pasv4", "epsv4", "port4", "eprt4", "epsv6", "eprt6"]


VERB = {"pasv": "PASV", "epsv": "EPSV", "port": "PORT", "eprt": "EPRT"}


SERVERS = ["vsftpd", "pyftpdlib", "mina"]


PLACEMENTS = ["rev", "fwd"]


UPSTREAMS = ["passive", "active"]


# Cells a client cannot express at all (not failures): lftp sends EPRT only on IPv6.
NOT_APPLICABLE = {("lftp", "eprt4"): "lftp sends EPRT only over IPv6 (PORT over IPv4)"}


PUBLIC_PORT = 2100          # the promiscuous "public" pyftpdlib of the attack scenarios


FWD_INSIDE_PORT = 2121      # ftpgate forward listener on the inside (the dynamic-filter scenario)


STALL_CONTROL_PORT = 2150   # ftpgate reverse listener to vsftpd with the early server leg off (curl stall control)


_lock = threading.Lock()


def log(msg):
    with _lock:
        print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def same_direction(mode, upstream):
    """Whether a client mode (pasv4, eprt6...) and an upstream mode run the data legs the same direction: the
    transfers the kernel data path carries (docs/data-paths.md)."""
    return (mode[:-1] in ("pasv", "epsv")) == (upstream == "passive")


def audit_mark(world):
    """The audit log's line count: what a later audit_events(world, mark) starts after."""
    return len(open(os.path.join(world.logs, "audit.jsonl")).read().splitlines())


def audit_events(world, since=0):
    """The audit log's records after line `since`; a last line the writer has not finished is left out."""
    import json
    out = []
    for line in open(os.path.join(world.logs, "audit.jsonl")).read().splitlines()[since:]:
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tally(results):
    """Cell results: the count per status, the failed ones and those that passed on a retry (pass*)."""
    counts = {}
    for r in results.values():
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    by_id = sorted(results.values(), key=lambda r: r["id"])
    return counts, [r for r in by_id if r["status"] == "FAIL"], [r for r in by_id if r["status"] == "pass*"]


def check_lines(checks):
    """The summary's text of (name, observed, ok) checks."""
    return "\n".join("%-4s %s\n     %s" % ("ok" if ok else "FAIL", name, obs) for name, obs, ok in checks)


def scenario_lines(rows):
    """The summary's text of (scenario, run, expected, observed, ok) rows."""
    return "\n".join("%-4s %s / %s\n     expected: %s\n     observed: %s" % ("ok" if ok else "FAIL", s, run, exp, obs)
                     for s, run, exp, obs, ok in rows)


def sh(argv, timeout=60, check=False, **kw):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout, **kw)
    out = r.stdout.decode("utf-8", "replace")
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(argv), r.returncode, out[-2000:]))
    return r.returncode, out


def nsrun(ns, argv, timeout=60, **kw):
    return sh(["ip", "netns", "exec", ns] + argv, timeout=timeout, **kw)


def hostport(host, port):
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


class Procs:
    """Every long-running process of the test, started in its own process group so it can be stopped."""

    def __init__(self):
        self.procs = []

    def start(self, name, ns, argv, logfile, cwd=None):
        f = open(logfile, "ab")
        p = subprocess.Popen(["ip", "netns", "exec", ns] + argv, stdout=f, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True, cwd=cwd)
        self.procs.append((name, p))
        return p

    def stop(self, p, sig=signal.SIGTERM):
        if p.poll() is None:
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                return
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(5)

    def stop_all(self):
        for _, p in reversed(self.procs):
            self.stop(p)


def wait_for(pred, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.1)
    raise RuntimeError("timed out waiting for " + what)


def listening(ns, addr, port):
    _, out = nsrun(ns, ["ss", "-Hltn"])
    want = hostport(addr, port)
    return any(want in line or ("[::ffff:%s]:%d" % (addr, port)) in line for line in out.splitlines())


def read_pcap(path):
    """Yields (src, dst, sport, dport, flags, payload) for each TCP packet of an Ethernet pcap."""
    import ipaddress
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(pkt) < 14:
            continue
        etype = struct.unpack("!H", pkt[12:14])[0]
        ip = pkt[14:]
        if etype == 0x0800 and len(ip) >= 20:
            ihl = (ip[0] & 15) * 4
            if ip[9] != 6:
                continue
            total = struct.unpack("!H", ip[2:4])[0]
            src, dst = str(ipaddress.IPv4Address(ip[12:16])), str(ipaddress.IPv4Address(ip[16:20]))
            tcp = ip[ihl:total]
        elif etype == 0x86DD and len(ip) >= 40:
            if ip[6] != 6:
                continue
            plen = struct.unpack("!H", ip[4:6])[0]
            src, dst = str(ipaddress.IPv6Address(ip[8:24])), str(ipaddress.IPv6Address(ip[24:40]))
            tcp = ip[40:40 + plen]
        else:
            continue
        if len(tcp) < 20:
            continue
        sport, dport = struct.unpack("!HH", tcp[:4])
        doff = (tcp[12] >> 4) * 4
        yield src, dst, sport, dport, tcp[13], tcp[doff:]


def commons_net_classpath():
    repo = os.environ.get("MAVEN_REPO", os.path.expanduser("~/.m2/repository"))
    pom = open(os.path.join(REPO, "pom.xml")).read()
    m = re.search(r"<artifactId>commons-net</artifactId>\s*<version>([^<]+)</version>", pom)
    version = m.group(1) if m else None
    base = os.path.join(repo, "commons-net", "commons-net")
    if not version or not os.path.isdir(os.path.join(base, version)):
        raise RuntimeError("commons-net not found in %s: run 'mvn -B verify' first" % base)
    jar = os.path.join(base, version, "commons-net-%s.jar" % version)
    npom = open(os.path.join(base, version, "commons-net-%s.pom" % version)).read()
    m = re.search(r"<artifactId>commons-io</artifactId>\s*<version>([^<]+)</version>", npom)
    io_base = os.path.join(repo, "commons-io", "commons-io")
    io_version = m.group(1) if m and os.path.isdir(os.path.join(io_base, m.group(1))) else None
    if io_version is None:
        versions = [v for v in os.listdir(io_base) if os.path.exists(os.path.join(io_base, v, "commons-io-%s.jar" % v))]
        if not versions:
            raise RuntimeError("commons-io (needed by commons-net) not found in " + io_base)
        io_version = max(versions, key=lambda v: [int(x) if x.isdigit() else 0 for x in v.split(".")])
    return jar + ":" + os.path.join(io_base, io_version, "commons-io-%s.jar" % io_version)
