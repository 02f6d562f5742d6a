"""Unit tests for scripts/explore.py (the explorer).

Run from the top of the tree: python3 -m unittest discover -s tests/explore -v

The order, its covering edges, its maximal elements and the pruning search
are checked against brute force on random spaces; the offline mode against
FlexOS's published Redis results (../shared/flexos-redis beside the tree,
or the folder FLEXOS_REDIS names; the cases are skipped, saying so, when
it is absent).
"""

import os
import random
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "explore.py"
sys.path.insert(0, str(ROOT / "scripts"))

import explore as ex  # noqa: E402

FLEXOS = Path(os.environ.get("FLEXOS_REDIS", ROOT.parent / "shared" / "flexos-redis"))
PAPER_FIVE = ["R1HN1S1HL1H", "R1HN1S1HL2H", "R1N1S2HL1H", "R1N1S2HL2H", "R1N1S2HL3H"]
LIBS = list(ex.bulkhead_config.KERNEL_LIBS + ex.bulkhead_config.FS_LIBS)
# The applications of apps/, as the build lists them.
APPS = sorted(p.name for p in (ROOT / "apps").iterdir() if p.is_dir()) + ["ktest"]
OPT_LIBS = ["lwip", "virtio"]


def random_spec(rng, most=120):
    """A small random space (at most `most` configurations): 1-3 units,
    some backends, 0-2 options."""
    while True:
        spec = draw_spec(rng)
        if len(ex.space(spec)) <= most:
            return spec


def draw_spec(rng):
    units = ["u%d" % k for k in range(rng.randint(1, 3))]
    backends = [b for b in ex.STRENGTH if rng.random() < 0.6] or ["fcall"]
    hardening = rng.sample(["stack-protector", "ubsan", "kasan"], rng.randint(0, 2))
    return ex.Spec(
        path="random.toml",
        app="hello",
        benchmark="wrk",
        backends=backends,
        hardening=hardening,
        files="",
        split={u: [u] for u in units},
        bench={},
    )


def leq_brute(nodes, order):
    """The order by its definition: full_leq, or the closure of
    flexos_step by repeated composition until nothing changes."""
    n = len(nodes)
    if order == "full":
        return {(i, j) for i in range(n) for j in range(n) if ex.full_leq(nodes[i], nodes[j])}
    after = {i: {j for j in range(n) if ex.flexos_step(nodes[i], nodes[j])} for i in range(n)}
    while True:
        more = {i: set().union(after[i], *(after[j] for j in after[i])) for i in range(n)}
        if more == after:
            return {(i, j) for i in range(n) for j in after[i]}
        after = more


def monotone_figure(nodes, rng):
    """A figure that falls along the order: costs for each backend step,
    each separated pair of units, each (unit, option) hardened."""
    w_strength = rng.uniform(0, 5)
    w_pair, w_hard = {}, {}

    def figure(node):
        cost = w_strength * node.strength
        for b in node.blocks:
            for c in node.blocks:
                if b != c:
                    for u in b:
                        for v in c:
                            cost += w_pair.setdefault((u, v), rng.uniform(0, 3))
        cost += sum(w_hard.setdefault(h, rng.uniform(0, 4)) for h in node.hard)
        return 100 - cost

    return [figure(x) for x in nodes]


