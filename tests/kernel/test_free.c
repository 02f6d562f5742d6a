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
#include <stdlib.h>
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

/* Announce the panic of mm_stack_free(s) and why. */
static void expect_stack_free(struct mm_stack s, const char *why)
{
	char what[160];

	snprintf(what, sizeof(what),
		 "mm_stack_free(bottom 0x%lx, top 0x%lx): %s", s.bottom, s.top,
		 why);
	expect_panic(what);
}

TEST_ALONE(mm_free, stack_double_free)
{
	struct mm_stack s = mm_stack_alloc(3 * MM_PAGE_SIZE);

	KT_ASSERT(s.bottom != 0);
	mm_stack_free(s);
	expect_stack_free(s, "not allocated (double free?)");
	mm_stack_free(s);
}

/* Far above every stack handed out so far. */
TEST_ALONE(mm_free, stack_never_allocated)
{
	uintptr_t bottom = STACK_REGION_BASE + ((uintptr_t)1 << 40);
	struct mm_stack s = {bottom, bottom + 2 * MM_PAGE_SIZE};

	expect_stack_free(s, "not allocated (double free?)");
	mm_stack_free(s);
}

TEST_ALONE(mm_free, stack_inside_a_stack)
{
	struct mm_stack s = mm_stack_alloc(4 * MM_PAGE_SIZE);

	KT_ASSERT(s.bottom != 0);
	s.bottom += MM_PAGE_SIZE;
	expect_stack_free(s, "inside a stack, not at its bottom");
	mm_stack_free(s);
}

TEST_ALONE(mm_free, stack_part_of_a_stack)
{
	struct mm_stack s = mm_stack_alloc(4 * MM_PAGE_SIZE);

	KT_ASSERT(s.bottom != 0);
	s.top -= MM_PAGE_SIZE;
	expect_stack_free(s, "not the size of the stack there");
	mm_stack_free(s);
}

/* Two stacks side by side, freed as one: the guard between them shows. */
TEST_ALONE(mm_free, stack_and_its_neighbour)
{
	struct mm_stack a = mm_stack_alloc(2 * MM_PAGE_SIZE);
	struct mm_stack b = mm_stack_alloc(2 * MM_PAGE_SIZE);
	struct mm_stack both = {a.bottom, b.top};

	KT_ASSERT(a.bottom != 0 && b.bottom == a.top + MM_PAGE_SIZE);
	expect_stack_free(both, "not the size of the stack there");
	mm_stack_free(both);
}

/* Pages of the pool, identity-mapped: freeing it as a stack would
 * unmap it and give its pages back to the pool. */
TEST_ALONE(mm_free, stack_outside_the_region)
{
	void *p = mm_page_alloc(2);
	struct mm_stack s = {(uintptr_t)p, (uintptr_t)p + 2 * MM_PAGE_SIZE};

	KT_ASSERT(p != NULL);
	expect_stack_free(s, "not a stack of the stack region");
	mm_stack_free(s);
}

/* Announce the panic of mm_slot_free(base) and why. */
static void expect_slot_free(uintptr_t base, const char *why)
{
	char what[160];

	snprintf(what, sizeof(what), "mm_slot_free(0x%lx): %s",
		 (unsigned long)base, why);
	expect_panic(what);
}

/* Slots are full gates' stack space, but their allocator works in any
 * image (pages are mapped in them only under full gates). */
TEST_ALONE(mm_free, slot_double_free)
{
	uintptr_t base = mm_slot_alloc();

	KT_ASSERT(base != 0);
	mm_slot_free(base);
	expect_slot_free(base, "not allocated (double free?)");
	mm_slot_free(base);
}

/* Far above every slot handed out so far. */
TEST_ALONE(mm_free, slot_never_allocated)
{
	uintptr_t base = SLOT_REGION_BASE + 1000 * (uintptr_t)SLOT_SIZE;

	expect_slot_free(base, "not allocated (double free?)");
	mm_slot_free(base);
}

TEST_ALONE(mm_free, slot_inside_a_slot)
{
	uintptr_t base = mm_slot_alloc();

	KT_ASSERT(base != 0);
	expect_slot_free(base + SLOT_SPAN, "inside a slot, not at its base");
	mm_slot_free(base + SLOT_SPAN);
}

/* Pages of the pool, identity-mapped: freeing them as a slot would unmap
 * them and give them back to the pool. */
TEST_ALONE(mm_free, slot_outside_the_region)
{
	void *p = mm_page_alloc(1);

	KT_ASSERT(p != NULL);
	expect_slot_free((uintptr_t)p, "not in the slot region");
	mm_slot_free((uintptr_t)p);
}

/* A freed slot is handed out again, lowest first, and only once. */
TEST(mm_free, slots_are_reused_lowest_first)
{
	uintptr_t a = mm_slot_alloc(), b = mm_slot_alloc();
	uintptr_t c = mm_slot_alloc();

	KT_ASSERT(a && b && c);
	mm_slot_free(a);
	mm_slot_free(b);
	KT_EXPECT_EQ(mm_slot_alloc(), a);
	KT_EXPECT_EQ(mm_slot_alloc(), b);
	uintptr_t d = mm_slot_alloc();

	KT_ASSERT(d > c);
	mm_slot_free(d);
	mm_slot_free(c);
	mm_slot_free(b);
	mm_slot_free(a);
}

/* Announce the panic of mm_shared_free(p) and why. */
static void expect_shared_free(const void *p, const char *why)
{
	char what[160];

	snprintf(what, sizeof(what), "mm_shared_free(0x%lx): %s",
		 (unsigned long)(uintptr_t)p, why);
	expect_panic(what);
}

