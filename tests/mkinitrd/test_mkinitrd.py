"""Unit tests for scripts/mkinitrd.py, the initrd archive builder.

Run from the top of the tree: python3 -m unittest discover -s tests/mkinitrd -v

Each test makes folders in a temporary directory, builds an archive of
them and reads it back twice: with the newc reader below (every header
field, the padding, the order) and with Debian's cpio (-t lists it, -i
unpacks it with its modes), so the archive is one other tools take.
"""

import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "mkinitrd.py"
sys.path.insert(0, str(ROOT / "scripts"))

import mkinitrd  # noqa: E402

# The archive of no folder at all: the trailer alone, 124 bytes.
EMPTY = (
    b"070701"
    + b"00000000" * 4
    + b"00000001"
    + b"00000000" * 6
    + b"0000000b"
    + b"00000000"
    + b"TRAILER!!!\0\0\0\0"
)


def read_newc(data):
    """The entries of a newc archive, in order: (name, fields, bytes),
    fields a dict of the 13 header fields. Fails the test's assertion
    (AssertionError) on any malformed part."""
    names = (
        "ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor "
        "namesize check"
    ).split()
    out, off = [], 0
    while True:
        assert data[off : off + 6] == b"070701", "no magic at offset %d" % off
        fields = {n: int(data[off + 6 + 8 * i : off + 14 + 8 * i], 16) for i, n in enumerate(names)}
        name_at = off + 110
        name = data[name_at : name_at + fields["namesize"] - 1]
        assert data[name_at + fields["namesize"] - 1] == 0, "name without its NUL"
        off = name_at + fields["namesize"]
        assert data[off : off + (-off % 4)] == b"\0" * (-off % 4), "padding is not NULs"
        off += -off % 4
        body = data[off : off + fields["filesize"]]
        off += fields["filesize"]
        off += -off % 4
        assert fields["check"] == 0
        if name == b"TRAILER!!!":
            assert off == len(data), "bytes after the trailer"
            return out
        out.append((name, fields, body))


