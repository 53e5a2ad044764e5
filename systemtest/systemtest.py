#!/usr/bin/env python3
"""ftpgate system test: real clients, real servers, real attackers, in network namespaces.

Run it through systemtest/run.sh (root). It builds the world of world.sh, starts vsftpd, pyftpdlib, the MINA
demo upstream, the victim's recorders and one ftpgate process (every listener of the test in one YAML
configuration), then runs:

  1. the matrix: client x client mode x server x placement x upstream mode, each cell uploading and
     downloading a large random file and a directory of small files (sha256 checked on both ends), listing it
     (LIST, and MLSD where the server has it) and resuming a partial download (REST);
  2. NAT checks on packet captures of the client and the server hosts;
  3. the CERT scenarios (port scan, filter bypass, dynamic-filter hole), each with a control run;
  4. curl's 1 s stall (issue 11): 200 small files over one connection per passive mode, through ftpgate, with a
     control run and a direct reference;
  5. FTPS: client TLS x server TLS x data mode with curl and lftp, toward a vsftpd that requires FTPS with
     session reuse and toward the cleartext vsftpd, checked like the matrix, plus the audit log's tls records and
     vsftpd's own TLS log;
  6. the attack catalogue over TLS: each attack through a cleartext and an FTPS listener, refused the same way;
  7. the kernel data path: ftpgate restarted with data-path kernel, a part of the matrix (same-direction cells
     on the kernel path, fallbacks on the relay, the audit's data-path checked per cell), the NAT and audit
     checks, the scenarios and the attack catalogue again, and the kernel table left empty.

It prints a readable summary and exits 1 when anything failed. Stdlib only (Debian's /usr/bin/python3).
The parts live beside it: st_common (addresses, helpers), st_world (the world), st_matrix (1), st_checks (2),
st_attacks (3), st_stall (4), st_ftps_world (the FTPS part of the world), st_ftps (5), st_ftps_attacks (6) and
st_kernel (7). The order of a run: 1, 2, 5, 4, 3, 6, 7.
"""
import argparse
import json
import os
import shutil
import signal
import sys
import time

from st_common import NOT_APPLICABLE, REPO, check_lines, log, scenario_lines, tally
from st_world import World
from st_matrix import matrix_table, run_matrix
from st_checks import audit_checks, nat_checks
from st_attacks import Victim, audit_mark, scenario_bypass, scenario_dynamic_filter, scenario_port_scan
from st_stall import FILES, SLOW, check_stall
from st_ftps import ftps_checks, ftps_table, line_count, run_ftps
from st_ftps_world import FtpsWorld
from st_ftps_attacks import TlsAttacks
from st_kernel import run_kernel


