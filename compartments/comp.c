/*
 * comp.c - the compartment table at run time: the questions every backend
 * and fault report asks, and setting up protection keys at boot.
 */
#include <bulkhead/arch.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include "../gates/gate.h"

static int in(const struct comp_range *r, uintptr_t a)
{
	return a >= r->start && a < r->end;
}

const struct comp_desc *comp_of_addr(uintptr_t addr)
{
	for (unsigned i = 0; i < comp_config.count; i++) {
		const struct comp_desc *c = &comp_config.comps[i];

		if (in(&c->text, addr) || in(&c->rodata, addr) ||
		    in(&c->data, addr) || in(&c->bss, addr))
			return c;
	}
	return NULL;
}

void comp_print_layout(void)
{
	for (unsigned i = 0; i < comp_config.count; i++) {
		const struct comp_desc *c = &comp_config.comps[i];

		pr_info("  compartment %s%s: %s%s%s\n", c->name,
			c->is_default ? " (default)" : "", c->libraries,
			c->hardening[0] ? ", hardening " : "", c->hardening);
		pr_debug("    text %lx-%lx rodata %lx-%lx data %lx-%lx "
			 "bss %lx-%lx\n",
			 c->text.start, c->text.end, c->rodata.start,
			 c->rodata.end, c->data.start, c->data.end,
			 c->bss.start, c->bss.end);
	}
}

const struct comp_desc *comp_of_pkru(uint32_t pkru)
{
	for (unsigned i = 0; i < comp_config.count; i++)
		if (comp_config.mpk && comp_config.comps[i].pkru == pkru)
			return &comp_config.comps[i];
	return NULL;
}

const struct comp_desc *comp_of_pkey(int pkey)
{
	for (unsigned i = 0; i < comp_config.count; i++)
		if (comp_config.comps[i].pkey == pkey)
			return &comp_config.comps[i];
	return NULL;
}

int comp_stack_pkey(void)
{
	return comp_config.mpk ? comp_config.shared_pkey : 0;
}

static void tag(uintptr_t start, uintptr_t end, int pkey)
{
	if (end > start && vm_set_pkey(start, end - start, pkey) != 0)
		panic("comp: cannot tag %lx-%lx with key %d", start, end, pkey);
}

/*
 * The MPK layout: code and constants are public (key 15, and read-only by
 * their page protections); each compartment's .data and .bss carry its
 * key; the shared section, the boot stack and the CPU tables carry key
 * 15. Everything else - free pages, page tables, the kernel core's own
 * data - keeps key 0, the kernel core's (it is the default compartment).
 */
void comp_protect(void)
{
	extern char boot_stack_bottom[], boot_stack_top[];
	int shared = comp_config.shared_pkey;

	if (!comp_config.mpk)
		return;
	uint32_t r[4];

	cpuid(7, 0, r);
	if (!(r[2] & CPUID7_ECX_PKU))
		panic("comp: backend mpk needs protection keys (PKU), which "
		      "this CPU lacks");
	tag((uintptr_t)__kernel_start, (uintptr_t)__rodata_end, shared);
	for (unsigned i = 0; i < comp_config.count; i++) {
		const struct comp_desc *c = &comp_config.comps[i];

		tag(c->data.start, c->data.end, c->pkey);
		tag(c->bss.start, c->bss.end, c->pkey);
	}
	tag(comp_config.shared.start, comp_config.shared.end, shared);
	tag(comp_config.shared_bss.start, comp_config.shared_bss.end, shared);
	/* With full gates no other compartment runs on the boot stack. */
	tag((uintptr_t)boot_stack_bottom, (uintptr_t)boot_stack_top,
	    comp_config.full_gates ? 0 : shared);
	tag(comp_config.cpu_tables.start, comp_config.cpu_tables.end, shared);
	/* The CPU only reads its tables from now on: no domain may write. */
	vm_protect(comp_config.cpu_tables.start,
		   comp_config.cpu_tables.end - comp_config.cpu_tables.start,
		   0);
	if (comp_config.full_gates)
		tag(comp_config.gate_slot.start, comp_config.gate_slot.end,
		    FULL_GATES_SLOT_KEY);
	write_cr4(read_cr4() | CR4_PKE);
	gate_enter_core();
	if (comp_config.full_gates) {
		/* The boot thread's slot: its compartments' stacks. */
		uintptr_t slot = mm_slot_alloc();

		if (!slot)
			panic("comp: no stack slot for the boot thread");
		gate_set_slot(slot);
	}
	pr_info("  protection keys on: %u compartments, shared key %d\n",
		comp_config.count, shared);
}

/* A gate's check failed: someone wrote PKRU outside a gate's own value,
 * or a gate was entered or left from the wrong place. */
void gate_violation(uint32_t pkru, uintptr_t where)
{
	char sym[96];
	const struct comp_desc *now = comp_of_pkru(pkru);
	const struct comp_desc *code = comp_of_addr(where);

	ksyms_format(where, sym, sizeof(sym));
	panic("gate violation at 0x%lx %s: PKRU 0x%08x (%s%s) is not what this "
	      "gate allows; code of compartment %s jumped into or out of a "
	      "gate",
	      (unsigned long)where, sym, pkru, now ? "domain of " : "no domain",
	      now ? now->name : "",
	      code ? code->name : "(gate or common code)");
}
