/*
 * rpc.c - the EPT backend's mailboxes: making a call, serving one, and
 * waiting between the two. Portable: the kernel links it into every EPT
 * image, the host gate harness into a Linux program.
 *
 * Protocol on one mailbox (one logical thread):
 *   caller:  fill fn/argc/args/from, set to = callee, state = CALL
 *   callee:  run it (its own calls out go on the same mailbox: CALL to
 *            someone else, and it waits like any caller), then put the
 *            result in ret, to = the caller it remembered, state = RET
 *   caller:  takes ret; while waiting it also serves any CALL to itself,
 *            which is how A -> B -> A comes back to the same thread.
 * Stores are ordered by release/acquire on `state`; everything a callee
 * reads from the mailbox is checked before it is used.
 */
#include <stddef.h>
#include "ept.h"

static struct ept_shared *sh;
static unsigned self;
static const struct ept_table *tables;
static unsigned ncomps;
static const struct ept_platform *plat;
static uint64_t spin_ns; /* spin this long before blocking */

void ept_init(struct ept_shared *shared, unsigned me, const struct ept_table *t,
	      unsigned n, const struct ept_platform *p, uint64_t spin)
{
	sh = shared;
	self = me;
	tables = t;
	ncomps = n;
	plat = p;
	spin_ns = spin;
	__atomic_store_n(&sh->up[self], 1, __ATOMIC_RELEASE);
}

static uint32_t load(volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store(volatile uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Hand the turn to compartment `to` in state `state`, in one store. */
static void hand_over(struct ept_box *b, uint32_t state, unsigned to)
{
	store(&b->turn, EPT_TURN(state, to));
}

static uint32_t state_of(struct ept_box *b)
{
	return EPT_STATE(load(&b->turn));
}

/* A free (or finished, with no mirror left) mailbox, claimed for us. */
static struct ept_box *claim_box(void)
{
	for (unsigned i = 0; i < EPT_BOXES; i++) {
		struct ept_box *b = &sh->boxes[i];
		uint64_t bit = 1ULL << (i % 64);
		volatile uint64_t *word = &sh->used[i / 64];
		uint64_t w = __atomic_load_n(word, __ATOMIC_ACQUIRE);

		if (w & bit) {
			/* In use, unless its thread ended and no mirror
			 * remains: then it may be taken over. */
			int busy = state_of(b) != EPT_DEAD;

			for (unsigned c = 0; c < EPT_VMS && !busy; c++)
				busy = b->mirror[c] != 0;
			uint32_t dead = load(&b->turn);

			if (busy || EPT_STATE(dead) != EPT_DEAD ||
			    !__atomic_compare_exchange_n(
				    &b->turn, &dead, EPT_TURN(EPT_IDLE, self),
				    0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
				continue;
		} else if (!__atomic_compare_exchange_n(word, &w, w | bit, 0,
							__ATOMIC_ACQ_REL,
							__ATOMIC_ACQUIRE)) {
			i--; /* the word changed under us: look again */
			continue;
		}
		b->home = self;
		for (unsigned c = 0; c < EPT_VMS; c++)
			b->mirror[c] = 0;
		b->mirror[self] = 1;
		hand_over(b, EPT_IDLE, self);
		return b;
	}
	plat->fail("ept: all mailboxes are in use");
}

/* Run the call waiting in b (for this compartment) and hand back. */
static void serve_one(struct ept_box *b)
{
	unsigned from = b->from, fn = b->fn, argc = b->argc;
	const struct ept_table *t = &tables[self];

	if (from >= ncomps || fn >= t->count || argc != t->exports[fn].argc) {
		plat->report("ept: malformed call rejected (bad function, "
			     "argument count or caller)");
		hand_over(b, EPT_REJECT, from < ncomps ? from : b->home);
		return;
	}
	long (*f)(long, long, long, long, long, long) = t->exports[fn].fn;

	/* A `caller` function learns who asks from the mailbox, not from
	 * the caller's arguments. */
	if (t->exports[fn].vouched)
		b->args[argc - 1] = from;
	b->ret = (uint64_t)f((long)b->args[0], (long)b->args[1],
			     (long)b->args[2], (long)b->args[3],
			     (long)b->args[4], (long)b->args[5]);
	hand_over(b, EPT_RET, from);
}

/*
 * Wait until it is our turn on b: spin for spin_ns, then block for
 * growing intervals (so VMs sharing a core do not starve each other).
 * Serves calls made to us meanwhile; returns the final state (RET or
 * REJECT) of our own call, or DEAD.
 */
static uint32_t wait_turn(struct ept_box *b, int serving)
{
	uint64_t start = plat->now_ns(), nap = 20000;
	unsigned spins = 0;

	for (;;) {
		uint32_t turn = load(&b->turn), s = EPT_STATE(turn);

		if (s == EPT_DEAD && serving)
			return s;
		if (EPT_TO(turn) == self && s != EPT_IDLE) {
			if (s == EPT_CALL) {
				serve_one(b);
				if (serving)
					return s;
				start = plat->now_ns();
				continue;
			}
			return s;
		}
		if (plat->now_ns() - start < spin_ns) {
			/* Spin, letting this VM's other threads run now and
			 * then: the reply may depend on one of them (a mirror
			 * to start, a nested call to serve). */
			if (++spins % 64 == 0)
				plat->yield();
			else
				plat->pause();
			continue;
		}
		plat->block(nap);
		if (nap < 1000000)
			nap *= 2;
	}
}

long ept_call(unsigned to, unsigned fn, unsigned argc, long a0, long a1,
	      long a2, long a3, long a4, long a5)
{
	struct ept_box *b = plat->my_box();

	if (!b) {
		b = claim_box();
		plat->set_my_box(b);
	}
	b->fn = fn;
	b->argc = argc;
	b->from = self;
	b->args[0] = (uint64_t)a0;
	b->args[1] = (uint64_t)a1;
	b->args[2] = (uint64_t)a2;
	b->args[3] = (uint64_t)a3;
	b->args[4] = (uint64_t)a4;
	b->args[5] = (uint64_t)a5;
	hand_over(b, EPT_CALL, to);
	if (wait_turn(b, 0) == EPT_REJECT)
		plat->fail("ept: the callee rejected a call as malformed");
	long ret = (long)b->ret;

	/* Back to running in its home VM, unless this is a mirror. */
	if (b->home == self)
		hand_over(b, EPT_IDLE, self);
	return ret;
}

void ept_serve(struct ept_box *b)
{
	plat->set_my_box(b);
	while (wait_turn(b, 1) != EPT_DEAD)
		;
	b->mirror[self] = 0;
}

struct ept_box *ept_new_call(void)
{
	for (unsigned w = 0; w < EPT_BOXES / 64; w++) {
		uint64_t used = __atomic_load_n(&sh->used[w], __ATOMIC_ACQUIRE);

		while (used) {
			unsigned i = w * 64 + (unsigned)__builtin_ctzll(used);
			struct ept_box *b = &sh->boxes[i];

			used &= used - 1;
			uint32_t turn = load(&b->turn);

			if (turn == EPT_TURN(EPT_CALL, self) &&
			    !b->mirror[self]) {
				b->mirror[self] = 1;
				return b;
			}
		}
	}
	return NULL;
}

void ept_thread_exit(void)
{
	struct ept_box *b = plat->my_box();

	if (b && b->home == self) {
		b->mirror[self] = 0;
		hand_over(b, EPT_DEAD, self);
	}
}
