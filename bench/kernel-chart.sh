#!/bin/bash
# kernel-chart.sh COMPARE_OUTPUT SMALL_FILES_OUTPUT [PNG] — draws docs/benchmarks-kernel.png (gnuplot,
# Debian package gnuplot-nox) from the saved output of bench/kernel-compare.sh (the "median" lines: bulk
# download ratios to routed direct) and bench/kernel-small-files.sh (the load tool's
# *_files_ratio_to_first lines; the two gateways' ratios are the mean of their two counterbalanced halves,
# the peers' come from the first half, the only one they run in). Every bar is a ratio to routed direct
# measured in the same run as the bar. Writes the PNG and the table beside it (.dat), then prints "wrote PNG".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bulk=$1 small=$2 png=${3:-$root/docs/benchmarks-kernel.png}
command -v gnuplot >/dev/null || { echo "kernel-chart.sh: gnuplot missing (apt-get install gnuplot-nox)" >&2; exit 1; }
dat=${png%.png}.dat
awk 'FNR == NR { if ($1 == "median" && $2 != "direct") { order[++n] = $2
         for (i = 3; i <= NF; i++) { split($i, a, "="); b[$2, a[1]] = a[2] } } next }
     /^client_mode=/ { mode = substr($0, 13) }
     /_files_ratio_to_first=/ { split($0, a, "_files_ratio_to_first="); s[a[1], mode] += a[2]; c[a[1], mode]++ }
     function r(p, m) { return c[p, m] ? sprintf("%.2f", s[p, m] / c[p, m]) : "NaN" }
     END { print "path\tdownload_passive\tdownload_active\tsmall_EPSV\tsmall_PASV"
       for (k = 1; k <= n; k++) { p = order[k]
         printf "%s\t%s\t%s\t%s\t%s\n", p, b[p, "passive_ratio"], b[p, "active_ratio"], r(p, "EPSV"), r(p, "PASV") } }' \
  "$bulk" "$small" > "$dat"
gnuplot <<GP
load "$root/bench/ratio-chart.gp"
set output "$png"
set title "The kernel data path (issue 14) and its peers: ratio to routed direct in the same run (higher is better)"
set datafile missing "NaN"
set offsets 0,0,0.3,0
set arrow from graph 0, first 0.95 to graph 1, first 0.95 nohead dt 2 lw 2 lc rgb "#aa0000"
set label "dashed: the bulk target, 0.95 x direct" at graph 0.01, graph 0.95 tc rgb "#aa0000"
plot "$dat" using 2:xtic(1) title "1 GiB download, passive (median)", '' using 3 title "1 GiB download, active (median)", \
     '' using 4 title "4 KiB files/s, load tool, EPSV", '' using 5 title "4 KiB files/s, load tool, PASV", \
     '' using 0:2:(sprintf("%.2f",\$2)) with labels offset -5,0.6 font ",8" notitle, \
     '' using 0:3:(sprintf("%.2f",\$3)) with labels offset -1.7,0.6 font ",8" notitle
GP
echo "wrote $png"
