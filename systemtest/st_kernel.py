"""System test, part 7: the kernel data path (issue 14, docs/data-paths.md). ftpgate restarts with data-path:
kernel on every listener, in a gateway namespace that now forwards, but only what the kernel path translated
(the guard table below). Then a part of the matrix runs again (every client and mode against vsftpd in both
placements, two modes against pyftpdlib and MINA) with cells that must fall back to the relay (mixed
directions, FTPS); every cell checks its audit records' data-path. The NAT and audit checks follow, then the
CERT scenarios and the attack catalogue with the same verdicts (only the pinhole thief in clear is refused by
the kernel itself: kernel-unmatched). After each part the gateway's table holds no pinhole element, and at the
end ftpgate stops and its table is gone."""
import json
import re
import subprocess
import time

from st_attacks import Victim, scenario_bypass, scenario_dynamic_filter, scenario_port_scan
from st_checks import audit_checks, nat_checks
from st_common import (CLIENTS, check_lines, MODES, NOT_APPLICABLE, PLACEMENTS, VERB, audit_events, audit_mark, log, nsrun,
                       same_direction, scenario_lines, tally)
from st_ftps import FtpsCell
from st_ftps_attacks import TlsAttacks
from st_ftps_world import SCENARIOS
from st_matrix import Cell, run_cells


# The gateway namespace forwards for the kernel path (ip_forward=1, IPv6 forwarding for the IPv6 cells), but
# nothing else may cross it: the segments stay connected only through ftpgate, as with the relay (world.sh).
GUARD = """table inet st_guard {
  chain forward { type filter hook forward priority filter; policy drop;
    ct status dnat accept
  }
}
"""


# Against pyftpdlib and MINA (reverse placement only, to keep the run short): IPv4 passive and IPv6 active.
OTHER_SERVER_MODES = ("epsv4", "eprt6")


# Cells on the kernel gateway whose two legs run opposite directions: they must stay on the relay.
FALLBACKS = [("curl", "pasv4", "active"), ("curl", "port4", "passive"), ("lftp", "epsv6", "active"),
             ("commons-net", "eprt4", "passive"), ("tnftp", "epsv4", "active")]


# The sets and maps that hold a pinhole's elements (KernelRuleset); killedN keep theirs 30 s on purpose.
TABLE_SETS = ("armed", "target", "source", "flows", "first")
CORE_SETS = TABLE_SETS


# How long an element may outlive the test's last transfer: an unused pinhole goes when it expires (the test's
# configuration sets the pinhole timeout to 15 s), plus a margin.
TABLE_WAIT = 20


