#!/bin/bash
# kernel-path-probe.sh 'GATEWAY COMMAND' [COUNT] — what could the planned kernel data path give? Runs a
# throw-away model of it (bench/probe/kernel_path_proxy.py: a minimal Python control relay whose data
# connections the kernel forwards through single-use nftables mappings installed over netlink) next to ftpgate
# in the benchmark world, and measures both against routed direct with the load tool, as small-files.sh does
# (EPSV then PASV, COUNT files per target after WARMUP), then one 1 GiB passive download per path with curl,
# three times. The model is not a gateway (no policy, no checks, passive only); it only prices the design.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bench=${BENCH_WORLD:-$(cd "$here/world" && pwd)}
gw=$1 count=${2:-2000}
"$bench/setup.sh" >/dev/null
cleanup() {
  [ -n "${kpid:-}" ] && kill -- -"$kpid" 2>/dev/null || true
  [ -n "${gpid:-}" ] && kill -- -"$gpid" 2>/dev/null || true
  ip netns exec fgw nft delete table ip ftpgate 2>/dev/null || true
  ip -n fgs route del 192.0.2.0/24 2>/dev/null || true
}
trap cleanup EXIT
# The rule the kernel data path would install once: a new connection whose (source . port) is armed disarms
# itself, is marked, and goes to the mapped server port; marked connections leave with the gateway's address.
ip netns exec fgw nft -f - <<'NFT'
table ip ftpgate {
  map target { type ipv4_addr . inet_service : ipv4_addr . inet_service; flags timeout; }
  set armed { type ipv4_addr . inet_service; flags timeout; }
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    ct state new ip saddr . tcp dport @armed delete @armed { ip saddr . tcp dport } ct mark set 0x46470001 dnat ip to ip saddr . tcp dport map @target
  }
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    ct mark 0x46470001 masquerade
  }
}
NFT
ip netns exec fgw setsid python3 "$here/probe/kernel_path_proxy.py" 192.0.2.1 2125 198.51.100.20 21 \
    > /tmp/fgbench-kernel-path.log 2>&1 &
kpid=$!
ip netns exec fgw setsid bash -c "$gw" > /tmp/fgbench-gateway-kpath.log 2>&1 &
gpid=$!
for i in $(seq 60); do
  ip netns exec fgw ss -ltn | grep -qE "(192.0.2.1|::ffff:192.0.2.1\]):2121 " \
    && ip netns exec fgw ss -ltn | grep -q "192.0.2.1:2125 " && break
  sleep 0.5
done
ip -n fgs route replace 192.0.2.0/24 via 198.51.100.1
echo "# $(date -Iseconds) load=$(cut -d' ' -f1-3 /proc/loadavg) count=$count warmup=${WARMUP:-20000}"
for mode in EPSV PASV; do
  ip netns exec fgc "$here/load.sh" small --target direct=198.51.100.20:21 --target kernel-path=192.0.2.1:2125 \
      --target ftpgate=192.0.2.1:2121 --user bench --pass bench --path 'small/f%d.bin' --files 200 \
      --count "$count" --mode "$mode" --warmup "${WARMUP:-20000}" || true
done
echo "# bulk: 1 GiB passive download, MB/s, 3 reps each, interleaved"
for rep in 1 2 3; do
  for t in direct=198.51.100.20:21 kernel-path=192.0.2.1:2125 ftpgate=192.0.2.1:2121; do
    mbps=$(timeout 60 ip netns exec fgc curl -s -o /dev/null -w '%{speed_download}' \
        "ftp://bench:bench@${t#*=}/big.bin" | awk '{printf "%.0f", $1/1e6}' || echo 0)
    echo "bulk rep=$rep ${t%%=*} MBps=$mbps"
  done
done
echo "# kernel-path model log (last lines):"; tail -3 /tmp/fgbench-kernel-path.log
