#!/usr/bin/env python3
"""Bulkhead's test runner: host unit tests, in-QEMU test kernels, the
default application, and the GRUB ISO. Prints one line per case and, last,
`N passed, N failed`. Exits 1 if anything failed.

    run-tests.py [--build DIR]                     run everything
    run-tests.py [--build DIR] --only REGEX        only the cases whose names match
    run-tests.py [--build DIR] --write-inventory   rewrite tests/inventory.txt

--only (make test ONLY=REGEX) runs the cases whose full names, as printed
(qemu.ktest.sched.mutex_excludes, net.httpd.index_page), match REGEX
(re.search), still checked against the inventory: a suite all of whose
cases match boots once, otherwise each matching case boots by itself.

What each test kernel must run is pinned in tests/inventory.txt (see the
inventory section below): the runner checks it against the TEST() and
TEST_ALONE() declarations in tests/, against each kernel's own listing
(test=list), and against every suite's KTAP, so a case that silently stops
being built, listed or run fails by name. `make inventory` rewrites it.

In-QEMU suites print KTAP; a suite that stops early (panic, fault, hang)
fails every case it did not report. Cases that end the machine themselves
(TEST_ALONE) announce `# expect-exit: N` and `# expect: text` lines; the
runner checks the exit status and finds each text after the announcements.

Every process a case starts (QEMU, the launchers, clients) leads a session
of its own, which the runner ends, with everything in it, when the case
ends, times out, or the runner is interrupted. A last check fails if any
process of those sessions is still alive.
"""
import argparse
import concurrent.futures
import difflib
import functools
import gzip
import importlib.util
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
QEMU_RUN = os.path.join(HERE, "qemu-run.sh")
EPT_LAUNCH = os.path.join(HERE, "ept-launch.py")
VM_PREFIX = re.compile(r"^\[([\w-]+)\] ")  # ept-launch.py: "[vm] line"
KTAP_RESULT = re.compile(r"^(not )?ok (\d+) (\S+)$")
KTAP_RESULT_START = re.compile(r"^(not )?ok \d+\b")  # malformed if not a KTAP_RESULT
KTAP_PLAN = re.compile(r"^1\.\.(\d+)$")
# Extra QEMU arguments for suites that need them.
SUITE_QEMU = {
    "timefw": "-fw_cfg name=opt/bulkhead/tsc_khz,string=1234567",
}
# A NIC for suites that need one (QEMU_NET: with ept, only the VM holding
# the driver gets it, scripts/ept-launch.py).
RESTRICTED_NIC = "-netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0"
SUITE_NET = {
    "net": "-netdev user,id=n0 -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56",
    "dev": RESTRICTED_NIC,
    "sockets": RESTRICTED_NIC,
    "ept_sockets": RESTRICTED_NIC,
    "lwip_lock": RESTRICTED_NIC,
    "isolated_nic": RESTRICTED_NIC,
}
# Extra guest command-line words for suites that need them.
SUITE_ARGS = {
    "sockets": "ip=10.0.2.15/24 gw=10.0.2.2",
    "ept_sockets": "ip=10.0.2.15/24 gw=10.0.2.2",
    "lwip_lock": "ip=10.0.2.15/24 gw=10.0.2.2",
    "isolated_nic": "ip=10.0.2.15/24 gw=10.0.2.2",
    "fs_full": "ramfs_max=2",
    "ubsan_warn": "ubsan=warn",
}
TIMEOUT = int(os.environ.get("TEST_TIMEOUT", "120"))
# The places run_stray_places plants gadgets in.
STRAY_PLACES = [
    "image.stray_%s_rejected" % p
    for p in (
        "in_core_code",
        "xrstor_in_core_code",
        "in_boot_code",
        "in_a_librarys_gates_text",
        "in_an_orphan_section",
        "inside_an_immediate",
        "across_two_instructions",
        "in_common_text",
    )
] + ["image.wrpkru_in_the_gate_section_allowed"]
# Isolated images whose imports.txt run_imports checks.
IMPORTS = ("mpk3full", "httpd-mpk", "gates-mpk", "sockets-mpk", "ept2", "httpd-ept2")
# Functions no compartment but the kernel core may call (page tables,
# traps, the scheduler's set-up): never in an image's imports.txt.
CORE_ONLY = {
    "vm_map",
    "vm_unmap",
    "vm_lookup",
    "mm_page_alloc",
    "mm_page_free",
    "sched_init",
    "time_init",
    "fwcfg_read_file",
    "cmdline_argv",
    "sched_thread_gate",
    "sched_set_thread_gate",
    "sched_set_hooks",
    "tcpip_callback",
    "trap_irq_register",
    "pci_find",
    "pci_read32",
    "pci_write32",
}


class Result:
    """One case's verdict, and what to print when it failed."""

    def __init__(self, name, ok, detail=""):
        self.name, self.ok, self.detail = name, ok, detail


class Job:
    """Work for the pool: fn() returns Results. `names` are the case names
    it reports: --only selects the job if one matches, and drops its
    results for those that do not. `selects` are more names that select
    it; a result under any other name (a listing's, a run that went
    wrong) is always kept."""

    def __init__(self, fn, names=(), selects=()):
        self.fn, self.names, self.selects = fn, set(names), set(selects)

    def wanted(self, want):
        """Whether --only (want: a predicate on names) selects this job."""
        return any(want(name) for name in self.names | self.selects)

    def keep(self, results, want):
        """The results --only keeps."""
        return [r for r in results if r.name not in self.names or want(r.name)]


# --- processes --------------------------------------------------------------
# Each process the runner starts leads a new session (and process group),
# so that what it starts in turn (qemu-run.sh's QEMU, the ept launcher's
# VMs, bench-gates.py's boots) can be found and ended with it. Sessions
# rather than groups alone: timeout(1) without --foreground moves itself
# and its QEMU into a group of their own, but never out of the session.
SESSIONS_LOCK = threading.Lock()
LIVE = {}  # session id -> Popen, until end() has run
STARTED = set()  # every session id the runner created
STOPPING = threading.Event()  # the runner was interrupted: start nothing
GRACE = 5  # seconds between SIGTERM and SIGKILL


class Interrupted(Exception):
    """Raised by spawn() once the runner is being interrupted."""


def spawn(cmd, **kw):
    """Start cmd as the leader of a session of its own, remembered until
    end() has stopped everything in it."""
    with SESSIONS_LOCK:
        if STOPPING.is_set():
            raise Interrupted("the runner is stopping")
        p = subprocess.Popen(cmd, start_new_session=True, **kw)
        LIVE[p.pid] = p
        STARTED.add(p.pid)
    return p


def session_members(sids):
    """The live processes (zombies left out) whose session is in sids:
    {pid: (session id, command line)}, read from /proc."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
            # After "pid (comm) ": state ppid pgrp session ...
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] == "Z" or int(fields[3]) not in sids:
                continue
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        found[int(entry)] = (int(fields[3]), cmd)
    return found


def signal_session(sid, sig):
    """Send sig to the process group sid and to every other member of the
    session sid."""
    try:
        os.killpg(sid, sig)
    except ProcessLookupError:
        pass
    for pid in session_members({sid}):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def end(p):
    """Stop p's session: SIGTERM to all of it (the ept launcher cleans up
    on it), SIGKILL to whatever is left GRACE seconds later; reap p."""
    sid = p.pid
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not session_members({sid}):
            break
        signal_session(sid, sig)
        deadline = time.monotonic() + GRACE
        while session_members({sid}) and time.monotonic() < deadline:
            time.sleep(0.05)
    p.wait()
    with SESSIONS_LOCK:
        LIVE.pop(sid, None)


def end_all():
    """Stop every session still running (the runner is interrupted)."""
    STOPPING.set()
    with SESSIONS_LOCK:
        live = list(LIVE.values())
    for p in live:
        end(p)


def run(cmd, timeout, env=None, cwd=None):
    """Run cmd (in directory cwd, if given) in a session of its own,
    stdout and stderr together, and end the session when cmd returns or
    after timeout seconds. Returns (exit status, or None if it timed out;
    output bytes)."""
    p = spawn(
        cmd,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        out, _ = p.communicate(timeout=timeout)
        return p.returncode, out
    except subprocess.TimeoutExpired:
        end(p)
        out, _ = p.communicate()
        return None, out
    finally:
        end(p)


def text_of(data):
    """Process output as text, without carriage returns."""
    return data.decode("utf-8", "replace").replace("\r", "")


def check_no_process_left():
    """No process of any session the runner started is still alive: a
    QEMU left behind would hold its memory and ports for minutes. Those
    found are reported, then stopped."""
    left = session_members(STARTED)
    for sid in {sid for sid, _ in left.values()}:
        signal_session(sid, signal.SIGKILL)
    return [
        Result(
            "runner.no_process_left",
            not left,
            "still running after their case ended:\n"
            + "\n".join("    pid %d: %s" % (pid, cmd) for pid, (_, cmd) in sorted(left.items())),
        )
    ]


# --- booting ----------------------------------------------------------------
def backend_of(image):
    """The backend of an image's configuration (config.mk beside it)."""
    try:
        with open(os.path.join(os.path.dirname(image), "config.mk")) as f:
            for line in f:
                if line.startswith("CFG_BACKEND :="):
                    return line.split(":=")[1].strip()
    except FileNotFoundError:
        pass
    return None


def boot_vms(image, cmdline, extra="", cdrom=False, net=""):
    """Boot an image (ept: one VM per compartment, through the launcher,
    which prefixes each line with the name of the VM that printed it, or
    [ept] for its own), with QEMU arguments `extra` and the NIC `net`.
    Returns (guest exit status, output lines without those prefixes, and
    for each line the VM's name, None with one VM)."""
    env = dict(os.environ, QEMU_TIMEOUT=str(TIMEOUT), QEMU_EXTRA=extra, QEMU_NET=net)
    ept = not cdrom and backend_of(image) == "ept"
    if cdrom:
        cmd = [QEMU_RUN, "--cdrom", image]
    elif ept:
        cmd = [EPT_LAUNCH, image] + cmdline.split()
    else:
        cmd = [QEMU_RUN, image] + cmdline.split()
    status, out = run(cmd, TIMEOUT + 2 * GRACE + 10, env=env)
    lines, vms = [], []
    for line in text_of(out).splitlines():
        m = VM_PREFIX.match(line) if ept else None
        lines.append(line[m.end() :] if m else line)
        vms.append(m.group(1) if m else None)
    if status is None:
        lines.append("run-tests: no end after %d s: stopped" % (TIMEOUT + 2 * GRACE + 10))
        vms.append(None)
        status = 124
    return status, lines, vms


def boot(image, cmdline, extra="", cdrom=False, net=""):
    """boot_vms(), without saying which VM printed what."""
    status, lines, _ = boot_vms(image, cmdline, extra, cdrom, net)
    return status, lines


def tail(lines, n=25):
    """The last n lines, indented under a failure."""
    return "\n".join("    | " + line for line in lines[-n:])


# --- the inventory ----------------------------------------------------------
# tests/inventory.txt pins what each test kernel must run, one line per
# case: `kernel kind suite.case`. A kernel is a configuration in
# tests/configs/ (booted in QEMU) or `host` (the host unit tests); the kind
# is `test` (booted with its suite) or `alone` (TEST_ALONE: booted by
# itself). Its lines are sorted, so that tests added in parallel merge.
INVENTORY = os.path.join("tests", "inventory.txt")
HOST = "host"
KINDS = ("test", "alone")
CASE_NAME = re.compile(r"^\w+\.\w+$")
REGENERATE = "run make inventory after adding a test"
INVENTORY_HEADER = """\
# Every case each test kernel must run, one line each: kernel kind suite.case
#   kernel: a configuration in tests/configs/, or host (the host unit tests)
#   kind:   test (booted with its suite) or alone (TEST_ALONE: booted by itself)
# scripts/run-tests.py fails on a case that is declared in tests/ but not
# here, listed here but not declared, missing from its kernel's listing or
# KTAP, reported twice, or reported but not listed here. `make inventory`
# (scripts/run-tests.py --write-inventory) writes this file from each
# kernel's own listing: run it after adding or removing a test, and read the
# diff before committing it.
"""


def config_app(path):
    """The application a configuration file names, or None."""
    with open(path) as f:
        m = re.search(r'^app = "(\w+)"', f.read(), re.M)
    return m.group(1) if m else None


def test_kernels():
    """The test kernels that make test-images builds (tests/configs/*.toml),
    but for the POSIX harness's images and speedtest1's, which run no ktest
    cases."""
    folder = os.path.join("tests", "configs")
    return sorted(
        c[:-5]
        for c in os.listdir(folder)
        if c.endswith(".toml")
        and config_app(os.path.join(folder, c)) not in (POSIX_APP, SPEEDTEST_APP)
    )


def prefix_of(kernel):
    """What a kernel's result names start with."""
    return "host." if kernel == HOST else "qemu.%s." % kernel


def parse_inventory(text):
    """The inventory's text as {kernel: {suite.case: kind}}, and its
    malformed or repeated lines as `file:line: problem`."""
    inv, problems = {}, []
    for number, raw in enumerate(text.splitlines(), 1):
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) != 3 or words[1] not in KINDS or not CASE_NAME.match(words[2]):
            problems.append(
                "%s:%d: not `kernel test|alone suite.case`: %r" % (INVENTORY, number, raw)
            )
            continue
        kernel, kind, case = words
        if case in inv.get(kernel, {}):
            problems.append("%s:%d: %s %s is there twice" % (INVENTORY, number, kernel, case))
        inv.setdefault(kernel, {})[case] = kind
    return inv, problems


def format_inventory(inv):
    """The inventory's text: the header, then one line per case, sorted."""
    return INVENTORY_HEADER + "".join(
        "%-15s %-5s %s\n" % (kernel, kind, case)
        for kernel in sorted(inv)
        for case, kind in sorted(inv[kernel].items())
    )


def read_inventory():
    """tests/inventory.txt, parsed: (inventory, problems)."""
    try:
        with open(INVENTORY) as f:
            return parse_inventory(f.read())
    except FileNotFoundError:
        return {}, ["%s is missing: run make inventory" % INVENTORY]


SOURCE_CASE = re.compile(r"^TEST(_ALONE)?\(\s*(\w+)\s*,\s*(\w+)\s*\)", re.M)


