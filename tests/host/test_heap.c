/*
 * test_heap.c - the boundary-tag heap (mm/heap.c) over arenas from the
 * host's allocator. Every case checks the heap's own consistency walk
 * (mm_heap_check) as well as what it returns; the stress case runs a
 * long random mix of operations against a shadow model.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/mm.h>
#include "ktest.h"
#include "isolate.h"

#define KiB 1024

/*
 * Arenas of the current case. They are released when the next case sets
 * up its heap, and stay reachable from here in between, so a case that
 * ends early on a failed check does not also produce a leak report.
 */
static void *arenas[16];
static int narenas;

static void *arena_alloc(size_t len)
{
	void *a;

	if (narenas == (int)(sizeof(arenas) / sizeof(arenas[0])))
		return NULL;
	/* aligned_alloc wants a size that is a multiple of the alignment. */
	a = aligned_alloc(64, (len + 63) & ~(size_t)63);
	if (a)
		arenas[narenas++] = a;
	return a;
}

static struct mm_heap heap;

/* A fresh heap over one arena of `len` bytes (a multiple of 16). */
static void *heap_setup(size_t len)
{
	void *a;

	while (narenas > 0)
		free(arenas[--narenas]);
	mm_heap_init(&heap, "test");
	a = arena_alloc(len);
	if (a && mm_heap_add_region(&heap, a, len) != 0)
		return NULL;
	return a;
}

/* End the case unless mm_heap_check() finds the heap consistent. */
#define KT_HEAP_OK()                                                           \
	do {                                                                   \
		const char *why_ = NULL;                                       \
		if (mm_heap_check(&heap, &why_) != 0) {                        \
			ktest_fail(__FILE__, __LINE__, "mm_heap_check: %s",    \
				   why_ ? why_ : "?");                         \
			return;                                                \
		}                                                              \
	} while (0)

/* Whether [p, p + len) lies inside [a, a + alen). */
static int inside(const void *p, size_t len, const void *a, size_t alen)
{
	uintptr_t x = (uintptr_t)p, s = (uintptr_t)a;

	return x >= s && x + len <= s + alen;
}

/* Fill a block with a pattern derived from `seed`; holds() checks that
 * it is still there (0 on the first wrong byte). */
static void fill(void *p, size_t len, unsigned seed)
{
	unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		b[i] = (unsigned char)(seed + i * 7 + (i >> 8));
}

static int holds(const void *p, size_t len, unsigned seed)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i] != (unsigned char)(seed + i * 7 + (i >> 8)))
			return 0;
	return 1;
}

/* The largest payload a region of len bytes can hold: the region costs a
 * 16-byte header and a 16-byte fence, its one chunk a 16-byte header. */
static size_t largest(size_t len)
{
	return len - 48;
}

TEST(heap, alloc_free_coalesce)
{
	const size_t len = 64 * KiB;
	void *arena = heap_setup(len);
	void *p[48];

	KT_ASSERT(arena != NULL);
	KT_EXPECT_EQ(heap.bytes_total, len);
	for (int i = 0; i < 48; i++) {
		size_t size = (size_t)(i * 37 % 700) + 1;

		p[i] = mm_heap_alloc(&heap, size);
		KT_ASSERT(p[i] != NULL);
		KT_ASSERT(inside(p[i], size, arena, len));
		fill(p[i], size, (unsigned)i);
	}
	KT_HEAP_OK();
	/* Free every other block, then the rest: each free merges. */
	for (int i = 0; i < 48; i += 2)
		KT_EXPECT_EQ(mm_heap_free(&heap, p[i]), 0);
	KT_HEAP_OK();
	for (int i = 1; i < 48; i += 2) {
		KT_ASSERT(holds(p[i], (size_t)(i * 37 % 700) + 1, (unsigned)i));
		KT_EXPECT_EQ(mm_heap_free(&heap, p[i]), 0);
	}
	KT_HEAP_OK();
	KT_EXPECT_EQ(heap.bytes_used, 0);
	/* All one chunk again: exactly the whole region fits, no more. */
	KT_ASSERT(mm_heap_alloc(&heap, largest(len) + 1) == NULL);
	p[0] = mm_heap_alloc(&heap, largest(len));
	KT_ASSERT(p[0] != NULL);
	KT_ASSERT(inside(p[0], largest(len), arena, len));
	KT_HEAP_OK();
	KT_EXPECT_EQ(mm_heap_free(&heap, p[0]), 0);
	KT_EXPECT_EQ(heap.bytes_used, 0);
}

