"""The C prototypes of a library's functions, read from its debug information.

The build compares each function an API file declares with its definition
(bulkhead_config.py's contracts): the argument count, and which arguments
are pointers. The definitions are read from the DWARF of the library's
relocatable object (build/lib/<lib>.o, compiled with -g), so the check
needs no header and sees what was really compiled.
"""
import re
import subprocess

DIE = re.compile(r"^ <(\d+)><([0-9a-f]+)>: Abbrev Number: \d+ \((DW_TAG_\w+)\)")
ATTR = re.compile(r"^\s+<[0-9a-f]+>\s+(DW_AT_\w+)\s*:\s*(.*)$")
REF = re.compile(r"<0x([0-9a-f]+)>")


class Param:
    """One parameter as the caller passes it: `regs` integer registers
    (0 for what the ABI passes otherwise), and whether it is a pointer."""

    def __init__(self, name, regs, pointer):
        self.name, self.regs, self.pointer = name, regs, pointer


class Prototype:
    def __init__(self, name, params, variadic):
        self.name, self.params, self.variadic = name, params, variadic

    @property
    def registers(self):
        return sum(p.regs for p in self.params)


def _dies(text):
    """(depth, offset, tag, {attribute: value}) of every DIE, in order."""
    out = []
    for line in text.splitlines():
        m = DIE.match(line)
        if m:
            out.append((int(m.group(1)), int(m.group(2), 16), m.group(3), {}))
            continue
        m = ATTR.match(line)
        if m and out:
            out[-1][3][m.group(1)] = m.group(2).strip()
    return out


def _name(attrs):
    v = attrs.get("DW_AT_name", "")
    return v.rsplit(": ", 1)[-1] if v.startswith("(indirect") else v


def _ref(attrs, key="DW_AT_type"):
    m = REF.search(attrs.get(key, ""))
    return int(m.group(1), 16) if m else None


def read(obj, names):
    """{name: Prototype} for each of `names` defined (or, written in
    assembly, declared) in object `obj`."""
    text = subprocess.run(
        ["objdump", "--dwarf=info", obj], check=True, capture_output=True, text=True
    ).stdout
    dies = _dies(text)
    by_offset = {d[1]: d for d in dies}

    def classify(ref, seen=0):
        """(integer registers, is a pointer) of a value of type `ref`."""
        d = by_offset.get(ref)
        if d is None or seen > 16:
            return 0, False
        tag, attrs = d[2], d[3]
        if tag in ("DW_TAG_pointer_type", "DW_TAG_array_type", "DW_TAG_subroutine_type"):
            return 1, True
        if tag in ("DW_TAG_typedef", "DW_TAG_const_type", "DW_TAG_volatile_type"):
            return classify(_ref(attrs), seen + 1)
        if tag in ("DW_TAG_restrict_type", "DW_TAG_atomic_type"):
            return classify(_ref(attrs), seen + 1)
        size = int(attrs.get("DW_AT_byte_size", "8"), 0)
        if tag in ("DW_TAG_structure_type", "DW_TAG_union_type"):
            return (1 if size <= 8 else 2 if size <= 16 else 0), False
        if "float" in attrs.get("DW_AT_encoding", ""):
            return 0, False
        return 1, False

    # Definitions first; then, for functions written in assembly, the
    # declaration a C file of the library saw.
    found = {}
    order = [i for i, d in enumerate(dies) if "DW_AT_declaration" not in d[3]]
    order += [i for i, d in enumerate(dies) if "DW_AT_declaration" in d[3]]
    for i in order:
        depth, off, tag, attrs = dies[i]
        if tag != "DW_TAG_subprogram":
            continue
        name = _name(attrs)
        if name not in names or name in found:
            continue
        params, variadic = [], False
        for d2, _, t2, a2 in dies[i + 1 :]:
            if d2 <= depth:
                break
            if d2 != depth + 1:
                continue
            if t2 == "DW_TAG_formal_parameter":
                regs, ptr = classify(_ref(a2))
                params.append(Param(_name(a2), regs, ptr))
            elif t2 == "DW_TAG_unspecified_parameters":
                variadic = True
        found[name] = Prototype(name, params, variadic)
    return found


def mismatch(proto, args):
    """What is wrong between a definition and an API contract (a list of
    bulkhead_config.Arg), or None."""
    fixed = [a for a in args if not a.variadic]
    if proto.variadic != (len(fixed) != len(args)):
        return "is %svariadic in C but its contract says %s" % (
            "" if proto.variadic else "not ",
            "otherwise" if proto.variadic else "`...`",
        )
    if proto.registers != len(fixed):
        return "takes %d argument registers in C (%s) but its contract lists %d" % (
            proto.registers,
            ", ".join(p.name for p in proto.params) or "none",
            len(fixed),
        )
    n = 0
    for p in proto.params:
        for _ in range(p.regs):
            a = fixed[n]
            n += 1
            if a.pointer and not p.pointer:
                return "argument %d (%s) is %s in its contract but not a pointer in C" % (
                    n,
                    p.name,
                    a,
                )
            if a.kind in ("val", "caller") and p.pointer:
                return "argument %d (%s) is a pointer in C but `%s` in its contract" % (
                    n,
                    p.name,
                    a,
                )
    return None
