"""Unit tests for scripts/run-tests.py, the test runner: its pure parts,
fed with made-up outputs, so that no QEMU is needed.

Run from the top of the tree: python3 -m unittest discover -s tests/runner -v
"""

import importlib.util
import socket
import subprocess
import threading
import time
import unittest
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("run_tests", ROOT / "scripts" / "run-tests.py")
rt = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(rt)


def ktap(*results, plan=None):
    """A KTAP run's lines: the header, a plan (by default counting the
    results), and the results, each (ok, case)."""
    lines = ["KTAP version 1", "1..%d" % (len(results) if plan is None else plan)]
    return lines + [
        "%sok %d %s" % ("" if ok else "not ", i, case) for i, (ok, case) in enumerate(results, 1)
    ]


def failed(results):
    """The names of the failing results."""
    return [r.name for r in results if not r.ok]


class ParseKtapTest(unittest.TestCase):
    EXPECTED = ["s.a", "s.b"]

    def parse(self, lines, status=0, expected=None):
        return rt.parse_ktap(
            "qemu.k.", lines, status, "s", self.EXPECTED if expected is None else expected
        )

    def test_all_reported_passes(self):
        results = self.parse(ktap((True, "s.a"), (True, "s.b")))
        self.assertEqual(
            [(r.name, r.ok) for r in results], [("qemu.k.s.a", True), ("qemu.k.s.b", True)]
        )

    def test_a_failed_case_fails_and_needs_exit_1(self):
        lines = ktap((True, "s.a"), (False, "s.b"))
        self.assertEqual(failed(self.parse(lines, status=1)), ["qemu.k.s.b"])
        self.assertEqual(failed(self.parse(lines, status=0)), ["qemu.k.s.b", "qemu.k.s.ktap"])

    def test_duplicated_result_fails(self):
        lines = ktap((True, "s.a"), (True, "s.b")) + ["ok 2 s.b"]
        bad = failed(self.parse(lines))
        self.assertIn("qemu.k.s.b", bad)
        self.assertIn("qemu.k.s.ktap", bad)  # beyond the plan, numbered 2 again

    def test_duplicated_name_under_a_new_number_fails(self):
        lines = ktap((True, "s.a"), (True, "s.a"))
        self.assertEqual(failed(self.parse(lines, status=1)), ["qemu.k.s.a", "qemu.k.s.b"])

    def test_extra_result_fails(self):
        lines = ktap((True, "s.a"), (True, "s.b"), (True, "s.c"))
        bad = failed(self.parse(lines))
        self.assertIn("qemu.k.s.c", bad)
        self.assertIn("not in tests/inventory.txt", self.detail(lines, "qemu.k.s.c"))

    def test_missing_result_fails_by_name(self):
        lines = ktap((True, "s.a"), plan=1)
        self.assertEqual(failed(self.parse(lines)), ["qemu.k.s.b", "qemu.k.s.ktap"])

    def test_stopped_early_fails(self):
        lines = ktap((True, "s.a"), plan=2)
        self.assertEqual(failed(self.parse(lines, status=3)), ["qemu.k.s.b", "qemu.k.s.ktap"])

    def test_result_beyond_the_plan_fails(self):
        lines = ["1..1", "ok 1 s.a", "ok 2 s.b"]
        self.assertEqual(failed(self.parse(lines)), ["qemu.k.s.ktap"])

    def test_plan_given_twice_fails(self):
        lines = ktap((True, "s.a"), (True, "s.b")) + ["1..2"]
        self.assertEqual(failed(self.parse(lines)), ["qemu.k.s.ktap"])

    def test_results_out_of_order_fail(self):
        lines = ["1..2", "ok 2 s.b", "ok 1 s.a"]
        self.assertEqual(failed(self.parse(lines)), ["qemu.k.s.ktap"])

    def test_result_before_the_plan_fails(self):
        lines = ["ok 1 s.a", "1..2", "ok 2 s.b"]
        self.assertEqual(failed(self.parse(lines)), ["qemu.k.s.ktap"])

    def test_malformed_result_fails(self):
        lines = ktap((True, "s.a"), (True, "s.b")) + ["ok 3 s.c trailing words"]
        self.assertEqual(failed(self.parse(lines)), ["qemu.k.s.ktap"])

    def test_no_plan_fails_every_case(self):
        self.assertEqual(
            failed(self.parse(["Bulkhead booting"], status=124)),
            ["qemu.k.s.a", "qemu.k.s.b", "qemu.k.s.ktap"],
        )

    def test_plan_counting_other_than_the_inventory_fails(self):
        lines = ktap((True, "s.a"), (True, "s.b"))
        self.assertEqual(
            failed(self.parse(lines, expected=["s.a", "s.b", "s.c"])),
            ["qemu.k.s.c", "qemu.k.s.ktap"],
        )

    def test_indented_lines_are_not_results(self):
        lines = ktap((True, "s.a"), (True, "s.b")) + ["    ok 3 s.c", "  1..9"]
        self.assertEqual(failed(self.parse(lines)), [])

    def detail(self, lines, name):
        return next(r.detail for r in self.parse(lines) if r.name == name)


