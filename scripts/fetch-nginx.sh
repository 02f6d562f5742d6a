#!/usr/bin/env bash
# Fetch nginx for Bulkhead from Debian's nginx source package and configure
# it, with nginx's own ./configure, for Bulkhead's libc.
#
# Usage: scripts/fetch-nginx.sh OUTDIR ZLIBDIR CFLAGS...
# ZLIBDIR is Debian's zlib source tree as scripts/fetch-sqlite.sh fetched
# it (its zlib.h is the one configure's zlib test and the gzip module
# see; the build compiles its sources into the app).
# CFLAGS are the guest's compiler flags (the Makefile's KCFLAGS); relative
# include folders are taken from the current directory. configure's tests
# get what decides which headers, declarations and types they see (-std,
# -nostdinc, -isystem, -I, -D, -U); the code generation flags, which
# would not link with the host's libc, and the warnings, which would fail
# tests that only warn, are left out.
# Result, once OUTDIR/.fetched is written (last):
#   OUTDIR/src      Debian's nginx source tree: the upstream tarball with
#                   Debian's own patches (debian/patches/series) and then
#                   Bulkhead's (patches/nginx/*.patch, in name order;
#                   there are none), configured: src/objs/ngx_auto_config.h,
#                   ngx_auto_headers.h and ngx_modules.c as configure wrote
#                   them, but for the results adjusted below (step 4)
#   OUTDIR/srcs.mk  make variables: NGINX_SRCS, the C files of the nginx
#                   binary as objs/Makefile links them, and NGINX_INCS, its
#                   include folders, under $(NGINX_OUT)/src
#   OUTDIR/root     the package's files of the image's initrd: Debian's
#                   /etc/nginx/mime.types and the folders nginx-common makes
# If the stamp exists nothing is done; otherwise the tree is made afresh
# (the build removes the stamp when the script or a patch changes). The
# downloaded source package is kept in OUTDIR/dl and not fetched again.
#
# The version is that of the host's nginx-light or nginx when installed,
# else the newest one apt lists that the mirror still has (a security
# update's source may be listed before the mirror carries it).
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 OUTDIR ZLIBDIR CFLAGS..." >&2; exit 2; }

ME=fetch-nginx
HERE=$(cd "$(dirname "$0")" && pwd)
PATCHES=$HERE/../patches/nginx
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
ZLIB=$(cd "$2" && pwd)
shift 2
[ -e "$OUT/.fetched" ] && exit 0
# shellcheck source=scripts/debian-source.sh
. "$HERE/debian-source.sh"
for f in zlib.h zconf.h; do
    [ -f "$ZLIB/$f" ] || die "$ZLIB/$f missing: no zlib source tree"
done

# --- 1. the source package and its tree ---------------------------------------
VER=$(version_of nginx nginx-light)
[ -n "$VER" ] || VER=$(version_of nginx nginx)
DSC=
if [ -n "$VER" ]; then
    DSC=$(download nginx "$VER")
else
    debsrc_enable nginx
    for v in $(apt-cache showsrc nginx 2>/dev/null | sed -n 's/^Version: //p' |
        sort -r -V -u); do
        DSC=$(download nginx "$v" 2>/dev/null) && break
        echo "$ME: the source of nginx $v cannot be fetched; trying an older one" >&2
    done
fi
[ -n "$DSC" ] || die "no source of nginx could be fetched"
unpack "$DSC" "$OUT/src" "$PATCHES"
for f in configure auto/os/conf src/core/nginx.c debian/conf/mime.types debian/rules \
    debian/nginx-common.dirs; do
    [ -f "$OUT/src/$f" ] || die "$OUT/src/$f missing"
done

