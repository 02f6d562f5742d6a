/*
 * malloc.c - newlib's allocation entry points on a Bulkhead heap.
 *
 * newlib is built with MALLOC_PROVIDED, so it has no allocator of its own;
 * every allocation, including stdio's buffers, lands here, in the heap of
 * the compartment whose copy of libc this is. Threads never
 * switch inside a heap call (the scheduler is cooperative), so the heap
 * needs no lock. Handing free() a pointer the heap does not own is a bug
 * that would corrupt memory later: it stops the machine here instead.
 */
#include <errno.h>
#include <malloc.h>
#include <reent.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>

#define HEAP_GROW_MIN (1024 * 1024)

/* This compartment's protection key (its generated glue, comp/NAME.glue.c). */
extern const int libc_pkey;

/* This compartment's heap (each compartment links its own libc). */
struct mm_heap libc_heap;

#ifdef BULKHEAD_KASAN
/* KASan: the heap's regions are whole shadow pages' worth of memory, so
 * the shadow describing them is this compartment's alone (mm/kasan.c). */
#define HEAP_ALIGN KASAN_GROUP
#else
#define HEAP_ALIGN MM_PAGE_SIZE
#endif

/* The heap grows by whole runs of pages, at least 1 MiB at a time. */
static int heap_grow(struct mm_heap *h, size_t min_bytes)
{
	size_t bytes = ALIGN_UP(min_bytes, (size_t)HEAP_ALIGN);

	if (bytes < HEAP_GROW_MIN)
		bytes = HEAP_GROW_MIN;
	size_t extra = HEAP_ALIGN - MM_PAGE_SIZE;
	char *pages =
		mm_page_alloc_key((bytes + extra) / MM_PAGE_SIZE, libc_pkey);

	if (!pages)
		return -1;
	return mm_heap_add_region(
		h, (void *)ALIGN_UP((uintptr_t)pages, (uintptr_t)HEAP_ALIGN),
		bytes);
}

static struct mm_heap *heap(void)
{
	if (!libc_heap.grow) {
		mm_heap_init(&libc_heap, "libc");
		libc_heap.grow = heap_grow;
	}
	return &libc_heap;
}

#ifdef BULKHEAD_KASAN
/*
 * KASan (libc/kasan.c): each block is | red zone, its header last | the
 * bytes asked for | red zone to the chunk's end (at least 16 bytes) |.
 * free() poisons the block and keeps it in a quarantine, so that a use
 * after free finds poisoned bytes rather than a new block; the oldest go
 * back to the heap once the quarantine holds QUARANTINE_BYTES.
 */
#include <bulkhead/x86.h>
#include "harden.h"

#define LEFT_ZONE	 sizeof(struct kasan_block)
#define RIGHT_ZONE	 16
#define QUARANTINE_BYTES (1024 * 1024)

static struct kasan_block *quarantine_head, *quarantine_tail;
static size_t quarantine_bytes;

static void *kasan_alloc(size_t size, size_t align, uintptr_t pc)
{
	size_t room = align <= 16 ? LEFT_ZONE : ALIGN_UP(LEFT_ZONE, align);
	size_t total;

	if (__builtin_add_overflow(size, room + RIGHT_ZONE + 7, &total))
		return NULL;
	char *base = align <= 16 ? mm_heap_alloc(heap(), total)
				 : mm_heap_alloc_aligned(heap(), align, total);

	if (!base)
		return NULL;
	char *user = base + room;
	struct kasan_block *b = (struct kasan_block *)user - 1;
	size_t usable = mm_heap_usable_size(base);
	uintptr_t tail = ALIGN_UP((uintptr_t)user + size, (uintptr_t)8);

	b->magic = KASAN_BLOCK_MAGIC;
	b->state = KASAN_BLOCK_LIVE;
	b->size = size;
	b->alloc_pc = pc;
	b->free_pc = 0;
	b->base = base;
	b->next = NULL;
	kasan_poison((uintptr_t)base, room, KASAN_HEAP_REDZONE);
	kasan_unpoison((uintptr_t)user, size);
	kasan_poison(tail, (uintptr_t)base + usable - tail, KASAN_HEAP_REDZONE);
	return user;
}

/* The header of the block p, or NULL when p is no block's start. */
static struct kasan_block *kasan_block_of(void *p)
{
	struct kasan_block *b = (struct kasan_block *)p - 1;

	if (((uintptr_t)p & 15) || mm_heap_usable_size(b->base) == 0 ||
	    b->magic != KASAN_BLOCK_MAGIC)
		return NULL;
	return b;
}

