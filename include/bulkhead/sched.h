/*
 * sched.h - cooperative threads and the ways they wait for each other.
 *
 * One CPU, no preemption: a thread runs until it yields, sleeps, blocks
 * or exits. Interrupt handlers may wake threads (the scheduler's lists are
 * guarded by disabling interrupts) but never switch. The number of
 * threads is limited only by memory.
 */
#ifndef BULKHEAD_SCHED_H
#define BULKHEAD_SCHED_H

#include <stddef.h>
#include <stdint.h>
#include <bulkhead/mm.h>

#define SCHED_STACK_DEFAULT (64 * 1024)
#define SCHED_NAME_MAX	    32
#define SCHED_ETIMEDOUT	    (-1)

struct sched_thread; /* opaque */

/* A FIFO of blocked threads. Zero-initialised is empty. */
struct sched_waitq {
	struct sched_thread *head;
	struct sched_thread *tail;
};

struct sched_mutex {
	struct sched_thread *owner; /* NULL when free */
	unsigned depth;		    /* recursive holds by the owner */
	int recursive;		    /* may the owner lock again? */
	struct sched_waitq waiters;
};

struct sched_sem {
	long count;
	struct sched_waitq waiters;
};

struct sched_cond {
	struct sched_waitq waiters;
};

typedef void *(*sched_entry_fn)(void *arg);

/* Adopt the running boot context, whose stack is [bottom, top), as thread
 * "boot"; start the idle thread. */
void sched_init(uintptr_t boot_stack_bottom, uintptr_t boot_stack_top);

/* A new runnable thread with a guarded stack, or NULL when out of memory. */
struct sched_thread *sched_create(const char *name, sched_entry_fn fn,
				  void *arg, size_t stack_size);
void sched_yield(void);
void sched_sleep_ns(uint64_t ns);
/* Wait for t to exit, free it, and return what its function returned. */
void *sched_join(struct sched_thread *t);
/* Nobody will join t: free it as soon as it exits. */
void sched_detach(struct sched_thread *t);
__attribute__((noreturn)) void sched_exit(void *ret);

struct sched_thread *sched_current(void);
const char *sched_thread_name(const struct sched_thread *t);
uint64_t sched_thread_id(const struct sched_thread *t);
struct mm_stack sched_thread_stack(const struct sched_thread *t);
unsigned long sched_thread_count(void); /* threads alive, idle excluded */

/* Per-thread slot for the gates (the ept backend's mailbox). */
void *sched_thread_gate(const struct sched_thread *t);
void sched_set_thread_gate(struct sched_thread *t, void *gate);

/* Per-thread slot for libc state (newlib's struct _reent). */
void *sched_libc_state(const struct sched_thread *t);
void sched_set_libc_state(struct sched_thread *t, void *state);

/*
 * Hooks another library (libc) attaches to every thread: set-up when a
 * thread is created (non-zero fails the creation), tear-down when it is
 * freed, and a call on every switch, with interrupts off, before `next`
 * runs. Any of them may be NULL.
 */
struct sched_hooks {
	int (*thread_init)(struct sched_thread *t);
	void (*thread_fini)(struct sched_thread *t);
	void (*switch_to)(struct sched_thread *next);
};
void sched_set_hooks(const struct sched_hooks *hooks);

/*
 * Block the current thread on wq until woken, or until the monotonic
 * clock reaches deadline_ns (0 = no deadline). Returns 0 when woken,
 * SCHED_ETIMEDOUT at the deadline. The caller checks its condition
 * first; with no preemption, no wake-up can slip in between.
 */
int sched_wait(struct sched_waitq *wq, uint64_t deadline_ns);
/* Wake the first or all waiters; returns how many. Safe in IRQ handlers. */
int sched_wake_one(struct sched_waitq *wq);
int sched_wake_all(struct sched_waitq *wq);

void sched_mutex_init(struct sched_mutex *m, int recursive);
void sched_mutex_lock(struct sched_mutex *m);
int sched_mutex_trylock(struct sched_mutex *m); /* 0 on success */
void sched_mutex_unlock(struct sched_mutex *m);

void sched_sem_init(struct sched_sem *s, long count);
int sched_sem_wait(struct sched_sem *s, uint64_t deadline_ns);
void sched_sem_post(struct sched_sem *s);

void sched_cond_init(struct sched_cond *c);
/* Release m, wait, re-acquire m. Returns 0 or SCHED_ETIMEDOUT. */
int sched_cond_wait(struct sched_cond *c, struct sched_mutex *m,
		    uint64_t deadline_ns);
void sched_cond_signal(struct sched_cond *c);
void sched_cond_broadcast(struct sched_cond *c);

#endif
