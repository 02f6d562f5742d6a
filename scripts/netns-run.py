#!/usr/bin/env python3
"""Run a Bulkhead image on a tap network inside a network namespace of
its own, and optionally a client command in the same namespace.

usage: netns-run.py [--ready TEXT] [--client CMD] IMAGE.elf [-- guest args]

Creates namespace bulkhead-<pid> holding tap0 (10.7.0.1/24, the host
side); the guest gets ip=10.7.0.2/24 gw=10.7.0.1 on its command line.
Without --client, QEMU runs in the foreground (make run NET=tap). With
--client, once the guest prints TEXT (default "listening") the command
runs inside the namespace (so it reaches 10.7.0.2), its output is
printed, and QEMU is stopped. The guest's console goes to stderr, or to
the file named by --log. The image boots with its initrd and its words
quoted as scripts/qemu-run.sh does (scripts/bootargs.py). An ept image
boots through scripts/ept-launch.py, which gives the tap NIC to the VM
holding the driver only (QEMU_NET). The namespace is always deleted.
Traffic never leaves the namespace. Needs root.

--nic OPTS appends properties to QEMU's virtio-net-pci device (e.g.
csum=off,guest_csum=off: a NIC without checksum offload). --routed MODE
puts the client in a second namespace, bulkhead-<pid>-c (10.8.0.2/24),
routed through the first over a veth pair. Toward the client the veth
computes every checksum in software (no transmit offload on the
router's end) and the client's end checks them (no receive offload), so
a frame the guest sent with its TCP checksum left to the host (virtio's
NEEDS_CSUM) gets it computed on the way and checked on arrival: a wrong
one stalls the connection instead of passing unnoticed, as it would on
a local socket, which trusts such a frame. Toward the guest, MODE
partial leaves the client's checksums to the host (the guest gets them
marked NEEDS_CSUM, as from a local socket), MODE full computes them in
software too (the guest gets unmarked frames and checks them itself).
"""
import argparse
import os
import signal
import subprocess
import sys
import threading
import time

import accel
import bootargs

HOST_IP, GUEST_IP = "10.7.0.1", "10.7.0.2"
EPT_LAUNCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ept-launch.py")
TAP_NIC = ["-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no"]
TAP_NIC += ["-device", "virtio-net-pci,netdev=n0"]


def is_ept(image):
    """Whether an image's configuration (config.mk beside it) is ept's."""
    try:
        with open(os.path.join(os.path.dirname(image), "config.mk")) as f:
            return any(line.split() == ["CFG_BACKEND", ":=", "ept"] for line in f)
    except FileNotFoundError:
        return False


def sh(*args):
    subprocess.run(list(args), check=True)


def stop(p):
    """Stop the guest: SIGTERM first, which the ept launcher passes on to
    its VMs (SIGKILL would leave them running), SIGKILL if it lingers."""
    p.terminate()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


# ioctl(SIOCETHTOOL) commands turning a device's checksum offloads off:
# ETHTOOL_SRXCSUM and ETHTOOL_STXCSUM with struct ethtool_value {cmd, 0}.
SIOCETHTOOL, ETHTOOL_SRXCSUM, ETHTOOL_STXCSUM = 0x8946, 0x15, 0x17
CSUM_OFF = (
    "import array, fcntl, socket, struct, sys\n"
    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
    "for cmd in sys.argv[2:]:\n"
    "    v = array.array('B', struct.pack('II', int(cmd), 0))\n"
    "    req = struct.pack('16sP', sys.argv[1].encode(), v.buffer_info()[0])\n"
    "    fcntl.ioctl(s.fileno(), %d, req + bytes(40 - len(req)))\n"
) % SIOCETHTOOL


