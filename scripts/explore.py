#!/usr/bin/env python3
"""The explorer: the safest configurations of an application within a
performance budget.

Configurations form a partial order by safety. Configuration A is at most
as safe as B (A <= B) when

  - B's compartments refine A's: every compartment of B lies inside one
    of A's (B separates at least what A separates);
  - B's backend is at least as strong: fcall < mpk light < mpk full < ept;
  - B's hardening is a superset of A's, library by library (a library
    takes the options of the compartment it is in).

Under fcall compartments isolate nothing, so an fcall configuration counts
as one compartment in the order (its compartments only carry different
hardening). Given a benchmark and a budget on one of its metrics, the
explorer returns the maximal configurations that meet the budget.

It measures few of them: performance is presumed monotone along the order
(a configuration that misses the budget makes every safer one miss, one
that meets it makes every less safe one meet), so each measurement settles
a whole up-set or down-set; the next to measure is the unsettled one that
splits the unsettled rest most evenly.

Live mode (make explore APP=httpd BUDGET=requests_per_s=3000):

    explore.py configs/explore/APP.toml --budget METRIC=VALUE \\
        --apps "..." [--optional-libs "..."] [--out build/explore/APP]

reads the application's space (the spec, below), generates each
configuration as a file in the format of configs/*.toml, skips the invalid
ones with the reason scripts/bulkhead_config.py gives, builds and measures
what the search asks for with the application's benchmark (each QEMU run
under /tmp/bulkhead-qemu.lock, taken here: do not run this under that
lock), caches each measurement by the configuration's hash under OUT/cache
with the hash of the image it measured (an interrupted run resumes; one
whose image has changed since, the sources having changed, is measured
again), and writes OUT/chosen/*.toml (usable with
make run CONFIG=), OUT/table.txt and OUT/poset.{dot,svg,png}: measured
nodes coloured by their figure, unmeasured ones hatched (striped), chosen
ones starred. A configuration whose build or run fails is skipped with
its reason and settles nothing.

Offline mode, on FlexOS's published Redis results:

    explore.py --from-flexos DIR --budget GET=500000 [--order flexos|full]

reads DIR/perm-redis.csv (one row per permutation: each library's
compartment and whether it is hardened) and DIR/redis.csv (GET and SET per
permutation and iteration) and prints the chosen configurations, one per
line, as node names: for Redis, newlib, the scheduler and lwIP the letter
R, N, S or L, the library's compartment renumbered by first appearance
(symmetric layouts share a name) and H if hardened, e.g. R1HN1S1HL2H.
Permutations sharing a name pool their results (the median is used).
`--order full` (the default) is the order above; `--order flexos` is the
order of FlexOS's paper: refinement only between unhardened
configurations, hardening inclusion only within one layout. The counts go
to stderr.

Spec (configs/explore/APP.toml)::

    description = "..."        # optional
    app = "httpd"              # the configurations' application
    benchmark = "wrk"          # wrk (metric requests_per_s, higher is
                               #   better), speedtest1 (seconds, lower)
                               #   or redis-benchmark (GET: GET/s, higher)
    backends = ["fcall", "mpk-light", "mpk-full", "ept"]
    hardening = ["stack-protector"]   # options any compartment may take
    files = "apps/x/root"      # optional, as in a configuration; so are
    args = "-- /x.conf"        #   args, memory and main_stack, each
    memory = "1G"              #   passed on to every configuration
    [split]                    # what may leave the kernel's compartment:
    net = ["lwip", "virtio"]   #   a name and the libraries that move
    app = ["httpd"]            #   together
    [bench]                    # the benchmark's settings (optional):
    seconds = 5                #   wrk: seconds a run; speedtest1: size;
                               #   redis-benchmark: requests
    runs = 1                   #   the median of this many runs
"""

import argparse
import csv
import dataclasses
import fcntl
import hashlib
import html
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import tomllib

import bulkhead_config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOCK = "/tmp/bulkhead-qemu.lock"

# The backends of a spec, weakest first: (name in a spec, backend, gate).
BACKENDS = (
    ("fcall", "fcall", None),
    ("mpk-light", "mpk", "light"),
    ("mpk-full", "mpk", "full"),
    ("ept", "ept", None),
)
STRENGTH = {name: i for i, (name, _, _) in enumerate(BACKENDS)}
# Each metric, and whether more of it is better.
METRICS = {"requests_per_s": True, "seconds": False, "GET": True, "SET": True}
# The benchmarks, the metric each gives, and its settings' defaults.
BENCHMARKS = {
    "wrk": ("requests_per_s", {"seconds": 5, "runs": 1}),
    "speedtest1": ("seconds", {"size": 10, "runs": 1}),
    "redis-benchmark": ("GET", {"requests": 100000, "runs": 1}),
}
# Keys a spec passes on, as they are, to every configuration it makes.
CONFIG_KEYS = ("files", "args", "memory", "main_stack")
SPEC_KEYS = ("description", "app", "benchmark", "backends", "hardening", "split", "bench")
SPEC_KEYS += CONFIG_KEYS
# The unit that always exists: the kernel core, in the default compartment.
CORE = "core"


class ExploreError(Exception):
    """Bad input: the message names what was wrong and where."""


# --- configurations and the order ---------------------------------------------
@dataclasses.dataclass(frozen=True)
class Node:
    """One configuration as the order sees it: its isolation blocks (a
    partition of the units, one block under fcall), its backend's
    strength, and its hardening as (unit, option) pairs."""

    blocks: frozenset
    strength: int
    hard: frozenset

    def layout(self):
        return (self.blocks, self.strength)


