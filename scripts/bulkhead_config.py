#!/usr/bin/env python3
"""Read, validate and export a Bulkhead image configuration (configs/<name>.toml).

A configuration groups the image's libraries into isolation compartments and
picks the isolation backend. Standard library only (tomllib, Python 3.11+).

Schema
------
Top level::

    app = "hello"            # required: the application library (one of the known apps)
    backend = "mpk"          # required: a registered backend (BACKENDS)
    gate = "full"            # optional, one of the backend's gate kinds, the
                             #   first by default; mpk: "light" = shared stack,
                             #   "full" = private per-compartment stacks,
                             #   registers cleared
    stack_data = "shared-heap"
                             # optional, default "shared-heap": how stack data
                             #   passed by reference across a gate is handled
                             #   ("dss" is known but not built yet: an error)
    description = "..."      # optional free text (shown in the GRUB menu)
    files = "apps/db/root"   # optional: a folder, relative to the top of the
                             #   tree, whose folders and regular files make
                             #   the image's initrd (build/<name>/initrd.cpio,
                             #   scripts/mkinitrd.py); `make run FILES=DIR`
                             #   overlays DIR on it. Without it the initrd is
                             #   empty (the archive's trailer alone)
    args = "-- /etc/x.conf"  # optional: the command-line words `make run`
                             #   boots with when ARGS is not given (the
                             #   application's after "--"); plain words
                             #   only: no quotes, backslashes or $
    memory = "1G"            # optional: the guest's RAM when it is booted
                             #   by make run or the tests (QEMU's -m: a
                             #   number with M or G); QEMU_MEM overrides
                             #   it; default 256M
    main_stack = "1M"        # optional: the application's main thread's
                             #   stack (K or M, 64K to 64M); default 256K

One ``[[compartment]]`` table per compartment, in file order::

    [[compartment]]
    name = "core"            # required, [a-z][a-z0-9_]{0,15}, unique
    libraries = ["boot", "kernel", "mm", "sched", "time"]
                             # optional array of strings, default []; may be empty
                             #   only for the default compartment
    default = true           # optional boolean; exactly one compartment has it
    hardening = ["stack-protector", "ubsan"]
                             # optional array from "stack-protector", "ubsan",
                             #   "kasan" (any subset: the compartment's
                             #   libraries and its copy of libc and newlib are
                             #   compiled with them) and "cet" (known, not
                             #   applied yet: an error); "kasan" not in the
                             #   kernel core's compartment

Semantics
---------
- The image holds the known (non-app) libraries plus the chosen ``app``.
  Every folder apps/NAME/ is an app; one without its own API file
  (apps/NAME/NAME.api) gets ``DEFAULT_APP_API``, the entry every app has.
  Every one of them not named in a ``libraries`` array goes to the default
  compartment (appended after its listed libraries, in the order of the
  known-library list, the app last).
- ``libc`` is never listed: every compartment gets its own copy.
- A library belongs to exactly one compartment and is listed at most once.
- Apps other than ``app`` may not be listed (an image holds one app).
- ``boot``, ``kernel`` and ``mm`` form the kernel core and must end up in the
  same compartment (after default placement).
- The backend (gates/<name>/backend.py) sets the rest: its compartment
  limit (fcall 64, mpk 15 with light gates and 14 with full ones, ept 8),
  its gate kinds, and which libraries must stay in the default compartment
  (mpk: the kernel core; ept: every kernel library, which runs in every VM).
- Each compartment gets ``index`` = its 0-based position in the file. With
  a backend that uses protection keys it also gets a key ``pkey``: 0 for
  the default compartment, then 1, 2, ... for the others in file order.

Library API files (``read_api``) are read and checked here too.

Errors are collected (all of them, not just the first), sorted by line and
reported as ``FILE:LINE: message``, one per line. tomllib gives no line
numbers, so a small scanner (``_scan``) records where each key, table header
and array element sits in the text.

Command line::

    bulkhead_config.py CONFIG.toml [--libs "boot kernel mm sched time"] \\
        --apps "hello ktest" [--out DIR] [--print]

``--out DIR`` writes DIR/config.mk (only when its content changes, so make
does not rebuild needlessly); ``--print`` prints a one-line summary. On error
the report goes to stderr and the exit status is 1.

Python API: ``load(path, libraries, apps) -> Config`` (raises ``ConfigError``),
``Config``, ``Compartment``, ``ConfigError``; also ``make_fragment(config)``
and ``summary(config)`` used by the command line.
"""

import argparse
import dataclasses
import functools
import glob
import os
import re
import sys
import tempfile
import tomllib

import backend as backends

# ---------------------------------------------------------------------------
# Schema constants
# ---------------------------------------------------------------------------

TOP_KEYS = (
    "app",
    "backend",
    "gate",
    "stack_data",
    "description",
    "files",
    "args",
    "memory",
    "main_stack",
    "compartment",
)
COMPARTMENT_KEYS = ("name", "libraries", "default", "hardening")
# The registered backends: each is a folder gates/<name>/ whose backend.py
# states its rules (scripts/backend.py). Registering one is this line.
BACKENDS = ("fcall", "mpk", "ept", "example", "count")
STACK_DATA = ("shared-heap", "dss")
# What the build applies today; the others are known but refused.
STACK_DATA_DONE = ("shared-heap",)
HARDENING = ("stack-protector", "ubsan", "kasan", "cet")
HARDENING_DONE = ("stack-protector", "ubsan", "kasan")
# Each applied option's word in a hardening tag (hardening_tag): the
# build's name for a set of options, which names its objects and its
# newlib (build/harden/TAG/, build/newlib-TAG).
HARDENING_TAGS = {"stack-protector": "sp", "ubsan": "ubsan", "kasan": "kasan"}
DEFAULT_STACK_DATA = "shared-heap"
NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,15}\Z")
# An application's name, which is its folder's (apps/NAME/): a library,
# a make variable's prefix and a C string.
APP_NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,31}\Z")
# The libraries every image holds, whatever its application; the
# configuration places them (unnamed ones go to the default compartment).
KERNEL_LIBS = ("boot", "kernel", "mm", "sched", "time")
# The file system: the vfs and the file system under it, in every image
# (libc's file calls need them); a configuration may isolate them.
FS_LIBS = ("vfs", "ramfs")
# The kernel core: these must share a compartment, which runs the core.
KERNEL_CORE = ("boot", "kernel", "mm")
# The application compartment's entry, defined by its glue (libc/start.c).
APP_ENTRY = "libc_app_entry"
# The interface fuzzer (tests/fuzz/): the application that, in place of a
# configuration's, calls every function its compartment may call in the
# others through their gates. In its images a refused argument returns
# -EFAULT (after its report) instead of stopping the machine, so that one
# boot tries many calls.
FUZZ_APP = "fuzz"
# The scheduler hooks of the kernel core's copy of libc (libc/core.c).
LIBC_HOOKS = ("libc_thread_init", "libc_thread_fini", "libc_switch_to")


