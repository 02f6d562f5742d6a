/*
 * Argument contracts across VMs (suite ept_contract, tests/configs/
 * gates-ept.toml): each VM writes only its own part of the shared region,
 * so the ept gate copies buffers (gates/ept/copy.c). A pointer argument
 * names memory of the caller's own VM: its stack, its heap, its part of
 * the shared region, or (for in) another VM's part it can read. The
 * caller's gate refuses anything else, with the report that names caller,
 * callee, function, contract, argument, address, length and reason; the
 * callee's check of what a VM sends without its gate is in test_ept.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include "ktest.h"
#include "../../gates/ept/ept.h"
#include "../victim/victim.h"

#define RANGE "not memory the caller may hand over"

/* The victim's .bss secret: in this VM, an address nothing is mapped at. */
static uintptr_t secret(void)
{
	return ksyms_lookup_name("victim_bss_secret");
}

static void expect_refused(const char *call, uintptr_t addr, unsigned long len)
{
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: gate: core -> victim: %s: argument 1 = 0x%016lx "
		     "(%lu bytes): %s (thread \"main\")",
		     call, (unsigned long)addr, len, RANGE);
}

/* Whether this VM's log ends with the efault report of victim_fill's
 * argument 1 at addr, len bytes, for `why`. */
static int efault_reported(uintptr_t addr, unsigned long len, const char *why)
{
	static char log[1024];
	char want[200];

	snprintf(want, sizeof(want),
		 "gate: core -> victim: victim_fill(out[2], val): argument 1 "
		 "= 0x%016lx (%lu bytes): %s; returns -EFAULT\n",
		 (unsigned long)addr, len, why);
	log[printk_log_tail(log, sizeof(log) - 1)] = 0;
	return strstr(log, want) != NULL;
}

/*
 * The confused deputy: the victim would store six registers over its own
 * secret. The address names no memory of the caller's VM (the victim's
 * data is not mapped here), so the caller's gate refuses it before
 * anything crosses; the victim never writes anything but its own bounce
 * buffer in any case (test_ept.c, a forger that skips this check).
 */
TEST_ALONE(ept_contract, callee_private_memory_as_output)
{
	KT_ASSERT(secret() != 0);
	expect_refused("victim_callee_saved(out[=48])", secret(), 48);
	victim_callee_saved((long *)secret());
}

/* The victim would read its own secret for the caller. */
TEST_ALONE(ept_contract, callee_private_memory_as_input)
{
	KT_ASSERT(secret() != 0);
	expect_refused("victim_sum(in[2], val)", secret(), 8);
	victim_sum((const unsigned char *)secret(), 8);
}

/* In-buffers from the caller's stack, its part of the shared region and
 * the victim's part (which this VM may read) all reach the victim. */
TEST(ept_contract, input_buffers_are_copied_across)
{
	unsigned char stack[100];
	unsigned char *own = mm_shared_alloc(100);
	const unsigned char *theirs = victim_shared_block();
	long want = 0;

	KT_ASSERT(own != NULL && theirs != NULL);
	for (int i = 0; i < 100; i++) {
		stack[i] = own[i] = (unsigned char)(i + 1);
		want += i + 1;
	}
	KT_EXPECT_EQ(victim_sum(stack, 100), 5050);
	KT_EXPECT_EQ(victim_sum(own, 100), 5050);
	want = 0;
	for (int i = 0; i < 64; i++)
		want += theirs[i];
	KT_EXPECT_EQ(victim_sum(theirs, 64), want);
	KT_EXPECT_EQ(victim_sum(NULL, 0), 0);
	mm_shared_free(own);
}

/* Out-buffers come back, to the caller's stack or its part: the length
 * the contract gives, no more (the caller computes it). */
TEST(ept_contract, output_buffers_are_copied_back)
{
	char stack[32];
	char *own = mm_shared_alloc(32);
	long regs[6] = {0};

	KT_ASSERT(own != NULL);
	memset(stack, 0x11, sizeof(stack));
	memset(own, 0x11, 32);
	KT_EXPECT_EQ(victim_fill(stack, 16), 16);
	KT_EXPECT_EQ(victim_fill(own, 16), 16);
	for (int i = 0; i < 32; i++) {
		KT_EXPECT_EQ(stack[i], i < 16 ? 0x5a : 0x11);
		KT_EXPECT_EQ(own[i], i < 16 ? 0x5a : 0x11);
	}
	victim_callee_saved(regs);
	mm_shared_free(own);
}

/* An inout buffer reaches the victim with its bytes and comes back
 * changed, from the caller's stack or its part. */
TEST(ept_contract, inout_buffers_go_both_ways)
{
	long stack = 5;
	long *own = mm_shared_alloc(sizeof(long));

	KT_ASSERT(own != NULL);
	*own = 40;
	KT_EXPECT_EQ(victim_add(&stack, 3), 8);
	KT_EXPECT_EQ(stack, 8);
	KT_EXPECT_EQ(victim_add(own, 2), 42);
	KT_EXPECT_EQ(*own, 42);
	mm_shared_free(own);
}

/* The largest buffer a gate copies comes back whole. */
TEST(ept_contract, largest_buffer_is_copied_whole)
{
	char *big = malloc(EPT_COPY_MAX);
	long bad = 0;

	KT_ASSERT(big != NULL);
	memset(big, 0, EPT_COPY_MAX);
	KT_EXPECT_EQ(victim_fill(big, EPT_COPY_MAX), EPT_COPY_MAX);
	for (long i = 0; i < EPT_COPY_MAX; i++)
		bad += big[i] != 0x5a;
	KT_EXPECT_EQ(bad, 0);
	free(big);
}

/*
 * victim_fill's contract says efault: a refused buffer makes the call
 * return -EFAULT after the report, the victim untouched. Refused: the
 * victim's data (not mapped here), the victim's part (read-only here),
 * NULL with a length, a range that wraps, and more than a gate copies.
 */
TEST(ept_contract, bad_output_buffers_return_efault)
{
	long before = victim_bss_value();
	char *theirs = victim_shared_block();
	char *big = malloc(EPT_COPY_MAX + 1);
	uintptr_t wraps = (uintptr_t)-16;

	KT_ASSERT(secret() != 0 && theirs != NULL && big != NULL);
	KT_EXPECT_EQ(victim_fill((char *)secret(), 8), -14);
	KT_ASSERT(efault_reported(secret(), 8, RANGE));
	KT_EXPECT_EQ(victim_bss_value(), before);
	KT_EXPECT_EQ(victim_fill(theirs, 8), -14);
	KT_ASSERT(efault_reported((uintptr_t)theirs, 8, RANGE));
	KT_EXPECT_EQ(victim_fill(NULL, 8), -14);
	KT_ASSERT(efault_reported(0, 8, "a null pointer"));
	KT_EXPECT_EQ(victim_fill((char *)wraps, 32), -14);
	KT_ASSERT(efault_reported(wraps, 32, "the range wraps around"));
	KT_EXPECT_EQ(victim_fill(big, EPT_COPY_MAX + 1), -14);
	KT_ASSERT(efault_reported((uintptr_t)big, EPT_COPY_MAX + 1,
				  "more than a gate copies"));
	KT_EXPECT_EQ(victim_fill(NULL, 0), 0);
	free(big);
}
