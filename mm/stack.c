/*
 * stack.c - stacks with guard pages, in their own virtual region.
 *
 * Each stack takes its pages one by one from the pool and maps them just
 * above an unmapped guard page, so an overflow faults at once. Virtual
 * ranges of freed stacks are kept for reuse; the region is 64 TiB, so
 * the number of stacks is limited by RAM, not by address space.
 *
 * In the region, a page is mapped exactly when it belongs to a live
 * stack, and every stack has an unmapped guard page below it: so the page
 * tables tell a free whether it names a whole live stack, with no record
 * of its own.
 */
#include <stdlib.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/x86.h>
#include <bulkhead/mm.h>

struct vrange {
	uintptr_t base; /* guard page included */
	size_t len;
	struct vrange *next;
};

static uintptr_t next_va = STACK_REGION_BASE;
static struct vrange *free_ranges;

/* Every live stack and the compartment it was allocated for. */
struct live_stack {
	uintptr_t bottom;
	int owner;
	struct live_stack *next;
};

static struct live_stack *live;

static uintptr_t take_range(size_t len)
{
	for (struct vrange **pp = &free_ranges; *pp; pp = &(*pp)->next) {
		struct vrange *r = *pp;

		if (r->len < len)
			continue;
		uintptr_t base = r->base;

		r->base += len;
		r->len -= len;
		if (r->len == 0) {
			*pp = r->next;
			free(r);
		}
		return base;
	}
	uintptr_t base = next_va;

	next_va += len;
	return base;
}

static void give_range(uintptr_t base, size_t len)
{
	struct vrange *r = malloc(sizeof(*r));

	if (!r)
		return; /* the virtual range is lost, nothing else */
	r->base = base;
	r->len = len;
	r->next = free_ranges;
	free_ranges = r;
}

static void unmap_pages(uintptr_t from, uintptr_t to)
{
	for (uintptr_t va = from; va < to; va += PAGE_SIZE) {
		uint64_t pte = vm_lookup(va);

		if (pte) {
			vm_unmap(va, PAGE_SIZE);
			mm_page_free((void *)(uintptr_t)(pte & PTE_ADDR_MASK),
				     1);
		}
	}
}

struct mm_stack(mm_stack_alloc)(size_t size, int caller)
{
	struct mm_stack none = {0, 0};
	struct live_stack *record;

	/* Before rounding: a size near 2^64 would round to a small one. */
	if (size == 0 || size > MM_STACK_MAX)
		return none;
	size = ALIGN_UP(size, (size_t)PAGE_SIZE);
	record = malloc(sizeof(*record));
	if (!record) {
		free(record);
		return none;
	}
	uintptr_t base = take_range(size + PAGE_SIZE);
	uintptr_t bottom = base + PAGE_SIZE;

	for (uintptr_t va = bottom; va < bottom + size; va += PAGE_SIZE) {
		void *page = mm_page_alloc_key(1, comp_stack_pkey());

		if (!page || vm_map(va, (uintptr_t)page, PAGE_SIZE, VM_WRITE)) {
			if (page)
				mm_page_free(page, 1);
			unmap_pages(bottom, va);
			give_range(base, size + PAGE_SIZE);
			free(record);
			return none;
		}
		/* The key is per mapping: tag this one too, not just the
		 * page's identity mapping. */
		vm_set_pkey(va, PAGE_SIZE, comp_stack_pkey());
	}
	/* KASan: no mark of an earlier stack here stays in the shadow. */
	mm_kasan_cover(base, size + PAGE_SIZE, comp_stack_pkey());
	record->bottom = bottom;
	record->owner = caller;
	record->next = live;
	live = record;
	return (struct mm_stack){bottom, bottom + size};
}

/* Why [bottom, top) is not a whole live stack, or NULL if it is. */
static const char *not_a_stack(uintptr_t bottom, uintptr_t top)
{
	if (bottom % PAGE_SIZE || top % PAGE_SIZE || top <= bottom ||
	    bottom < STACK_REGION_BASE + PAGE_SIZE || top > STACK_REGION_END)
		return "not a stack of the stack region";
	if (!vm_lookup(bottom))
		return "not allocated (double free?)";
	if (vm_lookup(bottom - PAGE_SIZE))
		return "inside a stack, not at its bottom";
	for (uintptr_t va = bottom + PAGE_SIZE; va < top; va += PAGE_SIZE)
		if (!vm_lookup(va))
			return "not the size of the stack there";
	if (vm_lookup(top))
		return "not the size of the stack there";
	return NULL;
}

/* A free that is not exactly one live stack would unmap and free pages
 * that are not its own, or hand the range out twice: it stops the
 * machine, saying what was wrong. */
void(mm_stack_free)(struct mm_stack s, int caller)
{
	const char *why = not_a_stack(s.bottom, s.top);
	struct live_stack **pp = &live;

	if (why)
		panic("mm_stack_free(bottom 0x%lx, top 0x%lx): %s", s.bottom,
		      s.top, why);
	while (*pp && (*pp)->bottom != s.bottom)
		pp = &(*pp)->next;
	if (*pp && (*pp)->owner != caller)
		panic("mm_stack_free(bottom 0x%lx, top 0x%lx): compartment %s "
		      "frees a stack of compartment %s",
		      s.bottom, s.top, comp_name(caller),
		      comp_name((*pp)->owner));
	if (*pp) {
		struct live_stack *gone = *pp;

		*pp = gone->next;
		free(gone);
	}
	unmap_pages(s.bottom, s.top);
	give_range(s.bottom - PAGE_SIZE, s.top - s.bottom + PAGE_SIZE);
}
