#!/bin/sh
# Network benchmarks, all in one run: the HTTP server under wrk and the
# iPerf server under iperf, for lwIP in the kernel's compartment (fcall),
# lwIP in an MPK compartment of its own, and a Linux guest (Debian's
# kernel with nginx-light and iperf, scripts/linux-guest-image.sh) on the
# same QEMU, the same virtio-net device and the same clients. Each guest
# runs on a tap device inside a network namespace of its own
# (scripts/netns-run.py); no traffic leaves it. Needs root.
#
# usage: scripts/bench-net.sh [seconds per run, default 10]
set -eu

secs=${1:-10}
here=$(dirname "$0")
for c in httpd httpd-mpk iperf iperf-mpk; do
	make --no-print-directory CONFIG=configs/$c.toml image >/dev/null
done
"$here/linux-guest-image.sh"

# $1: guest (a Bulkhead image, or "linux"), $2: client command
run() {
	if [ "$1" = linux ]; then
		"$here/netns-run.py" --linux --ready "linux guest: listening" \
			--timeout 300 --client "$2" build/linux-guest
	else
		"$here/netns-run.py" --client "$2" "build/$1/bulkhead.elf"
	fi 2>/dev/null
}

http() {	# guest -> requests/s
	run "$1" "wrk -t 2 -c 30 -d ${secs}s http://10.7.0.2/hello.txt" |
		awk '/Requests\/sec/ { print $2 }'
}

iperf_gbit() {	# guest -> Gbit/s
	run "$1" "iperf -c 10.7.0.2 -t $secs -f m" |
		awk '/Mbits\/sec/ { v = $(NF - 1) } END { printf "%.3f\n", v / 1000 }'
}

ratio() {
	echo "$1 $2" | awk '{ printf "%.2f", $2 ? $1 / $2 : 0 }'
}

h_fcall=$(http httpd)
h_mpk=$(http httpd-mpk)
h_linux=$(http linux)
i_fcall=$(iperf_gbit iperf)
i_mpk=$(iperf_gbit iperf-mpk)
i_linux=$(iperf_gbit linux)

echo "Network, QEMU TCG (-cpu max, 1 vCPU), virtio-net on tap in a private"
echo "namespace, clients wrk -t2 -c30 and iperf (2.x), ${secs} s each:"
printf '  %-26s %11s %11s %11s %12s %12s\n' "" "fcall" "mpk (lwIP)" "Linux" \
	"fcall/Linux" "mpk/fcall"
printf '  %-26s %11s %11s %11s %12s %12s\n' "HTTP requests/s" \
	"$h_fcall" "$h_mpk" "$h_linux" "$(ratio "$h_fcall" "$h_linux")" \
	"$(ratio "$h_mpk" "$h_fcall")"
printf '  %-26s %11s %11s %11s %12s %12s\n' "iPerf Gbit/s" \
	"$i_fcall" "$i_mpk" "$i_linux" "$(ratio "$i_fcall" "$i_linux")" \
	"$(ratio "$i_mpk" "$i_fcall")"
echo "Linux serves the same /hello.txt with nginx-light; Bulkhead with apps/httpd."