TEST(heap, payloads_are_16_aligned)
{
	const size_t len = 256 * KiB;
	void *arena = heap_setup(len);
	static void *p[600];

	KT_ASSERT(arena != NULL);
	for (size_t size = 0; size < 600; size++) {
		p[size] = mm_heap_alloc(&heap, size);
		KT_ASSERT(p[size] != NULL);
		KT_EXPECT_EQ((uintptr_t)p[size] % 16, 0);
		KT_ASSERT(mm_heap_usable_size(p[size]) >= size);
		KT_ASSERT(inside(p[size], mm_heap_usable_size(p[size]), arena,
				 len));
		memset(p[size], 0xa5, mm_heap_usable_size(p[size]));
	}
	KT_HEAP_OK();
	for (size_t size = 0; size < 600; size++)
		KT_EXPECT_EQ(mm_heap_free(&heap, p[size]), 0);
	KT_EXPECT_EQ(heap.bytes_used, 0);
	KT_HEAP_OK();
}

TEST(heap, aligned_allocations)
{
	const size_t len = 512 * KiB;
	void *arena = heap_setup(len);
	static void *p[200];
	int n = 0;

	KT_ASSERT(arena != NULL);
	for (size_t align = 32; align <= 4096; align *= 2) {
		static const size_t sizes[] = {1, 24, 100, 4096, 5000};

		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			/* An odd-sized block in between shifts the next one. */
			p[n] = mm_heap_alloc(&heap, 40 + 16 * i);
			KT_ASSERT(p[n] != NULL);
			n++;
			p[n] = mm_heap_alloc_aligned(&heap, align, sizes[i]);
			KT_ASSERT(p[n] != NULL);
			KT_EXPECT_EQ((uintptr_t)p[n] % align, 0);
			KT_ASSERT(mm_heap_usable_size(p[n]) >= sizes[i]);
			KT_ASSERT(inside(p[n], sizes[i], arena, len));
			memset(p[n], 0x5a, sizes[i]);
			n++;
			KT_HEAP_OK();
		}
	}
	/* Alignments of 16 or less are what every payload has anyway. */
	p[n] = mm_heap_alloc_aligned(&heap, 8, 10);
	KT_ASSERT(p[n] != NULL && (uintptr_t)p[n] % 16 == 0);
	n++;
	/* Not a power of two: refused. */
	KT_ASSERT(mm_heap_alloc_aligned(&heap, 48, 10) == NULL);
	KT_ASSERT(mm_heap_alloc_aligned(&heap, 1000, 10) == NULL);
	KT_HEAP_OK();
	for (int i = n - 1; i >= 0; i--)
		KT_EXPECT_EQ(mm_heap_free(&heap, p[i]), 0);
	KT_EXPECT_EQ(heap.bytes_used, 0);
	KT_HEAP_OK();
	/* The space in front of each aligned block was given back too. */
	p[0] = mm_heap_alloc(&heap, largest(len));
	KT_ASSERT(p[0] != NULL);
	KT_EXPECT_EQ(mm_heap_free(&heap, p[0]), 0);
}

