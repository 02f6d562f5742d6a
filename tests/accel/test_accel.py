"""Unit tests for scripts/accel.py, which picks QEMU's accelerator.

Run from the top of the tree: python3 -m unittest discover -s tests/accel -v

A host is faked by a temporary folder: a device file standing for
/dev/kvm, a /sys/module with the modules named, a set of CPU flags, and
an image beside a config.mk that does or does not ask for keys.
"""

import os
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import accel  # noqa: E402

GOOD_FLAGS = {"fpu", "vmx", "pku", "ospke"}


class Host:
    """A fake host under a temporary folder."""

    def __init__(self, tmp, modules=("kvm", "kvm_intel")):
        self.dev = os.path.join(tmp, "kvm")
        Path(self.dev).touch()
        self.modules = os.path.join(tmp, "module")
        for m in modules:
            os.makedirs(os.path.join(self.modules, m))

    def check(self, needs, flags=GOOD_FLAGS, version=accel.KVM_API_VERSION):
        with mock.patch.object(accel.fcntl, "ioctl", return_value=version):
            accel.check_kvm(needs, dev=self.dev, flags=set(flags), modules=self.modules)


class TestAccel(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def image(self, features):
        d = os.path.join(self.tmp.name, "img")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "config.mk"), "w") as f:
            f.write("CFG_NAME := x\nCFG_FEATURES := %s\nCFG_BACKEND := mpk\n" % features)
        return os.path.join(d, "bulkhead.elf")

    def refused(self, fn, *args, **kw):
        with self.assertRaises(accel.Refused) as cm:
            fn(*args, **kw)
        return str(cm.exception)

    def test_tcg_is_the_default(self):
        self.assertEqual(accel.qemu_args(accel=""), ["-accel", "tcg", "-cpu", "max"])
        self.assertEqual(accel.qemu_args(accel="tcg"), ["-accel", "tcg", "-cpu", "max"])

    def test_tcg_runs_an_mpk_image_on_any_host(self):
        img = self.image("keys")
        self.assertEqual(accel.qemu_args(img, accel="tcg"), ["-accel", "tcg", "-cpu", "max"])

    def test_an_unknown_accelerator_is_refused(self):
        self.assertEqual(
            self.refused(accel.qemu_args, accel="xen"),
            "no such accelerator (ACCEL takes tcg or kvm)",
        )

    def test_an_image_with_keys_needs_pku(self):
        self.assertEqual(accel.image_needs(self.image("keys")), {"pku"})
        self.assertEqual(accel.image_needs(self.image("")), set())
        self.assertEqual(accel.image_needs(os.path.join(self.tmp.name, "none", "x.elf")), set())

    def test_kvm_without_the_device_is_refused(self):
        msg = self.refused(accel.check_kvm, set(), dev=os.path.join(self.tmp.name, "nokvm"))
        self.assertIn("nokvm does not exist", msg)

    def test_kvm_with_a_device_that_is_not_kvm_is_refused(self):
        host = Host(self.tmp.name)
        msg = self.refused(accel.check_kvm, set(), dev=host.dev, modules=host.modules)
        self.assertIn("does not answer KVM_GET_API_VERSION", msg)

    def test_kvm_of_another_api_version_is_refused(self):
        host = Host(self.tmp.name)
        msg = self.refused(host.check, set(), version=11)
        self.assertIn("speaks KVM API 11, not 12", msg)

    def test_software_kvm_is_refused_naming_its_module(self):
        host = Host(self.tmp.name, modules=("kvm", "kvm_pvm"))
        msg = self.refused(host.check, set(), flags={"fpu", "pku", "ospke"})
        self.assertIn("is not hardware virtualization", msg)
        self.assertIn("served by kvm_pvm", msg)

    def test_kvm_without_its_hardware_module_is_refused(self):
        host = Host(self.tmp.name, modules=("kvm",))
        self.assertIn("neither kvm_intel nor kvm_amd", self.refused(host.check, set()))

    def test_hardware_kvm_runs_an_image_without_keys_on_a_cpu_without_pku(self):
        Host(self.tmp.name).check(set(), flags={"vmx"})

    def test_an_mpk_image_on_a_cpu_without_pku_is_refused(self):
        host = Host(self.tmp.name)
        msg = self.refused(host.check, {"pku"}, flags={"vmx"})
        self.assertIn("this CPU has no PKU", msg)

    def test_an_mpk_image_on_a_kernel_without_ospke_is_refused(self):
        host = Host(self.tmp.name, modules=("kvm", "kvm_amd"))
        msg = self.refused(host.check, {"pku"}, flags={"svm", "pku"})
        self.assertIn("not enabled PKU", msg)

    def test_an_mpk_image_on_a_pku_host_runs_under_kvm(self):
        Host(self.tmp.name).check({"pku"})


if __name__ == "__main__":
    unittest.main()
