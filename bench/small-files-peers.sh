#!/bin/bash
# small-files-peers.sh 'GATEWAY COMMAND' [COUNT] — many small files over one session through every user-space
# peer of ../shared/bench/compare.sh at once (SUSE ftp-proxy :2122, ProFTPD mod_proxy :2123, Squid :2124) and
# the gateway (:2121), measured by the load tool instead of curl (whose 1 s stall on fast 229 replies makes
# compare.sh's small-file column a lottery; docs/benchmarks.md). One load-tool run per client mode, targets
# alternating in blocks of 50 RETRs of small/f*.bin, routed direct first (the baseline of every ratio).
# PASV includes SUSE (which answers EPSV with 500); EPSV leaves it out. The gateway is warmed first with
# WARMUP (default 20000) RETRs of its own, as in small-files.sh; the C peers need no warm-up.
set -e
here=$(cd "$(dirname "$0")" && pwd)
bench=${BENCH_WORLD:-$(cd "$here/world" && pwd)}
gw=$1 count=${2:-400}
"$bench/setup.sh" >/dev/null
wait_port() { for i in $(seq 60); do ip netns exec fgw ss -ltn | grep -qE "(192.0.2.1|::ffff:192.0.2.1\]):$1 " && return 0; sleep 0.5; done; return 1; }
source "$here/peers.sh"
stop_all() {
  stop_peers
  [ -n "${gpid:-}" ] && { kill -- -"$gpid" 2>/dev/null || kill "$gpid" 2>/dev/null || true; }
  ip -n fgs route del 192.0.2.0/24 2>/dev/null || true
}
trap stop_all EXIT
start_peers "$bench"   # as compare.sh starts them
ip netns exec fgw setsid bash -c "$gw" >/tmp/fgbench-gateway-small.log 2>&1 &
gpid=$!
for p in 2121 2122 2123 2124; do wait_port "$p" || echo "nothing listens on 192.0.2.1:$p" >&2; done
ip -n fgs route replace 192.0.2.0/24 via 198.51.100.1
load() { ip netns exec fgc "$here/load.sh" small --user bench --pass bench --path 'small/f%d.bin' --files 200 "$@"; }
load --target ftpgate=192.0.2.1:2121 --count "${WARMUP:-20000}" --warmup 0 --mode EPSV | grep files_per_s \
    | sed 's/^/warm-up /'
common=(--target direct=198.51.100.20:21 --target proftpd=192.0.2.1:2123 \
        --target squid=bench@198.51.100.20@192.0.2.1:2124 --target ftpgate=192.0.2.1:2121 --count "$count")
load "${common[@]}" --target suse=192.0.2.1:2122 --mode PASV || true
load "${common[@]}" --mode EPSV || true
echo "end $(date -Is) load=$(cut -d' ' -f1-3 /proc/loadavg)"