TEST(heap, realloc_in_place)
{
	void *arena = heap_setup(64 * KiB);
	void *p, *q;

	KT_ASSERT(arena != NULL);
	/* realloc of NULL allocates. */
	p = mm_heap_realloc(&heap, NULL, 100);
	KT_ASSERT(p != NULL);
	fill(p, 100, 3);
	/* Followed only by free space: grows where it is. */
	q = mm_heap_realloc(&heap, p, 3000);
	KT_ASSERT(q == p);
	KT_ASSERT(mm_heap_usable_size(q) >= 3000);
	KT_ASSERT(holds(q, 100, 3));
	KT_HEAP_OK();
	fill(q, 3000, 4);
	/* Shrinking stays too, and hands the tail back. */
	q = mm_heap_realloc(&heap, p, 200);
	KT_ASSERT(q == p);
	KT_ASSERT(holds(q, 200, 4));
	KT_ASSERT(heap.bytes_used < 300);
	KT_HEAP_OK();
	KT_EXPECT_EQ(mm_heap_free(&heap, q), 0);
	KT_EXPECT_EQ(heap.bytes_used, 0);
}

TEST(heap, realloc_moves_and_copies)
{
	void *arena = heap_setup(64 * KiB);
	void *a, *b, *q;
	size_t used;

	KT_ASSERT(arena != NULL);
	a = mm_heap_alloc(&heap, 100);
	b = mm_heap_alloc(&heap, 100); /* in the way of a growing */
	KT_ASSERT(a != NULL && b != NULL);
	fill(a, 100, 9);
	fill(b, 100, 10);
	q = mm_heap_realloc(&heap, a, 5000);
	KT_ASSERT(q != NULL);
	KT_ASSERT(q != a);
	KT_ASSERT(holds(q, 100, 9));
	KT_ASSERT(holds(b, 100, 10));
	KT_HEAP_OK();
	/* The old block was freed: freeing it again is refused. */
	used = heap.bytes_used;
	KT_EXPECT_EQ(mm_heap_free(&heap, a), -1);
	KT_EXPECT_EQ(heap.bytes_used, used);
	KT_EXPECT_EQ(mm_heap_free(&heap, b), 0);
	KT_EXPECT_EQ(mm_heap_free(&heap, q), 0);
	KT_EXPECT_EQ(heap.bytes_used, 0);
	KT_HEAP_OK();
}

TEST(heap, out_of_memory)
{
	const size_t len = 16 * KiB;
	void *arena = heap_setup(len);
	void *p[200];
	size_t used;
	int n;

	KT_ASSERT(arena != NULL);
	KT_ASSERT(mm_heap_alloc(&heap, 64 * KiB) == NULL);
	KT_ASSERT(mm_heap_alloc(&heap, SIZE_MAX) == NULL);
	KT_ASSERT(mm_heap_alloc(&heap, SIZE_MAX - 8) == NULL);
	KT_ASSERT(mm_heap_alloc_aligned(&heap, 4096, SIZE_MAX - 100) == NULL);
	KT_ASSERT(mm_heap_alloc_aligned(&heap, 4096, len) == NULL);
	KT_EXPECT_EQ(heap.bytes_used, 0);
	KT_HEAP_OK();
	/* Fill the heap up; failing calls leave it as it was. */
	for (n = 0; n < 200; n++) {
		p[n] = mm_heap_alloc(&heap, 100);
		if (!p[n])
			break;
		fill(p[n], 100, (unsigned)n);
	}
	KT_ASSERT(n > 100 && n < 200);
	used = heap.bytes_used;
	KT_ASSERT(mm_heap_alloc(&heap, 100) == NULL);
	KT_ASSERT(mm_heap_alloc_aligned(&heap, 64, 1) == NULL);
	/* A realloc that cannot be served leaves the block as it was. */
	KT_ASSERT(mm_heap_realloc(&heap, p[0], 4000) == NULL);
	KT_ASSERT(mm_heap_realloc(&heap, p[0], SIZE_MAX) == NULL);
	KT_EXPECT_EQ(heap.bytes_used, used);
	KT_HEAP_OK();
	for (int i = 0; i < n; i++) {
		KT_ASSERT(holds(p[i], 100, (unsigned)i));
		KT_EXPECT_EQ(mm_heap_free(&heap, p[i]), 0);
	}
	KT_EXPECT_EQ(heap.bytes_used, 0);
	KT_HEAP_OK();
}

