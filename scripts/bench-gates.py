#!/usr/bin/env python3
"""make test-gates: gate costs on the host CPU and in QEMU, in one table.

Runs build/bench/host-gates (the kernel's gate templates in a Linux
process, real WRPKRU when the CPU has PKU) and boots the gate-test images
(fcall, mpk light, mpk full) with bench=gates. Prints the table, the
ratios the targets are stated in, and writes build/bench/gates.csv and
build/bench/gates.png (gnuplot).

    bench-gates.py [--build DIR]           time everything
    bench-gates.py [--build DIR] --check   only check that every path works
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
IMAGES = ["gates-fcall", "gates-mpk", "gates-mpkfull", "gates-ept"]
ROW = re.compile(r"^row (\w+) ([\w+-]+) (\d+) (\d+) (\d+)$")


def host(build, check):
    cmd = [os.path.join(build, "bench", "host-gates")] + (["--check"] if check else [])
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    return p.returncode, p.stdout.decode().splitlines()


def qemu(build, image, what):
    env = dict(os.environ, QEMU_TIMEOUT="600")
    run = "ept-launch.py" if image.endswith("-ept") else "qemu-run.sh"
    p = subprocess.run(
        [os.path.join(HERE, run), os.path.join(build, image, "bulkhead.elf"), "bench=" + what],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    text = p.stdout.decode("utf-8", "replace").replace("\r", "")
    return p.returncode, [re.sub(r"^\[[\w-]+\] ", "", line) for line in text.splitlines()]


def parse(lines):
    rows, notes, overhead = [], [], {}
    for line in lines:
        m = ROW.match(line)
        if m:
            rows.append((m.group(1), m.group(2), int(m.group(3)), int(m.group(4)), int(m.group(5))))
        elif line.startswith("note "):
            notes.append(line[5:])
        elif line.startswith("overhead "):
            where, cycles = line.split()[1:3]
            overhead[where] = int(cycles)
    return rows, notes, overhead


def check(build):
    """Every path of both harnesses works; exit status 0 if so."""
    failed = 0
    rc, lines = host(build, True)
    ok = rc == 0 and any(line.startswith("check host ok") for line in lines)
    print("%s host: %s" % ("ok  " if ok else "FAIL", "; ".join(lines)))
    failed += not ok
    if any(line.startswith("note host no PKU") for line in lines):
        # No PKU here: check the harness's PKU paths in a Linux guest.
        p = subprocess.run(
            [
                os.path.join(HERE, "linux-guest-run.sh"),
                os.path.join(build, "bench", "host-gates-static"),
                "--check",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        out = p.stdout.decode("utf-8", "replace").splitlines()
        ok = p.returncode == 0 and "check host ok" in out
        print("%s host-in-linux-guest: %s" % ("ok  " if ok else "FAIL", "; ".join(out[-5:])))
        failed += not ok
    for image in IMAGES:
        rc, lines = qemu(build, image, "check")
        found = [line for line in lines if line.startswith("check qemu")]
        ok = rc == 0 and found and found[0].endswith(" ok")
        print(
            "%s qemu %s: %s"
            % ("ok  " if ok else "FAIL", image, found[0] if found else "\n".join(lines[-15:]))
        )
        failed += not ok
    return 1 if failed else 0


def ratio(a, b):
    return "%.2f" % (a / b) if b else "n/a"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    if args.check:
        return check(args.build)

    rows, notes, overhead = [], [], {}
    rc, lines = host(args.build, False)
    if rc != 0:
        print("bench-gates: host-gates failed:\n" + "\n".join(lines))
        return 1
    r, n, o = parse(lines)
    rows += r
    notes += n
    overhead.update(o)
    seen = set()
    for image in IMAGES:
        rc, lines = qemu(args.build, image, "gates")
        r, n, o = parse(lines)
        if rc != 0 or not r:
            print("bench-gates: %s failed (exit %d):\n%s" % (image, rc, "\n".join(lines[-20:])))
            return 1
        for row in r:  # call is timed in every image: keep the first
            if (row[0], row[1]) not in seen:
                seen.add((row[0], row[1]))
                rows.append(row)
        notes += n
        overhead["qemu"] = o.get("qemu", 0)

    out = os.path.join(args.build, "bench")
    os.makedirs(out, exist_ok=True)
    print("Gate costs in TSC cycles per call: median and p99 of timed batches " "after warm-up,")
    print(
        "the timing's own cost subtracted (host %s, qemu %s cycles)."
        % (overhead.get("host", "?"), overhead.get("qemu", "?"))
    )
    print(
        "qemu rows are emulated (TCG: WRPKRU costs ~100x hardware); they show "
        "that each path works, not its speed."
    )
    print()
    print("%-6s %-14s %10s %10s %10s" % ("where", "path", "median", "p99", "runs"))
    for where, path, med, p99, runs in rows:
        print("%-6s %-14s %10d %10d %10d" % (where, path, med, p99, runs))
    for n in notes:
        print("note: " + n)
    print()
    med = {(w, p): m for w, p, m, _, _ in rows}
    print("Ratios, each from this run:")
    for where in ("host", "qemu"):
        get = lambda p: med.get((where, p))  # noqa: E731
        floor = (
            (2 * get("wrpkru") + get("call"))
            if get("wrpkru") is not None and get("call") is not None
            else None
        )
        light, full = get("mpk-light"), get("mpk-full")
        print(
            "  %-5s mpk-light / (2*wrpkru + call) = %s   (target <= 1.15)"
            % (where, ratio(light, floor) if light is not None and floor else "n/a")
        )
        for path in ("mpk-light", "mpk-full"):
            checked, plain = get(path + "+arg"), get(path)
            work = (
                get("fcall+arg") - get("fcall")
                if get("fcall+arg") is not None and get("fcall") is not None
                else None
            )
            cost = (
                "%d cycles" % (checked - plain - work)
                if None not in (checked, plain, work)
                else "n/a"
            )
            print(
                "  %-5s %-29s = %s; the check: %s   (the pointer argument's cost, "
                "less the callee's own work as fcall measures it)"
                % (
                    where,
                    "%s+arg / %s" % (path, path),
                    ratio(checked, plain) if checked is not None and plain else "n/a",
                    cost,
                )
            )
        print(
            "  %-5s mpk-full / mpk-light         = %s   (target <= 1.5)"
            % (where, ratio(full, light) if full is not None and light else "n/a")
        )
        print(
            "  %-5s fcall / call                 = %s   (target: equal within noise)"
            % (
                where,
                ratio(get("fcall"), get("call"))
                if get("fcall") is not None and get("call")
                else "n/a",
            )
        )

    csv = os.path.join(out, "gates.csv")
    with open(csv, "w") as f:
        f.write("where,path,median_cycles,p99_cycles,runs\n")
        for where, path, m, p99, runs in rows:
            f.write("%s,%s,%d,%d,%d\n" % (where, path, m, p99, runs))
    png = os.path.join(out, "gates.png")
    plot = os.path.join(out, "gates.gp")
    with open(plot, "w") as f:
        f.write(
            "set terminal pngcairo size 900,500 noenhanced\n"
            'set output "%s"\n'
            'set datafile separator ","\n'
            'set title "Bulkhead gate costs (median TSC cycles per call; qemu emulated)"\n'
            "set logscale y\n"
            'set ylabel "cycles (log scale)"\n'
            "set style fill solid 0.6\n"
            "set boxwidth 0.7\n"
            "set xtics rotate by -30\n"
            "set key off\n"
            'plot "%s" every ::1 using 0:($3 > 0 ? $3 : 1):xtic(sprintf("%%s %%s", '
            "strcol(1), strcol(2))) with boxes\n" % (png, csv)
        )
    p = subprocess.run(["gnuplot", plot], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        print("bench-gates: gnuplot failed:\n" + p.stdout.decode())
        return 1
    print()
    print("wrote %s and %s" % (csv, png))
    return 0


if __name__ == "__main__":
    sys.exit(main())