def source_cases(top="tests"):
    """The cases declared with TEST() and TEST_ALONE() in the C sources
    under top: {suite.case: [(kind, "file:line"), ...]}."""
    cases = {}
    for folder, _, files in sorted(os.walk(top)):
        for name in sorted(files):
            if not name.endswith(".c"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            for m in SOURCE_CASE.finditer(text):
                where = "%s:%d" % (path, text.count("\n", 0, m.start()) + 1)
                cases.setdefault("%s.%s" % (m.group(2), m.group(3)), []).append(
                    ("alone" if m.group(1) else "test", where)
                )
    return cases


def check_inventory(inv, sources, kernels):
    """What is wrong between the inventory, the cases declared in the
    sources, and the test kernels: a declared case no kernel runs (an
    orphan), a pinned case no source declares, a kind that differs, a
    kernel without cases or that does not exist. Returns the problems."""
    problems = []
    for kernel in sorted(set(inv) - set(kernels) - {HOST}):
        problems.append(
            "%s pins cases for %s, which is no test kernel (tests/configs/%s.toml)"
            % (INVENTORY, kernel, kernel)
        )
    for kernel in [HOST] + sorted(kernels):
        if not inv.get(kernel):
            problems.append(
                "test kernel %s has no case in %s: run make inventory" % (kernel, INVENTORY)
            )
    for case, decls in sorted(sources.items()):
        pinned = {kernel: cases[case] for kernel, cases in inv.items() if case in cases}
        for kind, where in decls:
            if not pinned:
                problems.append(
                    "%s: %s is not in %s for any test kernel, so it never runs: "
                    "%s (or build it into a test kernel)" % (where, case, INVENTORY, REGENERATE)
                )
            for kernel, pinned_kind in sorted(pinned.items()):
                if pinned_kind != kind:
                    problems.append(
                        "%s: %s is a TEST%s, but %s pins it as `%s` for %s"
                        % (
                            where,
                            case,
                            "_ALONE" if kind == "alone" else "",
                            INVENTORY,
                            pinned_kind,
                            kernel,
                        )
                    )
    for kernel in sorted(inv):
        for case, kind in sorted(inv[kernel].items()):
            if case not in sources:
                problems.append(
                    "%s: %s %s %s: no such TEST() or TEST_ALONE() in tests/: "
                    "run make inventory after removing a test" % (INVENTORY, kernel, kind, case)
                )
            if kernel == HOST and kind == "alone":
                problems.append(
                    "%s: host %s: the host tests cannot run a case alone" % (INVENTORY, case)
                )
    return problems


def run_inventory_check(inv, problems):
    """The inventory is well formed and matches the sources and kernels."""
    problems = problems + check_inventory(inv, source_cases(), test_kernels())
    return [
        Result(
            "inventory.matches_the_sources", not problems, "\n".join("    " + p for p in problems)
        )
    ]


LISTED = re.compile(r"^# (test|alone) (\w+\.\w+)$")
LISTED_END = re.compile(r"^# listed (\d+) cases$")


def parse_listing(lines, status):
    """A kernel's `test=list` output (tests/ktest.c, list()) as
    {suite.case: kind}, and what is wrong with it: an exit status other
    than 0, a malformed or repeated line, a case run instead of listed, a
    line after the end, or an end line missing, repeated, or with a count
    other than the lines before it."""
    cases, problems, ends, count = {}, [], [], 0
    if status != 0:
        problems.append("the listing exited with status %s, not 0" % status)
    for line in lines:
        line = line.rstrip()
        if line.startswith(("# test ", "# alone ")):
            m = LISTED.match(line)
            if not m:
                problems.append("a malformed line: %r" % line)
                continue
            count += 1
            if ends:
                problems.append("a case after the end line: %r" % line)
            if m.group(2) in cases:
                problems.append("%s is listed twice" % m.group(2))
            cases[m.group(2)] = m.group(1)
        elif line.startswith("# listed"):
            m = LISTED_END.match(line)
            if m:
                ends.append(int(m.group(1)))
            else:
                problems.append("a malformed end line: %r" % line)
        elif KTAP_PLAN.match(line) or KTAP_RESULT_START.match(line):
            problems.append("it ran cases instead of listing them: %r" % line)
    if not ends:
        problems.append("no `# listed N cases` line: the listing did not finish")
    elif len(ends) > 1:
        problems.append("%d end lines" % len(ends))
    elif ends[0] != count:
        problems.append("the end line counts %d cases, %d are listed" % (ends[0], count))
    return cases, problems


def compare_listing(listed, pinned):
    """What differs between a kernel's listing and the inventory's cases
    for it ({suite.case: kind} both): each suite or case pinned but not
    listed, listed but not pinned, or listed with another kind."""
    problems, missing = [], {}
    listed_suites = {case.split(".")[0] for case in listed}
    for case in sorted(set(pinned) - set(listed)):
        missing.setdefault(case.split(".")[0], []).append(case)
    for suite, cases in sorted(missing.items()):
        if suite in listed_suites:
            problems += ["case %s (%s) is not listed" % (c, pinned[c]) for c in cases]
        else:
            problems.append(
                "suite %s is not listed: %d pinned cases missing (%s)"
                % (suite, len(cases), ", ".join(cases))
            )
    for case in sorted(set(listed) - set(pinned)):
        problems.append(
            "case %s (%s) is listed, but not in %s: %s"
            % (case, listed[case], INVENTORY, REGENERATE)
        )
    for case in sorted(set(listed) & set(pinned)):
        if listed[case] != pinned[case]:
            problems.append(
                "case %s is listed as `%s`, but pinned as `%s`" % (case, listed[case], pinned[case])
            )
    return problems


def list_kernel(build, kernel):
    """A kernel's listing: boot it with test=list (the host tests: run
    them with `list`). Returns (exit status, lines)."""
    if kernel == HOST:
        status, out = run([host_tests(build), "list"], TIMEOUT)
        return (124 if status is None else status), text_of(out).splitlines()
    return boot(os.path.join(build, kernel, "bulkhead.elf"), "test=list")


def run_listing(build, kernel, pinned, relevant=lambda case: True):
    """A kernel lists exactly the cases the inventory pins for it (those
    pinned that are relevant, under --only)."""
    status, lines = list_kernel(build, kernel)
    listed, problems = parse_listing(lines, status)
    problems += compare_listing(
        {c: k for c, k in listed.items() if relevant(c)},
        {c: k for c, k in pinned.items() if relevant(c)},
    )
    return [
        Result(
            prefix_of(kernel) + "listing",
            not problems,
            "\n".join("    " + p for p in problems) + "\n" + tail(lines),
        )
    ]


def write_inventory(build):
    """make inventory: write tests/inventory.txt from each test kernel's
    own listing, print what changed, and check the result against the
    sources. Returns the exit status."""
    kernels = [HOST] + test_kernels()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        listings = list(pool.map(lambda k: list_kernel(build, k), kernels))
    inv, problems = {}, []
    for kernel, (status, lines) in zip(kernels, listings):
        inv[kernel], bad = parse_listing(lines, status)
        if bad:
            problems.append("%s: %s\n%s" % (kernel, "; ".join(bad), tail(lines)))
    if problems:
        print(
            "run-tests: %s not written, a listing is wrong:\n%s" % (INVENTORY, "\n".join(problems))
        )
        return 1
    try:
        with open(INVENTORY) as f:
            old = f.read()
    except FileNotFoundError:
        old = ""
    new = format_inventory(inv)
    with open(INVENTORY, "w") as f:
        f.write(new)
    old_lines = {line for line in old.splitlines() if not line.startswith("#")}
    new_lines = {line for line in new.splitlines() if not line.startswith("#")}
    for line in sorted(old_lines - new_lines):
        print("- " + line)
    for line in sorted(new_lines - old_lines):
        print("+ " + line)
    print(
        "run-tests: wrote %s: %d cases in %d kernels (%d added, %d removed)"
        % (
            INVENTORY,
            len(new_lines),
            len(inv),
            len(new_lines - old_lines),
            len(old_lines - new_lines),
        )
    )
    problems = check_inventory(inv, source_cases(), test_kernels())
    for p in problems:
        print("run-tests: " + p)
    return 1 if problems else 0


def every_case(case):
    """A listing check's filter when every case of the kernel is wanted."""
    return True


def wanted_case(want, prefix, case):
    """A listing check's filter: the cases --only wants."""
    return want(prefix + case)


def inventory_jobs(build, inv, want):
    """The jobs that run what the inventory pins, among the cases --only
    wants: each kernel's listing, the host tests (one run), each suite in
    one boot (or, if --only wants some of its cases, each of those by
    itself), each alone case by itself."""
    jobs = []
    for kernel in sorted(inv):
        pinned, prefix = inv[kernel], prefix_of(kernel)
        names = [prefix + case for case in sorted(pinned)]
        if want(prefix + "listing"):
            relevant = every_case
        else:
            relevant = functools.partial(wanted_case, want, prefix)
        jobs.append(
            Job(
                lambda k=kernel, p=pinned, r=relevant: run_listing(build, k, p, r),
                selects=names + [prefix + "listing"],
            )
        )
        tests = [case for case, kind in sorted(pinned.items()) if kind == "test"]
        if kernel == HOST:
            jobs.append(
                Job(lambda t=tests: run_host(build, t), names=[prefix + case for case in tests])
            )
            continue
        image = os.path.join(build, kernel, "bulkhead.elf")
        suites = {}
        for case in tests:
            suites.setdefault(case.split(".")[0], []).append(case)
        for suite, cases in sorted(suites.items()):
            chosen = [case for case in cases if want(prefix + case)]
            if chosen == cases:
                jobs.append(
                    Job(
                        lambda i=image, p=prefix, s=suite, c=cases: run_suite(i, p, s, c),
                        names=[prefix + case for case in cases],
                    )
                )
            else:
                jobs += [
                    Job(
                        lambda i=image, p=prefix, c=case: run_suite(i, p, c, [c]),
                        names=[prefix + case],
                    )
                    for case in chosen
                ]
        jobs += [
            Job(lambda i=image, p=prefix, c=case: run_alone(i, p, c), names=[prefix + case])
            for case, kind in sorted(pinned.items())
            if kind == "alone"
        ]
    return jobs


# --- KTAP: suites, alone cases, host tests ----------------------------------
def parse_ktap(prefix, lines, status, what, expected):
    """The results of one KTAP run (booted with `test=what`), checked
    against the cases the inventory expects from it. Returns one Result
    per expected case (one not reported, or reported twice, fails), one
    failing Result per case reported that was not expected, and a failing
    Result named after the run (prefix + what + ".ktap") if the KTAP
    itself is wrong: no plan or two, a result before the plan, beyond it
    or out of order, fewer results than planned, a plan that does not
    count the expected cases, or an exit status that does not match."""
    plan, number, seen, problems = None, 0, {}, []
    for line in lines:
        line = line.rstrip()
        m = KTAP_PLAN.match(line)
        if m:
            if plan is None:
                plan = int(m.group(1))
            else:
                problems.append("a second plan: %r" % line)
            continue
        m = KTAP_RESULT.match(line)
        if not m:
            if KTAP_RESULT_START.match(line):
                problems.append("a malformed result: %r" % line)
            continue
        number += 1
        if plan is None:
            problems.append("a result before the plan: %r" % line)
        elif int(m.group(2)) > plan:
            problems.append("a result beyond the plan 1..%d: %r" % (plan, line))
        if int(m.group(2)) != number:
            problems.append("result %d is numbered %s: %r" % (number, m.group(2), line))
        seen.setdefault(m.group(3), []).append(not m.group(1))

    run_name = prefix + what + ".ktap"
    results = []
    for case in expected:
        oks = seen.pop(case, [])
        if not oks:
            results.append(Result(prefix + case, False, "    not reported (see %s)" % run_name))
        elif len(oks) > 1:
            results.append(Result(prefix + case, False, "    reported %d times" % len(oks)))
        else:
            results.append(Result(prefix + case, oks[0], "" if oks[0] else tail(lines)))
    for case in sorted(seen):
        results.append(
            Result(
                prefix + case,
                False,
                "    reported, but not in %s for this kernel: %s" % (INVENTORY, REGENERATE),
            )
        )
    if plan is None:
        problems.insert(0, "no KTAP plan")
    else:
        if number < plan:
            problems.append("%d of %d planned cases reported before it stopped" % (number, plan))
        if plan != len(expected):
            problems.append(
                "plan 1..%d, but %s pins %d cases for it" % (plan, INVENTORY, len(expected))
            )
    if not problems and status != (0 if all(r.ok for r in results) else 1):
        problems.append("exit status %s does not match the results" % status)
    if problems:
        results.append(
            Result(
                run_name,
                False,
                "    %s (exit %s)\n%s" % ("\n    ".join(problems), status, tail(lines)),
            )
        )
    return results


def run_suite(image, prefix, what, expected):
    """Boot a test kernel with test=what (a suite, or one case of it:
    suite.case) and check its KTAP against the cases expected."""
    suite = what.split(".")[0]
    args = ("test=%s bootmark=seen %s -- one two" % (what, SUITE_ARGS.get(suite, ""))).replace(
        "  ", " "
    )
    status, lines = boot(image, args, SUITE_QEMU.get(suite, ""), net=SUITE_NET.get(suite, ""))
    return parse_ktap(prefix, lines, status, what, expected)


def check_alone(name, status, lines, vms):
    """The verdict on the boot of a TEST_ALONE case, from its exit status
    and output lines (vms[i]: the VM that printed line i, see boot_vms).
    Before it ends the machine, the case announces the exit status and
    the texts it expects (`# expect-exit: N`, `# expect: text`). Each text
    must appear after the last announcement, in the announcing VM's lines:
    what came before cannot be the case's doing. Another VM's lines (ept)
    count wherever they are, since VMs print side by side, their lines
    interleaved in no set order."""
    want_exit, expects, last = None, [], None
    for i, line in enumerate(lines):
        if line.startswith("# expect-exit: "):
            want_exit = line[len("# expect-exit: ") :]
        elif line.startswith("# expect: "):
            expects.append(line[len("# expect: ") :])
        else:
            continue
        last = i
    if want_exit is None or not want_exit.isdigit():
        return Result(name, False, "the case announced no exit status\n" + tail(lines))
    after = "\n".join(
        line
        for i, line in enumerate(lines)
        if (i > last or vms[i] != vms[last]) and not line.startswith("# expect")
    )
    missing = [e for e in expects if e not in after]
    if status != int(want_exit):
        return Result(
            name, False, "exit status %d, expected %s\n%s" % (status, want_exit, tail(lines))
        )
    if missing:
        return Result(
            name,
            False,
            "missing from the output after the announcements: %s\n%s"
            % ("; ".join(repr(m) for m in missing), tail(lines)),
        )
    return Result(name, True)


def run_alone(image, prefix, case):
    """Boot a TEST_ALONE case by itself and check what it announced."""
    suite = case.split(".")[0]
    status, lines, vms = boot_vms(
        image, "test=%s" % case, SUITE_QEMU.get(suite, ""), net=SUITE_NET.get(suite, "")
    )
    return [check_alone(prefix + case, status, lines, vms)]


def host_tests(build):
    """The host unit tests' binary (tests/host/, with sanitizers)."""
    return os.path.join(build, "tests", "host-tests")


def run_host(build, expected):
    """The host unit tests, all in one run."""
    status, out = run([host_tests(build), "all"], TIMEOUT)
    return parse_ktap(
        prefix_of(HOST),
        text_of(out).splitlines(),
        124 if status is None else status,
        "all",
        expected,
    )


# --- the other checks -------------------------------------------------------
# One case in `python3 -m unittest -v` output (a docstring's first line
# may stand between its name and its verdict).
UNITTEST_LINE = re.compile(
    r"^(test\w+) \(([\w.]+)\)(?:\n.*)? \.\.\. "
    r"(ok|FAIL|ERROR|skipped.*|expected failure|unexpected success)$",
    re.M,
)
UNITTEST_RAN = re.compile(r"^Ran (\d+) tests? in ", re.M)
# Python unit tests: folder, prefix of their results.
UNITTESTS = [
    (os.path.join("tests", "config"), "config."),  # the configuration tool
    (os.path.join("tests", "runner"), "runner."),  # this runner
    (os.path.join("tests", "mkinitrd"), "mkinitrd."),  # the initrd archive builder
    (os.path.join("tests", "accel"), "accel."),  # the accelerator picker
    (os.path.join("tests", "make"), "make."),  # make help, make configs, a missing CONFIG
    (os.path.join("tests", "explore"), "explore."),  # the explorer
]


def unittest_names(folder, prefix):
    """The names run_unittests gives a folder's cases, found by loading
    them without running them (for --only)."""

    def cases(suite):
        for test in suite:
            if isinstance(test, unittest.TestSuite):
                yield from cases(test)
            else:
                yield prefix + test._testMethodName

    return list(cases(unittest.TestLoader().discover(folder, top_level_dir=folder)))


def run_unittests(folder, prefix):
    """A folder of Python unit tests (unittest discover). Every case
    counted must have a verdict line, and the run must say OK."""
    status, out = run([sys.executable, "-m", "unittest", "discover", "-s", folder, "-v"], TIMEOUT)
    text = text_of(out)
    lines = text.splitlines()
    results = [
        Result(
            prefix + m.group(1),
            m.group(3) in ("ok", "expected failure") or m.group(3).startswith("skipped"),
            tail(lines),
        )
        for m in UNITTEST_LINE.finditer(text)
    ]
    ran = UNITTEST_RAN.search(text)
    if (
        not results
        or ran is None
        or int(ran.group(1)) != len(results)
        or (status != 0 and all(r.ok for r in results))
    ):
        results.append(
            Result(
                prefix + "unittest",
                False,
                "exit %s, %s tests run, %d verdicts read\n%s"
                % (status, ran.group(1) if ran else "no", len(results), tail(lines)),
            )
        )
    return results


def run_bad_config(build):
    """make with a wrong configuration stops with file:line: message."""
    bad = os.path.join(build, "tests", "bad-config.toml")
    os.makedirs(os.path.dirname(bad), exist_ok=True)
    with open(bad, "w") as f:
        f.write(
            'app = "hello"\nbackend = "mpk"\n\n[[compartment]]\n'
            'name = "a"\ndefault = true\nlibraries = ["sched", "nosuchlib"]\n'
        )
    status, out = run(["make", "--no-print-directory", "CONFIG=" + bad, "image"], 600)
    out = text_of(out)
    want = "%s:7: " % bad
    ok = status not in (0, None) and want in out and "nosuchlib" in out
    return [
        Result(
            "config.make_stops_on_a_bad_config",
            ok,
            "exit %s, expected a line starting %r:\n%s" % (status, want, out[-2000:]),
        )
    ]


def run_stray_wrpkru(build):
    """An image whose app holds WRPKRU and XRSTOR does not link."""
    config = os.path.join("tests", "configs", "bad", "stray.toml")
    status, out = run(["make", "--no-print-directory", "CONFIG=" + config, "image"], 600)
    out = text_of(out)
    want = [
        r"build/stray/bulkhead\.elf: offset 0x[0-9a-f]+ \(address 0x[0-9a-f]+ "
        r"<main\+0x[0-9a-f]+>, compartment app\): WRPKRU \(0f 01 ef\) "
        r"outside the gate section",
        r"<main\+0x[0-9a-f]+>, compartment app\): XRSTOR \(0f ae /5\) " r"outside the gate section",
    ]
    missing = [w for w in want if not re.search(w, out)]
    ok = (
        status not in (0, None)
        and not missing
        and not os.path.exists(os.path.join(build, "stray", "bulkhead.elf"))
    )
    return [
        Result(
            "image.stray_wrpkru_and_xrstor_rejected",
            ok,
            "exit %s, missing %s:\n%s" % (status, missing, out[-2000:]),
        )
    ]


# A compartment's code, constants, data and bss, and common code, for
# run_layout_pad: the code refers to the data by address and by
# displacement, as a stray byte's instruction would.
LAYOUT_PAD_COMP = """
.text
.globl pad_code
pad_code: movl $pad_rodata, %esi; leaq pad_data(%rip), %rax; call pad_common; ret
.section .rodata
.globl pad_rodata
pad_rodata: .long 1
.data
.globl pad_data
pad_data: .long 2
.bss
.globl pad_bss
pad_bss: .zero 8
"""
LAYOUT_PAD_COMMON = """
.text
.globl pad_common
pad_common: ret
"""
# How far each moves from the start of its output section per step of
# __layout_pad (linker/image.ld.in), and that start (%s: the compartment).
LAYOUT_PAD_MOVES = {
    "pad_code": ("__comp_%s_text_start", 1),
    "pad_rodata": ("__comp_%s_rodata_start", 2),
    "pad_data": ("__comp_%s_data_start", 2),
    "pad_bss": ("__comp_%s_bss_start", 2),
    "pad_common": ("__common_text_start", 3),
}


def run_layout_pad(build):
    """The linker script moves a compartment's code by __layout_pad, its
    constants, data and bss by twice and common code by three times, so
    that a relink (scripts/link-image.sh) changes both the displacements
    between them and their absolute addresses: objects linked with a test
    kernel's script at pad 0 and 64, each symbol moved by its share from
    the start of its section, and so to another address."""
    name = "image.layout_pad_moves_code_and_data"
    script = os.path.join(build, "gates-mpk", "kernel.ld")
    try:
        comp = re.search(r"\.text\.comp_(\w+)", open(script).read()).group(1)
    except (OSError, AttributeError) as e:
        return [Result(name, False, "no compartment in %s: %s" % (script, e))]
    work = os.path.join(build, "tests", "layout-pad")
    os.makedirs(os.path.join(work, "comp"), exist_ok=True)
    objs = []
    for src, obj in (
        (LAYOUT_PAD_COMP, os.path.join(work, "comp", comp + ".o")),
        (LAYOUT_PAD_COMMON, os.path.join(work, "common.o")),
    ):
        with open(obj[:-2] + ".s", "w") as f:
            f.write(src)
        status, out = run(["as", "--64", "-o", obj, obj[:-2] + ".s"], 60)
        if status != 0:
            return [Result(name, False, "as: exit %s:\n%s" % (status, text_of(out)))]
        objs.append(obj)
    addrs = []
    for pad in (0, 64):
        elf = os.path.join(work, "pad%d.elf" % pad)
        cmd = ["ld", "-nostdlib", "-z", "max-page-size=0x1000", "--no-warn-rwx-segments"]
        cmd += ["--defsym=__layout_pad=%d" % pad, "-T", script, "-o", elf] + objs
        status, out = run(cmd, 60)
        if status != 0:
            return [Result(name, False, "ld: exit %s:\n%s" % (status, text_of(out)))]
        status, out = run(["nm", elf], 60)
        syms = {
            p[2]: int(p[0], 16) for p in map(str.split, text_of(out).splitlines()) if len(p) == 3
        }
        addrs.append(syms)
    wrong = []
    for sym, (start, k) in LAYOUT_PAD_MOVES.items():
        start = start.replace("%s", comp)
        at = [a.get(sym, -1) - a.get(start, 0) for a in addrs]
        if at[1] - at[0] != 64 * k or addrs[0].get(sym) == addrs[1].get(sym):
            wrong.append(
                "%s at %s+%s, then +%s (not %d further)" % (sym, start, at[0], at[1], 64 * k)
            )
    return [Result(name, not wrong, "; ".join(wrong))]


def bench_check_names():
    """The names run_bench_check gives its results: the host harness, the
    same in a Linux guest (where the host has no PKU), each gate-test image
    (IMAGES in scripts/bench-gates.py)."""
    spec = importlib.util.spec_from_file_location(
        "bench_gates", os.path.join(HERE, "bench-gates.py")
    )
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return ["bench.check.host", "bench.check.host-in-linux-guest"] + [
        "bench.check.qemu." + image for image in bench.IMAGES
    ]


def refused_build(build, name, config, want):
    """Result `name`: building bad configuration `config` fails, printing
    every line of `want` (with %s for the configuration's path), and
    leaves no image."""
    path = os.path.join("tests", "configs", "bad", config + ".toml")
    status, out = run(["make", "--no-print-directory", "CONFIG=" + path, "image"], 600)
    out = text_of(out)
    missing = [w % path for w in want if w % path not in out]
    ok = (
        status not in (0, None)
        and not missing
        and not os.path.exists(os.path.join(build, config, "bulkhead.elf"))
    )
    return [Result(name, ok, "exit %s, missing %r:\n%s" % (status, missing, out[-2000:]))]


def run_forbidden_call(build):
    """An application calling core-only functions (vm_map, sched_set_hooks,
    the gate runtime's gate_pkru_restore) does not build."""
    return refused_build(
        build,
        "image.core_only_call_rejected",
        "forbidden-call",
        [
            "%%s: compartment app may not call %s (core only; library %s in compartment "
            "core, %s)" % call
            for call in (
                ("vm_map", "mm", "mm/mm.api"),
                ("sched_set_hooks", "sched", "sched/sched.api"),
            )
        ]
        + [
            "%s: compartment app may not call gate_pkru_restore (gate runtime: core and "
            "sched only)"
        ],
    )


def run_driver_pci(build):
    """A driver compartment calling pci_find (core only) does not build."""
    return refused_build(
        build,
        "image.driver_pci_call_rejected",
        "driver-pci",
        [
            "%s: compartment drv may not call pci_find (core only; library kernel in "
            "compartment core, kernel/kernel.api)"
        ],
    )


def run_privileged(build):
    """An mpk application holding privileged instructions does not link;
    the scan names each, with its address, symbol and compartment."""
    config = os.path.join("tests", "configs", "bad", "privileged.toml")
    status, out = run(["make", "--no-print-directory", "CONFIG=" + config, "image"], 600)
    out = text_of(out)
    at = (
        r"^build/privileged/bulkhead\.elf: offset 0x[0-9a-f]+ \(address 0x[0-9a-f]+ "
        r"<main\+0x[0-9a-f]+>, compartment app\): "
    )
    want = [
        at + "privileged instruction '%s' \\(%s\\) outside the kernel core$" % w
        for w in (
            (r"mov cr4,rax", "moves a control or debug register"),
            (r"wrmsr", "accesses a model-specific register"),
            (r"out 0x80,al", "port I/O"),
            (r"lidt \[r[a-z0-9]+\]", "loads a descriptor table"),
            (r"xsetbv", "writes an extended control register"),
            (r"xrstors \[r[a-z0-9]+\]", "restores or saves supervisor state"),
        )
    ]
    want.append(at + r"XRSTORS \(0f c7 /3\) outside the gate section$")
    missing = [w for w in want if not re.search(w, out, re.M)]
    ok = (
        status not in (0, None)
        and not missing
        and not os.path.exists(os.path.join(build, "privileged", "bulkhead.elf"))
    )
    return [
        Result(
            "image.privileged_instructions_rejected",
            ok,
            "exit %s, missing %r:\n%s" % (status, missing, out[-3000:]),
        )
    ]


def run_imports(build):
    """Each isolated image lists its cross-compartment calls, and none of
    them is a function its API file keeps from that caller."""
    out = []
    for name in IMPORTS:
        path = os.path.join(build, name, "imports.txt")
        try:
            with open(path) as f:
                lines = [line.split() for line in f]
        except FileNotFoundError:
            out.append(Result("image.imports_%s" % name, False, "no " + path))
            continue
        # The kernel core is the default compartment of isolated images.
        with open(os.path.join(build, name, "config.mk")) as f:
            core = re.search(r"^CFG_DEFAULT := (\w+)$", f.read(), re.M).group(1)
        bad = [w for w in lines if len(w) != 3 or (w[2] in CORE_ONLY and w[0] != core)]
        out.append(
            Result(
                "image.imports_%s" % name,
                lines and not bad,
                "%d lines, wrong or core-only: %s" % (len(lines), bad[:5]),
            )
        )
    return out


def run_checks_where_isolated(build):
    """Argument checks are generated for isolated images only: the mpk
    gate-test image has a checker per checked call site, the fcall one
    none (its gates are plain calls)."""
    out = []
    for name, want in (("gates-mpk", True), ("gates-fcall", False)):
        nm = subprocess.run(
            ["nm", os.path.join(build, name, "bulkhead.elf")], capture_output=True, text=True
        )
        checkers = [w for w in nm.stdout.split() if w.startswith("__chkc_")]
        ok = nm.returncode == 0 and bool(checkers) == want
        out.append(
            Result(
                "image.argument_checks_%s_%s" % (name, "present" if want else "absent"),
                ok,
                "%d checkers in %s: %s" % (len(checkers), name, checkers[:4]),
            )
        )
    return out


# The interface fuzzer's short pass in make test: a light-gate, a
# full-gate and an ept configuration, a fixed seed each (scripts/fuzz.py;
# make fuzz runs it for longer).
FUZZ_CONFIGS = ("httpd-mpk", "mpk3full", "ept2")
FUZZ_PASS_SECONDS = 20


def run_fuzz(build, name):
    """A seeded pass of the interface fuzzer over configs/NAME.toml: some
    calls made, and 0 findings."""
    case = "fuzz.%s.seeded_pass_has_no_findings" % name
    cmd = [sys.executable, os.path.join(HERE, "fuzz.py"), "configs/%s.toml" % name]
    cmd += ["--seconds", str(FUZZ_PASS_SECONDS), "--seed", "1", "--build", build]
    status, out = run(cmd, FUZZ_PASS_SECONDS + 600)
    text = text_of(out)
    lines = text.strip().splitlines()
    m = re.match(r"^(\d+) calls, (\d+) findings$", lines[-1] if lines else "")
    ok = status == 0 and m is not None and int(m.group(1)) > 0 and m.group(2) == "0"
    return [Result(case, ok, "" if ok else text[-4000:])]


def run_example_backend(build):
    """The example backend (gates/example/) builds and boots an image."""
    config = os.path.join("tests", "configs", "other", "example.toml")
    status, out = run(["make", "--no-print-directory", "CONFIG=" + config, "image"], 600)
    if status != 0:
        return [Result("image.example_backend_boots", False, text_of(out)[-2000:])]
    status, lines = boot(os.path.join(build, "example", "bulkhead.elf"), "")
    return check_output(
        "image.example_backend_boots",
        status,
        lines,
        0,
        [
            r"\(config example, backend example, app hello\)",
            r"compartment app: hello libc",
            r"hello from hello on Bulkhead",
            r"Bulkhead: exit status 0",
        ],
    )


def gdb_counts(image, n):
    """Boot image under QEMU's debugger stub and read its n gate counters
    (backend count) at kernel_exit: (the counters or None, the output)."""
    env = dict(os.environ, QEMU_TIMEOUT=str(TIMEOUT), QEMU_EXTRA="")
    qemu = spawn(
        [QEMU_RUN, "--debug", image],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        time.sleep(1)
        gdb = [
            "gdb",
            "-q",
            "-batch",
            "-ex",
            "set architecture i386:x86-64",
            "-ex",
            "target remote :1234",
            "-ex",
            "hbreak kernel_exit",
            "-ex",
            "continue",
            "-ex",
            "x/%dgd &gate_counts" % n,
            "-ex",
            "kill",
            image,
        ]
        status, out = run(gdb, TIMEOUT)
    finally:
        end(qemu)
        qemu.communicate()
    counts = []
    for line in text_of(out).splitlines():
        m = re.match(r"^0x[0-9a-f]+(?: <[^>]*>)?:(.*)$", line)
        if m:
            counts += [int(w) for w in m.group(1).split()]
    return (counts if len(counts) == n else None), text_of(out)


def run_count_backend(build):
    """The count backend (gates/count/) gives every crossing of the split a
    counting stub, and the stubs count: hello's crossings are read at
    kernel_exit through QEMU's debugger stub."""
    name = "image.count_backend_counts"
    config = os.path.join("tests", "configs", "other", "count.toml")
    status, out = run(["make", "--no-print-directory", "CONFIG=" + config, "image"], 600)
    if status != 0:
        return [Result(name, False, text_of(out)[-2000:])]
    with open(os.path.join(build, "count", "imports.txt")) as f:
        imports = [line.split() for line in f if line.strip()]
    with open(os.path.join(build, "count", "gates.asm")) as f:
        stubs = re.findall(r"^; \d+: (\w+) -> (\w+) (\w+)$", f.read(), re.M)
    if sorted(map(tuple, imports)) != sorted(stubs):
        return [Result(name, False, "    stubs %r, imports %r" % (stubs, imports))]
    counts, out = gdb_counts(os.path.join(build, "count", "bulkhead.elf"), len(stubs))
    if counts is None:
        return [Result(name, False, "    no counters read:\n" + out[-2000:])]
    by = {}
    for (caller, callee, _), c in zip(stubs, counts):
        by[(caller, callee)] = by.get((caller, callee), 0) + c
    # hello's threads are the scheduler's: the app calls it, and so does
    # the core (its hooks); the app's output goes to the core's console.
    want = [("app", "sched"), ("app", "core"), ("core", "sched")]
    missing = [p for p in want if not by.get(p)]
    if missing:
        return [Result(name, False, "    no crossing counted for %r: %r" % (missing, by))]
    return [Result(name, True)]


def run_stray_places(build):
    """The scanner names a stray WRPKRU/XRSTOR wherever it lies outside the
    gate section: built into the kernel core's compartment (its code, boot
    code, its own .gates.text, an orphan section, bytes inside or across
    instructions), and planted in the common text of the test kernel,
    where one planted in the gate section is allowed. Each report exactly:
    the image, the place, the symbol and offset, the file offset agreeing
    with the address and (when the failed link left its symbols in
    bulkhead.elf.tmp) the address with the symbol's."""

    def symbols(nm):
        try:
            return {p[2]: int(p[0], 16) for p in map(str.split, open(nm)) if len(p) == 3}
        except OSError:
            return {}

    def report(out, image, syms, sym, off, place, what):
        """Whether out holds the scanner's line for sym+off (None: any)."""
        pattern = (
            r"^%s: offset 0x([0-9a-f]+) \(address 0x([0-9a-f]+) "
            r"<%s\+0x([0-9a-f]+)>, %s\): %s outside the gate section$"
            % (re.escape(image), sym, re.escape(place), re.escape(what))
        )
        for m in re.finditer(pattern, out, re.M):
            addr, at = int(m.group(2), 16), int(m.group(3), 16)
            if (
                (off is None or at == off)
                and int(m.group(1), 16) == addr - delta
                and (not syms or addr == syms.get(sym, -1) + at)
            ):
                return True
        return False

    # An mpk test kernel, whose gate_callback (gates/mpk/callback.c) is
    # common text: its load address minus file offset, as every image's.
    elf = os.path.join(build, "gates-mpk", "bulkhead.elf")
    nm = os.path.join(build, "gates-mpk", "bulkhead.sym")
    data = open(elf, "rb").read()
    (phoff,) = struct.unpack_from("<Q", data, 0x20)
    _t, _f, offset, vaddr = struct.unpack_from("<IIQQ", data, phoff)
    delta = vaddr - offset

    config = os.path.join("tests", "configs", "bad", "stray-core.toml")
    status, built = run(["make", "--no-print-directory", "CONFIG=" + config, "image"], 600)
    built = text_of(built)
    syms = symbols(os.path.join(build, "stray-core", "bulkhead.elf.tmp", "pass3.nm"))
    wrpkru, xrstor = "WRPKRU (0f 01 ef)", "XRSTOR (0f ae /5)"
    want = [
        ("in_core_code", "main", None, "compartment core", wrpkru),
        ("xrstor_in_core_code", "main", None, "compartment core", xrstor),
        ("in_boot_code", "stray_in_boot_text", 0, "boot code", wrpkru),
        ("in_a_librarys_gates_text", "stray_in_gates_text", 0, "compartment core", wrpkru),
        ("in_an_orphan_section", "stray_in_an_orphan", 0, "section .stray_orphan", wrpkru),
        ("inside_an_immediate", "stray_in_an_immediate", 1, "compartment core", wrpkru),
        ("across_two_instructions", "stray_across_two_instructions", 1, "compartment core", wrpkru),
    ]
    results = []
    for name, sym, off, place, what in want:
        ok = status not in (0, None) and report(
            built, "build/stray-core/bulkhead.elf", syms, sym, off, place, what
        )
        results.append(
            Result(
                "image.stray_%s_rejected" % name,
                ok,
                "exit %s, no report of <%s> (%s):\n%s" % (status, sym, place, built[-3000:]),
            )
        )

    # Planted in a copy of that kernel.
    syms = symbols(nm)
    patched = bytearray(data)
    for sym in ("gate_callback", "__gates_start"):
        at = syms[sym] + 4 - delta
        patched[at : at + 3] = b"\x0f\x01\xef"
    out_elf = os.path.join(build, "tests", "stray-common.elf")
    os.makedirs(os.path.dirname(out_elf), exist_ok=True)
    with open(out_elf, "wb") as f:
        f.write(patched)
    code, out = run([sys.executable, os.path.join(HERE, "scan-wrpkru.py"), out_elf, nm], 60)
    out = text_of(out)
    results.append(
        Result(
            "image.stray_in_common_text_rejected",
            code == 1 and report(out, out_elf, syms, "gate_callback", 4, "common text", wrpkru),
            "exit %s:\n%s" % (code, out[-2000:]),
        )
    )
    results.append(
        Result(
            "image.wrpkru_in_the_gate_section_allowed",
            code == 1 and len(out.strip().splitlines()) == 1,
            "expected only the common-text report:\n" + out[-2000:],
        )
    )
    return results


def run_bench_check(build):
    """make test-gates' harnesses, quickly: every gate path gives the
    right answers (host and each gate-test image), no timing."""
    status, out = run(
        [sys.executable, os.path.join(HERE, "bench-gates.py"), "--build", build, "--check"], 1800
    )
    lines = text_of(out).splitlines()
    out = []
    for line in lines:
        ok, _, rest = line.partition(" ")
        name = rest.strip().split(":")[0].replace(" ", ".")
        out.append(Result("bench.check." + name, ok == "ok", line))
    if not out or (status != 0 and all(r.ok for r in out)):
        out.append(Result("bench.check", False, "exit %s\n%s" % (status, tail(lines))))
    return out


# --- the POSIX harness ------------------------------------------------------
# Every tests/posix/*.c is an ordinary program; one dispatcher runs their
# mains in turn, between marker lines, on the host against glibc
# (build/tests/posix-host) and as the application of each
# tests/configs/posix-*.toml image. Each program must print the same lines
# in both.
POSIX_APP = "posix"
POSIX_BEGIN, POSIX_END = "posix: begin", "posix: end"
POSIX_PROGRAM = re.compile(r"^== (\w+) ==$")


def posix_programs():
    """The programs of the harness: tests/posix/*.c, by name."""
    return sorted(f[:-2] for f in os.listdir(os.path.join("tests", "posix")) if f.endswith(".c"))


def posix_configs():
    """The configurations that run the harness in the guest."""
    folder = os.path.join("tests", "configs")
    return sorted(
        c[:-5]
        for c in os.listdir(folder)
        if c.endswith(".toml") and config_app(os.path.join(folder, c)) == POSIX_APP
    )


def posix_names(config):
    """The results run_posix gives for a configuration."""
    return ["posix.%s.%s" % (config, p) for p in posix_programs()] + [
        "posix.%s.runs_to_the_end" % config
    ]


def posix_blocks(lines):
    """The dispatcher's output: ({program: its lines, its marker lines
    included}, whether the end line came)."""
    blocks, current, inside = {}, None, False
    for line in lines:
        if line == POSIX_BEGIN:
            inside = True
        elif line == POSIX_END and inside:
            return blocks, True
        elif inside:
            m = POSIX_PROGRAM.match(line)
            if m:
                current = m.group(1)
                blocks[current] = []
            if current is not None:
                blocks[current].append(line)
    return blocks, False


def compare_posix(config, programs, host, guest, status):
    """One Result per program: the guest (its output lines, exit status)
    printed what the host did, else the difference; and one that both runs
    got to their end line and the guest exited with 0."""
    want, host_ended = posix_blocks(host)
    got, guest_ended = posix_blocks(guest)
    out = []
    for p in programs:
        name = "posix.%s.%s" % (config, p)
        if p not in want:
            out.append(Result(name, False, "    the host run printed nothing for it"))
        elif got.get(p) != want[p]:
            diff = difflib.unified_diff(
                want[p], got.get(p, []), "host (glibc)", "guest (%s)" % config, lineterm=""
            )
            more = "" if p in got else "\n    the guest printed nothing for it:\n" + tail(guest)
            out.append(Result(name, False, "\n".join("    " + d for d in diff) + more))
        else:
            out.append(Result(name, True))
    problems = []
    if not host_ended:
        problems.append("the host run did not get to %r" % POSIX_END)
    if not guest_ended or status != 0:
        problems.append(
            "the guest ended with status %d%s"
            % (status, "" if guest_ended else " before %r" % POSIX_END)
        )
    out.append(
        Result(
            "posix.%s.runs_to_the_end" % config,
            not problems,
            "    " + "; ".join(problems) + "\n" + tail(guest),
        )
    )
    return out


# Run argv[1] with a tmpfs of its own on /tmp, in a mount namespace of its
# own (CLONE_NEWNS), made without starting another process. The program
# is opened first: it may itself lie under /tmp, which the mount hides.
PRIVATE_TMP = """
import ctypes, os, sys
program = os.open(sys.argv[1], os.O_RDONLY)
libc = ctypes.CDLL(None, use_errno=True)
MS_REC, MS_PRIVATE = 0x4000, 0x40000
ok = libc.unshare(0x00020000) == 0
ok = ok and libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) == 0
ok = ok and libc.mount(b"posix", b"/tmp", b"tmpfs", 0, b"size=256m,mode=1777") == 0
if not ok:
    sys.exit("private /tmp: " + os.strerror(ctypes.get_errno()))
os.chdir("/")
os.execv("/proc/self/fd/%d" % program, sys.argv[1:])
"""


def run_posix(build, config):
    """The POSIX programs print in the guest of `config` what they print
    on the host."""
    # On the host the programs get a /tmp of their own, a fresh tmpfs in a
    # mount namespace: runs for several configurations at once do not
    # share their files, and the file system is Linux's nearest to ramfs.
    # Python makes the namespace itself and then becomes the program, so
    # the program has no finished child (getrusage(RUSAGE_CHILDREN)).
    host_bin = os.path.abspath(os.path.join(build, "tests", "posix-host"))
    status, out = run([sys.executable, "-c", PRIVATE_TMP, host_bin], TIMEOUT)
    host = text_of(out).splitlines()
    if status != 0:
        return [
            Result(n, False, "    the host run: exit %s\n%s" % (status, tail(host)))
            for n in posix_names(config)
        ]
    status, guest = boot(os.path.join(build, config, "bulkhead.elf"), "")
    return compare_posix(config, posix_programs(), host, guest, status)


# --- SQLite -------------------------------------------------------------------
# Each configuration in configs/ whose app is SQLite's shell runs every
# script of tests/sqlite/ as `sqlite3 /tmp/t.db ".read NAME.sql"` (one boot
# each, the scripts and their data files in the initrd) and must print,
# byte for byte, what the host's /usr/bin/sqlite3 (Debian's, the same
# version) prints for the same command, and end with the same status. Its
# twin in tests/configs/ (speedtest1-*) runs speedtest1 with --verify,
# whose hash must be the host's (build/tests/speedtest1-host, on Debian's
# libsqlite3).
SQLITE_APP = "sqlite3"
SPEEDTEST_APP = "speedtest1"
SQLITE_SCRIPTS = os.path.join("tests", "sqlite")
SQLITE_HOST = "/usr/bin/sqlite3"
SQLITE_DB = "/tmp/t.db"
SPEEDTEST_ARGS = ["--size", "5", "--verify", "/tmp/speedtest1.db"]
# What the machine prints before the application starts: the banner, its
# indented lines, and the vfs's notes.
SQLITE_BOOT_LINE = re.compile(r"^(Bulkhead \d|  \S|vfs: )")
SQLITE_EXIT = re.compile(r"^Bulkhead: exit status (\d+)$")
# The host side runs where the guest's shell does: in a mount namespace,
# a fresh root (tmpfs) holding a copy of the scripts, with the host's /usr
# (read-only) and the devices the guest has bound in and a tmpfs of its
# own as /tmp; chrooted there, the working folder is / and paths print as
# in the guest (.databases says "/x.db"). HOME=/ as in the guest, no /etc
# (no ~/.sqliterc, no passwd entry), stdout line-buffered as on the
# guest's console.
SQLITE_HOST_SH = """set -e
r=/mnt
mount -t tmpfs -o size=256m sqlite-root $r
cp -R "$0"/. $r
mkdir -p $r/usr $r/tmp $r/dev
mount --bind /usr $r/usr
mount -o remount,bind,ro $r/usr
for d in null zero random urandom; do
    touch $r/dev/$d
    mount --bind /dev/$d $r/dev/$d
done
mount -t tmpfs -o size=256m,mode=1777 sqlite-tmp $r/tmp
for l in bin lib lib64 sbin; do [ -L /$l ] && ln -s "$(readlink /$l)" $r/$l; done
exec chroot $r /usr/bin/env -i HOME=/ PATH=/usr/bin:/bin /usr/bin/sh -c \\
    'cd / && stdbuf -oL "$@"; exit $?' sh "$@"
"""


def sqlite_scripts():
    """The scripts of tests/sqlite/, by name without .sql."""
    return sorted(f[:-4] for f in os.listdir(SQLITE_SCRIPTS) if f.endswith(".sql"))


def sqlite_names(config):
    """The results run_sqlite gives for a configuration."""
    return ["sqlite.%s.%s" % (config, s) for s in sqlite_scripts()] + [
        "sqlite.%s.speedtest1_verifies" % config
    ]


def speedtest_config(config):
    """The speedtest1 image beside a shell configuration: sqlite-X ->
    speedtest1-X (tests/configs/)."""
    return SPEEDTEST_APP + config[len("sqlite") :]


def sqlite_host(cmd, script=SQLITE_HOST_SH):
    """Run cmd (a list) on the host as SQLITE_HOST_SH (or script) says:
    (exit status, output bytes, stdout and stderr together)."""
    folder = os.path.abspath(SQLITE_SCRIPTS)
    return run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, folder] + cmd,
        TIMEOUT,
    )


