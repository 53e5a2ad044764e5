#!/bin/bash
# ab-small-files.sh JAR_A JAR_B [MODE] [COUNT] ["JVM OPTIONS OF B"] — two ftpgate builds (or one build with
# different options) compared in one run, in the benchmark world of ../shared/bench: A listens on
# 192.0.2.1:2121, B on :2122, both in fgw at once, and the load tool alternates routed direct, A and B in blocks
# of 50 RETRs of the 4 KiB files (MODE EPSV or PASV, COUNT per target, WARMUP uncounted first, default
# 20000). Run-to-run drift on this machine is larger than most single changes, so a change is judged by A and
# B of the same run, never by two runs.
set -e
here=$(cd "$(dirname "$0")" && pwd)
bench=${BENCH_WORLD:-$(cd "$here/../../shared/bench" 2>/dev/null && pwd || echo /work/shared/bench)}
a=$1 b=$2 mode=${3:-EPSV} count=${4:-2000} optsb=${5:-}
"$bench/setup.sh" >/dev/null
gw() { ip netns exec fgw setsid java $3 -Djava.net.preferIPv4Stack=true -jar "$1" run --listen "192.0.2.1:$2" \
         --upstream 198.51.100.20:21 --client-data-ports "$4" > "/tmp/fgbench-ab-$2.log" 2>&1 & }
gw "$a" 2121 "" 50000-50999; pa=$!
gw "$b" 2122 "$optsb" 51000-51999; pb=$!
for i in $(seq 60); do
  ip netns exec fgw ss -ltn | grep -q "192.0.2.1:2121 " && ip netns exec fgw ss -ltn | grep -q "192.0.2.1:2122 " && break
  sleep 0.5
done
ip -n fgs route replace 192.0.2.0/24 via 198.51.100.1
echo "# $(date -Iseconds) load=$(cut -d' ' -f1-3 /proc/loadavg) A=$a B=$b $optsb"
ip netns exec fgc "$here/load.sh" small --target direct=198.51.100.20:21 --target A=192.0.2.1:2121 \
    --target B=192.0.2.1:2122 --user bench --pass bench --path 'small/f%d.bin' --files 200 --count "$count" \
    --mode "$mode" --warmup "${WARMUP:-20000}" || true
ip -n fgs route del 192.0.2.0/24 2>/dev/null || true
kill -- -"$pa" -"$pb" 2>/dev/null || true
