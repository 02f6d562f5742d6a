#!/usr/bin/env python3
"""make mutate: do the tests bite? Each mutation in tests/mutations.txt
breaks one check, gate, allocator, scanner or configuration rule on
purpose, and names the cases that must then fail.

    mutate.py [--only NAME_REGEX] [--timeout SECONDS]   run the mutations
    mutate.py --check [--only NAME_REGEX]               only check the list

A run works in a scratch copy of the tree, build/mutate/tree: the files git
tracks here (or would: new files not ignored count), with a build/ of its
own that starts from this tree's newlib, lwIP and Linux kernels, and is
kept between runs. Then:

 1. Every mutation chosen is checked: each original text must occur
    exactly once in its file, its regex must compile and select at least
    one case of the runner. One that does not is BROKEN, by name, and not
    run (a mutation whose code has moved on must say so, not pass).
 2. Baseline: the unmutated copy is built (make test-build) and the union
    of the regexes run (scripts/run-tests.py --only, as make test ONLY=
    does). Unless every case passes, stop: a case that already fails
    kills nothing.
 3. Each mutation in turn: apply it, build, run its cases, restore the
    file. `killed` if the run fails (any FAIL, or a non-zero exit),
    `killed (timeout)` if it takes longer than --timeout, `SURVIVED` if
    every case passes. A mutant that does not build is BROKEN too: its
    cases never ran, so it proves nothing (write it so that it builds).
    What the scratch tree built of tests/configs/bad/ (configurations
    whose build must fail) is removed after each mutation: a mutant that
    let one link must not fail the runs after it.

The QEMU lock (/tmp/bulkhead-qemu.lock, the one flock(1) takes) is held
for each run of the cases, never for a build, so that other developers'
tests run in between; the time limit starts once the lock is held. Each
mutation prints a line with its verdict and time, and the cases that
failed; the output of each build and run goes to build/mutate/logs/. The
last line is `N mutations, K killed`; the exit status is 0 only if every
mutation chosen was killed.

The list's format is described at the top of tests/mutations.txt.
"""
import argparse
import fcntl
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
MUTATIONS = os.path.join("tests", "mutations.txt")
SCRATCH = os.path.join("build", "mutate")
TREE = os.path.join(SCRATCH, "tree")
LOGS = os.path.join(SCRATCH, "logs")
LOCK = "/tmp/bulkhead-qemu.lock"
# What the scratch tree's build/ starts from, if this tree has built it:
# hard-linked where the build only reads it (newlib's build script removes
# its files before writing new ones), copied where scripts write files in
# place (linux-guest-run.sh rewrites build/linux/initrd.cpio).
REUSED = (
    ("newlib", "link"),
    ("linux-guest", "link"),
    ("lwip", "copy"),
    ("linux", "copy"),
    ("sqlite", "copy"),
)
# Their make stamps, made new in the copy (same content): the copy's
# sources are newer than this tree's stamps (they were written later), and
# the builds they stand for are reused as they are.
STAMPS = ("newlib/.built", "lwip/.fetched", "sqlite/.fetched")
# Configurations the runner builds only to see their build fail (a stray
# WRPKRU, a forbidden call); it fails if their image exists afterwards.
BAD_CONFIGS = os.path.join("tests", "configs", "bad")
BUILD_TIMEOUT = 1800  # seconds; a build never takes near that long
GRACE = 60  # seconds the runner gets to stop its QEMUs
NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
# Neither make nor Python must mistake a mutant for what it replaced.
os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
sys.dont_write_bytecode = True


class ListError(Exception):
    """tests/mutations.txt is malformed: the message lists file:line: problem."""


class Mutation:
    """One entry of the list: edits are (file, original, replacement)."""

    def __init__(self, name, line):
        self.name, self.line = name, line
        self.why = self.only = None
        self.edits = []


