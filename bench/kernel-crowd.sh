#!/bin/bash
# kernel-crowd.sh [SESSIONS=1000] [SOURCES=10] — SESSIONS concurrent transfers through ftpgate --data-path kernel
# (issue 14), in the benchmark world: bench/kernel_crowd.py in fgc logs SESSIONS sessions in through the kernel
# gateway (:2126, upstream-mode client, limits raised) to vsftpd in fgs from SOURCES client addresses
# (192.0.2.101...: one address can hold one pending pinhole per port, and the pinhole range has 1,000 ports),
# then all of them at once send their data command: PASV, EPSV, PORT, EPRT in turn, every fifth an upload,
# the others downloads of 100 files of 64 KiB-2 MiB (crowd/, made once), each sha256-checked. Every session
# holds its data connection after the first block until all have one, and the table is listed meanwhile: all
# SESSIONS kernel connections open at once.
# Then it checks: the audit log's transfer records (all "data-path":"kernel", all ok), the peak of transfers
# in flight at the gateway (from each record's end time and duration), the elements left in the table
# (none), and the crash path: HOLD (20) sessions arm a pinhole each, the gateway is killed with SIGKILL (its
# table and the armed elements stay), a new gateway starts (the leftover replaced by a fresh, empty table),
# and its clean exit removes the table. Prints key=value lines, ending in result=PASS|FAIL.
set -e
source "$(dirname "$0")/kernel-lib.sh"
n=${1:-1000} nsrc=${2:-10} holdn=${HOLD:-20}
srcs=$(seq -s, -f '192.0.2.%g' 101 $((100 + nsrc)))
for a in ${srcs//,/ }; do ip -n fgc addr replace $a/24 dev c0; done
# The files: 100 of 64 KiB-2 MiB, with their sha256 (kept between runs, like big.bin).
c=/srv/ftpbench/crowd
if [ ! -s $c/MANIFEST ]; then
  mkdir -p $c; for i in $(seq 0 99); do head -c $(( 65536 + (i * 2031 * 1019) % 2031616 )) /dev/urandom > $c/d$i.bin; done
  (cd $c && for i in $(seq 0 99); do echo "$(sha256sum < d$i.bin | cut -c1-64) $(stat -c %s d$i.bin) crowd/d$i.bin"; done) > $c/MANIFEST.tmp
  mv $c/MANIFEST.tmp $c/MANIFEST; chown -R bench $c
fi
gw_yaml kernel 2126 61000-61999 62000-62999 kernel client \
  "limits: { max-sessions: 100000, max-sessions-per-client: 100000 }"
start_gw kernel 2126
fail=0
echo "# kernel-crowd $(date -u +%FT%TZ) sessions=$n sources=$nsrc jar=$(git -C "$root" rev-parse --short HEAD 2>/dev/null) load=$(cut -d' ' -f1-3 /proc/loadavg)"
# While all data connections are open: the table's elements, and the data connections (to a pinhole port,
# TCP state other than TIME_WAIT/CLOSE) in the gateway's conntrack, counted from /proc/net/nf_conntrack.
export CONNTRACK_CMD="ip netns exec fgw cat /proc/net/nf_conntrack | awk '\$3 == \"tcp\" && \$6 != \"TIME_WAIT\" && \$6 != \"CLOSE\" {
  split(\$10, p, \"=\"); if (p[2] >= 61000 && p[2] <= 62999) n++ } END { print n + 0 }'"
SNAPSHOT_CMD="ip netns exec fgw nft -j list table inet $KTABLE" \
  ip netns exec fgc bash -c "ulimit -n \$(ulimit -Hn); python3 '$here/kernel_crowd.py' crowd 192.0.2.1 2126 $n $srcs $c/MANIFEST /srv/ftpbench/up" || fail=1
sleep 2   # the last flows see their FIN and release their pinholes
a=$d/audit-kernel.jsonl
echo "audit_transfers=$(grep -c '"event":"transfer"' $a) audit_kernel=$(grep '"event":"transfer"' $a | grep -c '"data-path":"kernel"') audit_relay=$(grep '"event":"transfer"' $a | grep -c '"data-path":"relay"' || true) audit_not_ok=$(grep '"event":"transfer"' $a | grep -vc '"outcome":"ok"' || true)"
echo "audit_refused=$(grep -c '"event":"refused"' $a || true) $(grep '"event":"refused"' $a | grep -o '"reason":"[a-z-]*"' | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
echo "audit_client_modes=$(grep '"event":"transfer"' $a | grep -o '"client-mode":"[A-Z]*"' | cut -d'"' -f4 | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
echo "audit_commands=$(grep '"event":"transfer"' $a | grep -o '"command":"[A-Z]*"' | cut -d'"' -f4 | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
# Peak of transfers in flight at the gateway: each record's interval is [ts - duration-ms, ts].
grep '"event":"transfer"' $a | python3 -c '
import json, sys, datetime
ev = []
for l in sys.stdin:
    r = json.loads(l)
    end = datetime.datetime.fromisoformat(r["ts"][:26]).timestamp()
    ev += [(end - r["duration-ms"] / 1000, 1), (end, -1)]
cur = peak = 0
for _, d in sorted(ev, key=lambda e: (e[0], e[1])):
    cur += d; peak = max(peak, cur)
print("gateway_peak_in_flight=%d" % peak)'
[ "$(grep '"event":"transfer"' $a | grep '"data-path":"kernel"' | grep -c '"outcome":"ok"')" = "$n" ] || fail=1
left=$(kelements); echo "table_after_crowd: $left"
echo "$left" | grep -qE '(^| )(armed|target|source|flows|ends|killed)[46]=[1-9]' && fail=1

# The crash path: pinholes armed, SIGKILL, restart.
ip netns exec fgc python3 "$here/kernel_crowd.py" hold 192.0.2.1 2126 "$holdn" 192.0.2.101 > $d/hold.out 2>&1 & hold=$!
for _ in $(seq 60); do grep -q armed= $d/hold.out && break; sleep 0.5; done
echo "hold: $(cat $d/hold.out) table: $(kelements)"
kill -9 "$gwpid_kernel"; sleep 1
cp $a $d/audit-kernel-crowd.jsonl; cp $d/kernel.log $d/kernel-crowd.log   # the restart starts both afresh
echo "after_sigkill: tables=[$(ip netns exec fgw nft list tables | tr '\n' ' ')] $(kelements)"
kill "$hold" 2>/dev/null || true
start_gw kernel 2126
fresh=$(kelements)
echo "after_restart: tables=[$(ip netns exec fgw nft list tables | tr '\n' ' ')] $fresh"
grep -i 'table inet' $d/kernel.log | tail -1 | sed 's/^/restart_log: /'
echo "$fresh" | grep -qE '=[1-9]' && fail=1
stop_gw kernel
gone=$(ip netns exec fgw nft list tables | grep -c "$KTABLE" || true)
echo "after_sigterm: kernel_tables=$gone"
[ "$gone" = 0 ] || fail=1
for a in ${srcs//,/ }; do ip -n fgc addr del $a/24 dev c0 2>/dev/null || true; done
echo "# end $(date -u +%FT%TZ) load=$(cut -d' ' -f1-3 /proc/loadavg)"
echo "result=$([ $fail = 0 ] && echo PASS || echo FAIL)"
exit $fail
