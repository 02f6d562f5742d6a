/*
 * mm.h - memory: physical regions, the page pool, heaps, page tables and
 * guarded stacks.
 *
 * The pool and the heap are objects, not globals. mm_init() sets up the
 * kernel's pool, mm_phys (all free RAM). The heap code is linked into
 * every compartment's copy of libc, which keeps one heap instance
 * (libc_heap) growing from mm_page_alloc().
 */
#ifndef BULKHEAD_MM_H
#define BULKHEAD_MM_H

#include <stddef.h>
#include <stdint.h>
#include <bulkhead/x86.h> /* PTE_* bits returned by vm_lookup */

#define MM_PAGE_SIZE 4096
/* The largest stack mm_stack_alloc hands out. */
#define MM_STACK_MAX (64UL * 1024 * 1024)

/* A range of physical memory [base, base + len). */
struct mm_region {
	uint64_t base;
	uint64_t len;
};

/*
 * Sort `r`, merge overlaps, shrink each region to whole pages, and cut out
 * every reserved range. `r` has room for `cap` entries (cutting can split
 * a region in two). Returns the new count, or -1 if `cap` was too small.
 */
int mm_regions_normalize(struct mm_region *r, int n, int cap,
			 const struct mm_region *reserved, int nreserved);

/*
 * A physical page pool: one bit per page, 1 = free, lowest address first,
 * and one bit per page marking the first page of each allocation, so a
 * free must name exactly what one allocation returned. The regions are
 * kept, so pages in holes between them can never be freed into the pool.
 */
#define MM_POOL_REGIONS 64

struct mm_page_pool {
	uint64_t base;	     /* address of the first page the bitmap covers */
	uint64_t npages;     /* pages covered (free or not) */
	uint64_t *bitmap;    /* npages bits: 1 = free */
	uint64_t *starts;    /* npages bits: 1 = first page of an allocation */
	uint64_t free_pages; /* pages currently free */
	uint64_t hint;	     /* no free page lies in words below this */
	struct mm_region regions[MM_POOL_REGIONS]; /* what is RAM */
	int nregions;
};

/* Why mm_page_pool_free() refused to free (it then changes nothing). */
enum {
	MM_FREE_NOT_POOL = -1,	    /* not a page-aligned range of pool RAM */
	MM_FREE_NOT_ALLOCATED = -2, /* free already: double free, or never
				       allocated */
	MM_FREE_INSIDE = -3,	    /* inside an allocation, not its start */
	MM_FREE_WRONG_SIZE = -4,    /* not the allocation's page count */
};

/* Bytes of bitmap (both bitmaps) needed to cover sorted regions `r`. */
size_t mm_page_pool_bitmap_bytes(const struct mm_region *r, int n);
/* Returns 0, or -1 if there are more than MM_POOL_REGIONS regions. */
int mm_page_pool_init(struct mm_page_pool *p, const struct mm_region *r, int n,
		      uint64_t *bitmap);
/* `count` contiguous pages; returns their address or 0 when none. */
uint64_t mm_page_pool_alloc(struct mm_page_pool *p, size_t count);
/* Free exactly one allocation: its address and its page count. Returns 0,
 * or one of MM_FREE_* (negative). */
int mm_page_pool_free(struct mm_page_pool *p, uint64_t addr, size_t count);

/*
 * A heap: boundary-tag chunks with segregated free lists and immediate
 * coalescing. Memory comes from regions added with mm_heap_add_region();
 * when no free chunk fits, `grow` (if set) is asked for a region of at
 * least the given size. Allocation failure returns NULL and never
 * corrupts the heap.
 */
#define MM_HEAP_BINS 128

struct mm_heap_chunk;
struct mm_heap_region;

struct mm_heap {
	const char *name;			  /* for reports */
	struct mm_heap_chunk *bins[MM_HEAP_BINS]; /* free lists by size */
	uint64_t nonempty[MM_HEAP_BINS / 64];	  /* bit i: bins[i] non-empty */
	struct mm_heap_region *regions;		  /* every region added */
	size_t bytes_total;			  /* sum of region sizes */
	size_t bytes_used;			  /* in allocated chunks */
	int (*grow)(struct mm_heap *h, size_t min_bytes); /* may be NULL */
	void *owner; /* for `grow`: whose pages */
};

void mm_heap_init(struct mm_heap *h, const char *name);
int mm_heap_add_region(struct mm_heap *h, void *base, size_t len);
void *mm_heap_alloc(struct mm_heap *h, size_t size);
void *mm_heap_alloc_aligned(struct mm_heap *h, size_t align, size_t size);
void *mm_heap_realloc(struct mm_heap *h, void *p, size_t size);
/* Returns 0, or -1 if `p` is not an allocated chunk of this heap. */
int mm_heap_free(struct mm_heap *h, void *p);
size_t mm_heap_usable_size(const void *p);
/* Walk every chunk; 0 if consistent, else -1 and a reason in *why. */
int mm_heap_check(const struct mm_heap *h, const char **why);

