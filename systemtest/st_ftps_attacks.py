"""System test: the attack catalogue over TLS. Each attack runs through a cleartext listener and through an FTPS
listener (client-tls required: every command travels inside TLS, python's ssl with the test CA); the gateway
must answer both the same way, with the same reason codes in the audit log. Attacks that only TLS has (CCC,
STARTTLS command injection, the port thief on the client's own address) run over TLS, the last with its clear
run as the control: without TLS session reuse the thief gets the file."""
import json
import os
import subprocess
import time

from st_attacks import audit_mark, audit_refusals, kernel_unmatched
from st_common import A, FWD_INSIDE_PORT, HELPERS, PY, UPSTREAMS, listening, nsrun, wait_for
from st_ftps_world import FTPS_PUBLIC_PORT, FWD_INSIDE_TLS_PORT
from st_world import gw_port


# Refusals only the relay's own data connections record: the forged 227's early server leg toward the forged
# port fails (data-connect-failed), while the kernel path connects nothing until the client does.
RELAY_ONLY = {"data-connect-failed"}


def ports(mode):
    """The public server's listeners: cleartext (CERT scenarios) and FTPS, for an upstream mode."""
    return gw_port("public", None, "4", mode), FTPS_PUBLIC_PORT + UPSTREAMS.index(mode)


