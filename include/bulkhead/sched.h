/*
 * sched.h - cooperative threads and the ways they wait for each other.
 *
 * One CPU, no preemption: a thread runs until it yields, sleeps, blocks
 * or exits. Interrupt handlers may wake threads (the scheduler's lists are
 * guarded by disabling interrupts) but never switch. The number of
 * threads is limited only by memory.
 *
 * Handles, not pointers. Every object the scheduler keeps for its callers
 * (threads, wait queues, mutexes, semaphores, condition variables) lives
 * in the scheduler's own memory, which other compartments can neither
 * read nor write, and is named across the boundary by a 64-bit handle:
 *
 *    63     56 55                            24 23                0
 *   +---------+--------------------------------+-------------------+
 *   |  type   |   generation of the table slot |   table index     |
 *   +---------+--------------------------------+-------------------+
 *
 * Every function checks each handle it is given: the type it expects,
 * an index inside the table, and that the slot still holds the object of
 * that generation (a freed object's slot moves to the next generation).
 * A handle that fails stops the machine with a report naming the function
 * and the handle (sched/handle.c). 0 is never a handle: it means "none"
 * (or out of memory, from the functions that make objects).
 */
#ifndef BULKHEAD_SCHED_H
#define BULKHEAD_SCHED_H

#include <stddef.h>
#include <stdint.h>
#include <bulkhead/mm.h>

#define SCHED_STACK_DEFAULT	(64 * 1024)
#define SCHED_NAME_MAX		32
#define SCHED_ETIMEDOUT		(-1)

/* The handle layout (above). */
#define SCHED_HANDLE_INDEX_BITS 24
#define SCHED_HANDLE_GEN_SHIFT	24
#define SCHED_HANDLE_TYPE_SHIFT 56
/* The table index of handle h: the same for every generation of a slot,
 * so a library may key its own per-thread data by it (libc/core.c). */
#define SCHED_HANDLE_INDEX(h)                                                  \
	((uint32_t)((h) & ((1u << SCHED_HANDLE_INDEX_BITS) - 1)))

typedef uint64_t sched_thread_t; /* a thread */
typedef uint64_t sched_waitq_t;	 /* a FIFO of blocked threads */
typedef uint64_t sched_mutex_t;	 /* a mutex, maybe recursive */
typedef uint64_t sched_sem_t;	 /* a counting semaphore */
typedef uint64_t sched_cond_t;	 /* a condition variable */

typedef void *(*sched_entry_fn)(void *arg);

/* Adopt the running boot context, whose stack is [bottom, top), as thread
 * "boot"; start the idle thread. */
void sched_init(uintptr_t boot_stack_bottom, uintptr_t boot_stack_top);

/*
 * A new runnable thread with a guarded stack, or 0 when out of memory.
 * The name (at most SCHED_NAME_MAX - 1 bytes are kept) must be in memory
 * every compartment may read (constants, shared memory): the scheduler
 * copies it, and refuses a name anywhere else. A NULL name is "thread".
 */
sched_thread_t sched_create(const char *name, sched_entry_fn fn, void *arg,
			    size_t stack_size);
/* Let the other runnable threads run first. Returns 0: it is POSIX's
 * sched_yield() too, which every compartment calls directly. */
int sched_yield(void);
void sched_sleep_ns(uint64_t ns);
/* Wait for t to exit, free it, and return what its function returned.
 * The handle is stale afterwards. */
void *sched_join(sched_thread_t t);
/* Nobody will join t: free it (its handle goes stale) as soon as it
 * exits. */
void sched_detach(sched_thread_t t);
__attribute__((noreturn)) void sched_exit(void *ret);

/* The running thread; 0 before sched_init(). */
sched_thread_t sched_current(void);

/*
 * The running thread's handle, read without a call: a word the kernel
 * core's scheduler hook writes on every switch (libc/core.c) and every
 * compartment may read (under mpk its page carries the page tables' key,
 * which every domain may read and only the core's may write; under ept
 * each VM has its own). 0 before the hooks are set. The same thread as
 * sched_current() once they are.
 */
