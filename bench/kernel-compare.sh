#!/bin/bash
# kernel-compare.sh [ROUNDS=5] — the kernel data path (issue 14) side by side in ONE run, interleaved: curl from
# namespace fgc downloading big.bin (1 GiB) from vsftpd in fgs, passive and active (-P 192.0.2.10), through
#   direct          routed, no proxy (the baseline of every ratio)
#   ftpgate-kernel  ftpgate --data-path kernel, upstream-mode client (:2126): nftables forwards the data
#   ftpgate-relay   ftpgate relaying the data in user space (:2121, the gateway of compare.sh)
#   kernel-helper   the kernel's own ftp helper: nf_conntrack_ftp + NAT (world/nat-helper.nft, loaded only
#                   while it is measured, as compare.sh does)
#   suse proftpd squid   the user-space peers (SUSE ftp-proxy :2122, ProFTPD mod_proxy :2123, Squid :2124)
# and then SMALL (200) 4 KiB files in one curl process as users run it (curl "ftp://.../small/f[1-200].bin"),
# sha256 checked, on every path but SUSE (about 2 files/s: 100 s a round). The order of the paths rotates every
# round. Prints one line per measurement (MB/s, the proxy's CPU seconds per GiB from /proc/PID/stat, own and
# reaped children; the kernel path's forwarding runs in softirq and is charged to no process), then medians
# and ratios to direct. At the end, what the kernel gateway's audit log says about the data path of its
# transfers, and the elements left in its table. Env: JAR, PEERS (default "helper suse proftpd squid"), SMALL.
set -e
source "$(dirname "$0")/kernel-lib.sh"
rounds=${1:-5} small=${SMALL:-200} peers=${PEERS:-helper suse proftpd squid}
start_gateways
paths=(direct ftpgate-kernel ftpgate-relay)
for p in $peers; do case $p in
  helper) paths+=(kernel-helper) ;;
  suse|proftpd|squid) paths+=("$p") ;;
esac; done
case " $peers " in *" suse "*|*" proftpd "*|*" squid "*) with_peers ;; esac
declare -A port=([direct]=21 [ftpgate-kernel]=2126 [ftpgate-relay]=2121 [kernel-helper]=21 [suse]=2122
  [proftpd]=2123 [squid]=2124)
declare -A host=([direct]=198.51.100.20 [kernel-helper]=198.51.100.20)
declare -A pid=([ftpgate-kernel]=$gwpid_kernel [ftpgate-relay]=$gwpid_relay [suse]=$(cat /tmp/fgbench-suse.pid 2>/dev/null)
  [proftpd]=$(cat /tmp/fgbench-proftpd/proftpd.pid 2>/dev/null) [squid]=$(cat /tmp/fgbench-squid/squid.pid 2>/dev/null))
url() { local u=bench; [ "$1" = squid ] && u=bench%40198.51.100.20
  echo "ftp://$u:bench@${host[$1]:-192.0.2.1}:${port[$1]}/$2"; }
ticks() { [ -n "${pid[$1]:-}" ] && awk '{print $14+$15+$16+$17}' /proc/${pid[$1]}/stat 2>/dev/null || echo 0; }
on() { case $1 in direct) route direct ;; kernel-helper) ip netns exec fgw nft -f "$world/nat-helper.nft" ;; esac; }
off() { case $1 in direct) route none ;; kernel-helper) ip netns exec fgw nft delete table inet fgnat ;; esac; }
hz=$(getconf CLK_TCK)
# TCP segments the server (the sender of every download) retransmitted: the kernel path counts them again.
retrans() { ip netns exec fgs awk '/^Tcp:/ && $13 ~ /^[0-9]+$/ {print $13}' /proc/net/snmp; }

bulk() { # PATH passive|active -> "MBps cpu_s_per_GiB retransmitted_segments"
  local p=$1 t0 t1 r0 out flags=()
  [ "$2" = active ] && flags=(-P 192.0.2.10)
  on "$p"; t0=$(ticks "$p"); r0=$(retrans)
  out=$(ip netns exec fgc timeout 120 curl -s "${flags[@]}" -o /dev/null -w '%{speed_download} %{size_download}' \
    "$(url "$p" big.bin)" || echo "0 0")
  sleep 0.3; t1=$(ticks "$p"); off "$p"
  set -- $out
  [ "$2" = 1073741824 ] || { echo "0 - -"; return; }
  awk -v s="$1" -v a="$t0" -v b="$t1" -v hz="$hz" -v p="${pid[$p]:-}" -v r="$(( $(retrans) - r0 ))" \
    'BEGIN{printf "%.0f %s %d\n", s/1e6, (p == "") ? "-" : sprintf("%.2f", (b-a)/hz), r}'
}
ref=$(cd /srv/ftpbench/small && sha256sum $(seq -f 'f%g.bin' 1 "$small") | sha256sum | cut -c1-16)
smallfiles() { # PATH -> "files_per_s sha_ok stalls": stalls = files whose time_pretransfer exceeded 0.5 s,
  # curl 7.88's 1 s wait when the 227/229 is in its socket before it polls (docs/benchmarks.md "curl's figure")
  local p=$1 dir=$d/small.$1 s e ok=no
  rm -rf "$dir"; mkdir -p "$dir"; on "$p"
  s=$(date +%s.%N)
  ip netns exec fgc timeout 300 curl -s "$(url "$p" "small/f[1-$small].bin")" -o "$dir/f#1.bin" \
    -w '%{time_pretransfer}\n' > "$dir.pre" || true
  e=$(date +%s.%N); off "$p"
  [ "$(cd "$dir" && sha256sum $(seq -f 'f%g.bin' 1 "$small") 2>/dev/null | sha256sum | cut -c1-16)" = "$ref" ] && ok=yes
  echo "$(awk -v n="$(ls "$dir" | wc -l)" -v s="$s" -v e="$e" 'BEGIN{printf "%.1f", n/(e-s)}') $ok $(awk '$1 > 0.5' "$dir.pre" | wc -l)"
}

