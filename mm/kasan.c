/*
 * kasan.c - the pages of KASan's shadow (docs/design.md, "Hardening").
 *
 * A KASan compartment's code (libc/kasan.c, and the stack poisoning gcc
 * writes inline) describes byte a of memory by the shadow byte at
 * (a >> 3) + KASAN_SHADOW_BASE. The shadow's pages are mapped here, in
 * the kernel core, zeroed (all accessible), when first touched (a
 * not-present fault in the shadow, from the page-fault handler) or when
 * memory they describe is handed out: a KASan compartment's heap pages
 * and every new stack, whose shadow is cleared of an earlier owner's
 * marks. Only the shadow of what a runtime checks is ever mapped: RAM
 * below KASAN_RAM_LIMIT, the stack region and the full-gate slots.
 *
 * Under MPK a shadow page carries the key of the memory it describes
 * (KASAN_GROUP bytes, eight pages): that of a slot's compartment, the
 * stacks' (shared) key, or in RAM the key all eight pages share, else the
 * shared key. A KASan compartment's heap, constants and data are aligned
 * to KASAN_GROUP, so their shadow is its own, out of others' reach.
 */
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/x86.h>

/* Whether any compartment has KASan (0 unknown yet, 1 yes, -1 no). */
static int present;

static int kasan_present(void)
{
	if (!present) {
		present = -1;
		for (unsigned i = 0; i < comp_config.count; i++)
			if (comp_config.comps[i].harden & HARDEN_KASAN)
				present = 1;
	}
	return present > 0;
}

/* The shadow page describing address a. */
static uintptr_t shadow_page(uintptr_t a)
{
	return ALIGN_DOWN((a >> 3) + KASAN_SHADOW_BASE, (uintptr_t)PAGE_SIZE);
}

/* The key the shadow page at va carries, or -1 when it describes
 * nothing a runtime checks. */
static int shadow_key(uintptr_t va)
{
	uintptr_t o = (va - KASAN_SHADOW_BASE) << 3;

	if (!comp_has(COMP_KEYS))
		return o < KASAN_RAM_LIMIT ||
				       (o >= SLOT_REGION_BASE &&
					o < SLOT_REGION_END) ||
				       o >= STACK_REGION_BASE
			       ? 0
			       : -1;
	if (o >= SLOT_REGION_BASE && o < SLOT_REGION_END) {
		unsigned region = (unsigned)((o % SLOT_SIZE) / SLOT_SPAN);

		return region < comp_config.count
			       ? comp_config.comps[region].pkey
			       : comp_shared_pkey();
	}
	if (o >= STACK_REGION_BASE)
		return comp_stack_pkey();
	if (o >= KASAN_RAM_LIMIT)
		return -1;
	int key = -1;

	for (uintptr_t p = o; p < o + KASAN_GROUP; p += PAGE_SIZE) {
		uint64_t pte = vm_lookup(p);
		int k = (int)((pte & PTE_PKEY_MASK) >> PTE_PKEY_SHIFT);

		if (!pte || (key >= 0 && k != key))
			return comp_shared_pkey();
		key = k;
	}
	return key;
}

/* Map a zeroed page at shadow address va, with key `key`, if none is
 * there. Returns 0, or -1 when out of memory. */
static int map_shadow(uintptr_t va, int key)
{
	if (vm_lookup(va))
		return 0;
	void *page = mm_page_alloc(1);

	if (!page)
		return -1;
	if (vm_map(va, (uintptr_t)page, PAGE_SIZE, VM_WRITE) != 0) {
		mm_page_free(page, 1);
		return -1;
	}
	if (key > 0)
		vm_set_pkey(va, PAGE_SIZE, key);
	return 0;
}

/* A not-present fault at addr: 0 if it was a shadow page now mapped. */
int mm_kasan_fault(uintptr_t addr)
{
	if (!kasan_present() || addr < KASAN_SHADOW_BASE ||
	    addr >= KASAN_SHADOW_END)
		return -1;
	uintptr_t va = ALIGN_DOWN(addr, (uintptr_t)PAGE_SIZE);
	int key = shadow_key(va);

	return key < 0 ? -1 : map_shadow(va, key);
}

/*
 * [start, start + len) was just handed out: its shadow is mapped and
 * cleared (through the pages' identity mapping, whatever their key).
 * A shadow page wholly describing the range is given key `key` (the new
 * owner's); one shared with memory around it keeps the key it has.
 */
void mm_kasan_cover(uintptr_t start, size_t len, int key)
{
	if (!kasan_present() || len == 0)
		return;
	uintptr_t end = start + len;

	for (uintptr_t g = ALIGN_DOWN(start, (uintptr_t)KASAN_GROUP); g < end;
	     g += KASAN_GROUP) {
		uintptr_t va = shadow_page(g);
		int whole = g >= start && g + KASAN_GROUP <= end;
		int k = whole ? key : shadow_key(va);

		if (k < 0 || map_shadow(va, k) != 0)
			panic("kasan: no memory for the shadow of 0x%lx",
			      (unsigned long)g);
		if (whole && k > 0)
			vm_set_pkey(va, PAGE_SIZE, k);
		uintptr_t lo = g > start ? g : start;
		uintptr_t hi = g + KASAN_GROUP < end ? g + KASAN_GROUP : end;
		uintptr_t phys = (uintptr_t)(vm_lookup(va) & PTE_ADDR_MASK);

		memset((char *)phys + ((lo - g) >> 3), 0, (hi - lo + 7) >> 3);
	}
}
