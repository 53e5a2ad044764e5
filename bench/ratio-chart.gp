# ratio-chart.gp — the look shared by bench/chart.sh and bench/kernel-chart.sh (loaded by both): clustered
# bars of ratios to routed direct, on a 1100 x 560 PNG. The caller sets the output, title, offsets and plot.
set terminal pngcairo size 1100,560 font "DejaVu Sans,11"
set datafile columnheaders
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set yrange [0:*]
set ytics 0.25
set grid ytics
set key top right
set ylabel "ratio to routed direct"
