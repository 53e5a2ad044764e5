#!/bin/bash
# kernel-small-files.sh [COUNT=1000] — many 4 KiB files over one session with the load tool (bench/load.sh
# small, run in fgc), the kernel data path against the relay and direct in ONE run: targets routed direct
# (the baseline), ftpgate-kernel (:2126), ftpgate-relay (:2121), ProFTPD mod_proxy and Squid (SUSE, at about
# 23 files/s, is left out). The load tool alternates its targets in blocks of 50 RETRs. The gateway measured
# later in a block loses about 0.05 x direct (bench/README.md "Counterbalanced A/B"), so there are two halves
# per client mode: kernel before relay, then relay before kernel. Both gateways are warmed first with WARMUP
# (20000) EPSV RETRs each, uncounted. Ends with the kernel gateway's audit (data path of its transfers) and
# the elements left in its table.
set -e
source "$(dirname "$0")/kernel-lib.sh"
count=${1:-1000}
start_gateways
with_peers
route direct   # for the whole run: the direct target needs it, and the gateways do not mind it
load() { ip netns exec fgc "$root/bench/load.sh" small --user bench --pass bench --path 'small/f%d.bin' --files 200 "$@"; }
echo "# kernel-small-files $(date -u +%FT%TZ) count=$count warmup=${WARMUP:-20000} jar=$(git -C "$root" rev-parse --short HEAD 2>/dev/null) load=$(cut -d' ' -f1-3 /proc/loadavg)"
for t in kernel=192.0.2.1:2126 relay=192.0.2.1:2121; do
  load --target "$t" --count "${WARMUP:-20000}" --warmup 0 --mode EPSV | grep files_per_s | sed 's/^/warm-up /'
done
peers=(--target proftpd=192.0.2.1:2123 --target squid=bench@198.51.100.20@192.0.2.1:2124)
for mode in EPSV PASV; do
  echo "# half 1: $mode, kernel before relay"
  load --target direct=198.51.100.20:21 --target ftpgate-kernel=192.0.2.1:2126 --target ftpgate-relay=192.0.2.1:2121 \
    "${peers[@]}" --count "$count" --mode $mode || true
  echo "# half 2: $mode, relay before kernel"
  load --target direct=198.51.100.20:21 --target ftpgate-relay=192.0.2.1:2121 --target ftpgate-kernel=192.0.2.1:2126 \
    --count "$count" --mode $mode || true
done
k=$d/audit-kernel.jsonl
echo "# ftpgate-kernel audit: transfer records by data-path: $(grep '"event":"transfer"' $k | grep -o '"data-path":"[a-z]*"' | sort | uniq -c | tr -s ' ' | tr '\n' ';') not ok: $(grep '"event":"transfer"' $k | grep -vc '"outcome":"ok"' || true)"
echo "# ftpgate-kernel table after the run: $(kelements)"
echo "# end $(date -u +%FT%TZ) load=$(cut -d' ' -f1-3 /proc/loadavg)"