LISTING = [
    "Bulkhead 0.1.0 (config k, backend mpk, app gatetest)",
    "# test gates.one",
    "# test gates.two",
    "# alone mpk_attack.read",
    "# alone mpk_attack.write",
    "# listed 4 cases",
    "Bulkhead: exit status 0",
]
PINNED = {
    "gates.one": "test",
    "gates.two": "test",
    "mpk_attack.read": "alone",
    "mpk_attack.write": "alone",
}


class ListingTest(unittest.TestCase):
    def test_listing_matching_the_inventory_passes(self):
        listed, problems = rt.parse_listing(LISTING, 0)
        self.assertEqual(problems, [])
        self.assertEqual(rt.compare_listing(listed, PINNED), [])

    def test_suite_missing_from_the_listing_fails(self):
        lines = [line for line in LISTING if "mpk_attack" not in line]
        lines[lines.index("# listed 4 cases")] = "# listed 2 cases"
        listed, problems = rt.parse_listing(lines, 0)
        self.assertEqual(problems, [])
        problems = rt.compare_listing(listed, PINNED)
        self.assertEqual(len(problems), 1)
        self.assertIn("suite mpk_attack is not listed", problems[0])

    def test_case_missing_from_the_listing_fails(self):
        lines = [line for line in LISTING if line != "# test gates.two"]
        lines[lines.index("# listed 4 cases")] = "# listed 3 cases"
        problems = rt.compare_listing(rt.parse_listing(lines, 0)[0], PINNED)
        self.assertEqual(problems, ["case gates.two (test) is not listed"])

    def test_case_listed_but_not_pinned_fails(self):
        pinned = dict(PINNED)
        del pinned["gates.two"]
        problems = rt.compare_listing(rt.parse_listing(LISTING, 0)[0], pinned)
        self.assertEqual(len(problems), 1)
        self.assertIn("run make inventory after adding a test", problems[0])

    def test_case_listed_with_another_kind_fails(self):
        pinned = dict(PINNED, **{"gates.two": "alone"})
        problems = rt.compare_listing(rt.parse_listing(LISTING, 0)[0], pinned)
        self.assertEqual(problems, ["case gates.two is listed as `test`, but pinned as `alone`"])

    def test_listing_with_non_zero_exit_fails(self):
        problems = rt.parse_listing(LISTING, 1)[1]
        self.assertEqual(problems, ["the listing exited with status 1, not 0"])

    def test_listing_cut_short_fails(self):
        problems = rt.parse_listing(LISTING[:3], 0)[1]
        self.assertEqual(len(problems), 1)
        self.assertIn("did not finish", problems[0])

    def test_listing_counting_wrong_fails(self):
        lines = [line for line in LISTING if line != "# test gates.two"]
        problems = rt.parse_listing(lines, 0)[1]
        self.assertEqual(problems, ["the end line counts 4 cases, 3 are listed"])

    def test_listing_twice_a_case_fails(self):
        lines = LISTING[:2] + LISTING[1:]
        lines[lines.index("# listed 4 cases")] = "# listed 5 cases"
        self.assertEqual(rt.parse_listing(lines, 0)[1], ["gates.one is listed twice"])

    def test_malformed_listing_line_fails(self):
        lines = LISTING[:1] + ["# test gates one"] + LISTING[1:]
        self.assertIn("a malformed line: '# test gates one'", rt.parse_listing(lines, 0)[1])

    def test_listing_that_runs_cases_fails(self):
        lines = LISTING + ["1..1", "ok 1 gates.one"]
        self.assertEqual(len(rt.parse_listing(lines, 0)[1]), 2)


