/*
 * copy.c - the argument contracts of the ept gate (gate.h, "Argument
 * contracts"): pointers checked on both sides of a call, and buffers
 * copied, since each VM writes only its own part of the shared region
 * and sees nothing of the others' private memory.
 *
 *   caller, before the call (ept_copy_in): every buffer argument must be
 *     memory of the caller's own VM (mapped here; writable for out and
 *     inout), at most EPT_COPY_MAX bytes. One not already in the caller's
 *     part gets room in the part's copy area: the bytes of in, inout and
 *     str are copied there, out gets room only. The message carries only
 *     addresses in the caller's part; where out and inout bytes go back
 *     stays in the caller's private memory.
 *   callee, before running the export (ept_check_call): every buffer
 *     argument must lie in the sender's part, known from where the
 *     message sits, not from anything it says. The export runs on
 *     copies in the callee's own part, which the sender cannot change
 *     while it reads them: in, inout and str copied, out zeroed; those
 *     of out and inout (the bounce buffers) are named in the reply.
 *   caller, after the reply (ept_copy_out): from each bounce, which must
 *     lie in the callee's part, it copies the length it computed itself
 *     back into its own buffer.
 * Both sides check with gates/args.c against the export's contract and
 * report through the kernel core's gate_arg_violation (the core runs in
 * every VM): a refusal stops that VM, or makes the call return -EFAULT
 * where the contract says efault. Linked outside every compartment.
 */
#include <stdint.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>
#include <bulkhead/x86.h>
#include "../args.h"
#include "ept.h"

#define EFAULT	   14
#define COPY_PAGES ((EPT_ARENA_AT - EPT_COPY_AT) / PAGE_SIZE)
#define COPY_ALIGN 16 /* each copied buffer starts 16-byte aligned */

extern const struct ept_table ept_tables[]; /* generated */
extern const uintptr_t ept_callbacks[];	    /* generated: declared callbacks */
extern const unsigned ept_callback_count;

static unsigned self, ncomps;

/* Pages of this VM's copy area in use (private memory; volatile keeps
 * the compiler from calling a memset that is not linked out here). */
static volatile uint8_t page_used[COPY_PAGES];

/* Per logical thread: the bounce buffers of the last call this VM
 * answered on it, kept until its caller says something new there. */
static struct {
	uintptr_t base;
	uint16_t pages;
	uint8_t from;
} held[EPT_IDS];

/* What gate_range_ok judges by, set before each check (one CPU, and a
 * check never yields, so no other check runs meanwhile). */
static enum { OWN_MEMORY, SENDER_PART } rule;
static unsigned sender;

void ept_copy_init(unsigned me, unsigned count)
{
	self = me;
	ncomps = count;
}

static uintptr_t part(unsigned c)
{
	return EPT_SHARED_BASE + (uintptr_t)c * EPT_PART_SIZE;
}

/* Whether [p, p + len) lies in VM c's part (len > 0). */
static int in_part(unsigned c, uintptr_t p, uint64_t len)
{
	return c < ncomps && p >= part(c) && len <= EPT_PART_SIZE &&
	       p - part(c) <= EPT_PART_SIZE - len;
}

/* Whether [p, p + len) is mapped in this VM, writable with `write`. */
static int mapped_here(uintptr_t p, uint64_t len, int write)
{
	if (p + len > VM_LOWER_HALF_END)
		return 0;
	for (uintptr_t va = p & ~(uintptr_t)(PAGE_SIZE - 1); va < p + len;
	     va += PAGE_SIZE) {
		uint64_t e = vm_lookup(va);

		if (!e || (write && !(e & PTE_W)))
			return 0;
	}
	return 1;
}

/* gates/args.c's question: may the caller hand [p, p + len) over? In
 * the caller: its own VM's memory. In the callee: the sender's part. */
int gate_range_ok(uintptr_t p, uint64_t len, int write)
{
	if (len == 0)
		return 1;
	if (p + len < p)
		return 0;
	if (rule == SENDER_PART)
		return in_part(sender, p, len);
	return mapped_here(p, len, write);
}

