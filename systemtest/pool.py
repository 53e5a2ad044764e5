#!/usr/bin/env python3
"""A pool of two ftpgate instances behind Debian's HAProxy, in front of vsftpd, in network namespaces px-*.

    sudo systemtest/pool.py [--sessions 200] [--design 2|1] [--keep-logs DIR]

    px-cli  clients   203.0.113.100-149 (50 addresses)            switch px-swo
    px-lb   HAProxy   203.0.113.1 (front) | 192.0.2.1, 192.0.2.2 (untrusted source)   switch px-swm
    px-g1   ftpgate   192.0.2.11 | 203.0.113.11 (design 1 data) | 198.51.100.11        switch px-swi
    px-g2   ftpgate   192.0.2.12 | 203.0.113.12                 | 198.51.100.12
    px-srv  vsftpd    198.51.100.20

Phase 1: SESSIONS concurrent sessions of mixed transfers (download with SHA-256, upload checked on the server's
disk, listing) through HAProxy; every instance's audit must name the real clients, via the balancer.
Phase 2: the same crowd, and instance g1 stopped (SIGTERM) mid-run: its sessions end, g2's are untouched, new
sessions after the stop all reach g2, and no completed transfer has a wrong byte.
Phase 3: a balancer source outside proxy-protocol-from is refused (proxy-untrusted).
Only documentation addresses, only namespaces this script creates (px-*), removed at the end.
"""
import argparse
import concurrent.futures
import ftplib
import hashlib
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from st_common import Procs, listening, log, sh, wait_for  # noqa: E402
from st_world import VSFTPD_CONF  # noqa: E402

NAMESPACES = ["px-cli", "px-lb", "px-g1", "px-g2", "px-srv", "px-swo", "px-swm", "px-swi"]
CLIENT_ADDRS = ["203.0.113.%d" % i for i in range(100, 150)]
FRONT = "203.0.113.1"
LB = "192.0.2.1"
LB_UNTRUSTED = "192.0.2.2"
# Design 1: the balancer reaches the instances on the outside segment, so that the pinholes (bound to the
# control connection's local address) are where clients connect; it sends from these addresses there.
LB_OUT = "203.0.113.2"
LB_OUT_UNTRUSTED = "203.0.113.3"
GW = {"g1": ("192.0.2.11", "203.0.113.11", "198.51.100.11"), "g2": ("192.0.2.12", "203.0.113.12", "198.51.100.12")}
SRV = "198.51.100.20"
CONTROL = 2121
DATA = (61000, 61007)
UNTRUSTED_FRONT = 2122


def world_down():
    for ns in NAMESPACES:
        if ns in sh(["ip", "netns", "list"])[1].split():
            for pid in sh(["ip", "netns", "pids", ns])[1].split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            sh(["ip", "netns", "del", ns])