# A TEST_ALONE case's boot: it announces, then faults.
ALONE = [
    "Bulkhead 0.1.0 (config ktest, backend fcall, app ktest)",
    "KTAP version 1",
    "1..1",
    "# expect-exit: 2",
    "# expect: FAULT: #DE divide error",
    "# expect: rip 0x1234 <ktest_fn_fault_divide_error+0x10>",
    'FAULT: #DE divide error (vector 0) in thread "main"',
    "  rip 0x1234 <ktest_fn_fault_divide_error+0x10>",
    "Bulkhead: exit status 2",
]


def one_vm(lines):
    return [None] * len(lines)


class AloneTest(unittest.TestCase):
    def check(self, lines, status=2, vms=None):
        return rt.check_alone(
            "qemu.ktest.fault.divide_error", status, lines, one_vm(lines) if vms is None else vms
        )

    def test_announced_text_after_the_announcements_passes(self):
        self.assertTrue(self.check(ALONE).ok)

    def test_missing_expected_text_fails(self):
        lines = [line for line in ALONE if not line.startswith("  rip")]
        result = self.check(lines)
        self.assertFalse(result.ok)
        self.assertIn("missing from the output", result.detail)
        self.assertIn("<ktest_fn_fault_divide_error+0x10>", result.detail)

    def test_expected_text_only_before_the_announcements_fails(self):
        # The report printed first (say, by an earlier case), then the announcements.
        lines = ALONE[:3] + ALONE[6:8] + ALONE[3:6] + ALONE[8:]
        self.assertFalse(self.check(lines).ok)

    def test_wrong_exit_status_fails(self):
        self.assertFalse(self.check(ALONE, status=0).ok)

    def test_no_announced_exit_status_fails(self):
        lines = [line for line in ALONE if not line.startswith("# expect-exit")]
        self.assertFalse(self.check(lines).ok)

    def test_another_vm_may_print_the_text_before_the_announcements(self):
        # ept: the victim's VM reports the rejected call; its line may come
        # through the launcher before the caller's announcements.
        lines = [
            "ept: malformed call rejected (in compartment victim)",
            "# expect-exit: 2",
            "# expect: ept: malformed call rejected (in compartment victim)",
            "# expect: PANIC: the callee rejected a call",
            "PANIC: the callee rejected a call",
        ]
        vms = ["victim", "core", "core", "core", "core"]
        self.assertTrue(self.check(lines, vms=vms).ok)
        # The same line from the announcing VM, before it announced, does not count.
        self.assertFalse(self.check(lines, vms=["core"] * 5).ok)

    def test_run_alone_with_missing_expected_text_fails(self):
        lines = [line for line in ALONE if not line.startswith("FAULT")]
        with mock.patch.object(rt, "boot_vms", return_value=(2, lines, one_vm(lines))) as boot:
            results = rt.run_alone("build/ktest/bulkhead.elf", "qemu.ktest.", "fault.divide_error")
        boot.assert_called_once_with(
            "build/ktest/bulkhead.elf", "test=fault.divide_error", "", net=""
        )
        self.assertEqual(failed(results), ["qemu.ktest.fault.divide_error"])


