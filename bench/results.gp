# bench/results.gp: the throughput chart of bench/RESULTS.md (gnuplot, called by bench/run.sh
# with datafile= and outfile= set).
set terminal pngcairo size 900,500 font ",11"
set output outfile
set termoption noenhanced
set title "One forwarding core, net_pcap infinite_rx on both ports (median Mpps)"
set ylabel "Mpps (both ports' RX)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set yrange [0:*]
set grid ytics
set key top right
plot datafile using 2:xtic(1) title "ampguard", \
     '' using 3 title "testpmd io", \
     '' using 4 title "testpmd 5tswap"
