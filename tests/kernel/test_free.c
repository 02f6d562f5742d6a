/*
 * Frees that are bugs, at every allocator: a double free, a free of
 * memory never handed out, of an address inside an allocation or of
 * part of one, and of an address outside the allocator's memory. Each
 * would let the memory be handed out twice (or unmap memory that is not
 * the allocator's), so each stops the machine with a panic that names
 * the function, the address and what was wrong; each case announces that
 * exact report.
 */
#include <stdint.h>
#include <stdio.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include "ktest.h"

static void expect_panic(const char *what)
{
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: %s (thread \"main\")", what);
}

/* Announce the panic of mm_page_free(p, count) and why. */
static void expect_page_free(const void *p, size_t count, const char *why)
{
	char what[160];

	snprintf(what, sizeof(what), "mm_page_free(0x%lx, %zu): %s",
		 (unsigned long)(uintptr_t)p, count, why);
	expect_panic(what);
}

TEST_ALONE(mm_free, page_double_free)
{
	void *p = mm_page_alloc(2);

	KT_ASSERT(p != NULL);
	mm_page_free(p, 2);
	expect_page_free(p, 2, "not allocated (double free?)");
	mm_page_free(p, 2);
}

/* The pool's last page: allocation is lowest first, so it is still free. */
TEST_ALONE(mm_free, page_never_allocated)
{
	uint64_t last = mm_phys.npages - 1;
	void *p = (void *)(uintptr_t)(mm_phys.base + last * MM_PAGE_SIZE);

	KT_ASSERT((mm_phys.bitmap[last / 64] >> (last % 64)) & 1);
	expect_page_free(p, 1, "not allocated (double free?)");
	mm_page_free(p, 1);
}

TEST_ALONE(mm_free, page_inside_an_allocation)
{
	uint8_t *p = mm_page_alloc(4);

	KT_ASSERT(p != NULL);
	expect_page_free(p + MM_PAGE_SIZE, 1,
			 "inside an allocation, not at its start");
	mm_page_free(p + MM_PAGE_SIZE, 1);
}

TEST_ALONE(mm_free, page_part_of_an_allocation)
{
	void *p = mm_page_alloc(4);

	KT_ASSERT(p != NULL);
	expect_page_free(p, 2, "not the page count of the allocation there");
	mm_page_free(p, 2);
}

/* A page of the kernel image: never the pool's. */
TEST_ALONE(mm_free, page_outside_the_pool)
{
	void *p = (void *)ALIGN_DOWN((uintptr_t)&mm_phys, MM_PAGE_SIZE);

	expect_page_free(p, 1, "not page-aligned RAM of the page pool");
	mm_page_free(p, 1);
}