def refines(fine, coarse):
    """Does partition `fine` refine partition `coarse` (each block of
    fine inside one of coarse)?"""
    return all(any(b <= c for c in coarse) for b in fine)


def full_leq(a, b):
    """Bulkhead's order: a <= b when b refines a's compartments, has a
    backend at least as strong and a superset of a's hardening."""
    return refines(b.blocks, a.blocks) and a.strength <= b.strength and a.hard <= b.hard


def flexos_step(a, b):
    """The generating relation of FlexOS's order: hardening inclusion
    within one layout, refinement between unhardened configurations."""
    if a.layout() == b.layout():
        return a.hard <= b.hard
    return not a.hard and not b.hard and full_leq(a, b)


ORDERS = ("full", "flexos")


def order_sets(nodes, order):
    """up[i]: the bitset (an int) of the nodes j with nodes[i] <= nodes[j],
    i itself included, for order "full" or "flexos" (the transitive
    closure of flexos_step)."""
    n = len(nodes)
    if order == "full":
        return [sum(1 << j for j in range(n) if full_leq(nodes[i], nodes[j])) for i in range(n)]
    if order != "flexos":
        raise ExploreError("unknown order %r: %s" % (order, " or ".join(ORDERS)))
    up = [sum(1 << j for j in range(n) if flexos_step(nodes[i], nodes[j])) for i in range(n)]
    # Transitive closure (Warshall, a row at a time on bitsets).
    for k in range(n):
        bit = 1 << k
        for i in range(n):
            if up[i] & bit:
                up[i] |= up[k]
    return up


def down_sets(up):
    """The transpose of up: down[j] holds i when i <= j."""
    down = [0] * len(up)
    for i, u in enumerate(up):
        for j in bits(u):
            down[j] |= 1 << i
    return down


def bits(x):
    """The indices of the set bits of x, lowest first."""
    out = []
    while x:
        low = x & -x
        out.append(low.bit_length() - 1)
        x ^= low
    return out


def covers(up):
    """The covering edges (i, j): i < j with nothing strictly between,
    i.e. the transitive reduction of the order."""
    edges = []
    for i, u in enumerate(up):
        above = u & ~(1 << i)
        # Those above something strictly above i are not covers.
        indirect = 0
        for k in bits(above):
            indirect |= up[k] & ~(1 << k)
        edges += [(i, j) for j in bits(above & ~indirect)]
    return edges


def maximal(up, members):
    """The maximal elements of the bitset `members`."""
    return [i for i in bits(members) if not (up[i] & members & ~(1 << i))]


# --- the search ---------------------------------------------------------------
MEETS, MISSES, UNKNOWN, SKIPPED = "meets", "misses", "unknown", "skipped"


class Search:
    """Settle every node as meeting or missing the budget with as few
    measurements as monotonicity allows. `measure(i)` returns True (meets),
    False (misses) or None (the node cannot be measured: skipped)."""

    def __init__(self, up):
        self.up = up
        self.down = down_sets(up)
        self.n = len(up)
        self.status = [UNKNOWN] * self.n
        self.measured = []  # in order
        self.unknown = (1 << self.n) - 1

    def skip(self, i):
        """Take node i out of the search (invalid before any measurement)."""
        self.status[i] = SKIPPED
        self.unknown &= ~(1 << i)

    def next(self):
        """The unsettled node whose answer settles most in the worse case:
        the one maximising min(unsettled at or below, unsettled at or
        above); ties go to the larger sum, then to the lower index."""
        best, key = None, None
        for i in bits(self.unknown):
            below = (self.down[i] & self.unknown).bit_count()
            above = (self.up[i] & self.unknown).bit_count()
            k = (min(below, above), below + above)
            if key is None or k > key:
                best, key = i, k
        return best

    def record(self, i, ok):
        """Node i measured: ok True/False, None for skipped."""
        self.measured.append(i)
        if ok is None:
            self.skip(i)
            return
        span = self.down[i] if ok else self.up[i]
        for j in bits(span & self.unknown):
            self.status[j] = MEETS if ok else MISSES
        self.unknown &= ~span

    def clone(self):
        other = Search.__new__(Search)
        other.__dict__.update(self.__dict__)
        other.status = list(self.status)
        other.measured = list(self.measured)
        return other

    def ahead(self, depth, known):
        """The nodes the search may ask for in its next `depth` steps (None:
        all of them), nearest first, each once, whichever way each answer
        goes; known(i) is True/False for a node whose answer is already
        known (None otherwise), which then takes one way only. States
        with the same unsettled set ask the same next node: kept once."""
        states, seen, level = [self], set(), 0
        while states and (depth is None or level <= depth):
            following = {}
            for s in states:
                if not s.unknown:
                    continue
                i = s.next()
                k = known(i)
                if k is None and s is not self and i not in seen:
                    seen.add(i)
                    yield i
                for ok in (True, False) if k is None else (k,):
                    t = s.clone()
                    t.record(i, ok)
                    following.setdefault(t.unknown, t)
            states = list(following.values())
            level += 1

    def run(self, measure):
        while self.unknown:
            i = self.next()
            self.record(i, measure(i))
        return self.chosen()

    def meeting(self):
        return sum(1 << i for i in range(self.n) if self.status[i] == MEETS)

    def chosen(self):
        return maximal(self.up, self.meeting())


