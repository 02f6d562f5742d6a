#!/bin/bash
# SQLite benchmarks, all in one run: FlexOS's un-batched INSERTs (each its
# own transaction, on a database file of the guest's RAM file system) with
# SQLite's shell, and SQLite's speedtest1, for each SQLite configuration
# of Bulkhead (configs/sqlite*.toml and tests/configs/speedtest1*.toml:
# fcall, MPK3 with light and with full gates, EPT2), for the same programs
# in a Linux guest on the same QEMU (Debian's cloud kernel, the programs
# built statically from the same sources with the same options, the
# database on the initramfs's root), and for a Linux process on the host
# (Debian's own sqlite3 and libsqlite3, the database on a tmpfs).
#
# Prints seconds and the ratios to fcall and to the Linux guest, and writes
# build/bench/sqlite.csv and build/bench/sqlite.png. Each figure is the
# median of `runs` runs. The INSERTs time themselves (julianday('now')
# before and after, in the script), so boots do not count; speedtest1
# prints its own total.
#
# Every QEMU run takes /tmp/bulkhead-qemu.lock itself: do not run this
# script under that lock. Needs root (unshare, for the host's tmpfs).
#
# usage: scripts/bench-sqlite.sh [inserts, default 5000] [speedtest1 --size,
#        default 25] [runs, default 3]
set -euo pipefail

inserts=${1:-5000}
size=${2:-25}
runs=${3:-3}
for v in "inserts:$inserts" "size:$size" "runs:$runs"; do
	case ${v#*:} in *[!0-9]* | "" | 0)
		echo "bench-sqlite: ${v%%:*} must be a positive number, not '${v#*:}'" >&2
		exit 2
		;;
	esac
done
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
out=build/bench
files=$out/sqlite-files
lock=/tmp/bulkhead-qemu.lock
configs="sqlite sqlite-mpk3 sqlite-mpk3full sqlite-ept2"
mkdir -p "$out" "$files"

# --- what runs --------------------------------------------------------------
for c in $configs; do
	make --no-print-directory CONFIG="configs/$c.toml" image >/dev/null
	make --no-print-directory CONFIG="tests/configs/speedtest1${c#sqlite}.toml" image >/dev/null
done
make --no-print-directory build/tests/speedtest1-host >/dev/null
sqlite=build/sqlite

# The INSERTs, one statement and one transaction each, timed by SQLite.
{
	echo "CREATE TABLE t(a INTEGER, b TEXT, c REAL);"
	echo "CREATE TEMP TABLE clock AS SELECT julianday('now') AS t0;"
	awk -v n="$inserts" 'BEGIN { for (i = 1; i <= n; i++)
		printf "INSERT INTO t VALUES (%d, '\''row %d of the benchmark'\'', %d.5);\n", i, i, i }'
	echo "SELECT printf('inserts: %.4f', (julianday('now') - t0) * 86400.0) FROM clock;"
	echo "SELECT printf('rows: %d', count(*)) FROM t;"
} >"$files/inserts.sql"
python3 scripts/mkinitrd.py "$out/sqlite-bench.cpio" "$files" >/dev/null

