#!/usr/bin/env python3
"""Generate what one configuration's image is linked from, and check it.

    gen-image.py layout CONFIG --apps "..." --out DIR
        DIR/kernel.ld          linker script, from linker/image.ld.in
        DIR/comp_table.c       the compartment table boot reads
        DIR/comp/NAME.keep     global symbols compartment NAME keeps: the
                               functions its libraries export (*.api)
        DIR/comp/NAME.glue.c   per-compartment constants of its libc copy
                               (scripts/layout.py writes these four)
    gen-image.py check CONFIG ... --comp NAME --object RAW.o
        fails, naming the symbol and the libraries involved, when the
        compartment refers to something no other compartment exports, or
        calls a function its API file does not let this compartment call.
    gen-image.py gates CONFIG ... --objects RAW.o...
        DIR/gates.asm, DIR/gates.c
                               the backend's gate runtime and stubs
        DIR/imports.txt        every cross-compartment call of the image,
                               one line CALLER CALLEE-COMPARTMENT FUNCTION:
                               its audited attack surface
        DIR/comp/NAME.redef    objcopy --redefine-syms list that sends the
                               compartment's calls to other compartments
                               through its stubs (empty when they stay
                               direct calls)

Each compartment is linked as one relocatable object (its libraries plus a
private copy of libc); every global symbol not in its keep list is made
local, so the only ways into a compartment are the functions its
libraries declare in their API files. What differs between backends is
asked of the backend (gates/<name>/backend.py, scripts/backend.py); the
rules of a valid configuration are bulkhead_config.py's.
"""
import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import backend  # noqa: E402
import bulkhead_config  # noqa: E402
import layout  # noqa: E402
import prototypes  # noqa: E402
from bulkhead_config import write_if_changed  # noqa: E402

# The gate runtime (include/bulkhead/gate.h): only the kernel core and the
# scheduler may refer to it (weak references aside: a test image's bench
# may look for a gate). The generated tables outside every compartment:
# anyone may.
GATE_RUNTIME = {
    "gate_callback",
    "gate_set_slot",
    "gate_slot",
    "gate_vm_init",
    "gate_vm_setup_done",
    "gate_thread_exit",
    "gate_shared_pages",
    "gate_trap_enter",
    "gate_trap_exit",
    "gate_pkru_read",
    "gate_pkru_restore",
    "gate_enter_core",
    "gate_protect",
    "gate_bench_wrpkru",
}
RUNTIME_CALLERS = {"core", "sched"}
TABLES = {
    "comp_config",
    "ksyms_table",
    "ksyms_count",
    "gate_checks",
    "gate_check_count",
    "harden_state",
}


def undefined(obj):
    """(kind, symbol) of each undefined symbol of an object file; kind "w"
    is a weak reference (libc's to lwIP, which must reach it by a gate)."""
    nm = subprocess.run(["nm", "-u", obj], check=True, capture_output=True, text=True)
    return [tuple(line.split()[-2:]) for line in nm.stdout.splitlines()]


def gates(cfg, out, objects):
    """The gate runtime and stubs, and each compartment's redefinitions."""
    exp = cfg.exports()
    by_name = {c.name: c for c in cfg.compartments}
    stubs, redefs = [], {c.name: [] for c in cfg.compartments}
    imports = []
    for obj in objects:
        comp = by_name[os.path.basename(obj)[: -len(".raw.o")]]
        for sym in sorted({s for _, s in undefined(obj)}):
            owner = exp.get(sym)
            if not owner or owner[0] is comp:
                continue
            imports.append("%s %s %s\n" % (comp.name, owner[0].name, sym))
            if not cfg.impl.redirects(cfg, owner[1]):
                continue
            stub = backend.Stub("__gate_%s__%s" % (comp.name, sym), sym, comp, owner[0], owner[1])
            redefs[comp.name].append("%s %s\n" % (sym, stub.name))
            stubs.append(stub)
    for name, lines in redefs.items():
        write_if_changed(os.path.join(out, "comp", name + ".redef"), "".join(lines))
    write_if_changed(os.path.join(out, "imports.txt"), "".join(sorted(imports)))
    write_if_changed(os.path.join(out, "gates.asm"), cfg.impl.gates_asm(cfg, stubs))
    write_if_changed(os.path.join(out, "gates.c"), cfg.impl.gates_c(cfg, stubs))


