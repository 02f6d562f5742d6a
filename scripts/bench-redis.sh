#!/bin/bash
# Redis under FlexOS's load, all in one run: redis-benchmark -c 30 -P 16
# -t get,set against every Redis configuration (configs/redis*.toml) and
# against Debian's redis-server in the Linux guest
# (scripts/linux-guest-image.sh), on the same QEMU (TCG, -cpu max, 1 vCPU,
# 1 GiB), the same virtio-net device on a tap in a private network
# namespace (scripts/netns-run.py) and the same client. Prints GET and
# SET requests/s, the ratios to fcall and to the Linux guest and, for the
# isolated configurations, the gate crossings per request; writes
# build/bench/redis.csv and build/bench/redis.png. Needs root.
#
# The crossings are counted, not estimated: an image of the same split
# with backend count (gates/count/: every call that would cross a gate
# adds one to its counter) serves the same benchmark on the same tap, and
# gdb reads gate_counts through QEMU's debugger stub just before and just
# after it (scripts/bench-lib.sh); the difference over the requests is
# the figure. TCG emulates WRPKRU at about 100 times its hardware cost, so the
# count is what carries over to hardware.
#
# Each figure is the median of `runs` runs (the guests take turns).
#
# usage: scripts/bench-redis.sh [requests, default 100000] [runs, default 1]
set -euo pipefail

requests=${1:-100000}
runs=${2:-1}
case $requests in *[!0-9]* | "" | 0)
	echo "bench-redis: requests must be a positive number, not '$requests'" >&2
	exit 2
	;;
esac
case $runs in *[!0-9]* | "" | 0)
	echo "bench-redis: runs must be a positive number, not '$runs'" >&2
	exit 2
	;;
esac
here=$(dirname "$0")
# shellcheck source=scripts/bench-lib.sh
. "$here/bench-lib.sh"
out=$bench_out
lock=$bench_lock
configs="redis redis-mpk2 redis-mpk2full redis-mpk3 redis-ept2"
mkdir -p "$out"
for c in $configs; do
	make --no-print-directory CONFIG="configs/$c.toml" image >/dev/null
done
"$here/linux-guest-image.sh"
client="redis-benchmark -h 10.7.0.2 -p 6379 -n $requests -c 30 -P 16 -t get,set --csv"

# The counting images: the splits of redis-mpk2, redis-mpk3 and
# redis-ept2, every crossing their gates would make counted.
count_config configs/redis-mpk2.toml redis-count-mpk2
count_config configs/redis-mpk3.toml redis-count-mpk3
count_config configs/redis-ept2.toml redis-count-ept2

# $1: config (or "linux") -> "GET/s SET/s" of one run; console in
# build/bench/redis-<config>.log, the client's output beside it.
bench() {
	local log=$out/redis-$1.log res=$out/redis-$1.out
	if [ "$1" = linux ]; then
		flock "$lock" "$here/netns-run.py" --linux --ready "linux guest: listening" \
			--timeout 900 --log "$log" --client "$client" build/linux-guest >"$res" 2>&1 || true
	else
		QEMU_MEM=1G flock "$lock" "$here/netns-run.py" --ready "Ready to accept connections" \
			--timeout 900 --log "$log" --client "$client" "build/$1/bulkhead.elf" \
			-- /redis.conf >"$res" 2>&1 || true
	fi
	awk -F'"' '$2 == "SET" { s = $4 } $2 == "GET" { g = $4 }
		END { print (g == "" ? "-" : g), (s == "" ? "-" : s) }' "$res"
}

# Counting image $1 -> gate crossings per request (GETs and SETs
# together) and the three busiest paths.
crossings() {
	QEMU_MEM=1G count_run "$1" "Ready to accept connections" \
		"redis-benchmark -h 10.7.0.2 -p 6379 -n $requests -c 30 -P 16 -t get,set --csv" \
		-- /redis.conf
	count_per "$1" $((2 * requests))
}

names="fcall mpk2 mpk2full mpk3 ept2 linux-guest"
declare -A get set
i=0
while [ $i -lt "$runs" ]; do
	for c in $configs linux; do
		case $c in
		redis) n=fcall ;;
		linux) n=linux-guest ;;
		*) n=${c#redis-} ;;
		esac
		read -r g s < <(bench "$c")
		get[$n]="${get[$n]:-} $g" set[$n]="${set[$n]:-} $s"
	done
	i=$((i + 1))
done
declare -A cross
read -r "cross[mpk2]" paths_mpk2 < <(crossings redis-count-mpk2; echo)
read -r "cross[mpk3]" paths_mpk3 < <(crossings redis-count-mpk3; echo)
read -r "cross[ept2]" paths_ept2 < <(crossings redis-count-ept2; echo)
cross[mpk2full]=${cross[mpk2]}

csv=$out/redis.csv
echo "config,get_per_s,set_per_s,get_vs_fcall,get_vs_linux,set_vs_fcall,set_vs_linux,gates_per_request" >"$csv"
for n in $names; do
	g=$(median ${get[$n]}) s=$(median ${set[$n]})
	echo "$n,$g,$s,$(ratio "$g" "$(median ${get[fcall]})"),$(ratio "$g" "$(median ${get[linux-guest]})"),$(ratio "$s" "$(median ${set[fcall]})"),$(ratio "$s" "$(median ${set[linux-guest]})"),${cross[$n]:--}" >>"$csv"
done

echo "Redis 7.0.15 (Debian's sources, unchanged), QEMU TCG (-cpu max, 1 vCPU, 1 GiB),"
echo "virtio-net on a tap in a private namespace; redis-benchmark -n $requests -c 30 -P 16"
echo "-t get,set; requests/s, median of $runs runs:"
printf '  %-12s %11s %7s %7s %11s %7s %7s %10s\n' "" "GET/s" "/fcall" "/Linux" "SET/s" "/fcall" \
	"/Linux" "gates/req"
tail -n +2 "$csv" | while IFS=, read -r n g s gf gl sf sl x; do
	printf '  %-12s %11s %7s %7s %11s %7s %7s %10s\n' "$n" "$g" "$gf" "$gl" "$s" "$sf" "$sl" "$x"
done
echo "gates/req: gate crossings per request (GETs and SETs together), counted in an image of the"
echo "same split with backend count (mpk2full crosses where mpk2 does); most:"
echo "  mpk2 ${paths_mpk2:--}"
echo "  mpk3 ${paths_mpk3:--}"
echo "  ept2 ${paths_ept2:--}"
echo "linux-guest: Debian's redis-server (save \"\", appendonly no) on Debian's cloud kernel."
echo "Consoles: $out/redis-*.log; table: $csv"

# The chart: requests/s per configuration, GET and SET.
if command -v gnuplot >/dev/null; then
	tail -n +2 "$csv" >"$out/redis.dat"
	gnuplot <<GP 2>/dev/null || echo "bench-redis: gnuplot failed; no chart" >&2
set terminal pngcairo size 900,500 noenhanced
set output "$out/redis.png"
set datafile separator ","
set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel "requests/s"
set title "Redis 7.0.15 under QEMU TCG: redis-benchmark -c 30 -P 16 -n $requests"
set key top right
plot "$out/redis.dat" using 2:xtic(1) title "GET", "" using 3 title "SET"
GP
	[ -f "$out/redis.png" ] && echo "Chart: $out/redis.png"
fi
