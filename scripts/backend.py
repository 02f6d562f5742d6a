"""The interface between the build and an isolation backend.

A backend is one folder, gates/<name>/, holding its NASM templates, its C
runtime, its make fragment (build.mk) and a module backend.py that defines
BACKEND, an instance of a subclass of Backend below. The configuration
tool (bulkhead_config.py) reads the backend's rules from it; the image
generator (gen-image.py) asks it for the gate code. Nothing outside the
folder names a backend, except the one line that registers it
(bulkhead_config.BACKENDS). docs/design.md, "Adding a backend", walks
through it.

The defaults here describe the simplest backend: one domain, every gate a
direct call (that is what gates/fcall/ is).
"""
import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def header_defines(path):
    """{NAME: int} of the `#define NAME number` lines of a C header, so the
    build's Python reads the constants the C code uses from one place."""
    out = {}
    with open(os.path.join(ROOT, path)) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "#define":
                try:
                    out[parts[1]] = int(parts[2], 0)
                except ValueError:
                    pass
    return out


# The registers of the first six integer arguments (System V AMD64).
ARGUMENT_REGISTERS = ("rdi", "rsi", "rdx", "rcx", "r8", "r9")


def vouched_register(cfg, stub):
    """The register of the stub's target's last argument if its API file
    marks it `caller` (the gate fills in the caller's index), else None."""
    api = cfg.api(stub.lib)
    if stub.target not in api.vouched:
        return None
    return ARGUMENT_REGISTERS[api.functions[stub.target] - 1]


# Argument kinds a gate checks (bulkhead_config.Arg), and their C names.
CHECKED_KINDS = ("in", "out", "inout", "str", "fn")
ARG_KIND_C = {
    "val": "GATE_ARG_VAL",
    "addr": "GATE_ARG_ADDR",
    "handle": "GATE_ARG_HANDLE",
    "in": "GATE_ARG_IN",
    "out": "GATE_ARG_OUT",
    "inout": "GATE_ARG_INOUT",
    "str": "GATE_ARG_STR",
    "fn": "GATE_ARG_FN",
    "caller": "GATE_ARG_CALLER",
}


def contract(cfg, stub):
    """The argument contracts of the stub's target (without `...`)."""
    return [a for a in cfg.api(stub.lib).contracts[stub.target] if not a.variadic]


def check_sites(cfg, stubs):
    """The stubs whose target has an argument to check, in order: index i
    is gate_checks[i]."""
    return [s for s in stubs if any(a.kind in CHECKED_KINDS for a in contract(cfg, s))]


def checked_name(stub):
    """The trampoline that checks the stub's arguments, then jumps to its
    target (the backend's assembly)."""
    return "__chk_" + stub.name


def checker_name(stub):
    """The C function that checks the stub's arguments: 0 if they keep
    the contract, -EFAULT if not and the contract says efault."""
    return "__chkc_" + stub.name


def arg_c(a):
    flags = []
    if a.null_ok:
        flags.append("GATE_ARG_NULL_OK")
    if a.length_at:
        flags.append("GATE_ARG_LEN_AT")
    return "{ %s, %s, %d, %d, %d }" % (
        ARG_KIND_C[a.kind],
        " | ".join(flags) or "0",
        a.length,
        a.scale,
        a.size,
    )


def callback_names(cfg):
    """What a `fn` argument may be: a declared callback of any compartment
    (the core starts threads at the application's entry); gate_callback
    checks again, when it is called, that it is one of its own
    compartment's."""
    return sorted({n for c in cfg.compartments for n in cfg.callbacks(c)})


def contract_c(name, args):
    """A C array `name` of struct gate_arg: the contracts args."""
    out = ["static const struct gate_arg %s[] = {" % name]
    out += ["\t%s, /* %s */" % (arg_c(a), a) for a in args]
    out.append("};")
    return out


def check_entry_c(cfg, caller, callee, target, lib):
    """gate_checks[]'s entry (struct gate_check) for calls from compartment
    `caller` to `target` of library `lib` in compartment `callee`."""
    api = cfg.api(lib)
    return '\t{ "%s", "%s", "%s", "%s", %d },' % (
        caller.name,
        callee.name,
        target,
        ", ".join(str(a) for a in api.contracts[target]),
        target in api.efault or cfg.app == cfg.fuzz_app,
    )


