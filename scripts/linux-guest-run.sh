#!/bin/sh
# Run a static Linux program as /init of a Linux guest under QEMU TCG
# (-cpu max, which has protection keys), and print what it prints.
#
# usage: linux-guest-run.sh PROGRAM [ARGS...]
#
# make test uses it to run the host gate harness (tests/bench/host_gates.c)
# through its PKU paths on machines whose own CPU or kernel has no PKU;
# scripts/bench-sqlite.sh runs SQLite's shell and speedtest1 with it.
# LINUX_GUEST_FILES=DIR puts DIR's files in the initramfs too, beside
# /init (the root file system, in the guest's memory).
# The kernel is Debian's cloud kernel package, fetched once with apt and
# kept in build/linux/.
set -eu

prog=$1
shift
dir=build/linux
mkdir -p "$dir"
if [ ! -f "$dir/vmlinuz" ]; then
	pkg=$(apt-cache depends linux-image-cloud-amd64 |
	      sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)
	if [ -z "$pkg" ]; then
		echo "linux-guest-run: cannot find Debian's cloud kernel package" \
		     "(apt-get update?)" >&2
		exit 1
	fi
	(cd "$dir" && rm -rf pkg && apt-get download -qq "$pkg" >/dev/null 2>&1 &&
	 dpkg-deb -x linux-image-*.deb pkg && rm -f linux-image-*.deb)
	cp "$dir"/pkg/boot/vmlinuz-* "$dir/vmlinuz"
	rm -rf "$dir/pkg"
fi
rm -rf "$dir/initrd.d"
mkdir -p "$dir/initrd.d"
if [ -n "${LINUX_GUEST_FILES:-}" ]; then
	cp -R "$LINUX_GUEST_FILES"/. "$dir/initrd.d/"
fi
cp "$prog" "$dir/initrd.d/init"
(cd "$dir/initrd.d" && find . | cpio -o -H newc 2>/dev/null) > "$dir/initrd.cpio"
# The program is PID 1: when it exits the kernel panics, and panic=-1 with
# -no-reboot ends QEMU.
accel=$(python3 "$(dirname "$0")/accel.py") || exit 1
# shellcheck disable=SC2086
timeout 600 qemu-system-x86_64 $accel -m 512M -display none \
	-serial stdio -monitor none -no-reboot -kernel "$dir/vmlinuz" \
	-initrd "$dir/initrd.cpio" \
	-append "console=ttyS0 panic=-1 quiet -- $*" </dev/null |
	tr -d '\r' | grep -v -e '^\[' -e '^$' || true