TEST_ALONE(mm_free, shared_double_free)
{
	char *p = mm_shared_alloc(100);

	KT_ASSERT(p != NULL);
	mm_shared_free(p);
	expect_shared_free(p, "not allocated (double free?)");
	mm_shared_free(p);
}

/* The second of the two 2 KiB blocks of a page nothing else uses. */
TEST_ALONE(mm_free, shared_never_allocated)
{
	char *p = mm_shared_alloc(2000);

	KT_ASSERT(p != NULL && (uintptr_t)p % MM_PAGE_SIZE == 0);
	expect_shared_free(p + 2048, "not allocated (double free?)");
	mm_shared_free(p + 2048);
}

TEST_ALONE(mm_free, shared_inside_a_block)
{
	char *p = mm_shared_alloc(100);
	char what[96];

	KT_ASSERT(p != NULL);
	snprintf(what, sizeof(what),
		 "inside a block of 128 bytes at 0x%lx, not at its start",
		 (unsigned long)(uintptr_t)p);
	expect_shared_free(p + 16, what);
	mm_shared_free(p + 16);
}

/* Blocks above 2 KiB are whole pages of their own. */
TEST_ALONE(mm_free, shared_inside_a_large_block)
{
	char *p = mm_shared_alloc(3 * MM_PAGE_SIZE);
	char what[96];

	KT_ASSERT(p != NULL);
	snprintf(what, sizeof(what),
		 "inside a block of 3 pages at 0x%lx, not at its start",
		 (unsigned long)(uintptr_t)p);
	expect_shared_free(p + MM_PAGE_SIZE, what);
	mm_shared_free(p + MM_PAGE_SIZE);
}

TEST_ALONE(mm_free, shared_large_double_free)
{
	char *p = mm_shared_alloc(3 * MM_PAGE_SIZE);

	KT_ASSERT(p != NULL);
	mm_shared_free(p);
	expect_shared_free(p, "not a block of the shared heap");
	mm_shared_free(p);
}

/* A block of the (private) libc heap is not a shared one. */
TEST_ALONE(mm_free, shared_outside_the_heap)
{
	void *p = malloc(64);

	KT_ASSERT(p != NULL);
	expect_shared_free(p, "not a block of the shared heap");
	mm_shared_free(p);
}

/* Announce the panic of free(p) (libc/malloc.c). */
static void expect_heap_free(const void *p)
{
	char what[160];

	snprintf(what, sizeof(what),
		 "free(0x%lx): not a block allocated from heap \"libc\" "
		 "(double free or stray pointer)",
		 (unsigned long)(uintptr_t)p);
	expect_panic(what);
}

/* free(p), with p hidden from gcc, which sees these frees are wrong. */
static void free_stray(void *p)
{
	void *volatile hidden = p;

	free(hidden);
}

/* Its double free is fault.double_free_is_caught. A block's zeroed
 * payload, read as a chunk header, is no block in use. */
TEST_ALONE(mm_free, heap_inside_a_block)
{
	char *p = calloc(1, 64);

	KT_ASSERT(p != NULL);
	expect_heap_free(p + 16);
	free_stray(p + 16);
}

/*
 * Chunk headers sit right below each payload (libc/heap.c), so what a
 * block holds can look like one. These two forge a header of an in-use
 * 32-byte chunk, and a successor saying so, below the pointer freed:
 * only the check under test stands in the way. A header forged at a
 * 16-byte aligned place inside a block cannot be told from a real one
 * without walking the heap: free() does not try.
 */
static void forge_chunk(uint64_t *payload)
{
	payload[-1] = 32 | 3; /* size 32, in use, previous in use */
	payload[3] = 3;	      /* the next chunk's head: previous in use */
}

TEST_ALONE(mm_free, heap_misaligned_over_a_forged_header)
{
	char *p = malloc(64);

	KT_ASSERT(p != NULL);
	forge_chunk((uint64_t *)(p + 8));
	expect_heap_free(p + 8);
	free_stray(p + 8);
}

static uint64_t forged[8] __attribute__((aligned(16)));

TEST_ALONE(mm_free, heap_outside_the_heap_over_a_forged_header)
{
	forge_chunk(&forged[2]);
	expect_heap_free(&forged[2]);
	free_stray(&forged[2]);
}

/* Stacks and slots record the compartment they were allocated for; only
 * it may free them. (Across a gate the gate fills in the caller: here, in
 * one compartment, the test names another itself.) */
TEST_ALONE(mm_free, stack_of_another_compartment)
{
	struct mm_stack s = mm_stack_alloc(2 * MM_PAGE_SIZE);

	KT_ASSERT(s.bottom != 0);
	expect_stack_free(s, "compartment ? frees a stack of compartment all");
	(mm_stack_free)(s, 5);
}

TEST_ALONE(mm_free, slot_of_another_compartment)
{
	uintptr_t base = mm_slot_alloc();

	KT_ASSERT(base != 0);
	expect_slot_free(base, "compartment ? frees a slot of compartment all");
	(mm_slot_free)(base, 5);
}

/* Sizes past the largest stack, near 2^64 above all (which rounding up
 * to a page would wrap to a small one), get no stack: found by the
 * interface fuzzer through sched_create's stack size. */
TEST(mm_free, stack_of_no_sane_size_is_refused)
{
	static const size_t sizes[] = {
		MM_STACK_MAX + 1,
		(size_t)-4096,
		(size_t)-1,
		(size_t)1 << 63,
	};

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		struct mm_stack s = mm_stack_alloc(sizes[i]);

		KT_EXPECT_EQ(s.bottom, 0);
		KT_EXPECT_EQ(s.top, 0);
	}
}
