"""Unit tests for scripts/bulkhead_config.py (configuration loader and CLI).

Run from the top of the tree: python3 -m unittest discover -s tests/config -v

Each test writes a small configuration into a temporary directory (or copies
one from fixtures/), loads it and checks the result or the exact
"FILE:LINE: message" of the errors.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "bulkhead_config.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(ROOT / "scripts"))

import bulkhead_config as bc  # noqa: E402

LIBS = ["boot", "kernel", "mm", "sched", "time"]
APPS = ["hello", "ktest"]

# A valid configuration that the error tests start from (line numbers in
# comments are the ones tests refer to).
BASE = """\
app = "hello"
backend = "mpk"

[[compartment]]
name = "core"
libraries = ["boot", "kernel", "mm"]
default = true

[[compartment]]
name = "app"
libraries = ["hello"]
"""


class ConfigTestCase(unittest.TestCase):
    """Helpers: write a config to a temp file, load it, check errors."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bulkhead-config-test-")
        self.addCleanup(shutil.rmtree, self.tmp)

    # Write `text` (dedented) to a file in the temp dir and return its path.
    def write(self, text, name="t.toml"):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(text))
        return path

    # Load `text` and return the Config (fails the test on ConfigError).
    def load(self, text, name="t.toml", libs=LIBS, apps=APPS):
        path = self.write(text, name)
        try:
            return bc.load(path, libs, apps)
        except bc.ConfigError as exc:
            self.fail("unexpected errors:\n%s" % exc)

    # Load `text`, expect ConfigError and return its errors list.
    def errors(self, text, libs=LIBS, apps=APPS):
        path = self.write(text)
        with self.assertRaises(bc.ConfigError) as cm:
            bc.load(path, libs, apps)
        exc = cm.exception
        # Every error is also in the report as "FILE:LINE: message".
        for file, line, msg in exc.errors:
            self.assertEqual(file, path)
            self.assertIn("%s:%d: %s" % (file, line, msg), str(exc))
        return exc.errors

    # Expect an error at `line` whose message contains every phrase.
    def assertError(self, text, line, *phrases, **kw):
        errs = self.errors(text, **kw)
        for _, l, msg in errs:
            if l == line and all(p in msg for p in phrases):
                return errs
        self.fail(
            "no error at line %d containing %r; got:\n%s"
            % (line, phrases, "\n".join("%d: %s" % (l, m) for _, l, m in errs))
        )

    # Expect exactly one error, at `line`, containing every phrase.
    def assertOnlyError(self, text, line, *phrases, **kw):
        errs = self.assertError(text, line, *phrases, **kw)
        self.assertEqual(len(errs), 1, errs)
        return errs


# ---------------------------------------------------------------------------
# Valid configurations
# ---------------------------------------------------------------------------