TEST(heap, free_of_stray_pointers_refused)
{
	/* 16-aligned, so only the range check can refuse them. */
	static char elsewhere[64] __attribute__((aligned(16)));
	char local[64] __attribute__((aligned(16)));
	char *arena = heap_setup(64 * KiB);
	char *p;
	size_t used;

	KT_ASSERT(arena != NULL);
	p = mm_heap_alloc(&heap, 256);
	KT_ASSERT(p != NULL);
	memset(p, 0, 256);
	used = heap.bytes_used;
	KT_EXPECT_EQ(mm_heap_free(&heap, NULL), 0);
	KT_EXPECT_EQ(mm_heap_free(&heap, local), -1);
	KT_EXPECT_EQ(mm_heap_free(&heap, elsewhere), -1);
	KT_EXPECT_EQ(mm_heap_free(&heap, p + 1), -1);	/* misaligned */
	KT_EXPECT_EQ(mm_heap_free(&heap, p + 16), -1);	/* inside a payload */
	KT_EXPECT_EQ(mm_heap_free(&heap, p + 512), -1); /* in free space */
	KT_EXPECT_EQ(mm_heap_free(&heap, arena), -1);	/* region header */
	KT_EXPECT_EQ(mm_heap_free(&heap, arena + 64 * KiB), -1); /* past it */
	KT_ASSERT(mm_heap_realloc(&heap, p + 16, 10) == NULL);
	KT_EXPECT_EQ(heap.bytes_used, used);
	KT_HEAP_OK();
	KT_EXPECT_EQ(mm_heap_free(&heap, p), 0);
	KT_EXPECT_EQ(heap.bytes_used, 0);
}

TEST(heap, double_free_refused)
{
	void *arena = heap_setup(64 * KiB);
	void *a, *b, *c, *d, *e;

	KT_ASSERT(arena != NULL);
	a = mm_heap_alloc(&heap, 64);
	b = mm_heap_alloc(&heap, 64);
	c = mm_heap_alloc(&heap, 64);
	d = mm_heap_alloc(&heap, 64);
	e = mm_heap_alloc(&heap, 64);
	KT_ASSERT(a && b && c && d && e);
	/* Both neighbours in use: no merge. */
	KT_EXPECT_EQ(mm_heap_free(&heap, b), 0);
	KT_EXPECT_EQ(mm_heap_free(&heap, b), -1);
	KT_HEAP_OK();
	/* a absorbs b after it: both gone. */
	KT_EXPECT_EQ(mm_heap_free(&heap, a), 0);
	KT_EXPECT_EQ(mm_heap_free(&heap, a), -1);
	KT_EXPECT_EQ(mm_heap_free(&heap, b), -1);
	KT_HEAP_OK();
	/* c merges into the free chunk before it. */
	KT_EXPECT_EQ(mm_heap_free(&heap, c), 0);
	KT_EXPECT_EQ(mm_heap_free(&heap, c), -1);
	KT_HEAP_OK();
	/* e merges into the free rest of the region after it. */
	KT_EXPECT_EQ(mm_heap_free(&heap, e), 0);
	KT_EXPECT_EQ(mm_heap_free(&heap, e), -1);
	KT_HEAP_OK();
	KT_EXPECT_EQ(mm_heap_free(&heap, d), 0);
	KT_EXPECT_EQ(heap.bytes_used, 0);
	KT_HEAP_OK();
}

struct second_free {
	void *mid; /* in: the block to free again */
	int ret;   /* out: what mm_heap_free said */
	int check; /* out: mm_heap_check afterwards */
	const char *why;
};

static void free_again(void *ctx)
{
	struct second_free *f = ctx;

	f->ret = mm_heap_free(&heap, f->mid);
	f->check = mm_heap_check(&heap, &f->why);
}

