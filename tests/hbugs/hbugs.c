/*
 * hbugs.c - one planted bug per class the hardening options catch
 * (docs/design.md, "Hardening"), for tests/hardtest/. Each is written so
 * that, when its option is off in this library's compartment, it does no
 * harm and returns: the bytes a smash or an overflow writes are padding
 * or slack, and the others only read.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "hbugs.h"

/* The heap block or global the next bug touches. */
static char *block;
static char global_buf[12];
static long words[2] = {1, 2};

/* KASan checks would see the overflow first: this one is the stack
 * protector's. buf sits just below the canary (padding without one). */
__attribute__((noipa, no_sanitize_address)) static long
hbugs_stack_smash(long n)
{
	char buf[24];
	char *volatile p = buf;

	for (long i = 0; i < (long)sizeof(buf) + n; i++)
		p[i] = (char)0x41;
	return buf[3];
}

__attribute__((noipa)) static long hbugs_signed_overflow(void)
{
	volatile int a = INT_MAX;

	return a + 1;
}

__attribute__((noipa)) static long hbugs_shift(void)
{
	volatile int s = 40;

	return 1 << s;
}

__attribute__((noipa)) static long hbugs_misaligned(void)
{
	int *volatile p = (int *)((char *)words + 1);

	return *p;
}

__attribute__((noipa)) static long hbugs_heap_overflow(void)
{
	char *volatile p = block;

	p[20] = 1;
	return 0;
}

__attribute__((noipa)) static long hbugs_use_after_free(void)
{
	char *volatile p = block;

	return p[0];
}

__attribute__((noipa)) static long hbugs_global_overflow(void)
{
	char *volatile p = global_buf;

	return p[12];
}

__attribute__((noipa, no_stack_protector)) static long
hbugs_local_overflow(void)
{
	char buf[16];
	char *volatile p = buf;

	memset(buf, 7, sizeof(buf));
	return p[16];
}

__attribute__((noipa)) static long hbugs_memcpy_overflow(void)
{
	static const char text[21] = "twenty-one bytes long";
	volatile size_t n = sizeof(text);

	memcpy(block, text, n);
	return 0;
}

long hbugs_prepare(long bug)
{
	switch (bug) {
	case HBUG_HEAP_OVERFLOW:
	case HBUG_MEMCPY_OVERFLOW:
		block = malloc(20);
		return (long)block;
	case HBUG_USE_AFTER_FREE: {
		char *volatile p = malloc(16);

		free(p);
		block = p;
		return (long)block;
	}
	case HBUG_GLOBAL_OVERFLOW:
		return (long)global_buf;
	case HBUG_MISALIGNED:
		return (long)words + 1;
	default:
		return 0;
	}
}

long hbugs_run(long bug)
{
	switch (bug) {
	case HBUG_STACK_SMASH:
		return hbugs_stack_smash(8);
	case HBUG_SIGNED_OVERFLOW:
		return hbugs_signed_overflow();
	case HBUG_SHIFT:
		return hbugs_shift();
	case HBUG_MISALIGNED:
		return hbugs_misaligned();
	case HBUG_HEAP_OVERFLOW:
		return hbugs_heap_overflow();
	case HBUG_USE_AFTER_FREE:
		return hbugs_use_after_free();
	case HBUG_GLOBAL_OVERFLOW:
		return hbugs_global_overflow();
	case HBUG_LOCAL_OVERFLOW:
		return hbugs_local_overflow();
	case HBUG_MEMCPY_OVERFLOW:
		return hbugs_memcpy_overflow();
	default:
		return -1;
	}
}

long hbugs_reuse(void)
{
	char *volatile first = malloc(16);
	uintptr_t was = (uintptr_t)first;

	free(first);
	char *again = malloc(16);
	long same = (uintptr_t)again == was;

	free(again);
	return same;
}

/* libc/ubsan.c's count, in a UBSan compartment's copy of libc only. */
unsigned long libc_ubsan_reports(void) __attribute__((weak));

long hbugs_ubsan_reports(void)
{
	return libc_ubsan_reports ? (long)libc_ubsan_reports() : 0;
}