def forwarding(on):
    """Turns forwarding in the gateway namespace on (with the guard table) or off (without it)."""
    flag = "1" if on else "0"
    nsrun("st-gw", ["sysctl", "-qw", "net.ipv4.ip_forward=" + flag, "net.ipv6.conf.all.forwarding=" + flag],
          check=True)
    nsrun("st-gw", ["nft", "delete", "table", "inet", "st_guard"])
    if on:
        r = subprocess.run(["ip", "netns", "exec", "st-gw", "nft", "-f", "-"], input=GUARD.encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode:
            raise RuntimeError("nft (guard table): " + r.stdout.decode())


def gateway_tables():
    _, out = nsrun("st-gw", ["nft", "list", "tables"])
    return re.findall(r"^table inet (ftpgate_\S+)", out, re.M)


def table_elements(table):
    """The elements (nft's JSON) per set or map of TABLE_SETS (both families) in the gateway's table."""
    rc, out = nsrun("st-gw", ["nft", "-j", "list", "table", "inet", table])
    if rc:
        raise RuntimeError("nft list table inet %s: %s" % (table, out.strip()[-300:]))
    counts = {}
    for item in json.loads(out)["nftables"]:
        for kind in ("set", "map"):
            s = item.get(kind)
            if s and s["name"].rstrip("46") in TABLE_SETS:
                counts[s["name"]] = s.get("elem", [])
    return counts


def table_check(table, when):
    """Waits up to TABLE_WAIT s for the pinhole sets to empty; the check says what was left, or how long it took."""
    t0 = time.time()
    while True:
        try:
            counts = table_elements(table)
        except (RuntimeError, ValueError, KeyError) as e:
            return ("kernel table %s: no pinhole element left %s" % (table, when), "cannot read it: %s" % e, False)
        left = {k: len(v) for k, v in sorted(counts.items()) if v}
        if not left or time.time() - t0 > TABLE_WAIT:
            break
        time.sleep(1)
    want = {n + v for n in CORE_SETS for v in "46"}
    first = [(k, v[0]) for k, v in sorted(counts.items()) if v][:1]
    return ("kernel table %s: no pinhole element left %s" % (table, when),
            "elements left: %s (after %.0f s)%s; sets checked: %s%s" % (
                left or "none", time.time() - t0, "".join("; first in %s: %s" % (k, json.dumps(e)[:300]) for k, e in first),
                " ".join(sorted(counts)), "; missing: %s" % sorted(want - set(counts)) if want - set(counts) else ""),
            not left and want <= set(counts))


def kernel_cells(world, fw, only):
    """The kernel dimension: every client and mode against vsftpd in both placements, OTHER_SERVER_MODES against
    pyftpdlib and MINA (reverse), each with the upstream mode of the same direction; then the fallbacks, and
    with fw (FTPS on) lftp in every FTPS scenario (PROT P on a side keeps the transfer on the relay)."""
    def upstream(mode):
        return "passive" if same_direction(mode, "passive") else "active"
    cells = [Cell(world, c, m, "vsftpd", p, upstream(m), path="kernel") for c in CLIENTS for m in MODES
             for p in PLACEMENTS]
    cells += [Cell(world, c, m, s, "rev", upstream(m), path="kernel") for s in ("pyftpdlib", "mina") for c in CLIENTS
              for m in OTHER_SERVER_MODES]
    cells += [Cell(world, c, m, "vsftpd", "rev", u, path="kernel") for c, m, u in FALLBACKS]
    if fw:
        cells += [FtpsCell(world, fw, s, "lftp", "pasv4", "passive", path="kernel") for s in SCENARIOS]
    return [c for c in cells if not only or re.search(only, c.id)]


def kernel_table(cells, results):
    cols = [("vsftpd", "rev"), ("vsftpd", "fwd"), ("pyftpdlib", "rev"), ("mina", "rev")]
    lines = ["%-20s" % "client / mode" + "".join("%-14s" % ("%s/%s" % (s[:6], p)) for s, p in cols),
             "%-20s" % "" + "(upstream mode of the client's direction; data-path kernel expected)"]
    lines.append("-" * len(lines[0]))
    for c in CLIENTS:
        for m in MODES:
            row = "%-20s" % ("%s %s" % (c, m))
            for s, p in cols:
                r = results.get("kernel-%s-%s-%s-%s-%s" % (c, m, s, p, "passive" if same_direction(m, "passive")
                                                           else "active"))
                row += "%-14s" % (r["status"] if r else ".")
            lines.append(row.rstrip())
    fallbacks = [c for c in cells if c.expect_path == "relay"]
    if fallbacks:
        lines += ["", "Fallback cells (data-path relay expected):"]
        lines += ["  %-6s %s" % (results[c.id]["status"], c.id) for c in fallbacks if c.id in results]
    return "\n".join(lines)


def path_check(world, since):
    """Every transfer since `since`: kernel exactly when its listener is cleartext (not ftps-*) and its client
    and server modes run the same direction."""
    events = audit_events(world, since)
    listener = {e["session"]: e.get("listener", "") for e in events if e["event"] == "session-open"}
    passive = {VERB["pasv"], VERB["epsv"]}
    counts, wrong = {}, []
    for e in events:
        if e["event"] != "transfer":
            continue
        same = (e.get("client-mode") in passive) == (e.get("server-mode") in passive)
        want = "kernel" if same and not listener.get(e["session"], "").startswith("ftps-") else "relay"
        counts[e.get("data-path")] = counts.get(e.get("data-path"), 0) + 1
        if e.get("data-path") != want:
            wrong.append("%s %s/%s: %s" % (listener.get(e["session"]), e.get("client-mode"), e.get("server-mode"),
                                           e.get("data-path")))
    return ("audit log: data-path kernel on every same-direction cleartext transfer, relay on every other",
            "transfers by data-path: %s; %d wrong%s" % (counts, len(wrong), (": " + wrong[0]) if wrong else ""),
            bool(counts) and not wrong)


def retransmitted():
    """TCP segments retransmitted so far by the client and the server hosts (nstat's TcpRetransSegs)."""
    total = 0
    for ns in ("st-cli", "st-srv"):
        _, out = nsrun(ns, ["nstat", "-asz", "TcpRetransSegs"])
        m = re.search(r"^TcpRetransSegs\s+(\d+)", out, re.M)
        total += int(m.group(1)) if m else 0
    return total


def bytes_check(world, since, retrans):
    """The kernel's byte count (docs/data-paths.md, "Bytes": the IP count less the headers) of the large file's
    kernel transfers: exact without loss, a little high with retransmissions, never low. A resumed download
    moves the file less the REST offset, and the record does not say which download resumed: either counts."""
    sizes = {world.big_size, world.big_size - world.partial}
    big = [e for e in audit_events(world, since) if e["event"] == "transfer" and e.get("data-path") == "kernel"
           and e.get("outcome") == "ok" and (e.get("path") or "").endswith("/big.bin")]
    low = [e for e in big if e.get("bytes", 0) < min(sizes) or (e["command"] == "STOR" and e["bytes"] < world.big_size)]
    exact = sum(1 for e in big if e.get("bytes") in sizes)
    return ("audit log: the kernel path's byte count of the %d-byte file is never low" % world.big_size,
            "%d transfers, %d exact, %d high, %d low%s; segments the client and server hosts retransmitted during "
            "the cells: %d" % (
                len(big), exact, len(big) - exact - len(low), len(low),
                (": %s %s %d" % (low[0]["command"], low[0]["path"], low[0]["bytes"])) if low else "", retrans),
            not low)


def run_kernel(world, fw, args):
    """Part 7; returns the summary's sections and the failures."""
    sections, failures, checks = [], [], []
    log("kernel data path: restarting ftpgate with data-path kernel on every listener")
    world.stop_gateway()
    forwarding(True)
    try:
        world.start_gateway("kernel")
        tables = gateway_tables()
        checks.append(("ftpgate starts with data-path kernel and installs its table", "tables: %s" % (tables or "none"),
                       len(tables) == 1))
        table = tables[0] if tables else "ftpgate_"
        if not args.skip_matrix:
            world.start_captures("-kernel")
            am, tm, rm = audit_mark(world), time.time(), retransmitted()
            cells = kernel_cells(world, None if args.skip_ftps else fw, args.only)
            results = run_cells(cells, args.jobs, "kernel")
            world.stop_captures()
            counts, fails, retried = tally(results)
            sections.append(("Kernel data path, matrix: %d cells in %.0fs: %s" % (
                len(results), time.time() - tm, ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items()))),
                kernel_table(cells, results) + "".join("\n  FAIL %s: %s\n    transcript: %s" % (
                    r["id"], "; ".join(r["reasons"]), r["transcript"]) for r in fails)
                + "".join("\n  pass* %s: %s" % (r["id"], " | ".join(r["failed_attempts"])) for r in retried)
                + "\n\nn/a: " + "; ".join("%s %s: %s" % (c, m, why) for (c, m), why in NOT_APPLICABLE.items())))
            failures += ["kernel " + r["id"] for r in fails]
            if cells:
                checks += nat_checks(world, partial=bool(args.only)) + [path_check(world, am),
                                                                   bytes_check(world, am, retransmitted() - rm)]
                checks += audit_checks(world, am, len(retried)) if not args.only else []
            checks.append(table_check(table, "after the matrix"))
        if not args.skip_attacks:
            victim, rows, ta = Victim(world), [], time.time()
            for scenario in (scenario_port_scan, scenario_bypass, scenario_dynamic_filter):
                log("kernel data path, scenario: " + scenario.__name__[len("scenario_"):])
                rows += scenario(world, victim, kernel=True)
            if not args.skip_ftps:
                log("kernel data path, attack catalogue")
                rows += TlsAttacks(world, fw, victim, kernel=True).catalogue()
            sections.append(("Kernel data path, CERT scenarios and attack catalogue (%.0fs)" % (time.time() - ta),
                             scenario_lines(rows)))
            failures += ["kernel attacks: %s / %s" % (s, run) for s, run, _, _, ok in rows if not ok]
            checks.append(table_check(table, "after the attacks"))
        alive = world.gateway.poll() is None
        code = world.stop_gateway()
        left = gateway_tables()
        checks.append(("ftpgate (data-path kernel) ran to the end, and its clean exit (SIGTERM) removed its table",
                       "running until stopped: %s; exit code %s; tables left: %s" % (alive, code, left or "none"),
                       alive and not left))
    finally:
        forwarding(False)
    sections.append(("Kernel data path: checks", check_lines(checks)))
    failures += [name for name, _, ok in checks if not ok]
    return sections, failures