def http_reply(body=b"hello from Bulkhead's httpd\n", length=True, connection="keep-alive"):
    """A response as apps/httpd/main.c sends it, with or without Content-Length."""
    return (
        b"HTTP/1.1 200 OK\r\nServer: fake\r\nContent-Type: text/plain\r\n"
        + (b"Content-Length: %d\r\n" % len(body) if length else b"")
        + b"Connection: "
        + connection.encode()
        + b"\r\n\r\n"
        + body
    )


class FakeHttpServer:
    """A server on 127.0.0.1 for one connection: answers each request
    (read up to its empty line) with replies[i], then closes."""

    def __init__(self, *replies):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.replies = replies
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        conn, _ = self.listener.accept()
        with conn:
            data = b""
            for reply in self.replies:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                data = data.split(b"\r\n\r\n", 1)[1]
                conn.sendall(reply)

    def close(self):
        self.thread.join(10)
        self.listener.close()


class HttpTest(unittest.TestCase):
    def keep_alive(self, *replies):
        server = FakeHttpServer(*replies)
        try:
            return rt.keep_alive_problems(server.port)
        finally:
            server.close()

    def test_keep_alive_with_two_good_responses_passes(self):
        self.assertEqual(self.keep_alive(http_reply(), http_reply()), [])

    def test_keep_alive_without_content_length_fails(self):
        problems = self.keep_alive(http_reply(length=False), http_reply(length=False))
        self.assertEqual(len(problems), 1)
        self.assertIn("without a Content-Length", problems[0])

    def test_keep_alive_closed_after_one_response_fails(self):
        problems = self.keep_alive(http_reply())
        self.assertEqual(len(problems), 1)  # closed, or reset: request 2 was unread
        self.assertTrue(problems[0].startswith("after 1 responses read: "), problems)

    def test_keep_alive_saying_close_fails(self):
        problems = self.keep_alive(http_reply(connection="close"), http_reply())
        self.assertEqual(problems, ["response 1 closes the connection"])

    def test_keep_alive_with_bytes_past_content_length_fails(self):
        problems = self.keep_alive(http_reply() + b"junk", http_reply())
        self.assertTrue(problems)

    def test_response_checks(self):
        response = rt.split_response(http_reply(b"abc"))
        self.assertEqual(
            rt.response_problems(response, "HTTP/1.1 200 OK", "text/plain", b"abc"), []
        )
        self.assertEqual(
            len(rt.response_problems(response, "HTTP/1.1 404 Not Found", "text/html", b"abcd")), 4
        )
        head = rt.split_response(http_reply(b"abc")[:-3])
        self.assertEqual(
            rt.response_problems(head, "HTTP/1.1 200 OK", "text/plain", b"", length=3), []
        )
        self.assertEqual(
            rt.response_problems(head, "HTTP/1.1 200 OK", "text/plain", b"", length=4),
            ["Content-Length '3', expected 4"],
        )
        no_length = rt.split_response(http_reply(length=False))
        self.assertEqual(
            rt.response_problems(no_length, "HTTP/1.1 200 OK", "text/plain"), ["no Content-Length"]
        )
        self.assertEqual(
            rt.response_problems(
                rt.split_response(b"HTTP/1.1 200 OK\r\n"), "HTTP/1.1 200 OK", "text/plain"
            ),
            ["no complete response header"],
        )


