#!/bin/sh
# Install the Debian packages Bulkhead's build and tests need, if any is
# missing. Run by `make deps` and, through a stamp file, by every target
# the first time. Needs root (apt-get) only when something must be installed.
set -eu

# command or file -> Debian package that provides it
need="
qemu-system-x86_64:qemu-system-x86
nasm:nasm
grub-mkrescue:grub-common
grub-file:grub-common
/usr/lib/grub/i386-pc/multiboot2.mod:grub-pc-bin
xorriso:xorriso
mformat:mtools
python3:python3
gnuplot:gnuplot-nox
dot:graphviz
cpio:cpio
curl:curl
wrk:wrk
iperf:iperf
ip:iproute2
patch:patch
clang-format:clang-format
black:black
flake8:flake8
/usr/src/newlib/newlib-3.3.0.tar.xz:newlib-source
sqlite3:sqlite3
tclsh:tcl
stdbuf:coreutils
unshare:util-linux
gdb:gdb
"

missing=
for item in $need; do
	what=${item%%:*} pkg=${item##*:}
	case $what in
	/*) [ -e "$what" ] && continue ;;
	*) command -v "$what" >/dev/null 2>&1 && continue ;;
	esac
	case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
done

[ -z "$missing" ] && exit 0
echo "deps: installing Debian packages:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: need root to run apt-get; run 'make deps' as root" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
