/*
 * main.c - the interface fuzzer: in place of a configuration's
 * application, it calls every function its compartment may call in the
 * others, through their real gates, with hostile and plausible arguments
 * chosen by each argument's contract (scripts/layout.py generates the
 * table, fuzz_targets[], into this compartment's glue).
 *
 * Pointers come from memory the fuzzer may hand over (shared blocks,
 * its stack under light gates), its own private memory, every other
 * compartment's data and bss (the compartment table is public), code
 * and constants, page 0, unmapped, non-canonical and wrapping addresses,
 * and a freed block; lengths and values from edges (0, 1, page sizes,
 * -1, 2^31, 2^32, 2^63) and at random; handles from what earlier calls
 * returned, forged now and then. In this image a refused argument
 * returns -EFAULT (after the gate's report) rather than stopping the
 * machine, so one boot tries many calls.
 *
 * Every call either returns or is refused with a report. A fault, a panic
 * that is no refusal, or a call that does not come back (a watchdog
 * thread) stops the machine, and the call is in the note kernel_exit
 * prints (kernel_note). scripts/fuzz.py runs boots until its time is up
 * and tells findings from refusals.
 *
 * Command line: fuzz_seed=N (default 1), fuzz_seconds=N (default 10).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/gate.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>

extern const struct gate_target fuzz_targets[];
extern const unsigned fuzz_target_count;
/* lwIP's, when the image has it: the network starts before the fuzzing. */
extern int net_start(void) __attribute__((weak));

void *fuzz_worker(void *arg);
void *fuzz_watchdog(void *arg);

#define SHARED_SIZE	    8192
#define HANDLES		    64
#define WATCHDOG_SECONDS    20
#define ALLOCATIONS_AT_MOST 48 /* successful calls that may keep memory */

static uint64_t rng;
static char *shared;			    /* memory it may hand over */
static char own[4096];			    /* its own, private memory */
static char *freed;			    /* a shared block, freed */
static char note[KERNEL_NOTE_MAX] __shared; /* the current call */
static uint64_t handles[HANDLES];	    /* what handle makers returned */
static uint64_t blocks[HANDLES];	    /* shared blocks it was given */
static const char *gentle;		    /* fuzz_gentle=: see is_gentle */
static volatile unsigned long calls;
static unsigned allocations;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t pick(const uint64_t *v, unsigned n)
{
	return v[next() % n];
}

static unsigned long number(const char *key, unsigned long fallback)
{
	const char *v = cmdline_get(key);

	return v ? strtoul(v, NULL, 0) : fallback;
}

/* A value: an edge, or at random. */
static uint64_t value(void)
{
	static const uint64_t edges[] = {
		0,
		1,
		2,
		7,
		64,
		4096,
		65536,
		0x7fffffff,
		0x80000000,
		0xffffffff,
		1ULL << 32,
		1ULL << 63,
		(uint64_t)-1,
		(uint64_t)-4096,
	};

	return next() % 4 ? pick(edges, sizeof(edges) / sizeof(*edges))
			  : next();
}

/* An address somewhere in compartment c's memory. */
static uint64_t inside(const struct comp_range *r)
{
	if (r->end <= r->start)
		return r->start;
	return r->start + next() % (r->end - r->start);
}

/* A pointer: memory it may hand over, or one of everything else. */
static uint64_t pointer(void)
{
	const struct comp_desc *c =
		&comp_config.comps[next() % comp_config.count];

	switch (next() % 16) {
	case 0:
		return (uint64_t)(uintptr_t)own + next() % sizeof(own);
	case 1:
		return inside(&c->data);
	case 2:
		return inside(&c->bss);
	case 3:
		return inside(&c->text);
	case 4:
		return inside(&c->rodata);
	case 5:
		return 0;
	case 6:
		return 0x1000 + next() % 0x1000; /* page 0's neighbour */
	case 7:
		return 0x8000000000000000ULL | next(); /* non-canonical */
	case 8:
		return (uint64_t)-64; /* wraps */
	case 9:
		return (uint64_t)(uintptr_t)freed;
	default:
		return (uint64_t)(uintptr_t)shared + next() % SHARED_SIZE;
	}
}