class TestValid(ConfigTestCase):
    def test_base_config_loads(self):
        cfg = self.load(BASE, name="mpk2.toml")
        self.assertEqual(cfg.name, "mpk2")
        self.assertEqual(cfg.app, "hello")
        self.assertEqual(cfg.backend, "mpk")
        self.assertEqual([c.name for c in cfg.compartments], ["core", "app"])

    def test_defaults_for_gate_stack_data_description(self):
        cfg = self.load(BASE)
        self.assertEqual(cfg.gate, "light")
        self.assertEqual(cfg.stack_data, "shared-heap")
        self.assertEqual(cfg.description, "")

    def test_explicit_gate_stack_data_description(self):
        cfg = self.load(
            'gate = "full"\nstack_data = "shared-heap"\ndescription = "demo image"\n' + BASE
        )
        self.assertEqual(
            (cfg.gate, cfg.stack_data, cfg.description), ("full", "shared-heap", "demo image")
        )

    def test_options_not_built_yet_are_refused(self):
        # Known values the build does not apply are errors, not ignored.
        self.assertOnlyError('stack_data = "dss"\n' + BASE, 1, 'stack_data "dss" is not built yet')
        self.assertOnlyError(
            BASE + 'hardening = ["ubsan", "cet"]\n',
            12,
            'hardening "cet" is not applied by this build yet',
        )

    def test_hardening_options_are_applied(self):
        # Any subset of the three, in any order: one tag per set.
        cfg = self.load(BASE + 'hardening = ["kasan", "stack-protector"]\n')
        self.assertEqual(cfg.compartments[1].hardening, ["kasan", "stack-protector"])
        self.assertEqual(bc.hardening_tag(cfg.compartments[1].hardening), "sp-kasan")
        self.assertEqual(bc.hardening_tag(["ubsan", "kasan", "stack-protector"]), "sp-ubsan-kasan")
        self.assertEqual(bc.hardening_tag([]), "")
        text = bc.make_fragment(cfg)
        self.assertIn("CFG_HTAGS := sp-kasan\n", text)
        self.assertIn("CFG_COMP_app_HTAG := sp-kasan\n", text)
        self.assertIn("CFG_COMP_core_HTAG :=\n", text)

    def test_kasan_not_in_the_kernel_cores_compartment(self):
        # The core runs before KASan's shadow exists; the other options may.
        self.assertOnlyError(
            BASE.replace("default = true", 'default = true\nhardening = ["ubsan", "kasan"]'),
            8,
            'hardening "kasan" cannot apply to compartment "core": it holds the kernel core',
        )
        cfg = self.load(
            BASE.replace("default = true", 'default = true\nhardening = ["stack-protector"]')
        )
        self.assertEqual(cfg.compartments[0].hardening, ["stack-protector"])

    def test_gate_kinds_are_the_backends(self):
        # fcall and ept have no full gates; mpk offers both kinds.
        for backend in ("fcall", "ept"):
            self.assertOnlyError(
                'gate = "full"\n' + BASE.replace('"mpk"', '"%s"' % backend),
                1,
                'invalid gate "full": backend "%s" offers "light"' % backend,
            )

    def test_count_backend_counts_what_its_gate_kind_would_cross(self):
        # gate = "mpk": every call into another compartment; "ept": the
        # kernel libraries are in every VM, so calls to them stay local.
        import backend as backends

        count = backends.load("count")
        self.assertEqual(count.gate_kinds, ("mpk", "ept"))
        for gate, sched in (("mpk", True), ("ept", False)):
            cfg = mock.Mock(gate=gate)
            self.assertEqual(count.redirects(cfg, "sched"), sched)
            self.assertTrue(count.redirects(cfg, "vfs"))

    def test_default_placement(self):
        # Unlisted libraries (and the unlisted app) go to the default
        # compartment, after its own, in known-library order, app last.
        cfg = self.load(
            """\
            app = "hello"
            backend = "fcall"
            [[compartment]]
            name = "k"
            libraries = ["mm", "boot", "kernel"]
            [[compartment]]
            name = "rest"
            libraries = ["time"]
            default = true
            """
        )
        self.assertEqual(cfg.compartments[0].libraries, ["mm", "boot", "kernel"])
        self.assertEqual(cfg.compartments[1].libraries, ["time", "sched", "hello"])
        self.assertIs(cfg.compartment_of("hello"), cfg.compartments[1])

    def test_single_empty_default_compartment_gets_everything(self):
        cfg = self.load(
            """\
            app = "ktest"
            backend = "fcall"
            [[compartment]]
            name = "all"
            default = true
            """
        )
        self.assertEqual(cfg.compartments[0].libraries, LIBS + ["ktest"])
        self.assertIsNone(cfg.compartments[0].pkey)
        self.assertTrue(cfg.compartments[0].default)

    @mock.patch.object(bc, "HARDENING_DONE", bc.HARDENING)
    def test_index_pkey_and_line(self):
        # Default in the middle: keys 0 for it, then 1, 2 in file order.
        cfg = self.load(
            """\
            app = "hello"
            backend = "mpk"

            [[compartment]]
            name = "a"
            libraries = ["sched"]

            [[compartment]]
            name = "core"
            default = true

            [[compartment]]
            name = "b"
            libraries = ["time"]
            hardening = ["kasan", "cet"]
            """
        )
        comps = cfg.compartments
        self.assertEqual([c.name for c in comps], ["a", "core", "b"])
        self.assertEqual([c.index for c in comps], [0, 1, 2])
        self.assertEqual([c.pkey for c in comps], [1, 0, 2])
        self.assertEqual([c.line for c in comps], [4, 8, 12])
        self.assertEqual(comps[2].hardening, ["kasan", "cet"])
        self.assertEqual(comps[0].hardening, [])

    def test_no_pkeys_for_fcall_and_ept(self):
        for backend in ("fcall", "ept"):
            cfg = self.load(BASE.replace('"mpk"', '"%s"' % backend))
            self.assertEqual([c.pkey for c in cfg.compartments], [None, None])

    def test_compartment_of(self):
        cfg = self.load(BASE)
        self.assertEqual(cfg.compartment_of("sched").name, "core")
        self.assertEqual(cfg.compartment_of("hello").name, "app")
        with self.assertRaises(KeyError):
            cfg.compartment_of("ktest")
        with self.assertRaises(KeyError):
            cfg.compartment_of("libc")

    @mock.patch.object(bc, "HARDENING_DONE", bc.HARDENING)
    def test_cet_with_ept_is_fine(self):
        cfg = self.load(BASE.replace('"mpk"', '"ept"') + 'hardening = ["cet"]\n')
        self.assertEqual(cfg.compartments[1].hardening, ["cet"])

    def test_comments_and_single_quoted_strings(self):
        # '#' and brackets inside strings are not comments or arrays; the
        # error below must still be reported at its real line.
        errs = self.errors(
            """\
            # leading comment ["not", "an", "array"]
            app = 'hello'   # trailing comment
            backend = "mpk"
            description = 'a # b [c] = d'
            gate = "x\\"y # z"

            [[compartment]]   # header comment
            name = 'core'
            libraries = ['boot', 'kernel', 'mm']  # ["ignored"]
            default = true
            hardening = ['nope']
            """
        )
        self.assertEqual(
            [(l, m.split(":")[0]) for _, l, m in errs],
            [(5, 'invalid gate "x"y # z"'), (11, 'unknown hardening "nope"')],
        )

    def test_multiline_array_element_lines(self):
        self.assertOnlyError(
            """\
            app = "hello"
            backend = "mpk"
            [[compartment]]
            name = "core"
            libraries = [
                "boot",      # line 6
                "kernel",
                # a comment line
                "mm", "tiem",
            ]
            default = true
            """,
            9,
            'unknown library "tiem"',
        )

    def test_scanner_positions(self):
        # White-box check of the line scanner on less common constructs.
        pos = bc._scan(
            textwrap.dedent(
                '''\
            a = """multi
            line ] [ "string"
            """
            b = { x = [1, 2], y = "}" }
            [[t]]
            "quoted" = 1
            arr = [ [1, 2],
              [3], 'x' ]
            [[t]]
            k = true
            '''
            )
        )
        self.assertEqual(pos.root.keys, {"a": 1, "b": 4, "t": 5})
        self.assertEqual(pos.instance("t", 0).line, 5)
        self.assertEqual(pos.instance("t", 0).keys, {"quoted": 6, "arr": 7})
        self.assertEqual(pos.instance("t", 0).elements["arr"], [7, 8, 8])
        self.assertEqual(pos.instance("t", 1).keys, {"k": 10})