def sqlite_boot(image, words, initrd=None):
    """Boot image with the application's words: (status, the lines of the
    application's VM with the console's \\r\\n made \\n again, so the \\r
    a program prints stays)."""
    env = dict(os.environ, QEMU_TIMEOUT=str(TIMEOUT), QEMU_EXTRA="")
    if initrd is not None:
        env["QEMU_INITRD"] = initrd
    ept = backend_of(image) == "ept"
    cmd = [EPT_LAUNCH if ept else QEMU_RUN, image, "--"] + words
    status, out = run(cmd, TIMEOUT + 2 * GRACE + 10, env=env)
    text = out.decode("utf-8", "replace")
    lines = text.split("\n") if ept else text.replace("\r\n", "\n").split("\n")
    if ept:
        # The launcher's own lines and the other VMs' are not the app's.
        lines = [line[len("[core] ") :] for line in lines if line.startswith("[core] ")]
    if status is None:
        lines.append("run-tests: no end after %d s: stopped" % (TIMEOUT + 2 * GRACE + 10))
    return status, lines


def app_output(lines):
    """Split a boot's lines into (boot lines, the application's lines, its
    exit status or None): the application's run from the first line that
    is not the machine's to the exit line."""
    end = next((i for i in range(len(lines) - 1, -1, -1) if SQLITE_EXIT.match(lines[i])), None)
    body = lines if end is None else lines[:end]
    start = 0
    while start < len(body) and SQLITE_BOOT_LINE.match(body[start]):
        start += 1
    status = None if end is None else int(SQLITE_EXIT.match(lines[end]).group(1))
    return body[:start], body[start:], status


