/*
 * Argument contracts at the gates (the API files' NAME(ARG, ...)): the
 * application hands the callee pointers and lengths that break them, as
 * a confused deputy's caller would. Each call must be refused before the
 * callee runs, with the report that names caller, callee, function,
 * contract, argument, address, length and reason. mpk only ("mpk_*"
 * suites, tests/gatetest/test_attacks.c): fcall checks nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>
#include <bulkhead/x86.h>
#include "ktest.h"
#include "../victim/victim.h"

#define RANGE "not memory the caller may hand over"

static void expect_refused(const char *callee, const char *call, unsigned arg,
			   uintptr_t addr, unsigned long len, const char *why)
{
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: gate: app -> %s: %s: argument %u = 0x%016lx (%lu "
		     "bytes): %s (thread \"main\")",
		     callee, call, arg, (unsigned long)addr, len, why);
}

/* The confused deputy: the victim would store six registers over its own
 * secret, which the application cannot write itself. */
TEST_ALONE(mpk_contract, callee_private_memory_as_output)
{
	uintptr_t secret = ksyms_lookup_name("victim_bss_secret");

	KT_ASSERT(secret != 0);
	expect_refused("victim", "victim_callee_saved(out[=48])", 1, secret, 48,
		       RANGE);
	victim_callee_saved((long *)secret);
}

/* The kernel core would print its own memory for the application. */
TEST_ALONE(mpk_contract, core_private_memory_as_input)
{
	uintptr_t core = ksyms_lookup_name("mm_phys");

	KT_ASSERT(core != 0);
	expect_refused("core", "console_write(in[2], val)", 1, core, 16, RANGE);
	console_write((const char *)core, 16);
}

/* Shared memory, but a length that runs past the end of the address
 * space. */
TEST_ALONE(mpk_contract, length_that_wraps)
{
	char *block = mm_shared_alloc(64);

	KT_ASSERT(block != NULL);
	expect_refused("core", "console_write(in[2], val)", 1, (uintptr_t)block,
		       (unsigned long)-16L, "the range wraps around");
	console_write(block, (size_t)-16L);
}

/* A string whose NUL is not within its maximum (printk_text's 512). */
TEST_ALONE(mpk_contract, string_without_its_nul)
{
	char *block = mm_shared_alloc(1024);

	KT_ASSERT(block != NULL);
	memset(block, 'x', 1024);
	expect_refused("core", "printk_text(val, str[512])", 2,
		       (uintptr_t)block, 512,
		       "no NUL within the string's maximum");
	printk_text(LOG_INFO, block);
}

/* A null pointer where the contract wants memory. */
TEST_ALONE(mpk_contract, null_where_memory_is_due)
{
	expect_refused("victim", "victim_callee_saved(out[=48])", 1, 0, 48,
		       "a null pointer");
	victim_callee_saved(NULL);
}

/* A thread started at a function nobody declares a callback: the
 * victim's private setter. */
TEST_ALONE(mpk_contract, thread_entry_that_is_no_callback)
{
	uintptr_t fn = ksyms_lookup_name("victim_private_set");
	char *name = mm_shared_alloc(8);

	KT_ASSERT(fn != 0 && name != NULL);
	strcpy(name, "rogue");
	expect_refused("core", "sched_create(str[32]?, fn, addr, val)", 2, fn,
		       0, "not a declared callback");
	sched_create(name, (sched_entry_fn)fn, NULL, 0);
}

/* Within its contract the same calls go through. */
TEST(mpk_contract, shared_memory_is_accepted)
{
	long *regs = mm_shared_alloc(6 * sizeof(long));
	char *text = mm_shared_alloc(16);

	KT_ASSERT(regs != NULL && text != NULL);
	victim_callee_saved(regs);
	strcpy(text, "");
	printk_text(LOG_INFO, text);
	console_write(text, 0);
	console_write(NULL, 0);
	mm_shared_free(regs);
	mm_shared_free(text);
}

/* A contract that says efault: the call returns -EFAULT, after the
 * report, and the callee never ran. */
TEST(mpk_contract, efault_contract_returns_an_error)
{
	char *block = mm_shared_alloc(16), *log = mm_shared_alloc(1024);
	uintptr_t secret = ksyms_lookup_name("victim_bss_secret");
	long before = victim_bss_value();
	char want[160];

	KT_ASSERT(block != NULL && log != NULL && secret != 0);
	KT_EXPECT_EQ(victim_fill(block, 16), 16);
	KT_EXPECT_EQ(block[15], 0x5a);
	KT_EXPECT_EQ(victim_fill((char *)secret, 8), -14);
	KT_EXPECT_EQ(victim_bss_value(), before);
	snprintf(want, sizeof(want),
		 "gate: app -> victim: victim_fill(out[2], val): argument 1 = "
		 "0x%016lx (8 bytes): not memory the caller may hand over; "
		 "returns -EFAULT\n",
		 (unsigned long)secret);
	log[printk_log_tail(log, 1023)] = 0;
	KT_ASSERT(strstr(log, want) != NULL);
	mm_shared_free(block);
	mm_shared_free(log);
}