def parse_budget(text):
    """METRIC=VALUE -> (metric, value, higher_is_better)."""
    m = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([0-9.eE+-]+)\s*", text or "")
    if not m:
        raise ExploreError("--budget %r: write METRIC=VALUE, e.g. requests_per_s=3000" % text)
    metric = m.group(1)
    if metric not in METRICS:
        raise ExploreError(
            "--budget %r: unknown metric %r (known: %s)" % (text, metric, ", ".join(METRICS))
        )
    try:
        value = float(m.group(2))
    except ValueError:
        raise ExploreError("--budget %r: %r is not a number" % (text, m.group(2))) from None
    return metric, value, METRICS[metric]


def meets(value, budget):
    _, limit, higher = budget
    return value >= limit if higher else value <= limit


# --- offline: FlexOS's Redis results --------------------------------------------
# FlexOS's library columns, in the order of a node's name.
FLEXOS_LIBS = (("R", "LIBREDIS"), ("N", "LIBNEWLIB"), ("S", "LIBUKSCHED"), ("L", "LIBLWIP"))


def read_csv(path, need):
    """The rows of a CSV file with a header holding the columns `need`."""
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
    except OSError as e:
        raise ExploreError("cannot read %s: %s" % (path, e.strerror)) from None
    missing = [c for c in need if c not in (reader.fieldnames or ())]
    if missing:
        raise ExploreError("%s:1: missing columns %s" % (path, ", ".join(missing)))
    return reader.fieldnames, rows


def flexos_backend(row, path, line):
    """The strength of a permutation's backend (its compartments' driver
    and stack isolation), as a name of BACKENDS."""
    kinds = set()
    for k, v in row.items():
        m = re.fullmatch(r"COMPARTMENT(\d+)_DRIVER", k or "")
        if m:
            stack = row.get("COMPARTMENT%s_ISOLSTACK" % m.group(1))
            if v == "intel-pku":
                kinds.add("mpk-full" if stack == "true" else "mpk-light")
            elif v == "intel-ept":
                kinds.add("ept")
            elif v in ("fcalls", "none", ""):
                kinds.add("fcall")
            else:
                raise ExploreError("%s:%d: unknown driver %r in %s" % (path, line, v, k))
    if len(kinds) != 1:
        raise ExploreError(
            "%s:%d: compartments with different backends (%s): not supported"
            % (path, line, ", ".join(sorted(kinds)) or "none")
        )
    return kinds.pop()


def flexos_nodes(folder, metric):
    """Read FlexOS's results: {name: (Node, [values of metric])}, the
    names as the module docstring says."""
    perm_path = os.path.join(folder, "perm-redis.csv")
    res_path = os.path.join(folder, "redis.csv")
    need = ["TASKID"] + [
        "%s_%s" % (lib, k) for _, lib in FLEXOS_LIBS for k in ("COMPARTMENT", "SFI")
    ]
    columns, perms = read_csv(perm_path, need)
    if not perms:
        raise ExploreError("%s: no permutations" % perm_path)
    _, results = read_csv(res_path, ("TASKID", "METHOD", "VALUE"))
    values = {}
    for line, r in enumerate(results, 2):
        if r["METHOD"] != metric:
            continue
        try:
            values.setdefault(r["TASKID"], []).append(float(r["VALUE"]))
        except (TypeError, ValueError):
            raise ExploreError("%s:%d: VALUE %r is not a number" % (res_path, line, r["VALUE"]))
    # Libraries other than the four named: a permutation that moves or
    # hardens one would be pooled with one that does not.
    others = sorted(
        {k.rsplit("_", 1)[0] for k in columns if re.fullmatch(r"LIB\w+_(COMPARTMENT|SFI)", k)}
        - {lib for _, lib in FLEXOS_LIBS}
    )
    nodes = {}
    seen_other = {}
    for line, r in enumerate(perms, 2):
        renumber, name, blocks, hard = {}, "", {}, set()
        for letter, lib in FLEXOS_LIBS:
            comp = r["%s_COMPARTMENT" % lib]
            sfi = r["%s_SFI" % lib]
            if sfi not in ("y", "n"):
                raise ExploreError("%s:%d: %s_SFI is %r, not y or n" % (perm_path, line, lib, sfi))
            num = renumber.setdefault(comp, len(renumber) + 1)
            name += "%s%d%s" % (letter, num, "H" if sfi == "y" else "")
            blocks.setdefault(num, set()).add(letter)
            if sfi == "y":
                hard.add((letter, "sfi"))
        for lib in others:
            # The named compartment it is in (None: one of none of the
            # four), and its SFI.
            state = (renumber.get(r["%s_COMPARTMENT" % lib]), r["%s_SFI" % lib])
            if seen_other.setdefault(lib, state) != state:
                raise ExploreError(
                    "%s:%d: %s's placement or hardening varies; node names cannot tell "
                    "such permutations apart" % (perm_path, line, lib)
                )
        backend = flexos_backend(r, perm_path, line)
        node = Node(
            frozenset(frozenset(b) for b in blocks.values()),
            STRENGTH[backend] if len(blocks) > 1 else 0,
            frozenset(hard),
        )
        if name in nodes and nodes[name][0] != node:
            raise ExploreError(
                "%s:%d: %s names two different configurations" % (perm_path, line, name)
            )
        entry = nodes.setdefault(name, (node, []))
        entry[1].extend(values.get(r["TASKID"], []))
    return nodes