def compare_app(name, host_status, host_out, lines):
    """One Result: the application printed exactly host_out (bytes) and
    ended with host_status. The machine's lines before it may only be
    boot lines (an application line that looks like one counts as the
    application's when the host printed it)."""
    want = host_out.decode("utf-8", "replace").split("\n")
    if want and want[-1] == "":
        want.pop()
    boot_lines, got, status = app_output(lines)
    # Lines of the output that look like boot lines (a first line
    # indented by two spaces) are told apart by the host's output.
    extra = len(boot_lines) + len(got) - len(want)
    if status is not None and 0 <= extra <= len(boot_lines):
        got = (boot_lines + got)[extra:]
    problems = []
    if status != host_status:
        problems.append("exit status %s, the host's %s" % (status, host_status))
    if got != want:
        diff = difflib.unified_diff(want, got, "host (Debian's sqlite3)", "guest", lineterm="")
        problems.append("\n".join("    " + d.replace("\r", "\\r") for d in diff))
    if not problems:
        return Result(name, True)
    return Result(name, False, "    " + "\n".join(problems) + "\n" + tail(lines))


def sqlite_initrd(build, config):
    """The initrd of the SQLite tests (tests/sqlite/ at its root), one per
    configuration so that jobs running at once do not write the same file.
    Returns its path, or raises with what mkinitrd.py said."""
    path = os.path.join(build, "tests", "sqlite-%s.cpio" % config)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    status, out = run([sys.executable, os.path.join(HERE, "mkinitrd.py"), path, SQLITE_SCRIPTS], 60)
    if status != 0:
        raise RuntimeError("mkinitrd.py: exit %s\n%s" % (status, text_of(out)))
    return path


def run_sqlite(build, config):
    """Every script of tests/sqlite/ prints in the shell of `config` what
    it prints on the host; speedtest1 verifies with the host's hash."""
    initrd = sqlite_initrd(build, config)
    image = os.path.join(build, config, "bulkhead.elf")
    results = []
    for script in sqlite_scripts():
        words = [SQLITE_DB, ".read %s.sql" % script]
        host_status, host_out = sqlite_host([SQLITE_HOST] + words)
        status, lines = sqlite_boot(image, words, initrd)
        results.append(compare_app("sqlite.%s.%s" % (config, script), host_status, host_out, lines))
    name = "sqlite.%s.speedtest1_verifies" % config
    # speedtest1's host program is not under /usr: it runs with a private
    # /tmp only (PRIVATE_TMP, which opens it before /tmp is covered).
    host_bin = os.path.abspath(os.path.join(build, "tests", "speedtest1-host"))
    host_status, host_out = run(
        [sys.executable, "-c", PRIVATE_TMP, host_bin] + SPEEDTEST_ARGS, TIMEOUT
    )
    image = os.path.join(build, speedtest_config(config), "bulkhead.elf")
    status, lines = sqlite_boot(image, SPEEDTEST_ARGS, "")
    want = re.findall(r"^Verification Hash: .*$", text_of(host_out), re.M)
    _, got_lines, got_status = app_output(lines)
    got = [line for line in got_lines if line.startswith("Verification Hash: ")]
    if host_status != 0 or len(want) != 1:
        results.append(
            Result(
                name,
                False,
                "    the host run: exit %s\n%s" % (host_status, text_of(host_out)[-2000:]),
            )
        )
    elif got != want or got_status != 0:
        results.append(
            Result(
                name,
                False,
                "    host %r, guest %r (exit status %s)\n%s" % (want, got, got_status, tail(lines)),
            )
        )
    else:
        results.append(Result(name, True))
    return results


def check_output(name, status, lines, want_status, texts):
    """A boot ended with want_status and printed each regex in texts."""
    out = "\n".join(lines)
    missing = [t for t in texts if not re.search(t, out)]
    if status != want_status:
        return [
            Result(
                name, False, "exit status %d, expected %d\n%s" % (status, want_status, tail(lines))
            )
        ]
    if missing:
        return [Result(name, False, "missing: %s\n%s" % (missing, tail(lines)))]
    return [Result(name, True)]


def run_app(build):
    """The default image boots and its application says what it should."""
    status, lines = boot(os.path.join(build, "default", "bulkhead.elf"), "")
    return check_output(
        "image.app_hello_runs",
        status,
        lines,
        0,
        [
            r"Bulkhead \d+\.\d+\.\d+ \(config default, backend fcall, app hello\)",
            r"compartment all \(default\): boot kernel mm sched time vfs ramfs hello libc",
            r"memory \d+ MiB usable, TSC \d+\.\d{3} MHz \(pit\), multiboot1",
            r"hello from hello on Bulkhead",
            r"This line comes from /etc/motd, a file of the image's initrd",
            r"4 threads joined, sum of squares 14",
            r"Bulkhead: exit status 0",
        ],
    )


def config_names(ept=True):
    """Configurations in configs/; without ept=True, those the ISO holds."""
    names = sorted(os.path.basename(c)[:-5] for c in os.listdir("configs") if c.endswith(".toml"))
    if not ept:
        names = [n for n in names if 'backend = "ept"' not in open("configs/%s.toml" % n).read()]
    return names


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on (for SLIRP to forward)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# --- HTTP -------------------------------------------------------------------
# What apps/httpd/main.c serves.
HELLO = b"hello from Bulkhead's httpd\n"
LARGE_SIZE = 1 << 20  # /large.bin: byte i is (i * 131 + 7) mod 256


def split_response(data):
    """An HTTP response's bytes as (status line, {lower-case header name:
    value}, body), or None if its header block is not complete."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return lines[0], headers, body


def response_problems(response, status, ctype, body=None, length=None):
    """What is wrong with a response (split_response) that should have the
    status line `status`, Content-Type `ctype`, a Content-Length of
    `length` (by default the size of the body received, or expected), and,
    unless body is None, exactly `body`. Returns the problems."""
    if response is None:
        return ["no complete response header"]
    line, headers, got = response
    if length is None:
        length = len(got if body is None else body)
    problems = []
    if line != status:
        problems.append("status line %r, expected %r" % (line, status))
    if headers.get("content-type") != ctype:
        problems.append("Content-Type %r, expected %r" % (headers.get("content-type"), ctype))
    if "content-length" not in headers:
        problems.append("no Content-Length")
    elif headers["content-length"] != str(length):
        problems.append("Content-Length %r, expected %d" % (headers["content-length"], length))
    if body is not None and got != body:
        problems.append(
            "a body of %d bytes, not the %d expected: %r..." % (len(got), len(body), got[:80])
        )
    return problems


class HttpConnection:
    """One client connection to 127.0.0.1:port that reads each response
    by its Content-Length, as a keep-alive client must."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""  # received, not yet part of a response read

    def receive(self):
        """Wait for more bytes; the server closing the connection is an error."""
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buf += chunk

    def response(self):
        """Read one response: its header block, then exactly as many body
        bytes as its Content-Length says (an error without one). Returns
        it as split_response does."""
        while b"\r\n\r\n" not in self.buf:
            self.receive()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        line, headers, _ = split_response(head + b"\r\n\r\n")
        if not headers.get("content-length", "").isdigit():
            raise ValueError("a response without a Content-Length: %r" % head[:300])
        while len(self.buf) < int(headers["content-length"]):
            self.receive()
        body, self.buf = (
            self.buf[: int(headers["content-length"])],
            self.buf[int(headers["content-length"]) :],
        )
        return line, headers, body

    def closed_by_server(self):
        """Whether the server closes the connection (within the timeout)."""
        try:
            return not self.buf and self.sock.recv(1) == b""
        except OSError:
            return False

    def close(self):
        self.sock.close()