# ---------------------------------------------------------------------------
# Syntax and top-level checks
# ---------------------------------------------------------------------------


class TestOptionalLibraries(ConfigTestCase):
    """Optional libraries are valid names, in an image only when listed."""

    def test_unlisted_optional_library_is_left_out(self):
        path = self.write(BASE)
        cfg = bc.load(path, LIBS, APPS, optional=["victim"])
        self.assertNotIn("victim", sum((c.libraries for c in cfg.compartments), []))

    def test_listed_optional_library_is_placed(self):
        path = self.write(BASE + '\n[[compartment]]\nname = "v"\nlibraries = ["victim"]\n')
        cfg = bc.load(path, LIBS, APPS, optional=["victim"])
        self.assertEqual(cfg.compartment_of("victim").name, "v")

    def test_optional_library_unknown_without_the_option(self):
        path = self.write(BASE + '\n[[compartment]]\nname = "v"\nlibraries = ["victim"]\n')
        with self.assertRaises(bc.ConfigError) as ctx:
            bc.load(path, LIBS, APPS)
        self.assertIn(':15: unknown library "victim"', str(ctx.exception))


class TestTopLevel(ConfigTestCase):
    def test_syntax_error(self):
        errs = self.assertOnlyError(BASE + 'hardening = ["a" "b"]\n', 12, "syntax error:")
        msg = errs[0][2]
        self.assertNotIn("(at line", msg)
        self.assertNotIn("column", msg)

    def test_syntax_error_duplicate_key(self):
        self.assertOnlyError('app = "hello"\napp = "ktest"\n', 2, "syntax error:")

    def test_unknown_top_level_key(self):
        self.assertOnlyError(
            BASE.replace('backend = "mpk"', 'backend = "mpk"\nisolation = "x"'),
            3,
            'unknown top-level key "isolation"',
            "known keys: app, backend",
        )

    def test_files_names_a_folder_of_the_tree(self):
        cfg = self.load(BASE.replace('backend = "mpk"', 'backend = "mpk"\nfiles = "apps/hello/"'))
        self.assertEqual(cfg.files, "apps/hello")
        self.assertIn("CFG_FILES := apps/hello\n", bc.make_fragment(cfg))
        # Without it, no folder.
        cfg = self.load(BASE)
        self.assertEqual(cfg.files, "")
        self.assertIn("CFG_FILES :=\n", bc.make_fragment(cfg))

    def test_files_errors_name_the_line(self):
        at3 = 'backend = "mpk"\nfiles = %s'
        for value, phrase in (
            ('"apps/nosuch/root"', 'files "apps/nosuch/root": no such folder'),
            ('"apps/hello/main.c"', 'files "apps/hello/main.c" is not a folder'),
            ('"/etc"', 'files "/etc": give the folder relative to the top of the tree'),
            ('"apps/my root"', 'files "apps/my root": a folder name with spaces'),
            ("3", '"files" must be a string, got integer'),
            ('""', '"files" must name a folder, not ""'),
        ):
            self.assertOnlyError(BASE.replace('backend = "mpk"', at3 % value), 3, phrase)

    def test_args_memory_and_main_stack(self):
        cfg = self.load(
            BASE.replace(
                'backend = "mpk"',
                'backend = "mpk"\nargs = "--  /redis.conf"\nmemory = "1G"\nmain_stack = "8M"',
            )
        )
        self.assertEqual((cfg.args, cfg.memory, cfg.main_stack), ("-- /redis.conf", "1G", 8 << 20))
        frag = bc.make_fragment(cfg)
        self.assertIn("CFG_ARGS := -- /redis.conf\n", frag)
        self.assertIn("CFG_MEMORY := 1G\n", frag)
        # Without them: nothing, and the defaults.
        cfg = self.load(BASE)
        self.assertEqual((cfg.args, cfg.memory, cfg.main_stack), ("", "", 0))

    def test_args_memory_and_main_stack_errors_name_the_line(self):
        at3 = 'backend = "mpk"\n%s'
        for line, phrase in (
            ("args = \"-- 'a b'\"", "cannot be passed on make's command line"),
            ('args = "-- $HOME"', "'$' cannot be passed"),
            ('memory = "1T"', 'memory "1T": give a size from 64M to 64G'),
            ('memory = "32M"', 'memory "32M": give a size from 64M to 64G'),
            ('main_stack = "8G"', 'main_stack "8G": give a size from 64K to 64M'),
            ('main_stack = "16K"', 'main_stack "16K": give a size from 64K to 64M'),
            ("memory = 3", '"memory" must be a string, got integer'),
        ):
            self.assertOnlyError(BASE.replace('backend = "mpk"', at3 % line), 3, phrase)

    def test_unknown_top_level_table(self):
        self.assertOnlyError(
            BASE + "\n[network]\nmtu = 1500\n", 13, 'unknown top-level key "network"'
        )

    def test_missing_app_and_backend(self):
        errs = self.errors(BASE.replace('app = "hello"\nbackend = "mpk"\n', "\n"))
        self.assertEqual([l for _, l, _ in errs], [1, 1])
        self.assertIn('missing required key "app"', errs[0][2])
        self.assertIn('missing required key "backend"', errs[1][2])

    def test_unknown_app(self):
        self.assertError(
            BASE.replace('app = "hello"', 'app = "world"'), 1, 'unknown app "world"', "hello, ktest"
        )

    def test_invalid_backend(self):
        self.assertOnlyError(
            BASE.replace('"mpk"', '"vmx"'), 2, 'invalid backend "vmx"', '"fcall", "mpk", "ept"'
        )

    def test_invalid_gate(self):
        self.assertOnlyError(
            'gate = "heavy"\n' + BASE, 1, 'invalid gate "heavy"', '"light", "full"'
        )

    def test_invalid_stack_data(self):
        self.assertOnlyError(
            '\nstack_data = "stack"\n' + BASE,
            2,
            'invalid stack_data "stack"',
            '"shared-heap", "dss"',
        )

    def test_wrong_type_top_level(self):
        self.assertOnlyError(
            BASE.replace('backend = "mpk"', 'backend = "mpk"\ndescription = 3'),
            3,
            '"description" must be a string',
            "got integer",
        )

    def test_no_compartments(self):
        self.assertOnlyError('app = "hello"\nbackend = "mpk"\n', 1, "no compartments")

    def test_compartment_not_array_of_tables(self):
        self.assertOnlyError(
            'app = "hello"\nbackend = "mpk"\n[compartment]\nname = "core"\n',
            3,
            "must be an array of tables",
            "[[compartment]]",
        )