static void kasan_free(void *p, uintptr_t pc)
{
	struct kasan_block *b = (struct kasan_block *)p - 1;

	if (!p)
		return;
	/* A header's magic is only ever read where a block may start. */
	if (((uintptr_t)p & 15) || (uintptr_t)p < 64 ||
	    b->magic != KASAN_BLOCK_MAGIC)
		panic("free(%p): not a block allocated from heap \"%s\" "
		      "(double free or stray pointer)",
		      p, heap()->name);
	if (b->state != KASAN_BLOCK_LIVE)
		kasan_report_free((uintptr_t)p, pc, b);
	b->state = KASAN_BLOCK_FREED;
	b->free_pc = pc;
	kasan_poison((uintptr_t)p, ALIGN_UP(b->size, (size_t)8),
		     KASAN_HEAP_FREED);
	if (quarantine_tail)
		quarantine_tail->next = b;
	else
		quarantine_head = b;
	quarantine_tail = b;
	quarantine_bytes += mm_heap_usable_size(b->base);
	while (quarantine_bytes > QUARANTINE_BYTES) {
		struct kasan_block *old = quarantine_head;

		quarantine_head = old->next;
		if (!quarantine_head)
			quarantine_tail = NULL;
		quarantine_bytes -= mm_heap_usable_size(old->base);
		old->magic = 0;
		mm_heap_free(heap(), old->base);
	}
}

static void *kasan_realloc(void *p, size_t size, uintptr_t pc)
{
	if (!p)
		return kasan_alloc(size, 16, pc);
	struct kasan_block *b = kasan_block_of(p);

	if (!b || b->state != KASAN_BLOCK_LIVE)
		panic("realloc(%p): not an allocated block", p);
	void *q = kasan_alloc(size, 16, pc);

	if (q) {
		memcpy(q, p, b->size < size ? b->size : size);
		kasan_free(p, pc);
	}
	return q;
}

#define RET_PC ((uintptr_t)__builtin_return_address(0))

void *malloc(size_t size)
{
	void *p = kasan_alloc(size, 16, RET_PC);

	if (!p)
		errno = ENOMEM;
	return p;
}

void free(void *p)
{
	kasan_free(p, RET_PC);
}

void *calloc(size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	void *p = kasan_alloc(bytes, 16, RET_PC);

	if (p)
		memset(p, 0, bytes);
	else
		errno = ENOMEM;
	return p;
}

void *realloc(void *p, size_t size)
{
	if (p && size == 0) {
		kasan_free(p, RET_PC);
		return NULL;
	}
	void *q = kasan_realloc(p, size, RET_PC);

	if (!q)
		errno = ENOMEM;
	return q;
}

void *memalign(size_t align, size_t size)
{
	if (align & (align - 1)) {
		errno = EINVAL;
		return NULL;
	}
	void *p = kasan_alloc(size, align, RET_PC);

	if (!p)
		errno = ENOMEM;
	return p;
}

int posix_memalign(void **out, size_t align, size_t size)
{
	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	void *p = kasan_alloc(size, align, RET_PC);

	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

size_t malloc_usable_size(void *p)
{
	struct kasan_block *b = p ? kasan_block_of(p) : NULL;

	return b && b->state == KASAN_BLOCK_LIVE ? b->size : 0;
}

/* The reentrant forms newlib calls internally: the block's owner is
 * newlib's caller. */
void *_malloc_r(struct _reent *r, size_t size)
{
	(void)r;
	void *p = kasan_alloc(size, 16, RET_PC);

	if (!p)
		errno = ENOMEM;
	return p;
}

void _free_r(struct _reent *r, void *p)
{
	(void)r;
	kasan_free(p, RET_PC);
}

#else

void *malloc(size_t size)
{
	void *p = mm_heap_alloc(heap(), size ? size : 1);

	if (!p)
		errno = ENOMEM;
	return p;
}

void free(void *p)
{
	if (mm_heap_free(heap(), p) != 0)
		panic("free(%p): not a block allocated from heap \"%s\" "
		      "(double free or stray pointer)",
		      p, heap()->name);
}

void *calloc(size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	void *p = malloc(bytes);

	if (p)
		memset(p, 0, bytes);
	return p;
}

void *realloc(void *p, size_t size)
{
	if (p && size == 0) {
		free(p);
		return NULL;
	}
	if (p && mm_heap_usable_size(p) == 0)
		panic("realloc(%p): not an allocated block", p);
	void *q = mm_heap_realloc(heap(), p, size);

	if (!q)
		errno = ENOMEM;
	return q;
}

void *memalign(size_t align, size_t size)
{
	void *p = mm_heap_alloc_aligned(heap(), align, size ? size : 1);

	if (!p)
		errno = (align & (align - 1)) ? EINVAL : ENOMEM;
	return p;
}

int posix_memalign(void **out, size_t align, size_t size)
{
	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	void *p = mm_heap_alloc_aligned(heap(), align, size ? size : 1);

	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

size_t malloc_usable_size(void *p)
{
	return mm_heap_usable_size(p);
}

/* The reentrant forms newlib calls internally. */
void *_malloc_r(struct _reent *r, size_t size)
{
	(void)r;
	return malloc(size);
}

void _free_r(struct _reent *r, void *p)
{
	(void)r;
	free(p);
}

#endif

/* newlib's reentrant entries, the same under KASan or not. */
void *_calloc_r(struct _reent *r, size_t n, size_t size)
{
	(void)r;
	return calloc(n, size);
}

void *_realloc_r(struct _reent *r, void *p, size_t size)
{
	(void)r;
	return realloc(p, size);
}