/*
 * A block freed while both neighbours are free merges into the chunk
 * before it; its old header stays in memory behind that chunk's links.
 * Freeing it a second time must still be recognised. If it is not, the
 * heap is wrecked, so the second free runs in a child (isolate.h).
 */
TEST(heap, double_free_between_free_neighbours)
{
	void *arena = heap_setup(64 * KiB);
	void *before, *after, *guard;
	struct second_free f = {0};

	KT_ASSERT(arena != NULL);
	before = mm_heap_alloc(&heap, 16);
	f.mid = mm_heap_alloc(&heap, 16);
	after = mm_heap_alloc(&heap, 16);
	guard = mm_heap_alloc(&heap, 16);
	KT_ASSERT(before && f.mid && after && guard);
	KT_EXPECT_EQ(mm_heap_free(&heap, before), 0);
	KT_EXPECT_EQ(mm_heap_free(&heap, after), 0);
	KT_EXPECT_EQ(mm_heap_free(&heap, f.mid), 0);
	KT_HEAP_OK();
	KT_ISOLATED(free_again, &f);
	KT_EXPECT_EQ(f.ret, -1);
	if (f.check != 0) {
		/* f.why points into the same binary's rodata: valid here. */
		ktest_fail(__FILE__, __LINE__, "mm_heap_check after: %s",
			   f.why ? f.why : "?");
		return;
	}
	KT_EXPECT_EQ(mm_heap_free(&heap, guard), 0);
	KT_EXPECT_EQ(heap.bytes_used, 0);
}

/* What the grow callback was asked for, and whether it may succeed. */
static int grow_calls;
static size_t grow_asked;
static int grow_allowed;
static void *grow_arena;

/* Give the heap a new arena of exactly the size it asks for. */
static int test_grow(struct mm_heap *h, size_t min_bytes)
{
	grow_calls++;
	grow_asked = min_bytes;
	if (!grow_allowed)
		return -1;
	grow_arena = arena_alloc(min_bytes);
	if (!grow_arena)
		return -1;
	return mm_heap_add_region(h, grow_arena, min_bytes);
}

TEST(heap, grow_when_exhausted)
{
	void *arena = heap_setup(4 * KiB);
	void *p[4], *big, *al;
	size_t total;

	KT_ASSERT(arena != NULL);
	heap.grow = test_grow;
	grow_calls = 0;
	grow_allowed = 1;
	for (int i = 0; i < 3; i++) {
		p[i] = mm_heap_alloc(&heap, 1000);
		KT_ASSERT(p[i] != NULL);
	}
	/* Served from the first arena: no call yet. */
	KT_EXPECT_EQ(grow_calls, 0);
	total = heap.bytes_total;
	big = mm_heap_alloc(&heap, 3000);
	KT_EXPECT_EQ(grow_calls, 1);
	KT_ASSERT(big != NULL);
	KT_ASSERT(grow_asked >= 3000);
	KT_ASSERT(inside(big, 3000, grow_arena, grow_asked));
	KT_EXPECT_EQ(heap.bytes_total, total + grow_asked);
	memset(big, 1, 3000);
	KT_HEAP_OK();

	/* An aligned request grows the heap enough for its slack too. */
	al = mm_heap_alloc_aligned(&heap, 4096, 2000);
	KT_EXPECT_EQ(grow_calls, 2);
	KT_ASSERT(al != NULL);
	KT_EXPECT_EQ((uintptr_t)al % 4096, 0);
	KT_ASSERT(inside(al, 2000, grow_arena, grow_asked));
	memset(al, 2, 2000);
	KT_HEAP_OK();

	for (int i = 0; i < 3; i++)
		KT_EXPECT_EQ(mm_heap_free(&heap, p[i]), 0);
	KT_EXPECT_EQ(mm_heap_free(&heap, big), 0);
	KT_EXPECT_EQ(mm_heap_free(&heap, al), 0);
	KT_EXPECT_EQ(heap.bytes_used, 0);
	KT_HEAP_OK();

	/* When the callback fails, so does the allocation, cleanly. */
	grow_allowed = 0;
	KT_ASSERT(mm_heap_alloc(&heap, 64 * KiB) == NULL);
	KT_EXPECT_EQ(grow_calls, 3);
	KT_EXPECT_EQ(heap.bytes_used, 0);
	KT_HEAP_OK();
	/* What fits is still served without asking. */
	KT_ASSERT(mm_heap_alloc(&heap, 1000) != NULL);
	KT_EXPECT_EQ(grow_calls, 3);
	KT_HEAP_OK();
}