# ---------------------------------------------------------------------------
# Compartment checks
# ---------------------------------------------------------------------------


class TestCompartments(ConfigTestCase):
    def test_unknown_compartment_key(self):
        self.assertOnlyError(
            BASE + 'stack = "private"\n',
            12,
            'unknown key "stack"',
            "known keys: name, libraries, default, hardening",
        )

    def test_libraries_wrong_type(self):
        self.assertOnlyError(
            BASE.replace('["hello"]', '"hello"'),
            11,
            '"libraries" must be an array of strings',
            "got string",
        )

    def test_library_element_wrong_type(self):
        self.assertOnlyError(
            BASE.replace('["hello"]', '["hello",\n  42]'),
            12,
            '"libraries" entries must be strings',
            "got integer",
        )

    def test_default_wrong_type(self):
        self.assertOnlyError(
            BASE.replace("default = true", 'default = "yes"') + "default = true\n",
            7,
            '"default" must be a boolean',
            "got string",
        )

    def test_hardening_wrong_type(self):
        self.assertOnlyError(
            BASE + "hardening = [\n  1,\n]\n",
            13,
            '"hardening" entries must be strings',
            "got integer",
        )
        self.assertOnlyError(
            BASE + 'hardening = "ubsan"\n', 12, '"hardening" must be an array of strings'
        )

    @mock.patch.object(bc, "HARDENING_DONE", bc.HARDENING)
    def test_unknown_hardening(self):
        self.assertOnlyError(
            BASE + 'hardening = ["ubsan", "asan"]\n',
            12,
            'unknown hardening "asan"',
            '"stack-protector", "ubsan", "kasan", "cet"',
        )

    def test_unknown_library(self):
        self.assertOnlyError(
            BASE.replace('"mm"]', '"mm", "net"]'),
            6,
            'unknown library "net"',
            "known libraries: boot, kernel, mm, sched, time",
        )

    def test_libc_listed(self):
        self.assertOnlyError(
            BASE.replace('["hello"]', '["hello", "libc"]'),
            11,
            "libc is part of every compartment (each compartment gets its own copy); "
            "do not list it",
        )

    def test_library_in_two_compartments(self):
        text = BASE.replace('["hello"]', '["hello",\n  "mm"]')
        self.assertError(
            text,
            12,
            'library "mm" is already in compartment "core"',
            "compartment at line 4",
            "listed at line 6",
        )

    def test_library_twice_in_one_compartment(self):
        self.assertOnlyError(
            BASE.replace('["hello"]', '["hello", "time",\n "time"]'),
            12,
            'library "time" listed twice in compartment "app"',
            "first at line 11",
        )

    def test_other_app_listed(self):
        self.assertOnlyError(
            BASE.replace('["hello"]', '["hello", "ktest"]'),
            11,
            'app "ktest" cannot be listed',
            "one app",
        )

    def test_no_default(self):
        self.assertOnlyError(BASE.replace("default = true\n", ""), 1, "no default compartment")

    def test_more_than_one_default(self):
        text = (
            BASE
            + 'default = true\n\n[[compartment]]\nname = "t"\n'
            + 'libraries = ["time"]\ndefault = true\n'
        )
        errs = self.errors(text)
        self.assertEqual(
            [
                (l, "already the default" in m and '"core"' in m and "line 7" in m)
                for _, l, m in errs
            ],
            [(12, True), (17, True)],
        )

    def test_duplicate_compartment_name(self):
        self.assertOnlyError(
            BASE.replace('name = "app"', 'name = "core"'),
            10,
            'duplicate compartment name "core"',
            "first used at line 5",
        )

    def test_invalid_compartment_names(self):
        for bad in ("App", "1app", "app-x", "a" * 17, ""):
            with self.subTest(name=bad):
                self.assertOnlyError(
                    BASE.replace('name = "app"', 'name = "%s"' % bad),
                    10,
                    'invalid compartment name "%s"' % bad,
                    "[a-z][a-z0-9_]{0,15}",
                )
        cfg = self.load(BASE.replace('name = "app"', 'name = "%s"' % ("a" * 16)))
        self.assertEqual(cfg.compartments[1].name, "a" * 16)

    def test_missing_compartment_name(self):
        self.assertOnlyError(BASE.replace('name = "app"\n', ""), 9, 'missing required key "name"')

    def test_empty_non_default_compartment(self):
        self.assertOnlyError(
            BASE.replace('["hello"]', "[]"), 11, 'compartment "app" has no libraries'
        )
        # Without a "libraries" key the error is at the header.
        self.assertOnlyError(
            BASE.replace('libraries = ["hello"]\n', ""), 9, 'compartment "app" has no libraries'
        )

    def test_kernel_core_split_explicitly(self):
        text = BASE.replace('["boot", "kernel", "mm"]', '["boot", "kernel"]')
        text = text.replace('["hello"]', '["hello",\n  "mm"]')
        self.assertOnlyError(
            text,
            12,
            "boot, kernel and mm form the kernel core and must share a compartment",
            '"mm"',
        )

    def test_kernel_core_split_by_default_placement(self):
        # kernel and mm are listed elsewhere; boot lands in the default
        # compartment, so the error is at that compartment's header.
        self.assertOnlyError(
            """\
            app = "hello"
            backend = "fcall"
            [[compartment]]
            name = "core"
            default = true
            [[compartment]]
            name = "k"
            libraries = ["kernel", "mm"]
            """,
            3,
            "kernel core",
            '"boot"',
        )

    def test_backend_placement_rules(self):
        # mpk: the kernel core in the default compartment; ept: every
        # kernel library (it runs in every VM). Reported at the library.
        text = BASE.replace("default = true\n", "") + "default = true\n"
        errs = self.errors(text)
        self.assertEqual(
            [(e[1], e[2].split(",")[1]) for e in errs],
            [
                (6, ' library "%s" must be in the default compartment' % lib)
                for lib in ("boot", "kernel", "mm")
            ],
        )
        self.assertIn('not "core": memory nobody owns yet', errs[0][2])
        text = BASE.replace('"mpk"', '"ept"').replace('["hello"]', '["hello", "time"]')
        self.assertOnlyError(
            text,
            11,
            'with backend "ept", library "time" must be in the default ' 'compartment, not "app"',
            "every VM",
        )
        fcall = self.load(text.replace('"ept"', '"fcall"'))
        self.assertEqual(fcall.compartment_of("time").name, "app")

    def test_full_gates_keep_sched_with_the_core_beside_a_driver(self):
        # Under full gates a driver's interrupt must not call into a
        # scheduler compartment; light gates may.
        text = """\
            app = "hello"
            backend = "mpk"
            gate = "full"
            [[compartment]]
            name = "core"
            default = true
            [[compartment]]
            name = "sched"
            libraries = ["sched"]
            [[compartment]]
            name = "net"
            libraries = ["virtio"]
            """
        cfg = dict(libraries=LIBS, apps=APPS, optional=["virtio"])
        with self.assertRaises(bc.ConfigError) as cm:
            bc.load(self.write(text), **cfg)
        self.assertEqual(
            [(e[1], e[2].split(":")[0]) for e in cm.exception.errors],
            [
                (
                    9,
                    'with full gates, "sched" must share the kernel core\'s '
                    "compartment when the image has a driver (virtio)",
                )
            ],
        )
        light = bc.load(self.write(text.replace('"full"', '"light"')), **cfg)
        self.assertEqual(light.compartment_of("sched").name, "sched")
        alone = bc.load(self.write(text.replace('["virtio"]', '["time"]')), **cfg)
        self.assertEqual(alone.compartment_of("sched").name, "sched")

    def test_both_gate_kinds_leave_keys_for_tables_slots_and_sharing(self):
        for gate in ("light", "full"):
            with self.subTest(gate=gate):
                head = 'app = "hello"\nbackend = "mpk"\ngate = "%s"\n' % gate
                comps = ['[[compartment]]\nname = "core"\ndefault = true\n']
                comps += [
                    '[[compartment]]\nname = "c%d"\nlibraries = ["time"]\n' % i
                    for i in range(1, 14)
                ]
                self.assertError(
                    head + "".join(comps),
                    4 + 3 * 13,
                    "too many compartments",
                    "at most 13",
                    "key 13 is the page tables'",
                )

    def test_too_many_compartments(self):
        for backend, limit, why in (
            ("mpk", 13, "15 the shared domain"),
            ("ept", 8, "EPT"),
            ("fcall", 64, "64"),
        ):
            with self.subTest(backend=backend):
                head = 'app = "hello"\nbackend = "%s"\n' % backend
                comps = ['[[compartment]]\nname = "core"\ndefault = true\n']
                comps += [
                    '[[compartment]]\nname = "c%d"\nlibraries = ["%s"]\n' % (i, "time")
                    for i in range(1, limit + 1)
                ]
                # Each extra compartment lists "time", so also expect
                # "already in compartment" errors; check only the limit one.
                text = head + "".join(comps)
                first_extra_line = 3 + 3 * limit  # header of compartment number limit+1
                self.assertError(
                    text, first_extra_line, "too many compartments", "at most %d" % limit, why
                )
                errs = self.errors(text)
                self.assertEqual(sum("too many" in m for _, _, m in errs), 1)

    def test_compartments_at_limit_ok(self):
        libs = ["l%d" % i for i in range(12)]
        text = 'app = "hello"\nbackend = "mpk"\n[[compartment]]\nname = "core"\ndefault = true\n'
        text += "".join(
            '[[compartment]]\nname = "c%d"\nlibraries = ["%s"]\n' % (i, lib)
            for i, lib in enumerate(libs)
        )
        cfg = self.load(text, libs=LIBS + libs)
        self.assertEqual(len(cfg.compartments), 13)
        self.assertEqual(sorted(c.pkey for c in cfg.compartments), list(range(13)))