# --- 2. the compiler flags ----------------------------------------------------
# Bulkhead's flags that make the headers what the guest's code sees,
# folders made absolute (configure runs in the tree).
CCOPT=
next_is_dir=
for w in "$@"; do
    if [ -n "$next_is_dir" ]; then
        case $w in /*) ;; *) w=$PWD/$w ;; esac
        next_is_dir=
    else
        case $w in
            -isystem | -I) next_is_dir=1 ;;
            -I/*) ;;
            -I*) w=-I$PWD/${w#-I} ;;
            -std=* | -nostdinc | -D* | -U*) ;;
            *) continue ;;
        esac
    fi
    CCOPT="$CCOPT $w"
done
case $CCOPT in *-nostdinc*) ;; *) die "the flags given are not Bulkhead's (no -nostdinc)" ;; esac
# Debian's zlib.h, the header the guest's gzip module is compiled with.
CCOPT="$CCOPT -I$ZLIB"

# --- 3. configure ---------------------------------------------------------------
# Debian's paths (debian/rules' basic_configure_flags), the modules of
# issue 16: core, events (select and poll), http with static, index,
# autoindex, range, not-modified and gzip (and the filters http cannot do
# without); every other default module is left out, and with it PCRE
# (rewrite), crypt (auth_basic) and the upstream modules. gzip's zlib is
# found by configure's own test: zlib.h from ZLIBDIR, linked on the host
# with its -lz (step 4); the build links Debian's zlib compiled for the
# guest instead.
# --crossbuild names a system configure does not know, so it takes its
# generic POSIX port (no epoll, no sendfile): Bulkhead is no Linux. Its
# tests compile against Bulkhead's headers (the flags above, given with
# the compiler's name: configure looks for headers with $CC alone) and
# link and run on the host, with the host's libc (step 4 adjusts for
# that).
RULES=$OUT/src/debian/rules
DEB_PATHS=$(sed -n '/^basic_configure_flags *:=/,/[^\\]$/p' "$RULES" | tr -s ' \t\\' '\n' |
    grep -E '^--(prefix|[a-z-]*-path)=' | tr '\n' ' ')
case $DEB_PATHS in *--conf-path=/etc/nginx/nginx.conf*) ;;
    *) die "no Debian paths found in $RULES" ;; esac
WITHOUT=
for m in charset ssi userid access auth_basic mirror geo map split_clients referer \
    rewrite proxy fastcgi uwsgi scgi grpc memcached limit_conn limit_req empty_gif browser \
    upstream_hash upstream_ip_hash upstream_least_conn upstream_random upstream_keepalive \
    upstream_zone; do
    WITHOUT="$WITHOUT --without-http_${m}_module"
done
echo "$ME: configuring with Debian's paths: $DEB_PATHS"
# shellcheck disable=SC2086
(cd "$OUT/src" && ./configure --crossbuild=Bulkhead --with-cc="gcc$CCOPT" \
    $DEB_PATHS $WITHOUT --without-http-cache --without-pcre --with-poll_module \
    --with-select_module >configure.log 2>&1) || {
    tail -n 20 "$OUT/src/configure.log" >&2
    die "nginx's configure failed (see $OUT/src/configure.log)"
}
CONF=$OUT/src/objs/ngx_auto_config.h
for f in "$CONF" "$OUT/src/objs/ngx_auto_headers.h" "$OUT/src/objs/ngx_modules.c" \
    "$OUT/src/objs/Makefile"; do
    [ -s "$f" ] || die "configure did not write $f"
done

# --- 4. what the host's libc answered for Bulkhead's ---------------------------
# configure's tests of a function link against the host's libc (glibc),
# which has calls Bulkhead's libc has not; nginx then does without them,
# as on a system that lacks them. Each is said here with why. Every
# other NGX_HAVE_ result (and NGX_CRYPT, crypt(), which Bulkhead's libc
# has not: auth_basic, which asks for it, is not built; and NGX_ZLIB,
# which must be found) must be one of KEEP (headers, types, sizes, calls
# Bulkhead's libc has, and zlib, which the build compiles into the app),
# so a result nobody looked at stops here.
DROP="NGX_HAVE_ACCEPT4 NGX_HAVE_PWRITEV NGX_HAVE_STRERRORDESC_NP"
#   NGX_HAVE_ACCEPT4: no accept4; accept then ioctl(FIONBIO), as nginx
#       does elsewhere.
#   NGX_HAVE_PWRITEV: no pwritev; nginx writes a chain to a file with
#       pwrite, one buffer after the other.
#   NGX_HAVE_STRERRORDESC_NP: glibc's own; nginx copies strerror's texts.
KEEP="NGX_HAVE_GCC_ATOMIC NGX_HAVE_C99_VARIADIC_MACROS NGX_HAVE_GCC_VARIADIC_MACROS
    NGX_HAVE_GCC_BSWAP64 NGX_HAVE_O_DIRECT NGX_HAVE_DLOPEN NGX_HAVE_SCHED_YIELD
    NGX_HAVE_REUSEPORT NGX_HAVE_KEEPALIVE_TUNABLE NGX_HAVE_UNIX_DOMAIN NGX_HAVE_LITTLE_ENDIAN
    NGX_HAVE_INET6 NGX_HAVE_PREAD NGX_HAVE_PWRITE NGX_HAVE_LOCALTIME_R NGX_HAVE_CLOCK_MONOTONIC
    NGX_HAVE_POSIX_MEMALIGN NGX_HAVE_MEMALIGN NGX_HAVE_MAP_ANON NGX_HAVE_MAP_DEVZERO
    NGX_HAVE_MSGHDR_MSG_CONTROL NGX_HAVE_FIONBIO NGX_HAVE_FIONREAD NGX_HAVE_D_TYPE
    NGX_HAVE_SC_NPROCESSORS_ONLN NGX_HAVE_LEVEL1_DCACHE_LINESIZE NGX_HAVE_OPENAT
    NGX_HAVE_GETADDRINFO NGX_HAVE_SELECT NGX_HAVE_POLL NGX_ZLIB"
for d in $DROP; do
    grep -q "^#define $d " "$CONF" || die "configure no longer finds $d: revisit DROP"
    # Its #ifndef, #define and #endif lines.
    sed -i "/^#ifndef $d\$/,/^#endif/d" "$CONF"
done
grep -q '^#define NGX_ZLIB ' "$CONF" || die "configure did not find zlib (gzip needs it)"
for d in $(sed -n 's/^#define \(NGX_HAVE_[A-Z0-9_]*\|NGX_CRYPT\|NGX_ZLIB\) .*/\1/p' "$CONF"); do
    case " $(echo $KEEP) " in *" $d "*) ;;
        *) die "configure found $d, which this script does not know: is it Bulkhead's?" ;; esac
