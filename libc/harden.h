/*
 * harden.h - what the hardening runtimes of a compartment's copy of libc
 * share (libc/harden.c, libc/ubsan.c, libc/kasan.c; docs/design.md,
 * "Hardening"). Each hardened compartment links its own copy, so every
 * count and flag here is that compartment's.
 */
#ifndef LIBC_HARDEN_H
#define LIBC_HARDEN_H

#include <stddef.h>
#include <stdint.h>

/* This compartment's name (its generated glue, comp/NAME.glue.c). */
extern const char libc_comp_name[];

/* The function holding code address `pc`, as "name" (or "0x..." when the
 * symbol table has none), into buf. */
void harden_function(uintptr_t pc, char *buf, size_t size);

/* Nonzero while a runtime reports: what it calls (printk, panic, the
 * formatting in newlib, which may be instrumented too) is not checked
 * again. */
extern int harden_reporting;

/* KASan (libc/kasan.c): why shadow bytes are negative, beside gcc's
 * own for frames (0xf1..0xf8). */
#define KASAN_HEAP_REDZONE   0xfa
#define KASAN_HEAP_FREED     0xfd
#define KASAN_GLOBAL_REDZONE 0xf9
#define KASAN_ALLOCA_LEFT    0xca
#define KASAN_ALLOCA_RIGHT   0xcb

/* A heap block's header, in the red zone just before it (libc/malloc.c). */
#define KASAN_BLOCK_MAGIC    0x6b617361u
#define KASAN_BLOCK_LIVE     1u
#define KASAN_BLOCK_FREED    2u
struct kasan_block {
	uint32_t magic;
	uint32_t state;
	size_t size;		  /* what was asked for */
	uintptr_t alloc_pc;	  /* who allocated it */
	uintptr_t free_pc;	  /* who freed it */
	void *base;		  /* the heap's block holding it */
	struct kasan_block *next; /* quarantine: the next freed after it */
};
_Static_assert(sizeof(struct kasan_block) == 48, "a 48-byte header");

void kasan_poison(uintptr_t a, size_t n, uint8_t why);
void kasan_unpoison(uintptr_t a, size_t n);
/* A free() of a block that is not live (b its header when it has one):
 * reports and stops. */
__attribute__((noreturn)) void kasan_report_free(uintptr_t p, uintptr_t pc,
						 const struct kasan_block *b);

#endif
