/*
 * vm.c - the kernel's page tables: 4 KiB pages, identity-mapped RAM, W^X.
 *
 * Every entry at every level has U/S set and SMEP/SMAP stay off: ring-0
 * code touching a "user" page is what makes protection keys apply to it.
 * Intermediate tables are writable and executable; the leaf decides.
 */
#include <string.h>
#include <bulkhead/arch.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include "mm_impl.h"

#define TABLE_FLAGS (PTE_P | PTE_W | PTE_U)

static uint64_t *pml4; /* the active top-level table once vm_init ran */
/* With protection keys: the key of every page table (vm_tag_tables). */
static int table_pkey;

static unsigned idx(uintptr_t va, int level)
{
	return (va >> (12 + 9 * (level - 1))) & 0x1ff;
}

/* The level-1 entry for va, creating missing tables if `create`. */
static uint64_t *walk(uintptr_t va, int create)
{
	uint64_t *table = pml4;

	for (int level = 4; level > 1; level--) {
		uint64_t *e = &table[idx(va, level)];

		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			void *page = mm_page_alloc(1);

			if (!page)
				return NULL;
			if (table_pkey)
				vm_set_pkey((uintptr_t)page, PAGE_SIZE,
					    table_pkey);
			*e = (uintptr_t)page | TABLE_FLAGS;
		}
		if (*e & PTE_PS)
			return NULL; /* a large page: not ours to split */
		table = (uint64_t *)(uintptr_t)(*e & PTE_ADDR_MASK);
	}
	return &table[idx(va, 1)];
}

int vm_map(uintptr_t va, uint64_t pa, size_t len, unsigned flags)
{
	uint64_t bits = PTE_P | PTE_U;

	if (flags & VM_WRITE)
		bits |= PTE_W;
	if (!(flags & VM_EXEC))
		bits |= PTE_NX;
	if (flags & VM_DEVICE)
		bits |= PTE_PCD | PTE_PWT;
	for (size_t off = 0; off < len; off += PAGE_SIZE) {
		uint64_t *pte = walk(va + off, 1);

		if (!pte)
			return -1;
		*pte = ((pa + off) & PTE_ADDR_MASK) | bits;
		invlpg(va + off);
	}
	return 0;
}

int vm_unmap(uintptr_t va, size_t len)
{
	for (size_t off = 0; off < len; off += PAGE_SIZE) {
		uint64_t *pte = walk(va + off, 0);

		if (pte) {
			*pte = 0;
			invlpg(va + off);
		}
	}
	return 0;
}

/* Set the protection key of every mapped page in [va, va + len). */
int vm_set_pkey(uintptr_t va, size_t len, int pkey)
{
	if (pkey < 0 || pkey > 15)
		return -1;
	for (size_t off = 0; off < len; off += PAGE_SIZE) {
		uint64_t *pte = walk(va + off, 0);

		if (!pte || !(*pte & PTE_P))
			continue; /* guard pages stay unmapped */
		*pte = (*pte & ~(uint64_t)PTE_PKEY_MASK) |
		       (uint64_t)pkey << PTE_PKEY_SHIFT;
		invlpg(va + off);
	}
	return 0;
}

/* Change write and execute permission of mapped pages, keeping the rest. */
int vm_protect(uintptr_t va, size_t len, unsigned flags)
{
	for (size_t off = 0; off < len; off += PAGE_SIZE) {
		uint64_t *pte = walk(va + off, 0);

		if (!pte || !(*pte & PTE_P))
			continue;
		uint64_t e = *pte & ~(uint64_t)(PTE_W | PTE_NX);

		if (flags & VM_WRITE)
			e |= PTE_W;
		if (!(flags & VM_EXEC))
			e |= PTE_NX;
		*pte = e;
		invlpg(va + off);
	}
	return 0;
}

/* Tag the page tables below `table` (a level-`level` table) with pkey. */
static void tag_tables(uint64_t *table, int level, int pkey)
{
	vm_set_pkey((uintptr_t)table, PAGE_SIZE, pkey);
	if (level == 1)
		return;
	for (int i = 0; i < 512; i++) {
		uint64_t e = table[i];

		if ((e & PTE_P) && !(e & PTE_PS))
			tag_tables((uint64_t *)(uintptr_t)(e & PTE_ADDR_MASK),
				   level - 1, pkey);
	}
}

