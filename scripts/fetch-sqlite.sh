#!/usr/bin/env bash
# Fetch SQLite (and zlib, which its shell uses) for Bulkhead from Debian's
# source packages, and build SQLite's amalgamation from them.
#
# Usage: scripts/fetch-sqlite.sh OUTDIR
# Result, once OUTDIR/.fetched is written (last):
#   OUTDIR/src      Debian's sqlite3 source tree: the upstream tarball with
#                   Debian's own patches (debian/patches/series, as
#                   dpkg-source applies them) and then Bulkhead's
#                   (patches/sqlite/*.patch, in name order)
#   OUTDIR/gen      the amalgamation made from it: sqlite3.c, sqlite3.h,
#                   sqlite3ext.h, shell.c (SQLite's own configure and make)
#   OUTDIR/zlib     Debian's zlib source tree, patched the same way
#   OUTDIR/cflags   the -D options Debian compiles SQLite with, one line:
#                   debian/rules' CFLAGS and what its configure options
#                   turn into (as the generated Makefile has them)
#   OUTDIR/shell-cflags  the -D options of the shell's own compilation
#                   (the Makefile's SHELL_OPT)
# If the stamp exists nothing is done; otherwise the trees are made afresh
# (the build removes the stamp when the script or a patch changes). The
# downloaded source packages are kept in OUTDIR/dl and not fetched again.
#
# The versions are those of the host's libsqlite3-0 and zlib1g when they
# are installed (the tests compare the guest's shell with the host's
# /usr/bin/sqlite3), else apt's candidates. apt checks the files against
# the signed Sources index, so no checksum of our own is kept here.
#
# Making the amalgamation runs SQLite's configure and its generators on
# the host (gcc, tclsh). Debian's build runs autoreconf first; this does
# not, and passes what Debian's regenerated Makefile says differently
# (--linemacros=0, patch 40) on make's command line.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }

ME=fetch-sqlite
HERE=$(cd "$(dirname "$0")" && pwd)
PATCHES=$HERE/../patches/sqlite
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
[ -e "$OUT/.fetched" ] && exit 0
# die, download (apt-get source into OUT/dl) and unpack (as dpkg-source).
# shellcheck source=scripts/debian-source.sh
. "$HERE/debian-source.sh"

# --- 1. the source packages -------------------------------------------------
SQLITE_DSC=$(download sqlite3 "$(version_of sqlite3 libsqlite3-0)")
ZLIB_DSC=$(download zlib "$(version_of zlib zlib1g)")

# --- 2. the trees -----------------------------------------------------------
unpack "$SQLITE_DSC" "$OUT/src" "$PATCHES"
unpack "$ZLIB_DSC" "$OUT/zlib"
for f in src/sqlite.h.in src/shell.c.in test/speedtest1.c tool/mksqlite3c.tcl debian/rules; do
    [ -f "$OUT/src/$f" ] || die "$OUT/src/$f missing"
done
for f in deflate.c inflate.c crc32.c zlib.h; do
    [ -f "$OUT/zlib/$f" ] || die "$OUT/zlib/$f missing"
done

# --- 3. Debian's options ----------------------------------------------------
# The C flags debian/rules exports (export CFLAGS += ... with continuation
# lines) and the options it runs configure with.
RULES=$OUT/src/debian/rules
DEB_CFLAGS=$(sed -n '/^export CFLAGS *+=/,/[^\\]$/p' "$RULES" | sed 's/^export CFLAGS *+=//' |
    tr -s ' \t\\' '\n' | grep -E '^-(D|O|f)' | tr '\n' ' ')
DEB_CONFIGURE=$(sed -n '/\.\/configure /,/DDEBUG/p' "$RULES" | tr -s ' \t\\' '\n' |
    grep -E '^--(enable|disable)-' | tr '\n' ' ')
case $DEB_CFLAGS in *-DSQLITE_*) ;; *) die "no SQLite options found in $RULES" ;; esac
[ -n "$DEB_CONFIGURE" ] || die "no configure options found in $RULES"

# --- 4. the amalgamation ----------------------------------------------------
# SQLite's configure turns Debian's -DSQLITE_ENABLE/OMIT options and its
# configure options into OPT_FEATURE_FLAGS, which also reach the parser
# generator (UPDATE ... LIMIT is grammar), so the amalgamation is made
# with Debian's options, not only compiled with them. Tcl's extension is
# not wanted (--disable-tcl); tclsh runs the generators.
echo "fetch-sqlite: configuring with Debian's options: $DEB_CONFIGURE"
rm -rf "$OUT/gen"
mkdir -p "$OUT/gen"
# shellcheck disable=SC2086
(cd "$OUT/gen" && CFLAGS="$DEB_CFLAGS" ../src/configure $DEB_CONFIGURE --disable-tcl \
    >configure.log 2>&1) || {
    tail -n 20 "$OUT/gen/configure.log" >&2
    die "SQLite's configure failed (see $OUT/gen/configure.log)"
}
echo "fetch-sqlite: making the amalgamation (sqlite3.c, shell.c)"
(cd "$OUT/gen" && make sqlite3.c shell.c TCLSH_CMD=tclsh AMALGAMATION_LINE_MACROS=--linemacros=0 \
    >make.log 2>&1) || {
    tail -n 20 "$OUT/gen/make.log" >&2
    die "making the amalgamation failed (see $OUT/gen/make.log)"
}
for f in sqlite3.c sqlite3.h sqlite3ext.h shell.c; do
    [ -s "$OUT/gen/$f" ] || die "$OUT/gen/$f was not made"
done

# --- 5. the options to compile with -----------------------------------------
# Every -D of the generated Makefile's CFLAGS, TCC and OPT_FEATURE_FLAGS
# (which is how Debian's objects were compiled), but its configuration
# header (the host's HAVE_*: Bulkhead's build says what its libc has) and
# the zlib switch (the build compiles zlib for the shell itself).
defs() {
    sed -n "s/^\\($1\\) *+*= *//p" "$OUT/gen/Makefile" | tr -s ' \t' '\n' | grep '^-D' |
        grep -v -E '^-D(_HAVE_SQLITE_CONFIG_H|BUILD_sqlite|SQLITE_HAVE_ZLIB)' || true
}
{ defs 'CFLAGS\|TCC\|OPT_FEATURE_FLAGS'; } | awk '!seen[$0]++' | tr '\n' ' ' >"$OUT/cflags"
defs SHELL_OPT | awk '!seen[$0]++' | tr '\n' ' ' >"$OUT/shell-cflags"
grep -q -- '-DSQLITE_ENABLE_FTS5' "$OUT/cflags" || die "no FTS5 among $OUT/cflags"
echo "fetch-sqlite: SQLite's options: $(cat "$OUT/cflags")"

touch "$OUT/.fetched"
echo "fetch-sqlite: SQLite and zlib ready in $OUT"