# Where threads that pthread_create starts in a compartment enter it: a
# function of its glue (each compartment's name, since every copy of libc
# has one and they must not clash), calling libc/pthread.c.
def thread_entry(comp):
    return "libc_thread_entry_%s" % comp.name


# Words a backend's `default_holds` may use, and the libraries they mean.
HOLDS = {"core": KERNEL_CORE, "kernel": KERNEL_LIBS}


# ---------------------------------------------------------------------------
# Public data types
# ---------------------------------------------------------------------------


class ConfigError(Exception):
    """All errors found in a configuration; str() is the full report."""

    # Keep the (file, line, message) triples sorted by line so the report
    # reads top to bottom; the sort is stable, so errors on one line keep the
    # order in which the checks found them.
    def __init__(self, errors):
        self.errors = sorted(errors, key=lambda e: e[1])
        super().__init__(self.report())

    # One "FILE:LINE: message" per line, as compilers do, so editors can jump.
    def report(self):
        return "\n".join("%s:%d: %s" % e for e in self.errors)

    def __str__(self):
        return self.report()


@dataclasses.dataclass
class Compartment:
    name: str
    index: int
    libraries: list[str]
    default: bool
    hardening: list[str]
    pkey: int | None
    line: int
    # The backend's own libraries linked in (the kernel core's only).
    backend_libs: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Config:
    path: str
    name: str
    app: str
    backend: str
    gate: str
    stack_data: str
    description: str
    compartments: list[Compartment]
    # The backend's description (scripts/backend.py).
    impl: backends.Backend = None
    # The folder of the image's initrd files, relative to the top of the
    # tree; "" for none.
    files: str = ""
    # Default application command line of `make run` (key "args").
    args: str = ""
    # The guest's RAM for make run and the tests (key "memory"), or "".
    memory: str = ""
    # The main thread's stack in bytes (key "main_stack"), or 0: the default.
    main_stack: int = 0

    # The compartment running the kernel core (validation guarantees one).
    @property
    def core(self) -> Compartment:
        return self.compartment_of("kernel")

    # Return the compartment holding a library of the image; KeyError for a
    # library that is not in the image (libc is in every compartment, so it
    # has no single answer and raises too).
    def compartment_of(self, library: str) -> Compartment:
        for comp in self.compartments:
            if library in comp.libraries:
                return comp
        raise KeyError("library %r is not in any compartment of %s" % (library, self.name))

    # The default compartment (validation guarantees exactly one).
    def default_compartment(self) -> Compartment:
        return next(c for c in self.compartments if c.default)

    # Is this a test image? Its application is a test program (its API
    # file is under tests/), so the libraries' test-only exports count.
    @property
    def test_image(self) -> bool:
        return api_path(self.app).startswith("tests" + os.sep)

    # Library `lib`'s API: its API file, and in test images its test-only
    # The interface fuzzer's name (FUZZ_APP), for the backends.
    fuzz_app = FUZZ_APP

    # one (<lib>.test.api) too.
    def api(self, lib: str) -> "Api":
        return read_api(lib, self.test_image)

    # {function: (compartment, library)} for every function a library
    # exports in its API file: calls to these from another compartment go
    # through gates.
    def exports(self) -> dict[str, tuple[Compartment, str]]:
        out = {}
        for comp in self.compartments:
            for lib in comp.libraries:
                for fn in self.api(lib).functions:
                    out[fn] = (comp, lib)
        return out

    # Functions of `comp` that other compartments only hold pointers to
    # and call through gate_callback: declared callbacks, the app's entry,
    # its libc's entry of POSIX threads and, in the kernel core, libc's
    # scheduler hooks. Calls to them are not redirected, so the pointer is
    # the function itself.
    def callbacks(self, comp: Compartment) -> set[str]:
        names = {thread_entry(comp)}
        for lib in comp.libraries:
            names.update(self.api(lib).callbacks)
        if self.app in comp.libraries:
            names.add(APP_ENTRY)
        if comp is self.core:
            names.update(LIBC_HOOKS)
        return names

    # The words of an API file's CALLERS that describe compartment `comp`.
    def caller_words(self, comp: Compartment) -> set[str]:
        words = {"any"} | set(comp.libraries)
        if comp is self.core:
            words.add("core")
        if self.app in comp.libraries:
            words.add("app")
        if any(self.api(lib).kind == "driver" for lib in comp.libraries):
            words.add("driver")
        return words

    # Whether compartment `caller` may call function `fn` of library `lib`
    # in another compartment; with the reason when it may not, such as
    # "core only".
    def may_call(self, caller: Compartment, lib: str, fn: str) -> tuple[bool, str]:
        allowed = self.api(lib).callers[fn]
        if self.caller_words(caller) & set(allowed):
            return True, ""
        return False, "%s only" % " and ".join(allowed)

    # Every function of `comp` another compartment may enter, sorted.
    def entries(self, comp: Compartment) -> list[str]:
        names = self.callbacks(comp)
        for lib in comp.libraries:
            names.update(self.api(lib).functions)
        return sorted(names)


# ---------------------------------------------------------------------------
# Line scanner
# ---------------------------------------------------------------------------
#
# tomllib parses the file but keeps no positions, so this scanner walks the
# text once more and records where things are. It only runs on text tomllib
# has already accepted, so it can be lenient and never reports errors. It
# understands what configurations use:
#   - comments (# to end of line, outside strings), blank lines;
#   - table headers [x] and [[x]] (each [[x]] occurrence is a new instance,
#     numbered in file order, matching tomllib's list order);
#   - "key = value" lines, bare or quoted keys; for dotted keys only the
#     first part is recorded;
#   - values: basic "..." strings (with backslash escapes), literal '...'
#     strings, triple-quoted strings, booleans/numbers/dates (skipped as one
#     word), inline tables {...} (skipped), and arrays, which may span lines
#     and nest; for an array the line of every top-level element is kept.
# A sub-table header [x.y] after [[x]] records key "y" in the last x instance
# (that is where tomllib puts it); keys under it are not recorded.


@dataclasses.dataclass
class _Table:
    """Positions inside one table: its header line, key lines, element lines."""

    line: int
    keys: dict[str, int] = dataclasses.field(default_factory=dict)
    elements: dict[str, list[int]] = dataclasses.field(default_factory=dict)

    # Line of a key, falling back to the table header when unknown.
    def key_line(self, key):
        return self.keys.get(key, self.line)

    # Line of element i of array `key`, falling back to the key line.
    def element_line(self, key, i):
        lines = self.elements.get(key, [])
        return lines[i] if i < len(lines) else self.key_line(key)


@dataclasses.dataclass
class _Positions:
    """Scanner result: the root table and every [[name]] instance."""

    root: _Table
    arrays: dict[str, list[_Table]]

    # Positions of instance i of array-of-tables `name` (falls back to the
    # line of the key in the root table if the scanner did not see it, e.g.
    # for an inline array of tables).
    def instance(self, name, i):
        tables = self.arrays.get(name, [])
        if i < len(tables):
            return tables[i]
        return _Table(self.root.key_line(name))