/* Page tables: 4 KiB pages, every level a user page (protection keys). */
#define VM_WRITE	  0x1 /* writable */
#define VM_EXEC		  0x2 /* executable (otherwise NX) */
#define VM_DEVICE	  0x4 /* device registers: not cached */
/* One past the canonical lower half, where every kernel mapping lies. */
#define VM_LOWER_HALF_END (1ULL << 47)

int vm_map(uintptr_t va, uint64_t pa, size_t len, unsigned flags);
int vm_unmap(uintptr_t va, size_t len);
/* Set the protection key of every mapped page in the range (0..15). */
int vm_set_pkey(uintptr_t va, size_t len, int pkey);
/* Change the VM_WRITE/VM_EXEC permission of every mapped page. */
int vm_protect(uintptr_t va, size_t len, unsigned flags);
/* The leaf entry mapping va, or 0 when unmapped. */
uint64_t vm_lookup(uintptr_t va);
/* Whether [p, p + len) is memory every compartment may use (shared key,
 * writable with `write`; the VMs' shared region; anything without
 * isolation): what a library may accept by pointer from another. */
int mm_range_shared(const void *p, size_t len, int write);
/* Give every page table, now and later, protection key pkey (mpk). */
void vm_tag_tables(int pkey);
/* Whether [va, va + len) is mapped and every compartment may read it
 * (the shared key under mpk). */
int vm_public(uintptr_t va, size_t len);
/* Whether every table on the walk to va has U/S set (for tests). */
int vm_walk_all_user(uintptr_t va);
/* Tests: the address of the top-level page table. */
uintptr_t vm_root(void);

/*
 * Functions that act for a compartment take its index last (`caller`):
 * across a gate the gate fills it in, whatever the caller passed (API
 * flag `caller`, scripts/bulkhead_config.py); the macros pass this
 * compartment's own, libc_comp_index from its glue, for direct calls.
 */
extern const int libc_comp_index;

/* A stack with an unmapped guard page below `bottom`. */
struct mm_stack {
	uintptr_t bottom; /* lowest usable byte */
	uintptr_t top;	  /* one past the highest byte */
};

/*
 * Results come back by value (in registers), never through a pointer
 * into the caller's memory, which the callee may not be able to write
 * when it is another compartment. bottom == 0 when out of memory.
 */
struct mm_stack mm_stack_alloc(size_t size, int caller);
void mm_stack_free(struct mm_stack s, int caller);
#define mm_stack_alloc(size) (mm_stack_alloc)((size), libc_comp_index)
#define mm_stack_free(s)     (mm_stack_free)((s), libc_comp_index)

/*
 * Stack slots for full gates (mm/slot.c): SLOT_SIZE of virtual space per
 * thread, one SLOT_SPAN region per compartment, mapped on first touch.
 */
uintptr_t mm_slot_alloc(int caller); /* slot base, or 0 */
void mm_slot_free(uintptr_t base, int caller);
#define mm_slot_alloc()	   (mm_slot_alloc)(libc_comp_index)
#define mm_slot_free(base) (mm_slot_free)((base), libc_comp_index)
/* Called on a not-present fault: 0 if addr was a slot page now mapped. */
int mm_slot_fault(uintptr_t addr);

/* KASan's shadow (mm/kasan.c): on a not-present fault, 0 if addr was a
 * shadow page now mapped; and the shadow of memory just handed out,
 * mapped and cleared, carrying key `key` where it describes only it. */
int mm_kasan_fault(uintptr_t addr);
void mm_kasan_cover(uintptr_t start, size_t len, int key);

/* The kernel's instances and boot-time set-up. `kept`: ranges the loader
 * filled (the initrd) that stay, read-only, out of the page pool. */
#define MM_KEPT_MAX 4
extern struct mm_page_pool mm_phys;
void mm_init(struct mm_region *ram, int n, int cap,
	     const struct mm_region *kept, int nkept);
void *mm_page_alloc(size_t count); /* zeroed pages, or NULL */

/* Zeroed pages tagged with protection key `pkey`: the caller's own key or
 * the shared one (a compartment's heap, a driver's rings); any other key
 * stops the machine, naming the caller and the key's owner. */
void *mm_page_alloc_key(size_t count, int pkey, int caller);
#define mm_page_alloc_key(count, pkey)                                         \
	(mm_page_alloc_key)((count), (pkey), libc_comp_index)
/*
 * The shared heap: memory every compartment may use (key 15 under mpk),
 * for data passed across gates by pointer. Its bookkeeping is kept in
 * the kernel core's own memory, out of reach of the compartments that
 * share the blocks, and records each block's owner: only the compartment
 * that allocated a block may free it. NULL when out of memory.
 */
void *mm_shared_alloc(size_t size, int caller);
void mm_shared_free(void *p, int caller);
#define mm_shared_alloc(size) (mm_shared_alloc)((size), libc_comp_index)
#define mm_shared_free(p)     (mm_shared_free)((p), libc_comp_index)
void mm_page_free(void *p, size_t count);
uint64_t mm_total_bytes(void); /* RAM the pool manages at boot */

#endif
