/*
 * main.c - an application that calls what only the kernel core may: it
 * maps memory itself through the core's page-table function (mm.api), and
 * hands the scheduler hooks of its own, which would be called for every
 * thread (sched.api), and switches itself into the core's domain through
 * the gate runtime (core and scheduler only). Its image must not build:
 * tests/configs/bad/forbidden-call.toml.
 */
#include <bulkhead/comp.h>
#include <bulkhead/gate.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>

static void on_switch(sched_thread_t next)
{
	(void)next;
}

int main(void)
{
	static char page[4096] __attribute__((aligned(4096)));

	sched_set_hooks(0, 0, on_switch);
	gate_pkru_restore(comp_config.comps[comp_config.core_index].pkru);
	/* Map this compartment's own page again, writable and executable. */
	return vm_map((uintptr_t)page + 0x100000000, (uintptr_t)page, 4096,
		      VM_WRITE | VM_EXEC);
}