class OnlyTest(unittest.TestCase):
    """--only: which jobs run, and which of their results count."""

    INV = {"ktest": {"sched.a": "test", "sched.b": "test", "time.c": "test", "fault.d": "alone"}}

    def jobs(self, regex):
        want = rt.re.compile(regex).search
        return [job for job in rt.inventory_jobs("build", self.INV, want) if job.wanted(want)]

    def test_a_whole_suite_boots_once(self):
        with mock.patch.object(rt, "run_suite", return_value=[]) as run_suite:
            for job in self.jobs(r"\.sched\."):
                job.fn()
        run_suite.assert_called_once_with(
            "build/ktest/bulkhead.elf", "qemu.ktest.", "sched", ["sched.a", "sched.b"]
        )

    def test_part_of_a_suite_boots_case_by_case(self):
        with mock.patch.object(rt, "run_suite", return_value=[]) as run_suite:
            for job in self.jobs(r"sched\.b$"):
                job.fn()
        run_suite.assert_called_once_with(
            "build/ktest/bulkhead.elf", "qemu.ktest.", "sched.b", ["sched.b"]
        )

    def test_the_listing_checks_only_the_chosen_cases(self):
        listing = (0, ["# test sched.b", "# test extra.e", "# listed 2 cases"])
        with mock.patch.object(rt, "list_kernel", return_value=listing):
            results = [r for job in self.jobs(r"sched\.b$") if not job.names for r in job.fn()]
        self.assertEqual([(r.name, r.ok) for r in results], [("qemu.ktest.listing", True)])

    def test_a_case_missing_from_the_listing_still_fails(self):
        listing = (0, ["# test sched.a", "# listed 1 cases"])
        with mock.patch.object(rt, "list_kernel", return_value=listing):
            results = [r for job in self.jobs(r"sched\.b$") if not job.names for r in job.fn()]
        self.assertEqual(failed(results), ["qemu.ktest.listing"])

    def test_results_not_chosen_are_dropped_but_run_failures_kept(self):
        job = rt.Job(lambda: [], names=["host.a.x", "host.a.y"])
        results = [
            rt.Result("host.a.x", True),
            rt.Result("host.a.y", False),
            rt.Result("host.all.ktap", False),
        ]
        kept = job.keep(results, rt.re.compile(r"a\.x").search)
        self.assertEqual([r.name for r in kept], ["host.a.x", "host.all.ktap"])


class ProcessTest(unittest.TestCase):
    """Sessions: what a case starts is ended with it (sleep stands in for QEMU)."""

    def test_a_timed_out_command_and_its_children_are_ended(self):
        start = time.monotonic()
        status, out = rt.run(["sh", "-c", "echo started; sleep 60 & sleep 60"], 0.5)
        self.assertEqual((status, out), (None, b"started\n"))
        self.assertLess(time.monotonic() - start, 5)
        self.assertEqual(rt.session_members(rt.STARTED), {})

    def test_a_child_ignoring_sigterm_is_killed(self):
        with mock.patch.object(rt, "GRACE", 0.3):
            status, _ = rt.run(["sh", "-c", "trap '' TERM; sleep 60"], 0.3)
        self.assertIsNone(status)
        self.assertEqual(rt.session_members(rt.STARTED), {})

    def test_a_process_left_behind_fails_the_last_check(self):
        # The leader exits at once; its child lives on, as QEMU did under a killed qemu-run.sh.
        p = rt.spawn(["sh", "-c", "sleep 60 &"], stdout=subprocess.DEVNULL)
        p.wait()
        result = rt.check_no_process_left()[0]
        self.assertFalse(result.ok)
        self.assertIn("sleep 60", result.detail)
        rt.end(p)
        self.assertTrue(rt.check_no_process_left()[0].ok)