def main():
    ap = argparse.ArgumentParser(description="ftpgate system test (run as root, via systemtest/run.sh)")
    ap.add_argument("--work", default=os.environ.get("ST_WORK", "/tmp/ftpgate-systemtest"))
    ap.add_argument("--jar", default=os.environ.get("FTPGATE_JAR", os.path.join(REPO, "target", "ftpgate.jar")))
    ap.add_argument("--big-mib", type=int, default=int(os.environ.get("ST_BIG_MIB", "50")))
    ap.add_argument("--small-files", type=int, default=16)
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("ST_JOBS", "2")))
    ap.add_argument("--only", help="regular expression: run only the matrix cells whose id matches")
    ap.add_argument("--skip-matrix", action="store_true")
    ap.add_argument("--skip-attacks", action="store_true")
    ap.add_argument("--skip-stall", action="store_true", help="skip the curl stall check (issue 11)")
    ap.add_argument("--skip-ftps", action="store_true", help="skip the FTPS dimension and the attacks over TLS")
    ap.add_argument("--skip-kernel", action="store_true",
                    help="skip the kernel data path's part (the gateway restarted with data-path kernel)")
    ap.add_argument("--direct", action="store_true",
                    help="diagnosis: run the matrix cells straight at the servers from the gateway host, without ftpgate"
                         " (placement and upstream mode then only name repetitions)")
    ap.add_argument("--keep-files", action="store_true", help="keep the transferred files of passing cells")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("systemtest: must run as root (network namespaces)")
    if not os.path.exists(args.jar):
        sys.exit("systemtest: %s not found; run 'mvn -B -DskipTests package' first" % args.jar)
    t0 = time.time()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(os.path.join(args.work, "logs"))
    world = World(args)

    def on_signal(signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)
    signal.signal(signal.SIGTERM, on_signal)
    failures = []
    sections = []
    try:
        log("building the world (namespaces st-*), work directory %s" % args.work)
        world.up()
        world.compile_helpers()
        world.make_files()
        world.start_servers()
        fw = FtpsWorld(world)
        fw.setup()
        world.start_gateway()
        log("servers, victim and ftpgate running; MINA on ports %s" % world.mina_ports)
        if not args.skip_matrix:
            world.start_captures()
            am = audit_mark(world)
            tm = time.time()
            cells, results = run_matrix(world, args.jobs, args.only)
            matrix_secs = time.time() - tm
            world.stop_captures()
            counts, fails, retried = tally(results)
            table = matrix_table(cells, results)
            detail = "\n".join("  %s: %s%s\n    transcript: %s" % (
                r["id"], "; ".join(r["reasons"]),
                "".join("\n    earlier attempt: " + a for a in r.get("failed_attempts", [])), r["transcript"])
                for r in fails)
            sections.append(("Matrix: %d cells in %.0fs (%d MiB file, %d small files, REST at %d): %s" % (
                len(results), matrix_secs, args.big_mib, args.small_files, world.partial,
                ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items()))),
                table + ("\n\nFailed cells:\n" + detail if fails else "")
                + ("\n\npass* = passed on a retry; the failed attempts:\n" + "\n".join(
                    "  %s: %s" % (r["id"], " | ".join(r["failed_attempts"])) for r in retried)
                   if retried else "")
                + "\n\nn/a: " + "; ".join("%s %s: %s" % (c, m, why) for (c, m), why in NOT_APPLICABLE.items())))
            failures += ["matrix " + r["id"] for r in fails]
            with open(os.path.join(args.work, "matrix.json"), "w") as f:
                json.dump(results, f, indent=1)
            checks = [] if args.direct else nat_checks(world, partial=bool(args.only)) + (audit_checks(world, am, len(retried)) if not args.only else [])
            sections.append(("NAT and audit checks", check_lines(checks)))
            failures += [name for name, _, ok in checks if not ok]
        if not args.skip_ftps and not args.direct:
            am, vm, tf = audit_mark(world), line_count(fw.vsftpd_log), time.time()
            cells, results = run_ftps(world, fw, args.jobs, args.only)
            counts, fails, retried = tally(results)
            checks = ftps_checks(world, fw, am, len(retried), vm) if cells else []
            sections.append(("FTPS: %d cells in %.0fs (client TLS x server TLS x data mode, %d MiB file): %s" % (
                len(results), time.time() - tf, args.big_mib, ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items()))),
                ftps_table(results) + "".join("\n  FAIL %s: %s\n    transcript: %s" % (
                    r["id"], "; ".join(r["reasons"]), r["transcript"]) for r in fails)
                + "".join("\n  pass* %s: %s" % (r["id"], " | ".join(r["failed_attempts"])) for r in retried)
                + "\n\n" + check_lines(checks)))
            failures += ["ftps " + r["id"] for r in fails] + [name for name, _, ok in checks if not ok]
        if not args.skip_stall:
            log("curl stall check: %d files over one connection per passive mode" % FILES)
            ts = time.time()
            rows = check_stall(world)
            sections.append(("curl 7.88's 1 s stall (issue 11): %d files of 4 KiB over one connection, "
                             "time_pretransfer > %.1f s is a stall (%.0fs)" % (FILES, SLOW, time.time() - ts), "\n".join(
                                 "%-4s %s\n     %s" % (("ok" if ok else "FAIL") if counts else "ref", title, obs)
                                 for ok, title, obs, counts in rows)))
            failures += ["curl stall: " + title for ok, title, _, counts in rows if counts and not ok]
        if not args.skip_attacks:
            victim = Victim(world)
            rows = []
            for scenario in (scenario_port_scan, scenario_bypass, scenario_dynamic_filter):
                log("scenario: " + scenario.__name__[len("scenario_"):])
                rows += scenario(world, victim)
            sections.append(("CERT scenarios", scenario_lines(rows)))
            failures += ["%s / %s" % (s, run) for s, run, _, _, ok in rows if not ok]
            if not args.skip_ftps:
                log("attack catalogue over TLS")
                ta = time.time()
                rows = TlsAttacks(world, fw, victim).catalogue()
                sections.append(("Attack catalogue over TLS: each attack in clear and inside FTPS (%.0fs)" % (
                    time.time() - ta), scenario_lines(rows)))
                failures += ["TLS attacks: %s / %s" % (s, run) for s, run, _, _, ok in rows if not ok]
        if world.gateway.poll() is not None:
            failures.append("ftpgate exited during the test (see %s)" % world.gw_log)
        elif not args.skip_kernel and not args.direct:
            more, failed = run_kernel(world, fw, args)
            sections += more
            failures += failed
    except KeyboardInterrupt as e:
        failures.append("interrupted (%s)" % e)
    except Exception as e:
        import traceback
        traceback.print_exc()
        failures.append("harness error: %r" % e)
    finally:
        log("cleaning up namespaces and processes")
        world.down()
        for p in (world.__dict__.get("big"),):
            if p and os.path.exists(p):
                os.remove(p)
    print()
    print("=" * 100)
    print("ftpgate system test summary")
    print("=" * 100)
    for title, body in sections:
        print("\n## " + title + "\n")
        print(body)
    print("\nLogs, audit log, packet captures and transcripts of failed cells: %s" % os.path.join(args.work, "logs"))
    print("Total runtime: %.0f s" % (time.time() - t0))
    if failures:
        print("\nRESULT: FAIL (%d): %s" % (len(failures), "; ".join(failures[:20])))
        return 1
    print("\nRESULT: PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
