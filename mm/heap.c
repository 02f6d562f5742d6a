/*
 * heap.c - a heap object: boundary-tag chunks, segregated free lists,
 * immediate coalescing. Pure logic over memory it is given, so the same
 * code serves the kernel heap, per-compartment heaps and host tests.
 *
 * A region is laid out as
 *
 *   | region header | chunk | chunk | ... | fence |
 *
 * and a chunk as
 *
 *   +-----------+-----------+----------------------------+
 *   | prev_size | head      | payload (16-byte aligned)  |
 *   +-----------+-----------+----------------------------+
 *   head = size | IN_USE | PREV_IN_USE      (size includes this header)
 *
 * `prev_size` is valid only when the previous chunk is free (it is that
 * chunk's footer). Free chunks keep list links in their payload. The fence
 * is a permanently in-use header of size 16 that stops coalescing.
 *
 * Bins: sizes below 1 KiB have one bin per 16-byte class (exact fit);
 * larger ones one bin per power of two (first fit inside the bin). A
 * bitmap of non-empty bins makes the search a few instructions.
 */
#include <string.h>
#include <bulkhead/mm.h>

#define ALIGN	    16
#define HDR	    16 /* prev_size + head */
#define MIN_CHUNK   32 /* header + two list links */
#define IN_USE	    1UL
#define PREV_IN_USE 2UL
#define FLAGS	    (IN_USE | PREV_IN_USE)
#define SMALL_LIMIT 1024
#define MAX_REQUEST ((size_t)1 << 46)

struct mm_heap_chunk {
	size_t prev_size;	    /* size of the previous chunk, if free */
	size_t head;		    /* size | flags */
	struct mm_heap_chunk *next; /* free list links (free chunks only) */
	struct mm_heap_chunk *prev;
};

struct mm_heap_region {
	struct mm_heap_region *next; /* all regions of the heap */
	size_t len;		     /* bytes, header included */
};

_Static_assert(sizeof(struct mm_heap_region) == ALIGN, "region header");

static size_t csize(const struct mm_heap_chunk *c)
{
	return c->head & ~FLAGS;
}

static struct mm_heap_chunk *at(const void *base, size_t off)
{
	return (struct mm_heap_chunk *)((char *)base + off);
}

static struct mm_heap_chunk *next_chunk(const struct mm_heap_chunk *c)
{
	return at(c, csize(c));
}

static struct mm_heap_chunk *chunk_of(const void *payload)
{
	return at(payload, 0 - (size_t)HDR);
}

static void *payload_of(struct mm_heap_chunk *c)
{
	return (char *)c + HDR;
}

static int bin_index(size_t size)
{
	if (size < SMALL_LIMIT)
		return (int)(size / ALIGN);   /* 2..63 */
	int log = 63 - __builtin_clzll(size); /* >= 10 */
	int i = 64 + (log - 10);

	return i < MM_HEAP_BINS ? i : MM_HEAP_BINS - 1;
}

static void bin_insert(struct mm_heap *h, struct mm_heap_chunk *c)
{
	int i = bin_index(csize(c));

	c->prev = NULL;
	c->next = h->bins[i];
	if (c->next)
		c->next->prev = c;
	h->bins[i] = c;
	h->nonempty[i / 64] |= 1ULL << (i % 64);
}

static void bin_remove(struct mm_heap *h, struct mm_heap_chunk *c)
{
	int i = bin_index(csize(c));

	if (c->prev)
		c->prev->next = c->next;
	else
		h->bins[i] = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (!h->bins[i])
		h->nonempty[i / 64] &= ~(1ULL << (i % 64));
}

/* Mark c free with the given size and tell its successor. */
static void set_free(struct mm_heap *h, struct mm_heap_chunk *c, size_t size,
		     size_t prev_flag)
{
	c->head = size | prev_flag;
	struct mm_heap_chunk *n = next_chunk(c);

	n->prev_size = size;
	n->head &= ~PREV_IN_USE;
	bin_insert(h, c);
}

void mm_heap_init(struct mm_heap *h, const char *name)
{
	memset(h, 0, sizeof(*h));
	h->name = name;
}