# --- the list -----------------------------------------------------------------
def parse(text, path=MUTATIONS):
    """The mutations of the list's text, or ListError naming every
    malformed line (file:line: problem)."""
    muts, problems = [], []
    cur = block = None
    files = None  # the file the next original text is in

    def finish(m):
        if m is None:
            return
        where = "%s:%d: mutation %s" % (path, m.line, m.name)
        for key in ("why", "only"):
            if getattr(m, key) is None:
                problems.append("%s has no `%s` line" % (where, key))
        if not m.edits:
            problems.append("%s has no original text" % where)
        for f, orig, repl in m.edits:
            if repl is None:
                problems.append("%s: an original text in %s without a replacement" % (where, f))
            elif not orig:
                problems.append("%s: an empty original text in %s" % (where, f))
            elif orig == repl:
                problems.append("%s: a replacement equal to its original text" % where)

    for number, raw in enumerate(text.splitlines(), 1):
        where = "%s:%d" % (path, number)
        if raw.startswith("|"):
            if block is None:
                problems.append("%s: a text line (|) outside original or replacement" % where)
            else:
                block.append(raw[1:])
            continue
        block = None
        if not raw.strip() or raw.startswith("#"):
            continue
        word, _, rest = raw.strip().partition(" ")
        rest = rest.strip()
        if word == "mutation":
            finish(cur)
            if not NAME.match(rest):
                problems.append("%s: %r is no name (lower case, digits, - _ .)" % (where, rest))
            elif rest in {m.name for m in muts}:
                problems.append("%s: mutation %s is there twice" % (where, rest))
            cur, files = Mutation(rest, number), None
            muts.append(cur)
        elif cur is None:
            problems.append("%s: %r before the first `mutation` line" % (where, raw))
        elif word in ("why", "only") and rest:
            if getattr(cur, word) is not None:
                problems.append("%s: a second `%s` line" % (where, word))
            setattr(cur, word, rest)
        elif word == "file" and rest:
            files = rest
        elif word == "original" and not rest:
            if files is None:
                problems.append("%s: an original text before any `file` line" % where)
                files = "?"
            cur.edits.append([files, [], None])
            block = cur.edits[-1][1]
        elif word == "replacement" and not rest:
            if not cur.edits or cur.edits[-1][2] is not None:
                problems.append("%s: a replacement without an original text before it" % where)
                continue
            cur.edits[-1][2] = block = []
        else:
            problems.append(
                "%s: not `mutation NAME`, `why TEXT`, `only REGEX`, `file PATH`, "
                "`original`, `replacement` or a text line: %r" % (where, raw)
            )
    finish(cur)
    if problems:
        problems.sort(key=lambda p: int(p[len(path) + 1 :].split(":")[0]))
        raise ListError("\n".join(problems))
    for m in muts:
        m.edits = [(f, "\n".join(o), "\n".join(r)) for f, o, r in m.edits]
    return muts


def mutants(m, top):
    """The text of each file m changes under top, before and after its
    edits: ({file: (original, mutated)}, what prevents an edit)."""
    texts, problems = {}, []
    for f, orig, repl in m.edits:
        if f not in texts:
            try:
                with open(os.path.join(top, f), newline="") as fp:
                    texts[f] = (fp.read(),) * 2
            except (OSError, UnicodeDecodeError) as e:
                problems.append("%s: cannot read it: %s" % (f, e))
                continue
        first, text = texts[f]
        n = text.count(orig)
        if n != 1:
            problems.append(
                "%s: the original text %s: %r"
                % (
                    f,
                    "is not there" if n == 0 else "occurs %d times" % n,
                    orig if len(orig) < 70 else orig[:67] + "...",
                )
            )
            continue
        texts[f] = (first, text.replace(orig, repl, 1))
    return texts, problems


def case_names(top, build):
    """Every name --only can select in the runner of the tree at top (each
    job's result names and the names that select it), read from the
    runner itself without running anything."""
    spec = importlib.util.spec_from_file_location(
        "run_tests", os.path.join(top, "scripts", "run-tests.py")
    )
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    cwd = os.getcwd()
    os.chdir(top)
    try:
        jobs = runner.all_jobs(build, lambda name: True)
    finally:
        os.chdir(cwd)
    return set().union(*(job.names | job.selects for job in jobs))


