#!/usr/bin/env python3
"""The configurations a user may pass as CONFIG=, with their descriptions.

usage: configs.py [--missing NAME]

Lists configs/*.toml, one a line with the description each file gives.
With --missing NAME (what make was given as CONFIG, which does not exist)
it first says so in one line, naming the closest configuration when NAME
looks like a misspelling of one (or a bare name like `httpd`), and exits 1.
"""

import argparse
import difflib
import glob
import os
import re
import sys

DESCRIPTION = re.compile(r'^description\s*=\s*"(.*)"\s*$', re.M)


def configurations(folder="configs"):
    """(path, description) of every configuration in folder, sorted."""
    found = []
    for path in sorted(glob.glob(os.path.join(folder, "*.toml"))):
        try:
            with open(path) as f:
                m = DESCRIPTION.search(f.read())
        except OSError:
            m = None
        found.append((path, m.group(1) if m else ""))
    return found


def closest(name, paths):
    """The configuration NAME most likely meant, or None."""
    base = os.path.basename(name)
    stem = base[: -len(".toml")] if base.endswith(".toml") else base
    stems = {os.path.basename(p)[: -len(".toml")]: p for p in paths}
    if stem in stems:
        return stems[stem]
    near = difflib.get_close_matches(stem, list(stems), n=1, cutoff=0.6)
    return stems[near[0]] if near else None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--missing", metavar="NAME", help="the CONFIG that does not exist")
    args = ap.parse_args(argv)
    found = configurations()
    out = sys.stdout
    if args.missing is not None:
        out = sys.stderr
        guess = closest(args.missing, [p for p, _ in found])
        hint = "; did you mean %s?" % guess if guess else ""
        print("error: CONFIG=%s: no such configuration file%s" % (args.missing, hint), file=out)
        print("The configurations in configs/ (CONFIG=<file>):", file=out)
    width = max((len(p) for p, _ in found), default=0)
    for path, desc in found:
        print("  %-*s  %s" % (width, path, desc), file=out)
    return 1 if args.missing is not None else 0


if __name__ == "__main__":
    sys.exit(main())
