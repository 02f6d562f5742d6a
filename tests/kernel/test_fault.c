/*
 * Faults: each case does one forbidden thing and announces the exact
 * report it expects (vector, decoded error code, faulting instruction and
 * address with their symbols, thread). The runner checks the report and
 * that the machine stopped with EXIT_PANIC.
 */
#include <stdio.h>
#include <stdlib.h>
#include <bulkhead/kernel.h>
#include <bulkhead/sched.h>
#include <bulkhead/trap.h>
#include "ktest.h"

/* Plain const: gcc puts `const volatile` objects in .data. */
const int fault_ro_target = 7;
volatile int fault_zero;
static unsigned char fault_code_in_data[16] = {0xc3}; /* ret */

static void expect_common(void)
{
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("in thread \"main\"");
}

TEST_ALONE(fault, write_to_rodata)
{
	expect_common();
	ktest_expect("FAULT: #PF page fault (vector 14)");
	ktest_expect("error 0x3: present write supervisor data");
	ktest_expect("<ktest_fn_fault_write_to_rodata+0x");
	ktest_expect("cr2 0x%016lx <fault_ro_target+0x0>",
		     (unsigned long)&fault_ro_target);
	*(volatile int *)&fault_ro_target = 1;
}

TEST_ALONE(fault, write_to_text)
{
	expect_common();
	ktest_expect("FAULT: #PF page fault (vector 14)");
	ktest_expect("error 0x3: present write supervisor data");
	ktest_expect("<ktest_fn_fault_write_to_text+0x");
	ktest_expect("cr2 0x%016lx <kernel_exit+0x0>",
		     (unsigned long)&kernel_exit);
	*(volatile unsigned char *)&kernel_exit = 0x90;
}

TEST_ALONE(fault, execute_data)
{
	void (*fn)(void) = (void (*)(void))fault_code_in_data;

	expect_common();
	ktest_expect("FAULT: #PF page fault (vector 14)");
	ktest_expect("error 0x11: present read supervisor fetch");
	ktest_expect("rip 0x%016lx <fault_code_in_data+0x0>",
		     (unsigned long)fault_code_in_data);
	ktest_expect("cr2 0x%016lx <fault_code_in_data+0x0>",
		     (unsigned long)fault_code_in_data);
	fn();
}

TEST_ALONE(fault, null_dereference)
{
	expect_common();
	ktest_expect("FAULT: #PF page fault (vector 14)");
	ktest_expect("error 0x0: not-present read supervisor data");
	ktest_expect("<ktest_fn_fault_null_dereference+0x");
	ktest_expect("cr2 0x0000000000000000");
	(void)*(volatile int *)0;
}

TEST_ALONE(fault, general_protection)
{
	expect_common();
	ktest_expect("FAULT: #GP general protection (vector 13)");
	ktest_expect("error 0x0");
	ktest_expect("<ktest_fn_fault_general_protection+0x");
	(void)*(volatile int *)0x8000000000000000ULL; /* non-canonical */
}

TEST_ALONE(fault, divide_error)
{
	expect_common();
	ktest_expect("FAULT: #DE divide error (vector 0)");
	ktest_expect("<ktest_fn_fault_divide_error+0x");
	printf("%d\n", 100 / fault_zero);
}

TEST_ALONE(fault, invalid_opcode)
{
	expect_common();
	ktest_expect("FAULT: #UD invalid opcode (vector 6)");
	ktest_expect("<ktest_fn_fault_invalid_opcode+0x");
	__asm__ volatile("ud2");
}

/* Recurse until the stack runs out; `limit` is never reached. */
static __attribute__((noinline, noclone)) int recurse(int depth, int limit)
{
	volatile char pad[512];

	pad[0] = (char)depth;
	if (depth == limit)
		return 0;
	return recurse(depth + 1, limit) + pad[0];
}

static void *overflow(void *arg)
{
	(void)arg;
	return (void *)(long)recurse(0, -1);
}

TEST_ALONE(fault, stack_overflow_hits_guard_page)
{
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("FAULT: #PF page fault (vector 14)");
	ktest_expect("in thread \"overflow\"");
	ktest_expect("not-present write supervisor data");
	ktest_expect("<recurse+0x");
	ktest_expect("cr2 is in the guard page below the stack of thread "
		     "\"overflow\": stack overflow");
	sched_join(sched_create("overflow", overflow, NULL, 16 * 1024));
}

TEST_ALONE(fault, panic_reports_and_stops)
{
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: deliberate panic 7 (thread \"main\")");
	ktest_expect("backtrace:");
	ktest_expect("<ktest_fn_fault_panic_reports_and_stops+0x");
	panic("deliberate panic %d", 7);
}

TEST_ALONE(fault, double_free_is_caught)
{
	void *p = malloc(32);
	void *volatile again = p; /* hide the double free from gcc */

	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: free(%p): not a block allocated from heap "
		     "\"libc\"",
		     p);
	free(p);
	free(again);
}

/* An IRQ number past the PIC's 16 lines would write beyond the kernel
 * core's handler table: refused, naming it. */
TEST_ALONE(fault, irq_register_beyond_the_pic)
{
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: trap_irq_register: IRQ 16 is not a PIC line "
		     "(0..15) (thread \"main\")");
	trap_irq_register(16, NULL);
}