# ---------------------------------------------------------------------------
# Error reporting
# ---------------------------------------------------------------------------


class TestReporting(ConfigTestCase):
    def test_multiple_errors_sorted_by_line(self):
        errs = self.errors(
            """\
            app = "hello"
            backend = "mpk"
            gate = "heavy"
            [[compartment]]
            name = "core"
            libraries = ["boot", "kernel", "mm",
                         "libc"]
            default = true
            colour = "red"
            [[compartment]]
            name = "x"
            libraries = ["nope"]
            hardening = ["asan"]
            """
        )
        self.assertEqual([l for _, l, _ in errs], [3, 7, 9, 12, 13])
        self.assertIn("invalid gate", errs[0][2])
        self.assertIn("libc", errs[1][2])
        self.assertIn('unknown key "colour"', errs[2][2])
        self.assertIn('unknown library "nope"', errs[3][2])
        self.assertIn('unknown hardening "asan"', errs[4][2])

    def test_config_error_report_format(self):
        path = self.write(BASE.replace('"mpk"', '"vmx"'))
        with self.assertRaises(bc.ConfigError) as cm:
            bc.load(path, LIBS, APPS)
        self.assertEqual(len(cm.exception.errors), 1)
        self.assertEqual(str(cm.exception), "%s:2: %s" % (path, cm.exception.errors[0][2]))
        self.assertIsInstance(cm.exception, Exception)

    def test_unreadable_file(self):
        with self.assertRaises(bc.ConfigError) as cm:
            bc.load(os.path.join(self.tmp, "missing.toml"), LIBS, APPS)
        self.assertIn("cannot read", str(cm.exception))


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


