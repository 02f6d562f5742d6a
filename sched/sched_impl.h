/* sched_impl.h - what only the scheduler's own files share. */
#ifndef SCHED_IMPL_H
#define SCHED_IMPL_H

#include <bulkhead/sched.h>

struct sched_thread;

/* A FIFO of blocked threads, inside an object of the scheduler's own
 * memory (a wait queue, mutex, semaphore, condition or thread). */
struct waitq {
	struct sched_thread *head;
	struct sched_thread *tail;
};

/* What a handle names (the top byte of the handle). */
enum handle_type {
	H_THREAD = 1,
	H_WAITQ,
	H_MUTEX,
	H_SEM,
	H_COND,
	H_TYPES /* one past the last */
};

/* The handle table (handle.c). handle_new returns 0 when out of memory;
 * handle_get returns the object or stops the machine naming `fn`. */
uint64_t handle_new(enum handle_type type, void *obj);
void *handle_get(uint64_t h, enum handle_type type, const char *fn);
void handle_free(uint64_t h);

/* Wait queues of the scheduler's objects (sched.c). */
int waitq_wait(struct waitq *q, uint64_t deadline_ns);
int waitq_wake_one(struct waitq *q);
int waitq_wake_all(struct waitq *q);
void waitq_refuse_waiters(const struct waitq *q, const char *fn,
			  const char *what, uint64_t h);

#endif