/* xorshift64: a fixed-seed generator, the same sequence on every host. */
static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A size from 1 to 8192, small ones more often, as real programs ask. */
static size_t rng_size(void)
{
	return rng() % 4 ? 1 + rng() % 256 : 1 + rng() % 8192;
}

#define SLOTS	   256
#define STRESS_OPS 20000

/*
 * The shadow model: for each slot, the block, its size and the seed of
 * the pattern it was filled with. Each operation picks a slot; a full
 * one is checked and then freed or reallocated, an empty one allocated,
 * plainly or aligned.
 */
struct shadow {
	unsigned char *p;
	size_t size;
	unsigned seed;
	size_t align;
};

TEST(heap, random_stress)
{
	const size_t len = 8 * 1024 * KiB;
	void *arena = heap_setup(len);
	static struct shadow s[SLOTS];
	size_t live = 0;

	KT_ASSERT(arena != NULL);
	memset(s, 0, sizeof(s));
	rng_state = 0x9e3779b97f4a7c15ull;
	for (int op = 1; op <= STRESS_OPS; op++) {
		struct shadow *b = &s[rng() % SLOTS];
		unsigned kind = (unsigned)(rng() % 3);

		/* Whatever happens to a block, it first has to be intact. */
		if (b->p)
			KT_ASSERT(holds(b->p, b->size, b->seed));
		if (b->p && kind == 0) {
			KT_EXPECT_EQ(mm_heap_free(&heap, b->p), 0);
			live -= b->size;
			b->p = NULL;
		} else if (b->p && kind == 1) {
			size_t size = rng_size();
			unsigned char *q = mm_heap_realloc(&heap, b->p, size);
			size_t keep = size < b->size ? size : b->size;

			KT_ASSERT(q != NULL);
			KT_EXPECT_EQ((uintptr_t)q % 16, 0);
			KT_ASSERT(holds(q, keep, b->seed));
			live += size - b->size;
			b->p = q;
			b->size = size;
			b->align = 16;
			b->seed = (unsigned)rng();
			fill(q, size, b->seed);
		} else if (!b->p) {
			b->size = rng_size();
			b->align = kind == 2 ? (size_t)32 << (rng() % 8) : 16;
			if (b->align > 16)
				b->p = mm_heap_alloc_aligned(&heap, b->align,
							     b->size);
			else
				b->p = mm_heap_alloc(&heap, b->size);
			KT_ASSERT(b->p != NULL);
			KT_EXPECT_EQ((uintptr_t)b->p % b->align, 0);
			KT_ASSERT(mm_heap_usable_size(b->p) >= b->size);
			KT_ASSERT(inside(b->p, b->size, arena, len));
			b->seed = (unsigned)rng();
			fill(b->p, b->size, b->seed);
			live += b->size;
		}
		/* Chunks hold at least what was asked for. */
		KT_ASSERT(heap.bytes_used >= live);
		if (op % 500 == 0)
			KT_HEAP_OK();
	}
	KT_HEAP_OK();
	for (int i = 0; i < SLOTS; i++) {
		if (!s[i].p)
			continue;
		KT_ASSERT(holds(s[i].p, s[i].size, s[i].seed));
		KT_EXPECT_EQ(mm_heap_free(&heap, s[i].p), 0);
	}
	KT_EXPECT_EQ(heap.bytes_used, 0);
	KT_HEAP_OK();
	KT_ASSERT(mm_heap_alloc(&heap, largest(len)) != NULL);
}
