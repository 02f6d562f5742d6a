/*
 * test_page.c - the physical page pool. The pool only does arithmetic on
 * addresses and never touches the pages, so made-up physical addresses
 * serve; the bitmap is a heap block of exactly the size asked for, so
 * ASan would see a bit set past its end.
 */
#include <stdlib.h>
#include <string.h>
#include <bulkhead/mm.h>
#include "ktest.h"

#define P MM_PAGE_SIZE

/* Three regions with holes between: 16 + 8 + 100 pages over 356. */
static const struct mm_region three[] = {
	{0x100000, 16 * P},
	{0x120000, 8 * P},
	{0x200000, 100 * P},
};
#define THREE_FREE 124
#define THREE_SPAN 356

/* 3 pages, a one-page hole, then 10 pages. */
static const struct mm_region holey[] = {
	{0x100000, 3 * P},
	{0x104000, 10 * P},
};

static struct mm_page_pool pool;
static uint64_t *bitmap; /* kept reachable: no leak report on a failure */

/* A fresh pool over r[0..n); the previous case's bitmap is released. */
static void pool_setup(const struct mm_region *r, int n)
{
	free(bitmap);
	bitmap = malloc(mm_page_pool_bitmap_bytes(r, n));
	mm_page_pool_init(&pool, r, n, bitmap);
}

/* Whether pages [addr, addr + count * P) all lie inside one region. */
static int in_one_region(const struct mm_region *r, int n, uint64_t addr,
			 size_t count)
{
	for (int i = 0; i < n; i++)
		if (addr >= r[i].base &&
		    addr + count * P <= r[i].base + r[i].len)
			return 1;
	return 0;
}

TEST(page, init_counts_free_pages)
{
	/* Two bitmaps: free pages and allocation starts. */
	KT_EXPECT_EQ(mm_page_pool_bitmap_bytes(three, 3),
		     2 * ((THREE_SPAN + 63) / 64) * 8);
	pool_setup(three, 3);
	KT_ASSERT(bitmap != NULL);
	KT_EXPECT_EQ(pool.free_pages, THREE_FREE);
	KT_EXPECT_EQ(pool.npages, THREE_SPAN);
	KT_EXPECT_EQ(pool.base, 0x100000);
}

TEST(page, single_pages_lowest_first)
{
	pool_setup(three, 3);
	for (int i = 0; i < 16; i++)
		KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 1), 0x100000 + i * P);
	/* The first region is used up: on to the next, skipping the hole. */
	for (int i = 0; i < 8; i++)
		KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 1), 0x120000 + i * P);
	KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 1), 0x200000);
	KT_EXPECT_EQ(pool.free_pages, THREE_FREE - 25);
}

TEST(page, every_page_handed_out_once)
{
	static char seen[THREE_SPAN];
	uint64_t a;
	int count = 0;

	memset(seen, 0, sizeof(seen));
	pool_setup(three, 3);
	while ((a = mm_page_pool_alloc(&pool, 1)) != 0) {
		KT_ASSERT(a % P == 0);
		KT_ASSERT(in_one_region(three, 3, a, 1));
		KT_ASSERT(!seen[(a - 0x100000) / P]);
		seen[(a - 0x100000) / P] = 1;
		KT_ASSERT(++count <= THREE_FREE);
	}
	KT_EXPECT_EQ(count, THREE_FREE);
	KT_EXPECT_EQ(pool.free_pages, 0);
	/* Out of memory stays out of memory. */
	KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 1), 0);
	KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 2), 0);
}

TEST(page, contiguous_runs_avoid_holes)
{
	uint64_t a;

	pool_setup(holey, 2);
	/* 4 pages: the first 3 plus the hole would be wrong. */
	a = mm_page_pool_alloc(&pool, 4);
	KT_EXPECT_EQ(a, 0x104000);
	/* 3 pages still fit at the bottom. */
	KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 3), 0x100000);
	a = mm_page_pool_alloc(&pool, 6);
	KT_EXPECT_EQ(a, 0x108000);
	KT_ASSERT(in_one_region(holey, 2, a, 6));
	KT_EXPECT_EQ(pool.free_pages, 0);

	/* Runs across the 64-page words of the bitmap stay inside regions. */
	pool_setup(three, 3);
	KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 10), 0x100000);
	a = mm_page_pool_alloc(&pool, 9); /* 6 left in the first */
	KT_EXPECT_EQ(a, 0x200000);
	a = mm_page_pool_alloc(&pool, 80);
	KT_EXPECT_EQ(a, 0x209000);
	KT_ASSERT(in_one_region(three, 3, a, 80));
	KT_EXPECT_EQ(pool.free_pages, THREE_FREE - 99);

	/* 13 pages are free, but the longest run is 10: no change. */
	pool_setup(holey, 2);
	KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 11), 0);
	KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 14), 0);
	KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 0), 0);
	KT_EXPECT_EQ(pool.free_pages, 13);
	KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 10), 0x104000);
	KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 3), 0x100000);
}