def run_flexos(args):
    budget = parse_budget(args.budget)
    nodes = flexos_nodes(args.from_flexos, budget[0])
    names = sorted(nodes)
    empty = [n for n in names if not nodes[n][1]]
    if empty:
        raise ExploreError(
            "%s: no %s results for %s" % (args.from_flexos, budget[0], ", ".join(empty))
        )
    figure = {n: statistics.median(nodes[n][1]) for n in names}
    up = order_sets([nodes[n][0] for n in names], args.order)
    search = Search(up)
    chosen = search.run(lambda i: meets(figure[names[i]], budget))
    print(
        "%d configurations, %d covering edges (order %s); measured %d of %d"
        % (len(names), len(covers(up)), args.order, len(search.measured), len(names)),
        file=sys.stderr,
    )
    if args.picture:
        labels = {i: names[i] for i in range(len(names))}
        values = {i: figure[names[i]] for i in search.measured}
        write_picture(args.picture, "flexos-%s" % args.order, up, search, labels, values, budget)
    for i in chosen:
        print(names[i])
    return 0


# --- live: the space of a spec ----------------------------------------------------
@dataclasses.dataclass
class Spec:
    path: str
    app: str
    benchmark: str
    backends: list
    hardening: list
    files: str
    split: dict  # unit -> libraries
    bench: dict
    description: str = ""
    extra: dict = dataclasses.field(default_factory=dict)  # CONFIG_KEYS but files


def load_spec(path):
    """Read and check a spec; ExploreError names the file and the key."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as e:
        raise ExploreError("cannot read %s: %s" % (path, e.strerror)) from None
    except tomllib.TOMLDecodeError as e:
        raise ExploreError("%s: syntax error: %s" % (path, e)) from None

    def bad(key, why):
        return ExploreError("%s: %s: %s" % (path, key, why))

    for key in data:
        if key not in SPEC_KEYS:
            raise bad(key, "unknown key (known: %s)" % ", ".join(SPEC_KEYS))
    for key in ("app", "benchmark", "backends", "split"):
        if key not in data:
            raise bad(key, "missing")

    def strings(key, value):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad(key, "must be an array of strings")
        if len(set(value)) != len(value):
            raise bad(key, "lists a value twice")
        return list(value)

    for key in ("app", "benchmark", "description") + CONFIG_KEYS:
        if key in data and not isinstance(data[key], str):
            raise bad(key, "must be a string")
    if data["benchmark"] not in BENCHMARKS:
        raise bad("benchmark", "%r is none of %s" % (data["benchmark"], ", ".join(BENCHMARKS)))
    backends = strings("backends", data["backends"])
    for b in backends:
        if b not in STRENGTH:
            raise bad("backends", "%r is none of %s" % (b, ", ".join(STRENGTH)))
    if not backends:
        raise bad("backends", "empty")
    hardening = strings("hardening", data.get("hardening", []))
    for h in hardening:
        if h not in bulkhead_config.HARDENING:
            raise bad("hardening", "%r is none of %s" % (h, ", ".join(bulkhead_config.HARDENING)))
    split = data["split"]
    if not isinstance(split, dict) or not split:
        raise bad("split", "must be a table of unit = [libraries]")
    owner = {}
    for unit, libs in split.items():
        if unit == CORE or not bulkhead_config.NAME_RE.match(unit):
            raise bad("split.%s" % unit, "a unit's name is [a-z][a-z0-9_]{0,15}, not %r" % CORE)
        libs = strings("split.%s" % unit, libs)
        if not libs:
            raise bad("split.%s" % unit, "empty")
        for lib in libs:
            if lib in owner:
                raise bad("split.%s" % unit, "%s is already in unit %s" % (lib, owner[lib]))
            owner[lib] = unit
        split[unit] = libs
    metric, defaults = BENCHMARKS[data["benchmark"]]
    bench = dict(defaults)
    for k, v in data.get("bench", {}).items():
        if k not in defaults:
            raise bad("bench.%s" % k, "unknown (known: %s)" % ", ".join(defaults))
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise bad("bench.%s" % k, "must be a positive integer")
        bench[k] = v
    return Spec(
        path=path,
        app=data["app"],
        benchmark=data["benchmark"],
        backends=backends,
        hardening=hardening,
        files=data.get("files", ""),
        split=dict(split),
        bench=bench,
        description=data.get("description", ""),
        extra={k: data[k] for k in CONFIG_KEYS[1:] if k in data},
    )


def partitions(items):
    """Every set partition of the list `items`, as lists of lists."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for p in partitions(rest):
        for i in range(len(p)):
            yield p[:i] + [[first] + p[i]] + p[i + 1 :]
        yield [[first]] + p


def subsets(options):
    for k in range(len(options) + 1):
        yield from (frozenset(c) for c in itertools.combinations(options, k))


@dataclasses.dataclass
class Candidate:
    """A configuration of the space: its node, the compartments it is
    built with ([(units, hardening)], the core's first) and its backend."""

    node: Node
    backend: str
    comps: list
    label: str = ""
    text: str = ""
    digest: str = ""
    reason: str = ""  # why it is skipped, if it is


