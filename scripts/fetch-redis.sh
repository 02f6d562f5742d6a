#!/usr/bin/env bash
# Fetch Redis for Bulkhead from Debian's redis source package.
#
# Usage: scripts/fetch-redis.sh OUTDIR
# Result, once OUTDIR/.fetched is written (last):
#   OUTDIR/src          Debian's redis source tree: the upstream tarball
#                       with Debian's own patches (debian/patches/series)
#                       and then Bulkhead's (patches/redis/*.patch, in name
#                       order; there are none), src/release.h made by
#                       Redis's own src/mkreleasehdr.sh
#   OUTDIR/srcs.mk      make variables naming the C files of redis-server
#                       (src/Makefile's REDIS_SERVER_OBJ), of deps/lua's
#                       liblua.a (CORE_O, LIB_O), of deps/hdr_histogram's
#                       and deps/hiredis's static libraries, as
#                       $(REDIS_OUT)/src/...
# If the stamp exists nothing is done; otherwise the tree is made afresh
# (the build removes the stamp when the script or a patch changes). The
# downloaded source package is kept in OUTDIR/dl and not fetched again.
#
# The version is that of the host's redis-tools when installed (the tests
# drive the guest with its redis-cli and redis-benchmark), else apt's
# candidate.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }

ME=fetch-redis
HERE=$(cd "$(dirname "$0")" && pwd)
PATCHES=$HERE/../patches/redis
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
[ -e "$OUT/.fetched" ] && exit 0
# shellcheck source=scripts/debian-source.sh
. "$HERE/debian-source.sh"

# --- 1. the source package and its tree ---------------------------------------
DSC=$(download redis "$(version_of redis redis-tools)")
unpack "$DSC" "$OUT/src" "$PATCHES"
for f in src/server.c src/ae_select.c src/Makefile deps/lua/src/Makefile \
    deps/hdr_histogram/hdr_histogram.c deps/hiredis/Makefile tests/test_helper.tcl; do
    [ -f "$OUT/src/$f" ] || die "$OUT/src/$f missing"
done

# --- 2. release.h, as src/Makefile makes it -----------------------------------
# The tree is no git checkout: git is kept from finding the one around
# OUTDIR (the commit would be another project's), so the commit is zeros,
# as in every build of Redis from a tarball; the build id's time is the
# Debian changelog's, as Debian's build sets SOURCE_DATE_EPOCH.
EPOCH=$(cd "$OUT/src" && dpkg-parsechangelog -STimestamp 2>/dev/null || true)
(cd "$OUT/src/src" && GIT_DIR=/nonexistent GIT_CEILING_DIRECTORIES=$OUT \
    SOURCE_DATE_EPOCH=$EPOCH sh ./mkreleasehdr.sh >/dev/null 2>&1) ||
    die "mkreleasehdr.sh failed"
grep -q 'REDIS_GIT_SHA1 "00000000"' "$OUT/src/src/release.h" ||
    die "src/release.h names a git commit: $(head -n 1 "$OUT/src/src/release.h")"
[ -s "$OUT/src/src/release.h" ] || die "src/release.h was not made"

# --- 3. the lists of sources -------------------------------------------------
# The value of make variable(s) $2 in Makefile $1 (continuation lines
# joined), each word X.o given as $(REDIS_OUT)/DIR/X.c with DIR $3 (under
# OUTDIR), one a line.
objs() {
    local mk=$OUT/$3/$1 vars=$2 dir=$3 f
    sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' "$mk" |
        sed -n -E "s/^($vars)[[:space:]]*(:=|=|:)[[:space:]]*//p" |
        tr -s ' \t' '\n' | grep '\.o$' | sed 's/\.o$/.c/' | while read -r f; do
        [ -f "$OUT/$dir/$f" ] || die "$dir/$f (of $1's $vars) missing"
        printf '\t$(REDIS_OUT)/%s/%s \\\n' "$dir" "$f"
    done
}
# One make variable $1 of the sources objs $2.. prints.
var() {
    local name=$1 body
    shift
    body=$(objs "$@")
    [ -n "$body" ] || die "no sources found for $name ($*)"
    printf '%s := \\\n%s\n\n' "$name" "$body"
}
{
    echo "# Written by scripts/fetch-redis.sh: the sources of Debian's Redis, as its"
    echo "# Makefiles list them."
    var REDIS_SERVER_SRCS Makefile REDIS_SERVER_OBJ src/src
    var REDIS_LUA_SRCS Makefile 'CORE_O|LIB_O' src/deps/lua/src
    var REDIS_HDR_SRCS Makefile 'libhdrhistogram\.a' src/deps/hdr_histogram
    var REDIS_HIREDIS_SRCS Makefile OBJ src/deps/hiredis
} >"$OUT/srcs.mk.tmp"
grep -q '/server\.c ' "$OUT/srcs.mk.tmp" || die "server.c is not among the server's sources"
mv "$OUT/srcs.mk.tmp" "$OUT/srcs.mk"

touch "$OUT/.fetched"
echo "$ME: Redis $(sed -n 's/.*REDIS_VERSION "\(.*\)".*/\1/p' "$OUT/src/src/version.h") ready in $OUT/src"
