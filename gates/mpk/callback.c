/*
 * callback.c - gate_callback() of the mpk backend: calling a function pointer that may belong
 * to another compartment (thread entry points, interrupt handlers,
 * scheduler hooks).
 *
 * Linked outside every compartment and reading only the compartment
 * table (public, read-only memory), it runs in its caller's domain. The
 * caller's compartment comes from PKRU itself, so it cannot be forged;
 * the callee's from the address of fn. The callback stub then switches
 * domains and checks, after the switch, that fn is an entry point the
 * callee declares (gates/mpk/gate.inc).
 */
#include <stdint.h>
#include <bulkhead/comp.h>
#include <bulkhead/gate.h>
#include "mpk.h"

static int domain_of_pkru(uint32_t pkru)
{
	for (unsigned i = 0; i < comp_config.count; i++)
		if (comp_config.comps[i].pkru == pkru)
			return (int)i;
	return -1;
}

static int compartment_of_code(uintptr_t addr)
{
	for (unsigned i = 0; i < comp_config.count; i++) {
		const struct comp_range *t = &comp_config.comps[i].text;

		if (addr >= t->start && addr < t->end)
			return (int)i;
	}
	return -1;
}

void *gate_callback(void *(*fn)(void *), void *arg)
{
	uint32_t pkru = gate_pkru_read();
	int from = domain_of_pkru(pkru);
	int to = compartment_of_code((uintptr_t)fn);

	if (from < 0 || to < 0)
		gate_mpk_violation(); /* reports from the kernel core's domain */
	if (from == to)
		return fn(arg);
	void *ret = mpk_cb_stubs[from * comp_config.count + to](fn, arg);

	/* Not a tail call: the stub checks that it returns here. */
	__asm__ volatile("" : "+r"(ret));
	return ret;
}
