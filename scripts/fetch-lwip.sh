#!/usr/bin/env bash
# Fetch lwIP 2.1.3 for Bulkhead from Debian's lwip source package.
#
# Usage: scripts/fetch-lwip.sh OUTDIR
# Result: OUTDIR/src is the upstream lwIP tree (src/core, src/api,
# src/include, src/apps, doc/, ...) with Bulkhead's patches applied
# (patches/lwip/*.patch, in name order), and OUTDIR/.fetched is written
# last. If the stamp exists nothing is done; otherwise the tree is
# unpacked afresh (the build removes the stamp when a patch changes). The
# downloaded source package is kept and not fetched again.
#
# Only the upstream tarball (lwip_2.1.3+dfsg1.orig.tar.xz) is unpacked, not
# Debian's patched tree: Debian's patches adapt lwIP to a Linux/unix port,
# which Bulkhead does not use. apt checks the tarball against the signed
# Sources index, so no checksum of our own is kept here.
#
# Debian's sources are found through deb-src entries. If apt knows none for
# lwip, this adds /etc/apt/sources.list.d/bulkhead-src.sources (a copy of
# debian.sources with "Types: deb-src") and updates apt's lists, which
# needs root.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }

# The Debian source package and the upstream tarball it ships.
PKG=lwip
ORIG=lwip_2.1.3+dfsg1.orig.tar.xz
DEB_SOURCES=/etc/apt/sources.list.d/debian.sources
SRC_SOURCES=/etc/apt/sources.list.d/bulkhead-src.sources

PATCHES=$(cd "$(dirname "$0")/../patches/lwip" && pwd)
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
[ -e "$OUT/.fetched" ] && exit 0

die() {
    echo "error: fetch-lwip: $*" >&2
    exit 1
}

# Does apt know the source package? (apt-cache showsrc prints an error
# but exits 0 when there are no deb-src entries, so look at its output.)
have_src() {
    apt-cache showsrc "$PKG" 2>/dev/null | grep -q "^Package: $PKG\$"
}

# --- 1. make sure apt can find Debian's sources ------------------------------
if [ ! -f "$OUT/$ORIG" ] && ! have_src; then
    [ "$(id -u)" -eq 0 ] ||
        die "apt has no deb-src entry for $PKG; run this as root to add one"
    [ -f "$DEB_SOURCES" ] ||
        die "$DEB_SOURCES not found: cannot derive a deb-src entry"
    echo "fetch-lwip: adding deb-src entries ($SRC_SOURCES)"
    sed 's/^Types:.*/Types: deb-src/' "$DEB_SOURCES" >"$SRC_SOURCES"
    apt-get update -qq || die "apt-get update failed"
    have_src ||
        die "apt finds no source package '$PKG' even with $SRC_SOURCES"
fi

# --- 2. download the source package (.dsc, .orig.tar.xz, .debian.tar.xz) ----
# Nothing is unpacked or built by apt (--download-only). As root, apt warns
# that it downloads unsandboxed (the _apt user cannot write OUTDIR): that
# one warning is dropped, everything else apt says is kept.
if [ ! -f "$OUT/$ORIG" ]; then
    echo "fetch-lwip: downloading Debian's $PKG source package into $OUT"
    ERRLOG=$OUT/apt-source.err
    if ! (cd "$OUT" && apt-get source -qq --download-only "$PKG") 2>"$ERRLOG"; then
        grep -v 'unsandboxed' "$ERRLOG" >&2 || true
        die "apt-get source $PKG failed"
    fi
    grep -v 'unsandboxed' "$ERRLOG" >&2 || true
    rm -f "$ERRLOG"
fi
[ -f "$OUT/$ORIG" ] ||
    die "no $ORIG among the downloaded files (Debian has another version" \
        "of $PKG?): $(ls "$OUT")"

# --- 3. unpack the upstream tarball only --------------------------------------
# Unpack beside the final place, then move the single top directory
# (lwip-2.1.3 or similar) to OUTDIR/src, so the path does not depend on it.
# Files get the time of unpacking (-m), so everything built from an
# earlier tree is rebuilt.
echo "fetch-lwip: unpacking $ORIG into $OUT/src"
rm -rf "$OUT/src" "$OUT/unpack"
mkdir -p "$OUT/unpack"
tar -xmJf "$OUT/$ORIG" -C "$OUT/unpack" || die "cannot unpack $OUT/$ORIG"
TOP=$(find "$OUT/unpack" -mindepth 1 -maxdepth 1)
if [ "$(printf '%s\n' "$TOP" | wc -l)" -ne 1 ] || [ ! -d "$TOP" ]; then
    die "$ORIG does not hold exactly one top directory"
fi
mv "$TOP" "$OUT/src"
rmdir "$OUT/unpack"

# The parts of the tree the build uses must be there.
for d in src/core src/core/ipv4 src/api src/include src/netif src/apps; do
    [ -d "$OUT/src/$d" ] || die "$OUT/src/$d missing from $ORIG"
done

# --- 4. Bulkhead's patches -----------------------------------------------------
for p in "$PATCHES"/*.patch; do
    [ -e "$p" ] || continue
    echo "fetch-lwip: applying $(basename "$p")"
    patch -s -p1 -d "$OUT/src" <"$p" || die "$(basename "$p") does not apply"
done

touch "$OUT/.fetched"
echo "fetch-lwip: lwIP tree ready in $OUT/src"
