#!/bin/bash
# chart.sh DOWNLOAD_OUTPUT UPLOAD_OUTPUT [PNG] — draws docs/benchmarks.png (gnuplot, Debian package gnuplot-nox)
# from the saved output of ../shared/bench/compare.sh and bench/compare-upload.sh of one session: every path's
# ratios to routed direct, side by side, with the user-space relay ceiling (socat) as a line. SMALL=FILE adds
# the many-small-files ratios of bench/small-files-peers.sh (its PASV run, the one with every peer).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
down=$1 up=$2 png=${3:-$root/docs/benchmarks.png}
command -v gnuplot >/dev/null || { echo "chart.sh: gnuplot missing (apt-get install gnuplot-nox)" >&2; exit 1; }
dat=$(mktemp)
ceiling=$(awk '/^tcp-relay-ceiling/{for(i=1;i<=NF;i++) if($i ~ /^ratio=/){split($i,a,"=");print a[2]}}' "$down")
awk 'FNR==NR { if ($1=="ratio") { for(i=3;i<=NF;i++){split($i,a,"="); d[$2,a[1]]=a[2]} order[++n]=$2 } next }
     $1=="ratio" { for(i=3;i<=NF;i++){split($i,a,"="); u[$2,a[1]]=a[2]} }
     END { print "path\tpassive\tactive\tsmall\tup_passive\tup_active";
           for(k=1;k<=n;k++){p=order[k]; if(p=="routed-direct") continue;
             printf "%s\t%s\t%s\t%s\t%s\t%s\n", p, d[p,"pasv"], d[p,"active"], d[p,"small"],
               (u[p,"up_pasv"]==""?"NaN":u[p,"up_pasv"]), (u[p,"up_active"]==""?"NaN":u[p,"up_active"]) } }' \
    "$down" "$up" > "$dat.bulk"
# The load tool's small-file ratios (label_files_ratio_to_first=R lines of the PASV run), by compare.sh path name.
awk -v f="${SMALL:-}" 'BEGIN { m["proftpd"]="proftpd-mod-proxy"; m["squid"]="squid-ftp-port"; m["suse"]="suse-ftp-proxy";
         m["ftpgate"]="gateway"; if (f != "") while ((getline l < f) > 0) {
           if (l ~ /^client_mode=/) { run = substr(l, 13) }
           else if (run == "PASV" && l ~ /_files_ratio_to_first=/) { split(l, a, "_files_ratio_to_first=");
             s[m[a[1]]] = a[2] } } }
     NR == 1 { print $0 "\tsmall_loadtool"; next }
     { print $0 "\t" (($1 in s) ? s[$1] : "NaN") }' "$dat.bulk" > "$dat"
rm -f "$dat.bulk"
gnuplot <<GP
load "$root/bench/ratio-chart.gp"
set output "$png"
set title "ftpgate and its peers: throughput as a ratio to routed direct (one run per direction; higher is better)"
set offsets 0,0,0.4,0
set arrow from graph 0, first $ceiling to graph 1, first $ceiling nohead dt 2 lw 2 lc rgb "#aa0000"
set label sprintf("dashed: user-space relay ceiling of the download run (socat): %.2f", $ceiling) at graph 0.01, graph 0.95 tc rgb "#aa0000"
# The curl small-file column (4) is left out: curl 7.88's 1 s stall makes it a lottery (docs/benchmarks.md).
plot "$dat" using 2:xtic(1) title "download passive", '' using 3 title "download active", \
     '' using 5 title "upload passive", '' using 6 title "upload active", \
     '' using 7 title "4 KiB files/s (load tool, PASV)", \
     '' using 0:2:(sprintf("%.2f",\$2)) with labels offset -4.2,0.6 font ",8" notitle, \
     '' using 0:6:(sprintf("%.2f",\$6)) with labels offset 4.2,0.6 font ",8" notitle
GP
cp "$dat" "${png%.png}.dat"
rm -f "$dat"
echo "wrote $png"
