/*
 * kasan.c - Bulkhead's KASan runtime, in a KASan compartment's copy of
 * libc (docs/design.md, "Hardening"). gcc's -fsanitize=kernel-address,
 * with every check made a call (asan-instrumentation-with-call-threshold
 * =0), calls __asan_{load,store}N_noabort before each access; it poisons
 * and unpoisons the red zones of a function's frame itself, inline, and
 * has each object file register its globals (and their red zones) from a
 * constructor, which the compartment's link moves to a section of its own
 * (Makefile, comp_rule) run here, in the compartment's own domain, before
 * its first check.
 *
 * The shadow: byte (a >> 3) + KASAN_SHADOW_BASE says how many of the 8
 * bytes at a & ~7 may be used (0 = all, 1..7 = that many, negative = none,
 * the value saying why). Its pages are the kernel core's business
 * (mm/kasan.c). Only RAM below KASAN_RAM_LIMIT, the stacks and the
 * full-gate slots are checked; any other address (the ept shared region,
 * device memory) is not.
 *
 * memcpy and memset, assembly in newlib, are replaced by checking ones.
 *
 * The heap (libc/malloc.c) puts a 48-byte red zone holding the block's
 * header before each block and at least 16 bytes after it, and keeps
 * freed blocks poisoned in a quarantine (up to QUARANTINE_BYTES) before
 * they are reused.
 */
#include <stdio.h>
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/x86.h>
#include "harden.h"

#ifdef BULKHEAD_KASAN

/* gcc declares the entry points it calls as built-ins taking void
 * pointers; these take what gcc passes, typed. */
#pragma GCC diagnostic ignored "-Wbuiltin-declaration-mismatch"
#pragma GCC diagnostic ignored "-Wattributes"

_Static_assert(BULKHEAD_KASAN_OFFSET == KASAN_SHADOW_BASE,
	       "the Makefile's KASAN_SHADOW_OFFSET is x86.h's");

/* Constructors: the link puts this compartment's between these two. */
typedef void (*ctor_fn)(void);
static const ctor_fn ctors_begin[0]
	__attribute__((section(".kasan_init.a"), used)) = {};
static const ctor_fn ctors_end[0]
	__attribute__((section(".kasan_init.c"), used)) = {};

/* gcc's description of one global (its layout since gcc 7). */
struct asan_global {
	uintptr_t beg;
	size_t size;
	size_t size_with_redzone;
	const char *name;
	const char *module;
	uintptr_t has_dynamic_init;
	void *location;
	uintptr_t odr_indicator;
};

/* Every registered array of globals, to name a global in a report. */
#define GLOBAL_ARRAYS 512
static struct {
	struct asan_global *g;
	size_t n;
} arrays[GLOBAL_ARRAYS];
static unsigned narrays;

static int ready;

static inline int8_t *shadow(uintptr_t a)
{
	return (int8_t *)((a >> 3) + KASAN_SHADOW_BASE);
}

/* Whether the runtime checks address a (and so may touch its shadow). */
static inline int checked(uintptr_t a)
{
	return a < KASAN_RAM_LIMIT ||
	       (a >= SLOT_REGION_BASE && a < SLOT_REGION_END) ||
	       (a >= STACK_REGION_BASE && a < STACK_REGION_END);
}

/* [a, a + n) made inaccessible, marked `why` (a multiple of 8 long at
 * a multiple of 8). */
void kasan_poison(uintptr_t a, size_t n, uint8_t why)
{
	if (checked(a))
		memset(shadow(a), why, n >> 3);
}

/* [a, a + n) made accessible, a a multiple of 8; the granule holding the
 * last byte says how many of its bytes are in. */
void kasan_unpoison(uintptr_t a, size_t n)
{
	if (!checked(a))
		return;
	memset(shadow(a), 0, n >> 3);
	if (n & 7)
		*shadow(a + (n & ~(size_t)7)) = (int8_t)(n & 7);
}

/* Run the constructors (global registration) once, before the first
 * check: they run in this compartment's domain, on its data. */