class OrderTest(unittest.TestCase):
    def test_orders_are_partial_orders_as_defined(self):
        """Both orders: reflexive, antisymmetric, transitive, equal to
        their definitions; FlexOS's is contained in the full one."""
        rng = random.Random(1)
        for _ in range(40):
            nodes = [c.node for c in ex.space(random_spec(rng))]
            n = len(nodes)
            rels = {}
            for order in ex.ORDERS:
                up = ex.order_sets(nodes, order)
                rel = {(i, j) for i in range(n) for j in ex.bits(up[i])}
                self.assertEqual(rel, leq_brute(nodes, order))
                for i in range(n):
                    self.assertIn((i, i), rel)
                for i, j in rel:
                    self.assertTrue(i == j or (j, i) not in rel, "not antisymmetric")
                    for k in ex.bits(up[j]):
                        self.assertIn((i, k), rel)
                rels[order] = rel
            self.assertLessEqual(rels["flexos"], rels["full"])

    def test_covers_are_the_transitive_reduction(self):
        """covers(): i < j with no k strictly between, and no other edge."""
        rng = random.Random(2)
        for _ in range(30):
            nodes = [c.node for c in ex.space(random_spec(rng))]
            for order in ex.ORDERS:
                up = ex.order_sets(nodes, order)
                n = len(nodes)
                lt = {(i, j) for i in range(n) for j in ex.bits(up[i]) if i != j}
                brute = {
                    (i, j)
                    for (i, j) in lt
                    if not any((i, k) in lt and (k, j) in lt for k in range(n))
                }
                self.assertEqual(set(ex.covers(up)), brute)

    def test_maximal(self):
        """maximal(): the members with no member strictly above."""
        rng = random.Random(3)
        for _ in range(30):
            nodes = [c.node for c in ex.space(random_spec(rng))]
            up = ex.order_sets(nodes, "full")
            members = sum(1 << i for i in range(len(nodes)) if rng.random() < 0.5)
            brute = [
                i
                for i in ex.bits(members)
                if not any(j != i and up[i] >> j & 1 for j in ex.bits(members))
            ]
            self.assertEqual(ex.maximal(up, members), brute)

    def test_refinement_and_strength(self):
        """Separating more, with the same backend, is safer; fcall counts
        as one compartment."""
        core, net = frozenset(["core"]), frozenset(["net"])
        one = frozenset([core | net])
        two = frozenset([core, net])
        self.assertTrue(ex.full_leq(ex.Node(one, 0, frozenset()), ex.Node(two, 1, frozenset())))
        self.assertFalse(ex.full_leq(ex.Node(two, 1, frozenset()), ex.Node(one, 3, frozenset())))
        h = frozenset([("net", "ubsan")])
        self.assertFalse(ex.full_leq(ex.Node(two, 1, h), ex.Node(two, 2, frozenset())))
        self.assertTrue(ex.full_leq(ex.Node(two, 1, frozenset()), ex.Node(two, 2, h)))