TEST(page, free_then_reallocate)
{
	uint64_t a[5], run;

	pool_setup(three, 3);
	for (int i = 0; i < 5; i++)
		a[i] = mm_page_pool_alloc(&pool, 1);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, a[1], 1), 0);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, a[3], 1), 0);
	KT_EXPECT_EQ(pool.free_pages, THREE_FREE - 3);
	/* The lowest free page comes back first. */
	KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 1), a[1]);
	KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 1), a[3]);
	KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 1), 0x100000 + 5 * P);

	/* A run freed is a run again. */
	run = mm_page_pool_alloc(&pool, 70);
	KT_EXPECT_EQ(run, 0x200000);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, run, 70), 0);
	KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 70), run);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, run, 70), 0);
	KT_EXPECT_EQ(pool.free_pages, THREE_FREE - 6);
}

TEST(page, double_free_changes_nothing)
{
	uint64_t a, b;

	pool_setup(three, 3);
	a = mm_page_pool_alloc(&pool, 1);
	b = mm_page_pool_alloc(&pool, 1);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, a, 1), 0);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, a, 1), MM_FREE_NOT_ALLOCATED);
	KT_EXPECT_EQ(pool.free_pages, THREE_FREE - 1);
	/* Half free, half allocated: refused as a whole, b stays taken. */
	KT_EXPECT_EQ(mm_page_pool_free(&pool, a, 2), MM_FREE_NOT_ALLOCATED);
	KT_EXPECT_EQ(pool.free_pages, THREE_FREE - 1);
	KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 1), a);
	KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 1), 0x100000 + 2 * P);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, b, 1), 0);
	/* A never-allocated free page cannot be freed either. */
	KT_EXPECT_EQ(mm_page_pool_free(&pool, 0x200000 + 50 * P, 1),
		     MM_FREE_NOT_ALLOCATED);
	KT_EXPECT_EQ(pool.free_pages, THREE_FREE - 2);
}

TEST(page, free_outside_pool_refused)
{
	pool_setup(three, 3);
	while (mm_page_pool_alloc(&pool, 1))
		;
	KT_EXPECT_EQ(mm_page_pool_free(&pool, 0x100000 - P, 1), -1);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, 0, 1), -1);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, 0x100000 + THREE_SPAN * P, 1),
		     -1);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, 0x200000 + 99 * P, 2), -1);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, 0x100800, 1), -1);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, 0x100000, SIZE_MAX), -1);
	KT_EXPECT_EQ(pool.free_pages, 0);
	KT_EXPECT_EQ(mm_page_pool_alloc(&pool, 1), 0);
}

/*
 * Pages in the holes between regions lie inside the bitmap's span but
 * were never the pool's (mm.h: -1 if some page was not allocated).
 * Accepting them would later hand out memory that is not RAM.
 */
TEST(page, free_in_hole_refused)
{
	pool_setup(three, 3);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, 0x110000, 1), -1);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, 0x1ff000, 1), -1);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, 0x11f000, 2), -1);
	KT_EXPECT_EQ(pool.free_pages, THREE_FREE);
	for (uint64_t a; (a = mm_page_pool_alloc(&pool, 1)) != 0;)
		KT_ASSERT(in_one_region(three, 3, a, 1));
}

/* A free names exactly one allocation: its first page and its count. */
TEST(page, free_inside_or_part_of_an_allocation_refused)
{
	uint64_t a, b, c;

	pool_setup(three, 3);
	a = mm_page_pool_alloc(&pool, 4);
	b = mm_page_pool_alloc(&pool, 2);
	KT_EXPECT_EQ(b, a + 4 * P);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, a + P, 1), MM_FREE_INSIDE);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, a + 3 * P, 1), MM_FREE_INSIDE);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, b + P, 1), MM_FREE_INSIDE);
	/* Short of the end, past it into b, past b into free pages. */
	KT_EXPECT_EQ(mm_page_pool_free(&pool, a, 2), MM_FREE_WRONG_SIZE);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, a, 6), MM_FREE_WRONG_SIZE);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, b, 3), MM_FREE_WRONG_SIZE);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, a, 0), MM_FREE_WRONG_SIZE);
	KT_EXPECT_EQ(pool.free_pages, THREE_FREE - 6);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, a, 4), 0);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, b, 2), 0);
	KT_EXPECT_EQ(pool.free_pages, THREE_FREE);

	/* An allocation that ends where its region does (a hole follows). */
	c = mm_page_pool_alloc(&pool, 16);
	KT_EXPECT_EQ(c, 0x100000);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, c, 17), MM_FREE_NOT_POOL);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, c, 15), MM_FREE_WRONG_SIZE);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, c, 16), 0);
	/* And one that ends where the pool does. */
	c = mm_page_pool_alloc(&pool, 100);
	KT_EXPECT_EQ(c, 0x200000);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, c, 100), 0);
	KT_EXPECT_EQ(pool.free_pages, THREE_FREE);
}

/* Single pages side by side are separate allocations. */
TEST(page, neighbouring_single_pages_are_freed_one_by_one)
{
	uint64_t a, b;

	pool_setup(three, 3);
	a = mm_page_pool_alloc(&pool, 1);
	b = mm_page_pool_alloc(&pool, 1);
	KT_EXPECT_EQ(b, a + P);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, a, 2), MM_FREE_WRONG_SIZE);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, b, 1), 0);
	KT_EXPECT_EQ(mm_page_pool_free(&pool, a, 1), 0);
	KT_EXPECT_EQ(pool.free_pages, THREE_FREE);
}
