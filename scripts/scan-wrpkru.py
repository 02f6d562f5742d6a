#!/usr/bin/env python3
"""Reject an image that could change PKRU outside its gates, or whose
isolated compartments hold privileged instructions.

usage: scan-wrpkru.py [--privileged] IMAGE.elf SYMBOLS.nm [NAME]
       (NAME: the image's name in reports)

Under the MPK backend the only instructions allowed to write PKRU are the
gates' own. Any other WRPKRU (0f 01 ef), XRSTOR (0f ae /5 with a memory
operand; also covers XRSTOR64, whose REX prefix comes first) or XRSTORS
(0f c7 /3, memory operand) in executable memory is a gadget an attacker
could jump to, whether it is a real instruction or bytes that merely
appear inside one (an immediate, a displacement). So, as ERIM does, every
byte offset of every executable segment is scanned, not just instruction
boundaries. The only place allowed is the image's gate section,
`.text.gates`, found by its section header (not by symbols, which any
library could define too); the linker script fills it with the gate
object's code alone.

With --privileged (images whose compartments are protection-key domains,
where all code runs in ring 0), the code of every compartment but the
kernel core's (the one holding kmain) is also disassembled, and any
privileged instruction in it is refused: control and debug register
moves (a `mov cr4` clears CR4.PKE), MSR access, descriptor-table loads
and stores, XSETBV, supervisor state, port I/O, cache and TLB control,
SWAPGS, returns to another privilege level and the like. A compartment
that needs one of these asks the kernel core. CLI, STI and HLT stay
allowed: threads are never preempted, so a compartment can hold the CPU
by looping anyway, and masking interrupts gives it nothing more (the
scheduler and lwIP's critical sections use them).

Exits 1 naming the image, the file offset, the address, the symbol and the
place of each occurrence: the output section it lies in, said as
"compartment NAME" (.text.comp_NAME), "boot code" (.boot), "common text"
(.text.common, code of no compartment), or "section NAME" for any other.
"""
import re
import struct
import subprocess
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
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strtab = headers[shstrndx][4]
    out = []
    for name, _type, flags, addr, _off, size, *_rest in headers:
        if flags & SHF_ALLOC and size:
            end = data.index(b"\0", strtab + name)
            out.append((data[strtab + name : end].decode(), addr, size))
    return out


def place_of(secs, addr):
    """Where addr lies, for the report; None inside the gate section."""
    for name, start, size in secs:
        if start <= addr < start + size:
            if name == GATE_SECTION:
                return None
            if name.startswith(".text.comp_"):
                return "compartment " + name[len(".text.comp_") :]
            return PLACES.get(name, "section " + name)
    return "no section"


def find(data, start, end):
    """(offset, what) of every WRPKRU, XRSTOR or XRSTORS byte sequence in
    data[start:end]."""
    hits = []
    i = start
    while i < end - 2:
        if data[i] == 0x0F:
            b1, b2 = data[i + 1], data[i + 2]
            if b1 == 0x01 and b2 == 0xEF:
                hits.append((i, "WRPKRU (0f 01 ef)"))
            elif b1 == 0xAE and (b2 >> 3) & 7 == 5 and b2 >> 6 != 3:
                hits.append((i, "XRSTOR (0f ae /5)"))
            elif b1 == 0xC7 and (b2 >> 3) & 7 == 3 and b2 >> 6 != 3:
                hits.append((i, "XRSTORS (0f c7 /3)"))
        i += 1
    return hits


# Privileged mnemonics (as objdump prints them) and why each is refused.
PRIVILEGED = {}
for names, why in (
    ("wrmsr rdmsr", "accesses a model-specific register"),
    ("lgdt lidt lldt ltr", "loads a descriptor table"),
    ("sgdt sidt sldt str", "reads a descriptor table"),
    ("xsetbv", "writes an extended control register"),
    ("xrstors xsaves", "restores or saves supervisor state"),
    ("in ins insb insw insd out outs outsb outsw outsd", "port I/O"),
    ("invlpg invpcid invd wbinvd wbnoinvd", "cache or TLB control"),
    ("clts lmsw swapgs sysret sysretq sysexit iret iretd iretq", "system state"),
    ("wrpkru", "writes PKRU"),
):
    for name in names.split():
        PRIVILEGED[name] = why
CONTROL_REGISTER = re.compile(r"\b(cr\d+|dr\d+)\b")


def privileged(line):
    """Why the instruction of an objdump line is privileged, or None."""
    parts = line.split("\t")
    if len(parts) < 2:
        return None
    words = parts[-1].split()
    while words and words[0] in (
        "rep",
        "repz",
        "repnz",
        "repe",
        "repne",
        "lock",
        "data16",
        "addr32",
        "rex",
        "rex.W",
    ):
        words = words[1:]
    if not words:
        return None
    mnemonic = words[0]
    if mnemonic in PRIVILEGED:
        return PRIVILEGED[mnemonic]
    if mnemonic == "mov" and CONTROL_REGISTER.search(" ".join(words[1:])):
        return "moves a control or debug register"
    return None


def privileged_hits(image, secs, syms):
    """(address, instruction, why, compartment) of every privileged
    instruction in a compartment other than the kernel core's."""
    kmain = next((a for a, name in syms if name == "kmain"), None)
    hits = []
    for name, start, size in secs:
        if not name.startswith(".text.comp_"):
            continue
        if kmain is not None and start <= kmain < start + size:
            continue  # the kernel core may
        dis = subprocess.run(
            ["objdump", "-d", "-M", "intel", "--no-show-raw-insn", "-j", name, image],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for line in dis.splitlines():
            m = re.match(r"^\s+([0-9a-f]+):\t(.*)$", line)
            if not m:
                continue
            why = privileged(line)
            if why:
                hits.append(
                    (
                        int(m.group(1), 16),
                        " ".join(m.group(2).split()),
                        why,
                        name[len(".text.comp_") :],
                    )
                )
    return hits


def main():
    args = sys.argv[1:]
    scan_privileged = args[:1] == ["--privileged"]
    if scan_privileged:
        args = args[1:]
    path, nm = args[0], args[1]
    data = open(path, "rb").read()
    image = args[2] if len(args) > 2 else path
    syms = load_symbols(nm)
    secs = sections(data)
    (phoff,) = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    privileged = privileged_hits(path, secs, syms) if scan_privileged else []
    errors = []
    for n in range(phnum):
        p_type, p_flags, p_offset, p_vaddr, _pa, p_filesz, _ms, _al = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + n * phentsize
        )
        if p_type != PT_LOAD or not p_flags & PF_X:
            continue
        for off, what in find(data, p_offset, p_offset + p_filesz):
            addr = p_vaddr + off - p_offset
            place = place_of(secs, addr)
            if place is None:
                continue
            errors.append(
                "%s: offset 0x%x (address 0x%x %s, %s): "
                "%s outside the gate section"
                % (image, off, addr, symbol_of(syms, addr), place, what)
            )
        for addr, insn, why, comp in privileged:
            if p_vaddr <= addr < p_vaddr + p_filesz:
                errors.append(
                    "%s: offset 0x%x (address 0x%x %s, compartment %s): "
                    "privileged instruction '%s' (%s) outside the kernel core"
                    % (
                        image,
                        addr - p_vaddr + p_offset,
                        addr,
                        symbol_of(syms, addr),
                        comp,
                        insn,
                        why,
                    )
                )
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
