/*
 * shared.c - the shared heap: blocks every compartment may read and write
 * (key 15 under mpk), for data handed across gates by pointer (locks,
 * buffers, argument vectors).
 *
 * Because every compartment can write the blocks, none of the allocator's
 * bookkeeping may live among them: a compartment could otherwise rewrite
 * free-list links and steer the kernel core's writes. So the bookkeeping
 * is kept out of band in the kernel core's memory: blocks are slots of
 * fixed size classes in "slab" pages, each slab described by a record in
 * the core's heap with a bitmap of used slots; requests above the largest
 * class get whole pages, also described by a record.
 *
 * Each block records the compartment that allocated it (the gate vouches
 * for the caller: API flag `caller`), and only that compartment may free
 * it: a compartment cannot free another's block to have it handed out
 * again, to itself or anyone.
 */
#include <stdlib.h>
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/gate.h>

#define CLASSES 6
static const size_t class_size[CLASSES] = {64, 128, 256, 512, 1024, 2048};

struct slab {
	uintptr_t base;	   /* first byte of its page(s) */
	size_t pages;	   /* pages it spans */
	size_t slot;	   /* slot size, or 0 for a large block */
	uint64_t used;	   /* bit i: slot i is allocated */
	uint8_t owner[64]; /* owner[i]: compartment that allocated slot i */
	struct slab *next;
};

static struct slab *slabs; /* every slab and large block */

static int class_of(size_t size)
{
	for (int i = 0; i < CLASSES; i++)
		if (size <= class_size[i])
			return i;
	return -1;
}

static struct slab *new_slab(size_t pages, size_t slot)
{
	struct slab *s = malloc(sizeof(*s));
	void *mem = NULL;

	/* With ept, shared means the region every VM maps. */
	if (s)
		mem = comp_has(COMP_VMS)
			      ? gate_shared_pages(pages)
			      : (mm_page_alloc_key)(pages, comp_shared_pkey(),
						    comp_config.core_index);

	if (!mem) {
		free(s);
		return NULL;
	}
	s->base = (uintptr_t)mem;
	s->pages = pages;
	s->slot = slot;
	s->used = 0;
	s->next = slabs;
	slabs = s;
	return s;
}

void *(mm_shared_alloc)(size_t size, int caller)
{
	int c = class_of(size ? size : 1);

	if (c < 0) {
		struct slab *s = new_slab(
			ALIGN_UP(size, (size_t)MM_PAGE_SIZE) / MM_PAGE_SIZE, 0);

		if (s)
			s->owner[0] = (uint8_t)caller;
		return s ? (void *)s->base : NULL;
	}
	size_t slot = class_size[c];
	size_t nslots = MM_PAGE_SIZE / slot;
	uint64_t full = nslots == 64 ? ~0ULL : (1ULL << nslots) - 1;
	struct slab *s;

	for (s = slabs; s; s = s->next)
		if (s->slot == slot && s->used != full)
			break;
	if (!s && !(s = new_slab(1, slot)))
		return NULL;
	int i = __builtin_ctzll(~s->used);

	s->used |= 1ULL << i;
	s->owner[i] = (uint8_t)caller;
	return (void *)(s->base + i * slot);
}

/* Only the compartment that allocated a block may free it. */
static void check_owner(void *p, int owner, int caller)
{
	if (owner != caller)
		panic("mm_shared_free(%p): compartment %s frees a block of "
		      "compartment %s",
		      p, comp_name(caller), comp_name(owner));
}

/* A free that is not exactly one live block would hand its memory out
 * twice: it stops the machine, saying what was wrong. */
void(mm_shared_free)(void *p, int caller)
{
	uintptr_t a = (uintptr_t)p;

	if (!p)
		return;
	for (struct slab **pp = &slabs; *pp; pp = &(*pp)->next) {
		struct slab *s = *pp;

		if (a < s->base || a >= s->base + s->pages * MM_PAGE_SIZE)
			continue;
		if (s->slot == 0) {
			if (a != s->base)
				panic("mm_shared_free(%p): inside a block of "
				      "%zu pages at 0x%lx, not at its start",
				      p, s->pages, s->base);
			check_owner(p, s->owner[0], caller);
			*pp = s->next;
			if (!comp_has(COMP_VMS)) /* VM arenas are not reused */
				mm_page_free((void *)s->base, s->pages);
			free(s);
			return;
		}
		size_t i = (a - s->base) / s->slot;

		if ((a - s->base) % s->slot)
			panic("mm_shared_free(%p): inside a block of %zu bytes "
			      "at 0x%lx, not at its start",
			      p, s->slot, s->base + i * s->slot);
		if (!(s->used & (1ULL << i)))
			panic("mm_shared_free(%p): not allocated (double "
			      "free?)",
			      p);
		check_owner(p, s->owner[i], caller);
		s->used &= ~(1ULL << i);
		memset(p, 0, s->slot); /* no data left for the next owner */
		return;
	}
	panic("mm_shared_free(%p): not a block of the shared heap", p);
}
