/*
 * slot.c - stack slots, for full gates.
 *
 * Each thread gets SLOT_SIZE bytes of virtual space, aligned to its size,
 * in the slot region. Compartment i's stack for that thread is
 *
 *   [base + i * SLOT_SPAN + PAGE_SIZE, base + (i + 1) * SLOT_SPAN)
 *
 * with the region's lowest page left unmapped as a guard, and its top
 * word the region's link (gates/mpk/gate.inc). Nothing is mapped up front:
 * a page is mapped when first touched (mm_slot_fault, from the page-fault
 * handler), with the protection key of the compartment whose region it
 * is. So a thread costs memory only in the compartments it enters, and
 * the number of threads is limited by memory alone.
 */
#include <stdlib.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>

struct free_slot {
	uintptr_t base;
	struct free_slot *next;
};

static uintptr_t next_slot = SLOT_REGION_BASE;
static struct free_slot *free_slots;

uintptr_t mm_slot_alloc(void)
{
	struct free_slot *f = free_slots;

	if (f) {
		uintptr_t base = f->base;

		free_slots = f->next;
		free(f);
		return base;
	}
	if (next_slot + SLOT_SIZE > SLOT_REGION_END)
		return 0;
	next_slot += SLOT_SIZE;
	return next_slot - SLOT_SIZE;
}

void mm_slot_free(uintptr_t base)
{
	struct free_slot *f = malloc(sizeof(*f));

	for (unsigned c = 0; c < comp_config.count; c++) {
		uintptr_t lo = base + c * SLOT_SPAN, hi = lo + SLOT_SPAN;

		for (uintptr_t va = lo; va < hi; va += PAGE_SIZE) {
			uint64_t pte = vm_lookup(va);

			if (!pte)
				continue;
			vm_unmap(va, PAGE_SIZE);
			mm_page_free((void *)(uintptr_t)(pte & PTE_ADDR_MASK),
				     1);
		}
	}
	if (!f)
		return; /* the virtual slot is lost, nothing else */
	f->base = base;
	f->next = free_slots;
	free_slots = f;
}

/* Map the page holding addr in its compartment's region of its slot. */
int mm_slot_fault(uintptr_t addr)
{
	if (addr < SLOT_REGION_BASE || addr >= next_slot)
		return -1;
	unsigned region = (unsigned)((addr % SLOT_SIZE) / SLOT_SPAN);

	if (region >= comp_config.count || addr % SLOT_SPAN < PAGE_SIZE)
		return -1; /* beyond the compartments, or a guard page */
	int pkey = comp_config.comps[region].pkey;
	uintptr_t va = ALIGN_DOWN(addr, (uintptr_t)PAGE_SIZE);
	void *page = mm_page_alloc_key(1, pkey);

	if (!page)
		return -1;
	if (vm_map(va, (uintptr_t)page, PAGE_SIZE, VM_WRITE) != 0) {
		mm_page_free(page, 1);
		return -1;
	}
	vm_set_pkey(va, PAGE_SIZE, pkey);
	return 0;
}