class _Scanner:
    """Character-level walk over TOML text; see the comment block above."""

    def __init__(self, text):
        self.text = text
        self.pos = 0
        self.line = 1

    # Current character, or "" at the end of the text.
    def peek(self, offset=0):
        i = self.pos + offset
        return self.text[i] if i < len(self.text) else ""

    # Consume one character, counting lines.
    def advance(self):
        if self.peek() == "\n":
            self.line += 1
        self.pos += 1

    # Skip spaces, tabs and comments; also newlines when `newlines` is true
    # (inside arrays and between statements).
    def skip_blank(self, newlines):
        while self.pos < len(self.text):
            c = self.peek()
            if c in " \t\r":
                self.advance()
            elif c == "#":
                while self.peek() not in ("\n", ""):
                    self.advance()
            elif c == "\n" and newlines:
                self.advance()
            else:
                return

    # Skip the rest of the current line (after a value or header).
    def skip_line(self):
        while self.peek() not in ("\n", ""):
            self.advance()

    # Consume a string starting at the current quote and return its text
    # (escapes are kept raw; only used for keys, which have none in practice).
    def read_string(self):
        quote = self.peek()
        if self.text.startswith(quote * 3, self.pos):
            for _ in range(3):
                self.advance()
            start = self.pos
            while self.pos < len(self.text) and not self.text.startswith(quote * 3, self.pos):
                if quote == '"' and self.peek() == "\\":
                    self.advance()
                self.advance()
            end = self.pos
            for _ in range(3):
                self.advance()
            # A multi-line string may end with up to two extra quotes.
            while self.peek() == quote:
                self.advance()
            return self.text[start:end]
        self.advance()
        start = self.pos
        while self.peek() not in (quote, "\n", ""):
            if quote == '"' and self.peek() == "\\":
                self.advance()
            self.advance()
        end = self.pos
        if self.peek() == quote:
            self.advance()
        return self.text[start:end]

    # Skip one value of any kind; for an array return the line of each of its
    # top-level elements, otherwise None.
    def read_value(self):
        c = self.peek()
        if c in ('"', "'"):
            self.read_string()
        elif c == "[":
            return self.read_array()
        elif c == "{":
            self.skip_inline_table()
        else:
            # Bare scalar: true/false, numbers, dates. Stop at a delimiter.
            while self.peek() not in ("", "\n", ",", "]", "}", "#", " ", "\t", "\r"):
                self.advance()
        return None

    # Consume an array (which may span lines) and return its element lines.
    def read_array(self):
        self.advance()  # "["
        lines = []
        while self.pos < len(self.text):
            self.skip_blank(newlines=True)
            c = self.peek()
            if c == "]":
                self.advance()
                break
            if c == ",":
                self.advance()
                continue
            if c == "":
                break
            lines.append(self.line)
            before = self.pos
            self.read_value()
            if self.pos == before:  # never loop forever on odd input
                self.advance()
        return lines

    # Consume an inline table {...}, minding strings and nested braces.
    def skip_inline_table(self):
        depth = 0
        while self.pos < len(self.text):
            c = self.peek()
            if c in ('"', "'"):
                self.read_string()
                continue
            self.advance()
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return

    # Read a key (bare or quoted, possibly dotted) up to "="; return the parts.
    def read_key(self):
        parts = []
        while self.pos < len(self.text):
            self.skip_blank(newlines=False)
            c = self.peek()
            if c in ('"', "'"):
                parts.append(self.read_string())
            else:
                start = self.pos
                while self.peek() not in ("", "\n", "=", ".", "]", " ", "\t", "\r", "#"):
                    self.advance()
                parts.append(self.text[start : self.pos])
            self.skip_blank(newlines=False)
            if self.peek() == ".":
                self.advance()
                continue
            return parts
        return parts

    # Walk the whole text and return the positions of keys and elements.
    def scan(self):
        root = _Table(1)
        arrays = {}
        current = root  # table receiving "key =" lines (None: not recorded)
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(self.text):
                break
            line = self.line
            if self.peek() == "[":
                double = self.peek(1) == "["
                self.advance()
                if double:
                    self.advance()
                parts = self.read_key()
                self.skip_line()
                head = parts[0] if parts else ""
                root.keys.setdefault(head, line)
                if double and len(parts) == 1:
                    current = _Table(line)
                    arrays.setdefault(head, []).append(current)
                else:
                    if len(parts) > 1 and arrays.get(head):
                        arrays[head][-1].keys.setdefault(parts[1], line)
                    # Keys of a plain top-level [x] table are kept (harmless);
                    # keys of deeper tables are not recorded.
                    current = _Table(line) if len(parts) == 1 else None
                continue
            parts = self.read_key()
            if self.peek() == "=":
                self.advance()
                self.skip_blank(newlines=False)
                elements = self.read_value()
                if current is not None and parts:
                    current.keys.setdefault(parts[0], line)
                    if elements is not None and len(parts) == 1:
                        current.elements.setdefault(parts[0], elements)
            self.skip_line()
        return _Positions(root, arrays)


# Record the line of every key, table header and array element of `text`.
def _scan(text):
    return _Scanner(text).scan()


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


# Human name of a TOML value's type, for "expected X, got Y" messages.
def _type_name(value):
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    return "date/time"


# Quote and join a list of names for "valid values are ..." messages.
def _choices(values):
    return ", ".join('"%s"' % v for v in values)


# Turn a tomllib syntax error into (line, message): tomllib appends
# "(at line L, column C)" or "(at end of document)" to its message.
def _syntax_error(exc, text):
    msg = str(exc)
    m = re.search(r"\s*\(at line (\d+), column \d+\)\s*$", msg)
    if m:
        return int(m.group(1)), msg[: m.start()]
    m = re.search(r"\s*\(at end of document\)\s*$", msg)
    if m:
        return max(1, text.count("\n") + (0 if text.endswith("\n") else 1)), msg[: m.start()]
    return 1, msg