class TestCli(ConfigTestCase):
    # Run the script with `args` from the temp dir; return the CompletedProcess.
    def run_cli(self, *args):
        return subprocess.run(
            [
                sys.executable,
                str(SCRIPT),
                *args,
                "--libs",
                " ".join(LIBS),
                "--apps",
                " ".join(APPS),
            ],
            cwd=self.tmp,
            capture_output=True,
            text=True,
        )

    # Copy the fixture into <tmp>/configs/ and return its relative path.
    def fixture(self):
        os.makedirs(os.path.join(self.tmp, "configs"))
        shutil.copy(FIXTURES / "mpk3.toml", os.path.join(self.tmp, "configs", "mpk3.toml"))
        return "configs/mpk3.toml"

    def test_cli_writes_config_mk(self):
        cfg = self.fixture()
        res = self.run_cli(cfg, "--out", "build/mpk3")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stderr, "")
        with open(os.path.join(self.tmp, "build", "mpk3", "config.mk")) as f:
            self.assertEqual(
                f.read(),
                textwrap.dedent(
                    """\
                # Generated from configs/mpk3.toml by scripts/bulkhead_config.py: do not edit.
                CFG_NAME := mpk3
                CFG_APP := hello
                CFG_BACKEND := mpk
                CFG_GATE := full
                CFG_FEATURES := keys private_stacks
                CFG_STACK_DATA := shared-heap
                CFG_COMPARTMENTS := core sched app
                CFG_DEFAULT := core
                CFG_FILES :=
                CFG_HTAGS :=
                CFG_ARGS :=
                CFG_MEMORY :=
                CFG_COMP_core_LIBS := boot kernel mm gate_mpk
                CFG_COMP_core_HARDEN :=
                CFG_COMP_core_HTAG :=
                CFG_COMP_core_PKEY := 0
                CFG_COMP_sched_LIBS := sched time
                CFG_COMP_sched_HARDEN :=
                CFG_COMP_sched_HTAG :=
                CFG_COMP_sched_PKEY := 1
                CFG_COMP_app_LIBS := hello
                CFG_COMP_app_HARDEN :=
                CFG_COMP_app_HTAG :=
                CFG_COMP_app_PKEY := 2
                """
                ),
            )

    def test_cli_no_pkey_lines_for_fcall(self):
        path = self.write(BASE.replace('"mpk"', '"fcall"'), name="f.toml")
        res = self.run_cli(path, "--out", "out")
        self.assertEqual(res.returncode, 0, res.stderr)
        with open(os.path.join(self.tmp, "out", "config.mk")) as f:
            text = f.read()
        self.assertNotIn("PKEY", text)
        self.assertIn("CFG_COMP_core_LIBS := boot kernel mm sched time\n", text)

    def test_cli_does_not_rewrite_unchanged_file(self):
        cfg = self.fixture()
        self.assertEqual(self.run_cli(cfg, "--out", "out").returncode, 0)
        mk = os.path.join(self.tmp, "out", "config.mk")
        old = 1_000_000_000_000_000_000  # a fixed past mtime, immune to clock granularity
        os.utime(mk, ns=(old, old))
        self.assertEqual(self.run_cli(cfg, "--out", "out").returncode, 0)
        self.assertEqual(os.stat(mk).st_mtime_ns, old)
        # A real change rewrites it.
        path = os.path.join(self.tmp, cfg)
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("['hello']", "['hello', 'time']").replace('"time",', ""))
        self.assertEqual(self.run_cli(cfg, "--out", "out").returncode, 0)
        self.assertNotEqual(os.stat(mk).st_mtime_ns, old)
        with open(mk) as f:
            self.assertIn("CFG_COMP_app_LIBS := hello time\n", f.read())

    def test_cli_error_exit_status_and_stderr(self):
        path = self.write(
            BASE.replace('"mpk"', '"vmx"') + 'hardening = ["asan"]\n', name="bad.toml"
        )
        res = self.run_cli(path, "--out", "out")
        self.assertEqual(res.returncode, 1)
        self.assertEqual(res.stdout, "")
        lines = res.stderr.splitlines()
        self.assertEqual(len(lines), 2)
        self.assertTrue(lines[0].startswith("%s:2: invalid backend" % path), lines[0])
        self.assertTrue(lines[1].startswith("%s:12: unknown hardening" % path), lines[1])
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "out", "config.mk")))

    def test_cli_print_summary(self):
        cfg = self.fixture()
        res = self.run_cli(cfg, "--print")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(
            res.stdout,
            "mpk3: backend mpk (gate full), compartments "
            "core[boot kernel mm] sched[sched time] app[hello]\n",
        )