extern volatile sched_thread_t __running_thread;

static inline sched_thread_t sched_running(void)
{
	return __running_thread;
}
/* A copy of t's name in shared memory (every compartment may read it),
 * rewritten from the scheduler's own copy on every call. */
const char *sched_thread_name(sched_thread_t t);
uint64_t sched_thread_id(sched_thread_t t);
struct mm_stack sched_thread_stack(sched_thread_t t);
unsigned long sched_thread_count(void); /* threads alive, idle excluded */

/* Per-thread slot for the gates (the ept backend's mailbox). The
 * scheduler only keeps the value; it never uses it. */
void *sched_thread_gate(sched_thread_t t);
void sched_set_thread_gate(sched_thread_t t, void *gate);

/*
 * Hooks the kernel core's libc attaches to every thread: set-up when a
 * thread is created (non-zero fails the creation), tear-down when it is
 * freed, and a call on every switch, with interrupts off, before `next`
 * runs. Any of them may be 0. They are given handles only: libc keeps its
 * per-thread state in its own memory (libc/core.c). Only the kernel
 * core's compartment may set them (sched.api).
 */
typedef int (*sched_thread_init_fn)(sched_thread_t t);
typedef void (*sched_thread_fini_fn)(sched_thread_t t);
typedef void (*sched_switch_fn)(sched_thread_t next);
void sched_set_hooks(sched_thread_init_fn thread_init,
		     sched_thread_fini_fn thread_fini,
		     sched_switch_fn switch_to);

/* An empty wait queue, or 0 when out of memory. Freeing one that a thread
 * waits on stops the machine. */
sched_waitq_t sched_waitq_new(void);
void sched_waitq_free(sched_waitq_t wq);
/*
 * Block the current thread on wq until woken, or until the monotonic
 * clock reaches deadline_ns (0 = no deadline). Returns 0 when woken,
 * SCHED_ETIMEDOUT at the deadline. The caller checks its condition
 * first; with no preemption, no wake-up can slip in between.
 */
int sched_wait(sched_waitq_t wq, uint64_t deadline_ns);
/* Wake the first or all waiters; returns how many. Safe in IRQ handlers
 * (they allocate nothing). */
int sched_wake_one(sched_waitq_t wq);
int sched_wake_all(sched_waitq_t wq);

/* A free mutex, or 0 when out of memory. Freeing one that is held or
 * awaited stops the machine. */
sched_mutex_t sched_mutex_new(int recursive);
void sched_mutex_free(sched_mutex_t m);
void sched_mutex_lock(sched_mutex_t m);
/* Lock m, waiting at most until the monotonic clock reaches deadline_ns
 * (0: no deadline): 0, or SCHED_ETIMEDOUT without the mutex. */
int sched_mutex_lock_until(sched_mutex_t m, uint64_t deadline_ns);
int sched_mutex_trylock(sched_mutex_t m); /* 0 on success */
void sched_mutex_unlock(sched_mutex_t m);
int sched_mutex_held(sched_mutex_t m); /* by the running thread? */

/* A semaphore holding `count` units, or 0 when out of memory. */
sched_sem_t sched_sem_new(long count);
void sched_sem_free(sched_sem_t s);
int sched_sem_wait(sched_sem_t s, uint64_t deadline_ns);
void sched_sem_post(sched_sem_t s);

/* A condition variable, or 0 when out of memory. */
sched_cond_t sched_cond_new(void);
void sched_cond_free(sched_cond_t c);
/* Release m, wait, re-acquire m. Returns 0 or SCHED_ETIMEDOUT. */
int sched_cond_wait(sched_cond_t c, sched_mutex_t m, uint64_t deadline_ns);
void sched_cond_signal(sched_cond_t c);
void sched_cond_broadcast(sched_cond_t c);

#endif
