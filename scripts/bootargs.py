"""What the launchers (ept-launch.py, netns-run.py) hand QEMU besides the
image, done as scripts/qemu-run.sh does it.

command_line(words): the kernel's command line from its words, each as
kernel/cmdline.c reads it back: a word with a space, a tab, a double
quote or a backslash (or an empty one) goes in double quotes, with a
backslash before each " and \\ in it.

initrd(image): the initrd to boot IMAGE with: $QEMU_INITRD when set (""
for none), else the archive beside the image (build/<config>/initrd.cpio)
when there is one.
"""

import os
import re

NEEDS_QUOTES = re.compile(r'[ \t"\\]')


def quote(word):
    """One word as the kernel's command line reads it."""
    if word and not NEEDS_QUOTES.search(word):
        return word
    return '"%s"' % re.sub(r'(["\\])', r"\\\1", word)


def command_line(words):
    return " ".join(quote(w) for w in words)


def initrd(image):
    """The initrd file for IMAGE, or None."""
    if "QEMU_INITRD" in os.environ:
        path = os.environ["QEMU_INITRD"]
    else:
        path = os.path.join(os.path.dirname(os.path.abspath(image)), "initrd.cpio")
        if not os.path.isfile(path):
            path = ""
    if "," in path:
        raise SystemExit("%s: QEMU takes no comma in an initrd's name" % path)
    return path or None


def qemu_args(image, words):
    """-kernel, -append and -initrd for IMAGE booted with WORDS."""
    out = ["-kernel", image, "-append", command_line(words)]
    path = initrd(image)
    return out + (["-initrd", path] if path else [])