class _Checker:
    """Runs every check over parsed data + positions, collecting errors."""

    def __init__(self, path, data, pos, libraries, apps, optional=()):
        self.path = path
        self.data = data
        self.pos = pos
        self.libraries = list(libraries)
        # Known, but in an image only when a compartment names them.
        self.optional = list(optional)
        self.apps = list(apps)
        self.errors = []

    # Record one error at `line`.
    def error(self, line, msg):
        self.errors.append((self.path, line, msg))

    # Check an optional top-level string key against a set of values; return
    # the value to use (the default when missing or invalid).
    def top_choice(self, key, valid, default, required=False):
        root = self.pos.root
        if key not in self.data:
            if required:
                self.error(
                    1, 'missing required key "%s" (valid values: %s)' % (key, _choices(valid))
                )
            return default
        value = self.data[key]
        line = root.key_line(key)
        if not isinstance(value, str):
            self.error(line, '"%s" must be a string, got %s' % (key, _type_name(value)))
            return default
        if valid is not None and value not in valid:
            self.error(line, 'invalid %s "%s": valid values are %s' % (key, value, _choices(valid)))
            return default
        return value

    # The initrd's folder (key "files"): a path relative to the top of the
    # tree naming an existing folder, without spaces (make takes it as one
    # word); "" when absent or wrong.
    def check_files(self):
        value = self.top_choice("files", None, "")
        if self.data.get("files") == "":
            self.error(self.pos.root.key_line("files"), '"files" must name a folder, not ""')
        if not value:
            return ""
        line = self.pos.root.key_line("files")
        full = os.path.join(backends.ROOT, value)
        if os.path.isabs(value):
            self.error(line, 'files "%s": give the folder relative to the top of the tree' % value)
        elif any(c.isspace() for c in value):
            self.error(line, 'files "%s": a folder name with spaces cannot be built' % value)
        elif not os.path.exists(full):
            self.error(line, 'files "%s": no such folder (relative to the top of the tree)' % value)
        elif not os.path.isdir(full):
            self.error(line, 'files "%s" is not a folder' % value)
        else:
            return os.path.normpath(value)
        return ""

    # The default command line of `make run` (key "args"): words make and
    # the shell pass on as they are, so none of the characters that would
    # change them; "" when absent or wrong.
    def check_args(self):
        value = self.top_choice("args", None, "")
        bad = sorted(set(c for c in value if c in "\"'\\$`;&|<>()#*?[]{}~\n\t"))
        if bad:
            self.error(
                self.pos.root.key_line("args"),
                'args "%s": %s cannot be passed on make\'s command line'
                % (value, " ".join(repr(c) for c in bad)),
            )
            return ""
        return " ".join(value.split())

    # The guest's RAM (key "memory"): a size QEMU's -m takes, from 64M to
    # 64G; "" when absent or wrong.
    def check_memory(self):
        value = self.top_choice("memory", None, "")
        if not value:
            return ""
        m = re.fullmatch(r"([1-9][0-9]*)([MG])", value)
        mib = int(m.group(1)) * (1024 if m.group(2) == "G" else 1) if m else 0
        if not 64 <= mib <= 64 * 1024:
            self.error(
                self.pos.root.key_line("memory"),
                'memory "%s": give a size from 64M to 64G, like "512M" or "1G"' % value,
            )
            return ""
        return value

    # The main thread's stack (key "main_stack") in bytes: 64K to 64M, in
    # K or M; 0 when absent or wrong (the default then).
    def check_main_stack(self):
        value = self.top_choice("main_stack", None, "")
        if not value:
            return 0
        m = re.fullmatch(r"([1-9][0-9]*)([KM])", value)
        size = int(m.group(1)) * (1024 if m.group(2) == "K" else 1024 * 1024) if m else 0
        if not 64 * 1024 <= size <= 64 * 1024 * 1024:
            self.error(
                self.pos.root.key_line("main_stack"),
                'main_stack "%s": give a size from 64K to 64M, like "512K" or "8M"' % value,
            )
            return 0
        return size

    # Check the top-level keys; return (app, backend, gate, stack_data, description).
    def check_top(self):
        root = self.pos.root
        for key in self.data:
            if key not in TOP_KEYS:
                self.error(
                    root.key_line(key),
                    'unknown top-level key "%s" (known keys: %s)' % (key, ", ".join(TOP_KEYS)),
                )
        app = self.top_choice("app", None, None, required=False)
        if "app" not in self.data:
            self.error(1, 'missing required key "app" (known apps: %s)' % ", ".join(self.apps))
        elif app is not None and app not in self.apps:
            if app_folder(app):
                why = (
                    "apps/%s/ holds no C file nor build.mk (an app is a folder apps/NAME/ of"
                    " sources)" % app
                )
            else:
                why = "known apps are %s" % ", ".join(self.apps)
            self.error(root.key_line("app"), 'unknown app "%s": %s' % (app, why))
            app = None
        elif app is not None and not APP_NAME_RE.match(app):
            self.error(
                root.key_line("app"),
                'app "%s": an application\'s name (its folder apps/NAME/) must match '
                "[a-z][a-z0-9_]{0,31}" % app,
            )
            app = None
        backend = self.top_choice("backend", BACKENDS, None, required=True)
        impl = backends.load(backend) if backend else None
        gate = self.check_gate(impl)
        stack_data = self.top_choice("stack_data", STACK_DATA, DEFAULT_STACK_DATA)
        if stack_data not in STACK_DATA_DONE:
            self.error(
                root.key_line("stack_data"),
                'stack_data "%s" is not built yet: '
                "only %s is (pointers across gates must point to shared memory)"
                % (stack_data, _choices(STACK_DATA_DONE)),
            )
        description = self.top_choice("description", None, "")
        return app, impl, gate, stack_data, description or ""

    # The gate kind: one the backend offers (its first by default). With
    # an unknown backend, any kind some backend offers passes, so the
    # backend's own error stands alone.
    def check_gate(self, impl):
        if impl is None:
            kinds = sorted({k for b in BACKENDS for k in backends.load(b).gate_kinds})
            return self.top_choice("gate", kinds, None)
        gate = self.top_choice("gate", None, impl.gate_kinds[0])
        if gate not in impl.gate_kinds:
            self.error(
                self.pos.root.key_line("gate"),
                'invalid gate "%s": backend "%s" offers %s'
                % (gate, impl.name, _choices(impl.gate_kinds)),
            )
            return impl.gate_kinds[0]
        return gate

    # Check the array-of-strings key `key` of compartment table `comp` and
    # yield (element index, value) for its string elements. A generator, so
    # type errors are recorded interleaved with the caller's per-element
    # checks, in element order.
    def string_array(self, comp, table, key):
        value = comp[key]
        if not isinstance(value, list):
            self.error(
                table.key_line(key),
                '"%s" must be an array of strings, got %s' % (key, _type_name(value)),
            )
            return
        for i, item in enumerate(value):
            if isinstance(item, str):
                yield i, item
            else:
                self.error(
                    table.element_line(key, i),
                    '"%s" entries must be strings, got %s' % (key, _type_name(item)),
                )

    # Check every compartment table; return a list of per-compartment dicts
    # (name, table positions, listed libraries with lines, default flag,
    # hardening) for the placement checks that follow.
    def check_compartments(self, app, impl, gate):
        comps = self.data.get("compartment")
        if comps is None:
            self.error(
                1, "no compartments: add at least one [[compartment]] table with default = true"
            )
            return []
        if not isinstance(comps, list) or not all(isinstance(c, dict) for c in comps):
            self.error(
                self.pos.root.key_line("compartment"),
                '"compartment" must be an array of tables: write [[compartment]]',
            )
            return []
        if not comps:
            self.error(
                self.pos.root.key_line("compartment"),
                "no compartments: add at least one [[compartment]] table with default = true",
            )
            return []

        result = []
        names = {}  # name -> header line of its first compartment
        for index, comp in enumerate(comps):
            table = self.pos.instance("compartment", index)
            # "listed": number of entries in "libraries" (None: wrong type).
            listed = comp.get("libraries", [])
            # "label" names the compartment in messages even if its name is bad.
            label = comp.get("name") if isinstance(comp.get("name"), str) else "#%d" % index
            info = {
                "name": None,
                "label": label,
                "table": table,
                "libs": [],
                "default": False,
                "hardening": [],
                "index": index,
                "listed": len(listed) if isinstance(listed, list) else None,
            }
            result.append(info)

            for key in comp:
                if key not in COMPARTMENT_KEYS:
                    self.error(
                        table.key_line(key),
                        'unknown key "%s" in [[compartment]] (known keys: %s)'
                        % (key, ", ".join(COMPARTMENT_KEYS)),
                    )

            # name: required, well-formed, unique.
            if "name" not in comp:
                self.error(table.line, '[[compartment]] is missing required key "name"')
            elif not isinstance(comp["name"], str):
                self.error(
                    table.key_line("name"),
                    '"name" must be a string, got %s' % _type_name(comp["name"]),
                )
            elif not NAME_RE.match(comp["name"]):
                self.error(
                    table.key_line("name"),
                    'invalid compartment name "%s": names match '
                    "[a-z][a-z0-9_]{0,15} (lower case letter, then up to 15 lower case "
                    "letters, digits or _)" % comp["name"],
                )
            elif comp["name"] in names:
                self.error(
                    table.key_line("name"),
                    'duplicate compartment name "%s" (first used at line %d)'
                    % (comp["name"], names[comp["name"]]),
                )
            else:
                names[comp["name"]] = table.key_line("name")
                info["name"] = comp["name"]

            # default: optional boolean.
            if "default" in comp:
                if isinstance(comp["default"], bool):
                    info["default"] = comp["default"]
                else:
                    self.error(
                        table.key_line("default"),
                        '"default" must be a boolean (true or false), got %s'
                        % _type_name(comp["default"]),
                    )

            # libraries: optional array of strings naming image libraries.
            if "libraries" in comp:
                items = self.string_array(comp, table, "libraries")
                for i, lib in items:
                    line = table.element_line("libraries", i)
                    if lib == "libc":
                        self.error(
                            line,
                            "libc is part of every compartment (each compartment gets "
                            "its own copy); do not list it",
                        )
                    elif lib in self.apps and lib != app:
                        if app is None:
                            continue  # the app itself is in error; don't pile on
                        self.error(
                            line,
                            'app "%s" cannot be listed: an image holds one app and this '
                            'one is "%s"' % (lib, app),
                        )
                    elif lib not in self.libraries and lib not in self.optional and lib != app:
                        self.error(
                            line,
                            'unknown library "%s" (known libraries: %s; apps: %s)'
                            % (
                                lib,
                                ", ".join(self.libraries + self.optional),
                                ", ".join(self.apps),
                            ),
                        )
                    else:
                        info["libs"].append((lib, line))

            # hardening: optional array of known option names.
            if "hardening" in comp:
                items = self.string_array(comp, table, "hardening")
                for i, opt in items:
                    line = table.element_line("hardening", i)
                    if opt not in HARDENING:
                        self.error(
                            line,
                            'unknown hardening "%s": valid values are %s'
                            % (opt, _choices(HARDENING)),
                        )
                    elif opt in info["hardening"]:
                        self.error(line, 'hardening "%s" listed twice' % opt)
                    else:
                        info["hardening"].append(opt)
                        if opt not in HARDENING_DONE:
                            self.error(
                                line,
                                'hardening "%s" is not applied by this build '
                                "yet: remove it" % opt,
                            )

        # Backend limit: error at the first [[compartment]] beyond it.
        if impl is not None:
            limit, why = impl.max_compartments, impl.max_reason
            what = 'backend "%s"' % impl.name
            if gate in impl.gate_limits and impl.gate_limits[gate][0] < limit:
                limit, why = impl.gate_limits[gate]
                what += " with %s gates" % gate
            if len(comps) > limit:
                self.error(
                    self.pos.instance("compartment", limit).line,
                    "too many compartments for %s: %d found, at most %d (%s)"
                    % (what, len(comps), limit, why),
                )
        return result

    # Check the default flags; return the info of the default compartment
    # (or None when there is none).
    def check_default(self, comps):
        first = None
        for info in comps:
            if not info["default"]:
                continue
            line = info["table"].key_line("default")
            if first is None:
                first = info
            else:
                self.error(
                    line,
                    'more than one default compartment: "%s" is already the default '
                    "(line %d)" % (first["label"], first["table"].key_line("default")),
                )
        if comps and first is None:
            self.error(
                1,
                "no default compartment: mark exactly one [[compartment]] with default = true "
                "(it receives every library not listed elsewhere)",
            )
        return first

    # Place libraries: each listed once overall; unlisted ones go to the
    # default compartment. Returns {library: (compartment info, line)} where
    # line is the element line, or the default compartment's header line for
    # default-placed libraries.
    def place(self, comps, default, app):
        where = {}
        for info in comps:
            seen = {}
            kept = []
            for lib, line in info["libs"]:
                if lib in seen:
                    self.error(
                        line,
                        'library "%s" listed twice in compartment "%s" (first at line %d)'
                        % (lib, info["label"], seen[lib]),
                    )
                    continue
                seen[lib] = line
                if lib in where:
                    other, other_line = where[lib]
                    self.error(
                        line,
                        'library "%s" is already in compartment "%s" (compartment at '
                        "line %d, listed at line %d); a library belongs to one compartment"
                        % (lib, other["label"], other["table"].line, other_line),
                    )
                    continue
                where[lib] = (info, line)
                kept.append(lib)
            info["placed"] = kept
        # Empty non-default compartments: no "libraries" key (error at the
        # header) or "libraries = []" (error at the key).
        for info in comps:
            if not info["default"] and info["listed"] == 0:
                self.error(
                    info["table"].key_line("libraries"),
                    'compartment "%s" has no libraries (only the default compartment '
                    "may be empty)" % (info["label"]),
                )
        if default is not None:
            image = self.libraries + ([app] if app is not None else [])
            for lib in image:
                if lib not in where:
                    where[lib] = (default, default["table"].line)
                    default["placed"].append(lib)
        return where

    # boot, kernel and mm must share a compartment: the compartment holding
    # most of them is their home; each one elsewhere is reported at its line.
    def check_kernel_core(self, where):
        members = [lib for lib in KERNEL_CORE if lib in where]
        if len(members) < 2:
            return
        homes = [where[lib][0]["index"] for lib in members]
        if len(set(homes)) == 1:
            return
        counts = {h: homes.count(h) for h in homes}
        best = max(counts.values())
        if best > 1:
            home = next(h for h in homes if counts[h] == best)
        else:
            home = where["kernel"][0]["index"] if "kernel" in where else homes[0]
        for lib in members:
            info, line = where[lib]
            if info["index"] != home:
                self.error(
                    line,
                    "boot, kernel and mm form the kernel core and must share a compartment "
                    '("%s" is in compartment "%s", the others are not)' % (lib, info["label"]),
                )

    # KASan's shadow is mapped on demand by the kernel core's page-fault
    # handler, and the core's own code runs before there is one (its boot
    # stack, its interrupt stacks): the core's compartment cannot have it.
    def check_kasan_core(self, comps, where):
        if "kernel" not in where:
            return
        info = where["kernel"][0]
        if "kasan" not in info["hardening"]:
            return
        table = info["table"]
        self.error(
            table.element_line(
                "hardening", self.data["compartment"][info["index"]]["hardening"].index("kasan")
            ),
            'hardening "kasan" cannot apply to compartment "%s": it holds the kernel core '
            "(boot, kernel, mm), which runs before KASan's shadow exists; put the "
            "libraries to check in a compartment of their own" % info["label"],
        )

    # The backend's rule: some libraries must stay in the default
    # compartment (each one elsewhere is reported at its line).
    def check_default_holds(self, impl, where, default):
        if impl is None or impl.default_holds is None or default is None:
            return
        for lib in HOLDS[impl.default_holds]:
            if lib in where and where[lib][0] is not default:
                info, line = where[lib]
                self.error(
                    line,
                    'with backend "%s", library "%s" must be in the default '
                    'compartment, not "%s": %s'
                    % (impl.name, lib, info["label"], impl.default_reason),
                )

    # With a stack per compartment (full gates), interrupt handlers must
    # not call into another compartment: the interrupted thread may be
    # running in it, on the very stack region the call would start on. The
    # one such call is a driver's interrupt waking the scheduler, so the
    # scheduler stays with the kernel core when the image has a driver.
    def check_interrupt_calls(self, impl, gate, where, default):
        if impl is None or "private_stacks" not in impl.features_for(gate) or "sched" not in where:
            return
        info, line = where["sched"]
        drivers = [
            lib
            for lib in where
            if lib not in self.apps and find_api(lib) and read_api(lib).kind == "driver"
        ]
        if drivers and info is not where["kernel"][0]:
            self.error(
                line,
                'with %s gates, "sched" must share the kernel core\'s '
                "compartment when the image has a driver (%s): its interrupts wake "
                "the scheduler, which must not run on a stack a thread may be "
                "using" % (gate, ", ".join(sorted(drivers))),
            )


