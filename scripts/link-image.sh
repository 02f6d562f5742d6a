#!/bin/sh
# Link a Bulkhead image with its own symbol table inside.
#
# usage: link-image.sh OUT.elf LDSCRIPT OBJECTS... -- ARCHIVES...
# env:   CC, KCFLAGS, LD, PYTHON; SCAN_PRIVILEGED=1 to refuse privileged
#        instructions outside the kernel core (images whose compartments
#        are protection-key domains)
#
# The symbol table is generated from the image and linked back into it.
# Linking changes addresses, so it takes three links: (1) with an empty
# table, (2) with a table of (1)'s symbols, which has the final size, so
# (2)'s addresses are final, (3) with a table of (2)'s symbols. The script
# checks that (2) and (3) agree, then checks the layout, rejects any
# WRPKRU/XRSTOR/XRSTORS outside the gate section (and, with
# SCAN_PRIVILEGED, privileged instructions in isolated compartments),
# and writes the symbol map
# (OUT.sym) and disassembly (OUT.dis) beside the image.
#
# Bytes of a WRPKRU, XRSTOR or XRSTORS can appear by chance inside an
# instruction, in the displacement of a RIP-relative access or in an
# absolute address (an immediate: the code is not position-independent),
# both of which depend on the layout (a large program such as Redis or
# SQLite's shell has a fair chance of one). When the scan refuses the
# image, it is linked again with every compartment's code moved by
# LAYOUT_STEP more bytes from the start of its pages (the linker script's
# __layout_pad), the constants and data by twice as much and common code
# by three times, which changes every displacement between sections and
# every absolute address, up to LAYOUT_TRIES layouts; the scan is the
# same for each, and the last one's report is what a failure prints. A
# real instruction or a constant moves with its code and is refused in
# every layout.
set -eu
LAYOUT_STEP=64
LAYOUT_TRIES=8

out=$1 ldscript=$2
shift 2
objs=
while [ "$1" != "--" ]; do objs="$objs $1"; shift; done
shift
archives="$*"
tmp=$out.tmp
mkdir -p "$tmp"
here=$(dirname "$0")

pad=0
link() {	# link with table $1.c into $2, the code moved by $pad bytes
	$CC $KCFLAGS -Ikernel -c "$1.c" -o "$1.o"
	$LD -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
		--defsym=__layout_pad=$pad -T "$ldscript" -o "$2" $objs "$1.o" \
		--start-group $archives --end-group
}

# The three links and the checks of one layout; false when the scan
# refuses it (its report on stderr).
link_all() {
	: > "$tmp/none.nm"
	$PYTHON "$here/gen-ksyms.py" "$tmp/none.nm" "$tmp/ksyms0.c" || exit 1
	link "$tmp/ksyms0" "$tmp/pass1.elf" || exit 1
	nm -n "$tmp/pass1.elf" > "$tmp/pass1.nm" || exit 1
	$PYTHON "$here/gen-ksyms.py" "$tmp/pass1.nm" "$tmp/ksyms1.c" || exit 1
	link "$tmp/ksyms1" "$tmp/pass2.elf" || exit 1
	nm -n "$tmp/pass2.elf" > "$tmp/pass2.nm" || exit 1
	$PYTHON "$here/gen-ksyms.py" "$tmp/pass2.nm" "$tmp/ksyms2.c" || exit 1
	link "$tmp/ksyms2" "$tmp/pass3.elf" || exit 1
	nm -n "$tmp/pass3.elf" > "$tmp/pass3.nm" || exit 1
	if ! cmp -s "$tmp/pass2.nm" "$tmp/pass3.nm"; then
		echo "link-image: symbol addresses moved between the last two links" >&2
		exit 1
	fi
	$PYTHON "$here/check-image.py" "$tmp/pass3.elf" || exit 1
	$PYTHON "$here/scan-wrpkru.py" ${SCAN_PRIVILEGED:+--privileged} \
		"$tmp/pass3.elf" "$tmp/pass3.nm" "$out" 2>"$tmp/scan.err"
}

try=1
until link_all; do
	if [ $try -ge $LAYOUT_TRIES ]; then
		cat "$tmp/scan.err" >&2
		exit 1
	fi
	try=$((try + 1))
	pad=$((pad + LAYOUT_STEP))
done
[ $pad -eq 0 ] ||
	echo "link-image: $out: code moved by $pad bytes in its pages (stray bytes in $((pad / LAYOUT_STEP)) earlier layouts)"
mv "$tmp/pass3.elf" "$out"
base=${out%.elf}
mv "$tmp/pass3.nm" "$base.sym"
objdump -d -M intel --no-show-raw-insn "$out" > "$base.dis"
rm -rf "$tmp"