/* A refused argument: the core reports it; -EFAULT if the contract says
 * efault (gate_arg_violation returns only then). */
static long report(unsigned site, unsigned arg, uintptr_t addr, uint64_t len,
		   unsigned why)
{
	gate_arg_violation(site, arg, addr, len, why);
	return -EFAULT;
}

/* Byte copies: no libc out here. */
static void copy(uintptr_t to, uintptr_t from, uint64_t len)
{
	volatile uint8_t *d = (uint8_t *)to;
	const volatile uint8_t *s = (const uint8_t *)from;

	while (len--)
		*d++ = *s++;
}

static void zero(uintptr_t to, uint64_t len)
{
	volatile uint8_t *d = (uint8_t *)to;

	while (len--)
		*d++ = 0;
}

/* n free pages in a row of this VM's copy area; waits while there are
 * none (calls in flight give theirs back). */
static uintptr_t take_pages(unsigned n)
{
	for (;;) {
		for (unsigned i = 0, run = 0; i < COPY_PAGES; i++) {
			run = page_used[i] ? 0 : run + 1;
			if (run < n)
				continue;
			for (unsigned k = i + 1 - n; k <= i; k++)
				page_used[k] = 1;
			return part(self) + EPT_COPY_AT +
			       (uintptr_t)(i + 1 - n) * PAGE_SIZE;
		}
		sched_sleep_ns(1000000);
	}
}

static void give_pages(uintptr_t base, unsigned n)
{
	unsigned first =
		(unsigned)((base - part(self) - EPT_COPY_AT) / PAGE_SIZE);

	for (unsigned k = first; k < first + n; k++)
		page_used[k] = 0;
}

static uint64_t round_up(uint64_t len)
{
	return (len + COPY_ALIGN - 1) & ~(uint64_t)(COPY_ALIGN - 1);
}

/* Whether the callee writes through a (out, inout). */
static int writes(const struct gate_arg *a)
{
	return a->kind == GATE_ARG_OUT || a->kind == GATE_ARG_INOUT;
}

static int is_buffer(const struct gate_arg *a)
{
	return a->kind == GATE_ARG_IN || a->kind == GATE_ARG_OUT ||
	       a->kind == GATE_ARG_INOUT || a->kind == GATE_ARG_STR;
}

/*
 * The check of a call of export e from compartment `from` under `how`,
 * then every buffer's length into len[] (a string's up to its NUL),
 * each at most EPT_COPY_MAX. 0, or the refusal's -EFAULT.
 */
static long check(const struct ept_export *e, unsigned from, int how,
		  const uint64_t args[6], uint64_t len[6])
{
	struct gate_site s = {e->site + from, e->nargs,		  e->contract,
			      ept_callbacks,  ept_callback_count, report};
	const long *a = (const long *)args;
	long err;

	rule = how;
	sender = from;
	err = gate_check_args(&s, a);
	if (err)
		return err;
	for (unsigned i = 0; i < e->nargs; i++) {
		const struct gate_arg *g = &e->contract[i];
		uintptr_t p = (uintptr_t)args[i];

		len[i] = 0;
		if (!is_buffer(g) || !p)
			continue;
		if (g->kind == GATE_ARG_STR) {
			while (len[i] < g->size &&
			       *(const volatile char *)(p + len[i]))
				len[i]++;
			len[i]++; /* its NUL, found by the check */
		} else if ((err = gate_arg_length(&s, g, a, &len[i]))) {
			return err;
		}
		if (len[i] > EPT_COPY_MAX)
			return report(s.site, i + 1, p, len[i],
				      GATE_WHY_TOO_LONG);
		/* The length just read is the one used: a length word the
		 * sender changed since the check must still fit. */
		if (len[i] && !gate_range_ok(p, len[i], writes(g)))
			return report(s.site, i + 1, p, len[i], GATE_WHY_RANGE);
	}
	return 0;
}