# Parse and validate a configuration file; return a Config or raise
# ConfigError with every error found.
def load(path: str, libraries: list[str], apps: list[str], optional: list[str] = ()) -> Config:
    """`optional` libraries are valid names that an image holds only when a
    compartment lists them (test libraries, say); the others in
    `libraries` are always there, in the default compartment if unnamed."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([(path, 1, "cannot read configuration: %s" % exc)]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, msg = _syntax_error(exc, text)
        raise ConfigError([(path, line, "syntax error: %s" % msg)]) from None

    checker = _Checker(path, data, _scan(text), libraries, apps, optional)
    app, impl, gate, stack_data, description = checker.check_top()
    files = checker.check_files()
    args = checker.check_args()
    memory = checker.check_memory()
    main_stack = checker.check_main_stack()
    comps = checker.check_compartments(app, impl, gate)
    default = checker.check_default(comps)
    where = checker.place(comps, default, app)
    checker.check_kernel_core(where)
    checker.check_kasan_core(comps, where)
    if not checker.errors:  # a backend's placement rules, on an otherwise valid file
        checker.check_default_holds(impl, where, default)
        checker.check_interrupt_calls(impl, gate, where, default)
    if checker.errors:
        raise ConfigError(checker.errors)

    # Build the result: index = file order; mpk keys 0 (default), then 1.. .
    compartments = []
    next_key = 1
    for info in comps:
        pkey = None
        if impl.uses_pkeys:
            if info["default"]:
                pkey = 0
            else:
                pkey = next_key
                next_key += 1
        compartments.append(
            Compartment(
                name=info["name"],
                index=info["index"],
                libraries=list(info["placed"]),
                default=info["default"],
                hardening=list(info["hardening"]),
                pkey=pkey,
                line=info["table"].line,
            )
        )
    config = Config(
        path=path,
        name=os.path.splitext(os.path.basename(path))[0],
        app=app,
        backend=impl.name,
        gate=gate,
        stack_data=stack_data,
        description=description,
        compartments=compartments,
        impl=impl,
        files=files,
        args=args,
        memory=memory,
        main_stack=main_stack,
    )
    config.core.backend_libs = list(impl.core_libs)
    return config


# ---------------------------------------------------------------------------
# Library API files
# ---------------------------------------------------------------------------
#
# A library's API file (<lib>.api beside its sources) lists what other
# compartments may use of it, one entry a line:
#     NAME(ARG, ...) CALLERS [efault]
#                           a function, the contract of each argument
#                           (below), and who may call it from another
#                           compartment; `efault`: an argument that breaks
#                           its contract makes the call return -EFAULT
#                           (after a report) instead of stopping the machine
#     callback NAME(ARG)    a function others may be handed a pointer to and
#                           call back (a thread entry point, say); the gate
#                           checks it is a declared entry when it is called
#     kind driver           the library drives a device
# '#' starts a comment. Gates pass at most 6 arguments, in registers. Each
# ARG is one of:
#     val          a number (a size, flags, a descriptor)
#     addr         an address the callee only compares, stores or hands
#                  back (a thread's argument, a block to free), never reads
#                  or writes through
#     handle       an object handle the callee checks itself (sched/handle.c)
#     in[L]        memory the callee reads, L bytes, where L is N (the
#                  value of argument N, counted from 1), NxK (K times that
#                  value), =K (K bytes) or *N (the 32-bit length argument
#                  N points to)
#     out[L]       memory the callee writes, L as for in
#     inout[L]     memory the callee reads and writes
#     str[MAX]     a NUL-terminated string of at most MAX bytes, the NUL
#                  included
#     fn           a function the callee calls back (through gate_callback),
#                  which must be a declared callback of some compartment
#     caller       filled in by the gate with the calling compartment's
#                  index, whatever the caller passed (last argument only)
#     ...          more arguments, unchecked (last only): a variadic
#                  function, which only the core's own compartment may call
# A trailing `?` on in, out, inout or str accepts a null pointer. Isolated
# backends check every pointer argument at the gate before the callee runs
# (it must lie in memory the caller may hand over, never in the callee's or
# the core's own); fcall checks nothing. The build checks each function's
# arguments against its C definition (count, and pointer or not).
# CALLERS is a comma-separated list of: `any` (every compartment), `core`
# (the kernel core's compartment), `app` (the application's), `driver` (a
# compartment holding a driver library), or a library name (the
# compartment holding that library). Calls within a compartment are not
# gated and need no permission.
# Functions only tests may call (hooks into internals) go in <lib>.test.api
# beside it: they are exported only in test images (Config.test_image).

# The API of an application folder (apps/NAME/) without an API file of
# its own: the entry every app has, which each copy of libc's start-up
# code calls (libc/start.c). gen-image.py fits it to a `main(void)`.
DEFAULT_APP_API = "main(val, in[1x8]) any"

# Where API files live, relative to the top of the tree.
API_PLACES = (
    "{0}/{0}.api",
    "apps/{0}/{0}.api",
    "tests/{0}.api",
    "tests/{0}/{0}.api",
    "net/{0}/{0}.api",
    "fs/{0}/{0}.api",
    "gates/*/{0}.api",
)
MAX_GATE_ARGS = 6
CALLER_KINDS = ("any", "core", "app", "driver")
LIBRARY_KINDS = ("driver",)
FUNCTION_FLAGS = ("efault",)
ARG_KINDS = ("val", "addr", "handle", "in", "out", "inout", "str", "fn", "caller")
BUFFER_KINDS = ("in", "out", "inout")
POINTER_KINDS = BUFFER_KINDS + ("str", "fn")


@dataclasses.dataclass(frozen=True)
class Arg:
    """One argument's contract (see the API file format above)."""

    kind: str
    length: int = 0  # buffers: the argument (from 1) that holds the length
    size: int = 0  # buffers: a fixed length; strings: the maximum
    length_at: bool = False  # the length is the 32-bit word argument `length` points to
    null_ok: bool = False
    scale: int = 1  # with `length`: bytes per unit of that argument

    @property
    def pointer(self) -> bool:
        return self.kind in POINTER_KINDS

    def __str__(self):
        if self.kind in BUFFER_KINDS:
            if self.length:
                inner = ("*%d" if self.length_at else "%d") % self.length
                if self.scale != 1:
                    inner += "x%d" % self.scale
            else:
                inner = "=%d" % self.size
            text = "%s[%s]" % (self.kind, inner)
        elif self.kind == "str":
            text = "str[%d]" % self.size
        else:
            text = self.kind
        return text + ("?" if self.null_ok else "")

    @property
    def variadic(self) -> bool:
        return self.kind == "..."


