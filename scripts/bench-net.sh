#!/bin/bash
# Network benchmarks, all in one run: the HTTP server (apps/httpd) and
# nginx (apps/nginx, Debian's, unchanged) under wrk and the iPerf server
# under iperf, for lwIP in the kernel's compartment (fcall), lwIP in an
# MPK compartment of its own, lwIP and the driver in a VM of their own
# (ept, two VMs: socket calls are RPCs), and a Linux guest (Debian's
# kernel with nginx-light and iperf, scripts/linux-guest-image.sh) on the
# same QEMU, the same virtio-net device and the same clients. The Linux
# guest's nginx runs with Bulkhead's nginx.conf (apps/nginx/root/etc/
# nginx/nginx.conf: one process, poll), so nginx meets nginx with the same
# configuration; every server answers the same /hello.txt. Each guest
# runs on a tap device inside a network namespace of its own
# (scripts/netns-run.py); no traffic leaves it. Needs root.
#
# For the isolated configurations it prints the gate crossings per HTTP
# request and per MiB received by iPerf, counted in images of the same
# splits with backend count (scripts/bench-lib.sh) under the same clients
# on the same tap, with the three busiest paths.
#
# Under TCG on a shared machine one run can be far off, so each figure is
# the median of `runs` runs (odd; the guests take turns, so a slow moment
# does not hit one of them only); the ratios are of the medians.
#
# Every guest run takes /tmp/bulkhead-qemu.lock itself (the one flock(1)
# takes for every QEMU run): do not run this script under that lock, or
# say so with BENCH_NET_LOCK= (empty): the runs then take none, and the
# whole benchmark runs under the caller's hold.
#
# usage: scripts/bench-net.sh [seconds per run, default 10] [runs, default 3]
set -eu

here=$(dirname "$0")
# shellcheck source=scripts/bench-lib.sh
. "$here/bench-lib.sh"
secs=${1:-10}
runs=${2:-3}
case $secs in *[!0-9]*|""|0) echo "bench-net: seconds must be a positive number, not '$secs'" >&2; exit 2 ;; esac
case $runs in *[!0-9]*|""|0) echo "bench-net: runs must be a positive number, not '$runs'" >&2; exit 2 ;; esac
lock=${BENCH_NET_LOCK-$bench_lock}
bench_lock=$lock
for c in httpd httpd-mpk httpd-ept2 iperf iperf-mpk iperf-ept2 nginx nginx-mpk2 nginx-ept2; do
	make --no-print-directory CONFIG=configs/$c.toml image >/dev/null
done
"$here/linux-guest-image.sh"
# The counting images of the isolated splits (scripts/bench-lib.sh).
for c in httpd-mpk nginx-mpk2 nginx-ept2 iperf-mpk iperf-ept2; do
	count_config configs/$c.toml count-$c
done

# Each guest's console goes to build/bench/net-<guest>-<client>.log.
mkdir -p build/bench

# nginx's initrd: its own files, then /var/www/html/hello.txt, the Linux
# guest's.
rm -rf build/bench/nginx-files
mkdir -p build/bench/nginx-files/var/www/html
cp build/linux-guest/root/var/www/html/hello.txt build/bench/nginx-files/var/www/html/
python3 "$here/mkinitrd.py" build/bench/nginx-initrd.cpio apps/nginx/root build/nginx/root \
	build/bench/nginx-files
locked() {	# command: run under the QEMU lock, unless the caller holds it
	if [ -n "$lock" ]; then flock "$lock" "$@"; else "$@"; fi
}

# $1: guest (a Bulkhead image, or "linux"), $2: log name, $3: client command
run() {
	log=build/bench/net-$1-$2.log
	case $1 in
	linux)
		locked "$here/netns-run.py" --linux --ready "linux guest: listening" \
			--timeout 300 --log "$log" --client "$3" build/linux-guest ;;
	nginx*)	# ready once it has said its limits (error_log stderr notice)
		QEMU_INITRD=build/bench/nginx-initrd.cpio locked "$here/netns-run.py" \
			--ready "getrlimit(RLIMIT_NOFILE)" --log "$log" --client "$3" \
			"build/$1/bulkhead.elf" ;;
	*)
		locked "$here/netns-run.py" --log "$log" --client "$3" \
			"build/$1/bulkhead.elf" ;;
	esac
}

http() {	# guest -> "requests/s errors" (socket errors and non-2xx answers)
	run "$1" wrk "wrk -t 2 -c 30 -d ${secs}s http://10.7.0.2/hello.txt" |
		awk '/Requests\/sec/ { r = $2 }
		     /Socket errors/ { gsub(",", ""); e += $4 + $6 + $8 + $10 }
		     /Non-2xx/ { e += $NF }
		     END { print (r == "" ? 0 : r), e + 0 }'
}

iperf_gbit() {	# guest -> Gbit/s
	run "$1" iperf "iperf -c 10.7.0.2 -t $secs -f m" |
		awk '/Mbits\/sec/ { v = $(NF - 1) } END { printf "%.3f\n", v / 1000 }'
}