/* A handle: one a call returned, as it is or forged now and then. */
static uint64_t handle(void)
{
	uint64_t h = handles[next() % HANDLES];

	switch (next() % 256) {
	case 0:
		return h ^ (1ULL << (next() % 64));
	case 1:
		return h + (1ULL << 32); /* another generation */
	case 2:
		return value();
	default:
		return h;
	}
}

/* Arguments for target t, by their contracts. */
static void arguments(const struct gate_target *t, uint64_t *a)
{
	for (unsigned i = 0; i < t->argc; i++) {
		switch (t->args[i].kind) {
		case GATE_ARG_HANDLE:
			a[i] = handle();
			break;
		case GATE_ARG_ADDR:
			/* Mostly a block it was given (to free, say). */
			a[i] = next() % 256 ? blocks[next() % HANDLES]
					    : pointer();
			break;
		case GATE_ARG_IN:
		case GATE_ARG_OUT:
		case GATE_ARG_INOUT:
		case GATE_ARG_STR:
			a[i] = pointer();
			break;
		case GATE_ARG_FN:
			a[i] = next() % 4 ? (uint64_t)(uintptr_t)fuzz_worker
					  : pointer();
			break;
		default:
			a[i] = value();
		}
	}
	/* Lengths: mostly what fits the buffer, else an edge. */
	for (unsigned i = 0; i < t->argc; i++) {
		const struct gate_arg *g = &t->args[i];

		if (g->kind >= GATE_ARG_IN && g->kind <= GATE_ARG_INOUT &&
		    g->len && !(g->flags & GATE_ARG_LEN_AT) && next() % 2) {
			uint64_t room = SHARED_SIZE / (g->scale ? g->scale : 1);

			a[g->len - 1] = next() % (room + 1);
		}
	}
	/* Strings in shared memory: end them, mostly. */
	for (unsigned i = 0; i < t->argc; i++)
		if (t->args[i].kind == GATE_ARG_STR && next() % 4 == 0 &&
		    a[i] >= (uintptr_t)shared &&
		    a[i] < (uintptr_t)shared + SHARED_SIZE)
			shared[SHARED_SIZE - 1 - next() % 64] = 0;
}

extern long netsock_fcntl(long s, long cmd, long val) __attribute__((weak));

/*
 * Keep calls that block by their contract from blocking: a socket call
 * on a descriptor made non-blocking first, select and poll with no
 * timeout (most of the time). Otherwise a blocking accept would pass for
 * a call that never comes back.
 */
static void unblock(const struct gate_target *t, uint64_t *a)
{
	if (strncmp(t->name, "netsock_", 8) != 0 || !netsock_fcntl)
		return;
	if (strcmp(t->name, "netsock_select") == 0) {
		/* A zero timeout: where it points if that is shared memory,
		 * else at the end of the shared block. */
		if (a[4] < (uintptr_t)shared ||
		    a[4] + 16 > (uintptr_t)shared + SHARED_SIZE)
			a[4] = (uintptr_t)(shared + SHARED_SIZE - 16);
		memset((void *)(uintptr_t)a[4], 0, 16);
	} else if (strcmp(t->name, "netsock_poll") == 0) {
		a[2] = next() % 8 ? 0 : 1;
	} else if (strcmp(t->name, "netsock_socket") != 0) {
		netsock_fcntl((long)a[0], F_SETFL, O_NONBLOCK);
	}
}

/*
 * Whether t is one of the functions (fuzz_gentle=a,b,...) whose own
 * checks stop the machine on a bad argument (a forged handle, a key not
 * the caller's): scripts/fuzz.py names those that did in earlier boots,
 * and the fuzzer calls them a hundredth as often, so that one boot still
 * tries many calls.
 */
