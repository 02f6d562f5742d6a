#!/usr/bin/env python3
"""Reject an image that could change PKRU outside its gates.

usage: scan-wrpkru.py IMAGE.elf SYMBOLS.nm [NAME]   (NAME: for reports)

Under the MPK backend the only instructions allowed to write PKRU are the
gates' own. Any other WRPKRU (0f 01 ef) or XRSTOR (0f ae /5 with a memory
operand; also covers XRSTOR64, whose REX prefix comes first) in executable
memory is a gadget an attacker could jump to, whether it is a real
instruction or bytes that merely appear inside one (an immediate, a
displacement). So, as ERIM does, every byte offset of every executable
segment is scanned, not just instruction boundaries. The only place
allowed is the image's gate section, `.text.gates`, found by its section
header (not by symbols, which any library could define too); the linker
script fills it with the gate object's code alone.

Exits 1 naming the image, the file offset, the address, the symbol and the
place of each occurrence: the output section it lies in, said as
"compartment NAME" (.text.comp_NAME), "boot code" (.boot), "common text"
(.text.common, code of no compartment), or "section NAME" for any other.
"""
import struct
import sys

PT_LOAD, PF_X = 1, 1
SHF_ALLOC = 2
GATE_SECTION = ".text.gates"
# Output sections of the linker script (scripts/gen-image.py) that hold
# code of no compartment.
PLACES = {".boot": "boot code", ".text.common": "common text"}


def load_symbols(path):
    """Sorted (address, name) pairs from `nm -n` output."""
    syms = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tTwWrRdDbB":
                syms.append((int(parts[0], 16), parts[2]))
    syms.sort()
    return syms


def symbol_of(syms, addr):
    best = None
    for a, name in syms:
        if a > addr:
            break
        best = (a, name)
    return "<%s+0x%x>" % (best[1], addr - best[0]) if best else "<?>"


def sections(data):
    """(name, address, size) of every allocated section of an ELF64 image."""
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
               for i in range(shnum)]
    strtab = headers[shstrndx][4]
    out = []
    for name, _type, flags, addr, _off, size, *_rest in headers:
        if flags & SHF_ALLOC and size:
            end = data.index(b"\0", strtab + name)
            out.append((data[strtab + name:end].decode(), addr, size))
    return out


def place_of(secs, addr):
    """Where addr lies, for the report; None inside the gate section."""
    for name, start, size in secs:
        if start <= addr < start + size:
            if name == GATE_SECTION:
                return None
            if name.startswith(".text.comp_"):
                return "compartment " + name[len(".text.comp_"):]
            return PLACES.get(name, "section " + name)
    return "no section"


def find(data, start, end):
    """(offset, what) of every WRPKRU or XRSTOR byte sequence in data[start:end]."""
    hits = []
    i = start
    while i < end - 2:
        if data[i] == 0x0F:
            b1, b2 = data[i + 1], data[i + 2]
            if b1 == 0x01 and b2 == 0xEF:
                hits.append((i, "WRPKRU (0f 01 ef)"))
            elif b1 == 0xAE and (b2 >> 3) & 7 == 5 and b2 >> 6 != 3:
                hits.append((i, "XRSTOR (0f ae /5)"))
        i += 1
    return hits


def main():
    image, nm = sys.argv[1], sys.argv[2]
    data = open(image, "rb").read()
    if len(sys.argv) > 3:
        image = sys.argv[3]
    syms = load_symbols(nm)
    secs = sections(data)
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    errors = []
    for n in range(phnum):
        p_type, p_flags, p_offset, p_vaddr, _pa, p_filesz, _ms, _al = \
            struct.unpack_from("<IIQQQQQQ", data, phoff + n * phentsize)
        if p_type != PT_LOAD or not p_flags & PF_X:
            continue
        for off, what in find(data, p_offset, p_offset + p_filesz):
            addr = p_vaddr + off - p_offset
            place = place_of(secs, addr)
            if place is None:
                continue
            errors.append("%s: offset 0x%x (address 0x%x %s, %s): "
                          "%s outside the gate section"
                          % (image, off, addr, symbol_of(syms, addr), place, what))
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
