/*
 * The ept backend against a VM that misbehaves (suite ept_auth, run only
 * in tests/configs/forge-ept.toml, where the forger library has a VM of
 * its own): writes into another VM's part of the shared region, and
 * mailbox messages no honest VM would write (tests/forger/). Each must
 * be stopped: by QEMU for the writes, by the receiving VM's mailbox code
 * for the messages, which reports them in exact words.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>
#include <bulkhead/x86.h>
#include "ktest.h"
#include "../../gates/ept/ept.h"
#include "../forger/forger.h"
#include "../victim/victim.h"

/* Only ept images link the mailbox code, only forge-ept the forger. */
unsigned ept_id(const struct ept_msg *m) __attribute__((weak));
long forger_block(void) __attribute__((weak));
long forger_peek(long addr) __attribute__((weak));
long forger_reply_for(long id) __attribute__((weak));
long forger_end(long id) __attribute__((weak));
long forger_call_ended(long id) __attribute__((weak));
long forger_stale_reply(long id) __attribute__((weak));
long forger_replay(long id) __attribute__((weak));
long forger_call_victim(const char *fn, long a1, long a2) __attribute__((weak));
long forger_bounce_elsewhere(long id, long *out, long at) __attribute__((weak));
long forger_change_during_call(long ms) __attribute__((weak));

static unsigned index_of(const char *name)
{
	for (unsigned i = 0; i < comp_config.count; i++)
		if (strcmp(comp_config.comps[i].name, name) == 0)
			return i;
	return 0;
}

/* VM c's message on logical thread id, as this VM sees it. */
static const volatile struct ept_msg *msg_of(const char *vm, unsigned id)
{
	const struct ept_part *p =
		(const struct ept_part *)(EPT_SHARED_BASE +
					  (uintptr_t)index_of(vm) *
						  EPT_PART_SIZE);

	return &p->msgs[id];
}

/*
 * The kernel core's functions these cases need, found by name: the gate
 * tests' application is in a compartment of its own in other images,
 * where it may not call them.
 */
static void *core_fn(const char *name)
{
	return (void *)ksyms_lookup_name(name);
}

/* The calling thread's logical thread, given by a first call out. */
static unsigned my_thread(void)
{
	sched_thread_t (*current)(void) = core_fn("sched_current");
	void *(*gate_of)(sched_thread_t) = core_fn("sched_thread_gate");

	victim_args0();
	return ept_id(gate_of(current()));
}

/* An ordinary write into another VM's part faults here: the page tables
 * of every VM map the others' parts read-only. */
TEST_ALONE(ept_auth, write_into_another_vms_part_faults)
{
	volatile long *b = (long *)forger_block();

	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("FAULT: #PF page fault (vector 14) in thread \"main\"");
	ktest_expect("error 0x3: present write supervisor data");
	ktest_expect("cr2 0x%016lx", (unsigned long)b);
	*b = 1;
}

/*
 * An attacker owns its page tables: it maps the forger's block writable
 * and writes. QEMU has the part read-only in this VM, so the write goes
 * nowhere: this VM reads the old value back, and so does the owner.
 */
TEST(ept_auth, qemu_drops_a_write_into_another_vms_part)
{
	int (*protect)(uintptr_t, size_t, unsigned) = core_fn("vm_protect");
	volatile long *b = (long *)forger_block();
	uintptr_t page = (uintptr_t)b & ~(uintptr_t)(PAGE_SIZE - 1);

	KT_ASSERT(b != NULL);
	KT_EXPECT_EQ(*b, FORGER_MARK);
	KT_ASSERT(protect(page, PAGE_SIZE, VM_WRITE) == 0);
	*b = 0xbad;
	long here = *b;

	protect(page, PAGE_SIZE, 0);
	KT_EXPECT_EQ(here, FORGER_MARK);
	KT_EXPECT_EQ(forger_peek((long)b), FORGER_MARK);
}

static volatile unsigned waiter_id;
static volatile int waiter_ready;

/* A thread that waits 300 ms in a call to the victim. */
static void *waiter_main(void *arg)
{
	(void)arg;
	waiter_id = my_thread();
	waiter_ready = 1;
	return (void *)victim_sleep_mul(300, 7);
}

