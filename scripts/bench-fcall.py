#!/usr/bin/env python3
"""What compartments cost when nothing isolates them: fcall against one compartment.

usage: bench-fcall.py [--runs N] [--build DIR]

Measures, in one run, the same programs built without compartments and
split into compartments joined by plain calls (backend fcall):

  - hello: configs/default.toml (one compartment) against configs/fcall3.toml
    (core / sched / app): the image's text, data and bss (binutils' size),
    the wall time from starting QEMU to the guest's exit, and the time
    hello's own thread test reports from inside the guest (`N us`);
  - gates: the gate-test program with its victim library in a compartment
    of its own (tests/configs/gates-fcall.toml) against the same program in
    one compartment (build/bench/gates-one.toml, written here): the cycles
    of a call to the victim, and of one with a pointer argument, from the
    program's own bench=gates (the median of its batches).

Times are medians of N runs (default 5), the two images taken in turn, in
QEMU under TCG on this host; sizes are exact. Every split image holds a
copy of libc (Bulkhead's glue and newlib) per compartment, which is what
the text figure shows; calls between compartments stay direct calls.
QEMU runs hold /tmp/bulkhead-qemu.lock, as make mutate does.
"""

import argparse
import fcntl
import os
import platform
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LOCK = "/tmp/bulkhead-qemu.lock"
GATES_ONE = """# Written by scripts/bench-fcall.py: the gate-test program and its victim
# library in one compartment, to set against tests/configs/gates-fcall.toml.
description = "gate tests, one compartment"
app = "gatetest"
backend = "fcall"

[[compartment]]
name = "all"
default = true
libraries = ["victim"]
"""
ROW = re.compile(r"^row qemu ([\w+-]+) (\d+) (\d+) (\d+)$", re.M)
HELLO_US = re.compile(r"sum of squares \d+, (\d+) us")


def build(config):
    """Build config's image; return its path."""
    subprocess.run(
        ["make", "--no-print-directory", "-s", "CONFIG=" + config, "image"], cwd=ROOT, check=True
    )
    name = os.path.splitext(os.path.basename(config))[0]
    return os.path.join(ROOT, "build", name, "bulkhead.elf")


def sizes(image):
    """(text, data, bss) of an image, as binutils' size counts them."""
    out = subprocess.run(["size", image], capture_output=True, text=True, check=True).stdout
    text, data, bss = out.splitlines()[1].split()[:3]
    return int(text), int(data), int(bss)


def boot(image, *words):
    """Boot image once; (wall seconds, console text)."""
    t0 = time.monotonic()
    p = subprocess.run(
        [os.path.join(HERE, "qemu-run.sh"), image] + list(words),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=dict(os.environ, QEMU_TIMEOUT="300"),
    )
    seconds = time.monotonic() - t0
    text = p.stdout.decode("utf-8", "replace").replace("\r", "")
    if p.returncode != 0:
        sys.exit("bench-fcall: %s exited with %d:\n%s" % (image, p.returncode, text[-2000:]))
    return seconds, text


def hello_us(text, image):
    m = HELLO_US.search(text)
    if not m:
        sys.exit("bench-fcall: %s printed no thread-test time:\n%s" % (image, text[-2000:]))
    return int(m.group(1))


def gate_rows(text, image):
    rows = {m.group(1): int(m.group(2)) for m in ROW.finditer(text)}
    if "call" not in rows or "fcall" not in rows or "fcall+arg" not in rows:
        sys.exit("bench-fcall: %s printed no gate rows:\n%s" % (image, text[-2000:]))
    return rows


def ratio(a, b):
    return "%.2f" % (a / b) if b else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="runs of each image (default 5)")
    args = ap.parse_args()
    if args.runs < 1:
        sys.exit("bench-fcall: --runs must be at least 1")
    os.makedirs(os.path.join(ROOT, "build", "bench"), exist_ok=True)
    hello = {"default": build("configs/default.toml"), "fcall3": build("configs/fcall3.toml")}
    one_cfg = os.path.join("build", "bench", "gates-one.toml")
    with open(os.path.join(ROOT, one_cfg), "w") as f:
        f.write(GATES_ONE)
    gates = {"gates-one": build(one_cfg), "gates-fcall": build("tests/configs/gates-fcall.toml")}

    wall = {k: [] for k in hello}
    inside = {k: [] for k in hello}
    cycles = {k: {"fcall": [], "fcall+arg": []} for k in gates}
    fd = os.open(LOCK, os.O_RDONLY | os.O_CREAT, 0o666)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        for _ in range(args.runs):
            for name, image in hello.items():
                seconds, text = boot(image)
                wall[name].append(seconds)
                inside[name].append(hello_us(text, image))
            for name, image in gates.items():
                rows = gate_rows(boot(image, "bench=gates")[1], image)
                for what in cycles[name]:
                    cycles[name][what].append(rows[what])
    finally:
        os.close(fd)

    med = statistics.median
    print(
        "fcall against one compartment, QEMU %s TCG (-cpu max) on %s (%s);"
        % (qemu_version(), cpu_model(), platform.machine())
    )
    print("times: medians of %d runs, the images taken in turn\n" % args.runs)
    s_one, s_three = sizes(hello["default"]), sizes(hello["fcall3"])
    print("hello                     default     fcall3   fcall3/default")
    for i, what in enumerate(("text bytes", "data bytes", "bss bytes")):
        print("  %-20s %10d %10d   %s" % (what, s_one[i], s_three[i], ratio(s_three[i], s_one[i])))
    a, b = med(wall["default"]), med(wall["fcall3"])
    print("  %-20s %10.3f %10.3f   %s" % ("boot to exit, s", a, b, ratio(b, a)))
    a, b = med(inside["default"]), med(inside["fcall3"])
    print("  %-20s %10d %10d   %s" % ("thread test, us", a, b, ratio(b, a)))
    print("\ngate test, cycles per call      gates-one gates-fcall   fcall/one")
    for what, label in (("fcall", "to the victim"), ("fcall+arg", "the same, a pointer argument")):
        a, b = med(cycles["gates-one"][what]), med(cycles["gates-fcall"][what])
        print("  %-30s %9d %11d   %s" % (label, a, b, ratio(b, a)))
    extra = s_three[0] - s_one[0]
    print(
        "\nfcall3's extra text (%d bytes) is two more copies of libc, one per extra "
        "compartment;\ncalls between compartments are the same direct calls." % extra
    )


def qemu_version():
    out = subprocess.run(
        ["qemu-system-x86_64", "--version"], capture_output=True, text=True
    ).stdout.split()
    return out[3] if len(out) > 3 else "?"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "an unknown CPU"


if __name__ == "__main__":
    main()