# The same programs for the Linux guest: static, from the same amalgamation
# with Debian's options (build/sqlite/cflags) and what glibc has.
linux=$out/linux-sqlite
if [ ! -x "$linux/sqlite3" ] || [ ! -x "$linux/speedtest1" ] ||
	[ "$sqlite/.fetched" -nt "$linux/sqlite3" ]; then
	echo "bench-sqlite: building sqlite3 and speedtest1 for the Linux guest (a minute)" >&2
	mkdir -p "$linux"
	have="-DHAVE_FDATASYNC=1 -DHAVE_GMTIME_R=1 -DHAVE_LOCALTIME_R=1 -DHAVE_ISNAN=1
		-DHAVE_USLEEP=1 -DHAVE_STRCHRNUL=1 -DHAVE_PREAD=1 -DHAVE_PWRITE=1 -DHAVE_UTIME=1"
	# shellcheck disable=SC2046,SC2086
	gcc -O2 -fno-strict-aliasing -w $(cat "$sqlite/cflags") $have -c "$sqlite/gen/sqlite3.c" \
		-o "$linux/sqlite3.o"
	# shellcheck disable=SC2046,SC2086
	gcc -O2 -w $(cat "$sqlite/cflags") $(cat "$sqlite/shell-cflags") $have -DHAVE_READLINE=0 \
		-DSQLITE_HAVE_ZLIB=1 -I"$sqlite/gen" -I"$sqlite/zlib" -static -o "$linux/sqlite3" \
		"$sqlite/gen/shell.c" "$linux/sqlite3.o" \
		"$sqlite"/zlib/{adler32,compress,crc32,deflate,inffast,inflate,inftrees,trees,uncompr,zutil}.c \
		-lm 2>"$linux/build.log" || true
	# shellcheck disable=SC2046,SC2086
	gcc -O2 -w $(cat "$sqlite/cflags") -I"$sqlite/gen" -static -o "$linux/speedtest1" \
		"$sqlite/src/test/speedtest1.c" "$linux/sqlite3.o" -lm 2>>"$linux/build.log" || true
	[ -x "$linux/sqlite3" ] && [ -x "$linux/speedtest1" ] ||
		{ cat "$linux/build.log" >&2; echo "bench-sqlite: the Linux guest's programs did not build" >&2; exit 1; }
fi

# --- runs -------------------------------------------------------------------
# Each prints its console to build/bench/sqlite-<what>.log; the functions
# print the seconds, or "-" when the run printed none.
seconds_of() {	# log -> the INSERTs' seconds, or speedtest1's TOTAL
	awk '/^(\[[a-z0-9-]+\] )?inserts: / { v = $NF }
	     /TOTAL\.\.\./ { v = $NF; sub("s$", "", v) }
	     END { print (v == "" ? "-" : v) }' "$1"
}

guest() {	# image, log, words... (a Bulkhead guest, ept or not)
	local image=$1 log=$2 launch=scripts/qemu-run.sh
	shift 2
	grep -q '^CFG_BACKEND := ept' "$(dirname "$image")/config.mk" && launch=scripts/ept-launch.py
	QEMU_INITRD=$out/sqlite-bench.cpio QEMU_TIMEOUT=1800 flock "$lock" "$launch" "$image" -- "$@" \
		</dev/null 2>&1 | tr -d '\r' >"$log" || true
	seconds_of "$log"
}

linux_guest() {	# program, log, words...
	local prog=$1 log=$2
	shift 2
	LINUX_GUEST_FILES=$files flock "$lock" scripts/linux-guest-run.sh "$prog" "$@" \
		>"$log" 2>&1 || true
	seconds_of "$log"
}

host() {	# log, command... (in a private /tmp on tmpfs, from the SQL's folder)
	local log=$1
	shift
	unshare --mount --propagation private sh -c \
		'mount -t tmpfs -o size=1g,mode=1777 bench /tmp && cd "$0" && "$@"' \
		"$(pwd)/$files" "$@" >"$log" 2>&1 || true
	seconds_of "$log"
}

median() {	# numbers -> their median ("-" if one is missing)
	case " $* " in *" - "*) echo "-"; return ;; esac
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

ratio() {
	echo "$1 $2" | awk '{ if ($1 == "-" || $2 == "-" || $2 == 0) print "-";
			      else printf "%.2f", $1 / $2 }'
}

