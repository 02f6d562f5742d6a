#!/usr/bin/env python3
"""Generate what one configuration's image is linked from, and check it.

    gen-image.py layout CONFIG --libs "..." --apps "..." --out DIR
        DIR/kernel.ld          linker script: page-aligned sections per
                               compartment with start/end symbols
        DIR/comp_table.c       the compartment table boot reads
        DIR/comp/NAME.keep     global symbols compartment NAME keeps: the
                               functions its libraries export (*.api)
        DIR/comp/NAME.glue.c   per-compartment constants of its libc copy
    gen-image.py check CONFIG ... --comp NAME --object RAW.o
        fails, naming the symbol and the libraries involved, when the
        compartment refers to something no other compartment exports.
    gen-image.py gates CONFIG ... --objects RAW.o...
        DIR/gates.asm          the backend's gate runtime and one stub per
                               (calling compartment, called function)
        DIR/comp/NAME.redef    objcopy --redefine-syms list that sends the
                               compartment's calls to other compartments
                               through its stubs (empty for fcall)

Each compartment is linked as one relocatable object (its libraries plus a
private copy of libc); every global symbol not in its keep list is made
local, so the only ways into a compartment are the functions its
libraries declare in their API files.
"""
import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bulkhead_config  # noqa: E402

PAGE = 4096
# Bytes of stack for the application's main thread.
MAIN_STACK = 256 * 1024


def api_path(lib):
    """Where library `lib` declares its exported functions."""
    for path in ("%s/%s.api" % (lib, lib), "apps/%s/%s.api" % (lib, lib),
                 "tests/%s.api" % lib, "tests/%s/%s.api" % (lib, lib),
                 "net/%s/%s.api" % (lib, lib)):
        if os.path.exists(path):
            return path
    raise SystemExit("gen-image: library %s has no API file "
                     "(%s/%s.api or apps/%s/%s.api)" % (lib, lib, lib, lib, lib))


