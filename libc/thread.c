/*
 * thread.c - newlib's per-thread state, in every compartment's copy of
 * libc.
 *
 * newlib is built with __DYNAMIC_REENT__, so everything it keeps per
 * thread (errno, strtok's and rand's state, the mprec buffers, ...) is
 * found by calling __getreent(). Each copy answers from a table in its own
 * heap, indexed by the running thread's handle index, each record
 * counting only while it holds that very handle: a slot the scheduler has
 * given to a new thread gets a fresh record, and the old one is freed.
 * The running thread's handle is a word every compartment reads and only
 * the kernel core writes (thread.h), so no other compartment can point a
 * copy at state of its choosing: at most at another thread's record of
 * that same copy. What a copy cannot learn is when a thread it served
 * ends elsewhere; such a record lives until its slot is reused, while
 * threads that end through this copy (pthread_exit, the return of a
 * pthread_create function) drop theirs at once.
 *
 * The standard streams are one set per copy, as in a POSIX process:
 * every thread's state borrows the global state's stdin, stdout and
 * stderr (stdio locks them), so output is not lost or reordered in
 * per-thread buffers, and exit() flushes it.
 *
 * In the kernel core's copy, records are made and freed by the scheduler's
 * hooks (libc/core.c) and never on first use: interrupt handlers run
 * there, and one must not allocate while the thread it interrupted is
 * inside the heap. Elsewhere they are made on first use: without
 * preemption nothing runs in between. A thread with no record (the idle
 * thread, or memory ran out) uses the global state.
 */
#include <reent.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/sched.h>
#include "thread.h"

extern void __sinit(struct _reent *);

static struct libc_thread **records; /* indexed by SCHED_HANDLE_INDEX */
static size_t nrecords;
static int by_hooks; /* the kernel core's copy (libc_thread_by_hooks) */
static int making;   /* a record is being made: its own calls of newlib
		      * (malloc's errno) get the global state */

/* The borrowed streams belong to the global state: nothing to clean. */
static void no_cleanup(struct _reent *r)
{
	(void)r;
}

/* Free a record and what newlib hung on its state. */
static void free_record(struct libc_thread *th)
{
	_reclaim_reent(&th->reent);
	free(th->tsd);
	free(th);
}

/* Make room for index i: 0, or -1 when out of memory. */
static int reserve(uint32_t i)
{
	if (i < nrecords)
		return 0;
	size_t n = nrecords ? nrecords : 64;

	while (n <= i)
		n *= 2;
	struct libc_thread **r = realloc(records, n * sizeof(*r));

	if (!r)
		return -1;
	memset(r + nrecords, 0, (n - nrecords) * sizeof(*r));
	records = r;
	nrecords = n;
	return 0;
}

/* A fresh record for thread t in its slot, replacing (and freeing) the
 * record of an earlier thread of that slot; NULL when out of memory. */
static struct libc_thread *make_record(sched_thread_t t)
{
	uint32_t i = SCHED_HANDLE_INDEX(t);
	struct libc_thread *th = NULL;

	/* The streams every thread borrows must be set up first. */
	if (!_GLOBAL_REENT->__sdidinit)
		__sinit(_GLOBAL_REENT);
	making = 1;
	if (reserve(i) == 0)
		th = calloc(1, sizeof(*th));
	if (th) {
		if (records[i])
			free_record(records[i]);
		th->thread = t;
		_REENT_INIT_PTR(&th->reent);
		th->reent._stdin = _GLOBAL_REENT->_stdin;
		th->reent._stdout = _GLOBAL_REENT->_stdout;
		th->reent._stderr = _GLOBAL_REENT->_stderr;
		th->reent.__sdidinit = 1;
		th->reent.__cleanup = no_cleanup;
		records[i] = th;
	}
	making = 0;
	return th;
}

/* Thread t's record, if this copy holds one for that very handle. */
static struct libc_thread *record_of(sched_thread_t t)
{
	uint32_t i = SCHED_HANDLE_INDEX(t);

	return i < nrecords && records[i] && records[i]->thread == t
		       ? records[i]
		       : NULL;
}

struct libc_thread *libc_thread_self(void)
{
	sched_thread_t t = libc_running();
	struct libc_thread *th;

	if (!t)
		return NULL;
	th = record_of(t);
	if (!th && !by_hooks && !making)
		th = make_record(t);
	return th;
}

int libc_thread_make(sched_thread_t t)
{
	return record_of(t) || make_record(t) ? 0 : -1;
}

void libc_thread_drop(sched_thread_t t)
{
	struct libc_thread *th = record_of(t);

	if (!th)
		return;
	records[SCHED_HANDLE_INDEX(t)] = NULL;
	free_record(th);
}

void libc_thread_by_hooks(void)
{
	by_hooks = 1;
}

/* newlib's per-thread state: the running thread's, else the global one. */
struct _reent *__getreent(void)
{
	struct libc_thread *th = libc_thread_self();

	return th ? &th->reent : _GLOBAL_REENT;
}