ARG_SYNTAX = re.compile(r"^(\w+|\.\.\.)(?:\[(\*?\d+|\d+x\d+|=\d+)\])?(\?)?$")
FUNCTION_SYNTAX = re.compile(r"^(\w+)\(([^()]*)\)$")


# The contract of one argument, parsed; or an error message.
def parse_arg(text: str) -> Arg | str:
    m = ARG_SYNTAX.match(text)
    if text == "...":
        return Arg("...")
    if not m or m.group(1) not in ARG_KINDS:
        return "unknown argument kind '%s' (kinds are %s)" % (text, _choices(ARG_KINDS))
    kind, inner, null_ok = m.group(1), m.group(2), bool(m.group(3))
    if kind in BUFFER_KINDS:
        if inner is None:
            return "%s needs its length: %s[N], %s[=BYTES] or %s[*N]" % ((text,) + (kind,) * 3)
        if inner.startswith("="):
            return Arg(kind, size=int(inner[1:]), null_ok=null_ok)
        if "x" in inner:
            n, k = inner.split("x")
            return Arg(kind, length=int(n), scale=int(k), null_ok=null_ok)
        return Arg(kind, length=int(inner.lstrip("*")), length_at=inner[0] == "*", null_ok=null_ok)
    if kind == "str":
        if inner is None or not inner.isdigit() or int(inner) == 0:
            return "%s needs its maximum size: str[MAX]" % text
        return Arg(kind, size=int(inner), null_ok=null_ok)
    if inner is not None or null_ok:
        return "%s takes no length and no '?'" % kind
    return Arg(kind)


