/*
 * core.c - the kernel core's part of libc: newlib's per-thread state and
 * the application's main thread.
 *
 * Each thread gets its own struct _reent (errno, strtok state, rand, ...),
 * kept in this copy of libc's own memory and found by the thread's
 * handle; the scheduler's switch hook points newlib's _impure_ptr at it.
 * The standard streams are one set for the whole system, as in a POSIX
 * process: every thread's reent borrows the global reent's stdin, stdout
 * and stderr (stdio locks them), so output is not lost or reordered in
 * per-thread buffers, and exit() flushes it.
 *
 * Only the kernel core may set the scheduler's hooks and start main
 * (sched.api), so this file is linked into the kernel library
 * (kernel/build.mk), not into libc: it exists only in the core's
 * compartment, whose copy of newlib it works on, and no other
 * compartment's libc even names sched_set_hooks.
 */
#include <reent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/kernel.h>
#include <bulkhead/libc.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>

extern void __sinit(struct _reent *);

/* The borrowed streams belong to the global reent: nothing to clean. */
static void no_cleanup(struct _reent *r)
{
	(void)r;
}

/*
 * This copy of libc's per-thread state, in its own memory: the scheduler
 * stores nothing on libc's behalf. Threads are found by the index of
 * their handle, and an entry counts only while it holds that very handle,
 * so a stale or forged handle finds nothing. The table grows in
 * libc_thread_init (thread context) and is only read on a switch.
 */
struct thread_state {
	sched_thread_t thread; /* whose state this is; 0: a free entry */
	struct _reent *reent;
};

static struct thread_state *states; /* indexed by SCHED_HANDLE_INDEX */
static size_t nstates;

/* The entry for thread t, or NULL if this libc keeps nothing for it. */
static struct thread_state *state_of(sched_thread_t t)
{
	uint32_t i = SCHED_HANDLE_INDEX(t);

	return i < nstates && states[i].thread == t ? &states[i] : NULL;
}

/* Make room for index i: 0, or -1 when out of memory. */
static int states_reserve(uint32_t i)
{
	if (i < nstates)
		return 0;
	size_t n = nstates ? nstates : 64;

	while (n <= i)
		n *= 2;
	struct thread_state *s = realloc(states, n * sizeof(*s));

	if (!s)
		return -1;
	memset(s + nstates, 0, (n - nstates) * sizeof(*s));
	states = s;
	nstates = n;
	return 0;
}

/* Scheduler hook: a new thread t gets its own struct _reent. */
int libc_thread_init(sched_thread_t t)
{
	struct _reent *r;

	if (states_reserve(SCHED_HANDLE_INDEX(t)) != 0)
		return -1;
	r = malloc(sizeof(*r));
	if (!r)
		return -1;
	_REENT_INIT_PTR(r);
	r->_stdin = _global_impure_ptr->_stdin;
	r->_stdout = _global_impure_ptr->_stdout;
	r->_stderr = _global_impure_ptr->_stderr;
	r->__sdidinit = 1;
	r->__cleanup = no_cleanup;
	states[SCHED_HANDLE_INDEX(t)] =
		(struct thread_state){.thread = t, .reent = r};
	return 0;
}

/* Scheduler hook: thread t is freed; so is its struct _reent. */
void libc_thread_fini(sched_thread_t t)
{
	struct thread_state *s = state_of(t);

	if (!s)
		return;
	_reclaim_reent(s->reent);
	free(s->reent);
	*s = (struct thread_state){0};
}

/* Scheduler hook, interrupts off: newlib's state becomes next's (or the
 * global one for a thread this libc has none for, such as idle). */
void libc_switch_to(sched_thread_t next)
{
	struct thread_state *s = state_of(next);

	_impure_ptr = s ? s->reent : (struct _reent *)_global_impure_ptr;
}

/* Set up stdio, then give every thread newlib state of its own through
 * the scheduler's hooks (the boot thread's first). */
void libc_init(void)
{
	__sinit((struct _reent *)_global_impure_ptr);
	sched_set_hooks(libc_thread_init, libc_thread_fini, libc_switch_to);
}

void *libc_app_entry(void *args); /* the app compartment's glue */

/* Copy argv into one block of shared memory the application may read. */
static struct libc_main_args *share_args(int argc, char **argv)
{
	size_t bytes =
		sizeof(struct libc_main_args) + (argc + 1) * sizeof(char *);

	for (int i = 0; i < argc; i++)
		bytes += strlen(argv[i]) + 1;
	struct libc_main_args *a = mm_shared_alloc(bytes);

	if (!a)
		return NULL;
	a->argc = argc;
	a->argv = (char **)(a + 1);
	char *p = (char *)(a->argv + argc + 1);

	for (int i = 0; i < argc; i++) {
		a->argv[i] = strcpy(p, argv[i]);
		p += strlen(argv[i]) + 1;
	}
	a->argv[argc] = NULL;
	return a;
}

int libc_run_main(const char *name, int argc, char **argv,
		  unsigned long stack_size)
{
	struct libc_main_args *args = share_args(argc, argv);
	sched_thread_t t =
		args ? sched_create("main", libc_app_entry, args, stack_size)
		     : 0;

	if (!t)
		panic("libc: no memory for the main thread of %s", name);
	return (int)(intptr_t)sched_join(t);
}
