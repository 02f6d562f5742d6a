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

DEB_SOURCES=/etc/apt/sources.list.d/debian.sources
SRC_SOURCES=/etc/apt/sources.list.d/bulkhead-src.sources

PATCHES=$(cd "$(dirname "$0")/.." && pwd)/patches/sqlite
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
[ -e "$OUT/.fetched" ] && exit 0

die() {
    echo "error: fetch-sqlite: $*" >&2
    exit 1
}

# Does apt know source package $1? (apt-cache showsrc prints an error but
# exits 0 when there are no deb-src entries, so look at its output, read
# whole: grep -q would stop reading and fail the pipe.)
have_src() {
    apt-cache showsrc "$1" 2>/dev/null | grep -c "^Package: $1\$" >/dev/null
}

# The version of source package $1 to fetch: that of the installed binary
# package $2, or empty (apt's candidate).
version_of() {
    dpkg-query -W -f '${source:Version}' "$2" 2>/dev/null || true
}

# The file of the .dsc $1 whose name matches the regex $2 (from its Files
# list).
dsc_file() {
    sed -n '/^Files:/,/^[^ ]/p' "$1" | awk '{print $3}' | grep -E "$2" | head -n 1
}

# Download source package $1 (version $2, or apt's candidate) into
# OUT/dl, unless its .dsc is already there. Prints the .dsc's path.
download() {
    local pkg=$1 ver=$2 dsc
    dsc=$(ls "$OUT/dl/${pkg}_${ver#*:}.dsc" 2>/dev/null || true)
    [ -z "$ver" ] && dsc=$(ls "$OUT/dl/${pkg}"_*.dsc 2>/dev/null | head -n 1 || true)
    if [ -z "$dsc" ]; then
        if ! have_src "$pkg"; then
            [ "$(id -u)" -eq 0 ] ||
                die "apt has no deb-src entry for $pkg; run this as root to add one"
            [ -f "$DEB_SOURCES" ] ||
                die "$DEB_SOURCES not found: cannot derive a deb-src entry"
            echo "fetch-sqlite: adding deb-src entries ($SRC_SOURCES)" >&2
            sed 's/^Types:.*/Types: deb-src/' "$DEB_SOURCES" >"$SRC_SOURCES"
            apt-get update -qq || die "apt-get update failed"
            have_src "$pkg" ||
                die "apt finds no source package '$pkg' even with $SRC_SOURCES"
        fi
        echo "fetch-sqlite: downloading Debian's $pkg ${ver:-(candidate)} into $OUT/dl" >&2
        mkdir -p "$OUT/dl"
        local errlog=$OUT/dl/apt-source.err
        # As root, apt warns that it downloads unsandboxed (the _apt user
        # cannot write OUTDIR): that one warning is dropped.
        if ! (cd "$OUT/dl" && apt-get source -qq --download-only "$pkg${ver:+=$ver}") \
            2>"$errlog"; then
            grep -v 'unsandboxed' "$errlog" >&2 || true
            [ -n "$ver" ] || die "apt-get source $pkg failed"
            # The installed version's source may be gone from the mirror:
            # the candidate's then, said aloud (the tests may differ).
            echo "fetch-sqlite: warning: no source of $pkg $ver; fetching apt's candidate" >&2
            ver=
            (cd "$OUT/dl" && apt-get source -qq --download-only "$pkg") 2>"$errlog" || {
                grep -v 'unsandboxed' "$errlog" >&2 || true
                die "apt-get source $pkg failed"
            }
        fi
        grep -v 'unsandboxed' "$errlog" >&2 || true
        rm -f "$errlog"
        dsc=$(ls "$OUT/dl/${pkg}"_*"${ver#*:}".dsc 2>/dev/null | tail -n 1 || true)
        [ -n "$dsc" ] || die "no .dsc of $pkg among the downloaded files: $(ls "$OUT/dl")"
    fi
    echo "$dsc"
}

# Unpack the source package of .dsc $1 into directory $2 as dpkg-source
# does for format 3.0 (quilt): the upstream tarball, debian/ from
# Debian's tarball, then debian/patches/series in order (-p1 unless a
# line says otherwise); then Bulkhead's patches from directory $3, if
# any. Files get the time of unpacking (-m), so everything built from an
# earlier tree is rebuilt.
unpack() {
    local dsc=$1 dest=$2 ours=${3:-} dir orig deb top
    dir=$(dirname "$dsc")
    grep -q '^Format: 3.0 (quilt)' "$dsc" || die "$(basename "$dsc") is not format 3.0 (quilt)"
    orig=$(dsc_file "$dsc" '\.orig\.tar\.')
    deb=$(dsc_file "$dsc" '\.debian\.tar\.')
    [ -n "$orig" ] && [ -f "$dir/$orig" ] || die "$(basename "$dsc"): upstream tarball missing"
    [ -n "$deb" ] && [ -f "$dir/$deb" ] || die "$(basename "$dsc"): Debian tarball missing"
    echo "fetch-sqlite: unpacking $orig into $dest"
    rm -rf "$dest" "$dest.unpack"
    mkdir -p "$dest.unpack"
    tar -xmf "$dir/$orig" -C "$dest.unpack" || die "cannot unpack $orig"
    top=$(find "$dest.unpack" -mindepth 1 -maxdepth 1)
    if [ "$(printf '%s\n' "$top" | wc -l)" -ne 1 ] || [ ! -d "$top" ]; then
        die "$orig does not hold exactly one top directory"
    fi
    mv "$top" "$dest"
    rmdir "$dest.unpack"
    rm -rf "$dest/debian"
    tar -xmf "$dir/$deb" -C "$dest" || die "cannot unpack $deb"
    if [ -f "$dest/debian/patches/series" ]; then
        local name opts
        while read -r name opts; do
            case $name in '' | '#'*) continue ;; esac
            patch -s -p1 ${opts:-} -d "$dest" <"$dest/debian/patches/$name" ||
                die "Debian's $name does not apply"
        done <"$dest/debian/patches/series"
    fi
    if [ -n "$ours" ] && [ -d "$ours" ]; then
        for p in "$ours"/*.patch; do
            [ -e "$p" ] || continue
            echo "fetch-sqlite: applying $(basename "$p")"
            patch -s -p1 -d "$dest" <"$p" || die "$(basename "$p") does not apply"
        done
    fi
}

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
