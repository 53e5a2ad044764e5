#!/bin/bash
# curl-multi-file.sh [NAME=JAR[:EXTRA FLAGS]]... — issue 11: curl 7.88's 1 s stall when it fetches many files
# over one control connection, direct and through one or more ftpgate jars, all in the same run on loopback.
#
#   bench/curl-multi-file.sh before=/tmp/ftpgate-before.jar after=target/ftpgate.jar
#   bench/curl-multi-file.sh 'noearly=target/ftpgate.jar:--no-early-server-leg'
#   bench/curl-multi-file.sh after=target/ftpgate.jar after-batch=target/ftpgate.jar   # a NAME ending in
#       -batch runs that gateway under SCHED_BATCH (chrt --batch 0): its wake-ups never preempt curl
#
# A vsftpd (anonymous, read-only) serves FILES (default 100) 4 KiB files small/f1.bin... on 127.0.0.1:VPORT;
# each jar runs as a reverse gateway in front of it on its own 127.0.0.1 port. ROUNDS (default 3) rounds, each
# path in turn per round and mode (EPSV, then PASV via --disable-epsv), each one curl process:
#   curl "ftp://127.0.0.1:PORT/small/f[1-FILES].bin" -o "DIR/f#1.bin" -w '%{time_pretransfer}\n'
# Reported per path and mode: transfers, stalls (time_pretransfer > 0.5 s: curl's stall is exactly 1 s),
# the stall rate, the median time_pretransfer, and the total wall time. Without arguments: direct and
# target/ftpgate.jar. UPSTREAM=HOST:PORT uses a running server instead of starting vsftpd (it must serve
# small/f1.bin...). PIN=1 runs curl on CPU 0 and the servers and gateways on CPU 1, so that a server waking up
# cannot preempt curl between its send and its poll: only the reply's latency decides (as on a machine with
# idle cores); PIN=same runs them all on CPU 0 (a one-CPU machine: every wake-up competes with curl).
# Unpinned, on two cores, whether curl is preempted between its send and its poll decides, and varies a lot
# from run to run: compare paths only within one run.
# Everything binds 127.0.0.1 only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
files=${FILES:-100} rounds=${ROUNDS:-3} vport=${VPORT:-27021} gport0=${GPORT:-27030}
srv=() cli=()
case ${PIN:-0} in
    1) srv=(taskset -c 1) cli=(taskset -c 0) ;;
    same) srv=(taskset -c 0) cli=(taskset -c 0) ;;
esac
work=$(mktemp -d /tmp/curl-multi-file.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

targets=("direct")
declare -A port=() jar=() extra=()
if [ $# -eq 0 ]; then set -- "ftpgate=$here/../target/ftpgate.jar"; fi

# --- the upstream
if [ -n "${UPSTREAM:-}" ]; then
    port[direct]=${UPSTREAM##*:}
    uphost=${UPSTREAM%:*}
else
    uphost=127.0.0.1
    port[direct]=$vport
    command -v vsftpd >/dev/null || { echo "vsftpd missing: apt-get install -y vsftpd" >&2; exit 2; }
    mkdir -p "$work/root/small"
    for i in $(seq "$files"); do head -c 4096 /dev/urandom >"$work/root/small/f$i.bin"; done
    chmod -R a+rX "$work/root"
    cat >"$work/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$vport
background=NO
anonymous_enable=YES
no_anon_password=YES
local_enable=NO
write_enable=NO
anon_root=$work/root
pasv_enable=YES
pasv_min_port=64000
pasv_max_port=64999
seccomp_sandbox=NO
secure_chroot_dir=/var/run/vsftpd/empty
xferlog_enable=NO
max_clients=0
max_per_ip=0
EOF
    "${srv[@]}" vsftpd "$work/vsftpd.conf" >"$work/vsftpd.log" 2>&1 &
    pids+=($!)
fi

# --- the gateways
n=0
for spec in "$@"; do
    name=${spec%%=*} rest=${spec#*=}
    jar[$name]=${rest%%:*}
    extra[$name]=$([ "$rest" != "${rest#*:}" ] && echo "${rest#*:}" || true)
    port[$name]=$((gport0 + n))
    lo=$((63000 + n * 100))
    # shellcheck disable=SC2086
    sched=()
    case $name in *-batch) sched=(chrt --batch 0) ;; esac # SCHED_BATCH: a waking gateway preempts nobody
    "${srv[@]}" "${sched[@]}" java -XX:+UseSerialGC -jar "${jar[$name]}" run --listen "127.0.0.1:${port[$name]}" \
        --upstream "$uphost:${port[direct]}" --client-data-ports "$lo-$((lo + 99))" ${extra[$name]} \
        >"$work/gw-$name.log" 2>&1 &
    pids+=($!)
    targets+=("$name")
    n=$((n + 1))
done
for t in "${targets[@]}"; do
    for _ in $(seq 100); do
        ss -ltn | grep -q "127.0.0.1:${port[$t]} " && break
        sleep 0.2
    done
done
# Warm-up, uncounted: WARMUP (default 10) passes per path in active mode (curl -P -, no stall there), then one
# passive: the JVM compiles the per-transfer code meanwhile, and its compiler threads, busy on the other CPU,
# would otherwise decide the first rounds (curl is then preempted more often, on every path through a JVM).
mkdir -p "$work/out"
for t in "${targets[@]}"; do
    for _ in $(seq "${WARMUP:-10}"); do
        curl -s -P - "ftp://$uphost:${port[$t]}/small/f[1-$files].bin" -o "$work/out/f#1.bin" >/dev/null 2>&1 || true
    done
    curl -s "ftp://$uphost:${port[$t]}/small/f[1-$files].bin" -o "$work/out/f#1.bin" >/dev/null 2>&1 || true
done
sleep 2

run() { # target mode -> appends "pretransfer" lines to $work/res-target-mode, wall time to $work/wall-...
    local t=$1 m=$2 flags=()
    [ "$m" = PASV ] && flags=(--disable-epsv)
    rm -rf "$work/out"
    mkdir -p "$work/out"
    local t0 t1
    t0=$(date +%s.%N)
    "${cli[@]}" curl -s "${flags[@]}" "ftp://$uphost:${port[$t]}/small/f[1-$files].bin" -o "$work/out/f#1.bin" \
        -w '%{time_pretransfer}\n' >>"$work/res-$t-$m" || echo "warning: $t $m: curl exit status $?" >&2
    t1=$(date +%s.%N)
    echo "$t0 $t1" | awk '{print $2 - $1}' >>"$work/wall-$t-$m"
    local got
    got=$(find "$work/out" -name 'f*.bin' -size 4096c | wc -l)
    [ "$got" -eq "$files" ] || echo "warning: $t $m: $got of $files files arrived" >&2
}
for r in $(seq "$rounds"); do
    for m in EPSV PASV; do
        for t in "${targets[@]}"; do run "$t" "$m"; done
    done
done

printf '%-12s %-5s %9s %7s %7s %12s %9s\n' path mode transfers stalls rate "median(ms)" "wall(s)"
for m in EPSV PASV; do
    for t in "${targets[@]}"; do
        f="$work/res-$t-$m"
        sort -g "$f" | awk -v t="$t" -v m="$m" \
            -v wall="$(awk '{s += $1} END {printf "%.2f", s}' "$work/wall-$t-$m")" '
            { v[NR] = $1; if ($1 > 0.5) s++ }
            END {
                printf "%-12s %-5s %9d %7d %6.1f%% %12.3f %9s\n", t, m, NR, s, 100 * s / NR,
                    1000 * v[int((NR + 1) / 2)], wall
            }'
    done
done
