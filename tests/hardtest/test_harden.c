/*
 * The hardening options, per compartment (docs/design.md, "Hardening"):
 * each planted bug of tests/hbugs/ stops the machine with its exact
 * report, naming the library's compartment, when that compartment has
 * the option; when it does not (tests/configs/harden-off.toml, where the
 * application's compartment has them all instead) the same bug goes
 * unreported and the case says so and ends the machine with status 0.
 */
#include <stdint.h>
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/x86.h>
#include "ktest.h"
#include "../hbugs/hbugs.h"

/* The compartment holding the bugs. */
static const struct comp_desc *bugs(void)
{
	for (unsigned i = 0; i < comp_config.count; i++) {
		const char *l = comp_config.comps[i].libraries;

		if (strncmp(l, "hbugs ", 6) == 0 || strstr(l, " hbugs "))
			return &comp_config.comps[i];
	}
	return NULL;
}

/* The MPK suite needs keys; the rest runs everywhere. */
int ktest_suite_enabled(const char *suite)
{
	if (strcmp(suite, "harden_mpk") == 0)
		return comp_has(COMP_KEYS) && (bugs()->harden & HARDEN_KASAN);
	return 1;
}

/* Run bug `bug`: when the bugs' compartment has `option`, the machine
 * stops (the caller announced the report); else the bug returns and the
 * case ends the machine, saying so. */
static void run(enum hbug bug, unsigned option, const char *name)
{
	const struct comp_desc *c = bugs();

	if (!(c->harden & option)) {
		ktest_expect_exit(0);
		ktest_expect("hardtest: %s went unreported in compartment %s",
			     name, c->name);
	}
	hbugs_run(bug);
	printk(LOG_INFO, "hardtest: %s went unreported in compartment %s\n",
	       name, c->name);
	kernel_exit(0);
}

/* Announce a panic when the bugs' compartment has `option`: under ept
 * it stops the bugs' VM, and the launcher exits 1 (scripts/ept-launch.py:
 * a VM other than the application's stopped first). */
static int on(unsigned option)
{
	if (!(bugs()->harden & option))
		return 0;
	ktest_expect_exit(comp_has(COMP_VMS) ? 1 : EXIT_PANIC);
	return 1;
}

TEST_ALONE(harden, stack_smash_is_reported)
{
	/* ept: the call runs in the bugs' VM, on its serving thread. */
	if (on(HARDEN_STACK_PROTECTOR))
		ktest_expect("PANIC: stack-protector: stack smashed in "
			     "hbugs_stack_smash, compartment %s (thread "
			     "\"%s\")",
			     bugs()->name,
			     comp_has(COMP_VMS) ? "mirror" : "main");
	run(HBUG_STACK_SMASH, HARDEN_STACK_PROTECTOR, "a stack smash");
}

TEST_ALONE(harden, signed_overflow_is_reported)
{
	if (on(HARDEN_UBSAN))
		ktest_expect(
			"PANIC: UBSan: signed integer overflow: 2147483647 "
			"+ 1 cannot be represented in type 'int' at "
			"tests/hbugs/hbugs.c:36:11, compartment %s",
			bugs()->name);
	run(HBUG_SIGNED_OVERFLOW, HARDEN_UBSAN, "a signed overflow");
}

TEST_ALONE(harden, out_of_bounds_shift_is_reported)
{
	if (on(HARDEN_UBSAN))
		ktest_expect("PANIC: UBSan: shift exponent 40 is too large for "
			     "32-bit type 'int' at tests/hbugs/hbugs.c:43:11, "
			     "compartment %s",
			     bugs()->name);
	run(HBUG_SHIFT, HARDEN_UBSAN, "an out-of-bounds shift");
}

TEST_ALONE(harden, misaligned_access_is_reported)
{
	long where = hbugs_prepare(HBUG_MISALIGNED);

	if (on(HARDEN_UBSAN))
		ktest_expect("PANIC: UBSan: load of misaligned address 0x%lx "
			     "for type 'int', which requires 4 byte alignment "
			     "at tests/hbugs/hbugs.c:50:9, compartment %s",
			     where, bugs()->name);
	run(HBUG_MISALIGNED, HARDEN_UBSAN, "a misaligned access");
}

TEST_ALONE(harden, heap_overflow_is_reported)
{
	long block = hbugs_prepare(HBUG_HEAP_OVERFLOW);

	if (on(HARDEN_KASAN)) {
		ktest_expect("KASan: 0x%lx is 0 bytes past the end of the "
			     "20-byte block at 0x%lx, allocated by "
			     "hbugs_prepare in compartment %s",
			     block + 20, block, bugs()->name);
		ktest_expect(
			"PANIC: KASan: heap-buffer-overflow: write of size "
			"1 at 0x%lx in hbugs_heap_overflow, compartment %s",
			block + 20, bugs()->name);
	}
	run(HBUG_HEAP_OVERFLOW, HARDEN_KASAN, "a heap overflow");
}

