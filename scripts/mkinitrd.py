#!/usr/bin/env python3
"""Build an image's initrd: a cpio "newc" archive of one or more folders.

usage: mkinitrd.py OUT.cpio [DIR ...]

The folders are overlaid in the order given: a later folder's file
replaces an earlier one's at the same path, and their folders merge (the
later one's permission bits win). The archive holds every folder and
regular file under them, named by its path below its folder ("etc",
"etc/x.conf"), with its permission bits; owners are 0 and every time is
0, and entries are sorted by path (a folder before what it holds), so the
same files give the same bytes on every build. It ends with the
TRAILER!!! entry; with no folder it holds nothing else.

A symbolic link, a device, a FIFO or a socket, a name longer than the
kernel takes (FS_NAME_MAX, FS_PATH_MAX in include/bulkhead/fs.h), a file
of 4 GiB or more, and a path that is a folder in one folder and a file in
another are errors naming the file: the kernel's file systems hold
folders and regular files only.

OUT is written only when its bytes change, so make sees it unchanged
after a rebuild that changed nothing. Exit status 1 on an error.
"""

import os
import stat
import sys

import backend

MAGIC = b"070701"
TRAILER = b"TRAILER!!!"
FS = backend.header_defines(os.path.join("include", "bulkhead", "fs.h"))
NAME_MAX = FS["FS_NAME_MAX"] - 1  # bytes of one path component, without its NUL
PATH_MAX = FS["FS_PATH_MAX"] - 1  # bytes of a whole path below the root
SIZE_MAX = 0xFFFFFFFF  # newc's size field: 8 hex digits


class InitrdError(Exception):
    """A file the archive cannot hold; str() names it and says why."""


def collect(folders):
    """{path below the root (bytes): (source path, is_folder, mode bits)}
    of every folder and regular file under `folders`, later folders
    replacing earlier ones' files."""
    entries = {}
    for top in folders:
        if not os.path.isdir(top):
            raise InitrdError("%s: no such folder" % top)
        for where, dirs, files in os.walk(top, onerror=_walk_error):
            dirs.sort()
            for name in sorted(dirs) + sorted(files):
                source = os.path.join(where, name)
                rel = os.fsencode(os.path.relpath(source, top))
                check_name(source, rel)
                try:
                    st = os.lstat(source)
                except OSError as exc:
                    raise InitrdError("%s: %s" % (source, exc.strerror)) from None
                if stat.S_ISDIR(st.st_mode):
                    folder = True
                elif stat.S_ISREG(st.st_mode):
                    folder = False
                    if st.st_size > SIZE_MAX:
                        raise InitrdError(
                            "%s: %d bytes; an archive file holds at most %d"
                            % (source, st.st_size, SIZE_MAX)
                        )
                else:
                    raise InitrdError(
                        "%s: a %s; the archive holds only folders and regular files"
                        % (source, kind_of(st.st_mode))
                    )
                old = entries.get(rel)
                if old is not None and old[1] != folder:
                    raise InitrdError(
                        "%s: a %s here, but a %s in %s: one cannot replace the other"
                        % (
                            source,
                            "folder" if folder else "file",
                            "folder" if old[1] else "file",
                            old[0],
                        )
                    )
                entries[rel] = (source, folder, stat.S_IMODE(st.st_mode))
    return entries


def _walk_error(exc):
    """os.walk's errors (an unreadable folder) are the archive's."""
    raise InitrdError("%s: %s" % (exc.filename, exc.strerror))


def kind_of(mode):
    """What a file that is neither a folder nor a regular file is."""
    for test, name in (
        (stat.S_ISLNK, "symbolic link"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return name
    return "file of unknown type"


def check_name(source, rel):
    """A path the kernel can hold: components of at most NAME_MAX bytes,
    the whole at most PATH_MAX."""
    for part in rel.split(b"/"):
        if len(part) > NAME_MAX:
            raise InitrdError(
                "%s: a name of %d bytes; the kernel takes at most %d (FS_NAME_MAX)"
                % (source, len(part), NAME_MAX)
            )
    if len(rel) > PATH_MAX:
        raise InitrdError(
            "%s: a path of %d bytes below the root; the kernel takes at most %d (FS_PATH_MAX)"
            % (source, len(rel), PATH_MAX)
        )


def pad4(data):
    """data followed by NULs up to a multiple of 4 bytes."""
    return data + b"\0" * (-len(data) % 4)


def header(ino, mode, nlink, size, name):
    """One newc header and its name, padded: 13 fields of 8 hex digits
    (ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor,
    rdevmajor, rdevminor, namesize with the NUL, check)."""
    fields = (ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, len(name) + 1, 0)
    return pad4(MAGIC + b"".join(b"%08x" % f for f in fields) + name + b"\0")


def archive(entries):
    """The archive's bytes: every entry sorted by path, then the trailer."""
    out = []
    order = sorted(entries, key=lambda rel: rel.split(b"/"))
    for ino, rel in enumerate(order, 1):
        source, folder, perm = entries[rel]
        if folder:
            out.append(header(ino, stat.S_IFDIR | perm, 2, 0, rel))
            continue
        try:
            with open(source, "rb") as f:
                data = f.read()
        except OSError as exc:
            raise InitrdError("%s: %s" % (source, exc.strerror)) from None
        out.append(header(ino, stat.S_IFREG | perm, 1, len(data), rel))
        out.append(pad4(data))
    out.append(header(0, 0, 1, 0, TRAILER))
    return b"".join(out)


def build(out, folders):
    """Write the archive of `folders` to `out` if its bytes changed;
    returns (whether it was written, entries, bytes)."""
    entries = collect(folders)
    data = archive(entries)
    try:
        with open(out, "rb") as f:
            if f.read() == data:
                return False, len(entries), len(data)
    except OSError:
        pass
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, out)
    return True, len(entries), len(data)


def main(argv):
    if len(argv) < 1 or argv[0].startswith("-"):
        print("usage: mkinitrd.py OUT.cpio [DIR ...]", file=sys.stderr)
        return 2
    try:
        written, count, size = build(argv[0], argv[1:])
    except InitrdError as exc:
        print("mkinitrd: %s" % exc, file=sys.stderr)
        return 1
    if written:
        print("  INITRD  %s (%d entries, %d bytes)" % (argv[0], count, size))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