# What is wrong with a function's argument list as a whole, or None.
def check_args(args: list[Arg]) -> str | None:
    if len(args) > MAX_GATE_ARGS:
        return "takes %d arguments; gates pass at most %d, in registers" % (
            len(args),
            MAX_GATE_ARGS,
        )
    for i, a in enumerate(args, 1):
        if a.kind == "..." and i != len(args):
            return "argument %d: `...` must be the last argument" % i
        if a.kind == "caller" and i != len(args):
            return "argument %d: `caller` must be the last argument" % i
        if a.kind in BUFFER_KINDS and a.length:
            if not 1 <= a.length <= len(args) or a.length == i:
                return "argument %d (%s): its length is argument %d, which it does not have" % (
                    i,
                    a,
                    a.length,
                )
            n = args[a.length - 1]
            if a.length_at and (n.kind not in ("in", "inout") or n.length or n.size != 4):
                return "argument %d (%s): argument %d must be in[=4] or inout[=4]" % (
                    i,
                    a,
                    a.length,
                )
            if not a.length_at and n.kind != "val":
                return "argument %d (%s): its length, argument %d, must be a val" % (
                    i,
                    a,
                    a.length,
                )
    return None


@dataclasses.dataclass
class Api:
    path: str
    functions: dict[str, int]  # name -> argument count
    callbacks: dict[str, int]
    callers: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    # Functions whose last argument the gate sets to the caller's index.
    vouched: set[str] = dataclasses.field(default_factory=set)
    kind: str | None = None  # LIBRARY_KINDS
    # Each function's and callback's argument contracts, and the line
    # (path, line) that declares it.
    contracts: dict[str, tuple[Arg, ...]] = dataclasses.field(default_factory=dict)
    lines: dict[str, tuple[str, int]] = dataclasses.field(default_factory=dict)
    # Functions whose broken contracts return -EFAULT instead of stopping.
    efault: set[str] = dataclasses.field(default_factory=set)
    # An application folder's DEFAULT_APP_API, from no file.
    default: bool = False


# The path of library `lib`'s API file, or None if it has none.
def find_api(lib: str) -> str | None:
    for place in API_PLACES:
        found = sorted(glob.glob(os.path.join(backends.ROOT, place.format(lib))))
        if found:
            return os.path.relpath(found[0], backends.ROOT)
    return None


# Where the application folders are (every apps/NAME/ is an app).
APPS_DIR = os.path.join(backends.ROOT, "apps")


# Whether `lib` is an application folder, apps/<lib>/.
def app_folder(lib: str) -> bool:
    return bool(re.fullmatch(r"[\w.-]+", lib)) and os.path.isdir(os.path.join(APPS_DIR, lib))


# The name by which reports cite an application folder's default API.
def default_api_path(lib: str) -> str:
    return "apps/%s (no %s.api: the default API)" % (lib, lib)


# The path of library `lib`'s API file (an application folder without
# one: default_api_path); ConfigError if it has none.
def api_path(lib: str) -> str:
    path = find_api(lib)
    if path is None and app_folder(lib):
        return default_api_path(lib)
    if path is None:
        raise ConfigError(
            [
                (
                    "(build)",
                    0,
                    "library %s has no API file (looked for %s)"
                    % (lib, ", ".join(p.format(lib) for p in API_PLACES)),
                )
            ]
        )
    return path


# Read and check library `lib`'s API file (once per run); with tests=True
# also its test-only API file, if it has one.
@functools.lru_cache(maxsize=None)
def read_api(lib: str, tests: bool = False) -> Api:
    path = api_path(lib)
    errors = []
    if find_api(lib) is None:
        api = Api(path, {}, {}, default=True)
        _read_api_lines(path, [DEFAULT_APP_API], api, errors)
        if errors:
            raise ConfigError(errors)
        return api
    api = Api(path, {}, {})
    paths = [path]
    test_path = path[: -len(".api")] + ".test.api"
    if tests and os.path.exists(os.path.join(backends.ROOT, test_path)):
        paths.append(test_path)
    for path in paths:
        _read_api_file(path, api, errors)
    if errors:
        raise ConfigError(errors)
    return api