/* Shared, but read-only (the application's constants): the callee may
 * not be made to write it. */
TEST_ALONE(mpk_contract, read_only_memory_as_output)
{
	static const long constants[6] = {1, 2, 3, 4, 5, 6};

	expect_refused("victim", "victim_callee_saved(out[=48])", 1,
		       (uintptr_t)constants, 48, RANGE);
	victim_callee_saved((long *)constants);
}

/* The page tables carry a key every domain reads (the checks walk them)
 * and only the kernel core's writes. */
TEST_ALONE(mpk_contract, page_tables_are_read_only)
{
	volatile uint64_t *root = (volatile uint64_t *)vm_root();
	uint64_t first = root[0];

	KT_ASSERT(first & PTE_P);
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("FAULT: #PF page fault (vector 14) in thread \"main\"");
	ktest_expect("error 0x23: present write supervisor data "
		     "protection-key");
	ktest_expect("cr2 0x%016lx", (unsigned long)root);
	ktest_expect("protection key: compartment app (PKRU 0x%08x) wrote "
		     "memory of the page tables (key %d), running code of app",
		     ktest_comp("app")->pkru, TABLE_PKEY);
	root[0] = first;
}

/* printk from another compartment formats in the caller's domain: a
 * "%s" of the victim's secret faults there, in the application's domain,
 * instead of having the core print it. */
TEST_ALONE(mpk_contract, printk_formats_in_the_callers_domain)
{
	uintptr_t secret = ksyms_lookup_name("victim_bss_secret");

	KT_ASSERT(secret != 0);
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("FAULT: #PF page fault (vector 14) in thread \"main\"");
	ktest_expect("cr2 0x%016lx <victim_bss_secret+0x0>",
		     (unsigned long)secret);
	ktest_expect("protection key: compartment app (PKRU 0x%08x) read "
		     "memory of compartment victim (key %d), running code of "
		     "app",
		     ktest_comp("app")->pkru, ktest_comp("victim")->pkey);
	printk(LOG_INFO, "%s\n", (const char *)secret);
}

/* A failed exit prints the note a compartment left (the fuzzer's current
 * call), naming the compartment. */
TEST_ALONE(mpk_contract, exit_prints_the_note)
{
	char *text = mm_shared_alloc(KERNEL_NOTE_MAX);

	KT_ASSERT(text != NULL);
	strcpy(text, "call 7: the note");
	kernel_note(text);
	ktest_expect_exit(3);
	ktest_expect("note from compartment app: call 7: the note");
	kernel_exit(3);
}

/* The note must be shared memory: the core reads it when the machine
 * stops. */
TEST_ALONE(mpk_contract, private_note_is_refused)
{
	static char mine[KERNEL_NOTE_MAX] = "private";

	expect_refused("core", "kernel_note(str[160]?, caller)", 1,
		       (uintptr_t)mine, KERNEL_NOTE_MAX, RANGE);
	kernel_note(mine);
}

/* mm_range_shared, the query behind the core's exit note and anyone who
 * asks: shared pages only, writable ones for a write, no wrapping. */
TEST(mpk_contract, range_shared_answers_by_key_and_wrap)
{
	static const char constant[16] = "constant";
	static char mine[16];
	char *block = mm_shared_alloc(32);
	uintptr_t secret = ksyms_lookup_name("victim_bss_secret");

	KT_ASSERT(block != NULL && secret != 0);
	KT_EXPECT_EQ(mm_range_shared(block, 32, 1), 1);
	KT_EXPECT_EQ(mm_range_shared(constant, 16, 0), 1);
	KT_EXPECT_EQ(mm_range_shared(constant, 16, 1), 0);
	KT_EXPECT_EQ(mm_range_shared(mine, 16, 0), 0);
	KT_EXPECT_EQ(mm_range_shared((void *)secret, 8, 0), 0);
	KT_EXPECT_EQ(mm_range_shared(block, (size_t)-16, 0), 0);
	mm_shared_free(block);
}

/* Under ept the kernel runs in the caller's own VM: a note in the VM's
 * private memory is read too. */
TEST_ALONE(ept_note, exit_prints_a_note_in_private_memory)
{
	static char text[KERNEL_NOTE_MAX] = "call 9: in this VM";

	kernel_note(text);
	ktest_expect_exit(3);
	ktest_expect("note from compartment core: call 9: in this VM");
	kernel_exit(3);
}