def read_api(lib, callbacks=False):
    """{function: argument count} from a library's API file.

    Lines are `NAME COUNT` (a function other compartments may call) or
    `callback NAME COUNT` (a function of this library that others may be
    handed a pointer to and call back, such as a thread entry point).
    With callbacks=True, return the callbacks instead of the functions.
    """
    path = api_path(lib)
    funcs, cbs = {}, {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split()
            table = funcs
            if parts[0] == "callback":
                table = cbs
                parts = parts[1:]
            if len(parts) != 2 or not parts[1].isdigit():
                raise SystemExit("%s:%d: expected '[callback] NAME ARGUMENT-COUNT'"
                                 % (path, n))
            if int(parts[1]) > 6:
                raise SystemExit("%s:%d: %s takes %s arguments; gates pass at "
                                 "most 6, in registers" % (path, n, parts[0], parts[1]))
            table[parts[0]] = int(parts[1])
    return cbs if callbacks else funcs


# Symbols of the gate runtime (gates.asm): any compartment may use them.
GATE_RUNTIME = {"gate_callback", "gate_set_slot", "gate_slot", "gate_vm_init",
                "gate_thread_exit", "gate_shared_pages", "gate_trap_enter", "gate_trap_exit",
                "gate_pkru_read", "gate_pkru_restore", "gate_enter_core"}
# The application compartment's entry, defined by its glue (libc/start.c).
APP_ENTRY = "libc_app_entry"
# With ept the kernel core runs in every VM: calls to these stay local.
REPLICATED = {"boot", "kernel", "mm", "sched", "time"}
# The scheduler hooks of the kernel core's copy of libc (libc/start.c).
LIBC_HOOKS = ("libc_thread_init", "libc_thread_fini", "libc_switch_to")


def exports(cfg):
    """{function: (compartment, library)} for every exported function:
    calls to these from another compartment go through gate stubs."""
    out = {}
    for c in cfg.compartments:
        for lib in c.libraries:
            for fn in read_api(lib):
                out[fn] = (c.name, lib)
    return out


def callbacks(cfg, comp):
    """Functions of `comp` other compartments only hold pointers to and
    call through gate_callback: declared callbacks, the app's entry and,
    in the kernel core, libc's scheduler hooks. References to them are
    not redirected, so the pointer is the function itself."""
    names = set()
    for lib in comp.libraries:
        names.update(read_api(lib, callbacks=True))
    if cfg.app in comp.libraries:
        names.add(APP_ENTRY)
    if "kernel" in comp.libraries:
        names.update(LIBC_HOOKS)
    return names


def entries(cfg, comp):
    """Functions of `comp` another compartment may enter."""
    names = set(callbacks(cfg, comp))
    for lib in comp.libraries:
        names.update(read_api(lib))
    return sorted(names)


# Full gates: key 14 holds the current thread's slot (gates/mpk/runtime.inc).
SLOT_KEY = 14


def pkru_of(comp, full=False, slot_write=False):
    """PKRU value of a compartment's domain: its key and the shared key 15;
    with full gates also key 14 read-only (and writable with slot_write)."""
    v = 0xFFFFFFFF & ~(3 << (2 * comp.pkey)) & ~(3 << 30)
    if full:
        v &= ~(1 << (2 * SLOT_KEY))          # AD clear: readable
        if slot_write:
            v &= ~(1 << (2 * SLOT_KEY + 1))  # WD clear: writable
    return v


def section(comp, kind, inputs):
    """One page-aligned output section of a compartment, with symbols."""
    sym = "__comp_%s_%s" % (comp, kind)
    return ("\t. = ALIGN(%d);\n"
            "\t.%s.comp_%s : {\n"
            "\t\t%s_start = .;\n"
            "\t\t%s\n"
            "\t\t. = ALIGN(%d);\n"
            "\t\t%s_end = .;\n"
            "\t}" % (PAGE, kind, comp, sym, inputs, PAGE, sym))


def linker_script(cfg):
    """The memory rules of this configuration's image."""
    names = [c.name for c in cfg.compartments]
    obj = lambda c: "*comp/%s.o" % c  # noqa: E731
    out = ["/* Generated by scripts/gen-image.py from %s: do not edit. */" % cfg.path,
           "OUTPUT_FORMAT(elf64-x86-64)",
           "ENTRY(boot_entry32)",
           "PHDRS",
           "{",
           "\ttext   PT_LOAD FLAGS(5);\t/* R X */",
           "\trodata PT_LOAD FLAGS(4);\t/* R   */",
           "\tdata   PT_LOAD FLAGS(6);\t/* RW  */",
           "}",
           "SECTIONS",
           "{",
           "\t. = 0x100000;",
           "\t__kernel_start = .;",
           "\t__load_start = .;",
           "\t/* The multiboot headers must open the file. */",
           "\t.boot : { KEEP(*(.boot.header)) *(.boot.text) } :text"]
    # A compartment's code is all its text: code it files under the gate
    # section's input name too, which only the gate object may fill.
    for c in names:
        out.append(section(c, "text", "%s(.text .text.* .gates.text)" % obj(c))
                   + " :text")
    out.append("\t. = ALIGN(%d);\n"
               "\t/* The only code allowed to write PKRU (scripts/scan-wrpkru.py). */\n"
               "\t.text.gates : {\n"
               "\t\t__gates_start = .;\n"
               "\t\tKEEP(*/gates.o(.gates.text))\n"
               "\t\t. = ALIGN(%d);\n"
               "\t\t__gates_end = .;\n"
               "\t} :text" % (PAGE, PAGE))
    out.append("\t. = ALIGN(%d);\n\t.text.common : {\n\t\t__common_text_start = .;\n"
               "\t\t*(.text .text.*)\n\t\t__common_text_end = .;\n\t} :text" % PAGE)
    out.append("\t. = ALIGN(%d);\n\t__text_end = .;" % PAGE)
    out.append("\t__rodata_start = .;")
    for c in names:
        out.append(section(c, "rodata", "%s(.rodata .rodata.*)" % obj(c)) + " :rodata")
    out.append("""\t. = ALIGN(%d);
\t.rodata.common : {
\t\t*(.rodata .rodata.*)
\t\t. = ALIGN(8);
\t\t__start_ktests = .;
\t\tKEEP(*(ktests))
\t\t__stop_ktests = .;
\t\t. = ALIGN(8);
\t\t__preinit_array_start = .;
\t\tKEEP(*(.preinit_array))
\t\t__preinit_array_end = .;
\t\t__init_array_start = .;
\t\tKEEP(*(SORT_BY_INIT_PRIORITY(.init_array.*)))
\t\tKEEP(*(.init_array .ctors))
\t\t__init_array_end = .;
\t\t__fini_array_start = .;
\t\tKEEP(*(SORT_BY_INIT_PRIORITY(.fini_array.*)))
\t\tKEEP(*(.fini_array .dtors))
\t\t__fini_array_end = .;
\t} :rodata
\t. = ALIGN(%d);
\t__rodata_end = .;""" % (PAGE, PAGE))
    out.append("""\t__data_start = .;
\t/* GDT, IDT and TSS: read by the CPU in every domain (key 15, read-only
\t * once set up). */
\t.cpu_tables : {
\t\t__cpu_tables_start = .;
\t\t*(.cpu_tables)
\t\t. = ALIGN(%d);
\t\t__cpu_tables_end = .;
\t} :data
\t/* Full gates: the current thread's slot; key 14, read-only to all. */
\t.gate_slot : {
\t\t__gate_slot_start = .;
\t\t*(.gate_slot)
\t\t. = ALIGN(%d);
\t\t__gate_slot_end = .;
\t} :data""" % (PAGE, PAGE))
    for c in names:
        out.append(section(c, "data", "%s(.data .data.*)" % obj(c)) + " :data")
    out.append("""\t. = ALIGN(%d);
\t.data.shared : {
\t\t__shared_start = .;
\t\t*(.shared.data)
\t\t*(.data .data.*)
\t\t. = ALIGN(%d);
\t\t__shared_end = .;
\t} :data
\t__load_end = .;
\t__bss_start = .;""" % (PAGE, PAGE))
    for c in names:
        out.append(section(c, "bss", "%s(.bss .bss.* COMMON)" % obj(c)) + " :data")
    out.append("""\t. = ALIGN(%d);
\t.bss.shared : {
\t\t__shared_bss_start = .;
\t\t*(.bss .bss.*)
\t\t*(COMMON)
\t\t. = ALIGN(%d);
\t\t__shared_bss_end = .;
\t} :data
\t__bss_end = .;
\t__kernel_end = .;
\t/DISCARD/ : {
\t\t*(.note .note.*)
\t\t*(.comment)
\t\t*(.eh_frame .eh_frame_hdr)
\t}
}""" % (PAGE, PAGE))
    out.append('ASSERT(__text_end %% %d == 0, "text must end on a page")' % PAGE)
    out.append('ASSERT(__rodata_end %% %d == 0, "rodata must end on a page")' % PAGE)
    out.append('ASSERT(__kernel_end < 0x40000000, "the image must fit below 1 GiB")')
    for kind in ("text", "rodata", "data", "bss"):
        for a, b in zip(names, names[1:]):
            out.append('ASSERT(__comp_%s_%s_end <= __comp_%s_%s_start, '
                       '"compartments %s and %s overlap in %s")'
                       % (a, kind, b, kind, a, b, kind))
    return "\n".join(out) + "\n"


def c_string(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def comp_table(cfg):
    """C source of the compartment table."""
    out = ["/* Generated by scripts/gen-image.py from %s: do not edit. */" % cfg.path,
           "#include <bulkhead/comp.h>", ""]
    for c in cfg.compartments:
        for kind in ("text", "rodata", "data", "bss"):
            out.append("extern char __comp_%s_%s_start[], __comp_%s_%s_end[];"
                       % (c.name, kind, c.name, kind))
    out.append("extern char __shared_start[], __shared_end[];")
    out.append("extern char __shared_bss_start[], __shared_bss_end[];")
    out.append("extern char __gates_start[], __gates_end[];")
    out.append("extern char __cpu_tables_start[], __cpu_tables_end[];")
    mpk = cfg.backend == "mpk"
    full = mpk and cfg.gate == "full"
    core = next(c for c in cfg.compartments if "kernel" in c.libraries)
    out.append("extern char __gate_slot_start[], __gate_slot_end[];")
    if mpk:
        out.append("typedef void *(*cb_stub)(void *(*)(void *), void *);")
        for a in cfg.compartments:
            for b in cfg.compartments:
                if a is not b:
                    out.append("void *__cb_%s__%s(void *(*)(void *), void *);" % (a.name, b.name))
        n = len(cfg.compartments)
        out.append("")
        out.append("/* Callback stubs by [caller][callee] compartment index. */")
        out.append("static const cb_stub cb_stubs[%d] = {" % (n * n))
        for a in cfg.compartments:
            for b in cfg.compartments:
                out.append("\t%s," % ("0" if a is b else "__cb_%s__%s" % (a.name, b.name)))
        out.append("};")
    out.append("")
    out.append("static const struct comp_desc comps[] = {")
    for c in cfg.compartments:
        rng = lambda k: "{ (uintptr_t)__comp_%s_%s_start, (uintptr_t)__comp_%s_%s_end }" % (  # noqa: E731
            c.name, k, c.name, k)
        out.append("\t{")
        out.append("\t\t.name = %s," % c_string(c.name))
        out.append("\t\t.index = %d," % c.index)
        out.append("\t\t.pkey = %d," % (c.pkey if c.pkey is not None else -1))
        out.append("\t\t.pkru = 0x%08x," % (pkru_of(c, full) if mpk else 0))
        out.append("\t\t.is_default = %d," % int(c.default))
        out.append("\t\t.runs_app = %d," % int(cfg.app in c.libraries))
        out.append("\t\t.libraries = %s," % c_string(" ".join(c.libraries + ["libc"])))
        out.append("\t\t.hardening = %s," % c_string(" ".join(c.hardening)))
        for kind in ("text", "rodata", "data", "bss"):
            out.append("\t\t.%s = %s," % (kind, rng(kind)))
        out.append("\t},")
    out.append("};")
    out.append("")
    out.append("const struct comp_config comp_config = {")
    out.append("\t.name = %s," % c_string(cfg.name))
    out.append("\t.backend = %s," % c_string(cfg.backend))
    out.append("\t.gate = %s," % c_string(cfg.gate))
    out.append("\t.app = %s," % c_string(cfg.app))
    out.append("\t.main_stack = %d," % MAIN_STACK)
    out.append("\t.count = %d," % len(cfg.compartments))
    out.append("\t.comps = comps,")
    out.append("\t.shared = { (uintptr_t)__shared_start, (uintptr_t)__shared_end },")
    out.append("\t.shared_bss = { (uintptr_t)__shared_bss_start, "
               "(uintptr_t)__shared_bss_end },")
    out.append("\t.gates = { (uintptr_t)__gates_start, (uintptr_t)__gates_end },")
    out.append("\t.cpu_tables = { (uintptr_t)__cpu_tables_start, "
               "(uintptr_t)__cpu_tables_end },")
    out.append("\t.mpk = %d," % int(mpk))
    out.append("\t.ept = %d," % int(cfg.backend == "ept"))
    out.append("\t.full_gates = %d," % int(full))
    out.append("\t.core_index = %d," % core.index)
    out.append("\t.gate_slot = { (uintptr_t)__gate_slot_start, "
               "(uintptr_t)__gate_slot_end },")
    out.append("\t.shared_pkey = %d," % (15 if mpk else 0))
    if mpk:
        out.append("\t.cb_stubs = cb_stubs,")
    out.append("};")
    return "\n".join(out) + "\n"


def keep_list(cfg, comp):
    """Global symbols compartment `comp` keeps: what others may enter."""
    keep = set(entries(cfg, comp))
    if "boot" in comp.libraries:
        keep.add("boot_entry32")  # the image's entry point
    if "kernel" in comp.libraries:
        keep.add("gate_violation")  # the gate runtime reports through it
    return "".join("%s\n" % s for s in sorted(keep))


def glue(cfg, comp):
    """C source linked into the compartment's own copy of libc."""
    out = ["/* Generated by scripts/gen-image.py from %s: do not edit. */" % cfg.path,
           "",
           "/* Protection key of this compartment's heap pages. */",
           "const int libc_pkey = %d;" % (comp.pkey if cfg.backend == "mpk" else 0),
           "",
           "/* Index of this compartment (its region in a full-gate stack slot). */",
           "const int libc_comp_index = %d;" % comp.index]
    if cfg.app in comp.libraries:
        out += ["",
                "void *libc_start_app(void *args);",
                "",
                "/* The application's main thread enters here (libc/start.c). */",
                "void *%s(void *args)" % APP_ENTRY,
                "{",
                "\treturn libc_start_app(args);",
                "}"]
    return "\n".join(out) + "\n"


def undefined(obj, weak=False):
    """Undefined symbols of an object file (with weak=True, weak ones too:
    libc's weak references to lwIP must reach it through a gate)."""
    nm = subprocess.run(["nm", "-u", obj], check=True, capture_output=True, text=True)
    out = []
    for line in nm.stdout.splitlines():
        kind, sym = line.split()[-2:]
        if kind != "w" or weak:
            out.append(sym)
    return out


def gates(cfg, out, objects):
    """The gate runtime and stubs, and each compartment's redefinitions."""
    exp = exports(cfg)
    by_name = {c.name: c for c in cfg.compartments}
    core = next(c for c in cfg.compartments if "kernel" in c.libraries)
    stubs, redefs = [], {c.name: [] for c in cfg.compartments}
    for obj in objects:
        comp = by_name[os.path.basename(obj)[:-len(".raw.o")]]
        for sym in sorted(set(undefined(obj, weak=True))):
            owner = exp.get(sym)
            if not owner or owner[0] == comp.name:
                continue
            if cfg.backend == "ept" and owner[1] in REPLICATED:
                continue    # the kernel core is in every VM: a local call
            stub = "__gate_%s__%s" % (comp.name, sym)
            redefs[comp.name].append("%s %s\n" % (sym, stub))
            stubs.append((stub, sym, comp, by_name[owner[0]]))
    for name, lines in redefs.items():
        write_if_changed(os.path.join(out, "comp", name + ".redef"),
                         "".join(lines) if cfg.backend in ("mpk", "ept") else "")
    if cfg.backend == "mpk":
        text = gates_mpk(cfg, core, stubs)
    elif cfg.backend == "ept":
        text = '; Generated by scripts/gen-image.py from %s: do not edit.\n' \
               '; Backend ept: gates are RPCs (gates_ept.c); this is the\n' \
               '; rest of the runtime, as for fcall.\n%%define EPT\n' \
               '%%include "fcall/gate.inc"\n' % cfg.path
        write_if_changed(os.path.join(out, "gates_ept.c"), gates_ept(cfg, stubs))
    else:
        text = gates_fcall(cfg)
    write_if_changed(os.path.join(out, "gates.asm"), text)


def gates_ept(cfg, stubs):
    """ept: a C stub per call into another VM, and every compartment's
    export table (the functions a mailbox may name, by index)."""
    out = ["/* Generated by scripts/gen-image.py from %s: do not edit. */" % cfg.path,
           '#include "ept.h"', ""]
    index = {}
    for c in cfg.compartments:
        fns = []
        for lib in c.libraries:
            if lib in REPLICATED:
                continue
            for fn, argc in sorted(read_api(lib).items()):
                fns.append((fn, argc))
        for i, (fn, argc) in enumerate(fns):
            index[fn] = (c.index, i, argc)
            out.append("long %s();" % fn)
        out.append("static const struct ept_export exports_%s[] = {" % c.name)
        for fn, argc in fns:
            out.append('\t{ (void *)%s, %d, "%s" },' % (fn, argc, fn))
        if not fns:
            out.append("\t{ 0, 0, 0 },")
        out.append("};")
        out.append("")
    out.append("const struct ept_table ept_tables[] = {")
    for c in cfg.compartments:
        n = sum(1 for v in index.values() if v[0] == c.index)
        out.append("\t{ exports_%s, %d }," % (c.name, n))
    out.append("};")
    out.append("")
    for stub, target, caller, callee in stubs:
        to, fn_index, argc = index[target]
        params = ", ".join("long a%d" % i for i in range(argc)) or "void"
        args = ", ".join(["a%d" % i for i in range(argc)] + ["0"] * (6 - argc))
        out.append("/* %s calls %s in %s's VM. */" % (caller.name, target, callee.name))
        out.append("long %s(%s)" % (stub, params))
        out.append("{")
        out.append("\treturn ept_call(%d, %d, %d, %s);" % (to, fn_index, argc, args))
        out.append("}")
        out.append("")
    return "\n".join(out) + "\n"


def gates_fcall(cfg):
    """fcall: no stubs (calls stay direct) and a runtime of no-ops."""
    return """; Generated by scripts/gen-image.py from %s: do not edit.
; Backend fcall: every gate is a direct call, so there are no stubs and
; the runtime (gates/gate.h) does nothing.
%%include "fcall/gate.inc"
""" % cfg.path


def gates_mpk(cfg, core, stubs):
    """mpk: PKRU values, one light gate per stub, the runtime."""
    full = cfg.gate == "full"
    out = ["; Generated by scripts/gen-image.py from %s: do not edit." % cfg.path,
           "; Backend mpk, gate %s." % cfg.gate,
           '%include "x86.inc"']
    if full:
        out.append("%define FULL_GATES")
    out += ['%include "mpk/gate.inc"', ""]
    for c in cfg.compartments:
        out.append("%%define PKRU_%s 0x%08x\t; key %d" % (c.name, pkru_of(c, full), c.pkey))
        out.append("extern __comp_%s_text_start, __comp_%s_text_end" % (c.name, c.name))
    out.append("%%define PKRU_CORE PKRU_%s" % core.name)
    if full:
        sched = next(c for c in cfg.compartments if "sched" in c.libraries)
        out.append("%%define PKRU_SCHED PKRU_%s" % sched.name)
        out.append("%%define PKRU_CORE_SLOTW 0x%08x" % pkru_of(core, True, True))
        out.append("%%define PKRU_SCHED_SLOTW 0x%08x" % pkru_of(sched, True, True))
    out.append("%macro CHECK_DOMAIN_EAX 0\t; eax must be one of the domains")
    for c in cfg.compartments:
        out.append("\tcmp eax, PKRU_%s" % c.name)
        out.append("\tje %%ok")
    out.append("\tcall gate_mpk_violation")
    out.append("%%ok:")
    out.append("%endmacro")
    out.append('%include "mpk/runtime.inc"')
    out.append("")
    targets = sorted({s[1] for s in stubs})
    for t in targets:
        out.append("extern %s" % t)
    for c in cfg.compartments:
        for e in entries(cfg, c):
            if e not in targets:
                out.append("extern %s" % e)
                targets.append(e)
    out.append("extern __common_text_start, __common_text_end")
    out.append("extern __gates_start, __gates_end")
    out.append("")
    out.append("section .gates.text")
    for stub, target, caller, callee in stubs:
        if full:
            out.append("GATE_FULL %s, %s, PKRU_%s, PKRU_%s, %d, %d"
                       % (stub, target, caller.name, callee.name, caller.index,
                          callee.index))
        else:
            out.append("GATE_LIGHT %s, %s, PKRU_%s, PKRU_%s, __comp_%s_text_start, "
                       "__comp_%s_text_end" % (stub, target, caller.name, callee.name,
                                               caller.name, caller.name))
    if any("victim" in c.libraries for c in cfg.compartments):
        # Test images only (they hold the test library): one checked
        # WRPKRU of the application's own domain, for make test-gates.
        app = next(c for c in cfg.compartments if cfg.app in c.libraries)
        out.append("global gate_bench_wrpkru")
        out.append("gate_bench_wrpkru:")
        out.append("\tSWITCH_PKRU PKRU_%s" % app.name)
        out.append("\tret")
    out.append("")
    out.append("; Entry checks for callbacks: ZF set if r10 is an entry of the compartment.")
    for c in cfg.compartments:
        out.append("__cb_check_%s:" % c.name)
        for e in entries(cfg, c):
            out.append("\tlea rax, [rel %s]" % e)
            out.append("\tcmp r10, rax")
            out.append("\tje .ok")
        out.append("\ttest rsp, rsp\t\t; not found: ZF clear")
        out.append(".ok:")
        out.append("\tret")
    for a in cfg.compartments:
        for b in cfg.compartments:
            if a is not b:
                if full:
                    out.append("GATE_CALLBACK_FULL __cb_%s__%s, PKRU_%s, PKRU_%s, "
                               "__cb_check_%s, %d, %d"
                               % (a.name, b.name, a.name, b.name, b.name, a.index, b.index))
                    continue
                # The stub returns to gate_callback, in the common text.
                out.append("GATE_CALLBACK __cb_%s__%s, PKRU_%s, PKRU_%s, __cb_check_%s, "
                           "__common_text_start, __common_text_end"
                           % (a.name, b.name, a.name, b.name, b.name))
    return "\n".join(out) + "\n"


def write_if_changed(path, text):
    """Write only when the content differs, so make sees no change."""
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def linker_defined(script):
    """Symbols the linker script defines (`NAME = .`)."""
    return set(re.findall(r"\b(__[A-Za-z0-9_]+)\s*=\s*\.", script))


def check(cfg, out, comp_name, obj):
    """Every undefined symbol must be another compartment's export."""
    comp = next(c for c in cfg.compartments if c.name == comp_name)
    exported = exports(cfg)
    for c in cfg.compartments:
        for cb in callbacks(cfg, c):
            exported[cb] = (c.name, "callback")
    with open(os.path.join(out, "kernel.ld")) as f:
        # Also what the generated objects outside compartments define.
        allowed = linker_defined(f.read()) | {"comp_config", "ksyms_table",
                                              "ksyms_count"} | GATE_RUNTIME
    nm = subprocess.run(["nm", "-u", obj], check=True, capture_output=True, text=True)
    errors = []
    for line in nm.stdout.splitlines():
        kind, sym = line.split()[-2:]
        if kind == "w" or sym in allowed:
            continue
        owner = exported.get(sym)
        if owner and owner[0] != comp.name:
            continue
        if owner:
            continue  # exported inside this compartment: resolved already
        errors.append("%s: compartment %s (%s) uses '%s', which no library of "
                      "another compartment exports in its .api file"
                      % (cfg.path, comp.name, " ".join(comp.libraries), sym))
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["layout", "check", "gates"])
    ap.add_argument("config")
    ap.add_argument("--libs", required=True)
    ap.add_argument("--apps", required=True)
    ap.add_argument("--optional-libs", default="")
    ap.add_argument("--out", required=True)
    ap.add_argument("--comp")
    ap.add_argument("--object")
    ap.add_argument("--objects", nargs="*")
    args = ap.parse_args()
    try:
        cfg = bulkhead_config.load(args.config, args.libs.split(), args.apps.split(),
                                   args.optional_libs.split())
    except bulkhead_config.ConfigError as e:
        print(str(e), file=sys.stderr)
        sys.exit(1)
    # Refuse what the build cannot honour yet rather than ignore it.
    unsupported = ["%s:%d: compartment %s asks for hardening %s, which this "
                   "build does not apply yet" % (cfg.path, c.line, c.name,
                                                 ", ".join(c.hardening))
                   for c in cfg.compartments if c.hardening]
    if cfg.backend == "ept":
        default = next(c for c in cfg.compartments if c.default)
        for lib in sorted(REPLICATED):
            c = next(c for c in cfg.compartments if lib in c.libraries)
            if c is not default:
                unsupported.append("%s:%d: with backend ept, %s runs in every VM "
                                   "and must stay in the default compartment"
                                   % (cfg.path, c.line, lib))
    if cfg.backend == "mpk" and cfg.gate == "full" and len(cfg.compartments) > 14:
        unsupported.append("%s:%d: full gates support at most 14 compartments: "
                           "key 14 holds the stack slot of the running thread"
                           % (cfg.path, cfg.compartments[14].line))
    if cfg.backend == "mpk":
        core = next(c for c in cfg.compartments if "kernel" in c.libraries)
        if not core.default:
            unsupported.append("%s:%d: with backend mpk the kernel core (boot, "
                               "kernel, mm) must be in the default compartment: "
                               "memory nobody owns yet (free pages, page tables) "
                               "has key 0, the default's" % (cfg.path, core.line))
    if unsupported:
        print("\n".join(unsupported), file=sys.stderr)
        sys.exit(1)
    if args.what == "check":
        check(cfg, args.out, args.comp, args.object)
        return
    if args.what == "gates":
        gates(cfg, args.out, args.objects)
        return
    write_if_changed(os.path.join(args.out, "kernel.ld"), linker_script(cfg))
    write_if_changed(os.path.join(args.out, "comp_table.c"), comp_table(cfg))
    for c in cfg.compartments:
        write_if_changed(os.path.join(args.out, "comp", c.name + ".keep"), keep_list(cfg, c))
        write_if_changed(os.path.join(args.out, "comp", c.name + ".glue.c"), glue(cfg, c))


if __name__ == "__main__":
    main()
