#!/bin/bash
# compare-upload.sh 'GATEWAY COMMAND' [REPS] — the upload (STOR) counterpart of ../shared/bench/compare.sh, in the
# same benchmark world and the same way: one run, side by side, routed direct (the limit), the peers (PEERS,
# default "kernel suse proftpd squid") and the gateway under test; plus the user-space relay ceiling in the
# upload direction (iperf3 client -> server through socat with 256 KiB buffers, against iperf3 direct).
# Each path uploads /srv/ftpbench/big.bin (1 GiB) with curl -T, passive and active; prints MB/s medians, then
# the ratios to routed direct.
set -e
bench=${BENCH_WORLD:-$(cd "$(dirname "$0")/world" && pwd)}
gw=$1 reps=${2:-3} peers=${PEERS:-kernel suse proftpd squid}
"$bench/setup.sh" >/dev/null
route_on()  { ip -n fgs route replace 192.0.2.0/24 via 198.51.100.1; }
route_off() { ip -n fgs route del 192.0.2.0/24 2>/dev/null || true; }
wait_port() { for i in $(seq 60); do ip netns exec fgw ss -ltn | grep -qE "(192.0.2.1|::ffff:192.0.2.1\]):$1 " && return 0; sleep 0.5; done; return 1; }
med() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
up() { # LABEL HOST PORT REPS
  local user=${FTPUSER:-bench} p a
  p=$(for i in $(seq "$4"); do timeout 60 ip netns exec fgc curl -s -T /srv/ftpbench/big.bin -w '%{speed_upload}\n' \
        "ftp://$user:bench@$2:$3/up/u-$1-p$i.bin" || echo 0; done | awk '{printf "%.0f\n",$1/1e6}' | med)
  a=$(for i in $(seq "$4"); do timeout 60 ip netns exec fgc curl -s -P 192.0.2.10 -T /srv/ftpbench/big.bin \
        -w '%{speed_upload}\n' "ftp://$user:bench@$2:$3/up/u-$1-a$i.bin" || echo 0; done | awk '{printf "%.0f\n",$1/1e6}' | med)
  rm -f /srv/ftpbench/up/u-"$1"-*.bin
  echo "$1 up_pasv_MBps=$p up_active_MBps=$a"
}
out=$(mktemp)
iperf() { ip netns exec fgs iperf3 -s -B 198.51.100.20 -D -1 >/dev/null 2>&1; sleep 0.3
  ip netns exec fgc iperf3 -c "$1" -t 5 -f M $2 2>/dev/null | awk '/receiver/{print $(NF-2)}'; }
route_on; up routed-direct 198.51.100.20 21 "$reps" | tee -a "$out"
td=$(iperf 198.51.100.20); tdr=$(iperf 198.51.100.20 -R)
route_off
ip netns exec fgw setsid socat -b 262144 TCP-LISTEN:5201,bind=192.0.2.1,reuseaddr,fork TCP:198.51.100.20:5201 >/dev/null 2>&1 &
sp=$!; sleep 0.5; tr=$(iperf 192.0.2.1); trr=$(iperf 192.0.2.1 -R); kill -- -"$sp" 2>/dev/null || kill "$sp" 2>/dev/null
echo "tcp-relay-ceiling upload: direct_MBps=$td socat_relay_MBps=$tr ratio=$(awk -v a="$tr" -v b="$td" 'BEGIN{printf "%.2f", (b>0)?a/b:0}'); download (-R): direct_MBps=$tdr socat_relay_MBps=$trr ratio=$(awk -v a="$trr" -v b="$tdr" 'BEGIN{printf "%.2f", (b>0)?a/b:0}')"
for p in $peers; do case $p in
  kernel)
    ip netns exec fgw nft -f "$bench/nat-helper.nft"
    up kernel-nft-helper 198.51.100.20 21 "$reps" | tee -a "$out"
    ip netns exec fgw nft delete table inet fgnat ;;
  suse)
    ip netns exec fgw /usr/sbin/ftp-proxy -d -f "$bench/suse-ftp-proxy.conf"; wait_port 2122
    up suse-ftp-proxy 192.0.2.1 2122 1 | tee -a "$out"
    kill "$(cat /tmp/fgbench-suse.pid)" 2>/dev/null || true ;;
  proftpd)
    mkdir -p /tmp/fgbench-proftpd/proxy; chmod 711 /tmp/fgbench-proftpd
    (cd /tmp && ip netns exec fgw setsid /opt/fgbench/proftpd/usr/sbin/proftpd -n -c "$bench/proftpd-mod-proxy.conf" >/tmp/fgbench-proftpd/stdout.log 2>&1 &)
    wait_port 2123
    up proftpd-mod-proxy 192.0.2.1 2123 "$reps" | tee -a "$out"
    kill "$(cat /tmp/fgbench-proftpd/proftpd.pid)" 2>/dev/null || true; sleep 1 ;;
  squid)
    mkdir -p /tmp/fgbench-squid; chown proxy:proxy /tmp/fgbench-squid
    (ip netns exec fgw setsid squid -N -f "$bench/squid.conf" >/tmp/fgbench-squid/stdout.log 2>&1 &)
    wait_port 2124
    FTPUSER=bench%40198.51.100.20 up squid-ftp-port 192.0.2.1 2124 "$reps" | tee -a "$out"
    kill "$(cat /tmp/fgbench-squid/squid.pid)" 2>/dev/null || true; sleep 2 ;;
esac; done
if [ -n "$gw" ]; then
  ip netns exec fgw setsid bash -c "$gw" >/tmp/fgbench-gateway-up.log 2>&1 &
  gpid=$!
  wait_port 2121 || echo "gateway did not listen on 192.0.2.1:2121" >&2
  up gateway 192.0.2.1 2121 "$reps" | tee -a "$out"
  kill -- -"$gpid" 2>/dev/null || kill "$gpid" 2>/dev/null || true
fi
awk '/^routed-direct/{split($2,a,"=");split($3,b,"=");dp=a[2];da=b[2]}
     {split($2,a,"=");split($3,b,"=");
      printf "ratio %-18s up_pasv=%.2f up_active=%.2f\n",$1,(dp>0)?a[2]/dp:0,(da>0)?b[2]/da:0}' "$out"
rm -f "$out"