def check_prototypes(cfg, libdir):
    """Each function and callback an API file declares must be defined, with
    debug information, in its library's object, taking the arguments its
    contract lists (count, and pointer or not)."""
    errors = []
    for comp in cfg.compartments:
        # A hardened compartment's libraries are its tag's (Makefile).
        tag = bulkhead_config.hardening_tag(comp.hardening)
        where = os.path.join(os.path.dirname(libdir), "harden", tag, "lib") if tag else libdir
        for lib in comp.libraries:
            api = cfg.api(lib)
            protos = prototypes.read(os.path.join(where, lib + ".o"), set(api.contracts))
            main = protos.get("main")
            if api.default and main and not main.variadic and main.registers == 0:
                # An app without an API file whose main is main(void):
                # the default contract fits it (libc's start-up code passes
                # argc and argv all the same, which such a main ignores).
                api.contracts["main"], api.functions["main"] = (), 0
            for name, args in sorted(api.contracts.items()):
                path, line = api.lines[name]
                if name not in protos:
                    errors.append(
                        "%s:%d: %s is not defined in library %s (no C definition with "
                        "debug information)" % (path, line, name, lib)
                    )
                    continue
                why = prototypes.mismatch(protos[name], args)
                if why:
                    errors.append("%s:%d: %s %s" % (path, line, name, why))
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)


def check(cfg, out, comp_name, obj):
    """Every undefined symbol must be another compartment's export that
    this compartment may call, a callback, or the runtime's."""
    comp = next(c for c in cfg.compartments if c.name == comp_name)
    exports = cfg.exports()
    exported = {fn: owner[0] for fn, owner in exports.items()}
    for c in cfg.compartments:
        for cb in cfg.callbacks(c):
            exported[cb] = c
    with open(os.path.join(out, "kernel.ld")) as f:
        # Also what the linker script defines (`__NAME = .`).
        allowed = set(re.findall(r"\b(__[A-Za-z0-9_]+)\s*=\s*\.", f.read())) | TABLES
    if cfg.caller_words(comp) & RUNTIME_CALLERS:
        allowed |= GATE_RUNTIME
    errors = []
    for kind, sym in undefined(obj):
        if sym in exports and exports[sym][0] is not comp:
            callee, lib = exports[sym]
            ok, why = cfg.may_call(comp, lib, sym)
            if not ok:
                errors.append(
                    "%s: compartment %s may not call %s (%s; library %s in "
                    "compartment %s, %s)"
                    % (cfg.path, comp.name, sym, why, lib, callee.name, cfg.api(lib).path)
                )
            continue
        if kind == "w" or sym in allowed or sym in exported:
            continue
        if sym in GATE_RUNTIME:
            errors.append(
                "%s: compartment %s may not call %s (gate runtime: core and sched "
                "only)" % (cfg.path, comp.name, sym)
            )
            continue
        errors.append(
            "%s: compartment %s (%s) uses '%s', which no library of "
            "another compartment exports in its .api file"
            % (cfg.path, comp.name, " ".join(comp.libraries), sym)
        )
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["layout", "check", "gates"])
    ap.add_argument("config")
    ap.add_argument(
        "--libs", default=" ".join(bulkhead_config.KERNEL_LIBS + bulkhead_config.FS_LIBS)
    )
    ap.add_argument("--apps", required=True)
    ap.add_argument("--optional-libs", default="")
    ap.add_argument("--out", required=True)
    ap.add_argument("--comp")
    ap.add_argument("--object")
    ap.add_argument("--objects", nargs="*")
    args = ap.parse_args()
    try:
        cfg = bulkhead_config.load(
            args.config, args.libs.split(), args.apps.split(), args.optional_libs.split()
        )
        if args.what == "check":
            check(cfg, args.out, args.comp, args.object)
        elif args.what == "gates":
            check_prototypes(cfg, os.path.join(os.path.dirname(args.out.rstrip("/")), "lib"))
            gates(cfg, args.out, args.objects)
        else:
            write_if_changed(os.path.join(args.out, "kernel.ld"), layout.linker_script(cfg))
            write_if_changed(os.path.join(args.out, "comp_table.c"), layout.comp_table(cfg))
            for c in cfg.compartments:
                write_if_changed(
                    os.path.join(args.out, "comp", c.name + ".keep"), layout.keep_list(cfg, c)
                )
                write_if_changed(
                    os.path.join(args.out, "comp", c.name + ".glue.c"), layout.glue(cfg, c)
                )
    except bulkhead_config.ConfigError as e:
        print(str(e), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
