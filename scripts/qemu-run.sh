#!/bin/sh
# Boot a Bulkhead image in QEMU (TCG, -cpu max) with the serial console on
# this terminal, and exit with the guest's own exit status.
#
# usage: qemu-run.sh [--debug] IMAGE.elf [command-line words...]
#        qemu-run.sh --cdrom IMAGE.iso      (boot through GRUB's menu)
#
# The guest ends through isa-debug-exit writing status+1, so QEMU exits
# with 2*status+3 (kernel/panic.c); QEMU's own 0 and 1 mean the guest
# stopped some other way or QEMU failed. Env: QEMU_MEM (default 256M),
# QEMU_EXTRA (more QEMU arguments), QEMU_TIMEOUT (seconds, default none).
set -u

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
	set -- -kernel "$image" -append "$*"
fi

timeout_cmd=
[ -n "${QEMU_TIMEOUT:-}" ] && timeout_cmd="timeout --foreground -k 5 $QEMU_TIMEOUT"

# shellcheck disable=SC2086
$timeout_cmd qemu-system-x86_64 -accel tcg -cpu max -m "${QEMU_MEM:-256M}" \
	-display none -serial stdio -monitor none -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	"$@" $debug ${QEMU_EXTRA:-} </dev/null
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