done
{
    echo
    echo "/* Adjusted by Bulkhead's scripts/fetch-nginx.sh: not in its libc:"
    echo " * $DROP */"
} >>"$CONF"

# --- 5. the lists of sources -----------------------------------------------------
# objs/Makefile's link of objs/nginx names every object; each objs/X.o is
# X.c of the tree (objs/ngx_modules.o is configure's). Its include
# folders are ALL_INCS and HTTP_INCS.
MK=$OUT/src/objs/Makefile
mkvar() {
    sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' "$MK" | sed -n -E "s/^$1[[:space:]]*=[[:space:]]*//p" |
        tr -s ' \t' '\n' | grep -v '^-I$' | grep -v '^$'
}
{
    echo "# Written by scripts/fetch-nginx.sh: the sources of Debian's nginx, as its"
    echo "# configured objs/Makefile links them."
    echo "NGINX_SRCS := \\"
    sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta' "$MK" | sed -n 's/^objs\/nginx:[[:space:]]*//p' |
        tr -s ' \t' '\n' | grep '\.o$' | sed 's/^objs\/src\//src\//; s/\.o$/.c/' |
        while read -r f; do
            [ -f "$OUT/src/$f" ] || die "$f (of objs/Makefile) missing"
            printf '\t$(NGINX_OUT)/src/%s \\\n' "$f"
        done
    echo
    echo "NGINX_INCS := \\"
    for d in $(mkvar ALL_INCS) $(mkvar HTTP_INCS); do
        printf '\t-I$(NGINX_OUT)/src/%s \\\n' "$d"
    done
    echo
} >"$OUT/srcs.mk.tmp"
grep -q '/src/core/nginx\.c ' "$OUT/srcs.mk.tmp" || die "nginx.c is not among the sources"
grep -q '/objs/ngx_modules\.c ' "$OUT/srcs.mk.tmp" || die "ngx_modules.c is not among the sources"
mv "$OUT/srcs.mk.tmp" "$OUT/srcs.mk"

# --- 6. the initrd's files of the package ------------------------------------------
# Debian's packages install debian/conf/mime.types as /etc/nginx/mime.types
# and make the folders nginx-common.dirs lists (/var/lib/nginx, where the
# temporary folders go, /var/log/nginx, ...); the image's initrd takes
# them from here (apps/nginx/build.mk's nginx_INITRD).
rm -rf "$OUT/root"
mkdir -p "$OUT/root/etc/nginx"
cp "$OUT/src/debian/conf/mime.types" "$OUT/root/etc/nginx/mime.types"
while read -r d; do
    case $d in '' | /* | *..*) die "nginx-common.dirs: '$d' is no folder of the package" ;; esac
    mkdir -p "$OUT/root/$d"
done <"$OUT/src/debian/nginx-common.dirs"
[ -d "$OUT/root/var/lib/nginx" ] || die "nginx-common.dirs no longer lists var/lib/nginx"

touch "$OUT/.fetched"
echo "$ME: nginx $(sed -n 's/^#define NGINX_VERSION *"\(.*\)"/\1/p' \
    "$OUT/src/src/core/nginx.h") ready in $OUT/src"