def world_up():
    world_down()
    for ns in NAMESPACES:
        sh(["ip", "netns", "add", ns], check=True)
        sh(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
    for sw in ("px-swo", "px-swm", "px-swi"):
        sh(["ip", "-n", sw, "link", "add", "br0", "type", "bridge"], check=True)
        sh(["ip", "-n", sw, "link", "set", "br0", "up"], check=True)

    def link(ns, ifname, sw, port, *addrs):
        sh(["ip", "link", "add", ifname, "netns", ns, "type", "veth", "peer", "name", port, "netns", sw], check=True)
        sh(["ip", "-n", sw, "link", "set", port, "master", "br0", "up"], check=True)
        sh(["ip", "-n", ns, "link", "set", ifname, "up"], check=True)
        for a in addrs:
            sh(["ip", "-n", ns, "addr", "add", a, "dev", ifname], check=True)

    link("px-cli", "eth0", "px-swo", "p-cli", *[a + "/24" for a in CLIENT_ADDRS])
    link("px-lb", "out", "px-swo", "p-lb", FRONT + "/24", LB_OUT + "/24", LB_OUT_UNTRUSTED + "/24")
    link("px-lb", "mid", "px-swm", "p-lb", LB + "/24", LB_UNTRUSTED + "/24")
    for name, (mid, out, inside) in GW.items():
        ns = "px-" + name
        link(ns, "mid", "px-swm", "p-" + name, mid + "/24")
        link(ns, "out", "px-swo", "p-" + name, out + "/24")
        link(ns, "in", "px-swi", "p-" + name, inside + "/24")
    link("px-srv", "eth0", "px-swi", "p-srv", SRV + "/24")


def instance(name, design):
    """The address the balancer reaches instance NAME on, and the balancer's source address (trusted, not)."""
    return (GW[name][0], LB, LB_UNTRUSTED) if design == 2 else (GW[name][1], LB_OUT, LB_OUT_UNTRUSTED)


def gateway_yaml(name, design, audit):
    addr, lb, _ = instance(name, design)
    lines = ["audit-log: %s" % audit, "listeners:", "  - name: %s" % name, "    listen: \"%s:%d\"" % (addr, CONTROL),
             "    upstream: %s:21" % SRV, "    client-data-ports: %d-%d" % DATA, "    proxy-protocol: v2",
             "    proxy-protocol-from: [%s/32]" % lb, "    anonymous-write: true"]
    lines += ["    data-proxy-protocol: v2"] if design == 2 else ["    public-address: %s" % addr]
    return "\n".join(lines) + "\n"


def haproxy_cfg(design):
    servers = "".join("    server %s %s:%d send-proxy-v2 source %s check check-send-proxy inter 300ms fall 1 rise 2\n"
                      % ((n,) + instance(n, design)[:1] + (CONTROL, instance(n, design)[1])) for n in GW)
    cfg = ("global\n    maxconn 4096\ndefaults\n    mode tcp\n    timeout connect 5s\n    timeout client 120s\n"
           "    timeout server 120s\nfrontend ftp\n    bind %s:21\n    default_backend ftpgate\n"
           "backend ftpgate\n    balance source\n    hash-type consistent\n%s" % (FRONT, servers))
    if design == 2:
        cfg += ("frontend ftp-data\n    bind %s:%d-%d\n    default_backend ftpgate-data\nbackend ftpgate-data\n"
                "    balance source\n    hash-type consistent\n" % (FRONT, DATA[0], DATA[1]))
        cfg += "".join("    server %s %s send-proxy-v2 source %s track ftpgate/%s\n" % (n, GW[n][0], LB, n)
                       for n in GW)
    # A balancer the instances do not trust (another source address): its sessions must be refused.
    addr, _, untrusted = instance("g1", design)
    cfg += ("frontend untrusted\n    bind %s:%d\n    default_backend untrusted\nbackend untrusted\n"
            "    server g1 %s:%d send-proxy-v2 source %s\n" % (FRONT, UNTRUSTED_FRONT, addr, CONTROL, untrusted))
    return cfg


# ------------------------------------------------------------------ the clients (run inside px-cli)

def one_session(i, files, design, rounds, pause):
    """One session: login, then ROUNDS x (download a file, upload a blob, list). Returns what happened."""
    src = CLIENT_ADDRS[i % len(CLIENT_ADDRS)]
    done = []
    rng = random.Random(i)
    try:
        ftp = ftplib.FTP(source_address=(src, 0), timeout=60)
        ftp.trust_server_pasv_ipv4_address = design == 1  # design 1: data goes where the 227 says
        ftp.connect(FRONT, 21)
        ftp.login()
        for r in range(rounds):
            name, sha = rng.choice(sorted(files.items()))
            h = hashlib.sha256()
            ftp.retrbinary("RETR pub/" + name, h.update)
            done.append(["get", name, h.hexdigest() == sha])
            blob = rng.randbytes(rng.randrange(0, 300_000))
            up = "pub/u-%d-%d.bin" % (i, r)
            ftp.storbinary("STOR " + up, io.BytesIO(blob))
            done.append(["put", up, hashlib.sha256(blob).hexdigest()])
            ftp.nlst("pub")
            time.sleep(pause)
        ftp.quit()
        return {"i": i, "src": src, "done": done, "error": None}
    except Exception as e:  # noqa: BLE001 (the outcome is the point)
        return {"i": i, "src": src, "done": done, "error": "%s: %s" % (type(e).__name__, e)}


def clients_main(args):
    files = json.load(open(args.files))
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.sessions) as pool:
        futures = [pool.submit(one_session, args.first + i, files, args.design, args.rounds, args.pause)
                   for i in range(args.sessions)]
        results = [f.result() for f in futures]
    json.dump(results, sys.stdout)


# ------------------------------------------------------------------ the test (run on the host)