echo "# kernel-compare $(date -u +%FT%TZ) rounds=$rounds small=$small paths=${paths[*]} jar=$(git -C "$root" rev-parse --short HEAD 2>/dev/null) load=$(cut -d' ' -f1-3 /proc/loadavg)"
# Warm-up, not counted: one passive download per gateway (the JVMs compile their hot paths).
for p in ftpgate-kernel ftpgate-relay; do bulk "$p" passive >/dev/null; done
res=$(mktemp)
n=${#paths[@]}
for r in $(seq "$rounds"); do
  order=("${paths[@]:$(( (r-1) % n ))}" "${paths[@]:0:$(( (r-1) % n ))}")
  for p in "${order[@]}"; do for m in passive active; do
    set -- $(bulk "$p" $m); echo "round=$r path=$p test=$m MBps=$1 cpu_s=$2 retrans=$3" | tee -a "$res"; done; done
  for p in "${order[@]}"; do [ "$p" = suse ] && continue
    set -- $(smallfiles "$p"); echo "round=$r path=$p test=small files_per_s=$1 sha256_ok=$2 curl_stalls=$3" | tee -a "$res"; done
  echo "# after round $r: load=$(cut -d' ' -f1-3 /proc/loadavg)"
done

echo "# medians over $rounds rounds (ratio = to direct's median in this run); cpu_s = the proxy's CPU seconds per 1 GiB download"
awk -v list="${paths[*]}" '
  function med(s,   n, i, j, t, a) { n = split(s, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n ? a[int((n + 1) / 2)] : "" }
  { split($2, pa, "="); split($3, te, "="); split($4, m, "="); split($5, c, "=")
    k = pa[2] SUBSEP te[2]; v[k] = v[k] " " m[2]; if (c[1] == "cpu_s" && c[2] != "-") cpu[k] = cpu[k] " " c[2]
    if ($5 == "sha256_ok=no") bad[k]++ }
  END { n = split(list, P, " ")
    for (i = 1; i <= n; i++) { p = P[i]; line = "median " p
      for (x = 1; x <= 3; x++) { t = (x == 1) ? "passive" : (x == 2) ? "active" : "small"; k = p SUBSEP t
        if (v[k] == "") continue
        line = line " " t "=" med(v[k]) (cpu[k] != "" ? " " t "_cpu_s=" med(cpu[k]) : "")
        d = med(v["direct" SUBSEP t]); if (d > 0) line = line sprintf(" %s_ratio=%.2f", t, med(v[k]) / d)
        if (bad[k]) line = line " " t "_sha256_bad=" bad[k] }
      print line } }' "$res"
echo "# curl's 1 s stalls over all rounds ($small files a round): $(awk '$3 == "test=small" {split($2, p, "="); split($6, c, "="); n[p[2]] += c[2]} END {for (k in n) printf "%s=%d ", k, n[k]}' "$res")"
rm -f "$res"
k=$d/audit-kernel.jsonl
echo "# ftpgate-kernel audit: transfer records by data-path: $(grep '"event":"transfer"' $k | grep -o '"data-path":"[a-z]*"' | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
echo "# ftpgate-kernel transfers whose bytes differ from the file's size: $(grep '"event":"transfer"' $k | grep '"path":"/srv/ftpbench/big.bin"' | grep -vc '"bytes":1073741824,' || true) of $(grep -c '"path":"/srv/ftpbench/big.bin"' $k); bytes over the size: $(grep -o '"path":"/srv/ftpbench/big.bin".*"bytes":[0-9]*' $k | grep -o '[0-9]*$' | awk '{printf "%d ", $1-1073741824}')"
echo "# ftpgate-kernel table after the run: $(kelements)"
echo "# end $(date -u +%FT%TZ) load=$(cut -d' ' -f1-3 /proc/loadavg)"
