/*
 * range.c - what memory a caller may hand over across an mpk gate: pages
 * that carry the shared key (and are writable, if the callee is to write
 * them). Anything else - the callee's own memory, the core's, another
 * compartment's, unmapped or non-canonical addresses - is refused.
 *
 * Runs in the callee's domain, outside every compartment (gates/args.c's
 * backend half). It walks the page tables, which carry TABLE_PKEY, a key
 * every domain may read (gates/mpk/protect.c), from CR3.
 */
#include <stdint.h>
#include <bulkhead/arch.h>
#include <bulkhead/mm.h>
#include <bulkhead/x86.h>
#include "../args.h"

/* The leaf entry mapping va, or 0. */
static uint64_t leaf(uintptr_t va)
{
	const uint64_t *table =
		(const uint64_t *)(uintptr_t)(read_cr3() & PTE_ADDR_MASK);

	for (int level = 4; level >= 1; level--) {
		uint64_t e = table[(va >> (12 + 9 * (level - 1))) & 0x1ff];

		if (!(e & PTE_P))
			return 0;
		if (level == 1)
			return e;
		if (e & PTE_PS)
			return 0; /* large pages are never shared */
		table = (const uint64_t *)(uintptr_t)(e & PTE_ADDR_MASK);
	}
	return 0;
}

int gate_range_ok(uintptr_t p, uint64_t len, int write)
{
	const uint64_t shared = (uint64_t)SHARED_PKEY << PTE_PKEY_SHIFT;

	if (len == 0)
		return 1;
	if (p + len < p || p + len > VM_LOWER_HALF_END)
		return 0;
	for (uintptr_t va = p & ~(uintptr_t)(PAGE_SIZE - 1); va < p + len;
	     va += PAGE_SIZE) {
		uint64_t e = leaf(va);

		if (!e || (e & PTE_PKEY_MASK) != shared ||
		    (write && !(e & PTE_W)))
			return 0;
	}
	return 1;
}
