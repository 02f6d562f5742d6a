#!/bin/sh
# Boot a Bulkhead image in QEMU (TCG, -cpu max) with the serial console on
# this terminal (what is typed here is the guest's console input, its
# stdin), and exit with the guest's own exit status.
#
# usage: qemu-run.sh [--debug] IMAGE.elf [command-line words...]
#        qemu-run.sh --cdrom IMAGE.iso      (boot through GRUB's menu)
#
# The image boots with its initrd, the archive beside it
# (build/<config>/initrd.cpio, which make writes), as a multiboot module:
# QEMU_INITRD=FILE boots with FILE instead, QEMU_INITRD= with none. The
# command-line words reach the kernel as they are here: one with a space,
# a tab, a double quote or a backslash in it (or none at all) is put in
# double quotes, with \ before each " and \ in it (kernel/cmdline.c reads
# it back), so `qemu-run.sh x.elf -- db ".read x"` gives argv[2] ".read x".
#
# The guest ends through isa-debug-exit writing status+1, so QEMU exits
# with 2*status+3 (kernel/panic.c); QEMU's own 0 and 1 mean the guest
# stopped some other way or QEMU failed. Env: QEMU_MEM (default 256M),
# QEMU_EXTRA (more QEMU arguments), QEMU_NET (the network device and its
# back-end: more arguments, kept apart because scripts/ept-launch.py gives
# them to one VM only), QEMU_TIMEOUT (seconds, default none), QEMU_INITRD
# (above), ACCEL (tcg, the default, or kvm: scripts/accel.py).
set -u

# One word as the kernel's command line reads it.
quote_word() {
	case $1 in
	*[\ \	\"\\]* | '')
		printf '"%s"' "$(printf '%s' "$1" | sed 's/[\\"]/\\&/g')"
		;;
	*) printf '%s' "$1" ;;
	esac
}

debug=
cdrom=
case "${1:-}" in
--debug) debug="-s -S"; shift ;;
--cdrom) cdrom=1; shift ;;
esac
image=$1
shift
if [ -n "$cdrom" ]; then
	set -- -cdrom "$image"
else
	line=
	first=1
	for word in "$@"; do
		[ -n "$first" ] || line="$line "
		line="$line$(quote_word "$word")"
		first=
	done
	initrd=${QEMU_INITRD-$(dirname "$image")/initrd.cpio}
	[ -n "${QEMU_INITRD+set}" ] || [ -f "$initrd" ] || initrd=
	set -- -kernel "$image" -append "$line"
	if [ -n "$initrd" ]; then
		case $initrd in
		*,*)
			echo "qemu-run: $initrd: QEMU takes no comma in an initrd's name" >&2
			exit 1
			;;
		esac
		set -- "$@" -initrd "$initrd"
	fi
fi

# The accelerator, once the host is known to run this image with it.
if [ -n "$cdrom" ]; then
	accel=$(python3 "$(dirname "$0")/accel.py") || exit 1
else
	accel=$(python3 "$(dirname "$0")/accel.py" --image "$image") || exit 1
fi

timeout_cmd=
[ -n "${QEMU_TIMEOUT:-}" ] && timeout_cmd="timeout --foreground -k 5 $QEMU_TIMEOUT"

# shellcheck disable=SC2086
$timeout_cmd qemu-system-x86_64 $accel -m "${QEMU_MEM:-256M}" \
	-display none -serial stdio -monitor none -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	"$@" $debug ${QEMU_NET:-} ${QEMU_EXTRA:-}
rc=$?
case $rc in
0) echo "qemu-run: the guest stopped without an exit status" >&2; exit 1 ;;
1) echo "qemu-run: QEMU failed" >&2; exit 1 ;;
124|137) echo "qemu-run: timed out after ${QEMU_TIMEOUT}s" >&2; exit 124 ;;
esac
if [ $((rc % 2)) -eq 1 ] && [ "$rc" -ge 3 ]; then
	exit $(((rc - 3) / 2))
fi
echo "qemu-run: QEMU exited with unexpected status $rc" >&2
exit 1