names="fcall mpk3 mpk3full ept2 linux-guest linux-process"
declare -A ins st
i=0
while [ $i -lt "$runs" ]; do
	for c in $configs; do
		n=${c#sqlite-}
		[ "$n" = sqlite ] && n=fcall
		ins[$n]="${ins[$n]:-} $(guest "build/$c/bulkhead.elf" "$out/sqlite-$n-inserts.log" \
			/tmp/bench.db ".read inserts.sql")"
		st[$n]="${st[$n]:-} $(guest "build/speedtest1${c#sqlite}/bulkhead.elf" \
			"$out/sqlite-$n-speedtest1.log" --size "$size" /tmp/speedtest1.db)"
	done
	ins[linux-guest]="${ins[linux-guest]:-} $(linux_guest "$linux/sqlite3" \
		"$out/sqlite-linux-guest-inserts.log" -init /inserts.sql /bench.db .print)"
	st[linux-guest]="${st[linux-guest]:-} $(linux_guest "$linux/speedtest1" \
		"$out/sqlite-linux-guest-speedtest1.log" --size "$size" /speedtest1.db)"
	ins[linux-process]="${ins[linux-process]:-} $(host "$out/sqlite-linux-process-inserts.log" \
		/usr/bin/sqlite3 /tmp/bench.db ".read inserts.sql")"
	st[linux-process]="${st[linux-process]:-} $(host "$out/sqlite-linux-process-speedtest1.log" \
		"$(pwd)/build/tests/speedtest1-host" --size "$size" /tmp/speedtest1.db)"
	i=$((i + 1))
done

declare -A mi ms
for n in $names; do
	# shellcheck disable=SC2086
	mi[$n]=$(median ${ins[$n]})
	# shellcheck disable=SC2086
	ms[$n]=$(median ${st[$n]})
done

echo "SQLite 3.40.1 (Debian's sources and options), QEMU TCG (-cpu max, 1 vCPU);"
echo "$inserts INSERTs, one transaction each, on a database file in the guest's"
echo "RAM file system (the host process: tmpfs); speedtest1 --size $size on a file"
echo "likewise; seconds, median of $runs runs:"
printf '  %-15s %10s %8s %8s %13s %8s %8s\n' "" "INSERTs" "/fcall" "/Linux" \
	"speedtest1" "/fcall" "/Linux"
csv=$out/sqlite.csv
echo "config,inserts_s,inserts_per_fcall,inserts_per_linux_guest,speedtest1_s,speedtest1_per_fcall,speedtest1_per_linux_guest" >"$csv"
for n in $names; do
	a=$(ratio "${mi[$n]}" "${mi[fcall]}") b=$(ratio "${mi[$n]}" "${mi[linux-guest]}")
	c=$(ratio "${ms[$n]}" "${ms[fcall]}") d=$(ratio "${ms[$n]}" "${ms[linux-guest]}")
	printf '  %-15s %10s %8s %8s %13s %8s %8s\n' "$n" "${mi[$n]}" "$a" "$b" "${ms[$n]}" "$c" "$d"
	echo "$n,${mi[$n]},$a,$b,${ms[$n]},$c,$d" >>"$csv"
done
echo "linux-process: Debian's /usr/bin/sqlite3 and speedtest1 on its libsqlite3, no QEMU."
echo "Consoles: $out/sqlite-*.log; table: $csv"

# The chart: seconds per configuration, both benchmarks, log scale.
if command -v gnuplot >/dev/null; then
	tail -n +2 "$csv" >"$out/sqlite.dat"
	gnuplot <<GP 2>/dev/null || echo "bench-sqlite: gnuplot failed; no chart" >&2
set terminal pngcairo size 900,500 noenhanced
set output "$out/sqlite.png"
set datafile separator ","
set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "seconds (log scale)"
set title "SQLite 3.40.1 under QEMU TCG: $inserts un-batched INSERTs and speedtest1 --size $size"
set key top left
set xtics rotate by -20
plot "$out/sqlite.dat" using 2:xtic(1) title "$inserts INSERTs", "" using 5 title "speedtest1 --size $size"
GP
	[ -f "$out/sqlite.png" ] && echo "Chart: $out/sqlite.png"
fi
