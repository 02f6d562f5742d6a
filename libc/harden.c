/*
 * harden.c - the stack protector's runtime in a compartment's copy of
 * libc, and what the hardening runtimes share (docs/design.md,
 * "Hardening"). Built into the copy of libc of a compartment with
 * `hardening = [...]` (its tag's objects, Makefile); never instrumented.
 *
 * gcc's -fstack-protector-strong -mstack-protector-guard=global compares
 * each protected frame's copy of __stack_chk_guard with the global on the
 * way out. The global is this compartment's own (its glue defines it, in
 * its data: under MPK, its key), seeded at boot by the kernel core
 * (kernel/harden.c).
 */
#include <stdio.h>
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include "harden.h"

#if defined(BULKHEAD_STACK_PROTECTOR) || defined(BULKHEAD_UBSAN) ||            \
	defined(BULKHEAD_KASAN)

int harden_reporting;

/* ksyms_format's answer: shared memory, since in any compartment but the
 * kernel core's it comes back through a gate. */
static char symbol[128] __shared;

void harden_function(uintptr_t pc, char *buf, size_t size)
{
	ksyms_format(pc, symbol, sizeof(symbol));
	/* "<name+0xoff>" -> "name" */
	const char *s = symbol[0] == '<' ? symbol + 1 : symbol;
	size_t n = strcspn(s, "+>");

	if (n == 0 || strncmp(s, "0x", 2) == 0 || s[0] == '?') {
		snprintf(buf, size, "0x%lx", (unsigned long)pc);
		return;
	}
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = 0;
}

#endif

#ifdef BULKHEAD_STACK_PROTECTOR

/*
 * A protected function found its frame's canary changed: its stack was
 * overwritten past a local array. Its return address is no longer to be
 * trusted, so nothing returns: the report names the function (the one
 * that called here), the compartment, and (panic's) the thread, and the
 * machine stops.
 */
__attribute__((noreturn)) void __stack_chk_fail(void)
{
	char fn[96];

	harden_reporting = 1;
	/* The call's return address, minus one: inside the call, even when
	 * it is the function's last instruction. */
	harden_function((uintptr_t)__builtin_return_address(0) - 1, fn,
			sizeof(fn));
	panic("stack-protector: stack smashed in %s, compartment %s", fn,
	      libc_comp_name);
}

#endif
