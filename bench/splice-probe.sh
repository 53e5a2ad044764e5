#!/bin/bash
# splice-probe.sh [REPS] — does splice(2) pay on this machine? In the benchmark world of ../shared/bench
# (client fgc, relay in fgw, server fgs), iperf3 downloads (-R, 5 s) routed direct, through a C read/write
# relay and through a C splice relay (bench/probe/relay.c), interleaved REPS times. The question behind it:
# ftpgate's relay is 93 % kernel time, 37 % of it in the two copies that splice would remove (docs/benchmarks.md).
set -e
here=$(cd "$(dirname "$0")" && pwd)
bench=${BENCH_WORLD:-$(cd "$here/world" && pwd)}
reps=${1:-3}
"$bench/setup.sh" >/dev/null
bin=$(mktemp -d)/relay
gcc -O2 -pthread -o "$bin" "$here/probe/relay.c"
ip netns exec fgs iperf3 -s -D -B 198.51.100.20 -p 5201 --pidfile /tmp/fgbench-probe-iperf.pid
sleep 0.5
mbps() { ip netns exec fgc iperf3 -c "$1" -p "$2" -R -t 5 -f m | awk '/receiver/ {print $7}'; }
echo "# $(date -Iseconds) load=$(cut -d' ' -f1-3 /proc/loadavg) kernel=$(uname -r)"
for r in $(seq "$reps"); do
  ip -n fgs route replace 192.0.2.0/24 via 198.51.100.1
  direct=$(mbps 198.51.100.20 5201)
  ip -n fgs route del 192.0.2.0/24
  line="rep=$r direct_Mbps=$direct"
  for mode in copy splice; do
    ip netns exec fgw "$bin" 9000 198.51.100.20 5201 $mode & rp=$!
    sleep 0.3
    v=$(mbps 192.0.2.1 9000)
    kill $rp; pkill -f "$bin 9000" 2>/dev/null || true; sleep 0.3
    line="$line ${mode}_Mbps=$v ${mode}_ratio=$(awk -v a="$v" -v b="$direct" 'BEGIN{printf "%.2f", a/b}')"
  done
  echo "$line"
done
kill "$(cat /tmp/fgbench-probe-iperf.pid)" 2>/dev/null || true
echo "end $(date -Iseconds) load=$(cut -d' ' -f1-3 /proc/loadavg)"