static void start(void)
{
	ready = 1;
	for (const ctor_fn *f = ctors_begin; f < ctors_end; f++)
		(*f)();
}

void __asan_register_globals(struct asan_global *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		kasan_unpoison(g[i].beg, g[i].size);
		uintptr_t rz = ALIGN_UP(g[i].beg + g[i].size, (uintptr_t)8);

		kasan_poison(rz, g[i].beg + g[i].size_with_redzone - rz,
			     KASAN_GLOBAL_REDZONE);
	}
	if (narrays < GLOBAL_ARRAYS) {
		arrays[narrays].g = g;
		arrays[narrays++].n = n;
	}
}

void __asan_unregister_globals(struct asan_global *g, size_t n)
{
	(void)g;
	(void)n;
}

/* A call that does not return (exit, longjmp): the frames it leaves keep
 * their marks until their stack is reused (docs/design.md). */
void __asan_handle_no_return(void)
{
}

/* alloca and variable-length arrays: gcc's 32-byte red zones around. */
void __asan_alloca_poison(uintptr_t a, size_t size)
{
	uintptr_t left = a - 32;
	uintptr_t end = ALIGN_UP(a + size, (uintptr_t)32);

	kasan_poison(left, 32, KASAN_ALLOCA_LEFT);
	kasan_unpoison(a, size);
	uintptr_t rz = ALIGN_UP(a + size, (uintptr_t)8);

	kasan_poison(rz, end + 32 - rz, KASAN_ALLOCA_RIGHT);
}

void __asan_allocas_unpoison(uintptr_t top, uintptr_t bottom)
{
	if (top && bottom > top)
		kasan_unpoison(top, bottom - top);
}

/* The first byte of [a, a + n) the shadow says is out of bounds, or 0. */
static uintptr_t first_bad(uintptr_t a, size_t n)
{
	for (uintptr_t p = a; p < a + n; p++) {
		int8_t s = *shadow(p);

		if (s == 0) {
			p |= 7; /* the rest of the granule is in */
			continue;
		}
		if (s < 0 || (int8_t)(p & 7) >= s)
			return p;
	}
	return 0;
}

static const char *kind_of(uint8_t s)
{
	switch (s) {
	case KASAN_HEAP_REDZONE:
		return "heap-buffer-overflow";
	case KASAN_HEAP_FREED:
		return "use-after-free";
	case KASAN_GLOBAL_REDZONE:
		return "global-buffer-overflow";
	case 0xf1:
	case 0xf2:
	case 0xf3:
		return "stack-buffer-overflow";
	case 0xf8:
		return "stack-use-after-scope";
	case KASAN_ALLOCA_LEFT:
	case KASAN_ALLOCA_RIGHT:
		return "dynamic-stack-buffer-overflow";
	default:
		return "wild-access";
	}
}

/* The heap block around bad (whose shadow says `why`): back over the red
 * zone or the freed bytes to the block's first byte, whose header is
 * just before it. NULL when no header is found within 1 MiB. */
static const struct kasan_block *block_of(uintptr_t bad, uint8_t why)
{
	uintptr_t p = bad & ~(uintptr_t)7;
	uintptr_t stop = p > (1u << 20) ? p - (1u << 20) : 0;

	if (why == KASAN_HEAP_REDZONE) {
		/* An overflow: back over the red zone into the block. */
		while (p > stop && (uint8_t)*shadow(p) == KASAN_HEAP_REDZONE)
			p -= 8;
		while (p > stop && *shadow(p - 8) >= 0)
			p -= 8;
	} else {
		while (p > stop && (uint8_t)*shadow(p - 8) == KASAN_HEAP_FREED)
			p -= 8;
	}
	const struct kasan_block *b =
		(const struct kasan_block *)(p - sizeof(struct kasan_block));

	if (p <= stop || (p & 15) || b->magic != KASAN_BLOCK_MAGIC)
		return NULL;
	return b;
}

