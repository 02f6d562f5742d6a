/*
 * handle.c - the scheduler's handle table: how objects in the scheduler's
 * own memory are named to other compartments.
 *
 * A handle is (type, generation, index), laid out as sched.h draws it.
 * The table is a directory of fixed chunks, so entries never move: an
 * interrupt handler may look a handle up (sched_wake_*) at any time,
 * while growing only ever adds a chunk. Entries are taken from a free
 * list and changed with interrupts off. Each entry remembers the one
 * handle that names it now (0 while free); freeing moves the entry to the
 * next generation, so every handle issued for it before is stale.
 *
 * Why not pointers? A pointer handed in by another compartment is
 * whatever that compartment wrote: a forged thread or wait-queue entry in
 * shared memory would make the scheduler write, and later run, what the
 * attacker chose, with the scheduler's rights. A handle is only an index,
 * checked against memory no other compartment can write.
 */
#include <stdlib.h>
#include <bulkhead/arch.h>
#include <bulkhead/kernel.h>
#include "sched_impl.h"

#define CHUNK_ENTRIES 256
#define CHUNKS	      4096 /* room for 1,048,576 objects */

_Static_assert((uint64_t)CHUNKS *CHUNK_ENTRIES <=
		       1ull << SCHED_HANDLE_INDEX_BITS,
	       "every table index fits a handle");

struct entry {
	uint64_t handle;    /* the handle naming it now; 0 while free */
	void *obj;	    /* the object; NULL while free */
	uint32_t gen;	    /* generation of the next handle issued here */
	uint32_t next_free; /* free list: index + 1 of the next, 0 ends */
};

static struct entry *chunks[CHUNKS]; /* the directory: chunks[0..nchunks) */
static unsigned nchunks;
static uint32_t free_head; /* index + 1 of the first free entry, 0: none */

static const char *const type_name[H_TYPES] = {
	[H_THREAD] = "thread",
	[H_WAITQ] = "wait queue",
	[H_MUTEX] = "mutex",
	[H_SEM] = "semaphore",
	[H_COND] = "condition variable",
};

static struct entry *entry_at(uint32_t index)
{
	return &chunks[index / CHUNK_ENTRIES][index % CHUNK_ENTRIES];
}

/* Add a chunk of free entries to the table: 0, or -1 when the directory
 * is full or memory is out. */
static int grow(void)
{
	if (nchunks == CHUNKS)
		return -1;
	struct entry *c = calloc(CHUNK_ENTRIES, sizeof(*c));

	if (!c)
		return -1;
	uint32_t base = nchunks * CHUNK_ENTRIES;

	for (uint32_t i = 0; i < CHUNK_ENTRIES; i++) {
		c[i].gen = 1;
		c[i].next_free = i + 1 < CHUNK_ENTRIES ? base + i + 2 : 0;
	}
	uint64_t flags = irq_save();

	c[CHUNK_ENTRIES - 1].next_free = free_head;
	chunks[nchunks++] = c;
	free_head = base + 1;
	irq_restore(flags);
	return 0;
}

/* A new handle of `type` naming obj, or 0 when the table cannot grow. */
uint64_t handle_new(enum handle_type type, void *obj)
{
	if (!free_head && grow() != 0)
		return 0;
	uint64_t flags = irq_save();
	uint32_t index = free_head - 1;
	struct entry *e = entry_at(index);

	free_head = e->next_free;
	e->obj = obj;
	e->handle = (uint64_t)type << SCHED_HANDLE_TYPE_SHIFT |
		    (uint64_t)e->gen << SCHED_HANDLE_GEN_SHIFT | index;
	irq_restore(flags);
	return e->handle;
}

/*
 * The object handle h names, if h is a live handle of `type`; otherwise
 * stop the machine, naming the function `fn` that was handed h, the
 * handle, and what is wrong with it. Safe in interrupt handlers.
 */
void *handle_get(uint64_t h, enum handle_type type, const char *fn)
{
	unsigned t = (unsigned)(h >> SCHED_HANDLE_TYPE_SHIFT);
	uint32_t index = SCHED_HANDLE_INDEX(h);

	if (t != type) {
		if (t > 0 && t < H_TYPES)
			panic("sched: %s: bad %s handle 0x%016lx: it is a %s "
			      "handle",
			      fn, type_name[type], (unsigned long)h,
			      type_name[t]);
		panic("sched: %s: bad %s handle 0x%016lx: not a handle (type "
		      "%u)",
		      fn, type_name[type], (unsigned long)h, t);
	}
	if (index >= nchunks * CHUNK_ENTRIES)
		panic("sched: %s: bad %s handle 0x%016lx: index %u is outside "
		      "the table",
		      fn, type_name[type], (unsigned long)h, index);
	struct entry *e = entry_at(index);

	if (e->handle != h)
		panic("sched: %s: bad %s handle 0x%016lx: stale (freed, or "
		      "never issued)",
		      fn, type_name[type], (unsigned long)h);
	return e->obj;
}

/* Free the entry of a live handle (the caller has checked it): every
 * handle naming it goes stale, and the entry is reused next. */
void handle_free(uint64_t h)
{
	uint32_t index = SCHED_HANDLE_INDEX(h);
	uint64_t flags = irq_save();
	struct entry *e = entry_at(index);

	e->handle = 0;
	e->obj = NULL;
	e->gen++;
	e->next_free = free_head;
	free_head = index + 1;
	irq_restore(flags);
}