def checks_c(cfg, stubs, report):
    """C source of the argument checks (gates/args.c) of every checked
    stub: its contract, its checker (checker_name) and the table
    gate_checks[] the kernel core reports from. The checker runs in the
    callee's domain: report(comp) names the refusal-report function for
    a callee compartment's domain."""
    sites = check_sites(cfg, stubs)
    out = ['#include "args.h"', ""]
    for c in cfg.compartments:
        if any(s.callee is c for s in sites):
            out.append("long %s(unsigned, unsigned, uintptr_t, uint64_t, unsigned);" % report(c))
    cb_names = callback_names(cfg)
    out += ["extern char %s[];" % n for n in cb_names]
    out.append("static const uintptr_t callbacks[] __attribute__((unused)) = {")
    out += ["\t(uintptr_t)%s," % n for n in cb_names] or ["\t0,"]
    out.append("};")
    out.append("")
    table = []
    for i, s in enumerate(sites):
        args = contract(cfg, s)
        n = len(args)
        out += contract_c("contract_%d" % i, args)
        out.append(
            "static const struct gate_site site_%d = { %d, %d, contract_%d, callbacks, %d, %s };"
            % (i, i, n, i, len(cb_names), report(s.callee))
        )
        params = ", ".join("long a%d" % k for k in range(1, n + 1))
        names = ", ".join("a%d" % k for k in range(1, n + 1))
        out.append("/* %s calls %s in %s. */" % (s.caller.name, s.target, s.callee.name))
        out.append("long %s(%s)" % (checker_name(s), params))
        out.append("{")
        out.append("\tconst long args[] = { %s };" % names)
        out.append("")
        out.append("\treturn gate_check_args(&site_%d, args);" % i)
        out.append("}")
        out.append("")
        table.append(check_entry_c(cfg, s.caller, s.callee, s.target, s.lib))
    out.append("const struct gate_check gate_checks[] = {")
    out += table or ['\t{ "", "", "", "", 0 },']
    out.append("};")
    out.append("const unsigned gate_check_count = %d;" % len(table))
    return "\n".join(out) + "\n"


def no_checks_c():
    """The empty table of a backend that checks no arguments."""
    return (
        "#include <bulkhead/gate.h>\n"
        'const struct gate_check gate_checks[] = { { "", "", "", "", 0 } };\n'
        "const unsigned gate_check_count = 0;\n"
    )


class Stub:
    """One gate stub: compartment `caller` calls `target`, exported by
    library `lib` of compartment `callee`; the stub is named `name`."""

    def __init__(self, name, target, caller, callee, lib):
        self.name, self.target = name, target
        self.caller, self.callee, self.lib = caller, callee, lib


class Backend:
    """What a backend tells the build. Override what differs."""

    # Its name, as configurations write it (backend = "...").
    name = None
    # At most this many compartments, and why (quoted in the error).
    max_compartments = 64
    max_reason = "compartment ids are tracked in a 64-bit mask"
    # Values of the configuration's `gate` key it offers; the first is the
    # default. A backend with a single kind has nothing to choose.
    gate_kinds = ("light",)
    # {gate kind: (at most this many compartments, why)} where a gate kind
    # lowers the limit.
    gate_limits = {}
    # Libraries that must be in the default compartment, and why: "core"
    # for the kernel core (boot, kernel, mm), "kernel" for every kernel
    # library (bulkhead_config.KERNEL_LIBS), None for no rule.
    default_holds = None
    default_reason = ""
    # Compartments get protection keys: 0 for the default, 1.. for others.
    uses_pkeys = False
    # Properties the kernel reads from the compartment table
    # (include/bulkhead/comp.h, COMP_*): "keys" (pages carry protection
    # keys), "vms" (one VM per compartment), "private_stacks" (each
    # compartment runs on a stack of its own).
    features = ()
    # Libraries of gates/<name>/ (declared in its build.mk) linked into the
    # kernel core's compartment: its boot-time set-up, private to the core.
    core_libs = ()

    def features_for(self, gate):
        """The features with gate kind `gate` (a gate kind may add some)."""
        return self.features

    def pkru(self, cfg, comp):
        """PKRU value of a compartment's domain (0 without keys)."""
        return 0

    def redirects(self, cfg, lib):
        """Whether calls into library `lib` from another compartment go
        through a gate stub (False: they stay direct calls)."""
        return False

    def gates_asm(self, cfg, stubs):
        """NASM source of build/<config>/gates.asm: the gate runtime
        (include/bulkhead/gate.h) and the stubs."""
        return (
            "; Generated by scripts/gen-image.py from %s: do not edit.\n"
            '%%include "%s/gate.inc"\n' % (cfg.path, self.name)
        )

    def gates_c(self, cfg, stubs):
        """C source of build/<config>/gates.c, compiled with
        -Igates/<name>: what the backend generates in C (tables, stubs)."""
        return (
            "/* Generated by scripts/gen-image.py from %s: do not edit. */\n"
            "/* Backend %s checks no arguments. */\n%s" % (cfg.path, self.name, no_checks_c())
        )


def load(name):
    """The Backend instance of gates/<name>/backend.py."""
    path = os.path.join(ROOT, "gates", name, "backend.py")
    spec = importlib.util.spec_from_file_location("backend_" + name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.BACKEND
