/*
 * Memory in the running kernel: the page pool, the kernel heap, page
 * mappings and guarded stacks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include "ktest.h"

extern struct mm_heap libc_heap; /* this compartment's heap (libc/malloc.c) */

TEST(mm, pages_are_zeroed_mapped_and_returned)
{
	uint64_t before = mm_phys.free_pages;
	uint8_t *p = mm_page_alloc(4);

	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ((uintptr_t)p % MM_PAGE_SIZE, 0);
	KT_EXPECT_EQ(mm_phys.free_pages, before - 4);
	for (int i = 0; i < 4 * MM_PAGE_SIZE; i++)
		KT_ASSERT(p[i] == 0);
	for (int i = 0; i < 4; i++)
		KT_ASSERT(vm_lookup((uintptr_t)p + i * MM_PAGE_SIZE) & PTE_P);
	memset(p, 0xab, 4 * MM_PAGE_SIZE);
	mm_page_free(p, 4);
	KT_EXPECT_EQ(mm_phys.free_pages, before);
}

TEST(mm, page_pool_out_of_memory_is_an_error)
{
	uint64_t before = mm_phys.free_pages;

	KT_ASSERT(mm_page_alloc(before + 1) == NULL);
	KT_EXPECT_EQ(mm_phys.free_pages, before);
}

TEST(mm, kernel_heap_grows_and_stays_consistent)
{
	const char *why;
	void *blocks[12];
	size_t total = libc_heap.bytes_total;

	for (int i = 0; i < 12; i++) {
		blocks[i] = malloc(1 << 20);
		KT_ASSERT(blocks[i] != NULL);
		memset(blocks[i], i, 1 << 20);
	}
	/* gcc assumes malloc() leaves other globals alone: re-read. */
	__asm__ volatile("" : : : "memory");
	KT_ASSERT(libc_heap.bytes_total > total);
	for (int i = 0; i < 12; i++) {
		KT_ASSERT(((uint8_t *)blocks[i])[12345] == i);
		free(blocks[i]);
	}
	KT_EXPECT_EQ(mm_heap_check(&libc_heap, &why), 0);
}

TEST(mm, malloc_out_of_memory_returns_null)
{
	const char *why;
	size_t used = libc_heap.bytes_used;

	errno = 0;
	KT_ASSERT(malloc((size_t)1 << 40) == NULL);
	KT_EXPECT_EQ(errno, ENOMEM);
	volatile size_t huge = (size_t)1 << 62; /* n * size overflows */

	KT_ASSERT(calloc(huge, 16) == NULL);
	__asm__ volatile("" : : : "memory"); /* see above */
	KT_EXPECT_EQ(libc_heap.bytes_used, used);
	KT_EXPECT_EQ(mm_heap_check(&libc_heap, &why), 0);
	void *p = malloc(100); /* still works afterwards */

	KT_ASSERT(p != NULL);
	free(p);
}

TEST(mm, map_and_unmap_a_page)
{
	uintptr_t va = 0x500000000000;
	uint8_t *page = mm_page_alloc(1);

	KT_ASSERT(page != NULL);
	KT_EXPECT_EQ(vm_map(va, (uintptr_t)page, MM_PAGE_SIZE, VM_WRITE), 0);
	*(volatile uint32_t *)va = 0xfeedbeef;
	KT_EXPECT_EQ(*(uint32_t *)page, 0xfeedbeef);
	KT_ASSERT(vm_lookup(va) & PTE_NX);
	vm_unmap(va, MM_PAGE_SIZE);
	KT_EXPECT_EQ(vm_lookup(va), 0);
	mm_page_free(page, 1);
}

TEST(mm, stacks_have_guard_pages_and_are_reused)
{
	struct mm_stack a, b;
	uint64_t before = mm_phys.free_pages;

	a = mm_stack_alloc(5 * MM_PAGE_SIZE);
	KT_ASSERT(a.bottom != 0);
	KT_EXPECT_EQ(a.top - a.bottom, 5 * MM_PAGE_SIZE);
	KT_EXPECT_EQ(vm_lookup(a.bottom - MM_PAGE_SIZE), 0);
	for (uintptr_t va = a.bottom; va < a.top; va += MM_PAGE_SIZE)
		KT_ASSERT(vm_lookup(va) & PTE_W);
	mm_stack_free(a);
	KT_EXPECT_EQ(vm_lookup(a.bottom), 0);
	KT_ASSERT(mm_phys.free_pages >= before - 1); /* range node */
	b = mm_stack_alloc(5 * MM_PAGE_SIZE);
	KT_ASSERT(b.bottom != 0);
	KT_EXPECT_EQ(b.bottom, a.bottom);
	mm_stack_free(b);
}