/* Start the waiter and let it get into its call. */
static sched_thread_t start_waiter(void)
{
	sched_thread_t t = sched_create("waiter", waiter_main, NULL, 0);

	while (t && !waiter_ready)
		sched_sleep_ns(1000000);
	sched_sleep_ns(50000000);
	return t;
}

/* The waiter's call ends with the victim's answer, 3 * 7; the victim's
 * own reports get time to show before this VM exits. */
__attribute__((noreturn)) static void finish(sched_thread_t t)
{
	long r = t ? (long)sched_join(t) : -1;

	sched_sleep_ns(100000000);
	exit(r == 21 ? 0 : 1);
}

/* The forger answers the waiter's call to the victim, with the right
 * call number: the waiter reads replies from the victim's part only,
 * and reports this one. */
TEST_ALONE(ept_auth, reply_from_a_vm_not_called_is_rejected)
{
	sched_thread_t t = start_waiter();

	ktest_expect_exit(0);
	ktest_expect("ept: core rejects forger's message in mailbox %u (a "
		     "thread of core): a reply to a call core never made to it "
		     "(in compartment core)",
		     waiter_id);
	forger_reply_for(waiter_id);
	finish(t);
}

/* The forger ends the waiter's thread, which only its home may: both the
 * waiter and the victim's mirror serving it report it and go on. */
TEST_ALONE(ept_auth, end_from_a_vm_not_home_is_rejected)
{
	sched_thread_t t = start_waiter();

	ktest_expect_exit(0);
	ktest_expect("ept: core rejects forger's message in mailbox %u (a "
		     "thread of core): only its home may end a thread (in "
		     "compartment "
		     "core)",
		     waiter_id);
	ktest_expect("ept: victim rejects forger's message in mailbox %u (a "
		     "thread of core): only its home may end a thread (in "
		     "compartment "
		     "victim)",
		     waiter_id);
	forger_end(waiter_id);
	finish(t);
}

static volatile unsigned ended_id;

static void *ended_main(void *arg)
{
	(void)arg;
	ended_id = my_thread();
	return NULL;
}

/* The forger calls into a thread of this VM that has ended: the listener
 * reports it and starts no thread for it. */
TEST_ALONE(ept_auth, call_on_an_ended_thread_is_rejected)
{
	my_thread(); /* this thread keeps its own number */
	sched_thread_t t = sched_create("ended", ended_main, NULL, 0);

	KT_ASSERT(t != 0);
	sched_join(t);
	ktest_expect_exit(0);
	ktest_expect("ept: core rejects forger's message in mailbox %u (a "
		     "thread of core): a call on a thread that has ended "
		     "(in compartment core)",
		     ended_id);
	forger_call_ended(ended_id);
	sched_sleep_ns(100000000);
	exit(0);
}

/* Called, the forger answers the call before this one: the caller stops. */
TEST_ALONE(ept_auth, stale_reply_from_the_callee_stops_the_caller)
{
	unsigned id = my_thread();
	uint32_t call = msg_of("core", id)->seq / 2 + 1;

	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: ept: core rejects forger's message in mailbox %u "
		     "(a thread of core): it answers call %u, but the call "
		     "waiting is %u",
		     id, call - 1, call);
	forger_stale_reply(id);
}

/* Called, the forger answers under a message number it used before. */
TEST_ALONE(ept_auth, replayed_reply_from_the_callee_stops_the_caller)
{
	unsigned id = my_thread();

	forger_block(); /* two messages of the forger's on this thread */
	forger_block();
	uint32_t before = msg_of("forger", id)->seq / 2;

	ktest_expect_exit(EXIT_PANIC);
	ktest_expect(
		"PANIC: ept: core rejects forger's message in mailbox %u "
		"(a thread of core): its message number went back from %u to 1",
		id, before);
	forger_replay(id);
}

/*
 * The callee's checks (gates/ept/copy.c), against calls the forger
 * writes itself, skipping the caller's side of the gate: every buffer
 * must lie in the sender's part. A pointer into the victim's own memory
 * stops the victim with the report, naming the forger as the caller.
 */