def space(spec):
    """Every configuration of the spec, deduplicated by node."""
    units = [CORE] + list(spec.split)
    out = {}

    def add(backend, comps):
        if backend == "fcall":
            blocks = frozenset([frozenset(units)])
        else:
            blocks = frozenset(frozenset(u) for u, _ in comps)
        hard = frozenset((u, h) for us, hs in comps for u in us for h in hs)
        node = Node(blocks, STRENGTH[backend], hard)
        if node not in out:
            out[node] = Candidate(node, backend, comps)

    for backend in spec.backends:
        if backend == "fcall":
            # One compartment per distinct hardening: each unit any subset.
            for choice in itertools.product(list(subsets(spec.hardening)), repeat=len(units)):
                groups = {}
                for u, h in zip(units, choice):
                    groups.setdefault(h, []).append(u)
                comps = sorted(groups.items(), key=lambda g: CORE not in g[1])
                add(backend, [(us, h) for h, us in comps])
            continue
        for part in partitions(units):
            if len(part) == 1:
                continue  # nothing isolated: the fcall configurations stand for these
            part.sort(key=lambda b: (CORE not in b, units.index(b[0])))
            for choice in itertools.product(list(subsets(spec.hardening)), repeat=len(part)):
                add(backend, list(zip(part, choice)))
    return list(out.values())


def comp_name(units, taken):
    name = "_".join(units)
    if len(name) > 16 or name in taken:
        name = "c%d" % len(taken)
    taken.add(name)
    return name


def describe(c):
    """A one-line label: backend, compartments, hardening."""
    parts = []
    for units, hard in c.comps:
        s = "+".join(units)
        if hard:
            s += "{%s}" % ",".join(sorted(hard))
        parts.append(s)
    return "%s: %s" % (c.backend, " | ".join(parts))


def config_text(spec, c):
    """The configuration file of candidate c (configs/*.toml's format)."""
    _, backend, gate = next(b for b in BACKENDS if b[0] == c.backend)
    lines = [
        # The spec's path from the top of the tree, so that the text (and
        # the hash the cache is keyed by) does not depend on how it was named.
        "# Generated by scripts/explore.py from %s:"
        % os.path.relpath(os.path.abspath(spec.path), ROOT),
        "# %s" % c.label,
        'description = "%s explored: %s"' % (spec.app, c.label),
        'app = "%s"' % spec.app,
        'backend = "%s"' % backend,
    ]
    if gate:
        lines.append('gate = "%s"' % gate)
    if spec.files:
        lines.append('files = "%s"' % spec.files)
    for key, value in spec.extra.items():
        lines.append('%s = "%s"' % (key, value))
    taken = set()
    for units, hard in c.comps:
        libs = [lib for u in units if u != CORE for lib in spec.split[u]]
        lines += ["", "[[compartment]]", 'name = "%s"' % comp_name(units, taken)]
        if CORE in units:
            lines.append("default = true")
        if libs:
            lines.append("libraries = [%s]" % ", ".join('"%s"' % x for x in libs))
        if hard:
            lines.append("hardening = [%s]" % ", ".join('"%s"' % x for x in sorted(hard)))
    return "\n".join(lines) + "\n"


def check_config(text, libs, apps, optional):
    """bulkhead_config's verdict on a generated configuration: "" if it
    is valid, else its first message."""
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write(text)
    try:
        bulkhead_config.load(f.name, libs, apps, optional)
        return ""
    except bulkhead_config.ConfigError as e:
        return e.errors[0][2]
    finally:
        os.unlink(f.name)


# --- live: measuring --------------------------------------------------------------
def tail_of(text, n=3):
    lines = [x for x in text.strip().splitlines() if x.strip()]
    return " / ".join(lines[-n:]) if lines else "(no output)"


def image_digest(image):
    """sha256 of an image and the initrd beside it: what a measurement
    measured. A cached figure counts only while the configuration still
    builds to the same bytes; after a change to the sources it is measured
    again, never taken for the new code."""
    h = hashlib.sha256()
    for path in (image, os.path.join(os.path.dirname(image), "initrd.cpio")):
        if os.path.exists(path):
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
    return h.hexdigest()


