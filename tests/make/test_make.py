"""Unit tests for the Makefile's user interface: make help, make configs and
what a missing CONFIG gets.

Run from the top of the tree: python3 -m unittest discover -s tests/make -v
"""

import os
import re
import subprocess
import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import configs  # noqa: E402

# A rule for a goal a user types (a word of letters and dashes, not a file).
GOAL_RULE = re.compile(r"^([a-z][a-z-]*):(?!=)", re.M)
VARIABLES = ["CONFIG", "ARGS", "FILES", "NET", "CLIENT", "ACCEL"]


def make(*args):
    return subprocess.run(
        ["make", "--no-print-directory", "-s"] + list(args),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


class TestMake(unittest.TestCase):
    def test_help_lists_every_goal_and_variable_in_a_screen(self):
        r = make("help")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertLessEqual(len(lines), 50, "make help is longer than a screen")
        goals = set(GOAL_RULE.findall((ROOT / "Makefile").read_text()))
        self.assertIn("run", goals)
        listed = set(re.findall(r"^  ([a-z][a-z-]*) ", r.stdout, re.M))
        listed |= set(re.findall(r"; ([a-z][a-z-]*):", r.stdout))
        self.assertEqual(sorted(goals - listed), [], "goals make help does not list")
        for v in VARIABLES:
            self.assertRegex(r.stdout, r"(?m)^  %s=" % v)

    def test_a_missing_config_gets_one_line_and_the_list(self):
        r = make("run", "CONFIG=configs/nonexist.toml")
        self.assertEqual(r.returncode, 2)
        err = r.stderr.splitlines()
        self.assertEqual(err[0], "error: CONFIG=configs/nonexist.toml: no such configuration file")
        for path, _ in configs.configurations(str(ROOT / "configs")):
            self.assertIn("  configs/" + os.path.basename(path), r.stderr)
        self.assertEqual(r.stdout, "", "nothing was to be built")

    def test_a_misspelt_config_is_named(self):
        r = make("image", "CONFIG=configs/htpd-mpk.toml")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(
            r.stderr.splitlines()[0],
            "error: CONFIG=configs/htpd-mpk.toml: no such configuration file; "
            "did you mean configs/httpd-mpk.toml?",
        )

    def test_a_bare_name_is_pointed_to_its_file(self):
        self.assertEqual(configs.closest("sqlite", ["configs/sqlite.toml"]), "configs/sqlite.toml")
        self.assertIsNone(configs.closest("zzzz", ["configs/sqlite.toml"]))

    def test_make_configs_lists_each_with_its_description(self):
        r = make("configs")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"(?m)^  configs/default\.toml +hello, one compartment")


if __name__ == "__main__":
    unittest.main()
