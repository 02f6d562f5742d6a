/*
 * protect.c - the MPK backend's boot-time set-up: every page gets its
 * protection key, then keys are turned on and the kernel core enters its
 * domain.
 *
 * Linked into the kernel core's compartment (library gate_mpk, see
 * build.mk), so no other compartment can call it.
 */
#include <bulkhead/arch.h>
#include <bulkhead/comp.h>
#include <bulkhead/gate.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>

static void tag(uintptr_t start, uintptr_t end, int pkey)
{
	if (end > start && vm_set_pkey(start, end - start, pkey) != 0)
		panic("mpk: cannot tag %lx-%lx with key %d", start, end, pkey);
}

/*
 * The MPK layout: code and constants are public (the shared key, and
 * read-only by their page protections); each compartment's .data and .bss
 * carry its key; the shared section, the boot stack and the CPU tables
 * carry the shared key; the page tables carry TABLE_PKEY, which every
 * domain may read and only the core's write (the gates' argument checks
 * walk them), and so does the running thread's handle (libc/thread.h).
 * Everything else - free pages, the kernel core's own data - keeps key
 * 0, the kernel core's (it is the default compartment).
 */
void gate_protect(void)
{
	extern char boot_stack_bottom[], boot_stack_top[];
	int full = comp_has(COMP_PRIVATE_STACKS);
	uint32_t r[4];

	cpuid(7, 0, r);
	if (!(r[2] & CPUID7_ECX_PKU))
		panic("comp: backend mpk needs protection keys (PKU), which "
		      "this CPU lacks");
	tag((uintptr_t)__kernel_start, (uintptr_t)__rodata_end, SHARED_PKEY);
	for (unsigned i = 0; i < comp_config.count; i++) {
		const struct comp_desc *c = &comp_config.comps[i];

		tag(c->data.start, c->data.end, c->pkey);
		tag(c->bss.start, c->bss.end, c->pkey);
	}
	tag(comp_config.shared.start, comp_config.shared.end, SHARED_PKEY);
	tag(comp_config.shared_bss.start, comp_config.shared_bss.end,
	    SHARED_PKEY);
	/* With full gates no other compartment runs on the boot stack. */
	tag((uintptr_t)boot_stack_bottom, (uintptr_t)boot_stack_top,
	    full ? 0 : SHARED_PKEY);
	tag(comp_config.cpu_tables.start, comp_config.cpu_tables.end,
	    SHARED_PKEY);
	/* The CPU only reads its tables from now on: no domain may write. */
	vm_protect(comp_config.cpu_tables.start,
		   comp_config.cpu_tables.end - comp_config.cpu_tables.start,
		   0);
	vm_tag_tables(TABLE_PKEY);
	/* The running thread's handle, which every copy of libc reads and
	 * only the core's hook may write: the same rights. */
	tag(comp_config.running_thread.start, comp_config.running_thread.end,
	    TABLE_PKEY);
	if (full)
		tag(comp_config.gate_slot.start, comp_config.gate_slot.end,
		    SLOT_PKEY);
	write_cr4(read_cr4() | CR4_PKE);
	gate_enter_core();
	if (full) {
		/* The boot thread's slot: its compartments' stacks. */
		uintptr_t slot = mm_slot_alloc();

		if (!slot)
			panic("comp: no stack slot for the boot thread");
		gate_set_slot(slot);
	}
	pr_info("  protection keys on: %u compartments, shared key %d\n",
		comp_config.count, SHARED_PKEY);
}
