#!/bin/sh
# Network benchmarks: the HTTP server under wrk and the iPerf server under
# iperf, each on a tap network inside a namespace of its own
# (scripts/netns-run.py), for lwIP in the kernel's compartment (fcall) and
# in an MPK compartment of its own. Prints requests/s and Mbit/s side by
# side and the ratios, all from this run. Needs root (namespaces, tap).
#
# usage: scripts/bench-net.sh [seconds per run, default 10]
set -eu

secs=${1:-10}
here=$(dirname "$0")
for c in httpd httpd-mpk iperf iperf-mpk; do
	make --no-print-directory CONFIG=configs/$c.toml image >/dev/null
done

http() {	# config -> requests/s
	"$here/netns-run.py" --client "wrk -t 2 -c 30 -d ${secs}s http://10.7.0.2/hello.txt" \
		"build/$1/bulkhead.elf" 2>/dev/null |
		awk '/Requests\/sec/ { print $2 } /Socket errors/ { print "errors:", $0 > "/dev/stderr" }'
}

iperf_mbit() {	# config -> Mbit/s
	"$here/netns-run.py" --client "iperf -c 10.7.0.2 -t $secs -f m" \
		"build/$1/bulkhead.elf" 2>/dev/null |
		awk '/Mbits\/sec/ { v = $(NF - 1) } END { print v }'
}

h1=$(http httpd)
h2=$(http httpd-mpk)
i1=$(iperf_mbit iperf)
i2=$(iperf_mbit iperf-mpk)
echo "Network (QEMU TCG, virtio-net on tap in a private namespace, ${secs} s each):"
printf '  %-28s %12s %12s %8s\n' "" "fcall" "mpk (lwIP)" "ratio"
printf '  %-28s %12s %12s %8s\n' "HTTP requests/s (wrk -c 30)" "$h1" "$h2" \
	"$(echo "$h2 $h1" | awk '{ printf "%.2f", $1 / $2 }')"
printf '  %-28s %12s %12s %8s\n' "iPerf Mbit/s" "$i1" "$i2" \
	"$(echo "$i2 $i1" | awk '{ printf "%.2f", $1 / $2 }')"
echo "The Linux-guest comparison is not written yet (see docs/design.md)."
