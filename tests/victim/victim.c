/*
 * victim - a library for testing gates: functions with 0 to 6 arguments
 * whose results show every argument arrived in its place, a path that
 * calls back into its caller's compartment (re-entrance), one that
 * sleeps inside the callee, and secrets in .data, .bss and the heap that
 * another compartment must not reach.
 */
#include <stdint.h>
#include <stdlib.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>
#include "victim.h"

long victim_data_secret = 0x5ec2e7da7a; /* .data */
long victim_bss_secret;			/* .bss */
static long *victim_heap_secret;	/* a block of victim's heap */

long victim_args0(void)
{
	return 42;
}

long victim_args1(long a)
{
	return a + 1;
}

long victim_args2(long a, long b)
{
	return a + 10 * b;
}

long victim_args3(long a, long b, long c)
{
	return a + 10 * b + 100 * c;
}

long victim_args4(long a, long b, long c, long d)
{
	return a + 10 * b + 100 * c + 1000 * d;
}

long victim_args5(long a, long b, long c, long d, long e)
{
	return a + 10 * b + 100 * c + 1000 * d + 10000 * e;
}

long victim_args6(long a, long b, long c, long d, long e, long f)
{
	return a + 10 * b + 100 * c + 1000 * d + 10000 * e + 100000 * f;
}

/* The gate-test application's; weak, for images without it (the
 * interface fuzzer's), where victim_nested does not bounce. */
extern long gatetest_bounce(long depth) __attribute__((weak));

/* A -> B -> A -> B ...: calls back into the caller's exported function. */
long victim_nested(long depth)
{
	if (depth <= 0 || !gatetest_bounce)
		return 100;
	return 10 + gatetest_bounce(depth - 1);
}

/* Sleep inside the callee, so other threads cross gates meanwhile. */
long victim_sleep_mul(long ms, long x)
{
	sched_sleep_ns((uint64_t)ms * 1000000);
	return 3 * x;
}

/* Addresses of the secrets, as a buggy or careless library might leak. */
void *victim_leak(int which)
{
	if (!victim_heap_secret) {
		victim_heap_secret = malloc(sizeof(long));
		if (victim_heap_secret)
			*victim_heap_secret = 0x4ea9;
	}
	switch (which) {
	case VICTIM_DATA:
		return &victim_data_secret;
	case VICTIM_BSS:
		return &victim_bss_secret;
	case VICTIM_STACK:
		/* Its own frame: with full gates, on the victim's own stack. */
		return __builtin_frame_address(0);
	default:
		return victim_heap_secret;
	}
}

long victim_bss_value(void)
{
	return victim_bss_secret;
}

void victim_bss_set(long value)
{
	victim_bss_secret = value;
}

/*
 * void victim_callee_saved(long out[6]): store rbx, rbp, r12..r15 exactly
 * as they were on entry (a full gate must have cleared them).
 */
__asm__(".text\n"
	".globl victim_callee_saved\n"
	"victim_callee_saved:\n\t"
	"mov %rbx, 0(%rdi)\n\t"
	"mov %rbp, 8(%rdi)\n\t"
	"mov %r12, 16(%rdi)\n\t"
	"mov %r13, 24(%rdi)\n\t"
	"mov %r14, 32(%rdi)\n\t"
	"mov %r15, 40(%rdi)\n\t"
	"ret\n");

/* Not exported: reachable from other compartments only by its address. */
void victim_private_set(void)
{
	victim_bss_secret = 0x5e7;
}

/* A block of the shared heap the victim allocated (so owns), handed to
 * its caller to read. */
void *victim_shared_block(void)
{
	static char *block;

	if (!block)
		block = mm_shared_alloc(64);
	return block;
}

/* Fill n bytes at out with 0x5a; returns n. Its contract says efault: a
 * refused buffer makes the call return -EFAULT (victim.api). */
long victim_fill(char *out, long n)
{
	for (long i = 0; i < n; i++)
		out[i] = 0x5a;
	return n;
}

/* The sum of n bytes at in: what the callee read of a buffer it was
 * handed (victim.api: in[2]). */
long victim_sum(const unsigned char *in, long n)
{
	long sum = 0;

	for (long i = 0; i < n; i++)
		sum += in[i];
	return sum;
}

/* victim_sum after ms milliseconds: what the callee reads of an
 * in-buffer its sender changes meanwhile. */
long victim_sum_after(const unsigned char *in, long n, long ms)
{
	sched_sleep_ns((uint64_t)ms * 1000000);
	return victim_sum(in, n);
}

/* The TSC frequency the victim's clock counts at, in kHz (ept: every VM
 * counts at the default VM's figure). */
long victim_tsc_khz(void)
{
	return (long)(time_tsc_hz() / 1000);
}

/* Add v to *x (victim.api: inout[=8]); returns the new value. */
long victim_add(long *x, long v)
{
	*x += v;
	return *x;
}