/* What the shadow knows of the heap block at bad, printed. */
static void heap_owner(uintptr_t bad, uint8_t why)
{
	const struct kasan_block *b = block_of(bad, why);
	char fn[96], fn2[96];
	uintptr_t user = (uintptr_t)(b + 1);

	if (!b) {
		printk(LOG_ERR, "KASan: no heap block found near 0x%lx\n",
		       (unsigned long)bad);
		return;
	}
	harden_function(b->alloc_pc, fn, sizeof(fn));
	long off = (long)(bad - user);

	printk(LOG_ERR,
	       "KASan: 0x%lx is %ld bytes %s the %zu-byte block at 0x%lx, "
	       "allocated by %s in compartment %s\n",
	       (unsigned long)bad,
	       off < 0		      ? -off
	       : off >= (long)b->size ? off - (long)b->size
				      : off,
	       off < 0		      ? "before"
	       : off >= (long)b->size ? "past the end of"
				      : "inside",
	       b->size, (unsigned long)user, fn, libc_comp_name);
	if (b->state == KASAN_BLOCK_FREED) {
		harden_function(b->free_pc, fn2, sizeof(fn2));
		printk(LOG_ERR, "KASan: the block was freed by %s\n", fn2);
	}
}

/* The registered global whose red zone holds bad, printed. */
static void global_owner(uintptr_t bad)
{
	for (unsigned i = 0; i < narrays; i++)
		for (size_t j = 0; j < arrays[i].n; j++) {
			const struct asan_global *g = &arrays[i].g[j];

			if (bad >= g->beg &&
			    bad < g->beg + g->size_with_redzone) {
				printk(LOG_ERR,
				       "KASan: 0x%lx is %lu bytes past the end "
				       "of global '%s' (%zu bytes, %s) in "
				       "compartment %s\n",
				       (unsigned long)bad,
				       (unsigned long)(bad - g->beg - g->size),
				       g->name, g->size, g->module,
				       libc_comp_name);
				return;
			}
		}
}

/* The frame gcc laid out around bad (its first word, 0x41b58ab3, in
 * the left red zone, then its description and its function's address),
 * printed: function and variable. */
static void stack_owner(uintptr_t bad)
{
	uintptr_t p = bad & ~(uintptr_t)7;

	for (int i = 0; i < 1024; i++, p -= 8) {
		if ((uint8_t)*shadow(p) != 0xf1 || *(uint64_t *)p != 0x41b58ab3)
			continue;
		const char *desc = ((const char **)p)[1];
		char fn[96], var[48] = "?";
		unsigned long d = bad - p, count = 0, off, size, len;
		int used = 0;

		harden_function(((uintptr_t *)p)[2], fn, sizeof(fn));
		/* "COUNT OFF SIZE LEN NAME ...": the last variable starting
		 * at or before bad is the one overrun. */
		if (sscanf(desc, "%lu%n", &count, &used) == 1)
			for (desc += used; count--; desc += len) {
				if (sscanf(desc, "%lu %lu %lu %n", &off, &size,
					   &len, &used) != 3)
					break;
				desc += used;
				if (off <= d)
					snprintf(var, sizeof(var), "%.*s",
						 (int)(len < 40 ? len : 40),
						 desc);
			}
		var[strcspn(var, ":")] = 0; /* gcc adds ":LINE" */
		printk(LOG_ERR,
		       "KASan: 0x%lx is in the frame of %s, past variable "
		       "'%s', in compartment %s\n",
		       (unsigned long)bad, fn, var, libc_comp_name);
		return;
	}
}

