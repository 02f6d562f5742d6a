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

/* The heap grows by whole runs of pages, at least 1 MiB at a time. */
static int heap_grow(struct mm_heap *h, size_t min_bytes)
{
	size_t bytes = ALIGN_UP(min_bytes, (size_t)MM_PAGE_SIZE);

	if (bytes < HEAP_GROW_MIN)
		bytes = HEAP_GROW_MIN;
	void *pages = mm_page_alloc_key(bytes / MM_PAGE_SIZE, libc_pkey);

	if (!pages)
		return -1;
	return mm_heap_add_region(h, pages, bytes);
}

static struct mm_heap *heap(void)
{
	if (!libc_heap.grow) {
		mm_heap_init(&libc_heap, "libc");
		libc_heap.grow = heap_grow;
	}
	return &libc_heap;
}

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
