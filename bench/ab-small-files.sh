#!/bin/bash
# ab-small-files.sh JAR_A JAR_B [MODE] [COUNT] ["JVM OPTIONS OF B"] — two ftpgate builds (or one build with
# different options) compared in one run, in the benchmark world of ../shared/bench. Both gateways run in fgw at
# once and the load tool alternates routed direct and the two in blocks of 50 RETRs of the 4 KiB files (MODE
# EPSV or PASV, COUNT per target, WARMUP uncounted first, default 20000). A_PORTS and B_PORTS set the pinhole
# ranges (default 50000-50999 and 51000-51999).
#
# An A/A run (the same jar twice) showed the gateway measured second in each block, on :2122, about 0.05 x
# direct behind the first, more than most single changes. So the comparison is counterbalanced: a first half
# with A first on :2121 and B second on :2122, then both restarted and a second half with B first on :2121.
# The verdict is the mean of each variant's two ratios.
set -e
here=$(cd "$(dirname "$0")" && pwd)
bench=${BENCH_WORLD:-$(cd "$here/world" && pwd)}
a=$1 b=$2 mode=${3:-EPSV} count=${4:-2000} optsb=${5:-}
"$bench/setup.sh" >/dev/null
gw() { ip netns exec fgw setsid java $3 -Djava.net.preferIPv4Stack=true -jar "$1" run --listen "192.0.2.1:$2" \
         --upstream 198.51.100.20:21 --client-data-ports "$4" > "/tmp/fgbench-ab-$2.log" 2>&1 & }
half() { # half LABEL1 JAR1 OPTS1 PORTS1 LABEL2 JAR2 OPTS2 PORTS2
  gw "$2" 2121 "$3" "$4"; local p1=$!
  gw "$6" 2122 "$7" "$8"; local p2=$!
  for i in $(seq 60); do
    ip netns exec fgw ss -ltn | grep -q "192.0.2.1:2121 " && ip netns exec fgw ss -ltn | grep -q "192.0.2.1:2122 " && break
    sleep 0.5
  done
  ip -n fgs route replace 192.0.2.0/24 via 198.51.100.1
  echo "# $(date -Iseconds) load=$(cut -d' ' -f1-3 /proc/loadavg) first=$1 second=$5"
  ip netns exec fgc "$here/load.sh" small --target direct=198.51.100.20:21 --target "$1=192.0.2.1:2121" \
      --target "$5=192.0.2.1:2122" --user bench --pass bench --path 'small/f%d.bin' --files 200 --count "$count" \
      --mode "$mode" --warmup "${WARMUP:-20000}" || true
  ip -n fgs route del 192.0.2.0/24 2>/dev/null || true
  kill -- -"$p1" -"$p2" 2>/dev/null || true
  sleep 1
}
out=$(mktemp)
echo "# A=$a B=$b B_options=$optsb mode=$mode count=$count"
half A "$a" "" "${A_PORTS:-50000-50999}" B "$b" "$optsb" "${B_PORTS:-51000-51999}" | tee -a "$out"
half B "$b" "$optsb" "${B_PORTS:-51000-51999}" A "$a" "" "${A_PORTS:-50000-50999}" | tee -a "$out"
awk -F= '/^A_files_ratio_to_first/ {a+=$2; na++} /^B_files_ratio_to_first/ {b+=$2; nb++}
  END { if (na == 2 && nb == 2) printf "A_mean_ratio=%.3f\nB_mean_ratio=%.3f\nB_minus_A=%+.3f\n", a/2, b/2, (b-a)/2 }' "$out"
rm -f "$out"
