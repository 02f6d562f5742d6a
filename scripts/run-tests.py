#!/usr/bin/env python3
"""Bulkhead's test runner: host unit tests, in-QEMU test kernels, the
default application, and the GRUB ISO. Prints one line per case and, last,
`N passed, N failed`. Exits 1 if anything failed.

In-QEMU suites print KTAP; a suite that stops early (panic, fault, hang)
fails every case it did not report. Cases that end the machine themselves
(TEST_ALONE) announce `# expect-exit: N` and `# expect: text` lines; the
runner checks the exit status and finds each text in the output.
"""
import argparse
import concurrent.futures
import os
import re
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
QEMU_RUN = os.path.join(HERE, "qemu-run.sh")
EPT_LAUNCH = os.path.join(HERE, "ept-launch.py")
VM_PREFIX = re.compile(r"^\[[\w-]+\] ")
KTAP_RESULT = re.compile(r"^(not )?ok (\d+) (\S+)")
KTAP_PLAN = re.compile(r"^1\.\.(\d+)$")
# Extra QEMU arguments for suites that need them.
SUITE_QEMU = {
    "timefw": "-fw_cfg name=opt/bulkhead/tsc_khz,string=1234567",
    "net": "-netdev user,id=n0 -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56",
    "dev": "-netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0",
    "sockets": "-netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0",
}
# Extra guest command-line words for suites that need them.
SUITE_ARGS = {
    "sockets": "ip=10.0.2.15/24 gw=10.0.2.2",
}
TIMEOUT = int(os.environ.get("TEST_TIMEOUT", "120"))
# Functions no compartment but the kernel core may call (page tables,
# traps, the scheduler's set-up): never in an image's imports.txt.
CORE_ONLY = {"vm_map", "vm_unmap", "vm_lookup", "mm_page_alloc", "mm_page_free",
             "sched_init", "time_init", "fwcfg_read_file", "cmdline_argv",
             "sched_thread_gate", "sched_set_thread_gate", "tcpip_callback"}


class Result:
    def __init__(self, name, ok, detail=""):
        self.name, self.ok, self.detail = name, ok, detail


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


def boot(image, cmdline, extra="", cdrom=False):
    """Boot an image (ept: one VM per compartment, through the launcher);
    return (guest exit status, output lines without VM-name prefixes)."""
    env = dict(os.environ, QEMU_TIMEOUT=str(TIMEOUT), QEMU_EXTRA=extra)
    if cdrom:
        cmd = [QEMU_RUN, "--cdrom", image]
    elif backend_of(image) == "ept":
        cmd = [EPT_LAUNCH, image] + cmdline.split()
    else:
        cmd = [QEMU_RUN, image] + cmdline.split()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    text = p.stdout.decode("utf-8", "replace").replace("\r", "")
    return p.returncode, [VM_PREFIX.sub("", l) for l in text.splitlines()]


def tail(lines, n=25):
    return "\n".join("    | " + l for l in lines[-n:])


def parse_ktap(prefix, lines, status, what):
    """Results of a KTAP run; missing cases and a bad status are failures."""
    plan, results = None, []
    for line in lines:
        m = KTAP_PLAN.match(line.strip())
        if m and plan is None:
            plan = int(m.group(1))
        m = KTAP_RESULT.match(line)
        if m:
            detail = "" if not m.group(1) else tail(lines)
            results.append(Result(prefix + m.group(3), not m.group(1), detail))
    if plan is None:
        return [Result(prefix + what, False,
                       "no KTAP plan (exit %d)\n%s" % (status, tail(lines)))]
    if len(results) < plan:
        results.append(Result(prefix + what, False,
                              "%d of %d cases reported before it stopped "
                              "(exit %d)\n%s" % (len(results), plan, status,
                                                 tail(lines))))
    elif status != (0 if all(r.ok for r in results) else 1):
        results.append(Result(prefix + what + ".exit", False,
                              "exit status %d does not match the results" % status))
    return results