/*
 * Give every page table, and every one made from now on, protection key
 * pkey (mpk: one every domain may read, so that the gates' argument
 * checks can walk the tables in the callee's domain; only the kernel
 * core's domain writes them).
 */
void vm_tag_tables(int pkey)
{
	tag_tables(pml4, 4, pkey);
	table_pkey = pkey;
}

uint64_t vm_lookup(uintptr_t va)
{
	uint64_t *pte = walk(va, 0);

	return pte && (*pte & PTE_P) ? *pte : 0;
}

/*
 * Whether every page of [start, end) is mapped with the shared key (0
 * without keys), and writable with `write`.
 */
static int pages_shared(uintptr_t start, uintptr_t end, int write)
{
	uint64_t want = (uint64_t)comp_shared_pkey() << PTE_PKEY_SHIFT;

	for (uintptr_t p = start & ~(uintptr_t)(PAGE_SIZE - 1); p < end;
	     p += PAGE_SIZE) {
		uint64_t e = vm_lookup(p);

		if (!e || (e & PTE_PKEY_MASK) != want ||
		    (write && !(e & PTE_W)))
			return 0;
	}
	return 1;
}

/*
 * Whether every byte of [va, va + len) is mapped memory every compartment
 * may read: with protection keys, pages carrying the shared key (code,
 * constants, shared data and heap, light-gate stacks); without, any
 * mapped page of the lower half. A library that reads through a pointer
 * a caller gave it (the scheduler, a thread's name) asks this first, so
 * a caller cannot make it read memory the caller itself may not.
 */
int vm_public(uintptr_t va, size_t len)
{
	if (len == 0 || va + len < va || va + len > VM_LOWER_HALF_END)
		return 0;
	return pages_shared(va, va + len, 0);
}

/*
 * Whether [p, p + len) is memory every compartment may use, so that one
 * library may take it from another across a gate: with keys, mapped pages
 * that carry the shared key (and are writable, with `write`); with VMs,
 * the region every VM maps; without isolation, any memory. A range that
 * wraps around is not.
 */
int mm_range_shared(const void *p, size_t len, int write)
{
	uintptr_t a = (uintptr_t)p, end = a + len;

	if (end < a)
		return 0;
	if (comp_has(COMP_VMS))
		return len == 0 || (a >= EPT_SHARED_BASE &&
				    end <= EPT_SHARED_BASE + EPT_SHARED_SIZE);
	if (!comp_has(COMP_KEYS))
		return 1;
	return pages_shared(a, end, write);
}

uintptr_t vm_root(void)
{
	return (uintptr_t)pml4;
}

int vm_walk_all_user(uintptr_t va)
{
	uint64_t *table = pml4;

	for (int level = 4; level >= 1; level--) {
		uint64_t e = table[idx(va, level)];

		if (!(e & PTE_P) || !(e & PTE_U))
			return 0;
		table = (uint64_t *)(uintptr_t)(e & PTE_ADDR_MASK);
	}
	return 1;
}

static void map_or_die(uintptr_t start, uintptr_t end, unsigned flags)
{
	if (vm_map(start, start, end - start, flags) != 0)
		panic("vm: no memory for page tables mapping 0x%lx-0x%lx",
		      (unsigned long)start, (unsigned long)end);
}

/*
 * Build the final tables and switch to them: RAM read-write and
 * non-executable, the image by segment (text RX, rodata R, data RW),
 * the VGA text buffer, and nothing at page 0 or under the boot stack.
 */
void vm_init(const struct mm_region *ram, int n)
{
	pml4 = mm_page_alloc(1);
	if (!pml4)
		panic("vm: no memory for the top-level page table");

	for (int i = 0; i < n; i++)
		map_or_die(ram[i].base, ram[i].base + ram[i].len, VM_WRITE);
	map_or_die(0xb8000, 0xc0000, VM_WRITE);
	map_or_die((uintptr_t)__kernel_start, (uintptr_t)__text_end, VM_EXEC);
	map_or_die((uintptr_t)__rodata_start, (uintptr_t)__rodata_end, 0);
	map_or_die((uintptr_t)__data_start, (uintptr_t)__kernel_end, VM_WRITE);
	vm_unmap(0, PAGE_SIZE);
	vm_unmap((uintptr_t)boot_stack_guard, PAGE_SIZE);

	write_cr4(read_cr4() & ~(uint64_t)(CR4_SMEP | CR4_SMAP));
	write_cr3((uintptr_t)pml4);
}
