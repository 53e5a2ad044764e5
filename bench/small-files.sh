#!/bin/bash
# small-files.sh 'GATEWAY COMMAND' [COUNT] — many small files over one session, in the benchmark world of
# ../shared/bench (client ns fgc, gateway ns fgw, vsftpd in fgs), measured by the load tool instead of curl:
# routed direct and through the gateway, alternating blocks of 50 RETRs of the 4 KiB files small/f*.bin, EPSV
# then PASV. Reports files/s, the ratio to direct, and the setup latency (EPSV/PASV sent -> first data byte)
# p50/p99 of each path. The gateway command runs in fgw like compare.sh's. WARMUP (default 20000) uncounted
# RETRs per path come first: the gateway's per-transfer code is compiled by the JVM's C2 only after some
# thousands of transfers, and a deployed gateway runs in that steady state; WARMUP=20 gives the cold figure.
set -e
here=$(cd "$(dirname "$0")" && pwd)
bench=${BENCH_WORLD:-$(cd "$here/world" && pwd)}
gw=$1 count=${2:-1000}
"$bench/setup.sh" >/dev/null
ip netns exec fgw setsid bash -c "$gw" >/tmp/fgbench-gateway-small.log 2>&1 &
gpid=$!
for i in $(seq 60); do ip netns exec fgw ss -ltn | grep -qE "(192.0.2.1|::ffff:192.0.2.1\]):2121 " && break; sleep 0.5; done
ip -n fgs route replace 192.0.2.0/24 via 198.51.100.1
for mode in EPSV PASV; do
  ip netns exec fgc "$here/load.sh" small --target direct=198.51.100.20:21 --target ftpgate=192.0.2.1:2121 \
      --user bench --pass bench --path 'small/f%d.bin' --files 200 --count "$count" --mode "$mode" \
      --warmup "${WARMUP:-20000}" || true
done
ip -n fgs route del 192.0.2.0/24 2>/dev/null || true
kill -- -"$gpid" 2>/dev/null || kill "$gpid" 2>/dev/null || true