int mm_heap_add_region(struct mm_heap *h, void *base, size_t len)
{
	uintptr_t s = ((uintptr_t)base + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
	uintptr_t e = ((uintptr_t)base + len) & ~(uintptr_t)(ALIGN - 1);

	if (e < s || e - s < sizeof(struct mm_heap_region) + MIN_CHUNK + HDR)
		return -1;
	struct mm_heap_region *r = (struct mm_heap_region *)s;

	r->len = e - s;
	r->next = h->regions;
	h->regions = r;
	h->bytes_total += r->len;

	struct mm_heap_chunk *first = at(r, sizeof(*r));
	size_t size = r->len - sizeof(*r) - HDR;
	struct mm_heap_chunk *fence = at(first, size);

	fence->head = HDR | IN_USE;
	first->prev_size = 0;
	set_free(h, first, size, PREV_IN_USE);
	return 0;
}

/* Find and unlink a free chunk of at least `need` bytes, or NULL. */
static struct mm_heap_chunk *take_fit(struct mm_heap *h, size_t need)
{
	int i = bin_index(need);

	/* Large bins hold a range of sizes: first fit inside the own bin. */
	if (i >= SMALL_LIMIT / ALIGN) {
		for (struct mm_heap_chunk *c = h->bins[i]; c; c = c->next) {
			if (csize(c) >= need) {
				bin_remove(h, c);
				return c;
			}
		}
		i++;
	}
	/* Any chunk of a larger bin fits. */
	for (int w = i / 64; w < MM_HEAP_BINS / 64; w++) {
		uint64_t bits = h->nonempty[w];

		if (w == i / 64)
			bits &= ~0ULL << (i % 64);
		if (!bits)
			continue;
		struct mm_heap_chunk *c =
			h->bins[w * 64 + __builtin_ctzll(bits)];

		bin_remove(h, c);
		return c;
	}
	return NULL;
}

/* Mark c in use at `need` bytes, returning any tail of it to the bins. */
static void use_chunk(struct mm_heap *h, struct mm_heap_chunk *c, size_t need)
{
	size_t size = csize(c);
	size_t prev_flag = c->head & PREV_IN_USE;

	if (size - need >= MIN_CHUNK) {
		c->head = need | IN_USE | prev_flag;
		set_free(h, at(c, need), size - need, PREV_IN_USE);
		size = need;
	} else {
		c->head = size | IN_USE | prev_flag;
		next_chunk(c)->head |= PREV_IN_USE;
	}
	h->bytes_used += size;
}

static size_t request_size(size_t size)
{
	if (size > MAX_REQUEST)
		return 0;
	size_t need = (size + HDR + ALIGN - 1) & ~(size_t)(ALIGN - 1);

	return need < MIN_CHUNK ? MIN_CHUNK : need;
}

void *mm_heap_alloc(struct mm_heap *h, size_t size)
{
	size_t need = request_size(size);

	if (!need)
		return NULL;
	struct mm_heap_chunk *c = take_fit(h, need);

	if (!c && h->grow &&
	    h->grow(h, need + sizeof(struct mm_heap_region) + HDR) == 0)
		c = take_fit(h, need);
	if (!c)
		return NULL;
	use_chunk(h, c, need);
	return payload_of(c);
}

/* Free chunk c (already counted out of bytes_used), merging neighbours. */
static void release(struct mm_heap *h, struct mm_heap_chunk *c)
{
	size_t size = csize(c);
	size_t prev_flag = c->head & PREV_IN_USE;
	struct mm_heap_chunk *n = next_chunk(c);

	/* Mark the header free even if it is about to be absorbed by its
	 * free predecessor: a stale "in use" header inside a free chunk
	 * would let a second free() of the same pointer pass owns(). */
	c->head &= ~IN_USE;
	if (!(n->head & IN_USE)) {
		bin_remove(h, n);
		size += csize(n);
	}
	if (!prev_flag) {
		struct mm_heap_chunk *p = at(c, 0 - c->prev_size);

		bin_remove(h, p);
		size += csize(p);
		prev_flag = p->head & PREV_IN_USE;
		c = p;
	}
	set_free(h, c, size, prev_flag);
}

/* Whether p is the payload of an in-use chunk inside one of h's regions. */
static int owns(const struct mm_heap *h, const void *p)
{
	uintptr_t a = (uintptr_t)p;

	if (!p || a % ALIGN)
		return 0;
	for (const struct mm_heap_region *r = h->regions; r; r = r->next) {
		uintptr_t s = (uintptr_t)r + sizeof(*r) + HDR;
		uintptr_t e = (uintptr_t)r + r->len - HDR;

		if (a < s || a >= e)
			continue;
		const struct mm_heap_chunk *c = chunk_of(p);
		size_t size = csize(c);

		return (c->head & IN_USE) && size >= MIN_CHUNK &&
		       size % ALIGN == 0 && a - HDR + size <= e &&
		       (next_chunk(c)->head & PREV_IN_USE);
	}
	return 0;
}

int mm_heap_free(struct mm_heap *h, void *p)
{
	if (!p)
		return 0;
	if (!owns(h, p))
		return -1;
	struct mm_heap_chunk *c = chunk_of(p);

	h->bytes_used -= csize(c);
	release(h, c);
	return 0;
}

/* Cut an in-use chunk down to `need` bytes, freeing the tail if it can. */
static void trim(struct mm_heap *h, struct mm_heap_chunk *c, size_t need)
{
	size_t have = csize(c);

	if (have - need < MIN_CHUNK)
		return;
	struct mm_heap_chunk *tail = at(c, need);

	c->head = need | (c->head & FLAGS);
	tail->head = (have - need) | IN_USE | PREV_IN_USE;
	h->bytes_used -= have - need;
	release(h, tail);
}

void *mm_heap_alloc_aligned(struct mm_heap *h, size_t align, size_t size)
{
	if (align <= ALIGN)
		return mm_heap_alloc(h, size);
	if (align & (align - 1))
		return NULL;
	size_t need = request_size(size);

	if (!need || need + align + MIN_CHUNK < need)
		return NULL;
	void *raw = mm_heap_alloc(h, need + align + MIN_CHUNK);

	if (!raw)
		return NULL;
	uintptr_t a = ((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1);

	if (a == (uintptr_t)raw) {
		trim(h, chunk_of(raw), need);
		return raw;
	}
	/* Leave room for a free chunk in front of the aligned payload. */
	while (a - (uintptr_t)raw < MIN_CHUNK)
		a += align;
	struct mm_heap_chunk *c = chunk_of(raw);
	struct mm_heap_chunk *ac = chunk_of((void *)a);
	size_t front = (uintptr_t)ac - (uintptr_t)c;
	size_t total = csize(c);

	ac->head = (total - front) | IN_USE;
	c->head = front | IN_USE | (c->head & PREV_IN_USE);
	ac->head |= PREV_IN_USE;
	/* Give the front back: it is a chunk of its own now. */
	h->bytes_used -= front;
	release(h, c);
	trim(h, ac, need);
	return (void *)a;
}

size_t mm_heap_usable_size(const void *p)
{
	return p ? csize(chunk_of(p)) - HDR : 0;
}

void *mm_heap_realloc(struct mm_heap *h, void *p, size_t size)
{
	if (!p)
		return mm_heap_alloc(h, size);
	if (!owns(h, p))
		return NULL;
	size_t need = request_size(size);

	if (!need)
		return NULL;
	struct mm_heap_chunk *c = chunk_of(p);
	size_t have = csize(c);
	struct mm_heap_chunk *n = next_chunk(c);

	/* Grow in place into a free successor. */
	if (need > have && !(n->head & IN_USE) && have + csize(n) >= need) {
		bin_remove(h, n);
		have += csize(n);
		h->bytes_used += csize(n);
		c->head = have | (c->head & FLAGS);
		next_chunk(c)->head |= PREV_IN_USE;
	}
	if (need <= have) {
		trim(h, c, need);
		return p;
	}
	void *q = mm_heap_alloc(h, size);

	if (!q)
		return NULL; /* p is left as it was */
	memcpy(q, p, have - HDR);
	mm_heap_free(h, p);
	return q;
}

int mm_heap_check(const struct mm_heap *h, const char **why)
{
	size_t used = 0, free_bytes = 0, in_bins = 0;

	*why = NULL;
	for (const struct mm_heap_region *r = h->regions; r; r = r->next) {
		const struct mm_heap_chunk *c = at(r, sizeof(*r));
		const struct mm_heap_chunk *end = at(r, r->len - HDR);
		int prev_used = 1;

		while (c < end) {
			size_t size = csize(c);

			if (size < MIN_CHUNK || size % ALIGN ||
			    (const char *)c + size > (const char *)end) {
				*why = "chunk size out of range";
				return -1;
			}
			if (!!(c->head & PREV_IN_USE) != prev_used) {
				*why = "PREV_IN_USE disagrees with neighbour";
				return -1;
			}
			prev_used = (c->head & IN_USE) != 0;
			if (prev_used) {
				used += size;
			} else {
				const struct mm_heap_chunk *n = next_chunk(c);

				if (!(n->head & IN_USE)) {
					*why = "two free chunks side by side";
					return -1;
				}
				if (n->prev_size != size) {
					*why = "footer disagrees with size";
					return -1;
				}
				free_bytes += size;
			}
			c = next_chunk(c);
		}
		if (c != end || csize(c) != HDR || !(c->head & IN_USE)) {
			*why = "region fence damaged";
			return -1;
		}
	}
	for (int i = 0; i < MM_HEAP_BINS; i++) {
		int listed = h->bins[i] != NULL;
		int flagged = (h->nonempty[i / 64] >> (i % 64)) & 1;

		if (listed != flagged) {
			*why = "bin bitmap disagrees with bins";
			return -1;
		}
		for (const struct mm_heap_chunk *c = h->bins[i]; c;
		     c = c->next) {
			if (c->head & IN_USE || bin_index(csize(c)) != i) {
				*why = "wrong chunk in a bin";
				return -1;
			}
			in_bins += csize(c);
		}
	}
	if (in_bins != free_bytes) {
		*why = "free chunks missing from the bins";
		return -1;
	}
	if (used != h->bytes_used) {
		*why = "bytes_used disagrees with the chunks";
		return -1;
	}
	return 0;
}
