#!/bin/bash
# waitload.sh [MAX] [TRIES] — waits until the machine is quiet: the 1-minute load average below MAX (default
# 1.0), or (since the average lags behind our own previous run) the CPUs at least 90% idle over 3 seconds.
# Checks every 20 s, at most TRIES (default 30) times; prints what it saw. The machine is shared: a figure
# measured while someone else's job runs is not a figure.
max=${1:-1.0} tries=${2:-30}
idle() { read -r _ u n s i w q sq st _ < /proc/stat; t1=$((u+n+s+i+w+q+sq+st)); i1=$((i+w)); sleep 3
         read -r _ u n s i w q sq st _ < /proc/stat; t2=$((u+n+s+i+w+q+sq+st)); i2=$((i+w))
         echo $(( 100 * (i2-i1) / (t2-t1) )); }
for k in $(seq "$tries"); do
  l=$(cut -d' ' -f1 /proc/loadavg); id=$(idle)
  if awk -v l="$l" -v m="$max" -v id="$id" 'BEGIN{exit !(l<m || id>=90)}'; then echo "load1=$l idle=${id}%"; exit 0; fi
  sleep 20
done
echo "load1=$(cut -d' ' -f1 /proc/loadavg) idle=$(idle)% (still busy)"; exit 1
