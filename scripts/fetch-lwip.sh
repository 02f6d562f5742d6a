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
ME=fetch-lwip
HERE=$(cd "$(dirname "$0")" && pwd)
PATCHES=$HERE/../patches/lwip
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
[ -e "$OUT/.fetched" ] && exit 0
# die, debsrc_enable, apt_source, unpack_tarball, apply_ours.
# shellcheck source=scripts/debian-source.sh
. "$HERE/debian-source.sh"

# --- 1. download the source package (.dsc, .orig.tar.xz, .debian.tar.xz) ----
# Nothing is unpacked or built by apt (--download-only).
if [ ! -f "$OUT/$ORIG" ]; then
    debsrc_enable "$PKG"
    echo "$ME: downloading Debian's $PKG source package into $OUT"
    apt_source "$PKG" "$OUT" || die "apt-get source $PKG failed"
fi
[ -f "$OUT/$ORIG" ] ||
    die "no $ORIG among the downloaded files (Debian has another version" \
        "of $PKG?): $(ls "$OUT")"

# --- 2. unpack the upstream tarball only -------------------------------------
# Its single top directory (lwip-2.1.3 or similar) becomes OUTDIR/src, so
# the path does not depend on it.
echo "$ME: unpacking $ORIG into $OUT/src"
unpack_tarball "$OUT/$ORIG" "$OUT/src"

# The parts of the tree the build uses must be there.
for d in src/core src/core/ipv4 src/api src/include src/netif src/apps; do
    [ -d "$OUT/src/$d" ] || die "$OUT/src/$d missing from $ORIG"
done

# --- 3. Bulkhead's patches -----------------------------------------------------
apply_ours "$PATCHES" "$OUT/src"

touch "$OUT/.fetched"
echo "fetch-lwip: lwIP tree ready in $OUT/src"
