# shellcheck shell=bash
# Shared by the scripts that fetch Debian source packages
# (scripts/fetch-lwip.sh, fetch-sqlite.sh, fetch-redis.sh): sourced, not
# run. The sourcing script sets ME (its name, for messages) and OUT (its
# output directory, absolute) first.
#
# Debian's sources are found through deb-src entries. If apt knows none for
# a package, debsrc_enable adds /etc/apt/sources.list.d/bulkhead-src.sources
# (a copy of debian.sources with "Types: deb-src") and updates apt's lists,
# which needs root. apt checks every file it downloads against the signed
# Sources index, so no checksum of our own is kept.

DEB_SOURCES=/etc/apt/sources.list.d/debian.sources
SRC_SOURCES=/etc/apt/sources.list.d/bulkhead-src.sources

die() {
    echo "error: $ME: $*" >&2
    exit 1
}

# Does apt know source package $1? (apt-cache showsrc prints an error but
# exits 0 when there are no deb-src entries, so look at its output, read
# whole: grep -q would stop reading and fail the pipe.)
have_src() {
    apt-cache showsrc "$1" 2>/dev/null | grep -c "^Package: $1\$" >/dev/null
}

# Make apt know source package $1, adding the deb-src entries if needed.
debsrc_enable() {
    have_src "$1" && return 0
    [ "$(id -u)" -eq 0 ] ||
        die "apt has no deb-src entry for $1; run this as root to add one"
    [ -f "$DEB_SOURCES" ] ||
        die "$DEB_SOURCES not found: cannot derive a deb-src entry"
    echo "$ME: adding deb-src entries ($SRC_SOURCES)" >&2
    sed 's/^Types:.*/Types: deb-src/' "$DEB_SOURCES" >"$SRC_SOURCES"
    apt-get update -qq || die "apt-get update failed"
    have_src "$1" || die "apt finds no source package '$1' even with $SRC_SOURCES"
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

# apt-get source --download-only of "$1" in directory $2; false when apt
# fails (what it said is on stderr). As root, apt warns that it downloads
# unsandboxed (the _apt user cannot write OUTDIR): that one warning is
# dropped, everything else apt says is kept.
apt_source() {
    local errlog=$2/apt-source.err rc=0
    (cd "$2" && apt-get source -qq --download-only "$1") 2>"$errlog" || rc=1
    grep -v 'unsandboxed' "$errlog" >&2 || true
    rm -f "$errlog"
    return $rc
}

# Download source package $1 (version $2, or apt's candidate) into
# OUT/dl, unless its .dsc is already there. Prints the .dsc's path.
download() {
    local pkg=$1 ver=$2 dsc
    dsc=$(ls "$OUT/dl/${pkg}_${ver#*:}.dsc" 2>/dev/null || true)
    [ -z "$ver" ] && dsc=$(ls "$OUT/dl/${pkg}"_*.dsc 2>/dev/null | head -n 1 || true)
    if [ -z "$dsc" ]; then
        debsrc_enable "$pkg"
        echo "$ME: downloading Debian's $pkg ${ver:-(candidate)} into $OUT/dl" >&2
        mkdir -p "$OUT/dl"
        if ! apt_source "$pkg${ver:+=$ver}" "$OUT/dl"; then
            [ -n "$ver" ] || die "apt-get source $pkg failed"
            # The installed version's source may be gone from the mirror:
            # the candidate's then, said aloud (the tests may differ).
            echo "$ME: warning: no source of $pkg $ver; fetching apt's candidate" >&2
            ver=
            apt_source "$pkg" "$OUT/dl" || die "apt-get source $pkg failed"
        fi
        dsc=$(ls "$OUT/dl/${pkg}"_*"${ver#*:}".dsc 2>/dev/null | tail -n 1 || true)
        [ -n "$dsc" ] || die "no .dsc of $pkg among the downloaded files: $(ls "$OUT/dl")"
    fi
    echo "$dsc"
}

# Unpack tarball $1 into directory $2 (made afresh): the tarball's single
# top directory becomes $2. Files get the time of unpacking (-m), so
# everything built from an earlier tree is rebuilt.
unpack_tarball() {
    local tarball=$1 dest=$2 top
    rm -rf "$dest" "$dest.unpack"
    mkdir -p "$dest.unpack"
    tar -xmf "$tarball" -C "$dest.unpack" || die "cannot unpack $tarball"
    top=$(find "$dest.unpack" -mindepth 1 -maxdepth 1)
    if [ "$(printf '%s\n' "$top" | wc -l)" -ne 1 ] || [ ! -d "$top" ]; then
        die "$(basename "$tarball") does not hold exactly one top directory"
    fi
    mv "$top" "$dest"
    rmdir "$dest.unpack"
}

# Apply Bulkhead's patches of directory $1 (*.patch, in name order) to the
# tree $2.
apply_ours() {
    local p
    [ -n "$1" ] && [ -d "$1" ] || return 0
    for p in "$1"/*.patch; do
        [ -e "$p" ] || continue
        echo "$ME: applying $(basename "$p")"
        patch -s -p1 -d "$2" <"$p" || die "$(basename "$p") does not apply"
    done
}

# Unpack the source package of .dsc $1 into directory $2 as dpkg-source
# does for format 3.0 (quilt): the upstream tarball, debian/ from
# Debian's tarball, then debian/patches/series in order (-p1 unless a
# line says otherwise); then Bulkhead's patches from directory $3, if
# any.
unpack() {
    local dsc=$1 dest=$2 ours=${3:-} dir orig deb
    dir=$(dirname "$dsc")
    grep -q '^Format: 3.0 (quilt)' "$dsc" || die "$(basename "$dsc") is not format 3.0 (quilt)"
    orig=$(dsc_file "$dsc" '\.orig\.tar\.')
    deb=$(dsc_file "$dsc" '\.debian\.tar\.')
    [ -n "$orig" ] && [ -f "$dir/$orig" ] || die "$(basename "$dsc"): upstream tarball missing"
    [ -n "$deb" ] && [ -f "$dir/$deb" ] || die "$(basename "$dsc"): Debian tarball missing"
    echo "$ME: unpacking $orig into $dest"
    unpack_tarball "$dir/$orig" "$dest"
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
    apply_ours "$ours" "$dest"
}