def run_host(build):
    binary = os.path.join(build, "tests", "host-tests")
    p = subprocess.run([binary], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=TIMEOUT)
    lines = p.stdout.decode("utf-8", "replace").splitlines()
    return parse_ktap("host.", lines, p.returncode, "host-tests")


UNITTEST_LINE = re.compile(r"^(test\w+) \(([\w.]+)\)(?:\n.*)? \.\.\. (ok|FAIL|ERROR|skipped.*)$")


def run_config_tests():
    """The configuration tool's unit tests (Python unittest)."""
    p = subprocess.run([sys.executable, "-m", "unittest", "discover", "-s",
                        os.path.join("tests", "config"), "-v"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=TIMEOUT)
    lines = p.stdout.decode("utf-8", "replace").splitlines()
    results = []
    for line in lines:
        m = UNITTEST_LINE.match(line)
        if m:
            results.append(Result("config." + m.group(1), m.group(3) == "ok",
                                  tail(lines)))
    if not results or (p.returncode != 0 and all(r.ok for r in results)):
        results.append(Result("config.unittest", False,
                              "exit %d\n%s" % (p.returncode, tail(lines))))
    return results


def run_bad_config(build):
    """make with a wrong configuration stops with file:line: message."""
    bad = os.path.join(build, "tests", "bad-config.toml")
    os.makedirs(os.path.dirname(bad), exist_ok=True)
    with open(bad, "w") as f:
        f.write('app = "hello"\nbackend = "mpk"\n\n[[compartment]]\n'
                'name = "a"\ndefault = true\nlibraries = ["sched", "nosuchlib"]\n')
    p = subprocess.run(["make", "--no-print-directory", "CONFIG=" + bad, "image"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL)
    out = p.stdout.decode("utf-8", "replace")
    want = "%s:7: " % bad
    ok = p.returncode != 0 and want in out and "nosuchlib" in out
    return [Result("config.make_stops_on_a_bad_config", ok,
                   "exit %d, expected a line starting %r:\n%s"
                   % (p.returncode, want, out[-2000:]))]


def run_stray_wrpkru(build):
    """An image whose app holds WRPKRU and XRSTOR does not link."""
    config = os.path.join("tests", "configs", "bad", "stray.toml")
    p = subprocess.run(["make", "--no-print-directory", "CONFIG=" + config, "image"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL)
    out = p.stdout.decode("utf-8", "replace")
    want = [r"build/stray/bulkhead\.elf: offset 0x[0-9a-f]+ \(address 0x[0-9a-f]+ "
            r"<main\+0x[0-9a-f]+>, compartment app\): WRPKRU \(0f 01 ef\) "
            r"outside the gate section",
            r"<main\+0x[0-9a-f]+>, compartment app\): XRSTOR \(0f ae /5\) "
            r"outside the gate section"]
    missing = [w for w in want if not re.search(w, out)]
    ok = p.returncode != 0 and not missing and not os.path.exists(
        os.path.join(build, "stray", "bulkhead.elf"))
    return [Result("image.stray_wrpkru_and_xrstor_rejected", ok,
                   "exit %d, missing %s:\n%s" % (p.returncode, missing, out[-2000:]))]


def run_forbidden_call(build):
    """An application calling a core-only function (vm_map) does not build."""
    config = os.path.join("tests", "configs", "bad", "forbidden-call.toml")
    p = subprocess.run(["make", "--no-print-directory", "CONFIG=" + config, "image"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL)
    out = p.stdout.decode("utf-8", "replace")
    want = ("%s: compartment app may not call vm_map (core only; library mm in "
            "compartment core, mm/mm.api)" % config)
    ok = p.returncode != 0 and want in out and not os.path.exists(
        os.path.join(build, "forbidden-call", "bulkhead.elf"))
    return [Result("image.core_only_call_rejected", ok,
                   "exit %d, expected %r:\n%s" % (p.returncode, want, out[-2000:]))]


def run_driver_pci(build):
    """A driver compartment calling pci_find (core only) does not build."""
    config = os.path.join("tests", "configs", "bad", "driver-pci.toml")
    p = subprocess.run(["make", "--no-print-directory", "CONFIG=" + config, "image"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL)
    out = p.stdout.decode("utf-8", "replace")
    want = ("%s: compartment drv may not call pci_find (core only; library kernel in "
            "compartment core, kernel/kernel.api)" % config)
    ok = p.returncode != 0 and want in out and not os.path.exists(
        os.path.join(build, "driver-pci", "bulkhead.elf"))
    return [Result("image.driver_pci_call_rejected", ok,
                   "exit %d, expected %r:\n%s" % (p.returncode, want, out[-2000:]))]


def run_imports(build):
    """Each isolated image lists its cross-compartment calls, and none of
    them is a function its API file keeps from that caller."""
    out = []
    for name in ("mpk3full", "httpd-mpk", "gates-mpk", "sockets-mpk", "ept2"):
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
        bad = [l for l in lines if len(l) != 3 or (l[2] in CORE_ONLY and l[0] != core)]
        out.append(Result("image.imports_%s" % name, lines and not bad,
                          "%d lines, wrong or core-only: %s" % (len(lines), bad[:5])))
    return out


def run_example_backend(build):
    """The example backend (gates/example/) builds and boots an image."""
    config = os.path.join("tests", "configs", "other", "example.toml")
    p = subprocess.run(["make", "--no-print-directory", "CONFIG=" + config, "image"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        return [Result("image.example_backend_boots", False,
                       p.stdout.decode("utf-8", "replace")[-2000:])]
    status, lines = boot(os.path.join(build, "example", "bulkhead.elf"), "")
    return check_output("image.example_backend_boots", status, lines, 0, [
        r"\(config example, backend example, app hello\)",
        r"compartment app: hello libc",
        r"hello from hello on Bulkhead",
        r"Bulkhead: exit status 0"])


def run_bench_check(build):
    """make test-gates' harnesses, quickly: every gate path gives the
    right answers (host and each gate-test image), no timing."""
    p = subprocess.run([sys.executable, os.path.join(HERE, "bench-gates.py"),
                        "--build", build, "--check"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines = p.stdout.decode("utf-8", "replace").splitlines()
    out = []
    for line in lines:
        ok, _, rest = line.partition(" ")
        name = rest.split(":")[0].replace(" ", ".")
        out.append(Result("bench.check." + name, ok == "ok", line))
    if not out or (p.returncode != 0 and all(r.ok for r in out)):
        out.append(Result("bench.check", False, "exit %d\n%s" % (p.returncode, tail(lines))))
    return out


def run_suite(image, prefix, suite):
    args = ("test=%s bootmark=seen %s -- one two"
            % (suite, SUITE_ARGS.get(suite, ""))).replace("  ", " ")
    status, lines = boot(image, args, SUITE_QEMU.get(suite, ""))
    return parse_ktap(prefix, lines, status, suite)


def run_alone(image, prefix, case):
    status, lines = boot(image, "test=%s" % case, SUITE_QEMU.get(case.split(".")[0], ""))
    name = prefix + case
    want_exit, expects, start = None, [], None
    for i, line in enumerate(lines):
        if line.startswith("# expect-exit: "):
            want_exit = int(line.split(": ", 1)[1])
            start = i
        elif line.startswith("# expect: "):
            expects.append(line.split(": ", 1)[1])
            start = i
    if want_exit is None:
        return [Result(name, False, "the case announced no exit status\n" + tail(lines))]
    # Several VMs print side by side: look everywhere but the announcements.
    after = "\n".join(l for l in lines if not l.startswith("# expect"))
    missing = [e for e in expects if e not in after]
    if status != want_exit:
        return [Result(name, False, "exit status %d, expected %d\n%s"
                       % (status, want_exit, tail(lines)))]
    if missing:
        return [Result(name, False, "missing from the output: %s\n%s"
                       % ("; ".join(repr(m) for m in missing), tail(lines)))]
    return [Result(name, True)]


def check_output(name, status, lines, want_status, texts):
    out = "\n".join(lines)
    missing = [t for t in texts if not re.search(t, out)]
    if status != want_status:
        return [Result(name, False, "exit status %d, expected %d\n%s"
                       % (status, want_status, tail(lines)))]
    if missing:
        return [Result(name, False, "missing: %s\n%s" % (missing, tail(lines)))]
    return [Result(name, True)]


def run_app(build):
    status, lines = boot(os.path.join(build, "default", "bulkhead.elf"), "")
    return check_output("image.app_hello_runs", status, lines, 0, [
        r"Bulkhead \d+\.\d+\.\d+ \(config default, backend fcall, app hello\)",
        r"compartment all \(default\): boot kernel mm sched time hello libc",
        r"memory \d+ MiB usable, TSC \d+\.\d{3} MHz \(pit\), multiboot1",
        r"hello from hello on Bulkhead",
        r"4 threads joined, sum of squares 14",
        r"Bulkhead: exit status 0"])


def config_names(ept=True):
    """Configurations in configs/; without ept=True, those the ISO holds."""
    names = sorted(os.path.basename(c)[:-5] for c in os.listdir("configs")
                   if c.endswith(".toml"))
    if not ept:
        names = [n for n in names
                 if 'backend = "ept"' not in open("configs/%s.toml" % n).read()]
    return names


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_get(port, raw, want_bytes=200):
    """Send raw bytes, return what comes back before the close/timeout."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(raw)
    data = b""
    try:
        while len(data) < want_bytes:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    s.close()
    return data


def start_server(build, config, guest_port, ready):
    """Boot a server image on SLIRP, with a free port on 127.0.0.1
    forwarded to guest_port, until it prints `ready` (or stops). Returns
    (QEMU process, host port, console lines so far, whether it is ready)."""
    port = free_port()
    env = dict(os.environ, QEMU_TIMEOUT=str(TIMEOUT), QEMU_EXTRA=
               "-netdev user,id=n0,hostfwd=tcp:127.0.0.1:%d-:%d "
               "-device virtio-net-pci,netdev=n0" % (port, guest_port))
    p = subprocess.Popen([QEMU_RUN, os.path.join(build, config, "bulkhead.elf")],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL)
    lines = []
    for raw in iter(p.stdout.readline, b""):
        lines.append(raw.decode("utf-8", "replace").rstrip())
        if ready in lines[-1] or "exit status" in lines[-1]:
            break
    return p, port, lines, any(ready in l for l in lines)


def run_httpd(build, config):
    """The HTTP server under real clients, over SLIRP on 127.0.0.1."""
    name = "net.%s." % config
    p, port, lines, up = start_server(build, config, 80, "httpd: listening")
    results = []

    def check(what, ok, detail=""):
        results.append(Result(name + what, ok, detail))

    try:
        if not up:
            return [Result(name + "starts", False, tail(lines))]
        check("starts_with_dhcp", any(re.match(r"net: 10\.0\.2\.15 \(dhcp\)", l)
                                      for l in lines), tail(lines))
        curl = lambda *a: subprocess.run(["curl", "-s", "--max-time", "30"] + list(a),  # noqa: E731
                                         stdout=subprocess.PIPE).stdout
        url = "http://127.0.0.1:%d" % port
        index = curl(url + "/index.html")
        check("index_page", index.startswith(b"<!DOCTYPE html>") and
              b"Served by Bulkhead" in index and index.endswith(b"</html>\n"),
              repr(index[:200]))
        large = curl(url + "/large.bin")
        want = bytes(((i * 131 + 7) & 0xff) for i in range(1 << 20))
        check("large_file_byte_for_byte", large == want,
              "got %d bytes, %s" % (len(large), "equal" if large == want else "different"))
        head = curl("-I", url + "/large.bin").decode()
        check("head_content_length", "Content-Length: 1048576" in head, head)
        code = curl("-o", "/dev/null", "-w", "%{http_code}", url + "/nope")
        check("unknown_path_404", code == b"404", repr(code))
        two = http_get(port, b"GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                       b"GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                       10 ** 6)
        check("keep_alive_two_requests_one_connection",
              two.count(b"HTTP/1.1 200 OK") == 2 and two.count(b"hello from") == 2,
              repr(two[:400]))
        bad = http_get(port, b"GARBAGE\r\n\r\n")
        check("malformed_request_400", bad.startswith(b"HTTP/1.1 400 Bad Request"),
              repr(bad[:100]))
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"GET /hello.txt HTTP/1.1\r\nHost:")   # cut mid-request
        s.close()
        after = curl(url + "/hello.txt")
        check("serves_on_after_bad_and_truncated", after == b"hello from Bulkhead's httpd\n",
              repr(after))
        wrk = subprocess.run(["wrk", "-t", "2", "-c", "30", "-d", "3s", url + "/hello.txt"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        out = wrk.stdout.decode()
        m = re.search(r"(\d+) requests in", out)
        errors = re.search(r"Socket errors|Non-2xx", out)
        check("wrk_30_connections_no_errors", wrk.returncode == 0 and m and
              int(m.group(1)) > 0 and not errors, out)
    finally:
        p.kill()
        p.wait()
    return results


def run_ept_kill(build):
    """Killing one VM of an ept image: the launcher stops the others and
    exits non-zero within seconds, naming the VM; no VM is left."""
    image = os.path.join(build, "gates-ept", "bulkhead.elf")
    p = subprocess.Popen([EPT_LAUNCH, image, "bench=hold"], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    pids, lines, t_kill = {}, [], None
    deadline = time.monotonic() + TIMEOUT
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
        if time.monotonic() > deadline:
            p.kill()
            break
    rc = p.wait()
    took = time.monotonic() - t_kill if t_kill else None
    alive = []
    for name, pid in pids.items():
        try:
            os.kill(pid, 0)
            alive.append(name)
        except ProcessLookupError:
            pass
    ok = (t_kill is not None and rc != 0 and took < 10 and not alive and
          any("[ept] VM victim stopped" in l and "stopping the others" in l
              for l in lines))
    return [Result("ept.killed_vm_stops_the_launcher", ok,
                   "exit %d after %s s, still running: %s\n%s"
                   % (rc, "%.1f" % took if took else "-", alive, tail(lines)))]


SERVER_APPS = ("httpd", "iperf")


def run_iperf(build, config):
    """The iPerf server receives exactly what the host's iperf -n sends."""
    name = "net.%s." % config
    p, port, lines, up = start_server(build, config, 5001, "iperf: listening")
    try:
        if not up:
            return [Result(name + "starts", False, tail(lines))]
        out = []
        for size in (1 << 20, 3 * (1 << 20) + 12345):
            c = subprocess.run(["iperf", "-c", "127.0.0.1", "-p", str(port), "-n",
                                str(size)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=60)
            want = "sent %d bytes" % size
            got = None
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and got is None:
                raw = p.stdout.readline()
                if not raw:
                    break
                line = raw.decode("utf-8", "replace").rstrip()
                lines.append(line)
                if line.startswith("iperf: 10.0.2.2"):
                    got = line
            out.append(Result(name + "receives_%d_bytes" % size,
                              c.returncode == 0 and got is not None and want in got,
                              "client exit %d; server: %s\n%s"
                              % (c.returncode, got, c.stdout.decode()[-300:])))
        return out
    finally:
        p.kill()
        p.wait()


def app_of(name):
    m = re.search(r'^app = "(\w+)"', open("configs/%s.toml" % name).read(), re.M)
    return m.group(1) if m else None


def run_config_image(build, name):
    """Every configuration in configs/ boots and its app succeeds (servers
    run until stopped: run_httpd tests those)."""
    if app_of(name) == "httpd":
        return run_httpd(build, name)
    if app_of(name) == "iperf":
        return run_iperf(build, name)
    status, lines = boot(os.path.join(build, name, "bulkhead.elf"), "")
    return check_output("image.config_%s_runs" % name, status, lines, 0, [
        r"\(config %s, backend \w+, app \w+\)" % name,
        r"compartment \w+ \(default\)",
        r"Bulkhead: exit status 0"])


def run_iso(build):
    status, lines = boot(os.path.join(build, "bulkhead.iso"), "", cdrom=True)
    return check_output("image.iso_boots_through_grub", status, lines, 0, [
        r"Bulkhead: default - hello, one compartment, no isolation",
    ] + [r"Bulkhead: %s\b" % n for n in config_names(ept=False)] + [
        r"multiboot2 from GRUB",
        r"hello from hello on Bulkhead",
        r"Bulkhead: exit status 0"])


def run_grub_file(build):
    image = os.path.join(build, "default", "bulkhead.elf")
    out = []
    for flag, name in (("--is-x86-multiboot2", "multiboot2"),
                       ("--is-x86-multiboot", "multiboot1")):
        rc = subprocess.run(["grub-file", flag, image]).returncode
        out.append(Result("image.grub_file_accepts_" + name, rc == 0,
                          "grub-file %s rejected %s" % (flag, image)))
    return out


def run_style():
    """The C sources are laid out as .clang-format says (make check-style)."""
    files = subprocess.run(["git", "ls-files", "*.c", "*.h"], stdout=subprocess.PIPE,
                           check=True).stdout.decode().split()
    p = subprocess.run(["clang-format", "--dry-run", "--Werror"] + files,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    bad = sorted({l.split(":")[0] for l in p.stdout.decode().splitlines()
                  if ": error:" in l})
    return [Result("style.clang_format", p.returncode == 0,
                   "not clang-formatted (run clang-format -i): " + " ".join(bad))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    build = args.build

    # Every test kernel (tests/configs/*.toml) lists its suites and the
    # cases that must run alone.
    kernels = []
    for name in sorted(c[:-5] for c in os.listdir(os.path.join("tests", "configs"))
                       if c.endswith(".toml")):
        image = os.path.join(build, name, "bulkhead.elf")
        status, lines = boot(image, "test=list")
        suites = [l.split()[2] for l in lines if l.startswith("# suite ")]
        alone = [l.split()[2] for l in lines if l.startswith("# alone ")]
        if not suites:
            print("run-tests: test kernel %s listed no suites:\n%s" % (name, tail(lines)))
            print("0 passed, 1 failed")
            return 1
        kernels.append((image, "qemu.%s." % name, suites, alone))

    jobs = [lambda: run_host(build), lambda: run_config_tests(),
            lambda: run_bad_config(build), lambda: run_stray_wrpkru(build),
            lambda: run_bench_check(build), lambda: run_ept_kill(build),
            lambda: run_example_backend(build),
            lambda: run_forbidden_call(build), lambda: run_driver_pci(build),
            lambda: run_imports(build),
            lambda: run_grub_file(build), lambda: run_style(),
            lambda: run_app(build), lambda: run_iso(build)]
    jobs += [lambda n=n: run_config_image(build, n) for n in config_names()]
    for image, prefix, suites, alone in kernels:
        jobs += [lambda i=image, p=prefix, s=s: run_suite(i, p, s) for s in suites]
        jobs += [lambda i=image, p=prefix, c=c: run_alone(i, p, c) for c in alone]

    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for batch in pool.map(lambda job: job(), jobs):
            for r in batch:
                print("%-4s %s" % ("ok" if r.ok else "FAIL", r.name))
                if not r.ok and r.detail:
                    print(r.detail)
                sys.stdout.flush()
                results.append(r)
    passed = sum(r.ok for r in results)
    failed = len(results) - passed
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
