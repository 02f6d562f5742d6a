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
set -eu

out=$1 ldscript=$2
shift 2
objs=
while [ "$1" != "--" ]; do objs="$objs $1"; shift; done
shift
archives="$*"
tmp=$out.tmp
mkdir -p "$tmp"
here=$(dirname "$0")

link() {	# link with table $1.c into $2
	$CC $KCFLAGS -Ikernel -c "$1.c" -o "$1.o"
	$LD -nostdlib -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
		-T "$ldscript" -o "$2" $objs "$1.o" \
		--start-group $archives --end-group
}

: > "$tmp/none.nm"
$PYTHON "$here/gen-ksyms.py" "$tmp/none.nm" "$tmp/ksyms0.c"
link "$tmp/ksyms0" "$tmp/pass1.elf"
nm -n "$tmp/pass1.elf" > "$tmp/pass1.nm"
$PYTHON "$here/gen-ksyms.py" "$tmp/pass1.nm" "$tmp/ksyms1.c"
link "$tmp/ksyms1" "$tmp/pass2.elf"
nm -n "$tmp/pass2.elf" > "$tmp/pass2.nm"
$PYTHON "$here/gen-ksyms.py" "$tmp/pass2.nm" "$tmp/ksyms2.c"
link "$tmp/ksyms2" "$tmp/pass3.elf"
nm -n "$tmp/pass3.elf" > "$tmp/pass3.nm"
if ! cmp -s "$tmp/pass2.nm" "$tmp/pass3.nm"; then
	echo "link-image: symbol addresses moved between the last two links" >&2
	exit 1
fi
$PYTHON "$here/check-image.py" "$tmp/pass3.elf"
$PYTHON "$here/scan-wrpkru.py" ${SCAN_PRIVILEGED:+--privileged} \
	"$tmp/pass3.elf" "$tmp/pass3.nm" "$out"
mv "$tmp/pass3.elf" "$out"
base=${out%.elf}
mv "$tmp/pass3.nm" "$base.sym"
objdump -d -M intel --no-show-raw-insn "$out" > "$base.dis"
rm -rf "$tmp"