hf= hm= he= hl= xf= xm= xe= xl= e_fcall=0 e_mpk=0 e_ept=0 e_linux=0
nf= nm= ne= n_efcall=0 n_empk=0 n_eept=0
i=0
while [ $i -lt "$runs" ]; do
	set -- $(http httpd) $(http httpd-mpk) $(http httpd-ept2) $(http linux)
	hf="$hf $1" hm="$hm $3" he="$he $5" hl="$hl $7"
	e_fcall=$((e_fcall + $2)) e_mpk=$((e_mpk + $4)) e_ept=$((e_ept + $6))
	e_linux=$((e_linux + $8))
	set -- $(http nginx) $(http nginx-mpk2) $(http nginx-ept2)
	nf="$nf $1" nm="$nm $3" ne="$ne $5"
	n_efcall=$((n_efcall + $2)) n_empk=$((n_empk + $4)) n_eept=$((n_eept + $6))
	xf="$xf $(iperf_gbit iperf)" xm="$xm $(iperf_gbit iperf-mpk)"
	xe="$xe $(iperf_gbit iperf-ept2)" xl="$xl $(iperf_gbit linux)"
	i=$((i + 1))
done
# The crossings: per HTTP request (wrk's count) and per MiB received.
iperf_mib=64
http_crossings() { # counting image -> per request, and the busiest paths
	local ready=listening
	case $1 in count-nginx*)
		ready="getrlimit(RLIMIT_NOFILE)"
		export QEMU_INITRD=build/bench/nginx-initrd.cpio ;;
	esac
	count_run "$1" "$ready" "wrk -t 2 -c 30 -d ${secs}s http://10.7.0.2/hello.txt"
	unset QEMU_INITRD
	count_per "$1" "$(awk '/requests in/ { print $1 }' "$bench_out/$1.client")"
}
iperf_crossings() { # counting image -> per MiB received, and the busiest paths
	count_run "$1" listening "iperf -c 10.7.0.2 -n ${iperf_mib}M -f m"
	if grep -q "Mbits/sec" "$bench_out/$1.client"; then
		count_per "$1" "$iperf_mib"
	else
		echo "-"
	fi
}
read -r c_httpd p_httpd < <(http_crossings count-httpd-mpk; echo)
read -r c_nginx p_nginx < <(http_crossings count-nginx-mpk2; echo)
read -r c_nginx_ept p_nginx_ept < <(http_crossings count-nginx-ept2; echo)
read -r c_iperf p_iperf < <(iperf_crossings count-iperf-mpk; echo)
read -r c_iperf_ept p_iperf_ept < <(iperf_crossings count-iperf-ept2; echo)

h_fcall=$(median $hf) h_mpk=$(median $hm) h_ept=$(median $he) h_linux=$(median $hl)
n_fcall=$(median $nf) n_mpk=$(median $nm) n_ept=$(median $ne)
i_fcall=$(median $xf) i_mpk=$(median $xm) i_ept=$(median $xe) i_linux=$(median $xl)

echo "Network, QEMU TCG (-cpu max, 1 vCPU each; ept2: 2 VMs), virtio-net on tap in a private"
echo "namespace, clients wrk -t2 -c30 and iperf (2.x), ${secs} s a run,"
echo "median of $runs runs (errors: all runs together):"
printf '  %-18s %10s %10s %10s %10s %11s %10s %10s\n' "" "fcall" "mpk (lwIP)" \
	"ept2 (VMs)" "Linux" "fcall/Linux" "mpk/fcall" "ept/fcall"
printf '  %-18s %10s %10s %10s %10s %11s %10s %10s\n' "HTTP requests/s" \
	"$h_fcall" "$h_mpk" "$h_ept" "$h_linux" "$(ratio "$h_fcall" "$h_linux")" \
	"$(ratio "$h_mpk" "$h_fcall")" "$(ratio "$h_ept" "$h_fcall")"
printf '  %-18s %10s %10s %10s %10s\n' "HTTP errors (wrk)" \
	"$e_fcall" "$e_mpk" "$e_ept" "$e_linux"
printf '  %-18s %10s %10s %10s %10s %11s %10s %10s\n' "nginx requests/s" \
	"$n_fcall" "$n_mpk" "$n_ept" "$h_linux" "$(ratio "$n_fcall" "$h_linux")" \
	"$(ratio "$n_mpk" "$n_fcall")" "$(ratio "$n_ept" "$n_fcall")"
printf '  %-18s %10s %10s %10s %10s\n' "nginx errors (wrk)" \
	"$n_efcall" "$n_empk" "$n_eept" "$e_linux"
printf '  %-18s %10s %10s %10s %10s %11s %10s %10s\n' "iPerf Gbit/s" \
	"$i_fcall" "$i_mpk" "$i_ept" "$i_linux" "$(ratio "$i_fcall" "$i_linux")" \
	"$(ratio "$i_mpk" "$i_fcall")" "$(ratio "$i_ept" "$i_fcall")"
printf '  %-18s %10s %10s %10s\n' "HTTP gates/request" "0" "${c_httpd:--}" "-"
printf '  %-18s %10s %10s %10s\n' "nginx gates/request" "0" "${c_nginx:--}" "${c_nginx_ept:--}"
printf '  %-18s %10s %10s %10s\n' "iPerf gates/MiB" "0" "${c_iperf:--}" "${c_iperf_ept:--}"
echo "gates: gate crossings counted in an image of the same split with backend count, under"
echo "the same client on the same tap (iPerf: ${iperf_mib} MiB); busiest paths:"
echo "  HTTP mpk ${p_httpd:--}"
echo "  nginx mpk ${p_nginx:--}"
echo "  nginx ept2 ${p_nginx_ept:--}"
echo "  iPerf mpk ${p_iperf:--}"
echo "  iPerf ept2 ${p_iperf_ept:--}"
echo "Linux serves the same /hello.txt with nginx-light and Bulkhead's nginx.conf; Bulkhead"
echo "with apps/httpd (HTTP rows) and with nginx (nginx rows: mpk is nginx-mpk2)."
echo "Guest consoles: build/bench/net-*.log."