# Add the entries of one API file to `api`, and its errors to `errors`.
def _read_api_file(path, api, errors):
    with open(os.path.join(backends.ROOT, path)) as f:
        _read_api_lines(path, f, api, errors)


# Add the entries of the lines of API file `path` to `api`, and their
# errors to `errors`.
def _read_api_lines(path, lines, api, errors):
    for n, line in enumerate(lines, 1):
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        if parts[0] == "kind":
            if len(parts) != 2 or parts[1] not in LIBRARY_KINDS:
                errors.append(
                    (
                        path,
                        n,
                        "expected 'kind KIND' with KIND one of %s" % _choices(LIBRARY_KINDS),
                    )
                )
            else:
                api.kind = parts[1]
            continue
        callback = parts[0] == "callback"
        if callback:
            parts = parts[1:]
        # The argument list may hold spaces: take it up to ')'.
        text = " ".join(parts)
        head, close, rest = text.partition(")")
        m = FUNCTION_SYNTAX.match(head.replace(" ", "") + close)
        words = rest.split()
        want = 0 if callback else 1
        if not m or len(words) < want or len(words) > want + len(FUNCTION_FLAGS):
            errors.append(
                (
                    path,
                    n,
                    "expected 'NAME(ARG, ...) CALLERS [efault]' or 'callback NAME(ARG, ...)'",
                )
            )
            continue
        name = m.group(1)
        args = [parse_arg(a) for a in m.group(2).split(",")] if m.group(2) else []
        bad = [a for a in args if isinstance(a, str)]
        flags = words[want:]
        if bad:
            errors.append((path, n, "%s: %s" % (name, bad[0])))
        elif check_args(args):
            errors.append((path, n, "%s %s" % (name, check_args(args))))
        elif any(f not in FUNCTION_FLAGS for f in flags):
            errors.append(
                (
                    path,
                    n,
                    "%s: unknown flag %s (flags are %s)"
                    % (
                        name,
                        _choices([f for f in flags if f not in FUNCTION_FLAGS]),
                        _choices(FUNCTION_FLAGS),
                    ),
                )
            )
        elif callback and any(a.kind == "caller" for a in args):
            errors.append((path, n, "%s: a callback has no `caller` argument" % name))
        elif name in api.functions or name in api.callbacks:
            errors.append((path, n, "%s is listed twice" % name))
        elif callback:
            api.callbacks[name] = sum(1 for a in args if not a.variadic)
            api.contracts[name] = tuple(args)
            api.lines[name] = (path, n)
        else:
            callers = tuple(words[0].split(","))
            unknown = [
                w
                for w in callers
                if w not in CALLER_KINDS
                and (w == "libc" or (find_api(w) is None and not app_folder(w)))
            ]
            if unknown:
                errors.append(
                    (
                        path,
                        n,
                        "%s: unknown caller %s (callers are %s, or a "
                        "library's name)" % (name, _choices(unknown), _choices(CALLER_KINDS)),
                    )
                )
                continue
            api.functions[name] = sum(1 for a in args if not a.variadic)
            api.contracts[name] = tuple(args)
            api.lines[name] = (path, n)
            api.callers[name] = callers
            if args and args[-1].kind == "caller":
                api.vouched.add(name)
            if "efault" in flags:
                api.efault.add(name)


# ---------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------


# The build's name for a set of hardening options: their words
# (HARDENING_TAGS) in HARDENING's order joined by "-", "" for none; the
# same set in any order is the same tag, so it is built once.
def hardening_tag(options) -> str:
    return "-".join(HARDENING_TAGS[o] for o in HARDENING if o in options)


# Text of the make fragment describing a configuration (see the docstring).
def make_fragment(config: Config) -> str:
    lines = ["# Generated from %s by scripts/bulkhead_config.py: do not edit." % config.path]

    def var(name, value):
        lines.append(("%s := %s" % (name, value)).rstrip())

    var("CFG_NAME", config.name)
    var("CFG_APP", config.app)
    var("CFG_BACKEND", config.backend)
    var("CFG_GATE", config.gate)
    var("CFG_FEATURES", " ".join(config.impl.features_for(config.gate)))
    var("CFG_STACK_DATA", config.stack_data)
    var("CFG_COMPARTMENTS", " ".join(c.name for c in config.compartments))
    var("CFG_DEFAULT", config.default_compartment().name)
    var("CFG_FILES", config.files)
    tags = sorted({hardening_tag(c.hardening) for c in config.compartments} - {""})
    var("CFG_HTAGS", " ".join(tags))
    var("CFG_ARGS", config.args)
    var("CFG_MEMORY", config.memory)
    for comp in config.compartments:
        var("CFG_COMP_%s_LIBS" % comp.name, " ".join(comp.libraries + comp.backend_libs))
        var("CFG_COMP_%s_HARDEN" % comp.name, " ".join(comp.hardening))
        var("CFG_COMP_%s_HTAG" % comp.name, hardening_tag(comp.hardening))
        if comp.pkey is not None:
            var("CFG_COMP_%s_PKEY" % comp.name, str(comp.pkey))
    return "\n".join(lines) + "\n"


# One-line human summary, e.g. "x: backend mpk (gate full), compartments core[...] app[...]".
def summary(config: Config) -> str:
    comps = " ".join("%s[%s]" % (c.name, " ".join(c.libraries)) for c in config.compartments)
    return "%s: backend %s (gate %s), compartments %s" % (
        config.name,
        config.backend,
        config.gate,
        comps,
    )


# Write `content` to `path` only if it differs from what is there, so the
# file's mtime (and thus make's view of it) only changes on real changes.
# Returns True if the file was written.
def write_if_changed(path: str, content: str) -> bool:
    try:
        with open(path, "r", encoding="utf-8") as f:
            if f.read() == content:
                return False
    except OSError:
        pass
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    # Write a temporary file and rename it, so an interrupted run never
    # leaves a half-written fragment behind.
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".config.mk.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(content)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return True


# Command line entry point; returns the exit status.
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Validate a Bulkhead configuration and write config.mk."
    )
    parser.add_argument("config", help="configuration file, e.g. configs/hello.toml")
    parser.add_argument(
        "--libs",
        default=" ".join(KERNEL_LIBS + FS_LIBS),
        help="libraries every image holds, space separated (default: %(default)s)",
    )
    parser.add_argument("--apps", required=True, help="known app libraries, space separated")
    parser.add_argument(
        "--optional-libs",
        default="",
        help="libraries an image holds only when a compartment names them",
    )
    parser.add_argument("--out", help="directory to write config.mk into (created if needed)")
    parser.add_argument(
        "--print",
        action="store_true",
        dest="print_summary",
        help="print a one-line summary of the configuration",
    )
    args = parser.parse_args(argv)
    try:
        config = load(args.config, args.libs.split(), args.apps.split(), args.optional_libs.split())
    except ConfigError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    if args.out:
        write_if_changed(os.path.join(args.out, "config.mk"), make_fragment(config))
    if args.print_summary:
        print(summary(config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