def keep_alive_problems(port, path=b"/hello.txt", ctype="text/plain", body=HELLO):
    """Two GET requests on one connection, neither asking to close it: the
    first response is read whole, by its Content-Length, before the second
    request is sent. Both must be right, say nothing of closing, and have
    nothing after their Content-Length. Returns the problems."""
    request = b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    problems, conn, read = [], None, 0
    try:
        conn = HttpConnection(port)
        for n in (1, 2):
            conn.sock.sendall(request)
            response = conn.response()
            read += 1
            problems += [
                "response %d: %s" % (n, p)
                for p in response_problems(response, "HTTP/1.1 200 OK", ctype, body)
            ]
            if response[1].get("connection", "").lower() == "close":
                problems.append("response %d closes the connection" % n)
            if conn.buf:
                problems.append(
                    "response %d: %d bytes after its Content-Length" % (n, len(conn.buf))
                )
    except (OSError, ValueError) as e:
        problems.append("after %d responses read: %s" % (read, e))
    finally:
        if conn:
            conn.close()
    return problems


def bad_request_problems(port, request=b"GARBAGE\r\n\r\n"):
    """A request that is not HTTP gets 400 Bad Request, and the server
    closes the connection. Returns the problems."""
    conn = None
    try:
        conn = HttpConnection(port)
        conn.sock.sendall(request)
        problems = response_problems(
            conn.response(), "HTTP/1.1 400 Bad Request", "text/plain", b"bad request\n"
        )
        if not conn.closed_by_server():
            problems.append("the connection stays open")
        return problems
    except (OSError, ValueError) as e:
        return [str(e)]
    finally:
        if conn:
            conn.close()


def curl_problems(url, status, ctype, body=None, length=None, head=False):
    """curl (GET, or HEAD) url, with the response header, and say what is
    wrong: a non-zero exit, and response_problems. Returns (problems,
    the response's body)."""
    rc, out = run(["curl", "-s", "-i", "--max-time", "30"] + (["-I"] if head else []) + [url], 60)
    response = split_response(out)
    problems = [] if rc == 0 else ["curl exit %s: %r" % (rc, out[-300:])]
    problems += response_problems(response, status, ctype, b"" if head else body, length)
    return problems, response[2] if response else b""


# ept-launch.py's words when it stops the VMs before the end.
LAUNCHER_STOPS = re.compile(rb"^\[ept\] (VM [\w-]+ stopped|timed out)")


def server_line(raw):
    """One console line of a server, without the VM's name ept-launch.py
    puts before it."""
    line = raw.decode("utf-8", "replace").rstrip()
    m = VM_PREFIX.match(line)
    return line[m.end() :] if m else line