static void expect_victim_refuses(const char *call, uintptr_t addr,
				  unsigned long len, const char *why)
{
	/* The victim's VM stops first: the launcher exits 1. */
	ktest_expect_exit(1);
	ktest_expect("PANIC: gate: forger -> victim: %s: argument 1 = "
		     "0x%016lx (%lu bytes): %s (thread \"mirror\")",
		     call, (unsigned long)addr, len, why);
}

#define RANGE "not memory the caller may hand over"

/* The confused deputy without the caller's gate: the victim would store
 * six registers over its own secret. */
TEST_ALONE(ept_auth, forged_call_writing_the_callees_memory_is_refused)
{
	uintptr_t secret = ksyms_lookup_name("victim_bss_secret");

	KT_ASSERT(secret != 0);
	expect_victim_refuses("victim_callee_saved(out[=48])", secret, 48,
			      RANGE);
	forger_call_victim("victim_callee_saved", (long)secret, 0);
}

/* The victim would read its own secret for the forger. */
TEST_ALONE(ept_auth, forged_call_reading_the_callees_memory_is_refused)
{
	uintptr_t secret = ksyms_lookup_name("victim_bss_secret");

	KT_ASSERT(secret != 0);
	expect_victim_refuses("victim_sum(in[2], val)", secret, 8, RANGE);
	forger_call_victim("victim_sum", (long)secret, 8);
}

/* In the forger's own part, but more than a gate copies. */
TEST_ALONE(ept_auth, forged_call_longer_than_a_gate_copies_is_refused)
{
	long block = forger_block();

	KT_ASSERT(block != 0);
	expect_victim_refuses("victim_sum(in[2], val)", (uintptr_t)block,
			      EPT_COPY_MAX + 1, "more than a gate copies");
	forger_call_victim("victim_sum", block, EPT_COPY_MAX + 1);
}

/*
 * Within its own part the forger's call is served; an efault contract
 * turns a pointer outside it (here, into this VM's part, which the
 * victim could read but the forger does not own) into -EFAULT, reported
 * by the victim, whose secret stays as it was.
 */
TEST_ALONE(ept_auth, forged_call_outside_the_senders_part_returns_efault)
{
	long block = forger_block(), mark = FORGER_MARK, want = 0;
	char *mine = mm_shared_alloc(16);
	long before = victim_bss_value();

	KT_ASSERT(block != 0 && mine != NULL);
	for (unsigned i = 0; i < sizeof(mark); i++)
		want += (unsigned char)(mark >> (8 * i));
	ktest_expect_exit(0);
	ktest_expect("gate: forger -> victim: victim_fill(out[2], val): "
		     "argument 1 = 0x%016lx (16 bytes): " RANGE
		     "; returns -EFAULT",
		     (unsigned long)(uintptr_t)mine);
	/* The exit status says whether every result was the one due. */
	int ok = forger_call_victim("victim_sum", block, 8) == want;

	ok &= forger_call_victim("victim_fill", block, 8) == 8;
	ok &= forger_call_victim("victim_fill", (long)mine, 16) == -14;
	ok &= victim_bss_value() == before;
	sched_sleep_ns(100000000);
	exit(ok ? 0 : 1);
}

/*
 * A callee says where its bytes for an out-buffer are; the caller copies
 * from there only if that lies in the callee's own part (and only the
 * length it computed itself). Here the forger points at this VM's part.
 */
TEST_ALONE(ept_auth, reply_with_bytes_outside_the_callees_part_stops_the_caller)
{
	unsigned id = my_thread();
	long out = 0;
	uintptr_t here =
		EPT_SHARED_BASE + (uintptr_t)index_of("core") * EPT_PART_SIZE;

	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: ept: forger's reply puts argument 2's bytes "
		     "(0x%lx) outside its part of the shared region (thread "
		     "\"main\")",
		     (unsigned long)here);
	forger_bounce_elsewhere(id, &out, (long)here);
}

/* The victim runs its export on a copy of the forger's in-buffer in its
 * own part: the forger's change while the export waits is not seen
 * (sixteen 1s, not 2s). */
TEST(ept_auth, callee_reads_a_snapshot_of_an_in_buffer)
{
	KT_EXPECT_EQ(forger_change_during_call(2000), 16);
}