static int is_gentle(const char *name)
{
	size_t n = strlen(name);

	for (const char *p = gentle; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == n && strncmp(p, name, n) == 0)
			return 1;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

/* Whether a call of `name` returns a handle. */
static int makes_handles(const char *name)
{
	size_t n = strlen(name);

	return strcmp(name, "sched_create") == 0 ||
	       (strncmp(name, "sched_", 6) == 0 && n > 4 &&
		strcmp(name + n - 4, "_new") == 0);
}

/* Calls that keep what they make (memory, threads, handles): only so
 * many per boot, so that the fuzzer does not just run the machine out of
 * memory. */
static int keeps(const char *name)
{
	static const char *const makers[] = {
		"mm_page_alloc_key", "sched_create",	"sched_mutex_new",
		"sched_sem_new",     "sched_waitq_new", "sched_cond_new",
		"netsock_socket",    "dev_open",
	};

	for (unsigned i = 0; i < sizeof(makers) / sizeof(*makers); i++)
		if (strcmp(name, makers[i]) == 0)
			return 1;
	return 0;
}

void *fuzz_watchdog(void *arg)
{
	unsigned long seen = (unsigned long)-1;

	(void)arg;
	for (;;) {
		time_sleep_ns(WATCHDOG_SECONDS * 1000000000ULL);
		if (calls == seen)
			panic("fuzz: hang: no call returned in %d s",
			      WATCHDOG_SECONDS);
		seen = calls;
	}
	return NULL;
}

/* A thread entry the fuzzer hands sched_create: returns at once. */
void *fuzz_worker(void *arg)
{
	return arg;
}

int main(void)
{
	unsigned long seed = number("fuzz_seed", 1);
	uint64_t seconds = number("fuzz_seconds", 10);
	uint64_t end = time_now_ns() + seconds * 1000000000ULL;
	unsigned long refused = 0;
	uint64_t a[6] = {0};
	sched_thread_t dog;

	rng = seed * 0x9e3779b97f4a7c15ULL | 1;
	shared = mm_shared_alloc(SHARED_SIZE);
	freed = mm_shared_alloc(64);
	if (!shared || !freed)
		panic("fuzz: no shared memory");
	mm_shared_free(freed);
	memset(shared, 'x', SHARED_SIZE);
	gentle = cmdline_get("fuzz_gentle");
	for (unsigned i = 0; i < HANDLES; i++) {
		handles[i] = sched_mutex_new(0);
		blocks[i] = (uintptr_t)mm_shared_alloc(64);
	}
	printf("fuzz: seed %lu, %lu s, %u targets in compartment %s\n", seed,
	       (unsigned long)seconds, fuzz_target_count,
	       comp_config.comps[libc_comp_index].name);
	if (net_start)
		net_start();
	kernel_note(note);
	dog = sched_create("fuzz-watchdog", fuzz_watchdog, NULL, 0);
	if (!dog || dog == (sched_thread_t)-14)
		panic("fuzz: no watchdog thread");
	else
		sched_detach(dog);
	while (fuzz_target_count && time_now_ns() < end) {
		const struct gate_target *t =
			&fuzz_targets[next() % fuzz_target_count];
		long r;

		if (keeps(t->name) && allocations >= ALLOCATIONS_AT_MOST)
			continue;
		if (is_gentle(t->name) && next() % 100)
			continue;
		arguments(t, a);
		unblock(t, a);
		snprintf(
			note, sizeof(note),
			"call %lu: %s -> %s(0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx, "
			"0x%lx)",
			calls + 1, t->callee, t->name, (unsigned long)a[0],
			(unsigned long)a[1], (unsigned long)a[2],
			(unsigned long)a[3], (unsigned long)a[4],
			(unsigned long)a[5]);
		r = t->fn((long)a[0], (long)a[1], (long)a[2], (long)a[3],
			  (long)a[4], (long)a[5]);
		calls++;
		if (r == -14) {
			refused++;
			continue;
		}
		if (r && keeps(t->name))
			allocations++;
		if (r && strcmp(t->name, "mm_shared_alloc") == 0) {
			/* Keep it, to be freed by a later call. */
			uint64_t *b = &blocks[next() % HANDLES];

			if (*b && *b != (uintptr_t)freed)
				mm_shared_free((void *)(uintptr_t)*b);
			*b = (uint64_t)r;
		} else if (r && strcmp(t->name, "sched_create") == 0)
			sched_detach((sched_thread_t)r);
		else if (r && makes_handles(t->name))
			handles[next() % HANDLES] = (uint64_t)r;
		else if (strcmp(t->name, "mm_shared_free") == 0)
			for (unsigned i = 0; i < HANDLES; i++)
				if (blocks[i] == a[0])
					blocks[i] = 0;
		if (calls % 1000 == 0)
			printf("fuzz: %lu calls\n", calls);
	}
	kernel_note(NULL);
	printf("fuzz: %lu calls, %lu refused\n", calls, refused);
	return 0;
}