class InventoryTest(unittest.TestCase):
    INV = {
        "host": {"heap.alloc": "test"},
        "gates-mpk": {"gates.one": "test", "mpk_attack.read": "alone"},
    }
    SOURCES = {
        "heap.alloc": [("test", "tests/host/test_heap.c:10")],
        "gates.one": [("test", "tests/gatetest/test_gates.c:12")],
        "mpk_attack.read": [("alone", "tests/gatetest/test_attacks.c:56")],
    }

    def check(self, inv=None, sources=None):
        return rt.check_inventory(
            self.INV if inv is None else inv,
            self.SOURCES if sources is None else sources,
            ["gates-mpk"],
        )

    def test_matching_inventory_passes(self):
        self.assertEqual(self.check(), [])

    def test_case_in_the_sources_but_not_in_the_inventory_fails(self):
        sources = dict(self.SOURCES, **{"gates.new": [("test", "tests/gatetest/x.c:99")]})
        problems = self.check(sources=sources)
        self.assertEqual(len(problems), 1)
        self.assertIn("tests/gatetest/x.c:99: gates.new is not in tests/inventory.txt", problems[0])
        self.assertIn("run make inventory after adding a test", problems[0])

    def test_case_in_the_inventory_but_not_in_the_sources_fails(self):
        sources = dict(self.SOURCES)
        del sources["gates.one"]
        problems = self.check(sources=sources)
        self.assertEqual(len(problems), 1)
        self.assertIn("gates-mpk test gates.one: no such TEST()", problems[0])

    def test_kind_differing_from_the_sources_fails(self):
        sources = dict(self.SOURCES, **{"gates.one": [("alone", "tests/gatetest/x.c:1")]})
        self.assertEqual(len(self.check(sources=sources)), 1)

    def test_kernel_without_cases_fails(self):
        inv = {"host": self.INV["host"]}
        sources = {"heap.alloc": self.SOURCES["heap.alloc"]}
        problems = self.check(inv=inv, sources=sources)
        self.assertEqual(len(problems), 1)
        self.assertIn("test kernel gates-mpk has no case", problems[0])

    def test_unknown_kernel_fails(self):
        inv = dict(self.INV, nosuch={"gates.one": "test"})
        self.assertEqual(len(self.check(inv=inv)), 1)

    def test_format_and_parse_agree(self):
        inv, problems = rt.parse_inventory(rt.format_inventory(self.INV))
        self.assertEqual((inv, problems), (self.INV, []))

    def test_malformed_and_repeated_lines_fail(self):
        text = "host test heap.alloc\nhost tset heap.free\nhost test heap.alloc\n"
        problems = rt.parse_inventory(text)[1]
        self.assertEqual(len(problems), 2)
        self.assertTrue(problems[0].startswith("tests/inventory.txt:2: "))
        self.assertTrue(problems[1].startswith("tests/inventory.txt:3: "))

    def test_the_sources_are_scanned_for_both_macros(self):
        cases = rt.source_cases(str(ROOT / "tests"))
        self.assertEqual(cases["mpk_attack.read_victim_data"][0][0], "alone")
        self.assertEqual(cases["gates.zero_to_six_arguments"][0][0], "test")


class PosixTest(unittest.TestCase):
    """The POSIX harness's comparison of the host's output and a guest's."""

    HOST = [
        "posix: begin",
        "== a ==",
        "a says 1",
        "== a: exit 0 ==",
        "== b ==",
        "b says EINVAL",
        "== b: exit 0 ==",
        "posix: end",
    ]

    def compare(self, guest, status=0):
        return rt.compare_posix("c", ["a", "b"], self.HOST, guest, status)

    def test_the_same_output_passes(self):
        guest = ["Bulkhead booting"] + self.HOST + ["Bulkhead: exit status 0"]
        self.assertEqual(failed(self.compare(guest)), [])

    def test_a_different_line_fails_that_program_with_a_diff(self):
        guest = [line.replace("EINVAL", "ENOENT") for line in self.HOST]
        results = self.compare(guest)
        self.assertEqual(failed(results), ["posix.c.b"])
        self.assertIn("-b says EINVAL", results[1].detail)
        self.assertIn("+b says ENOENT", results[1].detail)

    def test_a_guest_that_stops_midway_fails_the_rest(self):
        guest = self.HOST[:4] + ["== b ==", "PANIC: something"]
        self.assertEqual(failed(self.compare(guest, 125)), ["posix.c.b", "posix.c.runs_to_the_end"])

    def test_a_failing_exit_status_fails(self):
        self.assertEqual(failed(self.compare(self.HOST, 1)), ["posix.c.runs_to_the_end"])

    def test_a_program_the_host_did_not_run_fails(self):
        results = rt.compare_posix("c", ["a", "b", "z"], self.HOST, self.HOST, 0)
        self.assertEqual(failed(results), ["posix.c.z"])

    def test_every_program_and_posix_config_is_found(self):
        self.assertIn("pthreads", rt.posix_programs())
        self.assertIn("errno_threads", rt.posix_programs())
        self.assertIn("posix-mpk", rt.posix_configs())
        self.assertNotIn("posix-mpk", rt.test_kernels())


