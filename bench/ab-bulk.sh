#!/bin/bash
# ab-bulk.sh JAR "JVM OPTIONS OF A" "JVM OPTIONS OF B" [REPS] — one relay setting against another, and both
# against SUSE ftp-proxy and routed direct, interleaved in one run, in the benchmark world of ../shared/bench:
# ftpgate A on 192.0.2.1:2121, ftpgate B on :2123, SUSE on :2122 (compare.sh's config). Each rep downloads
# big.bin (1 GiB) with curl, passive then active, from A and B (A first in odd reps, B first in even ones),
# SUSE and direct, and prints MB/s and each proxy's CPU for that download in ticks of 10 ms
# (utime+stime+cutime+cstime of /proc/PID/stat; SUSE forks per session, so a child's time shows once it is
# reaped). Example: the read size,
#   bench/ab-bulk.sh target/ftpgate.jar "" "-Dftpgate.data.read-max=2097152" 3
set -e
here=$(cd "$(dirname "$0")" && pwd)
bench=${BENCH_WORLD:-$(cd "$here/world" && pwd)}
jar=$1 optsa=$2 optsb=$3 reps=${4:-3}
"$bench/setup.sh" >/dev/null
gw() { ip netns exec fgw setsid java $2 -Djava.net.preferIPv4Stack=true -jar "$jar" run --listen "192.0.2.1:$1" \
         --upstream 198.51.100.20:21 --client-data-ports "$3" > "/tmp/fgbench-ab-$1.log" 2>&1 & }
gw 2121 "$optsa" 50000-50999; pa=$!
gw 2123 "$optsb" 51000-51999; pb=$!
ip netns exec fgw /usr/sbin/ftp-proxy -d -f "$bench/suse-ftp-proxy.conf"
for i in $(seq 60); do
  ip netns exec fgw ss -ltn | grep -q "192.0.2.1:2121 " && ip netns exec fgw ss -ltn | grep -q "192.0.2.1:2123 " && break
  sleep 0.5
done
dl() { ip netns exec fgc curl -s $3 -o /dev/null -w '%{speed_download}' "ftp://bench:bench@$1:$2/big.bin" \
         | awk '{printf "%.0f", $1/1e6}'; }
dl 192.0.2.1 2121 "" >/dev/null; dl 192.0.2.1 2123 "" >/dev/null   # JIT warm-up
ja=$(pgrep -s "$pa" java); jb=$(pgrep -s "$pb" java); sp=$(cat /tmp/fgbench-suse.pid)
cpu() { awk '{print $14+$15+$16+$17}' "/proc/$1/stat"; }
echo "# $(date -Iseconds) load=$(cut -d' ' -f1-3 /proc/loadavg) A=$optsa B=$optsb"
for r in $(seq "$reps"); do
  for mode in passive active; do
    flag=""; [ "$mode" = active ] && flag="-P 192.0.2.10"
    # Odd reps measure A first, even reps B first: the order is counterbalanced (see ab-small-files.sh).
    if [ $((r % 2)) -eq 1 ]; then
      a0=$(cpu "$ja"); A=$(dl 192.0.2.1 2121 "$flag"); a1=$(cpu "$ja")
      b0=$(cpu "$jb"); B=$(dl 192.0.2.1 2123 "$flag"); b1=$(cpu "$jb")
    else
      b0=$(cpu "$jb"); B=$(dl 192.0.2.1 2123 "$flag"); b1=$(cpu "$jb")
      a0=$(cpu "$ja"); A=$(dl 192.0.2.1 2121 "$flag"); a1=$(cpu "$ja")
    fi
    s0=$(cpu "$sp"); S=$(dl 192.0.2.1 2122 "$flag"); s1=$(cpu "$sp")
    ip -n fgs route replace 192.0.2.0/24 via 198.51.100.1
    D=$(dl 198.51.100.20 21 "$flag")
    ip -n fgs route del 192.0.2.0/24
    echo "rep=$r mode=$mode direct=$D A=$A A_ticks=$((a1-a0)) B=$B B_ticks=$((b1-b0)) suse=$S suse_ticks=$((s1-s0)) load=$(cut -d' ' -f1 /proc/loadavg)"
  done
done
kill "$sp" 2>/dev/null || true
kill -- -"$pa" -"$pb" 2>/dev/null || true
