#!/usr/bin/env python3
"""QEMU's accelerator for a Bulkhead image: TCG by default, KVM on request.

usage: accel.py [--image IMAGE.elf] [--need pku]

Prints the QEMU arguments that pick the accelerator named by ACCEL (in the
environment): `tcg` (the default) gives `-accel tcg -cpu max`, which
emulates protection keys on any host; `kvm` gives `-accel kvm -cpu host`,
after checking that this host can run the image that way. KVM needs a
/dev/kvm this user may open and that answers KVM's API version; an image
with protection keys (backend mpk: `keys` among the features in the
config.mk beside the image, or `--need pku`) also needs a CPU with PKU and
a host kernel that turned it on (`pku` and `ospke` in /proc/cpuinfo), since
KVM only passes the host's PKU through. When one is missing it says which,
and exits 2, so that nothing runs under an accelerator that cannot hold the
image's promises.

scripts/qemu-run.sh, scripts/ept-launch.py, scripts/netns-run.py and
scripts/linux-guest-run.sh take their accelerator from here.
"""

import argparse
import fcntl
import os
import re
import sys

KVM_GET_API_VERSION = 0xAE00
KVM_API_VERSION = 12


class Refused(Exception):
    pass


def image_needs(image):
    """What the image asks of the CPU, read from its config.mk."""
    mk = os.path.join(os.path.dirname(os.path.abspath(image)), "config.mk")
    try:
        with open(mk) as f:
            text = f.read()
    except OSError:
        return set()
    m = re.search(r"^CFG_FEATURES := ?(.*)$", text, re.M)
    if m and "keys" in m.group(1).split():
        return {"pku"}
    return set()


def cpu_flags():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return set()


def check_kvm(needs, dev="/dev/kvm", flags=None, modules="/sys/module"):
    """Raise Refused naming what this host lacks for KVM."""
    if not os.path.exists(dev):
        raise Refused(
            "%s does not exist (no KVM on this host, or the kvm module is not loaded)" % dev
        )
    try:
        fd = os.open(dev, os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:
        raise Refused("cannot open %s: %s" % (dev, e.strerror))
    try:
        version = fcntl.ioctl(fd, KVM_GET_API_VERSION)
    except OSError as e:
        raise Refused("%s does not answer KVM_GET_API_VERSION: %s" % (dev, e.strerror))
    finally:
        os.close(fd)
    if version != KVM_API_VERSION:
        raise Refused("%s speaks KVM API %d, not %d" % (dev, version, KVM_API_VERSION))
    flags = cpu_flags() if flags is None else flags
    if not flags & {"vmx", "svm"} or not any(
        os.path.isdir(os.path.join(modules, m)) for m in ("kvm_intel", "kvm_amd")
    ):
        others = sorted(
            m
            for m in os.listdir(modules)
            if m.startswith("kvm_") and m not in ("kvm_intel", "kvm_amd")
        )
        raise Refused(
            "%s is not hardware virtualization (the CPU shows no vmx or svm, or neither kvm_intel "
            "nor kvm_amd is loaded%s)"
            % (dev, "; it is served by " + ", ".join(others) if others else "")
        )
    if "pku" in needs:
        if "pku" not in flags:
            raise Refused(
                "the image uses protection keys (backend mpk) and this CPU has no PKU; "
                "run it under TCG (the default), which emulates them"
            )
        if "ospke" not in flags:
            raise Refused(
                "the image uses protection keys (backend mpk) and the host kernel has "
                "not enabled PKU (no ospke in /proc/cpuinfo)"
            )


def qemu_args(image=None, need=(), accel=None):
    """The accelerator's QEMU arguments; raises Refused."""
    accel = os.environ.get("ACCEL", "") if accel is None else accel
    accel = accel or "tcg"
    needs = set(need) | (image_needs(image) if image else set())
    if accel == "tcg":
        return ["-accel", "tcg", "-cpu", "max"]
    if accel == "kvm":
        check_kvm(needs)
        return ["-accel", "kvm", "-cpu", "host"]
    raise Refused("no such accelerator (ACCEL takes tcg or kvm)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--image", help="the image to be run (its config.mk says what it needs)")
    ap.add_argument("--need", action="append", default=[], choices=["pku"])
    args = ap.parse_args()
    try:
        print(" ".join(qemu_args(args.image, args.need)))
    except Refused as e:
        print("accel: ACCEL=%s: %s" % (os.environ.get("ACCEL"), e), file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