class TlsAttacks:
    def __init__(self, world, fw, victim, kernel=False):
        """kernel: the gateway runs with data-path kernel (st_kernel). Only the clear runs are made (PROT P keeps
        the FTPS runs' data on the relay, which the runs without kernel covered), and each must get the replies
        and reasons of the relay's clear run, except the pinhole theft: the kernel resets the thief itself
        (kernel-unmatched). The attacks on TLS itself (CCC, injection) concern no data path: not repeated."""
        self.w, self.fw, self.victim, self.kernel = world, fw, victim, kernel
        self.tag = ", data-path kernel" if kernel else ""
        self.modes = (False,) if kernel else (False, True)
        self.rows = []

    def argv(self, script, tls, args):
        return [PY, os.path.join(HELPERS, script)] + (["--tls", self.fw.ca] if tls else []) + [str(a) for a in args]

    def save(self, name, tls, out):
        with open(os.path.join(self.w.logs, "attack-%s-%s%s.json" % (name, "tls" if tls else "clear",
                                                                     "-kernel" if self.kernel else "")), "w") as f:
            f.write(out)
        try:
            return json.loads(out)
        except ValueError:
            return {"results": [], "error": out[-300:]}

    def run(self, name, ns, script, args, who, tls):
        """Runs one attack; returns its transcript, the victim's connections and the gateway's refusals."""
        vm, am = self.victim.mark(), audit_mark(self.w)
        _, out = nsrun(ns, self.argv(script, tls, args), timeout=120)
        res = self.save(name, tls, out)
        time.sleep(0.3)  # the audit line of a refusal on a data connection may trail the client's reply
        got = [e for e in self.victim.since(vm) if e["event"] == "accepted"]
        return res, got, audit_refusals(self.w, who, am)

    def both(self, title, name, ns, script, args_for, who, reason, expect):
        """The attack in clear and over TLS: both must refuse with `reason` and leave the victim alone; the TLS
        run must get the same replies and the same refusals as the clear one. With kernel, the clear run alone,
        and it must match the relay's clear run (kept in the world by that run)."""
        seen = {}
        relay = self.w.__dict__.setdefault("clear_attacks", {})
        for tls in self.modes:
            res, got, ref = self.run(name, ns, script, args_for(tls), who, tls)
            replies = [{k: v for k, v in r.items() if k != "verb"} for r in res.get("results", [])]
            seen[tls] = (replies, sorted(ref))  # the codes: a count may differ with timing (see docs)
            obs = "%s; victim connections %d; ftpgate refused %s" % (
                ", ".join("%s %s" % (r.get("verb"), " ".join("%s=%s" % kv for kv in sorted(r.items()) if kv[0] != "verb"))
                          for r in res.get("results", [])) or res.get("error", "no transcript"), len(got), ref or "nothing")
            ok = bool(replies) and not got and ref.get(reason, 0) > 0 and res.get("uploaded", True)
            run = "clear" if not tls else "FTPS (same replies and reasons as in clear)"
            if tls or (self.kernel and name in relay):
                other, mine = (seen[False], seen[True]) if tls else (relay[name], seen[False])
                if self.kernel:
                    # On the kernel path ftpgate opens no data connection of its own before the client's, so
                    # a code only such a connection records is left out of the comparison.
                    other, mine = [(r, sorted(set(c) - RELAY_ONLY)) for r, c in (other, mine)]
                same = mine == other
                ok = ok and same
                obs += "" if same else "; differs from %s: %s / %s" % ("clear" if tls else "the relay", other[0],
                                                                       other[1])
                run += "" if tls else " (same replies and reasons as on the relay)"
            elif not self.kernel:
                relay[name] = seen[False]
            self.rows.append((title, run + self.tag, expect + "; audit " + reason, obs, ok))

    def catalogue(self):
        vic, atk_ftp = A["vic4"], "anonymous@%s:21" % A["atk4"]
        for mode in UPSTREAMS:
            self.both("filter bypass (upstream %s)" % mode, "bypass-" + mode, "st-atk", "attack.py",
                      lambda tls: ["bypass", A["out4"], ports(mode)[tls], vic, 8080], A["atk4"], "port-foreign-address",
                      "upload works; PORT/EPRT to victim:8080 refused (501), victim:8080 receives nothing")
        self.both("port scan via PORT", "scan", "st-atk", "attack_extra.py",
                  lambda tls: ["scan", A["out4"], ports("passive")[tls], vic, "22,23,8080"], A["atk4"],
                  "port-foreign-address", "PORT naming each victim port refused (501); victim sees nothing")
        self.both("privileged port", "privileged", "st-cli", "attack_extra.py",
                  lambda tls: ["privileged", A["out4"], ports("passive")[tls], A["cli4"]], A["cli4"], "port-privileged",
                  "PORT/EPRT naming the client's own ports 21 and 80 refused (501)")
        if not listening("st-atk", A["atk4"], 21):
            evil_log = os.path.join(self.w.logs, "attacker-ftpd.jsonl")
            self.w.procs.start("attacker-ftpd", "st-atk", [PY, os.path.join(HELPERS, "attack.py"), "evilftpd", A["atk4"],
                                                           "21", vic, "23", evil_log],
                               os.path.join(self.w.logs, "attacker-ftpd.out"))
            wait_for(lambda: listening("st-atk", A["atk4"], 21), 20, "the attacker's FTP server")
        inside = lambda tls: FWD_INSIDE_TLS_PORT if tls else FWD_INSIDE_PORT  # noqa: E731 (upstream passive)
        self.both("dynamic-filter hole (forward, inside client)", "applet", "st-in", "attack.py",
                  lambda tls: ["applet", A["in4"], inside(tls), atk_ftp, vic, 23], A["inc4"], "port-foreign-address",
                  "PORT/EPRT naming victim:23 refused (501); victim:23 receives nothing")
        self.both("forged 227 from the server (forward, inside client)", "forged227", "st-in", "attack_extra.py",
                  lambda tls: ["forged227", A["in4"], inside(tls), atk_ftp], A["inc4"], "pasv-foreign-address",
                  "the server's 227 names victim:8080; ftpgate connects to the server's address instead, victim "
                  "receives nothing")
        self.theft()
        self.tls_only()
        return self.rows

    def theft(self):
        """Pinhole theft: a thief on another address connects to the client's pinhole before the client does.
        On the kernel path (clear) the pinhole exists only for the client's address: the kernel resets the
        thief's connection and ftpgate reports it as kernel-unmatched; with PROT P the relay carries the data."""
        for tls in self.modes:
            am = audit_mark(self.w)
            res, thief, ref = self.steal("st-atk", tls, "theft")
            retr = (res.get("results") or [{}])[0]
            obs = "client: RETR %s, final %s, %d bytes; thief: %s; ftpgate refused %s" % (
                retr.get("retr"), retr.get("final"), res.get("bytes", 0), thief_text(thief), ref or "nothing")
            if self.kernel and not tls:
                unmatched = kernel_unmatched(self.w, am)
                obs += "; kernel-unmatched connections %d" % unmatched
                expect, ok = "the kernel resets the thief's connection, the client still gets the file; audit " \
                             "kernel-unmatched", not thief.get("connected") and unmatched > 0
            else:
                expect, ok = "the thief's connection is closed, the client still gets the file; audit " \
                             "data-peer-mismatch", ref.get("data-peer-mismatch", 0) > 0
            self.rows.append(("pinhole theft from another address", ("FTPS" if tls else "clear") + self.tag, expect,
                              obs, ok and thief.get("bytes", 0) == 0 and res.get("bytes", 0) > 0))

    def steal(self, thief_ns, tls, name):
        """Runs the theft's victim (st-cli) and the thief (thief_ns) in turn; returns both transcripts."""
        am = audit_mark(self.w)
        victim = subprocess.Popen(["ip", "netns", "exec", "st-cli"] + self.argv(
            "attack_extra.py", tls, ["theft", A["out4"], ports("passive")[tls], "welcome.txt"]),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        first = victim.stdout.readline().decode()
        try:
            pinhole = json.loads(first)["pinhole"]
        except (ValueError, KeyError):
            pinhole = 0
        thief = subprocess.Popen(["ip", "netns", "exec", thief_ns] + self.argv(
            "attack_extra.py", tls, ["thief", A["out4"], pinhole]), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        time.sleep(1)  # the thief connects (and under TLS sends its ClientHello) before the client does
        rest, _ = victim.communicate(b"go\n", timeout=90)
        res = self.save(name + "-victim-" + thief_ns, tls, rest.decode())
        thief = self.save(name + "-thief-" + thief_ns, tls, thief.communicate(timeout=60)[0].decode())
        time.sleep(0.3)
        return res, thief, audit_refusals(self.w, A["cli4"], am)

    def tls_only(self):
        """Attacks on TLS itself, and the port thief on the client's own address (clear run: the control)."""
        for name, expect, reason, want in () if self.kernel else (
                ("ccc", "CCC refused (533); the session stays in TLS", "ccc-refused", {"reply": 533}),
                ("inject", "USER pipelined behind AUTH TLS in clear is discarded: PWD after the handshake gets 530",
                 "tls-cleartext-injection", {"reply": 234, "then PWD": 530})):
            res, got, ref = self.run(name, "st-atk", "attack_extra.py", [name, A["out4"], ports("passive")[1]],
                                     A["atk4"], True)
            r = (res.get("results") or [{}])[0]
            self.rows.append((name.upper() if name == "ccc" else "STARTTLS command injection (CVE-2011-0411)",
                              "FTPS" + self.tag,
                              expect + "; audit " + reason, "%s; ftpgate refused %s" % (r or res.get("error"), ref or "nothing"),
                              all(r.get(k) == v for k, v in want.items()) and ref.get(reason, 0) > 0))
        for tls in self.modes:
            res, thief, ref = self.steal("st-cli", tls, "thief")
            obs = "thief: %s; client: RETR %s, final %s, %d bytes; ftpgate refused %s" % (
                thief_text(thief), (res.get("results") or [{}])[0].get("retr"), (res.get("results") or [{}])[0].get("final"),
                res.get("bytes", 0), ref or "nothing")
            if tls:
                self.rows.append(("port thief on the client's own address", "FTPS (require-data-session-reuse)" + self.tag,
                                  "the thief's TLS handshake does not resume the control session: refused, it gets no "
                                  "byte of the file; audit tls-data-session-not-reused", obs,
                                  thief.get("bytes", 0) == 0 and ref.get("tls-data-session-not-reused", 0) > 0))
            else:
                self.rows.append(("port thief on the client's own address", "control: clear" + self.tag,
                                  "the thief gets the file (an address check cannot tell it from the client)", obs,
                                  thief.get("first", "").startswith("Welcome")))


def thief_text(t):
    return "connected %s, TLS %s, %d bytes%s%s" % (t.get("connected"), t.get("tls"), t.get("bytes", 0),
                                                 (" (%r)" % t["first"][:20]) if t.get("first") else "",
                                                 ("; " + t["error"]) if t.get("error") else "")
