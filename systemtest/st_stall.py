"""System test, part 4: curl 7.88's 1 s stall (issue 11). Debian 12's curl fetches 200 small files over one
control connection in each passive mode; it stalls exactly 1 s on a transfer whose 227/229 is already readable
at its first poll after sending PASV/EPSV (fixed in curl 8.4.0). ftpgate answers only after the server answered
its own PASV, so the answer comes no sooner than a direct server's.

Whether curl sees the answer at that poll is a race, which depends on the scheduler. The check fixes its outcome:
curl, the gateway's event loops and vsftpd share one CPU; the event loops run SCHED_FIFO 2, so they run as soon
as they wake, taking the CPU from curl; curl runs SCHED_FIFO 1, so it runs as soon as the gateway waits, before
vsftpd or anything else on that CPU. Then curl finds the answer at its first poll (and stalls) exactly when the
gateway answered without waiting for the server. A control run through a listener with the early server leg
off (answered at once) must stall, and direct to vsftpd is a reference line."""
import os
import shutil
import statistics
import subprocess
import threading
import time

from st_common import A, STALL_CONTROL_PORT, hostport, log, sha256
from st_world import gw_port

FILES = 200
SIZE = 4096
SLOW = 0.5             # seconds of time_pretransfer: curl's stall is 1 s, a transfer here takes about 1 ms
STALL_LIMIT = int(os.environ.get("ST_STALL_LIMIT", "20"))  # stop a run after this many stalls (0: never)
GATEWAY_PRIO, CURL_PRIO = 2, 1


class Arrangement:
    """During the check: vsftpd (its sessions fork after) and the gateway's event loops (threads ftpgate-io-*,
    SCHED_FIFO) on one CPU, the gateway's other threads (compilers, GC, VM thread) on the others. A FIFO event
    loop that waits for one of those (class loading, a safepoint) must not starve it: on one CPU it would wait
    for the kernel's fair server, up to a second. Restores affinity and policy afterwards."""

    def __init__(self, gateway, server, cpu):
        self.gateway, self.server, self.cpu, self.saved, self.applied = gateway, server, cpu, {}, False
        self.others = (os.sched_getaffinity(gateway) - {cpu}) or {cpu}

    def tids(self):
        for pid in (self.gateway, self.server):
            for t in os.listdir("/proc/%d/task" % pid):
                yield pid, int(t)

    def apply(self):  # again before each run, for threads started since
        loops = 0
        for pid, tid in self.tids():
            try:
                if not self.applied:  # a thread started later is restored like its process's main thread
                    self.saved[tid] = (os.sched_getaffinity(tid), os.sched_getscheduler(tid),
                                       os.sched_getparam(tid).sched_priority)
                with open("/proc/%d/task/%d/comm" % (pid, tid)) as f:
                    loop = pid == self.gateway and f.read().startswith("ftpgate-io")
                if loop:
                    os.sched_setaffinity(tid, {self.cpu})
                    os.sched_setscheduler(tid, os.SCHED_FIFO, os.sched_param(GATEWAY_PRIO))
                    loops += 1
                else:
                    os.sched_setscheduler(tid, os.SCHED_OTHER, os.sched_param(0))
                    os.sched_setaffinity(tid, {self.cpu} if pid == self.server else self.others)
            except (ProcessLookupError, FileNotFoundError):
                pass  # the thread ended meanwhile
        self.applied = True
        if not loops:
            raise RuntimeError("no ftpgate-io threads in the gateway (pid %d)" % self.gateway)

    def restore(self):
        for pid, tid in self.tids():
            aff, pol, prio = self.saved.get(tid) or self.saved.get(pid) or (self.others | {self.cpu}, os.SCHED_OTHER, 0)
            try:
                os.sched_setscheduler(tid, pol, os.sched_param(prio))
                os.sched_setaffinity(tid, aff)
            except (ProcessLookupError, FileNotFoundError):
                pass


def make_files(world):
    d = os.path.join(world.work, "vsroot", "stall")
    os.makedirs(d, exist_ok=True)
    sums = {}
    for i in range(1, FILES + 1):
        path = os.path.join(d, "f%d.bin" % i)
        with open(path, "wb") as f:
            f.write(os.urandom(SIZE))
        sums["f%d.bin" % i] = sha256(path)
    return sums


