/*
 * page.c - the physical page pool: a bitmap over the span of the free
 * regions, one bit per 4 KiB page, 1 = free. Allocation is first fit from
 * the lowest address, so early page tables land in low memory. A second
 * bitmap marks the first page of each allocation: a free must start at
 * one and cover the pages up to the next start, free page or hole, which
 * catches frees inside or of part of an allocation at the cost the free
 * loop already has. Pure logic (it never touches the pages), tested on
 * the host.
 */
#include <string.h>
#include <bulkhead/mm.h>

#define BITS 64

static int bit_get(const uint64_t *bm, uint64_t i)
{
	return (bm[i / BITS] >> (i % BITS)) & 1;
}

static void bit_set(uint64_t *bm, uint64_t i, int v)
{
	if (v)
		bm[i / BITS] |= 1ULL << (i % BITS);
	else
		bm[i / BITS] &= ~(1ULL << (i % BITS));
}

static uint64_t span_pages(const struct mm_region *r, int n)
{
	if (n == 0)
		return 0;
	return (r[n - 1].base + r[n - 1].len - r[0].base) / MM_PAGE_SIZE;
}

static uint64_t words_of(uint64_t npages)
{
	return (npages + BITS - 1) / BITS;
}

size_t mm_page_pool_bitmap_bytes(const struct mm_region *r, int n)
{
	return 2 * (size_t)words_of(span_pages(r, n)) * sizeof(uint64_t);
}

int mm_page_pool_init(struct mm_page_pool *p, const struct mm_region *r, int n,
		      uint64_t *bitmap)
{
	if (n > MM_POOL_REGIONS)
		return -1;
	memcpy(p->regions, r, n * sizeof(*r));
	p->nregions = n;
	p->base = n ? r[0].base : 0;
	p->npages = span_pages(r, n);
	p->bitmap = bitmap;
	p->starts = bitmap + words_of(p->npages);
	p->free_pages = 0;
	p->hint = 0;
	memset(bitmap, 0, mm_page_pool_bitmap_bytes(r, n));
	for (int i = 0; i < n; i++) {
		uint64_t first = (r[i].base - p->base) / MM_PAGE_SIZE;

		for (uint64_t j = 0; j < r[i].len / MM_PAGE_SIZE; j++)
			bit_set(bitmap, first + j, 1);
		p->free_pages += r[i].len / MM_PAGE_SIZE;
	}
	return 0;
}

/* Whether [addr, addr + count pages) lies inside one of the pool's regions. */
static int is_pool_ram(const struct mm_page_pool *p, uint64_t addr,
		       size_t count)
{
	for (int i = 0; i < p->nregions; i++) {
		const struct mm_region *r = &p->regions[i];

		if (addr >= r->base && addr < r->base + r->len &&
		    count <= (r->base + r->len - addr) / MM_PAGE_SIZE)
			return 1;
	}
	return 0;
}

static uint64_t alloc_one(struct mm_page_pool *p)
{
	uint64_t words = (p->npages + BITS - 1) / BITS;

	for (uint64_t w = p->hint; w < words; w++) {
		if (!p->bitmap[w])
			continue;
		uint64_t i = w * BITS + (uint64_t)__builtin_ctzll(p->bitmap[w]);

		p->hint = w;
		bit_set(p->bitmap, i, 0);
		bit_set(p->starts, i, 1);
		p->free_pages--;
		return p->base + i * MM_PAGE_SIZE;
	}
	p->hint = words;
	return 0;
}

uint64_t mm_page_pool_alloc(struct mm_page_pool *p, size_t count)
{
	if (count == 0 || count > p->free_pages)
		return 0;
	if (count == 1)
		return alloc_one(p);

	uint64_t run = 0;

	for (uint64_t i = p->hint * BITS; i < p->npages; i++) {
		run = bit_get(p->bitmap, i) ? run + 1 : 0;
		if (run < count)
			continue;
		uint64_t first = i + 1 - count;

		for (uint64_t j = first; j <= i; j++)
			bit_set(p->bitmap, j, 0);
		bit_set(p->starts, first, 1);
		p->free_pages -= count;
		return p->base + first * MM_PAGE_SIZE;
	}
	return 0;
}

/* Whether page i ends the allocation before it: free, the start of
 * another allocation, past the pool or in a hole between its regions. */
static int ends_allocation(const struct mm_page_pool *p, uint64_t i)
{
	return i >= p->npages || bit_get(p->bitmap, i) ||
	       bit_get(p->starts, i) ||
	       !is_pool_ram(p, p->base + i * MM_PAGE_SIZE, 1);
}

int mm_page_pool_free(struct mm_page_pool *p, uint64_t addr, size_t count)
{
	if (addr < p->base || addr % MM_PAGE_SIZE)
		return MM_FREE_NOT_POOL;
	uint64_t first = (addr - p->base) / MM_PAGE_SIZE;

	if (first + count > p->npages || first + count < first ||
	    !is_pool_ram(p, addr, count ? count : 1))
		return MM_FREE_NOT_POOL;
	if (bit_get(p->bitmap, first))
		return MM_FREE_NOT_ALLOCATED;
	if (!bit_get(p->starts, first))
		return MM_FREE_INSIDE;
	if (count == 0)
		return MM_FREE_WRONG_SIZE;
	/* [addr, addr + count pages) is RAM of one region: only the bits
	 * can say the allocation ended before its last page. */
	for (uint64_t j = first + 1; j < first + count; j++)
		if (bit_get(p->bitmap, j) || bit_get(p->starts, j))
			return MM_FREE_WRONG_SIZE; /* beyond its last page */
	if (!ends_allocation(p, first + count))
		return MM_FREE_WRONG_SIZE; /* short of its last page */
	for (uint64_t j = first; j < first + count; j++)
		bit_set(p->bitmap, j, 1);
	bit_set(p->starts, first, 0);
	p->free_pages += count;
	if (first / BITS < p->hint)
		p->hint = first / BITS;
	return 0;
}
