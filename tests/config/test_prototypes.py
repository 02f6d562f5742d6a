"""Unit tests for scripts/prototypes.py: API contracts against C definitions.

    python3 -m unittest discover -s tests/config -v
"""
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import bulkhead_config as bc  # noqa: E402
import prototypes  # noqa: E402

SOURCE = r"""
#include <stddef.h>
struct pair { long a, b; };
long two(const char *s, size_t n) { return s[n]; }
void none(void) {}
int say(const char *fmt, ...) { return fmt[0]; }
long by_value(struct pair p, int who) { return p.a + p.b + who; }
typedef void *(*entry)(void *);
long start(entry fn, void *arg) { return fn(arg) != 0; }
/* Written in assembly: only declared (and used, so recorded). */
long in_asm(long *out);
void *const keep[] = { (void *)in_asm };
"""


def contract(text):
    return [bc.parse_arg(a.strip()) for a in text.split(",") if a.strip()]


class TestPrototypes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        src = os.path.join(cls.tmp.name, "lib.c")
        with open(src, "w") as f:
            f.write(SOURCE)
        cls.obj = os.path.join(cls.tmp.name, "lib.o")
        subprocess.run(["gcc", "-g", "-O2", "-c", src, "-o", cls.obj], check=True)
        names = {"two", "none", "say", "by_value", "start", "in_asm", "missing"}
        cls.protos = prototypes.read(cls.obj, names)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def check(self, name, text):
        return prototypes.mismatch(self.protos[name], contract(text))

    def test_matching_contracts(self):
        self.assertIsNone(self.check("two", "in[2], val"))
        self.assertIsNone(self.check("none", ""))
        self.assertIsNone(self.check("say", "str[64], ..."))
        self.assertIsNone(self.check("by_value", "val, val, val"))
        self.assertIsNone(self.check("start", "fn, addr"))
        self.assertIsNone(self.check("in_asm", "out[=8]"))

    def test_a_function_defined_nowhere_is_missing(self):
        self.assertNotIn("missing", self.protos)

    def test_count(self):
        self.assertEqual(
            self.check("two", "in[2]"),
            "takes 2 argument registers in C (s, n) but its contract lists 1",
        )
        self.assertEqual(
            self.check("none", "val"),
            "takes 0 argument registers in C (none) but its contract lists 1",
        )
        # A 16-byte structure takes two registers.
        self.assertIn("takes 3 argument registers", self.check("by_value", "val, val"))

    def test_pointers(self):
        self.assertEqual(
            self.check("two", "val, val"),
            "argument 1 (s) is a pointer in C but `val` in its contract",
        )
        self.assertEqual(
            self.check("two", "in[2], out[1]"),
            "argument 2 (n) is out[1] in its contract but not a pointer in C",
        )

    def test_variadic(self):
        self.assertIn("is variadic in C", self.check("say", "str[64]"))
        self.assertIn("is not variadic in C", self.check("two", "in[2], val, ..."))


if __name__ == "__main__":
    unittest.main()