class Pool:
    def __init__(self, args):
        self.args = args
        self.work = tempfile.mkdtemp(prefix="ftpgate-pool-")
        self.logs = os.path.join(self.work, "logs")
        os.makedirs(self.logs)
        self.procs = Procs()
        self.failures = []
        self.passed = 0
        self.jar = os.environ.get("FTPGATE_JAR", os.path.join(os.path.dirname(HERE), "target", "ftpgate.jar"))

    def check(self, ok, what):
        log(("ok   " if ok else "FAIL ") + what)
        if ok:
            self.passed += 1
        else:
            self.failures.append(what)

    def start(self):
        w = self.work
        for sub in ("empty", "vsroot", "vsroot/pub"):
            os.makedirs(os.path.join(w, sub), exist_ok=True)
        os.chmod(w, 0o755)
        os.chmod(os.path.join(w, "vsroot"), 0o755)
        os.chmod(os.path.join(w, "vsroot/pub"), 0o777)
        self.files = {}
        for n in range(12):
            data = os.urandom((n * 40_009) % 500_000)
            name = "d%02d.bin" % n
            open(os.path.join(w, "vsroot/pub", name), "wb").write(data)
            self.files[name] = hashlib.sha256(data).hexdigest()
        json.dump(self.files, open(os.path.join(w, "files.json"), "w"))
        conf = os.path.join(w, "vsftpd.conf")
        open(conf, "w").write(VSFTPD_CONF % dict(listen="listen=YES\nlisten_ipv6=NO\nlisten_address=%s" % SRV,
                                                 root=os.path.join(w, "vsroot"), empty=os.path.join(w, "empty"),
                                                 log=os.path.join(self.logs, "vsftpd.log")))
        self.procs.start("vsftpd", "px-srv", ["/usr/sbin/vsftpd", conf], os.path.join(self.logs, "vsftpd.out"))
        wait_for(lambda: listening("px-srv", SRV, 21), 10, "vsftpd")
        self.gw = {}
        for name in GW:
            self.start_gateway(name)
        cfg = os.path.join(w, "haproxy.cfg")
        open(cfg, "w").write(haproxy_cfg(self.args.design))
        self.procs.start("haproxy", "px-lb", ["/usr/sbin/haproxy", "-db", "-f", cfg],
                         os.path.join(self.logs, "haproxy.out"))
        wait_for(lambda: listening("px-lb", FRONT, 21), 10, "haproxy")
        time.sleep(1.5)  # the health checks mark both instances up

    def start_gateway(self, name):
        audit = os.path.join(self.logs, name + ".audit.jsonl")
        conf = os.path.join(self.work, name + ".yaml")
        open(conf, "w").write(gateway_yaml(name, self.args.design, audit))
        self.gw[name] = self.procs.start(name, "px-" + name, ["java", "-Xmx384m", "-jar", self.jar, "run",
                                                              "--config", conf],
                                         os.path.join(self.logs, name + ".out"))
        wait_for(lambda: listening("px-" + name, instance(name, self.args.design)[0], CONTROL), 30, name)

    def crowd(self, sessions, first, rounds, pause):
        argv = [sys.executable, os.path.abspath(__file__), "--clients", "--files", os.path.join(self.work, "files.json"),
                "--sessions", str(sessions), "--first", str(first), "--design", str(self.args.design),
                "--rounds", str(rounds), "--pause", str(pause)]
        return subprocess.Popen(["ip", "netns", "exec", "px-cli"] + argv, stdout=subprocess.PIPE,
                                stderr=open(os.path.join(self.logs, "clients.err"), "ab"))

    def verify(self, results, label):
        """Every completed transfer is byte-exact: downloads by their SHA-256, uploads on the server's disk."""
        bad = 0
        count = 0
        for r in results:
            for kind, name, v in r["done"]:
                count += 1
                if kind == "get":
                    bad += 0 if v else 1
                else:
                    path = os.path.join(self.work, "vsroot", name)
                    with open(path, "rb") as f:
                        bad += 0 if hashlib.sha256(f.read()).hexdigest() == v else 1
        self.check(bad == 0, "%s: %d completed transfers, %d with a wrong byte" % (label, count, bad))
        return count

    def audit(self, name):
        path = os.path.join(self.logs, name + ".audit.jsonl")
        return [json.loads(line) for line in open(path)] if os.path.exists(path) else []

    def phase1(self):
        t = time.time()
        p = self.crowd(self.args.sessions, 0, 2, 0)
        results = json.loads(p.communicate(timeout=600)[0])
        errors = [r for r in results if r["error"]]
        self.check(not errors, "phase 1: %d sessions through HAProxy in %.1f s, %d failed%s" % (
            len(results), time.time() - t, len(errors), (": " + errors[0]["error"]) if errors else ""))
        self.verify(results, "phase 1")
        clients = set()
        for name in GW:
            lb = instance(name, self.args.design)[1]
            opens = [e for e in self.audit(name) if e["event"] == "session-open" and e.get("via", "").startswith(lb)]
            real = {e["client"].rsplit(":", 1)[0] for e in opens} - {lb}
            self.check(real <= set(CLIENT_ADDRS) and len(real) > 0,
                       "phase 1: %s audit names %d real client addresses, via the balancer" % (name, len(real)))
            clients |= real
        self.check(clients == set(CLIENT_ADDRS), "phase 1: all %d client addresses seen across the pool"
                   % len(CLIENT_ADDRS))

    def phase2(self):
        before = {n: len(self.audit(n)) for n in GW}
        p = self.crowd(self.args.sessions, 1000, 6, 0.5)
        time.sleep(2.0)
        log("stopping g1 (SIGTERM) with the crowd running")
        self.procs.stop(self.gw["g1"])
        results = json.loads(p.communicate(timeout=600)[0])
        g1_sessions = {e["session"] for e in self.audit("g1")[before["g1"]:] if e["event"] == "session-open"}
        g1_clients = {e["client"].rsplit(":", 1)[0] for e in self.audit("g1")[before["g1"]:]
                      if e["event"] == "session-open"}
        ended = [e for e in self.audit("g1")[before["g1"]:] if e["event"] == "session-close"]
        reasons = sorted({e["reason"] for e in ended})
        self.check(len(ended) == len(g1_sessions) and "gateway-shutdown" in reasons,
                   "phase 2: g1's %d sessions each closed and recorded (reasons: %s)" % (len(g1_sessions),
                                                                                          ", ".join(reasons)))
        on_g2 = [r for r in results if r["src"] not in g1_clients]
        failed_g2 = [r for r in on_g2 if r["error"]]
        self.check(not failed_g2, "phase 2: %d sessions of g2's clients unaffected, %d failed%s" % (
            len(on_g2), len(failed_g2), (": " + failed_g2[0]["error"]) if failed_g2 else ""))
        self.check(any(r["error"] for r in results if r["src"] in g1_clients) or not g1_clients,
                   "phase 2: g1's sessions ended early (%d of them)" % sum(1 for r in results if r["error"]))
        self.verify(results, "phase 2")
        time.sleep(1.0)  # HAProxy's check marks g1 down
        p = self.crowd(min(50, self.args.sessions), 2000, 1, 0)
        after = json.loads(p.communicate(timeout=600)[0])
        errors = [r for r in after if r["error"]]
        self.check(not errors, "phase 2: %d new sessions after the stop, all served by g2, %d failed%s" % (
            len(after), len(errors), (": " + errors[0]["error"]) if errors else ""))
        self.verify(after, "phase 2, after the stop")

    def phase3(self):
        self.start_gateway("g1")
        script = ("import ftplib\ntry:\n    ftplib.FTP().connect('%s', %d, timeout=10)\n    print('greeted')\n"
                  "except Exception as e:\n    print('refused', type(e).__name__)" % (FRONT, UNTRUSTED_FRONT))
        p = subprocess.run(["ip", "netns", "exec", "px-cli", sys.executable, "-c", script], capture_output=True,
                           text=True, timeout=30)
        out = p.stdout.strip()
        time.sleep(0.5)
        refused = [e for e in self.audit("g1") if e["event"] == "refused" and e["reason"] == "proxy-untrusted"]
        untrusted = instance("g1", self.args.design)[2]
        self.check(out.startswith("refused") and bool(refused) and refused[-1]["client"].startswith(untrusted),
                   "phase 3: a balancer outside proxy-protocol-from: the client is %s, the audit says proxy-untrusted"
                   " from %s" % (out, refused[-1]["client"] if refused else "-"))

    def run(self):
        try:
            world_up()
            self.start()
            self.phase1()
            self.phase2()
            self.phase3()
        finally:
            self.procs.stop_all()
            world_down()
            if self.args.keep_logs:
                shutil.copytree(self.logs, self.args.keep_logs, dirs_exist_ok=True)
            shutil.rmtree(self.work, ignore_errors=True)
        print("pool-design-%d: %d passed, %d failed" % (self.args.design, self.passed, len(self.failures)), flush=True)
        for f in self.failures:
            log("  failed: " + f)
        return 1 if self.failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--design", type=int, choices=(1, 2), default=2)
    ap.add_argument("--keep-logs")
    ap.add_argument("--clients", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--files", help=argparse.SUPPRESS)
    ap.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--rounds", type=int, default=2, help=argparse.SUPPRESS)
    ap.add_argument("--pause", type=float, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.clients:
        clients_main(args)
        return 0
    if os.geteuid() != 0:
        print("pool.py: must run as root (network namespaces)", file=sys.stderr)
        return 2
    return Pool(args).run()


if __name__ == "__main__":
    sys.exit(main())