def start_server(
    build,
    config,
    guest_port,
    ready,
    args=(),
    memory="",
    timeout=None,
    on_the_second=False,
    initrd=None,
):
    """Boot a server image on SLIRP, with a free port on 127.0.0.1
    forwarded to guest_port (ept: in the VM holding the NIC driver, the
    only one with a NIC) and command-line words args, with memory (QEMU's
    -m, or its default) and the initrd at path initrd (or the image's),
    until it prints `ready` (or stops). on_the_second: start QEMU as the
    host's clock turns a second (see below). Returns (QEMU or launcher
    process, host port, console lines so far, whether it is ready)."""
    port = free_port()
    image = os.path.join(build, config, "bulkhead.elf")
    env = dict(
        os.environ,
        QEMU_TIMEOUT=str(timeout or TIMEOUT),
        **({"QEMU_MEM": memory} if memory else {}),
        **({"QEMU_INITRD": initrd} if initrd else {}),
        QEMU_EXTRA="",
        QEMU_NET="-netdev user,id=n0,hostfwd=tcp:127.0.0.1:%d-:%d "
        "-device virtio-net-pci,netdev=n0" % (port, guest_port),
    )
    if on_the_second:
        # QEMU sets its RTC from the host's time in whole seconds, so the
        # guest's clock trails the host's by the fraction of a second
        # QEMU started in (docs/design.md, "Redis"): started as a second
        # turns, by QEMU's own start-up only.
        time.sleep(1 - time.time() % 1)
    p = spawn(
        [EPT_LAUNCH if backend_of(image) == "ept" else QEMU_RUN, image, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    lines = []
    for raw in iter(p.stdout.readline, b""):
        lines.append(server_line(raw))
        if ready in lines[-1] or "exit status" in lines[-1] or LAUNCHER_STOPS.match(raw):
            break
    return p, port, lines, any(ready in line for line in lines)


# The checks run_httpd makes.
HTTPD_CHECKS = (
    "starts_with_dhcp",
    "index_page",
    "large_file_byte_for_byte",
    "head_large_file",
    "unknown_path_404",
    "keep_alive_two_requests_one_connection",
    "malformed_request_400",
    "binary_garbage_400",
    "serves_on_after_bad_and_truncated",
    "wrk_30_connections_no_errors",
)


def run_httpd(build, config):
    """The HTTP server under real clients, over SLIRP on 127.0.0.1."""
    name = "net.%s." % config
    p, port, lines, up = start_server(build, config, 80, "httpd: listening")
    results = []

    def check(what, ok, detail=""):
        assert what in HTTPD_CHECKS, what
        results.append(Result(name + what, ok, detail))

    try:
        if not up:
            return [Result(name + "starts", False, tail(lines))]
        check(
            "starts_with_dhcp",
            any(re.match(r"net: 10\.0\.2\.15 \(dhcp\)", line) for line in lines),
            tail(lines),
        )

        def check_all(what, problems):
            check(what, not problems, "\n".join("    " + x for x in problems))

        url = "http://127.0.0.1:%d" % port
        problems, index = curl_problems(url + "/index.html", "HTTP/1.1 200 OK", "text/html")
        if not (
            index.startswith(b"<!DOCTYPE html>")
            and b"Served by Bulkhead" in index
            and index.endswith(b"</html>\n")
        ):
            problems.append("not the index page: %r" % index[:200])
        check_all("index_page", problems)
        check_all(
            "large_file_byte_for_byte",
            curl_problems(
                url + "/large.bin",
                "HTTP/1.1 200 OK",
                "application/octet-stream",
                bytes(((i * 131 + 7) & 0xFF) for i in range(LARGE_SIZE)),
            )[0],
        )
        check_all(
            "head_large_file",
            curl_problems(
                url + "/large.bin",
                "HTTP/1.1 200 OK",
                "application/octet-stream",
                length=LARGE_SIZE,
                head=True,
            )[0],
        )
        check_all(
            "unknown_path_404",
            curl_problems(url + "/nope", "HTTP/1.1 404 Not Found", "text/plain", b"not found\n")[0],
        )
        check_all("keep_alive_two_requests_one_connection", keep_alive_problems(port))
        check_all("malformed_request_400", bad_request_problems(port))
        # Bytes no client would send, a NUL first, ended by an empty line;
        # and a NUL inside a header of a request otherwise well formed.
        check_all(
            "binary_garbage_400",
            bad_request_problems(port, b"\x00\xff\xfe GARBAGE\r\n\r\n")
            + bad_request_problems(port, b"GET /hello.txt HTTP/1.1\r\nX: a\x00b\r\n\r\n"),
        )
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost:")  # cut mid-request
            s.close()
            problems = []
        except OSError as e:
            problems = ["a truncated request: %s" % e]
        check_all(
            "serves_on_after_bad_and_truncated",
            problems + curl_problems(url + "/hello.txt", "HTTP/1.1 200 OK", "text/plain", HELLO)[0],
        )
        status, out = run(["wrk", "-t", "2", "-c", "30", "-d", "3s", url + "/hello.txt"], 60)
        out = text_of(out)
        m = re.search(r"(\d+) requests in", out)
        errors = re.search(r"Socket errors|Non-2xx", out)
        check(
            "wrk_30_connections_no_errors",
            status == 0 and m and int(m.group(1)) > 0 and not errors,
            out,
        )
    finally:
        end(p)
        p.stdout.close()
    return results


def run_ept_kill(build):
    """Killing one VM of an ept image: the launcher stops the others and
    exits non-zero within seconds, naming the VM; no VM is left."""
    image = os.path.join(build, "gates-ept", "bulkhead.elf")
    env = dict(os.environ, QEMU_TIMEOUT=str(TIMEOUT))
    p = spawn(
        [EPT_LAUNCH, image, "bench=hold"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    pids, lines, t_kill = {}, [], None
    try:
        for raw in iter(p.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip()
            lines.append(line)
            m = re.match(r"^\[ept\] VM (\w+) started \(pid (\d+)\)", line)
            if m:
                pids[m.group(1)] = int(m.group(2))
            if "hold: calling the victim" in line and t_kill is None:
                time.sleep(0.5)
                os.kill(pids["victim"], signal.SIGKILL)
                t_kill = time.monotonic()
        rc = p.wait()
        took = time.monotonic() - t_kill if t_kill else None
        # The launcher has exited: nothing it started may be left.
        alive = sorted(cmd for _, cmd in session_members({p.pid}).values())
    finally:
        end(p)
        p.stdout.close()
    ok = (
        t_kill is not None
        and rc != 0
        and took < 10
        and not alive
        and any(
            "[ept] VM victim stopped" in line and "stopping the others" in line for line in lines
        )
    )
    return [
        Result(
            "ept.killed_vm_stops_the_launcher",
            ok,
            "exit %d after %s s, still running: %s\n%s"
            % (rc, "%.1f" % took if took else "-", alive, tail(lines)),
        )
    ]


IPERF_SIZES = (1 << 20, 3 * (1 << 20) + 12345)  # bytes sent by iperf -n


def run_iperf(build, config):
    """The iPerf server receives exactly what the host's iperf -n sends."""
    name = "net.%s." % config
    p, port, lines, up = start_server(build, config, 5001, "iperf: listening")
    try:
        if not up:
            return [Result(name + "starts", False, tail(lines))]
        out = []
        for size in IPERF_SIZES:
            rc, client = run(["iperf", "-c", "127.0.0.1", "-p", str(port), "-n", str(size)], 60)
            want = "sent %d bytes" % size
            got = None
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and got is None:
                raw = p.stdout.readline()
                if not raw:
                    break
                line = server_line(raw)
                lines.append(line)
                if line.startswith("iperf: 10.0.2.2"):
                    got = line
            out.append(
                Result(
                    name + "receives_%d_bytes" % size,
                    rc == 0 and got is not None and want in got,
                    "client exit %s; server: %s\n%s" % (rc, got, text_of(client)[-300:]),
                )
            )
        return out
    finally:
        end(p)
        p.stdout.close()


# Byte-for-byte transfers through the NIC's checksum offloads: the iPerf
# image in echo mode on a tap device (scripts/netns-run.py, needs root),
# the client behind a router whose veth computes and checks in software
# every checksum the guest left to the device. With QEMU's virtio-net
# offering both offloads, the client's frames reach the guest marked
# NEEDS_CSUM (--routed partial: the guest trusts them, and the host hands
# over whole TCP segments of up to 64 KiB, spread over merged receive
# buffers) or unmarked (--routed full: the guest checks them itself, and
# the software checksums toward it keep the segments at one frame each);
# then with neither checksum offload (lwIP computes and checks
# everything), without receive TSO (merged buffers, one frame each),
# without merged buffers (one 2 KiB buffer per frame, which also rules
# out receive TSO); and through each of the device's two interfaces
# alone: virtio 1.0 (registers in a memory BAR, what the driver takes
# when it has the choice) and legacy (I/O BAR 0).
NETNS_RUN = os.path.join(HERE, "netns-run.py")
ECHO_CLIENT = os.path.join(HERE, "net-echo-client.py")
OFFLOAD_BYTES = 100 << 20
MODERN = "; virtio 1.0 interface"
OFFLOAD_ON = (
    "checksum offload: send on, receive on; "
    "merged receive buffers on, receive segmentation offload on"
)
OFFLOAD_RUNS = (  # (case, --routed, virtio-net-pci properties, the guest's offload line)
    ("echo_100mib_checksum_offload_partial_frames", "partial", "", OFFLOAD_ON + MODERN),
    ("echo_100mib_checksum_offload_unmarked_frames", "full", "", OFFLOAD_ON + MODERN),
    (
        "echo_100mib_without_checksum_offload",
        "full",
        "csum=off,guest_csum=off",
        "checksum offload: send off, receive off; "
        "merged receive buffers on, receive segmentation offload off" + MODERN,
    ),
    (
        "echo_100mib_merged_buffers_without_receive_tso",
        "partial",
        "guest_tso4=off",
        "checksum offload: send on, receive on; "
        "merged receive buffers on, receive segmentation offload off" + MODERN,
    ),
    (
        "echo_100mib_without_merged_buffers",
        "partial",
        "mrg_rxbuf=off",
        "checksum offload: send on, receive on; "
        "merged receive buffers off, receive segmentation offload off" + MODERN,
    ),
    ("echo_100mib_virtio_1_0_only", "partial", "disable-legacy=on", OFFLOAD_ON + MODERN),
    (
        "echo_100mib_legacy_interface_only",
        "partial",
        "disable-modern=on",
        OFFLOAD_ON + "; virtio legacy interface",
    ),
)
OFFLOAD_NAMES = ["net.tap.iperf." + run[0] for run in OFFLOAD_RUNS]


def run_net_offload(build):
    """100 MiB to the iPerf server in echo mode and back, compared on the
    host, with and without checksum offload."""
    image = os.path.join(build, "iperf", "bulkhead.elf")
    out = []
    for case, routed, nic, offload in OFFLOAD_RUNS:
        log = os.path.join(build, "tests", "net-tap-%s.log" % case)
        os.makedirs(os.path.dirname(log), exist_ok=True)
        if os.path.exists(log):
            os.remove(log)  # a stale one would speak for a run that never booted
        client = "%s %s 10.7.0.2 5001 %d" % (sys.executable, ECHO_CLIENT, OFFLOAD_BYTES)
        cmd = [NETNS_RUN, "--routed", routed, "--log", log, "--timeout", "150", "--client", client]
        cmd += ["--nic", nic] if nic else []
        rc, output = run(cmd + [image, "--", "5001", "echo"], 240)
        text = text_of(output)
        try:
            with open(log, errors="replace") as f:
                console = f.read()
        except FileNotFoundError:
            console = "(no console log)"
        ok = rc == 0 and "byte for byte" in text and offload in console
        detail = "exit %s; client: %s\n    guest (%s):\n%s" % (
            rc,
            text.strip()[-400:],
            log,
            tail(console.splitlines()),
        )
        out.append(Result("net.tap.iperf." + case, ok, detail))
    return out


# --- Redis -----------------------------------------------------------------
# Redis (apps/redis_server/) under Debian's redis-cli and redis-benchmark,
# and its own test suite (the tests/ of the fetched source package, run by
# tclsh against the guest as an external server).
REDIS_APP = "redis_server"
REDIS_TAGS = "-needs:repl -needs:save -needs:config-maxmemory -slow"
# Left out by name (test_helper.tcl's --skiptest: a regex when it starts
# with /), each for a reason that is not Redis's or Bulkhead's to change:
# - the tests that turn AOF on (CONFIG SET appendonly yes starts a rewrite
#   in a forked child; Bulkhead has no fork) but carry none of the tags;
# - two that count on two clients' commands being served in the order
#   they were sent when both arrive before the server looks (under TCG
#   the server is slow enough that they often do): the select loop
#   serves ready descriptors by number (the second client had the lower
#   one), as it does on any system; with epoll Redis serves them as they
#   came;
# - GETEX PXAT, which asserts that the server's clock is not behind the
#   client's by a millisecond: QEMU starts its RTC at a whole second of
#   the host's time, so a guest without a time protocol trails the host
#   by up to a second (docs/design.md, "Redis").
# redis_fork_tests adds, per unit, the tests that read a replication
# stream (SYNC: a BGSAVE in a forked child) without the needs:repl tag.
REDIS_SKIP = (
    "/after loadaof$|^BRPOPLPUSH with multiple blocked clients$"
    "|^BRPOPLPUSH does not affect WATCH while still blocked$|^GETEX PXAT option$"
)
# The units make test-redis runs against each of REDIS_SUITE_CONFIGS; make
# test runs REDIS_UNITS_QUICK against the first of them.
REDIS_UNITS = (
    "unit/type/string",
    "unit/type/incr",
    "unit/type/list",
    "unit/type/hash",
    "unit/type/set",
    "unit/keyspace",
    "unit/expire",
    "unit/multi",
)
REDIS_UNITS_QUICK = ("unit/type/incr", "unit/multi")
REDIS_SUITE_CONFIGS = ("redis", "redis-mpk2")
# Set by --redis-full (make test-redis).
REDIS_FULL = False
# The checks run_redis makes on every Redis configuration; the load and
# bad-input ones where redis_hard says, to keep make test short.
REDIS_CHECKS = ("set_get",)
REDIS_HARD_CHECKS = (
    "benchmark_30_clients_no_errors",
    "malformed_resp_gets_protocol_error",
    "bulk_length_512mb_served_and_beyond_refused",
)
# The many-connections check: 300 in make test, all of which must open;
# 2,000 in make test-redis (beyond lwIP's sockets and Redis's select).
REDIS_CONNECTIONS_QUICK = 300
REDIS_CONNECTIONS_FULL = 2000


def redis_connections():
    """How many connections the many-connections check opens."""
    return REDIS_CONNECTIONS_FULL if REDIS_FULL else REDIS_CONNECTIONS_QUICK


def redis_fork_tests(src, unit):
    """The names of the tests of unit (tests/<unit>.tcl under src) that
    attach to the replication stream, which makes Redis fork: each --skiptest
    NAME, as test_helper.tcl takes an exact name."""
    names, current = [], None
    with open(os.path.join(src, "tests", unit + ".tcl")) as f:
        for line in f:
            m = re.match(r"\s*test\s+(?:\{([^}]*)\}|\"([^\"]*)\")\s", line)
            if m:
                current = m.group(1) if m.group(1) is not None else m.group(2)
            elif "attach_to_replication_stream" in line and current and current not in names:
                names.append(current)
    return [w for n in names for w in ("--skiptest", n)]


def redis_units(config):
    """The units of Redis's suite run against configs/<config>.toml."""
    if config not in REDIS_SUITE_CONFIGS:
        return ()
    if REDIS_FULL:
        return REDIS_UNITS
    return REDIS_UNITS_QUICK if config == REDIS_SUITE_CONFIGS[0] else ()


def redis_hard(config):
    """Whether run_redis makes the load and bad-input checks on config: on
    both REDIS_SUITE_CONFIGS with --redis-full, on the first otherwise."""
    return config in (REDIS_SUITE_CONFIGS if REDIS_FULL else REDIS_SUITE_CONFIGS[:1])


def redis_names(config):
    """The names run_redis gives its results."""
    hard = REDIS_HARD_CHECKS + ("connections_%d_then_ping" % redis_connections(),)
    checks = REDIS_CHECKS + (hard if redis_hard(config) else ())
    checks += tuple("suite_" + u.replace("/", "_") for u in redis_units(config))
    return ["redis.%s.%s" % (config, c) for c in checks]


def config_mk(build, config, var):
    """A variable of build/<config>/config.mk ("" when absent)."""
    with open(os.path.join(build, config, "config.mk")) as f:
        m = re.search(r"^%s := ?(.*)$" % var, f.read(), re.M)
    return m.group(1).strip() if m else ""


def resp_exchange(port, data, want=1, timeout=30):
    """Send data on a new connection and read until the server has said
    `want` lines or closed. Returns the bytes read."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        got = b""
        while got.count(b"\r\n") < want:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
        return got
    finally:
        s.close()


def redis_ping(port):
    """Problems with PING on a new connection (none: it answers PONG)."""
    try:
        got = resp_exchange(port, b"PING\r\n")
    except OSError as e:
        return ["PING: %s" % e]
    return [] if got == b"+PONG\r\n" else ["PING answered %r" % got[:200]]


def redis_connections_problems(port, count, budget, need, connect_timeout):
    """Open up to count connections and hold them, for at most budget
    seconds: the first hundred must be served (PING); the rest may fail
    (lwIP has 1,021 sockets, and SLIRP, between host and guest, lets a
    connection it cannot pass on time out rather than be refused), but at
    least `need` must open and none may break the server: once all are
    closed it answers PING and its clients are gone."""
    problems, socks, failed, in_a_row = [], [], 0, 0
    deadline = time.monotonic() + budget
    while len(socks) + failed < count and time.monotonic() < deadline and in_a_row < 20:
        # Each answers PING before the next opens: SLIRP then passes each
        # on at once (none waits out a resend of the handshake).
        s = redis_ready_connection(port, connect_timeout)
        if s:
            socks.append(s)
            in_a_row = 0
        else:
            failed += 1
            in_a_row += 1
    for s in socks[:100]:
        try:
            s.sendall(b"PING\r\n")
            s.settimeout(30)
            got = s.recv(64)
            if got != b"+PONG\r\n":
                problems.append("one of the first 100 connections got %r" % got[:100])
                break
        except OSError as e:
            problems.append("one of the first 100 connections: %s" % e)
            break
    for s in socks:
        s.close()
    if len(socks) < need:
        problems.append("only %d connections opened (%d failed)" % (len(socks), failed))
    deadline = time.monotonic() + 120
    while True:
        time.sleep(2)
        rc, out = run(["redis-cli", "-p", str(port), "info", "clients"], 30)
        m = re.search(rb"connected_clients:(\d+)", out)
        if (m and int(m.group(1)) <= 2) or time.monotonic() > deadline:
            break
    if not m or int(m.group(1)) > 2:
        problems.append("clients still connected 2 minutes after all closed: %r" % out[-200:])
    return problems + redis_ping(port)


def redis_ready_connection(port, timeout=30):
    """A connection to Redis on the SLIRP-forwarded port that the guest has
    answered (PING), or None. QEMU's user network listens with a backlog
    of 1, so a connection the host completed may still wait seconds to be
    passed on (docs/design.md, "Redis"); one at a time, answered before
    the next, none waits."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        s.sendall(b"PING\r\n")
        got = b""
        while len(got) < 7:
            chunk = s.recv(7 - len(got))
            if not chunk:
                break
            got += chunk
        if got == b"+PONG\r\n":
            s.settimeout(None)
            return s
        s.close()
    except OSError:
        pass
    return None


class ServerRelay:
    """A relay on a free host port that hands each client it accepts one of
    `count` connections to a server opened beforehand, one at a time, by
    opener(port) (a connection the server has answered, or None): a load
    generator connecting 30 clients at once then meets no SLIRP admission
    delays. Once they are used up, each client gets one opened when it
    comes. Bytes pass unchanged both ways."""

    def __init__(self, port, count, opener):
        self.server_port, self.opener = port, opener
        self.pool = [c for c in (opener(port) for _ in range(count)) if c]
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.open = [] + self.pool
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        """Pair each accepted client with a pooled connection (closing it
        when the pool is empty)."""
        while True:
            try:
                c, _ = self.listener.accept()
            except OSError:
                return
            self.open.append(c)
            if self.pool:
                u = self.pool.pop(0)
            else:
                u = self.opener(self.server_port)
                if not u:
                    c.close()
                    continue
                self.open.append(u)
            for a, b in ((c, u), (u, c)):
                threading.Thread(target=self.pump, args=(a, b), daemon=True).start()

    @staticmethod
    def pump(a, b):
        """Copy a to b until either ends, then end both."""
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        """Stop accepting and close every connection."""
        self.listener.close()
        for s in self.open:
            s.close()


def run_redis(build, config):
    """Redis on configs/<config>.toml, over SLIRP on 127.0.0.1: clients,
    load, bad input and units of Redis's own suite."""
    name = "redis.%s." % config
    args = config_mk(build, config, "CFG_ARGS").split()
    memory = config_mk(build, config, "CFG_MEMORY")
    p, port, lines, up = start_server(
        build,
        config,
        6379,
        "Ready to accept connections",
        args,
        memory,
        3600 if REDIS_FULL else 900,
        on_the_second=True,
    )
    results = []

    def check(what, problems, detail=""):
        results.append(
            Result(name + what, not problems, "\n".join("    " + x for x in problems) + detail)
        )

    try:
        if not up:
            return [Result(name + "starts", False, tail(lines))]
        cli = ["redis-cli", "-p", str(port)]
        rc, out = run(cli + ["set", "k", "v"], 30)
        rc2, out2 = run(cli + ["get", "k"], 30)
        check(
            "set_get",
            []
            if (rc, out, rc2, out2) == (0, b"OK\n", 0, b"v\n")
            else ["set: %s %r, get: %s %r" % (rc, out[:200], rc2, out2[:200])],
        )
        if redis_hard(config):
            # Through a relay: QEMU's slow admission of connections is not
            # what this measures (docs/design.md, "Redis"). redis-benchmark
            # opens one connection for its configuration, then 30 a test.
            relay = ServerRelay(port, 64, redis_ready_connection)
            rc, out = run(
                [
                    "redis-benchmark",
                    "-p",
                    str(relay.port),
                    "-c",
                    "30",
                    "-n",
                    "100000",
                    "-t",
                    "set,get",
                    "--csv",
                ],
                600,
            )
            relay.close()
            # One CSV row a test: "SET","<requests/s>",<latencies>...
            out = text_of(out)
            rates = re.findall(r'^"(SET|GET)","([\d.]+)"', out, re.M)
            problems = (
                []
                if rc == 0 and len(rates) == 2
                else ["redis-benchmark exit %s, %d of 2 rates" % (rc, len(rates))]
            )
            if re.search(r"error|ERR", out, re.I):
                problems.append("errors in the output")
            check("benchmark_30_clients_no_errors", problems + redis_ping(port), "\n" + out[-600:])
            problems = []
            for data, expected in (
                (b"*abc\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
                (b"*1\r\nxyz\r\n", b"-ERR Protocol error: expected '$', got 'x'\r\n"),
                (b'GET "k\r\n', b"-ERR Protocol error: unbalanced quotes in request\r\n"),
            ):
                try:
                    got = resp_exchange(port, data)
                except OSError as e:
                    got = str(e).encode()
                if got != expected:
                    problems.append("%r: answered %r, not %r" % (data, got[:200], expected))
            check("malformed_resp_gets_protocol_error", problems + redis_ping(port))
            problems = []
            # The largest bulk Redis takes (proto-max-bulk-len, 512 MB):
            # it makes room for it; the client gives up after a few bytes.
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=30)
                s.sendall(b"*1\r\n$536870912\r\nabc")
                time.sleep(2)
                s.close()
            except OSError as e:
                problems.append("512 MB bulk: %s" % e)
            expected = b"-ERR Protocol error: invalid bulk length\r\n"
            try:
                # A minute and more: QEMU's user network may take that long
                # to pass a new connection on (docs/design.md, "Redis").
                got = resp_exchange(port, b"*1\r\n$536870913\r\n", timeout=120)
            except OSError as e:
                got = str(e).encode()
            if got != expected:
                problems.append("512 MB + 1 bulk: answered %r, not %r" % (got[:200], expected))
            check("bulk_length_512mb_served_and_beyond_refused", problems + redis_ping(port))
            # 2,000: at least 900 open within 10 minutes; 300: all open.
            count = redis_connections()
            check(
                "connections_%d_then_ping" % count,
                redis_connections_problems(
                    port,
                    count,
                    600 if REDIS_FULL else 120,
                    900 if REDIS_FULL else count,
                    2 if REDIS_FULL else 15,
                ),
            )
        # The suite last: its units change the server's settings (list and
        # set raise proto-max-bulk-len to 10 GB for their large-value tests).
        src = os.path.join(build, "redis", "src")
        for unit in redis_units(config):
            rc, out = run(
                [
                    "tclsh",
                    "tests/test_helper.tcl",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--single",
                    unit,
                    "--clients",
                    "1",
                    "--tags",
                    REDIS_TAGS,
                    "--skiptest",
                    REDIS_SKIP,
                    *redis_fork_tests(src, unit),
                    # Where test_helper.tcl looks for its own port (and that
                    # plus 10,000): apart from another run's, which the same
                    # default would race for.
                    "--baseport",
                    str(random.randrange(20032, 30000)),
                    "--timeout",
                    "600",
                ],
                1200 if REDIS_FULL else 300,
                cwd=src,
            )
            out = re.sub(r"\x1b\[[0-9;]*m", "", text_of(out))  # the helper's colours
            bad = [line for line in out.splitlines() if re.search(r"\[(err|exception)\]", line)]
            oks = len(re.findall(r"\[ok\]", out))
            problems = (
                []
                if rc == 0 and oks and not bad
                else ["exit %s, %d passed; %s" % (rc, oks, "; ".join(bad[:10]) or "no verdict")]
            )
            check(
                "suite_" + unit.replace("/", "_"), problems, "\n" + out[-1500:] if problems else ""
            )
    finally:
        end(p)
        p.stdout.close()
    return results


# --- nginx -----------------------------------------------------------------
# nginx (apps/nginx/, Debian's nginx unchanged) under curl, raw requests
# and wrk, serving Debian's layout from an initrd that adds test files
# under /var/www/html/test/.
NGINX_APP = "nginx"
# What nginx prints once it listens (error_log stderr notice).
NGINX_READY = "getrlimit(RLIMIT_NOFILE)"
# The test files: name, size and Content-Type.
NGINX_FILES = (
    ("small.txt", 1000, "text/plain"),
    ("1m.bin", 1 << 20, "application/octet-stream"),
    ("10m.bin", 10 << 20, "application/octet-stream"),
)
# The checks every nginx configuration gets; the configurations that get
# every check of NGINX_CHECKS_FULL too (the others boot slower or cross
# more gates per request: make test stays short).
NGINX_CHECKS = ("index_page", "files_byte_for_byte")
NGINX_CHECKS_FULL = (
    "range_206_exact_bytes",
    "gzip_answer_gunzips_to_the_file",
    "gzip_location_plain_without_accept_encoding",
    "gzip_location_range_206_exact_bytes",
    "head_content_length",
    "if_modified_since_304",
    "unknown_path_404",
    "folder_without_index_403",
    "autoindex_lists_a_folder",
    "keep_alive_two_requests_one_connection",
    "dotdot_escapes_refused",
    "malformed_requests_400_then_serves_on",
    "wrk_30_connections_no_errors",
)
NGINX_FULL_CONFIGS = ("nginx", "nginx-mpk2")
# The shipped file of the folder nginx.conf serves with gzip on.
NGINX_GZ_FILE = ("var", "www", "html", "gz", "about.txt")
# Requests whose path leads above the document root, however spelled:
# nginx refuses each with 400 Bad Request.
NGINX_ESCAPES = (
    b"/../etc/passwd",
    b"/pub/../../etc/passwd",
    b"/%2e%2e/etc/passwd",
    b"/pub/%2E%2E/%2e%2e/etc/nginx/nginx.conf",
    b"/./../etc/passwd",
)
# Requests that are not HTTP: nginx answers 400 Bad Request and closes.
NGINX_MALFORMED = (
    b"GARBAGE\r\n\r\n",
    b"\x00\xff\xfe GARBAGE\r\n\r\n",
    b"GET /test/small.txt HTTP/1.1\r\nHost: a\x00b\r\n\r\n",
    b"GET /test/small.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n",
)


def nginx_names(config):
    """The names run_nginx gives its results."""
    checks = NGINX_CHECKS + (NGINX_CHECKS_FULL if config in NGINX_FULL_CONFIGS else ())
    return ["nginx.%s.%s" % (config, c) for c in checks]


def nginx_file(name, size):
    """The bytes of test file `name`: a fixed pseudo-random sequence (no
    run of repeated blocks a wrong offset could hide in)."""
    return random.Random(name).randbytes(size)


def nginx_initrd(build, config):
    """The initrd of the nginx tests of `config` (one per configuration, so
    that jobs running at once write different files): the image's own
    folders, then the test files under var/www/html/test/. Returns its
    path, or raises with what mkinitrd.py said."""
    top = os.path.join(build, "tests", "nginx-%s" % config)
    folder = os.path.join(top, "files", "var", "www", "html", "test")
    os.makedirs(folder, exist_ok=True)
    for name, size, _ in NGINX_FILES:
        with open(os.path.join(folder, name), "wb") as f:
            f.write(nginx_file(name, size))
    path = os.path.join(top, "initrd.cpio")
    folders = [config_mk(build, config, "CFG_FILES"), os.path.join(build, "nginx", "root")]
    status, out = run(
        [sys.executable, os.path.join(HERE, "mkinitrd.py"), path]
        + folders
        + [os.path.join(top, "files")],
        60,
    )
    if status != 0:
        raise RuntimeError("mkinitrd.py: exit %s\n%s" % (status, text_of(out)))
    return path


def nginx_curl(url, *options):
    """curl url with options, the response header included: (problems with
    curl itself, the response as split_response gives it)."""
    rc, out = run(["curl", "-s", "-i", "--max-time", "60", *options, url], 90)
    return ([] if rc == 0 else ["curl exit %s: %r" % (rc, out[-300:])]), split_response(out)


def nginx_raw(port, request):
    """Send request bytes on a new connection; (its response, whether the
    server then closed the connection), or raise OSError/ValueError."""
    conn = HttpConnection(port)
    try:
        conn.sock.sendall(request)
        response = conn.response()
        return response, conn.closed_by_server()
    finally:
        conn.close()


def nginx_ready_connection(port, timeout=30):
    """A connection to nginx on the SLIRP-forwarded port that the guest has
    answered (a HEAD request, its whole header read), or None: opened so,
    one at a time, none waits to be passed on (redis_ready_connection)."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        s.sendall(b"HEAD /test/small.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        got = b""
        while b"\r\n\r\n" not in got:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
        if got.startswith(b"HTTP/1.1 200 OK\r\n") and got.endswith(b"\r\n\r\n"):
            s.settimeout(None)
            return s
        s.close()
    except OSError:
        pass
    return None


def nginx_wrk_problems(port, path):
    """wrk with 2 threads and 30 connections for 5 s, through a relay of
    connections opened one at a time (QEMU's slow admission of connections
    is not what this measures: docs/design.md, "Redis"): requests served,
    no socket error, no status but 2xx. Returns (problems, its output)."""
    relay = ServerRelay(port, 64, nginx_ready_connection)
    url = "http://127.0.0.1:%d%s" % (relay.port, path)
    status, out = run(["wrk", "-t", "2", "-c", "30", "-d", "5s", url], 60)
    relay.close()
    out = text_of(out)
    m = re.search(r"(\d+) requests in", out)
    problems = [] if status == 0 else ["wrk exit %s" % status]
    if not m or int(m.group(1)) == 0:
        problems.append("no request served")
    if re.search(r"Socket errors|Non-2xx", out):
        problems.append("errors")
    return problems, out


def run_nginx(build, config):
    """nginx on configs/<config>.toml, over SLIRP on 127.0.0.1: files whole
    and in ranges, conditional and bad requests, paths out of the root,
    keep-alive and load."""
    name = "nginx.%s." % config
    try:
        initrd = nginx_initrd(build, config)
    except (OSError, RuntimeError) as e:
        return [Result(name + "starts", False, "    the test initrd: %s" % e)]
    p, port, lines, up = start_server(build, config, 80, NGINX_READY, initrd=initrd)
    results = []

    def check(what, problems, detail=""):
        assert what in NGINX_CHECKS + NGINX_CHECKS_FULL, what
        results.append(
            Result(name + what, not problems, "\n".join("    " + x for x in problems) + detail)
        )

    try:
        if not up:
            return [Result(name + "starts", False, tail(lines))]
        url = "http://127.0.0.1:%d" % port
        with open(
            os.path.join("apps", "nginx", "root", "var", "www", "html", "index.html"), "rb"
        ) as f:
            index = f.read()
        problems, response = nginx_curl(url + "/")
        check(
            "index_page",
            problems + response_problems(response, "HTTP/1.1 200 OK", "text/html", index),
        )
        problems = []
        for fname, size, ctype in NGINX_FILES:
            got, response = nginx_curl(url + "/test/" + fname)
            body = nginx_file(fname, size)
            problems += [
                "%s: %s" % (fname, x)
                for x in got + response_problems(response, "HTTP/1.1 200 OK", ctype, body)
            ]
        check("files_byte_for_byte", problems)
        if config not in NGINX_FULL_CONFIGS:
            return results
        big = nginx_file("1m.bin", 1 << 20)
        problems = []
        for spec, first, last in (
            ("1000-2999", 1000, 2999),
            ("-100", (1 << 20) - 100, (1 << 20) - 1),
            ("1048000-", 1048000, (1 << 20) - 1),
        ):
            got, response = nginx_curl(url + "/test/1m.bin", "-H", "Range: bytes=" + spec)
            got += response_problems(
                response,
                "HTTP/1.1 206 Partial Content",
                "application/octet-stream",
                big[first : last + 1],
            )
            want = "bytes %d-%d/%d" % (first, last, 1 << 20)
            if response and response[1].get("content-range") != want:
                got.append(
                    "Content-Range %r, expected %r" % (response[1].get("content-range"), want)
                )
            problems += ["bytes=%s: %s" % (spec, x) for x in got]
        check("range_206_exact_bytes", problems)
        # gzip (location /gz/ of the shipped nginx.conf): compressed when
        # asked for, in chunks (no Content-Length), and gunzipped it is the
        # file; plain otherwise, and a Range there is served as anywhere.
        with open(os.path.join("apps", "nginx", "root", *NGINX_GZ_FILE), "rb") as f:
            text = f.read()
        gz_url = url + "/" + "/".join(NGINX_GZ_FILE[3:])
        problems, response = nginx_curl(gz_url, "-H", "Accept-Encoding: gzip")
        if not response:
            problems.append("no complete response header")
        else:
            line, headers, got = response
            if line != "HTTP/1.1 200 OK" or headers.get("content-type") != "text/plain":
                problems.append("%r, Content-Type %r" % (line, headers.get("content-type")))
            if headers.get("content-encoding") != "gzip":
                problems.append("Content-Encoding %r" % headers.get("content-encoding"))
            try:
                plain = gzip.decompress(got)
            except (OSError, EOFError) as e:
                plain = None
                problems.append("the body does not gunzip: %s: %r..." % (e, got[:40]))
            if plain is not None and plain != text:
                problems.append("gunzipped, %d bytes, not the file's %d" % (len(plain), len(text)))
            if plain is not None and len(got) >= len(text):
                problems.append("%d bytes compressed to %d" % (len(text), len(got)))
        check("gzip_answer_gunzips_to_the_file", problems)
        problems, response = nginx_curl(gz_url)
        problems += response_problems(response, "HTTP/1.1 200 OK", "text/plain", text)
        if response and "content-encoding" in response[1]:
            problems.append("Content-Encoding %r unasked" % response[1]["content-encoding"])
        check("gzip_location_plain_without_accept_encoding", problems)
        problems, response = nginx_curl(gz_url, "-H", "Range: bytes=10-99")
        problems += response_problems(
            response, "HTTP/1.1 206 Partial Content", "text/plain", text[10:100]
        )
        want = "bytes 10-99/%d" % len(text)
        if response and response[1].get("content-range") != want:
            problems.append(
                "Content-Range %r, expected %r" % (response[1].get("content-range"), want)
            )
        check("gzip_location_range_206_exact_bytes", problems)
        got, response = nginx_curl(url + "/test/10m.bin", "-I")
        check(
            "head_content_length",
            got
            + response_problems(
                response, "HTTP/1.1 200 OK", "application/octet-stream", b"", 10 << 20
            ),
        )
        got, response = nginx_curl(url + "/test/small.txt")
        stamp = response[1].get("last-modified", "") if response else ""
        problems = got + ([] if stamp else ["no Last-Modified"])
        got, response = nginx_curl(url + "/test/small.txt", "-H", "If-Modified-Since: " + stamp)
        problems += got
        if not response or response[0] != "HTTP/1.1 304 Not Modified" or response[2]:
            problems.append(
                "If-Modified-Since its Last-Modified: %r"
                % (response[:1] + (response[2][:80],) if response else None,)
            )
        got, response = nginx_curl(
            url + "/test/small.txt", "-H", "If-Modified-Since: Thu, 01 Jan 1970 00:00:01 GMT"
        )
        problems += got + [
            "If-Modified-Since 1970: %s" % x
            for x in response_problems(
                response, "HTTP/1.1 200 OK", "text/plain", nginx_file("small.txt", 1000)
            )
        ]
        check("if_modified_since_304", problems)
        got, response = nginx_curl(url + "/nothere")
        check(
            "unknown_path_404",
            got + response_problems(response, "HTTP/1.1 404 Not Found", "text/html"),
        )
        got, response = nginx_curl(url + "/noindex/")
        check(
            "folder_without_index_403",
            got + response_problems(response, "HTTP/1.1 403 Forbidden", "text/html"),
        )
        # A listing is sent in chunks (no Content-Length), which curl joins.
        got, response = nginx_curl(url + "/pub/")
        if not response:
            got.append("no complete response header")
        elif response[0] != "HTTP/1.1 200 OK" or response[1].get("content-type") != "text/html":
            got.append("%r, Content-Type %r" % (response[0], response[1].get("content-type")))
        elif b'<a href="readme.txt">readme.txt</a>' not in response[2]:
            got.append("no link to readme.txt in %r" % response[2][:300])
        check("autoindex_lists_a_folder", got)
        check(
            "keep_alive_two_requests_one_connection",
            keep_alive_problems(
                port, b"/test/small.txt", "text/plain", nginx_file("small.txt", 1000)
            ),
        )
        problems = []
        for path in NGINX_ESCAPES:
            try:
                response, closed = nginx_raw(
                    port, b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                )
                if (
                    response[0] != "HTTP/1.1 400 Bad Request"
                    or b"root:" in response[2]
                    or b"nginx" not in response[2]
                ):
                    problems.append("%r: %r %r" % (path, response[0], response[2][:80]))
            except (OSError, ValueError) as e:
                problems.append("%r: %s" % (path, e))
        check("dotdot_escapes_refused", problems)
        problems = []
        for request in NGINX_MALFORMED:
            try:
                response, closed = nginx_raw(port, request)
                problems += [
                    "%r: %s" % (request, x)
                    for x in response_problems(response, "HTTP/1.1 400 Bad Request", "text/html")
                ]
                if not closed:
                    problems.append("%r: the connection stays open" % request)
            except (OSError, ValueError) as e:
                problems.append("%r: %s" % (request, e))
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET /test/small.txt HTTP/1.1\r\nHost:")  # cut mid-request
            s.close()
        except OSError as e:
            problems.append("a truncated request: %s" % e)
        got, response = nginx_curl(url + "/test/small.txt")
        problems += [
            "then: %s" % x
            for x in got
            + response_problems(
                response, "HTTP/1.1 200 OK", "text/plain", nginx_file("small.txt", 1000)
            )
        ]
        check("malformed_requests_400_then_serves_on", problems)
        problems, out = nginx_wrk_problems(port, "/test/small.txt")
        check("wrk_30_connections_no_errors", problems, "\n" + out if problems else "")
    finally:
        end(p)
        p.stdout.close()
    return results


def app_of(name):
    """The application of configs/<name>.toml."""
    return config_app(os.path.join("configs", name + ".toml"))


def config_image_names(name):
    """The names run_config_image gives its results."""
    if app_of(name) == "httpd":
        return ["net.%s.%s" % (name, check) for check in HTTPD_CHECKS]
    if app_of(name) == "iperf":
        return ["net.%s.receives_%d_bytes" % (name, size) for size in IPERF_SIZES]
    if app_of(name) == SQLITE_APP:
        return sqlite_names(name)
    if app_of(name) == REDIS_APP:
        return redis_names(name)
    if app_of(name) == NGINX_APP:
        return nginx_names(name)
    return ["image.config_%s_runs" % name]


def run_config_image(build, name):
    """Every configuration in configs/ boots and its app succeeds (servers
    run until stopped: run_httpd tests those)."""
    if app_of(name) == "httpd":
        return run_httpd(build, name)
    if app_of(name) == "iperf":
        return run_iperf(build, name)
    if app_of(name) == SQLITE_APP:
        return run_sqlite(build, name)
    if app_of(name) == REDIS_APP:
        return run_redis(build, name)
    if app_of(name) == NGINX_APP:
        return run_nginx(build, name)
    status, lines, vms = boot_vms(os.path.join(build, name, "bulkhead.elf"), "")
    # Every VM (one without ept) boots with the image's initrd.
    initrd = "  initrd %d bytes at 0x" % os.path.getsize(os.path.join(build, name, "initrd.cpio"))
    with open(os.path.join(build, name, "config.mk")) as f:
        comps = re.search(r"^CFG_COMPARTMENTS := (.*)$", f.read(), re.M).group(1).split()
    booted = {vm for vm, line in zip(vms, lines) if line.startswith(initrd)}
    if booted != ({None} if None in vms else set(comps)):
        return [
            Result(
                "image.config_%s_runs" % name,
                False,
                "%r printed by %s, not by every VM\n%s"
                % (initrd, sorted(map(str, booted)), tail(lines)),
            )
        ]
    return check_output(
        "image.config_%s_runs" % name,
        status,
        lines,
        0,
        [
            r"\(config %s, backend \w+, app \w+\)" % name,
            r"compartment \w+ \(default\)",
            r"Bulkhead: exit status 0",
        ],
    )


def run_iso(build):
    """The ISO boots through GRUB's menu, whose grub.cfg has an entry for
    every configuration (the screen shows the first dozen: the menu
    scrolls)."""
    iso = os.path.join(build, "bulkhead.iso")
    cfg_copy = os.path.join(build, "tests", "iso-grub.cfg")
    os.makedirs(os.path.dirname(cfg_copy), exist_ok=True)
    if os.path.exists(cfg_copy):
        os.remove(cfg_copy)
    run(
        ["xorriso", "-osirrox", "on", "-indev", iso, "-extract", "/boot/grub/grub.cfg", cfg_copy],
        60,
    )
    try:
        with open(cfg_copy) as f:
            entries = re.findall(r'^menuentry "Bulkhead: ([\w.-]+)', f.read(), re.M)
    except FileNotFoundError:
        entries = []
    missing = sorted(set(config_names(ept=False)) - set(entries))
    if missing:
        return [
            Result(
                "image.iso_boots_through_grub",
                False,
                "    the ISO's grub.cfg has no entry for %s (it has %s)" % (missing, entries),
            )
        ]
    status, lines = boot(iso, "", cdrom=True)
    return check_output(
        "image.iso_boots_through_grub",
        status,
        lines,
        0,
        [
            r"Bulkhead: default - hello, one compartment, no isolation",
        ]
        + [r"Bulkhead: %s\b" % n for n in entries[:12]]
        + [
            r"multiboot2 from GRUB",
            r"(?m)^  initrd %d bytes at 0x[0-9a-f]+$"
            % os.path.getsize(os.path.join(build, "default", "initrd.cpio")),
            r"hello from hello on Bulkhead",
            r"This line comes from /etc/motd, a file of the image's initrd",
            r"Bulkhead: exit status 0",
        ],
    )


def run_grub_file(build):
    """grub-file accepts the default image's multiboot2 and multiboot1 headers."""
    image = os.path.join(build, "default", "bulkhead.elf")
    out = []
    for flag, name in (("--is-x86-multiboot2", "multiboot2"), ("--is-x86-multiboot", "multiboot1")):
        rc, _ = run(["grub-file", flag, image], 60)
        out.append(
            Result(
                "image.grub_file_accepts_" + name,
                rc == 0,
                "grub-file %s rejected %s" % (flag, image),
            )
        )
    return out


# --- the initrd, arguments and console input --------------------------------
# The echo program (tests/echo/, tests/configs/other/echo.toml) prints its
# arguments and the lines typed into its console. ECHO_ARGS is what a user
# gives make run (shell words, ARGS=...), ECHO_WORDS what the program must
# get as argv[1..].
ECHO_CONFIG = os.path.join("tests", "configs", "other", "echo.toml")
ECHO_ARGS = """-- one "two words" "it's" 'q"t' 'b\\s' \"\""""
ECHO_WORDS = ["one", "two words", "it's", 'q"t', "b\\s", ""]
# GRUB drops an empty word (mkiso.sh refuses one).
GRUB_WORDS = [w for w in ECHO_WORDS if w]
ECHO_AHEAD = "typed ahead\n"  # typed before the guest is up (make run only)
# Typed once it says it is ready (DEL erases the x), and what it reads.
ECHO_LINES = ["hello wx\x7forld", "bye"]
ECHO_READ = ["hello world", "bye"]
ECHO_INITRD_CASE = {
    "make_run": "initrd.make_run_boots_with_the_initrd",
    "grub": "initrd.grub_loads_the_initrd_as_a_module",
}
ECHO_NAMES = [
    "args.make_run_keeps_quoted_words",
    "stdin.make_run_reads_typed_lines",
    "initrd.make_run_boots_with_the_initrd",
    "args.grub_keeps_quoted_words",
    "stdin.grub_reads_typed_lines",
    "initrd.grub_loads_the_initrd_as_a_module",
]


def type_into(cmd, env, ahead, lines):
    """Run cmd (a boot of the echo program) in a session of its own, its
    stdin a pipe: write `ahead` at once and `lines` once the program says
    it is ready, then close it. Returns (status, None if it timed out;
    output lines)."""
    p = spawn(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, ready = [], threading.Event()

    def pump():
        for raw in iter(p.stdout.readline, b""):
            out.append(text_of(raw).rstrip("\n"))
            if out[-1].strip() == "echo: ready":
                ready.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    status = None
    try:
        p.stdin.write(ahead.encode())
        p.stdin.flush()
        if ready.wait(TIMEOUT):
            p.stdin.write("".join(line + "\n" for line in lines).encode())
            p.stdin.close()
        status = p.wait(TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        pass
    finally:
        end(p)
        reader.join(5)
    return status, out


def echo_results(build, how, words, status, out, typed, loader):
    """The verdicts on one boot of the echo program (how: make_run or
    grub): its arguments, the typed lines it read, and its initrd (the
    archive of tests/initrd/, booted by `loader`)."""
    size = os.path.getsize(os.path.join(build, "echo", "initrd.cpio"))
    text = "\n".join(out)
    want_args = ["echo: argv[%d] [%s]" % (i, w) for i, w in enumerate(words, 1)]
    got_args = [line for line in out if line.startswith("echo: argv[") and "argv[0]" not in line]
    want_lines = ["echo: line [%s]" % line for line in typed]
    got_lines = [line for line in out if line.startswith("echo: line [")]
    initrd = r"^  initrd %d bytes at 0x[0-9a-f]+$" % size
    ended = status == 0 and "Bulkhead: exit status 0" in text
    why = "exit %s\n%s" % (status, tail(out))
    return [
        Result("args.%s_keeps_quoted_words" % how, ended and got_args == want_args, why),
        Result("stdin.%s_reads_typed_lines" % how, ended and got_lines == want_lines, why),
        Result(
            ECHO_INITRD_CASE[how],
            bool(re.search(initrd, text, re.M)) and loader in text,
            "no line matching %r and %r\n%s" % (initrd, loader, tail(out)),
        ),
    ]


def run_echo(build):
    """What a user types into `make run` (and into an ISO's boot) reaches
    the application's stdin, typed-ahead input included; arguments with
    spaces and quotes survive make, qemu-run.sh and QEMU's -append, and
    GRUB's command line; both loaders hand the kernel the initrd."""
    status, out = run(["make", "--no-print-directory", "CONFIG=" + ECHO_CONFIG, "image"], 600)
    if status != 0:
        return [
            Result(n, False, "make image: exit %s\n%s" % (status, text_of(out)[-2000:]))
            for n in ECHO_NAMES
        ]
    env = dict(os.environ, QEMU_TIMEOUT=str(TIMEOUT))
    cmd = [
        "make",
        "--no-print-directory",
        "-s",
        "run",
        "CONFIG=" + ECHO_CONFIG,
        "ARGS=" + ECHO_ARGS,
    ]
    status, out = type_into(cmd, env, ECHO_AHEAD, ECHO_LINES)
    results = echo_results(
        build,
        "make_run",
        ECHO_WORDS,
        status,
        out,
        [ECHO_AHEAD.strip()] + ECHO_READ,
        "multiboot1 from qemu",
    )
    iso = os.path.join(build, "echo.iso")
    status, out = run(
        [os.path.join(HERE, "mkiso.sh"), iso, ECHO_CONFIG, "--", "--"] + GRUB_WORDS, 600
    )
    if status != 0:
        return results + [
            Result(n, False, "mkiso.sh: exit %s\n%s" % (status, text_of(out)[-2000:]))
            for n in ECHO_NAMES[3:]
        ]
    status, out = type_into([QEMU_RUN, "--cdrom", iso], env, "", ECHO_LINES)
    return results + echo_results(
        build, "grub", GRUB_WORDS, status, out, ECHO_READ, "multiboot2 from GRUB"
    )


def run_corrupt_initrd(build):
    """A boot module that is no newc archive (an odc one, what `cpio -o`
    writes without -H newc) stops the boot with the exact report."""
    name = "initrd.corrupt_archive_stops_the_boot"
    odc = os.path.join(build, "tests", "odc.cpio")
    os.makedirs(os.path.dirname(odc), exist_ok=True)
    with open(odc, "wb") as f:
        made = subprocess.run(
            ["cpio", "-o", "-H", "odc", "--quiet"],
            input=b"hello.txt\n",
            stdout=f,
            cwd=os.path.join("tests", "initrd"),
        )
    with open(odc, "rb") as f:
        start = f.read(8)
    size = os.path.getsize(odc)
    image = os.path.join(build, "default", "bulkhead.elf")
    env = dict(os.environ, QEMU_TIMEOUT=str(TIMEOUT), QEMU_INITRD=odc)
    status, out = run([QEMU_RUN, image], TIMEOUT + 2 * GRACE + 10, env=env)
    lines = text_of(out).splitlines()
    want = r"^PANIC: initrd: the module at (0x[0-9a-f]+) \(%d bytes\) " % size + re.escape(
        'is not a cpio newc archive (magic 070701): it begins %s "%s" (thread "boot")'
        % (
            " ".join("%02x" % b for b in start),
            "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in start),
        )
    )
    want += "$"
    m = next((re.match(want, line) for line in lines if re.match(want, line)), None)
    # QEMU puts the module on a page of its own above the image.
    nm = subprocess.run(["nm", image], capture_output=True, text=True).stdout
    end = re.search(r"^([0-9a-f]+) \w __kernel_end$", nm, re.M)
    placed = (
        m
        and end
        and int(m.group(1), 16) % 4096 == 0
        and int(m.group(1), 16) >= int(end.group(1), 16)
    )
    ok = made.returncode == 0 and status == 125 and bool(placed)
    return [Result(name, ok, "exit %s, expected 125 and %r\n%s" % (status, want, tail(lines)))]


def newc_entry(name, mode, data=b"", filesize=None):
    """One entry of a cpio newc archive: its header, name and data, each
    padded to four bytes. filesize may be given as text, to spoil it."""
    size = ("%08x" % len(data)) if filesize is None else filesize
    fields = ["%08x" % v for v in (0, mode, 0, 0, 1, 0)] + [size]
    fields += ["%08x" % v for v in (0, 0, 0, 0, len(name) + 1, 0)]
    head = ("070701" + "".join(fields)).encode() + name.encode() + b"\0"
    head += b"\0" * (-len(head) % 4)
    return head + data + b"\0" * (-len(data) % 4)


# Archives with the right magic that the vfs must still refuse, each with
# the reason its boot must stop with.
BROKEN_NEWC = {
    "truncated": (
        newc_entry("etc", 0o40755) + newc_entry("etc/motd", 0o100644, b"x" * 100)[:150],
        r"100 bytes wanted, but the archive ends at",
    ),
    "bad_field": (
        newc_entry("motd", 0o100644, b"hello", filesize="0000zz05"),
        r"its filesize field holds '0000zz05', not hex digits",
    ),
    "dotdot": (
        newc_entry("a/../../etc/passwd", 0o100644, b"root"),
        r"its name leads out of the archive with '\.\.'",
    ),
    "no_trailer": (
        newc_entry("motd", 0o100644, b"hello"),
        r"the archive ends without its TRAILER!!! entry",
    ),
}
BROKEN_NEWC_NAMES = ["initrd.vfs_refuses_a_%s_archive" % k for k in sorted(BROKEN_NEWC)]


def run_broken_newc(build):
    """An archive with the newc magic but broken inside stops the boot in
    the vfs, naming the entry, where it is and what is wrong with it:
    never a root half filled."""
    results = []
    image = os.path.join(build, "default", "bulkhead.elf")
    os.makedirs(os.path.join(build, "tests"), exist_ok=True)
    for kind, (data, why) in sorted(BROKEN_NEWC.items()):
        path = os.path.join(build, "tests", "broken-%s.cpio" % kind)
        with open(path, "wb") as f:
            f.write(data)
        env = dict(os.environ, QEMU_TIMEOUT=str(TIMEOUT), QEMU_INITRD=path)
        status, out = run([QEMU_RUN, image], TIMEOUT + 2 * GRACE + 10, env=env)
        lines = text_of(out).splitlines()
        want = (
            r"^PANIC: vfs: the initrd \(%d bytes\) is not a usable cpio newc archive: "
            r"entry \d+ at offset \d+: .*%s" % (len(data), why)
        )
        ok = status == 125 and any(re.match(want, line) for line in lines)
        ok = ok and not any("hello from" in line for line in lines)
        results.append(
            Result(
                "initrd.vfs_refuses_a_%s_archive" % kind,
                ok,
                "exit %s, expected 125 and %r\n%s" % (status, want, tail(lines)),
            )
        )
    return results


# Programs that are only folders, in a copy of the tree (run_app_folders).
TINY_MAIN = r"""#include <stdio.h>
const char *tiny_word(void);
int main(int argc, char **argv)
{
    printf("tiny: %s from a folder, %d args, [%s]\n", TINY_GREETING, argc,
           argc > 1 ? argv[1] : "");
    printf("tiny: %s\n", tiny_word());
    return 0;
}
"""
PLAIN_MAIN = r"""#include <stdio.h>
int main(void)
{
    puts("plain: main(void) in a compartment of its own");
    return 0;
}
"""
APP_FOLDER_FILES = (
    ("apps/tiny/main.c", TINY_MAIN),
    ("apps/tiny/lib/word.c", 'const char *tiny_word(void) { return "found in a subfolder"; }\n'),
    ("apps/tiny/build.mk", "$(OBJDIR)/apps/tiny/%: KCFLAGS += -DTINY_GREETING='\"hello\"'\n"),
    # Files of its initrd, not sources (they would not compile).
    ("apps/tiny/root/etc/tiny.c", "#error the image's own, replaced by FILES=\n"),
    ("apps/tiny/root/etc/kept.conf", "kept\n"),
    ("overlay/etc/tiny.c", "#error from FILES=\n"),
    (
        "tiny.toml",
        'app = "tiny"\nbackend = "fcall"\nfiles = "apps/tiny/root"\n\n'
        '[[compartment]]\nname = "all"\ndefault = true\n',
    ),
    ("apps/plain/main.c", PLAIN_MAIN),
    (
        "plain.toml",
        'app = "plain"\nbackend = "mpk"\n\n[[compartment]]\nname = "core"\ndefault = true\n\n'
        '[[compartment]]\nname = "app"\nlibraries = ["plain"]\n',
    ),
)
APP_FOLDER_NAMES = [
    "apps.a_folder_is_an_application",
    "apps.main_void_gets_the_default_api",
    "initrd.make_run_files_overlay_the_images_own",
]


def copy_tree(build, copy):
    """A copy of this tree (sources only) at `copy`, whose build/ starts
    from this one's objects (times kept, so they are up to date) and
    newlib."""
    shutil.rmtree(copy, ignore_errors=True)
    top = os.getcwd()
    for folder, dirs, files in os.walk(top):
        rel = os.path.relpath(folder, top)
        dirs[:] = [
            d for d in dirs if d != "__pycache__" and not (rel == "." and d in ("build", ".git"))
        ]
        os.makedirs(os.path.join(copy, rel), exist_ok=True)
        for f in files:
            shutil.copy2(os.path.join(folder, f), os.path.join(copy, rel, f))
    os.makedirs(os.path.join(copy, "build"))
    for kept in ("obj", "lib"):
        shutil.copytree(os.path.join(build, kept), os.path.join(copy, "build", kept))
    for kept in (".kcflags", ".deps-ok"):
        shutil.copy2(os.path.join(build, kept), os.path.join(copy, "build", kept))
    os.symlink(os.path.join(build, "newlib"), os.path.join(copy, "build", "newlib"))


def run_app_folders(build):
    """A new program is a folder and a configuration, nothing else edited:
    apps/tiny/ (main.c, a source in a subfolder, a build.mk adding a flag,
    no API file, a root/ of initrd files holding C text that must not be
    compiled), run by make run with FILES= overlaid on its files; and
    apps/plain/, an `int main(void)` in an mpk compartment of its own,
    whose default API fits it. In a copy of the tree (build/tests/app-tree),
    so no other job sees the folders."""
    copy = os.path.join(build, "tests", "app-tree")
    copy_tree(build, copy)
    for path, text in APP_FOLDER_FILES:
        os.makedirs(os.path.dirname(os.path.join(copy, path)), exist_ok=True)
        with open(os.path.join(copy, path), "w") as f:
            f.write(text)
    env = dict(os.environ, QEMU_TIMEOUT=str(TIMEOUT))
    make = ["make", "-C", copy, "--no-print-directory", "-s", "run"]
    results, outputs = [], []
    for name, config, args, texts in (
        (
            APP_FOLDER_NAMES[0],
            "tiny",
            ["FILES=overlay", 'ARGS=-- "first word"'],
            [
                r"\(config tiny, backend fcall, app tiny\)",
                r"(?m)^tiny: hello from a folder, 2 args, \[first word\]$",
                r"(?m)^tiny: found in a subfolder$",
            ],
        ),
        (
            APP_FOLDER_NAMES[1],
            "plain",
            [],
            [r"compartment app: plain libc", r"(?m)^plain: main\(void\) in a compartment"],
        ),
    ):
        status, out = run(make + ["CONFIG=%s.toml" % config] + args, 600, env=env)
        outputs.append(text_of(out))
        results += check_output(
            name, status, outputs[-1].splitlines(), 0, texts + [r"Bulkhead: exit status 0"]
        )
    # make run FILES=overlay: its etc/tiny.c replaced the image's own, the
    # rest kept, and the guest booted with that archive.
    archive = os.path.join(copy, "build", "tiny", "initrd.cpio")
    files, booted = {}, False
    if os.path.exists(archive):
        for member in ("etc/tiny.c", "etc/kept.conf"):
            with open(archive, "rb") as f:
                got = subprocess.run(
                    ["cpio", "-i", "--quiet", "--to-stdout", member], stdin=f, capture_output=True
                )
            files[member] = got.stdout
        booted = "\n  initrd %d bytes at 0x" % os.path.getsize(archive) in outputs[0]
    want = {"etc/tiny.c": b"#error from FILES=\n", "etc/kept.conf": b"kept\n"}
    results.append(
        Result(
            APP_FOLDER_NAMES[2],
            files == want and booted,
            "archive members %r, expected %r; booted with it: %s\n%s"
            % (files, want, booted, outputs[0][-2000:]),
        )
    )
    if all(r.ok for r in results):
        shutil.rmtree(copy, ignore_errors=True)
    return results


def run_style():
    """The C sources are laid out as .clang-format says (make check-style)."""
    status, files = run(["git", "ls-files", "*.c", "*.h"], 60)
    if status != 0:
        return [Result("style.clang_format", False, "git ls-files: exit %s" % status)]
    status, out = run(["clang-format", "--dry-run", "--Werror"] + text_of(files).split(), 600)
    bad = sorted({line.split(":")[0] for line in text_of(out).splitlines() if ": error:" in line})
    return [
        Result(
            "style.clang_format",
            status == 0,
            "not clang-formatted (run clang-format -i): " + " ".join(bad),
        )
    ]


def run_python_style():
    """The Python sources are laid out as black says and pass flake8
    (pyproject.toml, .flake8; make check-style)."""
    status, files = run(["git", "ls-files", "*.py"], 60)
    files = text_of(files).split()
    out = []
    for name, cmd in (
        ("style.python_black", ["black", "--check", "--quiet"]),
        ("style.python_flake8", ["flake8"]),
    ):
        code, text = run(cmd + files, 600)
        out.append(Result(name, status == 0 and code == 0, "    " + text_of(text)[-3000:]))
    return out


# --- running the jobs -------------------------------------------------------
def report(results):
    """Print one line per result, and under a failure its details."""
    for r in results:
        print("%-4s %s" % ("ok" if r.ok else "FAIL", r.name))
        if not r.ok and r.detail:
            print(r.detail)
    sys.stdout.flush()


def call(job):
    """Run one job; an exception in it is its failure, not the runner's."""
    try:
        return job.fn()
    except Exception as e:
        return [Result("runner.job_failed", False, "%s: %s" % (type(e).__name__, e))]


def on_sigterm(signum, frame):
    """SIGTERM ends the runner the way Ctrl-C does."""
    raise KeyboardInterrupt()


def run_jobs(jobs, want):
    """Run the jobs two at a time (two QEMUs on two cores), printing each
    job's results (those --only keeps) in order as they come. Interrupted
    (Ctrl-C, SIGTERM), start nothing more, end every session, and count
    the interruption as a failure."""
    results = []
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        for job, batch in zip(jobs, pool.map(call, jobs)):
            batch = job.keep(batch, want)
            report(batch)
            results += batch
    except KeyboardInterrupt:
        STOPPING.set()
        pool.shutdown(wait=False, cancel_futures=True)
        end_all()
        results.append(
            Result("runner.interrupted", False, "interrupted: the cases still running were stopped")
        )
        report(results[-1:])
    pool.shutdown(wait=True)
    return results


def all_jobs(build, want):
    """Every job of make test, those --only does not want included."""
    inv, problems = read_inventory()
    jobs = [
        Job(lambda: run_inventory_check(inv, problems), names=["inventory.matches_the_sources"])
    ]
    jobs += [
        Job(lambda f=folder, p=prefix: run_unittests(f, p), names=unittest_names(folder, prefix))
        for folder, prefix in UNITTESTS
    ]
    jobs += [
        Job(lambda: run_bad_config(build), names=["config.make_stops_on_a_bad_config"]),
        # Both build the stray library: one after the other.
        Job(
            lambda: run_stray_wrpkru(build) + run_stray_places(build),
            names=["image.stray_wrpkru_and_xrstor_rejected"] + STRAY_PLACES,
        ),
        Job(lambda: run_layout_pad(build), names=["image.layout_pad_moves_code_and_data"]),
        Job(lambda: run_bench_check(build), names=bench_check_names()),
        Job(lambda: run_ept_kill(build), names=["ept.killed_vm_stops_the_launcher"]),
        Job(lambda: run_example_backend(build), names=["image.example_backend_boots"]),
        Job(lambda: run_count_backend(build), names=["image.count_backend_counts"]),
        *[
            Job(lambda n=n: run_fuzz(build, n), names=["fuzz.%s.seeded_pass_has_no_findings" % n])
            for n in FUZZ_CONFIGS
        ],
        Job(lambda: run_forbidden_call(build), names=["image.core_only_call_rejected"]),
        Job(lambda: run_driver_pci(build), names=["image.driver_pci_call_rejected"]),
        Job(lambda: run_privileged(build), names=["image.privileged_instructions_rejected"]),
        Job(lambda: run_imports(build), names=["image.imports_" + n for n in IMPORTS]),
        Job(
            lambda: run_checks_where_isolated(build),
            names=[
                "image.argument_checks_gates-mpk_present",
                "image.argument_checks_gates-fcall_absent",
            ],
        ),
        Job(
            lambda: run_grub_file(build),
            names=["image.grub_file_accepts_multiboot2", "image.grub_file_accepts_multiboot1"],
        ),
        Job(run_style, names=["style.clang_format"]),
        Job(run_python_style, names=["style.python_black", "style.python_flake8"]),
        Job(lambda: run_app(build), names=["image.app_hello_runs"]),
        Job(lambda: run_iso(build), names=["image.iso_boots_through_grub"]),
        Job(lambda: run_echo(build), names=ECHO_NAMES),
        Job(lambda: run_net_offload(build), names=OFFLOAD_NAMES),
        Job(lambda: run_corrupt_initrd(build), names=["initrd.corrupt_archive_stops_the_boot"]),
        Job(lambda: run_broken_newc(build), names=BROKEN_NEWC_NAMES),
        Job(lambda: run_app_folders(build), names=APP_FOLDER_NAMES),
    ]
    jobs += [
        Job(lambda n=n: run_config_image(build, n), names=config_image_names(n))
        for n in config_names()
    ]
    jobs += [Job(lambda c=c: run_posix(build, c), names=posix_names(c)) for c in posix_configs()]
    return jobs + inventory_jobs(build, inv, want)


def main():
    """make test (or make inventory): run what was asked, print the verdicts."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument(
        "--only",
        metavar="REGEX",
        help="run only the cases whose full names match REGEX (re.search)",
    )
    ap.add_argument(
        "--redis-full",
        action="store_true",
        help="run every unit of Redis's suite in REDIS_UNITS (make test-redis)",
    )
    ap.add_argument(
        "--write-inventory",
        action="store_true",
        help="write %s from the test kernels' listings (make inventory)" % INVENTORY,
    )
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    global REDIS_FULL
    REDIS_FULL = args.redis_full
    os.chdir(os.path.dirname(HERE))  # paths below are from the top of the tree
    if args.write_inventory:
        return write_inventory(build)

    want = re.compile(args.only).search if args.only else (lambda name: True)
    jobs = [job for job in all_jobs(build, want) if job.wanted(want)]
    if jobs:
        results = run_jobs(jobs, want)
    else:
        results = [
            Result("runner.only_matches_a_case", False, "    --only %r matches no case" % args.only)
        ]
        report(results)
    results += check_no_process_left()
    report(results[-1:])
    passed = sum(r.ok for r in results)
    failed = len(results) - passed
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