long ept_copy_in(unsigned to, unsigned fn, unsigned argc, uint64_t args[6],
		 struct ept_copies *c)
{
	const struct ept_export *e;
	uint64_t len[6], room = 0, at;
	long err;

	/* A call the callee cannot have (no such export, another argument
	 * count) is its to reject as malformed (rpc.c). */
	if (to >= ncomps || fn >= ept_tables[to].count)
		return 0;
	e = &ept_tables[to].exports[fn];
	if (!e->contract || argc != e->argc)
		return 0;
	err = check(e, self, OWN_MEMORY, args, len);
	if (err)
		return err;
	for (unsigned i = 0; i < e->nargs; i++)
		if (len[i] && !in_part(self, args[i], len[i]))
			room += round_up(len[i]);
	if (room) {
		c->pages = (unsigned)((room + PAGE_SIZE - 1) / PAGE_SIZE);
		c->base = take_pages(c->pages);
	}
	at = c->base;
	for (unsigned i = 0; i < e->nargs; i++) {
		uint8_t kind = e->contract[i].kind;

		if (!len[i])
			continue;
		if (writes(&e->contract[i])) {
			c->back[i] = args[i];
			c->len[i] = len[i];
		}
		if (in_part(self, args[i], len[i]))
			continue; /* the callee reads it where it is */
		if (kind != GATE_ARG_OUT)
			copy(at, args[i], len[i]);
		args[i] = at;
		at += round_up(len[i]);
	}
	return 0;
}

void ept_copy_out(unsigned to, const uint64_t bounce[6], struct ept_copies *c)
{
	for (unsigned i = 0; i < 6; i++) {
		if (!c->back[i] || !bounce[i])
			continue;
		/* The length is ours; the callee says only where. */
		if (!in_part(to, bounce[i], c->len[i]))
			panic("ept: %s's reply puts argument %u's bytes "
			      "(0x%lx) "
			      "outside its part of the shared region",
			      comp_config.comps[to].name, i + 1,
			      (unsigned long)bounce[i]);
		copy(c->back[i], bounce[i], c->len[i]);
	}
	if (c->pages)
		give_pages(c->base, c->pages);
}

long ept_check_call(unsigned from, unsigned fn, uint64_t args[6],
		    uint64_t bounce[6], struct ept_copies *c)
{
	const struct ept_export *e = &ept_tables[self].exports[fn];
	uint64_t len[6], room = 0, at;
	long err;

	if (!e->contract)
		return 0;
	err = check(e, from, SENDER_PART, args, len);
	if (err)
		return err;
	for (unsigned i = 0; i < e->nargs; i++)
		room += round_up(len[i]);
	if (!room)
		return 0;
	c->pages = (unsigned)((room + PAGE_SIZE - 1) / PAGE_SIZE);
	c->base = take_pages(c->pages);
	at = c->base;
	for (unsigned i = 0; i < e->nargs; i++) {
		uint8_t kind = e->contract[i].kind;

		if (!len[i])
			continue;
		/* The export reads a snapshot the sender can no longer
		 * change (it runs on its own CPU); a string keeps its NUL. */
		if (kind == GATE_ARG_OUT)
			zero(at, len[i]);
		else
			copy(at, args[i], len[i]);
		if (kind == GATE_ARG_STR)
			zero(at + len[i] - 1, 1);
		args[i] = at;
		if (writes(&e->contract[i]))
			bounce[i] = at;
		at += round_up(len[i]);
	}
	return 0;
}

void ept_hold(unsigned id, unsigned from, const struct ept_copies *c)
{
	/* An honest caller has said something in between; one that has not
	 * loses its earlier bounce. */
	ept_release(id, EPT_VMS);
	held[id].base = c->base;
	held[id].pages = (uint16_t)c->pages;
	held[id].from = (uint8_t)from;
}

void ept_release(unsigned id, unsigned from)
{
	if (!held[id].pages || (from != EPT_VMS && from != held[id].from))
		return;
	give_pages(held[id].base, held[id].pages);
	held[id].pages = 0;
}