def route_client(ns, cns, mode):
    """Namespace cns (the client's), reaching the guest through ns over a
    veth pair vc0 (ns) - vc1 (cns) with the checksum offloads of --routed
    MODE off."""
    off = {
        "vc0": [ETHTOOL_STXCSUM] + ([ETHTOOL_SRXCSUM] if mode == "full" else []),
        "vc1": [ETHTOOL_SRXCSUM] + ([ETHTOOL_STXCSUM] if mode == "full" else []),
    }
    sh("ip", "netns", "add", cns)
    sh("ip", "netns", "exec", cns, "ip", "link", "set", "lo", "up")
    sh("ip", "link", "add", "vc0", "netns", ns, "type", "veth", "peer", "name", "vc1", "netns", cns)
    for where, dev, addr in ((ns, "vc0", "10.8.0.1/24"), (cns, "vc1", "10.8.0.2/24")):
        sh("ip", "netns", "exec", where, "ip", "addr", "add", addr, "dev", dev)
        sh("ip", "netns", "exec", where, "ip", "link", "set", dev, "up")
        cmds = [str(c) for c in off[dev]]
        sh("ip", "netns", "exec", where, sys.executable, "-c", CSUM_OFF, dev, *cmds)
    sh("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
    sh("ip", "netns", "exec", cns, "ip", "route", "add", "10.7.0.0/24", "via", "10.8.0.1")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("image")
    ap.add_argument("--ready", default="listening")
    ap.add_argument("--client")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--log", help="write the guest's console here (default stderr)")
    ap.add_argument(
        "--linux",
        action="store_true",
        help="IMAGE is a directory from scripts/linux-guest-image.sh",
    )
    ap.add_argument("--nic", help="more virtio-net-pci properties, e.g. csum=off")
    ap.add_argument(
        "--routed", choices=("partial", "full"), help="the client behind a router (see above)"
    )
    ap.add_argument("guest", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    guest = [a for a in args.guest if a != "--"]
    try:
        accel_args = accel.qemu_args(None if args.linux else args.image)
    except accel.Refused as e:
        print("netns-run: ACCEL=%s: %s" % (os.environ.get("ACCEL"), e), file=sys.stderr)
        sys.exit(1)
    ns = "bulkhead-%d" % os.getpid()
    cns = ns + "-c" if args.routed else None
    nic = TAP_NIC[:-1] + [TAP_NIC[-1] + ("," + args.nic if args.nic else "")]
    # Stopped from outside (a timeout, ^C): still clean up in `finally`.
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    sh("ip", "netns", "add", ns)
    try:
        sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
        sh("ip", "netns", "exec", ns, "ip", "tuntap", "add", "dev", "tap0", "mode", "tap")
        sh("ip", "netns", "exec", ns, "ip", "addr", "add", HOST_IP + "/24", "dev", "tap0")
        sh("ip", "netns", "exec", ns, "ip", "link", "set", "tap0", "up")
        if cns:
            route_client(ns, cns, args.routed)
        cmdline = ["ip=%s/24" % GUEST_IP, "gw=" + HOST_IP]
        if guest:
            cmdline += ["--"] + guest
        env = None
        qemu = [
            "ip",
            "netns",
            "exec",
            ns,
            "qemu-system-x86_64",
        ]
        qemu += accel_args
        qemu += [
            "-m",
            os.environ.get("QEMU_MEM", "256M"),
            "-display",
            "none",
            "-serial",
            "stdio",
            "-monitor",
            "none",
            "-no-reboot",
            "-device",
            "isa-debug-exit,iobase=0xf4,iosize=0x04",
        ] + nic
        if args.linux:
            qemu[qemu.index("-m") + 1] = "1G"
            qemu += [
                "-kernel",
                os.path.join(args.image, "vmlinuz"),
                "-initrd",
                os.path.join(args.image, "initrd.cpio"),
                "-append",
                "console=ttyS0 quiet panic=-1",
            ]
        elif is_ept(args.image):
            qemu = ["ip", "netns", "exec", ns, EPT_LAUNCH, args.image] + cmdline
            env = dict(os.environ, QEMU_NET=" ".join(nic))
        else:
            qemu += bootargs.qemu_args(args.image, cmdline)
            # More QEMU arguments (e.g. a debugger stub, which listens
            # inside the namespace), as scripts/qemu-run.sh takes them.
            qemu += os.environ.get("QEMU_EXTRA", "").split()
        if not args.client:
            return subprocess.run(qemu, env=env).returncode  # this terminal is its console
        p = subprocess.Popen(
            qemu,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
        )
        log = open(args.log, "wb") if args.log else sys.stderr.buffer
        seen = threading.Event()

        # Copy the console to the log as it comes, while the guest starts
        # and while the client runs: a guest whose serial output is not
        # drained would stall, and a fault report must not be lost. The
        # wait for the ready text is bounded even when the guest goes
        # silent (a guest that hangs at boot prints nothing more).
        def drain():
            for raw in iter(p.stdout.readline, b""):
                log.write(raw)
                log.flush()
                if args.ready in raw.decode("utf-8", "replace"):
                    seen.set()

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        deadline = time.monotonic() + args.timeout
        while not seen.wait(0.2):
            if time.monotonic() > deadline or (p.poll() is not None and not reader.is_alive()):
                break
        ready = seen.is_set()
        if not ready:
            stop(p)
            why = "it stopped" if p.poll() is not None else "not within %d s" % args.timeout
            print(
                "netns-run: the guest never printed %r (%s)" % (args.ready, why),
                file=sys.stderr,
            )
            return 1
        c = subprocess.run(
            ["ip", "netns", "exec", cns or ns, "sh", "-c", args.client], timeout=args.timeout
        )
        stop(p)
        reader.join(timeout=5)
        return c.returncode
    finally:
        subprocess.run(["ip", "netns", "del", ns])
        if cns:
            subprocess.run(["ip", "netns", "del", cns], stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    sys.exit(main())