class SqliteTest(unittest.TestCase):
    """The SQLite harness's comparison of the host shell's bytes and the
    guest's console lines."""

    BOOT = [
        "Bulkhead 0.1.0 (config c, backend fcall, app sqlite3)",
        "  memory 255 MiB usable",
        "  compartment all (default): boot kernel sqlite3 libc",
        "vfs: unpacked 3 entries (900 bytes) from the initrd",
    ]
    HOST = b"  a  b\n  -  -\n1,x\r\nParse error near line 2: no such table: t\n"

    def compare(self, app, status=1, host_status=1):
        lines = self.BOOT + app + ["Bulkhead: exit status %d" % status]
        return rt.compare_app("sqlite.c.s", host_status, self.HOST, lines)

    def test_sqlite_the_same_bytes_pass_even_when_indented_like_boot_lines(self):
        app = ["  a  b", "  -  -", "1,x\r", "Parse error near line 2: no such table: t"]
        self.assertTrue(self.compare(app).ok)

    def test_sqlite_a_different_line_fails_with_a_diff(self):
        app = ["  a  b", "  -  -", "1,x\r", "Parse error near line 3: no such table: t"]
        result = self.compare(app)
        self.assertFalse(result.ok)
        self.assertIn("-Parse error near line 2", result.detail)
        self.assertIn("+Parse error near line 3", result.detail)

    def test_sqlite_a_lost_carriage_return_fails(self):
        app = ["  a  b", "  -  -", "1,x", "Parse error near line 2: no such table: t"]
        self.assertFalse(self.compare(app).ok)

    def test_sqlite_a_line_more_fails(self):
        app = ["  a  b", "  -  -", "1,x\r", "Parse error near line 2: no such table: t", "x"]
        self.assertFalse(self.compare(app).ok)
        app = ["stray", "  a  b", "  -  -", "1,x\r", "Parse error near line 2: no such table: t"]
        self.assertFalse(self.compare(app).ok)

    def test_sqlite_another_exit_status_fails(self):
        app = ["  a  b", "  -  -", "1,x\r", "Parse error near line 2: no such table: t"]
        result = self.compare(app, status=0)
        self.assertFalse(result.ok)
        self.assertIn("exit status 0, the host's 1", result.detail)

    def test_sqlite_no_exit_line_fails(self):
        lines = self.BOOT + ["  a  b", "  -  -", "1,x\r"]
        self.assertFalse(rt.compare_app("sqlite.c.s", 1, self.HOST, lines).ok)

    def test_sqlite_every_script_and_speedtest1_config_is_found(self):
        self.assertIn("bigdb", rt.sqlite_scripts())
        self.assertEqual(rt.speedtest_config("sqlite-mpk3"), "speedtest1-mpk3")
        self.assertIn("sqlite.sqlite-ept2.speedtest1_verifies", rt.sqlite_names("sqlite-ept2"))
        self.assertNotIn("speedtest1-mpk3", rt.test_kernels())


if __name__ == "__main__":
    unittest.main()
