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
 * the number of threads is limited by memory alone. A bitmap, one bit
 * per slot handed out so far, says which are live: freed slots are
 * reused lowest first, and a free of anything but a live slot is caught.
 */
#include <stdlib.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>

#define BITS 64

static uintptr_t next_slot = SLOT_REGION_BASE; /* above every slot so far */
static uint64_t *used;	  /* bit i: slot i (from SLOT_REGION_BASE) is live */
static uint8_t *owner;	  /* owner[i]: compartment that allocated slot i */
static size_t used_words; /* words of `used` (BITS entries of `owner`) */

static size_t slots_so_far(void)
{
	return (next_slot - SLOT_REGION_BASE) / SLOT_SIZE;
}

/* The lowest free slot below next_slot, else a new one above. */
uintptr_t(mm_slot_alloc)(int caller)
{
	size_t n = slots_so_far(), i;

	for (size_t w = 0; w < used_words && w * BITS < n; w++) {
		if (used[w] == ~0ULL)
			continue;
		i = w * BITS + (size_t)__builtin_ctzll(~used[w]);
		if (i >= n)
			break;
		used[w] |= 1ULL << (i % BITS);
		owner[i] = (uint8_t)caller;
		return SLOT_REGION_BASE + i * SLOT_SIZE;
	}
	if (next_slot + SLOT_SIZE > SLOT_REGION_END)
		return 0;
	i = n;
	if (i / BITS >= used_words) {
		uint64_t *more =
			realloc(used, (used_words + 1) * sizeof(*used));
		uint8_t *owners =
			more ? realloc(owner, (used_words + 1) * BITS) : NULL;

		if (more)
			used = more;
		if (!owners)
			return 0;
		owner = owners;
		used[used_words++] = 0;
	}
	used[i / BITS] |= 1ULL << (i % BITS);
	owner[i] = (uint8_t)caller;
	next_slot += SLOT_SIZE;
	return next_slot - SLOT_SIZE;
}

/* Why base is not a live slot, or NULL if it is. */
static const char *not_a_slot(uintptr_t base)
{
	size_t i = (base - SLOT_REGION_BASE) / SLOT_SIZE;

	if (base < SLOT_REGION_BASE || base >= SLOT_REGION_END)
		return "not in the slot region";
	if ((base - SLOT_REGION_BASE) % SLOT_SIZE)
		return "inside a slot, not at its base";
	if (i >= slots_so_far() || !(used[i / BITS] & (1ULL << (i % BITS))))
		return "not allocated (double free?)";
	return NULL;
}

/* Unmap the slot's pages and give them back. A base that is not a live
 * slot would unmap memory that is not a slot's, or hand the slot out
 * twice: it stops the machine, saying what was wrong. */
void(mm_slot_free)(uintptr_t base, int caller)
{
	const char *why = not_a_slot(base);
	size_t i = (base - SLOT_REGION_BASE) / SLOT_SIZE;

	if (why)
		panic("mm_slot_free(0x%lx): %s", base, why);
	if (owner[i] != caller)
		panic("mm_slot_free(0x%lx): compartment %s frees a slot of "
		      "compartment %s",
		      base, comp_name(caller), comp_name(owner[i]));
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
	used[i / BITS] &= ~(1ULL << (i % BITS));
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
