#!/usr/bin/env python3
"""Start an ept image: one QEMU per compartment, sharing one memory region.

usage: ept-launch.py IMAGE.elf [command-line words...]

The image's configuration (build/<config>/config.mk beside it) names the
compartments. The shared region (gates/ept/ept.h) is one part per
compartment, each a memory file of its own, attached to every VM as a
pc-dimm at the same guest-physical address: writable (share=on) in its
owner's VM, read-only (readonly=on) in every other. So a VM can write
only its own part, whatever its page tables say: QEMU drops a write to a
read-only part (TCG: the page is ROM to the guest). Every VM boots the
same image with comp=<name>, and with its initrd (the archive beside
it, or $QEMU_INITRD: scripts/bootargs.py); the application's VM reads
this launcher's input as its console's. They may start in any order: a call waits
in its mailbox until the callee's VM serves it. Each line a VM prints is
prefixed with its compartment's name. When the application's VM ends,
the others are stopped and this exits with the application's status;
when any other VM stops first, they are all stopped and this exits 1,
naming it. No VM is left running.
Env: QEMU_MEM (default 256M), QEMU_TIMEOUT (seconds), QEMU_EXTRA (more
QEMU arguments, for every VM), QEMU_NET (the network device and its
back-end: only for the VM of the compartment holding the NIC driver,
`virtio`, whose kernel core alone then sees the device; for the
application's VM if no compartment holds it, as one QEMU would have it).
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time

import accel
import bootargs

SHARED_ADDR = 0x100000000  # EPT_SHARED_BASE, include/bulkhead/x86.h
PART_SIZE = 8 * 1024 * 1024  # EPT_PART_SIZE, gates/ept/ept.h: part c at SHARED_ADDR + c * PART_SIZE
DRIVER = "virtio"  # the NIC driver's library: its VM gets QEMU_NET


def read_config(image):
    mk = os.path.join(os.path.dirname(os.path.abspath(image)), "config.mk")
    cfg = {}
    with open(mk) as f:
        for line in f:
            m = re.match(r"^(\w+) := ?(.*)$", line.strip())
            if m:
                cfg[m.group(1)] = m.group(2).strip()
    comps = cfg["CFG_COMPARTMENTS"].split()
    app = next(c for c in comps if cfg["CFG_APP"] in cfg["CFG_COMP_%s_LIBS" % c].split())
    nic = next((c for c in comps if DRIVER in cfg["CFG_COMP_%s_LIBS" % c].split()), app)
    return comps, app, nic


def guest_status(rc):
    """QEMU's exit status to the guest's (see kernel/panic.c)."""
    if rc >= 3 and rc % 2 == 1:
        return (rc - 3) // 2
    return None


def main():
    image, words = sys.argv[1], sys.argv[2:]
    comps, app, nic = read_config(image)
    parts = ["/dev/shm/bulkhead-ept-%d-%d" % (os.getpid(), i) for i in range(len(comps))]
    for path in parts:
        with open(path, "wb") as f:
            f.truncate(PART_SIZE)
    procs, lock = {}, threading.Lock()

    def stop_all():
        for p in procs.values():
            if p.poll() is None:
                p.kill()
        for p in procs.values():
            p.wait()
        for path in parts:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass

    def on_signal(signum, frame):
        stop_all()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def pump(name, stream):
        for raw in iter(stream.readline, b""):
            # The console ends a line with \r\n; carriage returns the
            # program printed itself (CSV's \r\n) are kept.
            line = raw.decode("utf-8", "replace").removesuffix("\n").removesuffix("\r")
            with lock:
                print("[%s] %s" % (name, line), flush=True)

    try:
        accel_args = accel.qemu_args(image)
    except accel.Refused as e:
        print("ept-launch: ACCEL=%s: %s" % (os.environ.get("ACCEL"), e), file=sys.stderr)
        sys.exit(1)
    mem = os.environ.get("QEMU_MEM", "256M")
    extra = os.environ.get("QEMU_EXTRA", "").split()
    net = os.environ.get("QEMU_NET", "").split()
    for me, name in enumerate(comps):
        cmd = ["qemu-system-x86_64"] + accel_args
        cmd += [
            "-m",
            "%s,slots=%d,maxmem=2G" % (mem, len(parts)),
            "-display",
            "none",
            "-serial",
            "stdio",
            "-monitor",
            "none",
            "-no-reboot",
            "-device",
            "isa-debug-exit,iobase=0xf4,iosize=0x04",
        ] + bootargs.qemu_args(image, ["comp=" + name] + words)
        for i, path in enumerate(parts):
            cmd += [
                "-object",
                "memory-backend-file,id=part%d,mem-path=%s,size=%d,share=on%s"
                % (i, path, PART_SIZE, "" if i == me else ",readonly=on"),
                "-device",
                "pc-dimm,id=dimm%d,memdev=part%d,addr=0x%x" % (i, i, SHARED_ADDR + i * PART_SIZE),
            ]
        cmd += extra + (net if name == nic else [])
        procs[name] = subprocess.Popen(
            cmd,
            stdin=None if name == app else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        threading.Thread(target=pump, args=(name, procs[name].stdout), daemon=True).start()
        with lock:
            print("[ept] VM %s started (pid %d)" % (name, procs[name].pid), flush=True)

    deadline = None
    if os.environ.get("QEMU_TIMEOUT"):
        deadline = time.monotonic() + float(os.environ["QEMU_TIMEOUT"])
    status = 1
    while True:
        ended = [(n, p.returncode) for n, p in procs.items() if p.poll() is not None]
        if ended:
            name, rc = ended[0]
            time.sleep(0.2)  # let its last lines through
            with lock:
                if name == app and guest_status(rc) is not None:
                    status = guest_status(rc)
                else:
                    how = (
                        "exit status %d" % guest_status(rc)
                        if guest_status(rc) is not None
                        else "QEMU status %d" % rc
                    )
                    print(
                        "[ept] VM %s stopped (%s)%s; stopping the others"
                        % (name, how, "" if name == app else " before the application finished"),
                        flush=True,
                    )
                    status = 1
            break
        if deadline and time.monotonic() > deadline:
            with lock:
                print(
                    "[ept] timed out after %ss; stopping every VM" % os.environ["QEMU_TIMEOUT"],
                    flush=True,
                )
            status = 124
            break
        time.sleep(0.05)
    stop_all()
    return status


if __name__ == "__main__":
    sys.exit(main())