/* A bad access: the report, and the machine stops. */
__attribute__((noreturn)) static void report(uintptr_t a, size_t n, int write,
					     uintptr_t pc, uintptr_t bad)
{
	char fn[96];
	uint8_t s = (uint8_t)*shadow(bad);

	harden_reporting = 1;
	/* A partly used granule: what follows it says why. */
	if (s < 8)
		s = (uint8_t)*shadow((bad | 7) + 1);
	const char *kind = kind_of(s);

	harden_function(pc - 1, fn, sizeof(fn));
	printk(LOG_ERR,
	       "KASan: %s: %s of size %zu at 0x%lx by %s, compartment %s\n",
	       kind, write ? "write" : "read", n, (unsigned long)a, fn,
	       libc_comp_name);
	if (s == KASAN_HEAP_REDZONE || s == KASAN_HEAP_FREED)
		heap_owner(bad, s);
	else if (s == KASAN_GLOBAL_REDZONE)
		global_owner(bad);
	else if (s >= 0xf1 && s <= 0xf8) /* gcc's frame marks */
		stack_owner(bad);
	panic("KASan: %s: %s of size %zu at 0x%lx in %s, compartment %s", kind,
	      write ? "write" : "read", n, (unsigned long)a, fn,
	      libc_comp_name);
}

static inline void check(uintptr_t a, size_t n, int write, uintptr_t pc)
{
	if (__builtin_expect(!ready, 0)) {
		if (harden_reporting)
			return;
		start();
	}
	if (harden_reporting || n == 0 || !checked(a) || !checked(a + n - 1))
		return;
	/* The common case: one granule, all of it usable. */
	if (((a & 7) + n <= 8) && *shadow(a) == 0)
		return;
	uintptr_t bad = first_bad(a, n);

	if (bad)
		report(a, n, write, pc, bad);
}

/* A free() of a block not live: the report, and the machine stops. */
__attribute__((noreturn)) void kasan_report_free(uintptr_t p, uintptr_t pc,
						 const struct kasan_block *b)
{
	char fn[96];

	harden_reporting = 1;
	harden_function(pc - 1, fn, sizeof(fn));
	if (b) {
		char by[96], first[96];

		harden_function(b->alloc_pc, by, sizeof(by));
		harden_function(b->free_pc, first, sizeof(first));
		printk(LOG_ERR,
		       "KASan: the %zu-byte block at 0x%lx was allocated by "
		       "%s and freed by %s in compartment %s\n",
		       b->size, (unsigned long)p, by, first, libc_comp_name);
	}
	panic("KASan: double-free: free of 0x%lx by %s, compartment %s",
	      (unsigned long)p, fn, libc_comp_name);
}

#define RET_IP ((uintptr_t)__builtin_return_address(0))
#define ACCESS(n)                                                              \
	void __asan_load##n##_noabort(uintptr_t a)                             \
	{                                                                      \
		check(a, n, 0, RET_IP);                                        \
	}                                                                      \
	void __asan_store##n##_noabort(uintptr_t a)                            \
	{                                                                      \
		check(a, n, 1, RET_IP);                                        \
	}                                                                      \
	void __asan_load##n(uintptr_t a)                                       \
	{                                                                      \
		check(a, n, 0, RET_IP);                                        \
	}                                                                      \
	void __asan_store##n(uintptr_t a)                                      \
	{                                                                      \
		check(a, n, 1, RET_IP);                                        \
	}
ACCESS(1)
ACCESS(2)
ACCESS(4)
ACCESS(8)
ACCESS(16)

/*
 * newlib's x86_64 memcpy and memset are assembly, which gcc does not
 * instrument and does not check the calls of: this compartment's copy
 * has these instead, which check both ranges and then copy or fill.
 */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	check((uintptr_t)src, n, 0, RET_IP);
	check((uintptr_t)dst, n, 1, RET_IP);
	__asm__ volatile("rep movsb"
			 : "+D"(d), "+S"(src), "+c"(n)
			 :
			 : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	check((uintptr_t)dst, n, 1, RET_IP);
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

void __asan_loadN_noabort(uintptr_t a, size_t n)
{
	check(a, n, 0, RET_IP);
}

void __asan_storeN_noabort(uintptr_t a, size_t n)
{
	check(a, n, 1, RET_IP);
}

void __asan_loadN(uintptr_t a, size_t n)
{
	check(a, n, 0, RET_IP);
}

void __asan_storeN(uintptr_t a, size_t n)
{
	check(a, n, 1, RET_IP);
}

#endif