class MkinitrdTest(unittest.TestCase):
    """Folders in a temporary directory, archives built from them."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bulkhead-mkinitrd-test-")
        self.addCleanup(shutil.rmtree, self.tmp)

    def put(self, path, data=b"", mode=0o644):
        """A file under the temporary directory, its folders made."""
        full = os.path.join(self.tmp, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)
        os.chmod(full, mode)
        return full

    def folder(self, path, mode=0o755):
        full = os.path.join(self.tmp, path)
        os.makedirs(full, exist_ok=True)
        os.chmod(full, mode)
        return full

    def build(self, *folders, out="out.cpio"):
        """Run the script as make does; returns (exit status, output, archive path)."""
        path = os.path.join(self.tmp, out)
        p = subprocess.run(
            [sys.executable, str(SCRIPT), path] + [os.path.join(self.tmp, f) for f in folders],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        return p.returncode, p.stdout + p.stderr, path

    def archive(self, *folders):
        status, out, path = self.build(*folders)
        self.assertEqual(status, 0, out)
        with open(path, "rb") as f:
            return f.read()

    def test_no_folder_is_the_trailer_alone(self):
        self.assertEqual(self.archive(), EMPTY)
        self.assertEqual(len(EMPTY), 124)
        self.assertEqual(read_newc(EMPTY), [])

    def test_entries_modes_order_and_fields(self):
        self.put("a/etc/x.conf", b"one\n")
        self.put("a/bin/run", b"#!run\n", 0o755)
        self.put("a/secret", b"s", 0o600)
        self.folder("a/private", 0o700)
        self.put("a/etc.d/z", b"")
        entries = read_newc(self.archive("a"))
        self.assertEqual(
            [(n, oct(f["mode"])) for n, f, _ in entries],
            [
                (b"bin", oct(stat.S_IFDIR | 0o755)),
                (b"bin/run", oct(stat.S_IFREG | 0o755)),
                (b"etc", oct(stat.S_IFDIR | 0o755)),
                (b"etc/x.conf", oct(stat.S_IFREG | 0o644)),
                (b"etc.d", oct(stat.S_IFDIR | 0o755)),
                (b"etc.d/z", oct(stat.S_IFREG | 0o644)),
                (b"private", oct(stat.S_IFDIR | 0o700)),
                (b"secret", oct(stat.S_IFREG | 0o600)),
            ],
        )
        by_name = {n: (f, b) for n, f, b in entries}
        self.assertEqual(by_name[b"etc/x.conf"][1], b"one\n")
        self.assertEqual(by_name[b"bin/run"][1], b"#!run\n")
        self.assertEqual(by_name[b"etc.d/z"][0]["filesize"], 0)
        # Numbered in order, no owner, no time, no device.
        self.assertEqual([f["ino"] for _, f, _ in entries], list(range(1, len(entries) + 1)))
        for _, f, _ in entries:
            for key in ("uid", "gid", "mtime", "devmajor", "devminor", "rdevmajor", "rdevminor"):
                self.assertEqual(f[key], 0, key)

    def test_a_later_folder_replaces_an_earlier_ones_files(self):
        self.put("base/etc/x.conf", b"the image's own\n")
        self.put("base/etc/keep.conf", b"kept\n")
        self.put("base/run", b"old", 0o644)
        self.put("over/etc/x.conf", b"replaced\n", 0o600)
        self.put("over/etc/new.conf", b"added\n")
        self.put("over/run", b"new", 0o755)
        self.folder("over/etc", 0o750)
        entries = {n: (f, b) for n, f, b in read_newc(self.archive("base", "over"))}
        self.assertEqual(entries[b"etc/x.conf"][1], b"replaced\n")
        self.assertEqual(entries[b"etc/x.conf"][0]["mode"], stat.S_IFREG | 0o600)
        self.assertEqual(entries[b"etc/keep.conf"][1], b"kept\n")
        self.assertEqual(entries[b"etc/new.conf"][1], b"added\n")
        self.assertEqual(entries[b"run"], (entries[b"run"][0], b"new"))
        self.assertEqual(entries[b"run"][0]["mode"], stat.S_IFREG | 0o755)
        # The folder is there once, with the later folder's bits.
        self.assertEqual(entries[b"etc"][0]["mode"], stat.S_IFDIR | 0o750)
        self.assertEqual(len(entries), 5)
        # The other order: the base wins.
        entries = {n: b for n, _, b in read_newc(self.archive("over", "base"))}
        self.assertEqual(entries[b"etc/x.conf"], b"the image's own\n")

    def test_rebuilds_are_byte_identical_and_leave_the_file_alone(self):
        self.put("a/x", b"x" * 1000)
        self.put("a/d/y", b"y")
        status, out, path = self.build("a")
        self.assertEqual((status, out.startswith("  INITRD  ")), (0, True), out)
        with open(path, "rb") as f:
            first = f.read()
        os.utime(path, (1000, 1000))
        # Newer times on the sources change nothing.
        os.utime(os.path.join(self.tmp, "a/x"), (2000000000, 2000000000))
        os.utime(os.path.join(self.tmp, "a/d"), (2000000000, 2000000000))
        status, out, _ = self.build("a")
        self.assertEqual((status, out), (0, ""))
        self.assertEqual(os.stat(path).st_mtime, 1000)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), first)
        # New bytes do.
        self.put("a/x", b"z" * 1000)
        status, out, _ = self.build("a")
        self.assertEqual(status, 0, out)
        self.assertNotEqual(os.stat(path).st_mtime, 1000)
        with open(path, "rb") as f:
            self.assertNotEqual(f.read(), first)

    def test_debian_cpio_lists_and_unpacks_it(self):
        self.put("a/etc/x.conf", b"one\n")
        self.put("a/bin/run", b"#!run\n", 0o755)
        self.put("a/secret", b"s", 0o600)
        self.folder("a/private", 0o700)
        self.put("b/etc/x.conf", b"two\n", 0o640)
        _, _, path = self.build("a", "b")
        with open(path, "rb") as f:
            listed = subprocess.run(["cpio", "-t", "--quiet"], stdin=f, capture_output=True)
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertEqual(
            listed.stdout.decode().split(),
            ["bin", "bin/run", "etc", "etc/x.conf", "private", "secret"],
        )
        into = self.folder("unpacked")
        with open(path, "rb") as f:
            unpacked = subprocess.run(
                ["cpio", "-i", "-d", "--quiet", "--no-absolute-filenames"],
                stdin=f,
                cwd=into,
                capture_output=True,
            )
        self.assertEqual(unpacked.returncode, 0, unpacked.stderr)
        for name, mode, data in (
            ("etc/x.conf", 0o640, b"two\n"),
            ("bin/run", 0o755, b"#!run\n"),
            ("secret", 0o600, b"s"),
            ("private", 0o700, None),
        ):
            full = os.path.join(into, name)
            self.assertEqual(oct(stat.S_IMODE(os.stat(full).st_mode)), oct(mode), name)
            if data is not None:
                with open(full, "rb") as f:
                    self.assertEqual(f.read(), data, name)

    def assert_refused(self, folders, message):
        """Building `folders` fails, printing exactly `message` (with
        {tmp} for the temporary directory), and writes no archive."""
        status, out, path = self.build(*folders)
        self.assertEqual(status, 1, out)
        self.assertEqual(out, "mkinitrd: " + message.format(tmp=self.tmp) + "\n")
        self.assertFalse(os.path.exists(path))

    def test_a_symbolic_link_is_refused_by_name(self):
        self.put("a/etc/real", b"r")
        os.symlink("real", os.path.join(self.tmp, "a/etc/link"))
        self.assert_refused(
            ["a"],
            "{tmp}/a/etc/link: a symbolic link; the archive holds only folders and regular files",
        )
        # A link to a folder too (it is not followed).
        os.remove(os.path.join(self.tmp, "a/etc/link"))
        os.symlink("etc", os.path.join(self.tmp, "a/more"))
        self.assert_refused(
            ["a"],
            "{tmp}/a/more: a symbolic link; the archive holds only folders and regular files",
        )

    def test_a_fifo_socket_and_device_are_refused_by_name(self):
        self.folder("f")
        os.mkfifo(os.path.join(self.tmp, "f/pipe"))
        self.assert_refused(
            ["f"], "{tmp}/f/pipe: a FIFO; the archive holds only folders and regular files"
        )
        self.folder("s")
        sock = socket.socket(socket.AF_UNIX)
        self.addCleanup(sock.close)
        sock.bind(os.path.join(self.tmp, "s/sock"))
        self.assert_refused(
            ["s"], "{tmp}/s/sock: a socket; the archive holds only folders and regular files"
        )
        self.folder("d")
        try:
            os.mknod(os.path.join(self.tmp, "d/null"), stat.S_IFCHR | 0o600, os.makedev(1, 3))
        except PermissionError:
            self.skipTest("making a device node needs CAP_MKNOD")
        self.assert_refused(
            ["d"],
            "{tmp}/d/null: a character device; the archive holds only folders and regular files",
        )

    def test_a_missing_folder_is_refused(self):
        self.put("a/x", b"x")
        self.assert_refused(["a", "nowhere"], "{tmp}/nowhere: no such folder")
        self.assert_refused(["a/x"], "{tmp}/a/x: no such folder")

    def test_a_file_over_a_folder_is_refused(self):
        self.put("a/etc/x.conf", b"x")
        self.put("b/etc", b"not a folder")
        self.assert_refused(
            ["a", "b"],
            "{tmp}/b/etc: a file here, but a folder in {tmp}/a/etc: one cannot replace the other",
        )

    def test_names_too_long_are_refused(self):
        # Longer than any host file system allows, so checked directly.
        with self.assertRaises(mkinitrd.InitrdError) as caught:
            mkinitrd.check_name("src/long", b"etc/" + b"n" * 256)
        self.assertEqual(
            str(caught.exception),
            "src/long: a name of 256 bytes; the kernel takes at most 255 (FS_NAME_MAX)",
        )
        mkinitrd.check_name("src/ok", b"etc/" + b"n" * 255)
        path = b"/".join([b"d" * 200] * 20) + b"/x" * 48
        with self.assertRaises(mkinitrd.InitrdError) as caught:
            mkinitrd.check_name("src/deep", path)
        self.assertEqual(
            str(caught.exception),
            "src/deep: a path of 4115 bytes below the root; the kernel takes at most 4095 "
            "(FS_PATH_MAX)",
        )
        mkinitrd.check_name("src/ok", path[:4095])

    def test_an_unreadable_file_is_refused_by_name(self):
        if os.geteuid() == 0:
            self.skipTest("root reads every file")
        self.put("a/locked", b"x", 0o000)
        self.assert_refused(["a"], "{tmp}/a/locked: Permission denied")


if __name__ == "__main__":
    unittest.main()
