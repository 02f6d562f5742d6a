#!/usr/bin/env bash
# Build newlib (libc.a, libm.a + headers) for Bulkhead with the host gcc.
#
# Usage: scripts/build-newlib.sh OUTDIR [CFLAG ...]
# Result: OUTDIR/x86_64-elf/{include,lib/libc.a,lib/libm.a}, and OUTDIR/.built
# written last, holding what newlib was configured and compiled with. The
# CFLAGs (the Makefile's NEWLIB_CFLAGS) are added to newlib's own flags;
# code compiled against its headers must use them too. If the stamp says
# this very build was made, nothing is done but touching it (built once,
# cached); a stamp of other flags or options, or a half-finished earlier
# run (no stamp), is wiped and redone.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 OUTDIR [CFLAG ...]" >&2; exit 2; }

# Debian's newlib-source package ships this tarball (unpacks to newlib-salsa/).
TARBALL=/usr/src/newlib/newlib-3.3.0.tar.xz

mkdir -p "$1"
OUT=$(cd "$1" && pwd)            # configure needs an absolute --prefix
shift
EXTRA_CFLAGS="$*"

# Freestanding kernel code: no red zone (interrupts), no PIC/PIE, no stack
# protector, per-function/data sections so the kernel link can GC them.
# -nostdinc + gcc's own include dir: only compiler headers (stddef.h, stdarg.h,
# ...) besides newlib's, never the host glibc headers.
# -DMALLOC_PROVIDED: the kernel supplies malloc/free/_malloc_r etc. itself.
TFLAGS="-O2 -g -mno-red-zone -fno-pic -fno-pie -ffunction-sections -fdata-sections"
TFLAGS+=" -fno-stack-protector -nostdinc -isystem $(gcc -print-file-name=include)"
TFLAGS+=" -DMALLOC_PROVIDED${EXTRA_CFLAGS:+ $EXTRA_CFLAGS}"

# No cross compiler: the host binutils/gcc already produce x86_64 ELF objects.
# Syscalls are not supplied by newlib (the kernel provides them); locking is
# retargetable so the kernel can implement __retarget_lock_*. printf and
# scanf take long double at its own precision (without io-long-double
# newlib converts it to double first, and Redis's INCRBYFLOAT, which
# formats with %.17Lf, prints 0.1 as 0.10000000000000001).
OPTIONS=(
    --target=x86_64-elf
    --disable-multilib
    --disable-newlib-supplied-syscalls
    --enable-newlib-retargetable-locking
    --enable-newlib-io-long-long
    --enable-newlib-io-c99-formats
    --enable-newlib-io-long-double
)

# What this build is: a newlib made otherwise (older flags or options) is
# not this one, and is rebuilt. Where it lives is no part of it (make
# mutate's scratch tree links this one).
RECIPE="tarball: $TARBALL
options: ${OPTIONS[*]}
cflags: $TFLAGS"
if [ -e "$OUT/.built" ] && [ "$(cat "$OUT/.built")" = "$RECIPE" ]; then
    touch "$OUT/.built"           # newer than what make compared it with
    exit 0
fi
[ -e "$OUT/.built" ] && echo "newlib: $OUT was built with other flags or options: rebuilding"
rm -f "$OUT/.built"

if [ ! -f "$TARBALL" ]; then
    echo "error: $TARBALL not found; install the newlib-source package (make deps)" >&2
    exit 1
fi

# Don't let a calling make (or its exported flags) leak into newlib's build.
unset MAKEFLAGS MFLAGS MAKELEVEL CFLAGS CXXFLAGS CPPFLAGS LDFLAGS

# Start clean: remove whatever a previous unfinished run left behind.
rm -rf "$OUT/src" "$OUT/obj" "$OUT/x86_64-elf" "$OUT/share" "$OUT/build.log"
mkdir -p "$OUT/src" "$OUT/obj"
LOG=$OUT/build.log

fail() {
    echo "error: newlib $1 failed; last 40 lines of $LOG:" >&2
    tail -n 40 "$LOG" >&2
    exit 1
}

echo "newlib: unpacking, configuring and building (log: $LOG)"
tar -xJf "$TARBALL" -C "$OUT/src"
SRC=$OUT/src/newlib-salsa

(cd "$OUT/obj" && "$SRC/configure" "${OPTIONS[@]}" --prefix="$OUT" \
    CC_FOR_TARGET=gcc AR_FOR_TARGET=ar RANLIB_FOR_TARGET=ranlib \
    AS_FOR_TARGET=as LD_FOR_TARGET=ld NM_FOR_TARGET=nm \
    OBJDUMP_FOR_TARGET=objdump OBJCOPY_FOR_TARGET=objcopy \
    STRIP_FOR_TARGET=strip READELF_FOR_TARGET=readelf \
    CFLAGS_FOR_TARGET="$TFLAGS") </dev/null >"$LOG" 2>&1 || fail configure

make -C "$OUT/obj" -j2 all-target-newlib </dev/null >>"$LOG" 2>&1 || fail build
make -C "$OUT/obj" install-target-newlib </dev/null >>"$LOG" 2>&1 || fail install

for f in include/stdio.h lib/libc.a lib/libm.a; do
    [ -e "$OUT/x86_64-elf/$f" ] || fail "install (missing x86_64-elf/$f)"
done

echo "$RECIPE" >"$OUT/.built"     # stamp last: only a complete build counts
echo "newlib: installed into $OUT/x86_64-elf"