TEST_ALONE(harden, use_after_free_is_reported)
{
	long block = hbugs_prepare(HBUG_USE_AFTER_FREE);

	if (on(HARDEN_KASAN)) {
		ktest_expect("KASan: 0x%lx is 0 bytes inside the 16-byte block "
			     "at 0x%lx, allocated by hbugs_prepare in "
			     "compartment %s",
			     block, block, bugs()->name);
		ktest_expect("KASan: the block was freed by hbugs_prepare");
		ktest_expect("PANIC: KASan: use-after-free: read of size 1 at "
			     "0x%lx in hbugs_use_after_free, compartment %s",
			     block, bugs()->name);
	}
	run(HBUG_USE_AFTER_FREE, HARDEN_KASAN, "a use after free");
}

TEST_ALONE(harden, global_overflow_is_reported)
{
	long global = hbugs_prepare(HBUG_GLOBAL_OVERFLOW);

	if (on(HARDEN_KASAN)) {
		ktest_expect("KASan: 0x%lx is 0 bytes past the end of global "
			     "'global_buf' (12 bytes, tests/hbugs/hbugs.c) in "
			     "compartment %s",
			     global + 12, bugs()->name);
		ktest_expect("PANIC: KASan: global-buffer-overflow: read of "
			     "size 1 at 0x%lx in hbugs_global_overflow, "
			     "compartment %s",
			     global + 12, bugs()->name);
	}
	run(HBUG_GLOBAL_OVERFLOW, HARDEN_KASAN, "a global overflow");
}

TEST_ALONE(harden, local_array_overflow_is_reported)
{
	if (on(HARDEN_KASAN)) {
		ktest_expect("is in the frame of hbugs_local_overflow, past "
			     "variable 'buf', in compartment %s",
			     bugs()->name);
		ktest_expect(
			"PANIC: KASan: stack-buffer-overflow: read of size "
			"1 at 0x");
		ktest_expect(" in hbugs_local_overflow, compartment %s",
			     bugs()->name);
	}
	run(HBUG_LOCAL_OVERFLOW, HARDEN_KASAN, "a local array overflow");
}

/* newlib's memcpy is assembly: the KASan compartment's own checks it. */
TEST_ALONE(harden, heap_overflow_by_memcpy_is_reported)
{
	long block = hbugs_prepare(HBUG_MEMCPY_OVERFLOW);

	if (on(HARDEN_KASAN))
		ktest_expect(
			"PANIC: KASan: heap-buffer-overflow: write of size "
			"21 at 0x%lx in hbugs_memcpy_overflow, compartment "
			"%s",
			block, bugs()->name);
	run(HBUG_MEMCPY_OVERFLOW, HARDEN_KASAN, "a heap overflow by memcpy");
}

/* Booted with ubsan=warn (scripts/run-tests.py, SUITE_ARGS): each site
 * reports once and the program goes on; the count says how many. */
TEST(ubsan_warn, reports_count_and_the_program_goes_on)
{
	hbugs_run(HBUG_SIGNED_OVERFLOW);
	hbugs_run(HBUG_SIGNED_OVERFLOW);
	hbugs_run(HBUG_SHIFT);
	KT_EXPECT_EQ(hbugs_ubsan_reports(),
		     (bugs()->harden & HARDEN_UBSAN) ? 2 : 0);
}

/* Each stack-protector compartment's canary was seeded at boot, its low
 * byte zero (read where its data is readable: without keys or VMs). */
TEST(harden, canaries_are_seeded_at_boot)
{
	if (comp_has(COMP_KEYS) || comp_has(COMP_VMS))
		return;
	for (unsigned i = 0; i < comp_config.count; i++) {
		const struct comp_desc *c = &comp_config.comps[i];

		KT_EXPECT_EQ(c->stack_guard != NULL,
			     (c->harden & HARDEN_STACK_PROTECTOR) != 0);
		if (!c->stack_guard)
			continue;
		KT_ASSERT(*c->stack_guard != 0x00deadbeefbead00UL);
		KT_EXPECT_EQ(*c->stack_guard & 0xff, 0);
	}
}

/* KASan's quarantine: a freed block is not the next one handed out. */
TEST(harden, freed_block_waits_in_quarantine)
{
	KT_EXPECT_EQ(hbugs_reuse(), !(bugs()->harden & HARDEN_KASAN));
}

/* Under MPK the shadow describing the bugs' heap carries their key: the
 * application may not write it (and so cannot hide an overflow). */
TEST_ALONE(harden_mpk, shadow_of_another_compartments_heap_is_refused)
{
	long block = hbugs_prepare(HBUG_HEAP_OVERFLOW);
	volatile int8_t *shadow =
		(int8_t *)(((uintptr_t)block >> 3) + KASAN_SHADOW_BASE);

	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("wrote memory of compartment %s (key %d), running code "
		     "of app",
		     bugs()->name, bugs()->pkey);
	*shadow = 0;
}