def broken(muts, top, names):
    """{mutation name: problems} for each mutation that cannot run: an
    original text not there exactly once, a regex that does not compile
    or selects no case (names: case_names())."""
    out = {}
    for m in muts:
        _, problems = mutants(m, top)
        try:
            regex = re.compile(m.only)
            if not any(regex.search(n) for n in names):
                problems.append("`only %s` selects no case of the runner" % m.only)
        except re.error as e:
            problems.append("`only %s` is no regular expression: %s" % (m.only, e))
        if problems:
            out[m.name] = problems
    return out


# --- the scratch tree -----------------------------------------------------------
def source_files(top):
    """The files of the tree at top: those git tracks and those it would
    (not ignored), that exist."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=top,
        check=True,
        capture_output=True,
    ).stdout
    return sorted(
        {f for f in out.decode().split("\0") if f and os.path.isfile(os.path.join(top, f))}
    )


def write(path, data):
    """Write data (bytes or str) to path, which then has a new time stamp."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(
        path,
        "wb" if isinstance(data, bytes) else "w",
        **({} if isinstance(data, bytes) else {"newline": ""})
    ) as f:
        f.write(data)


def sync(top, tree):
    """Make the scratch tree's sources those of top: files that differ are
    written (so that make rebuilds what depends on them), files top does not
    have are removed; its build/ is left alone. Returns how many files
    were written and removed."""
    files = source_files(top)
    written = removed = 0
    for f in files:
        src, dst = os.path.join(top, f), os.path.join(tree, f)
        with open(src, "rb") as fp:
            data = fp.read()
        try:
            with open(dst, "rb") as fp:
                same = fp.read() == data
        except FileNotFoundError:
            same = False
        if not same:
            write(dst, data)
            written += 1
        mode = os.stat(src).st_mode & 0o777
        if os.stat(dst).st_mode & 0o777 != mode:
            os.chmod(dst, mode)
    keep = set(files)
    for folder, dirs, names in os.walk(tree):
        rel = os.path.relpath(folder, tree)
        dirs[:] = [
            d for d in dirs if d != "__pycache__" and not (rel == "." and d in ("build", ".git"))
        ]
        for name in names:
            if os.path.normpath(os.path.join(rel, name)) not in keep:
                os.remove(os.path.join(folder, name))
                removed += 1
    return written, removed


def reuse_builds(top, tree):
    """Start the scratch tree's build/ from what this tree has built that
    takes minutes (newlib, lwIP, the Linux kernels, SQLite), once."""
    # The newlibs of hardening options (build/newlib-TAG, Makefile) too.
    variants = sorted(d for d in os.listdir(os.path.join(top, "build")) if d.startswith("newlib-"))
    for name, how in list(REUSED) + [(d, "link") for d in variants]:
        src, dst = os.path.join(top, "build", name), os.path.join(tree, "build", name)
        if not os.path.isdir(src) or os.path.exists(dst):
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        subprocess.run(["cp", "-al" if how == "link" else "-a", src, dst], check=True)
        for stamp in STAMPS + tuple(d + "/.built" for d in variants):
            path = os.path.join(tree, "build", stamp)
            if stamp.startswith(name + "/") and os.path.exists(path):
                # A new file, not this tree's stamp touched, with what it
                # says (newlib's records the flags it was built with).
                with open(path, "rb") as f:
                    said = f.read()
                os.remove(path)
                write(path, said)


def forget_bad_images(tree):
    """Remove what the scratch tree has built of the configurations whose
    build must fail: a mutant that let one link leaves its image behind,
    which would fail the next run whatever it is (and the baseline of the
    next make mutate)."""
    for name in os.listdir(os.path.join(tree, BAD_CONFIGS)):
        if name.endswith(".toml"):
            shutil.rmtree(os.path.join(tree, "build", name[: -len(".toml")]), ignore_errors=True)


