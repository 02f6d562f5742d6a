#!/usr/bin/env python3
"""Check the layout rules of a linked Bulkhead image.

- every PT_LOAD has file offset = address - one constant (QEMU's multiboot1
  a.out kludge loads the file as one contiguous block);
- the multiboot1 header lies in the first 8 KiB of the file, the multiboot2
  header in the first 32 KiB, both properly aligned;
- no segment is both writable and executable (W^X).
Exits 1 with the reason on the first broken rule.
"""
import struct
import sys

PT_LOAD = 1
PF_X, PF_W = 1, 2
MB1_MAGIC = 0x1BADB002
MB2_MAGIC = 0xE85250D6


def fail(path, msg):
    print("check-image: %s: %s" % (path, msg), file=sys.stderr)
    sys.exit(1)


def main():
    path = sys.argv[1]
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        fail(path, "not a 64-bit ELF file")
    (phoff,) = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    delta = None
    for i in range(phnum):
        p_type, p_flags, p_offset, p_vaddr, _paddr, p_filesz, _memsz, _align = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + i * phentsize
        )
        if p_type != PT_LOAD:
            continue
        if p_flags & PF_W and p_flags & PF_X:
            fail(path, "segment %d at 0x%x is writable and executable" % (i, p_vaddr))
        if p_filesz == 0:
            continue
        d = p_vaddr - p_offset
        if delta is None:
            delta = d
        elif d != delta:
            fail(
                path,
                "segment %d at 0x%x breaks the contiguous file layout "
                "(offset 0x%x)" % (i, p_vaddr, p_offset),
            )
    found = {}
    for off in range(0, min(len(data), 32768), 4):
        (magic,) = struct.unpack_from("<I", data, off)
        if magic == MB1_MAGIC and off < 8192 and "mb1" not in found:
            flags, csum = struct.unpack_from("<II", data, off + 4)
            if (magic + flags + csum) & 0xFFFFFFFF == 0:
                found["mb1"] = off
        if magic == MB2_MAGIC and off % 8 == 0 and "mb2" not in found:
            arch, length, csum = struct.unpack_from("<III", data, off + 4)
            if (magic + arch + length + csum) & 0xFFFFFFFF == 0:
                found["mb2"] = off
    if "mb1" not in found:
        fail(path, "no multiboot1 header in the first 8 KiB")
    if "mb2" not in found:
        fail(path, "no multiboot2 header in the first 32 KiB")


if __name__ == "__main__":
    main()