class SearchTest(unittest.TestCase):
    def check(self, up, ok, skipped=()):
        """Run the search; compare with brute force; return it."""
        n = len(up)
        s = ex.Search(up)
        for i in skipped:
            s.skip(i)
        asked = []

        def measure(i):
            self.assertEqual(s.status[i], ex.UNKNOWN, "measured a settled node")
            asked.append(i)
            return ok[i]

        chosen = s.run(measure)
        meeting = sum(1 << i for i in range(n) if ok[i] and i not in skipped)
        self.assertEqual(chosen, ex.maximal(up, meeting))
        for i in range(n):
            if i not in skipped:
                self.assertEqual(s.status[i], ex.MEETS if ok[i] else ex.MISSES)
        self.assertEqual(len(set(asked)), len(asked))
        return s

    def test_search_matches_brute_force_on_random_spaces(self):
        """Random spaces, random monotone figures, random budgets: the
        search's answer is the brute-force one, and it measures less."""
        rng = random.Random(4)
        total = saved = 0
        for _ in range(60):
            nodes = [c.node for c in ex.space(random_spec(rng))]
            fig = monotone_figure(nodes, rng)
            for order in ex.ORDERS:
                up = ex.order_sets(nodes, order)
                budget = rng.uniform(min(fig) - 1, max(fig) + 1)
                s = self.check(up, [f >= budget for f in fig])
                total += len(nodes)
                saved += len(nodes) - len(s.measured)
        self.assertGreater(saved, total // 3, "the search hardly prunes")

    def test_search_on_random_posets_with_skips(self):
        """Random posets (random DAGs closed), random down-sets, some
        nodes skipped: still the brute-force answer."""
        rng = random.Random(5)
        for _ in range(100):
            n = rng.randint(1, 25)
            up = [1 << i for i in range(n)]
            for j in range(n):
                for i in range(j):
                    if rng.random() < 0.15:
                        up[i] |= 1 << j
            for k in range(n):
                for i in range(n):
                    if up[i] >> k & 1:
                        up[i] |= up[k]
            gens = [i for i in range(n) if rng.random() < 0.2]
            down = ex.down_sets(up)
            meet = 0
            for g in gens:
                meet |= down[g]
            ok = [bool(meet >> i & 1) for i in range(n)]
            skipped = [i for i in range(n) if rng.random() < 0.1]
            self.check(up, ok, skipped)

    def test_chain_is_a_binary_search(self):
        """On a chain of 64 the search measures at most 7."""
        n = 64
        up = [((1 << n) - 1) & ~((1 << i) - 1) for i in range(n)]
        for cut in (0, 1, 17, 63, 64):
            s = self.check(up, [i < cut for i in range(n)])
            self.assertLessEqual(len(s.measured), 7)

    def test_ahead_foresees_the_next_steps(self):
        """Search.ahead(2): the next two nodes the search asks for, the
        answers whatever they are, are among those it yields."""
        rng = random.Random(6)
        for _ in range(30):
            nodes = [c.node for c in ex.space(random_spec(rng, 60))]
            up = ex.order_sets(nodes, "full")
            fig = monotone_figure(nodes, rng)
            budget = rng.uniform(min(fig), max(fig))
            s = ex.Search(up)
            while s.unknown:
                i = s.next()
                foreseen = list(s.ahead(2, lambda j: None))
                self.assertEqual(len(foreseen), len(set(foreseen)))
                self.assertLessEqual(set(foreseen), set(s.ahead(None, lambda j: None)))
                foreseen = set(foreseen)
                self.assertNotIn(i, foreseen)
                s.record(i, fig[i] >= budget)
                later = s.clone()
                for _ in range(2):
                    if not later.unknown:
                        break
                    j = later.next()
                    self.assertIn(j, foreseen)
                    later.record(j, fig[j] >= budget)

    def test_skipped_at_measurement_settles_nothing(self):
        """A node that cannot be measured implies nothing about others."""
        up = [0b111, 0b110, 0b100]
        s = ex.Search(up)
        seen = []

        def measure(i):
            seen.append(i)
            return None if i == 1 else True

        self.assertEqual(s.run(measure), [2])
        self.assertEqual(s.status[1], ex.SKIPPED)


class BudgetAndSpecTest(unittest.TestCase):
    def test_budget(self):
        self.assertEqual(ex.parse_budget("GET=500000"), ("GET", 500000.0, True))
        self.assertEqual(ex.parse_budget("seconds=12.5"), ("seconds", 12.5, False))
        self.assertTrue(ex.meets(3, ("seconds", 4, False)))
        self.assertFalse(ex.meets(5, ("seconds", 4, False)))
        for bad, why in (
            ("GET", "write METRIC=VALUE"),
            ("speed=3", "unknown metric 'speed'"),
            ("GET=abc", "write METRIC=VALUE"),
            ("GET=1e", "is not a number"),
        ):
            with self.assertRaisesRegex(ex.ExploreError, why):
                ex.parse_budget(bad)

    def write_spec(self, text):
        d = tempfile.mkdtemp()
        path = os.path.join(d, "x.toml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_spec_errors_name_the_key(self):
        base = 'app = "httpd"\nbenchmark = "wrk"\nbackends = ["fcall"]\n'
        for text, why in (
            (base, "split: missing"),
            (base + "colour = 1\n[split]\nnet = ['lwip']\n", "colour: unknown key"),
            (base.replace("wrk", "ab") + "[split]\nn = ['x']\n", "benchmark: 'ab' is none"),
            (base.replace('"fcall"', '"mpk"') + "[split]\nn = ['x']\n", "backends: 'mpk'"),
            (base + "[split]\nn = ['x']\nm = ['x']\n", r"split.m: x is already in unit n"),
            (base + "[split]\ncore = ['x']\n", "split.core: a unit's name"),
            (base + "hardening = ['asan']\n[split]\nn = ['x']\n", "hardening: 'asan'"),
            (base + "[split]\nn = ['x']\n[bench]\nseconds = 0\n", "bench.seconds: must be"),
            (base + "[split]\nn = ['x']\n[bench]\nsize = 3\n", "bench.size: unknown"),
            ("app = ", "syntax error"),
        ):
            with self.assertRaisesRegex(ex.ExploreError, why):
                ex.load_spec(self.write_spec(text))

    def test_shipped_specs_generate_valid_configurations(self):
        """Every spec in configs/explore/ loads; its space has valid
        configurations, each in a file bulkhead_config accepts, and no
        two with the same node."""
        specs = sorted((ROOT / "configs" / "explore").glob("*.toml"))
        self.assertTrue(specs)
        for path in specs:
            spec = ex.load_spec(str(path))
            cands = ex.space(spec)
            self.assertEqual(len({c.node for c in cands}), len(cands))
            valid = 0
            for c in cands:
                c.label = ex.describe(c)
                reason = ex.check_config(ex.config_text(spec, c), LIBS, APPS, OPT_LIBS)
                valid += not reason
            self.assertGreater(valid, 1, path.name)

    def test_configuration_keys_pass_to_every_configuration(self):
        """A spec's files, args, memory and main_stack appear, as given, in
        each configuration it makes (Redis needs its command line, 1 GiB
        and an 8 MiB main stack); a non-string is refused by name."""
        base = 'app = "redis_server"\nbenchmark = "redis-benchmark"\nbackends = ["fcall"]\n'
        keys = 'args = "-- /r.conf"\nmemory = "1G"\nmain_stack = "8M"\nfiles = "apps/x"\n'
        spec = ex.load_spec(self.write_spec(base + keys + "[split]\nn = ['lwip']\n"))
        c = ex.space(spec)[0]
        c.label = ex.describe(c)
        text = ex.config_text(spec, c)
        for line in keys.splitlines():
            self.assertIn(line + "\n", text)
        with self.assertRaisesRegex(ex.ExploreError, "memory: must be a string"):
            ex.load_spec(self.write_spec(base + "memory = 1\n[split]\nn = ['lwip']\n"))

    def test_space_of_two_units(self):
        """core + 2 units, fcall and mpk-light, no hardening: one fcall
        configuration and the 4 partitions with more than one block."""
        spec = ex.Spec(
            "s", "hello", "wrk", ["fcall", "mpk-light"], [], "", {"a": ["x"], "b": ["y"]}, {}
        )
        cands = ex.space(spec)
        self.assertEqual(len(cands), 5)
        self.assertEqual(sorted(c.backend for c in cands), ["fcall"] + ["mpk-light"] * 4)


@unittest.skipUnless((FLEXOS / "perm-redis.csv").exists(), "no FlexOS data at %s" % FLEXOS)
class FlexosTest(unittest.TestCase):
    def run_script(self, *args):
        p = subprocess.run(
            [sys.executable, str(SCRIPT), "--from-flexos", str(FLEXOS), "--budget", "GET=500000"]
            + list(args),
            capture_output=True,
            text=True,
        )
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.split(), p.stderr

    def test_flexos_order_gives_the_papers_five(self):
        """--order flexos: exactly FlexOS's five candidates at 500k GET/s."""
        out, err = self.run_script("--order", "flexos")
        self.assertEqual(out, PAPER_FIVE)
        self.assertIn("80 configurations", err)

    def test_full_order_gives_fewer_strictly_safer(self):
        """--order full (the default): fewer candidates, each of the
        paper's five is at most as safe as one of them, and every one
        left out strictly less safe."""
        out, err = self.run_script()
        self.assertLess(len(out), len(PAPER_FIVE))
        self.assertLessEqual(set(out), set(PAPER_FIVE))
        nodes = ex.flexos_nodes(str(FLEXOS), "GET")
        for name in PAPER_FIVE:
            if name not in out:
                self.assertTrue(any(ex.full_leq(nodes[name][0], nodes[o][0]) for o in out), name)
        self.assertIn("measured", err)

    def test_search_agrees_with_every_measurement(self):
        """With every configuration measured, the maximal ones meeting the
        budget are what the pruned search returns."""
        nodes = ex.flexos_nodes(str(FLEXOS), "GET")
        names = sorted(nodes)
        import statistics

        fig = [statistics.median(nodes[n][1]) for n in names]
        for order in ex.ORDERS:
            up = ex.order_sets([nodes[n][0] for n in names], order)
            meeting = sum(1 << i for i, f in enumerate(fig) if f >= 500000)
            s = ex.Search(up)
            chosen = s.run(lambda i: fig[i] >= 500000)
            self.assertEqual(chosen, ex.maximal(up, meeting))
            self.assertLess(len(s.measured), len(names))


class FlexosInputTest(unittest.TestCase):
    HEAD = (
        "TASKID,COMPARTMENT1_DRIVER,COMPARTMENT1_ISOLSTACK,LIBREDIS_COMPARTMENT,LIBREDIS_SFI,"
        "LIBNEWLIB_COMPARTMENT,LIBNEWLIB_SFI,LIBUKSCHED_COMPARTMENT,LIBUKSCHED_SFI,"
        "LIBLWIP_COMPARTMENT,LIBLWIP_SFI,LIBTLSF_COMPARTMENT,LIBTLSF_SFI\n"
    )

    def folder(self, perms, results):
        d = tempfile.mkdtemp()
        with open(os.path.join(d, "perm-redis.csv"), "w") as f:
            f.write(self.HEAD + perms)
        with open(os.path.join(d, "redis.csv"), "w") as f:
            f.write("TASKID,CHUNK,ITERATION,METHOD,VALUE\n" + results)
        return d

    def test_names_and_pooling(self):
        """Compartments renumbered by first appearance; two symmetric
        permutations share a name and pool their results (median)."""
        d = self.folder(
            "a,intel-pku,false,2,y,2,n,1,n,3,y,2,n\nb,intel-pku,false,3,y,3,n,2,n,1,y,3,n\n",
            "a,5,1,GET,10\na,5,2,GET,30\nb,5,1,GET,20\nb,5,1,SET,99\n",
        )
        nodes = ex.flexos_nodes(d, "GET")
        self.assertEqual(list(nodes), ["R1HN1S2L3H"])
        self.assertEqual(sorted(nodes["R1HN1S2L3H"][1]), [10, 20, 30])

    def test_bad_input_is_named(self):
        for perms, results, why in (
            ("a,intel-pku,false,1,x,1,n,1,n,1,n,1,n\n", "", r"perm-redis.csv:2: LIBREDIS_SFI"),
            (
                "a,intel-pku,false,1,n,1,n,1,n,1,n,1,n\nb,intel-pku,false,1,y,1,n,1,n,1,n,2,n\n",
                "",
                r"perm-redis.csv:3: LIBTLSF's placement",
            ),
            ("a,intel-pku,false,1,n,1,n,1,n,1,n,1,n\n", "a,5,1,GET,fast\n", r"redis.csv:2: VALUE"),
            ("a,weird,false,1,n,1,n,1,n,1,n,1,n\n", "", r"perm-redis.csv:2: unknown driver"),
        ):
            with self.assertRaisesRegex(ex.ExploreError, why):
                ex.flexos_nodes(self.folder(perms, results), "GET")

    def test_missing_results_are_an_error(self):
        d = self.folder("a,intel-pku,false,1,n,1,n,1,n,1,n,1,n\n", "a,5,1,SET,3\n")
        p = subprocess.run(
            [sys.executable, str(SCRIPT), "--from-flexos", d, "--budget", "GET=1"],
            capture_output=True,
            text=True,
        )
        self.assertEqual(p.returncode, 1)
        self.assertIn("no GET results for R1N1S1L1", p.stderr)

    def test_help_documents_the_modes(self):
        p = subprocess.run([sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        for word in ("--from-flexos", "--order", "--budget", "spec"):
            self.assertIn(word, p.stdout)


if __name__ == "__main__":
    unittest.main()


class CacheTest(unittest.TestCase):
    """A cached figure stands only for the image it measured."""

    class Lock:
        held = True

        def release(self):
            pass

        def request(self):
            pass

        def wait(self):
            pass

    def test_a_changed_image_is_measured_again(self):
        with tempfile.TemporaryDirectory() as tmp:
            spec = ex.Spec.__new__(ex.Spec)
            spec.benchmark, spec.bench = "wrk", {"runs": 1, "seconds": 1}
            c = type("C", (), {"digest": "d" * 64, "label": "fcall: core", "text": "x"})()
            image = os.path.join(tmp, "bulkhead.elf")
            Path(image).write_bytes(b"old code")
            m = ex.Measurer(spec, os.path.join(tmp, "out"))
            m.lock = self.Lock()
            m.built[c.digest] = image
            runs = []
            real = ex.wrk_once
            ex.wrk_once = lambda image, seconds, log: runs.append(image) or 1000.0 + len(runs)
            try:
                first, cached = m.measure(c)
                self.assertEqual((first["value"], cached, len(runs)), (1001.0, False, 1))
                again, cached = m.measure(c)
                self.assertEqual((again["value"], cached, len(runs)), (1001.0, True, 1))
                Path(image).write_bytes(b"new code")  # the sources changed
                fresh, cached = m.measure(c)
                self.assertEqual((fresh["value"], cached, len(runs)), (1002.0, False, 2))
                self.assertEqual(fresh["image"], ex.image_digest(image))
            finally:
                ex.wrk_once = real