# --- building and running -------------------------------------------------------
def build(tree, log):
    """make test-build in the scratch tree: what make test would build.
    Returns whether it succeeded."""
    log.write("$ make test-build\n")
    log.flush()
    # A session of its own, ended with everything in it on a time-out or
    # an interruption: SIGTERM first, on which make deletes the targets it
    # was writing, then SIGKILL for what is left.
    p = subprocess.Popen(
        ["make", "--no-print-directory", "test-build"],
        cwd=tree,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        return p.wait(BUILD_TIMEOUT) == 0
    except BaseException as e:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(p.pid, sig)
                p.wait(10)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        p.wait()
        if not isinstance(e, subprocess.TimeoutExpired):
            raise
        log.write("mutate: the build took more than %d s\n" % BUILD_TIMEOUT)
        return False


def stop(p):
    """End the runner: SIGTERM, on which it ends every QEMU it started;
    SIGKILL to its process group if it has not exited GRACE seconds later."""
    try:
        p.send_signal(signal.SIGTERM)
        p.wait(GRACE)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()


def run_cases(tree, regex, log, timeout):
    """scripts/run-tests.py --only regex in the scratch tree, holding the
    QEMU lock, for at most timeout seconds once the lock is held. Returns
    (exit status or None on a timeout, the names of the cases that failed,
    the runner's last line, seconds run, seconds waited for the lock)."""
    fd = os.open(LOCK, os.O_RDONLY | os.O_CREAT, 0o666)
    try:
        t0 = time.monotonic()
        fcntl.flock(fd, fcntl.LOCK_EX)
        t1 = time.monotonic()
        log.write("$ scripts/run-tests.py --build build --only %s\n" % regex)
        log.flush()
        p = subprocess.Popen(
            [
                sys.executable,
                os.path.join("scripts", "run-tests.py"),
                "--build",
                "build",
                "--only",
                regex,
            ],
            cwd=tree,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            out, _ = p.communicate(timeout=timeout)
            status = p.returncode
        except BaseException as e:
            stop(p)
            out, _ = p.communicate()
            if not isinstance(e, subprocess.TimeoutExpired):
                raise
            status = None
        finally:
            t2 = time.monotonic()
    finally:
        os.close(fd)  # releases the lock
    text = out.decode("utf-8", "replace")
    log.write(text)
    if status is None:
        log.write("mutate: stopped after %d s\n" % timeout)
    lines = text.splitlines()
    failed = [line[5:].strip() for line in lines if line.startswith("FAIL ")]
    return status, failed, lines[-1] if lines else "", t2 - t1, t1 - t0


def seconds(s):
    return "%d s" % round(s)


def failures(names, n=4):
    """The first n failed case names, and how many more."""
    more = len(names) - n
    return ", ".join(names[:n]) + (" and %d more" % more if more > 0 else "")


def mutate(muts, tree, timeout):
    """Run each mutation (the baseline passed) and print its verdict.
    Returns {mutation name: verdict}."""
    verdicts = {}
    width = max(len(m.name) for m in muts)
    for i, m in enumerate(muts, 1):
        print("%3d/%d %-*s " % (i, len(muts), width, m.name), end="", flush=True)
        texts, problems = mutants(m, tree)
        if problems:  # the scratch tree is this tree's: cannot happen
            verdicts[m.name] = "BROKEN"
            print("BROKEN\n      " + "\n      ".join(problems), flush=True)
            continue
        path = os.path.join(LOGS, m.name + ".log")
        with open(path, "w") as log:
            try:
                for f, (_, mutated) in texts.items():
                    write(os.path.join(tree, f), mutated)
                t0 = time.monotonic()
                built = build(tree, log)
                took = time.monotonic() - t0
                if built:
                    status, failed, last, ran, waited = run_cases(tree, m.only, log, timeout)
            finally:
                for f, (original, _) in texts.items():
                    write(os.path.join(tree, f), original)
                forget_bad_images(tree)
        if not built:
            verdicts[m.name] = "BROKEN (does not build)"
            print(
                "%s  build %s\n      see %s" % (verdicts[m.name], seconds(took), path), flush=True
            )
            continue
        if status is None:
            verdict = "killed (timeout)"
        elif status != 0 or failed:
            verdict = "killed"
        else:
            verdict = "SURVIVED"
        verdicts[m.name] = verdict
        print(
            "%-16s  build %s, tests %s%s"
            % (
                verdict,
                seconds(took),
                seconds(ran),
                " (waited %s for the lock)" % seconds(waited) if waited >= 1 else "",
            )
        )
        if failed:
            print("      failed: " + failures(failed))
        elif verdict == "SURVIVED":
            print("      %s: %s\n      it should have, because %s" % (m.only, last, m.why))
        sys.stdout.flush()
    return verdicts


def baseline(muts, tree, timeout):
    """Build the unmutated scratch tree and run every chosen mutation's
    cases. Returns whether everything passed; prints why not."""
    regex = "|".join("(?:%s)" % m.only for m in muts)
    path = os.path.join(LOGS, "baseline.log")
    print("baseline (unmutated): ", end="", flush=True)
    forget_bad_images(tree)
    with open(path, "w") as log:
        t0 = time.monotonic()
        if not build(tree, log):
            print("the build fails: see %s" % path)
            return False
        took = time.monotonic() - t0
        status, failed, last, ran, waited = run_cases(tree, regex, log, timeout)
    print(
        "build %s, tests %s%s: %s"
        % (
            seconds(took),
            seconds(ran),
            " (waited %s for the lock)" % seconds(waited) if waited >= 1 else "",
            last,
        )
    )
    if status == 0 and not failed:
        return True
    print(
        "mutate: the baseline is not green (%s): no mutation can be judged against it.\n"
        "mutate: failed: %s\nmutate: see %s"
        % ("timed out" if status is None else "exit %s" % status, failures(failed, 20) or "-", path)
    )
    return False


def main():
    ap = argparse.ArgumentParser(description="Run the mutations of %s." % MUTATIONS)
    ap.add_argument(
        "--only", metavar="NAME_REGEX", help="only the mutations whose names match (re.search)"
    )
    ap.add_argument(
        "--timeout",
        type=int,
        default=900,
        help="seconds each mutation's cases may run (default 900)",
    )
    ap.add_argument(
        "--check",
        action="store_true",
        help="only check the list against the tree; build and run nothing",
    )
    args = ap.parse_args()
    os.chdir(TOP)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("mutate: terminated"))

    try:
        with open(MUTATIONS) as f:
            muts = parse(f.read())
    except (OSError, ListError) as e:
        print("mutate: %s" % e)
        return 2
    if args.only:
        muts = [m for m in muts if re.search(args.only, m.name)]
        if not muts:
            print("mutate: --only %r matches no mutation of %s" % (args.only, MUTATIONS))
            return 2

    # Checked against this tree (the scratch tree is made equal to it).
    bad = broken(muts, TOP, case_names(TOP, os.path.join(TOP, "build")))
    for name, problems in bad.items():
        print("BROKEN %s:\n      %s" % (name, "\n      ".join(problems)))
    if args.check:
        print("%d mutations, %d broken" % (len(muts), len(bad)))
        return 1 if bad else 0
    runnable = [m for m in muts if m.name not in bad]

    tree = os.path.join(TOP, TREE)
    fresh = not os.path.isdir(tree)
    written, removed = sync(TOP, tree)
    reuse_builds(TOP, tree)
    shutil.rmtree(os.path.join(TOP, LOGS), ignore_errors=True)
    os.makedirs(os.path.join(TOP, LOGS))
    print(
        "mutate: %d mutations of %s in %s (%s), logs in %s"
        % (
            len(muts),
            MUTATIONS,
            TREE,
            "new" if fresh else "%d files updated, %d removed" % (written, removed),
            LOGS,
        )
    )
    if runnable and not baseline(runnable, tree, 4 * args.timeout):
        return 2
    verdicts = mutate(runnable, tree, args.timeout) if runnable else {}

    verdicts.update({name: "BROKEN" for name in bad})
    killed = sum(v.startswith("killed") for v in verdicts.values())
    for verdict in ("SURVIVED", "BROKEN (does not build)", "BROKEN"):
        names = [m.name for m in muts if verdicts.get(m.name) == verdict]
        if names:
            print("%s: %s" % (verdict, ", ".join(names)))
    print("%d mutations, %d killed" % (len(muts), killed))
    return 0 if killed == len(muts) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("mutate: interrupted (the scratch tree was restored)")
