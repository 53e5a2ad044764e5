#!/bin/bash
# relay-tuning.sh LABEL JAR "JAVA OPTIONS" [REPS] — one relay variant in the benchmark world of ../shared/bench:
# ftpgate (JAR, with the JVM options, e.g. -Dftpgate.data.read-max=65536; see io.ftpgate.data.DataLegs) in fgw,
# one warm-up download, then REPS passive and REPS active 1 GiB downloads through it, then REPS routed-direct
# ones. Prints the medians, their ratios, ftpgate's CPU ticks (10 ms) per GiB from /proc/PID/stat — the figure
# that stays put on a shared machine — and the load.
label=$1 jar=$2 opts=${3:--Dftpgate.bench=1} reps=${4:-3}
med() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
ip netns exec fgw setsid java $opts -Djava.net.preferIPv4Stack=true -jar "$jar" run --listen 192.0.2.1:2121 \
    --upstream 198.51.100.20:21 --client-data-ports 50000-50999 > /tmp/relay-tuning-gw.log 2>&1 &
gp=$!
for i in $(seq 40); do ip netns exec fgw ss -ltn | grep -q "192.0.2.1:2121 " && break; sleep 0.25; done
ip netns exec fgc curl -s -o /dev/null ftp://bench:bench@192.0.2.1:2121/big.bin
jpid=$(pgrep -s "$gp" java | head -1)
t0=$(awk '{print $14+$15}' /proc/$jpid/stat)
p=$(for i in $(seq $reps); do ip netns exec fgc curl -s -o /dev/null -w '%{speed_download}\n' ftp://bench:bench@192.0.2.1:2121/big.bin; done | awk '{printf "%.0f\n",$1/1e6}' | med)
a=$(for i in $(seq $reps); do ip netns exec fgc curl -s -P 192.0.2.10 -o /dev/null -w '%{speed_download}\n' ftp://bench:bench@192.0.2.1:2121/big.bin; done | awk '{printf "%.0f\n",$1/1e6}' | med)
t1=$(awk '{print $14+$15}' /proc/$jpid/stat)
kill -- -"$gp" 2>/dev/null || kill "$gp" 2>/dev/null; sleep 0.5
ip -n fgs route replace 192.0.2.0/24 via 198.51.100.1
d=$(for i in $(seq $reps); do ip netns exec fgc curl -s -o /dev/null -w '%{speed_download}\n' ftp://bench:bench@198.51.100.20/big.bin; done | awk '{printf "%.0f\n",$1/1e6}' | med)
ip -n fgs route del 192.0.2.0/24
echo "$label gw_pasv=$p gw_active=$a direct_pasv=$d ratio_pasv=$(awk -v a=$p -v b=$d 'BEGIN{printf "%.2f",a/b}') ratio_active=$(awk -v a=$a -v b=$d 'BEGIN{printf "%.2f",a/b}') gw_cpu_ticks_per_GiB=$(( (t1-t0)/(2*reps) )) load=$(cut -d' ' -f1 /proc/loadavg)"