def fetch(world, name, ns, host, port, mode, cpu, stop_at):
    """One curl process, 200 files over one connection; stops it at the stop_at-th stall (0: never).
    -> (times, curl's exit status or 'stopped', output directory, transcript path)"""
    out = os.path.join(world.work, "stall", "%s-%s" % (name, mode))
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    argv = ["ip", "netns", "exec", ns, "taskset", "-c", str(cpu), "chrt", "-f", str(CURL_PRIO),
            "curl", "-sS", "--connect-timeout", "15", "--max-time", "30"] + (["--disable-epsv"] if mode == "PASV" else [])
    # %{stderr}: unbuffered, so each time arrives when its transfer starts (stdout to a pipe is block-buffered)
    argv += ["ftp://%s/stall/f[1-%d].bin" % (hostport(host, port), FILES), "-o", os.path.join(out, "f#1.bin"),
             "-w", "%{stderr}%{time_pretransfer}\\n"]
    transcript = os.path.join(world.logs, "stall-%s-%s.txt" % (name, mode))
    times, other, status = [], [], None
    with open(transcript, "w") as log_f:
        log_f.write(" ".join(argv) + "\n")
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        watchdog = threading.Timer(30 + 1.2 * FILES, p.kill)  # 200 stalls and some: a hung curl ends here
        watchdog.start()
        for line in p.stderr:
            text = line.decode("utf-8", "replace").strip()
            log_f.write(text + "\n")
            try:
                times.append(float(text))
            except ValueError:
                other.append(text)
                continue
            if stop_at and sum(t > SLOW for t in times) >= stop_at:
                p.kill()
                status = "stopped"
                break
        rc = p.wait()
        watchdog.cancel()
        status = status or rc
    return times, status, out, other


def summarize(times):
    slow = [(i + 1, t) for i, t in enumerate(times) if t > SLOW]
    return slow, ("%d transfers, max %.3f s, median %.4f s, %d stalls" % (
        len(times), max(times), statistics.median(times), len(slow)) if times else "no transfer")


def named(slow):
    return ", ".join("f%d %.3f s" % s for s in slow[:10]) + (" and %d more" % (len(slow) - 10) if len(slow) > 10 else "")


def check_stall(world):
    """-> rows (ok, title, observation, counts as a failure)"""
    sums = make_files(world)
    cpu = max(os.sched_getaffinity(0))
    vsftpd = [p for n, p in world.procs.procs if n == "vsftpd4"][0]
    arr = Arrangement(world.gateway.pid, vsftpd.pid, cpu)
    paths = [("ftpgate", "through ftpgate (reverse, vsftpd, early server leg on)", "st-cli", A["out4"],
              gw_port("rev", "vsftpd", "4", "passive"), STALL_LIMIT),
             ("direct", "direct to vsftpd (reference)", "st-gw", A["srv4"], 21, STALL_LIMIT),
             ("control", "control: early server leg off (answers at once; must stall)", "st-cli", A["out4"],
              STALL_CONTROL_PORT, 1)]
    rows = []
    try:
        for name, title, ns, host, port, stop_at in paths:
            for mode in ("EPSV", "PASV"):
                arr.apply()
                t0 = time.time()
                times, status, out, other = fetch(world, name, ns, host, port, mode, cpu, stop_at)
                slow, line = summarize(times)
                line += " (%.1f s)" % (time.time() - t0)
                log("curl stall check: %s %s: %s" % (name, mode, line))
                if name == "control":
                    ok = bool(slow)
                    obs = ("stalled at %s; stopped there" % named(slow)) if ok else \
                        "%s, status %s: the check cannot see a gateway that answers at once" % (line, status)
                    rows.append((ok, "%s %s" % (title, mode), obs, True))
                    continue
                bad = []
                if status != 0:
                    bad.append("curl %s%s" % ("stopped after %d stalls" % stop_at if status == "stopped"
                                              else "exit status %s" % status, (": " + other[-1]) if other else ""))
                if status != "stopped":
                    got = [f for f in sorted(sums) if os.path.exists(os.path.join(out, f))
                           and sha256(os.path.join(out, f)) == sums[f]]
                    if len(got) != FILES:
                        bad.append("%d of %d files arrived intact" % (len(got), FILES))
                if slow:
                    bad.append("slow: " + named(slow))
                rows.append((not bad, "%s %s" % (title, mode), "; ".join([line] + bad), name == "ftpgate"))
                if not bad:
                    shutil.rmtree(out, ignore_errors=True)
    finally:
        arr.restore()
    return rows