class TestApiFiles(unittest.TestCase):
    """API files: NAME COUNT CALLERS lines, callbacks, kinds, errors."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bulkhead-api-test-", dir=ROOT / "tests")
        self.addCleanup(shutil.rmtree, self.tmp)
        bc.read_api.cache_clear()
        self.addCleanup(bc.read_api.cache_clear)

    # Write `text` as the API file of a library found under tests/.
    def api(self, text):
        name = os.path.basename(self.tmp)
        os.makedirs(os.path.join(self.tmp), exist_ok=True)
        with open(os.path.join(self.tmp, name + ".api"), "w") as f:
            f.write(textwrap.dedent(text))
        return name

    def test_reads_callers_callbacks_and_kind(self):
        lib = self.api(
            """\
            kind driver
            f(val, in[1]) any      # comment
            g() core,sched
            callback cb(addr)
            """
        )
        api = bc.read_api(lib)
        self.assertEqual(api.functions, {"f": 2, "g": 0})
        self.assertEqual(api.callers, {"f": ("any",), "g": ("core", "sched")})
        self.assertEqual(api.callbacks, {"cb": 1})
        self.assertEqual(api.kind, "driver")
        self.assertEqual([str(a) for a in api.contracts["f"]], ["val", "in[1]"])
        self.assertEqual(api.lines["g"][1], 3)

    def test_contracts(self):
        lib = self.api(
            """\
            recv(val, out[3], val, val, out[*6]?, inout[=4]?) any efault
            poll(inout[2x8], val, val) any
            name(str[32]?, fn, addr, handle) core
            say(str[64], ...) core
            free(addr, caller) any
            """
        )
        api = bc.read_api(lib)
        recv = api.contracts["recv"]
        self.assertEqual(recv[1], bc.Arg("out", length=3))
        self.assertEqual(recv[4], bc.Arg("out", length=6, length_at=True, null_ok=True))
        self.assertEqual(recv[5], bc.Arg("inout", size=4, null_ok=True))
        self.assertEqual(api.contracts["poll"][0], bc.Arg("inout", length=2, scale=8))
        self.assertEqual(str(api.contracts["poll"][0]), "inout[2x8]")
        self.assertEqual(api.contracts["name"][0], bc.Arg("str", size=32, null_ok=True))
        self.assertEqual(api.functions["say"], 1)
        self.assertEqual(api.efault, {"recv"})
        self.assertEqual(api.vouched, {"free"})

    def test_errors_name_file_and_line(self):
        lib = self.api(
            """\
            f(val)
            g(val) nobody
            h(val, val, val, val, val, val, val) any
            h(val) any
            h(val) any
            kind printer
            i(buf) any
            j(in) any
            k(out[3], val) any
            l(out[2], in[=4]) any
            m(str) any
            n(caller, val) any
            o(val) any sometimes
            p 2 any
            q(out[*2], val) any
            """
        )
        with self.assertRaises(bc.ConfigError) as cm:
            bc.read_api(lib)
        errs = [(line, msg) for _, line, msg in cm.exception.errors]
        self.assertEqual(
            [line for line, _ in errs], [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
        )
        self.assertIn("expected 'NAME(ARG, ...) CALLERS [efault]'", errs[0][1])
        self.assertIn('g: unknown caller "nobody"', errs[1][1])
        self.assertIn("gates pass at most 6", errs[2][1])
        self.assertIn("h is listed twice", errs[3][1])
        self.assertIn("expected 'kind KIND'", errs[4][1])
        self.assertIn("i: unknown argument kind 'buf'", errs[5][1])
        self.assertIn("j: in needs its length", errs[6][1])
        self.assertIn(
            "k argument 1 (out[3]): its length is argument 3, which it does not have", errs[7][1]
        )
        self.assertIn("l argument 1 (out[2]): its length, argument 2, must be a val", errs[8][1])
        self.assertIn("m: str needs its maximum size", errs[9][1])
        self.assertIn("n argument 1: `caller` must be the last argument", errs[10][1])
        self.assertIn('o: unknown flag "sometimes"', errs[11][1])
        self.assertIn("expected 'NAME(ARG, ...) CALLERS [efault]'", errs[12][1])
        self.assertIn("argument 2 must be in[=4] or inout[=4]", errs[13][1])
        self.assertTrue(cm.exception.errors[0][0].endswith(".api"))

    def test_may_call(self):
        cfg = bc.load(str(FIXTURES / "mpk3.toml"), LIBS, APPS)
        core, sched, app = cfg.compartments
        self.assertEqual(cfg.may_call(app, "mm", "vm_map"), (False, "core only"))
        self.assertEqual(cfg.may_call(sched, "mm", "mm_stack_alloc"), (True, ""))
        self.assertEqual(cfg.may_call(app, "mm", "mm_stack_alloc"), (False, "core and sched only"))
        self.assertEqual(cfg.may_call(app, "kernel", "console_write"), (True, ""))


if __name__ == "__main__":
    unittest.main()


class TestAppFolders(ConfigTestCase):
    """Every folder apps/NAME/ is an app; one without NAME.api gets the
    default API. The folders here are in a temporary apps/ (APPS_DIR)."""

    def setUp(self):
        super().setUp()
        apps = os.path.join(self.tmp, "apps")
        os.makedirs(apps)
        patcher = mock.patch.object(bc, "APPS_DIR", apps)
        patcher.start()
        self.addCleanup(patcher.stop)
        bc.read_api.cache_clear()
        self.addCleanup(bc.read_api.cache_clear)

    def folder(self, name):
        os.makedirs(os.path.join(bc.APPS_DIR, name))

    def test_an_app_without_an_api_file_gets_the_default(self):
        self.folder("tinyapp")
        api = bc.read_api("tinyapp")
        self.assertTrue(api.default)
        self.assertEqual(api.path, "apps/tinyapp (no tinyapp.api: the default API)")
        self.assertEqual(api.functions, {"main": 2})
        self.assertEqual(api.callers, {"main": ("any",)})
        self.assertEqual([str(a) for a in api.contracts["main"]], ["val", "in[1x8]"])
        self.assertEqual(api.callbacks, {})
        self.assertEqual(bc.DEFAULT_APP_API, "main(val, in[1x8]) any")
        # The image holding it is no test image.
        cfg = self.load(BASE.replace('"hello"', '"tinyapp"'), apps=["hello", "tinyapp"])
        self.assertFalse(cfg.test_image)
        self.assertEqual(cfg.api("tinyapp").functions, {"main": 2})

    def test_an_api_file_of_its_own_is_read(self):
        api = bc.read_api("hello")
        self.assertFalse(api.default)
        self.assertEqual(api.path, os.path.join("apps", "hello", "hello.api"))
        self.assertEqual(api.callbacks, {"worker": 1})

    def test_not_an_app_folder_has_no_api(self):
        with self.assertRaises(bc.ConfigError) as caught:
            bc.read_api("nosuchlib")
        self.assertIn("library nosuchlib has no API file", str(caught.exception))

    def test_an_app_folder_is_a_caller_word(self):
        self.folder("tinyapp")
        errors = []
        api = bc.Api("x.api", {}, {})
        bc._read_api_lines("x.api", ["f(val) tinyapp", "g(val) nosuchapp"], api, errors)
        self.assertEqual(api.callers, {"f": ("tinyapp",)})
        self.assertEqual(len(errors), 1)
        self.assertIn('unknown caller "nosuchapp"', errors[0][2])

    def test_a_folder_without_c_files_is_no_app_and_says_so(self):
        self.folder("notyet")
        self.assertOnlyError(
            BASE.replace('"hello"', '"notyet"', 1),
            1,
            'unknown app "notyet": apps/notyet/ holds no C file nor build.mk (an app is a '
            "folder apps/NAME/ of sources)",
        )

    def test_an_app_name_must_be_a_plain_name(self):
        self.folder("Bad-Name")
        self.assertOnlyError(
            BASE.replace('"hello"', '"Bad-Name"', 1),
            1,
            'app "Bad-Name": an application\'s name (its folder apps/NAME/) must match '
            "[a-z][a-z0-9_]{0,31}",
            apps=APPS + ["Bad-Name"],
        )