def build_image(config_path, log):
    """make CONFIG=... image; None, or the build's reason for failing."""
    p = subprocess.run(
        ["make", "--no-print-directory", "CONFIG=" + config_path, "image"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    with open(log, "w") as f:
        f.write(p.stdout)
    if p.returncode:
        return "build failed: " + tail_of(p.stdout)
    return None


def wrk_once(image, seconds, log):
    """One wrk run against the image on a tap network (as
    scripts/bench-net.sh), the QEMU lock held by the caller; requests/s,
    or a reason string."""
    client = "wrk -t 2 -c 30 -d %ds http://10.7.0.2/hello.txt" % seconds
    p = subprocess.run(
        [
            os.path.join(ROOT, "scripts", "netns-run.py"),
            "--log",
            log,
            "--timeout",
            str(seconds + 120),
            "--client",
            client,
            image,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    rate = re.search(r"^Requests/sec:\s*([0-9.]+)", p.stdout, re.M)
    errors = re.search(r"^\s*Non-2xx or 3xx responses:\s*(\d+)", p.stdout, re.M)
    if p.returncode or not rate:
        return "wrk failed (exit %d): %s" % (p.returncode, tail_of(p.stdout))
    if errors and int(errors.group(1)):
        return "wrk: %s non-2xx answers" % errors.group(1)
    return float(rate.group(1))


def redis_once(image, requests, log, extra):
    """One redis-benchmark run (FlexOS's: -c 30 -P 16 -t get) against the
    image on a tap network, as scripts/bench-redis.sh, with the spec's
    memory and args; the QEMU lock held by the caller. GET/s, or a
    reason string."""
    client = "redis-benchmark -h 10.7.0.2 -p 6379 -n %d -c 30 -P 16 -t get --csv" % requests
    env = dict(os.environ)
    if extra.get("memory"):
        env["QEMU_MEM"] = extra["memory"]
    p = subprocess.run(
        [
            os.path.join(ROOT, "scripts", "netns-run.py"),
            "--log",
            log,
            "--ready",
            "Ready to accept connections",
            "--timeout",
            "900",
            "--client",
            client,
            image,
        ]
        + extra.get("args", "").split(),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    rate = re.search(r'^"GET","([0-9.]+)"', p.stdout, re.M)
    if not rate:
        return "redis-benchmark printed no GET rate (exit %d): %s" % (
            p.returncode,
            tail_of(p.stdout),
        )
    return float(rate.group(1))


def speedtest1_once(image, size, log):
    """One speedtest1 --size run in the image, the QEMU lock held by the
    caller; its total seconds, or a reason string."""
    cfg_mk = os.path.join(os.path.dirname(image), "config.mk")
    launch = "qemu-run.sh"
    with open(cfg_mk) as f:
        if re.search(r"^CFG_BACKEND := ept$", f.read(), re.M):
            launch = "ept-launch.py"
    env = dict(os.environ, QEMU_TIMEOUT="1800")
    p = subprocess.run(
        [os.path.join(ROOT, "scripts", launch), image, "--"]
        + ["--size", str(size), "/tmp/speedtest1.db"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    out = p.stdout.decode("utf-8", "replace").replace("\r", "")
    with open(log, "w") as f:
        f.write(out)
    total = re.findall(r"TOTAL\.+\s*([0-9.]+)s", out)
    if not total:
        return "speedtest1 printed no TOTAL (exit %d): %s" % (p.returncode, tail_of(out))
    return float(total[-1])


class QemuLock:
    """/tmp/bulkhead-qemu.lock, taken by a thread (so that builds go on
    while it waits) and held across consecutive runs: released before a
    build, never held during one. The same lock flock(1) takes."""

    def __init__(self, path=LOCK):
        self.path = path
        self.fd = None
        self.got = threading.Event()

    def request(self):
        if self.fd is not None:
            return
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        self.got.clear()
        threading.Thread(target=self._take, args=(self.fd,), daemon=True).start()

    def _take(self, fd):
        fcntl.flock(fd, fcntl.LOCK_EX)
        self.got.set()

    @property
    def held(self):
        return self.fd is not None and self.got.is_set()

    def wait(self):
        self.request()
        self.got.wait()

    def release(self):
        if self.held:
            os.close(self.fd)  # closing the last descriptor releases it
            self.fd = None
            self.got.clear()


class Measurer:
    """Builds and measures candidates: cached results first, builds
    without the QEMU lock, runs with it (one lock taken for as many
    consecutive runs as are ready)."""

    def __init__(self, spec, out):
        self.spec = spec
        self.out = out
        self.cache = os.path.join(out, "cache")
        self.logs = os.path.join(out, "logs")
        self.built = {}  # digest -> image path, or a reason string
        self.lock = QemuLock()

    def cached(self, c):
        """The cached result of candidate c, or None."""
        path = os.path.join(self.cache, c.digest + ".json")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            return json.load(f)

    def build(self, c):
        """Build c's image (once); its path or the build's reason."""
        if c.digest in self.built:
            return self.built[c.digest]
        cfg_dir = os.path.join(self.out, "configs")
        os.makedirs(cfg_dir, exist_ok=True)
        os.makedirs(self.logs, exist_ok=True)
        cfg_path = os.path.join(cfg_dir, config_file_name(self.spec, c))
        with open(cfg_path, "w") as f:
            f.write(c.text)
        why = build_image(
            os.path.relpath(cfg_path, ROOT), os.path.join(self.logs, c.digest + ".build.log")
        )
        name = os.path.splitext(os.path.basename(cfg_path))[0]
        self.built[c.digest] = why or os.path.join(ROOT, "build", name, "bulkhead.elf")
        return self.built[c.digest]

    def measure(self, c, ahead=()):
        """Measure candidate c: ({"value": v, ...} or {"error": why},
        cached). A cached result counts only if it measured the image c
        builds to now (image_digest). While waiting for the lock, build the
        candidates of `ahead` (an iterable, consumed lazily). Errors are not
        cached (a failed build is retried on the next run)."""
        if c.digest not in self.built:
            self.lock.release()
        image = self.build(c)
        if not image.startswith("/"):
            return {"error": image}, False
        digest = image_digest(image)
        result = self.cached(c)
        if result is not None and result.get("image") == digest:
            return result, True
        if not self.lock.held:
            self.lock.request()
            if not self.lock.got.wait(0.5):
                print("(waiting for the QEMU lock; building ahead)", end=" ", flush=True)
                for other in ahead:
                    if self.lock.got.is_set():
                        break
                    self.build(other)
            self.lock.wait()
        runs = []
        for k in range(self.spec.bench["runs"]):
            log = os.path.join(self.logs, "%s.run%d.log" % (c.digest, k))
            if self.spec.benchmark == "wrk":
                v = wrk_once(image, self.spec.bench["seconds"], log)
            elif self.spec.benchmark == "redis-benchmark":
                v = redis_once(image, self.spec.bench["requests"], log, self.spec.extra)
            else:
                v = speedtest1_once(image, self.spec.bench["size"], log)
            if isinstance(v, str):
                return {"error": v}, False
            runs.append(v)
        result = {
            "value": statistics.median_low(runs),
            "runs": runs,
            "metric": BENCHMARKS[self.spec.benchmark][0],
            "label": c.label,
            "config": c.text,
            "image": digest,
        }
        os.makedirs(self.cache, exist_ok=True)
        path = os.path.join(self.cache, c.digest + ".json")
        with open(path + ".tmp", "w") as f:
            json.dump(result, f, indent=1)
        os.replace(path + ".tmp", path)
        return result, False


def config_file_name(spec, c):
    return "explore-%s-%s.toml" % (spec.app, c.digest[:10])


def slug(spec, c):
    """A readable file name for a chosen configuration."""
    parts = [spec.app, c.backend]
    for units, hard in c.comps:
        parts.append("+".join(units) + "".join("-" + h for h in sorted(hard)))
    return re.sub(r"[^a-z0-9+_-]", "", "-".join(parts).lower().replace("+", "_"))


def run_live(args):
    spec = load_spec(args.spec)
    metric = BENCHMARKS[spec.benchmark][0]
    budget = parse_budget(args.budget)
    if budget[0] != metric:
        raise ExploreError(
            "--budget %s: benchmark %s measures %s (%s is better)"
            % (args.budget, spec.benchmark, metric, "more" if METRICS[metric] else "less")
        )
    name = os.path.splitext(os.path.basename(spec.path))[0]
    out = args.out or os.path.join(ROOT, "build", "explore", name)
    cands = space(spec)
    libs, apps, optional = args.libs.split(), args.apps.split(), args.optional_libs.split()
    if spec.app not in apps:
        raise ExploreError(
            "%s: app: %r is not an application (%s)" % (spec.path, spec.app, args.apps)
        )
    for c in cands:
        c.label = describe(c)
        c.text = config_text(spec, c)
        c.digest = hashlib.sha256(
            (c.text + json.dumps([spec.benchmark, spec.bench], sort_keys=True)).encode()
        ).hexdigest()[:16]
        c.reason = check_config(c.text, libs, apps, optional)
    up = order_sets([c.node for c in cands], "full")
    search = Search(up)
    reasons = {}
    for i, c in enumerate(cands):
        if c.reason:
            search.skip(i)
            reasons.setdefault(c.reason, []).append(i)
    valid = len(cands) - sum(len(v) for v in reasons.values())
    print(
        "explore: %s: %d configurations, %d covering edges; %d valid"
        % (spec.app, len(cands), len(covers(up)), valid)
    )
    for why, which in sorted(reasons.items(), key=lambda r: -len(r[1])):
        print("  skipped %d: %s (e.g. %s)" % (len(which), why, cands[which[0]].label))
    sys.stdout.flush()
    values = {}

    measurer = Measurer(spec, out)

    def probe(i):
        c = cands[i]
        print("  measure %s ..." % c.label, end=" ", flush=True)
        # While waiting for the QEMU lock, build what the search may ask
        # for next, nearest first, so that one turn of the lock runs many.
        ahead = (cands[j] for j in search.ahead(None, lambda j: verdict(measurer.cached(cands[j]))))
        result, cached = measurer.measure(c, ahead)
        if "error" in result:
            c.reason = result["error"]
            print("skipped: %s" % c.reason, flush=True)
            return None
        values[i] = result["value"]
        ok = meets(result["value"], budget)
        print(
            "%s %g%s: %s"
            % (metric, result["value"], " (cached)" if cached else "", "meets" if ok else "misses"),
            flush=True,
        )
        return ok

    def verdict(result):
        if result is None:
            return None
        return meets(result["value"], budget) if "value" in result else None

    try:
        while search.unknown:
            i = search.next()
            if args.cached_only and measurer.cached(cands[i]) is None:
                break
            search.record(i, probe(i))
    finally:
        measurer.lock.release()
    chosen = search.chosen()
    measured = [i for i in search.measured if i in values]
    print(
        "explore: measured %d of %d configurations (%d valid), %d skipped at measurement"
        % (len(measured), len(cands), valid, len(search.measured) - len(measured))
    )
    if search.unknown:
        print(
            "explore: --cached-only: %d configurations unsettled; the chosen so far are "
            "provisional (a run without it measures the rest)" % search.unknown.bit_count()
        )
    write_results(spec, out, cands, up, search, values, chosen, budget)
    return 0


def write_results(spec, out, cands, up, search, values, chosen, budget):
    """The chosen configurations' files, the table and the picture."""
    metric = budget[0]
    chosen_dir = os.path.join(out, "chosen")
    shutil.rmtree(chosen_dir, ignore_errors=True)
    os.makedirs(chosen_dir)
    print(
        "explore: %d chosen (budget %s %s %g):"
        % (len(chosen), metric, ">=" if budget[2] else "<=", budget[1])
    )
    for i in chosen:
        c = cands[i]
        path = os.path.join(chosen_dir, slug(spec, c) + ".toml")
        with open(path, "w") as f:
            f.write(c.text)
        print(
            "  * %s: %s %g  -> make run CONFIG=%s"
            % (c.label, metric, values[i], os.path.relpath(path, ROOT))
        )
    rows = [("", "configuration", metric, "verdict")]
    for i in sorted(values, key=lambda i: (-values[i] if budget[2] else values[i])):
        verdict = "chosen" if i in chosen else search.status[i]
        rows.append(("*" if i in chosen else "", cands[i].label, "%g" % values[i], verdict))
    for i, c in enumerate(cands):
        if search.status[i] == SKIPPED and i in search.measured:
            rows.append(("", c.label, "-", "skipped: " + c.reason))
    width = [max(len(r[k]) for r in rows) for k in range(3)]
    table = "\n".join(
        "%-*s %-*s %*s  %s" % (width[0], r[0], width[1], r[1], width[2], r[2], r[3]) for r in rows
    )
    with open(os.path.join(out, "table.txt"), "w") as f:
        f.write(table + "\n")
    print(table)
    labels = {i: c.label.replace(": ", "\n").replace(" | ", "\n") for i, c in enumerate(cands)}
    pics = write_picture(out, "poset", up, search, labels, values, budget)
    print("explore: table %s; picture %s" % (os.path.join(out, "table.txt"), ", ".join(pics)))


# --- the picture ------------------------------------------------------------------
def colour(value, lo, hi, higher):
    """Red (worst measured) to green (best measured), as #rrggbb."""
    t = 0.5 if hi == lo else (value - lo) / (hi - lo)
    if not higher:
        t = 1 - t
    r, g = (1 - t), t
    return "#%02x%02x%02x" % (int(120 + 135 * r), int(120 + 135 * g), 120)


def dot_text(up, search, labels, values, budget):
    """The poset as Graphviz: covering edges upwards (safer above),
    measured nodes filled by their figure, unmeasured ones striped
    (hatched) in the colour of what they are presumed, chosen ones
    starred and bold, skipped ones dotted."""
    chosen = set(search.chosen())
    lo, hi = (min(values.values()), max(values.values())) if values else (0, 0)
    out = [
        "digraph poset {",
        "\trankdir=BT;",
        '\tnode [shape=box, fontname="Helvetica", fontsize=10];',
        "\tedge [arrowsize=0.5, color=gray50];",
        '\tlabel="%s budget %s %g; filled: measured (red worst, green best), striped: '
        'presumed (grey: unsettled), dotted: skipped, star: chosen"; fontsize=11;'
        % (budget[0], ">=" if budget[2] else "<=", budget[1]),
    ]
    for i in range(len(up)):
        label = labels[i]
        attrs = {}
        if i in values:
            label += "\n%s %g" % (budget[0], values[i])
            attrs["style"] = "filled"
            attrs["fillcolor"] = colour(values[i], lo, hi, budget[2])
        elif search.status[i] == SKIPPED:
            attrs["style"] = "dotted"
            attrs["fontcolor"] = "gray40"
        else:
            tint = {MEETS: "#d8f0d8", MISSES: "#f0d8d8"}.get(search.status[i], "#e0e0e0")
            attrs["style"] = "striped"
            attrs["fillcolor"] = ":".join(["white", tint] * 4)
        if i in chosen:
            label = "\u2605 " + label
            attrs["penwidth"] = "3"
        attrs["label"] = label
        out.append(
            "\tn%d [%s];"
            % (
                i,
                ", ".join(
                    '%s="%s"' % (k, html.escape(v, False).replace("\n", "\\n"))
                    for k, v in attrs.items()
                ),
            )
        )
    for i, j in covers(up):
        out.append("\tn%d -> n%d;" % (i, j))
    out.append("}")
    return "\n".join(out) + "\n"


def write_picture(folder, name, up, search, labels, values, budget):
    """Write NAME.dot and, with Graphviz's dot, NAME.svg and NAME.png."""
    os.makedirs(folder, exist_ok=True)
    dot = os.path.join(folder, name + ".dot")
    with open(dot, "w") as f:
        f.write(dot_text(up, search, labels, values, budget))
    made = [dot]
    if shutil.which("dot") is None:
        print("explore: Graphviz's dot is missing (make deps): only %s" % dot, file=sys.stderr)
        return made
    for fmt in ("svg", "png"):
        target = os.path.join(folder, "%s.%s" % (name, fmt))
        subprocess.run(["dot", "-T" + fmt, dot, "-o", target], check=True)
        made.append(target)
    return made


# --- the command line -------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("spec", nargs="?", help="the space to explore: configs/explore/APP.toml")
    ap.add_argument(
        "--budget", required=True, help="METRIC=VALUE, e.g. requests_per_s=3000 or GET=500000"
    )
    ap.add_argument("--from-flexos", metavar="DIR", help="offline: FlexOS's Redis results")
    ap.add_argument(
        "--order",
        choices=ORDERS,
        default="full",
        help="offline: Bulkhead's order (full, default) or FlexOS's paper's (flexos)",
    )
    ap.add_argument("--picture", metavar="DIR", help="offline: also draw the poset into DIR")
    ap.add_argument("--out", help="live: where results go (default build/explore/APP)")
    ap.add_argument(
        "--libs",
        default=" ".join(bulkhead_config.KERNEL_LIBS + bulkhead_config.FS_LIBS),
        help="live: libraries every image holds (default: %(default)s)",
    )
    ap.add_argument(
        "--cached-only",
        action="store_true",
        help="live: measure nothing; report from the cache, what is unsettled left so",
    )
    ap.add_argument("--apps", default="", help="live: the application libraries (make's APPS)")
    ap.add_argument("--optional-libs", default="", help="live: make's OPT_LIBS")
    args = ap.parse_args(argv)
    try:
        if args.from_flexos:
            if args.spec:
                raise ExploreError("give a spec or --from-flexos, not both")
            return run_flexos(args)
        if not args.spec:
            raise ExploreError("no spec: give configs/explore/APP.toml, or --from-flexos DIR")
        return run_live(args)
    except ExploreError as e:
        print("explore: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
