/*
 * sync.c - mutexes, counting semaphores and condition variables on top of
 * wait queues. Without preemption a check followed by a wait cannot lose
 * a wake-up, so no spinning or atomics are needed; every loop re-checks
 * its condition because a woken thread may find the resource taken again
 * by one that ran first.
 *
 * The objects live in the scheduler's own memory and callers hold handles
 * (handle.c). Every wait may outlast the object (another thread may free
 * it once we are off its queue), so handles are looked up again after
 * each wait; a freed object is then refused, never touched.
 */
#include <stdlib.h>
#include <bulkhead/kernel.h>
#include "sched_impl.h"

struct mutex {
	sched_thread_t owner; /* 0 when free; a handle, so a thread that
			       * exited holding it is never mistaken for a
			       * new one in its place */
	unsigned depth;	      /* recursive holds by the owner */
	int recursive;	      /* may the owner lock again? */
	struct waitq waiters;
};

struct sem {
	long count;
	struct waitq waiters;
};

struct cond {
	struct waitq waiters;
};

/* A handle of `type` for obj, a new object (NULL when calloc failed);
 * 0, with obj freed, when out of memory. */
static uint64_t handle_or_free(enum handle_type type, void *obj)
{
	uint64_t h = obj ? handle_new(type, obj) : 0;

	if (!h)
		free(obj);
	return h;
}

sched_mutex_t sched_mutex_new(int recursive)
{
	struct mutex *m = calloc(1, sizeof(*m));

	if (m)
		m->recursive = recursive != 0;
	return handle_or_free(H_MUTEX, m);
}

void sched_mutex_free(sched_mutex_t h)
{
	struct mutex *m = handle_get(h, H_MUTEX, __func__);

	if (m->owner)
		panic("sched: %s: mutex handle 0x%016lx freed while held",
		      __func__, (unsigned long)h);
	waitq_refuse_waiters(&m->waiters, __func__, "mutex", h);
	handle_free(h);
	free(m);
}

static int mutex_trylock(struct mutex *m, sched_thread_t self)
{
	if (!m->owner) {
		m->owner = self;
		m->depth = 1;
		return 0;
	}
	if (m->owner == self && m->recursive) {
		m->depth++;
		return 0;
	}
	return -1;
}

int sched_mutex_trylock(sched_mutex_t h)
{
	return mutex_trylock(handle_get(h, H_MUTEX, __func__), sched_current());
}

/* Lock mutex h for the running thread, waiting until deadline_ns (0:
 * none), `fn` being the public function that was asked to (for reports).
 * Returns 0, or SCHED_ETIMEDOUT without the mutex. */
static int mutex_lock(sched_mutex_t h, uint64_t deadline_ns, const char *fn)
{
	sched_thread_t self = sched_current();
	struct mutex *m = handle_get(h, H_MUTEX, fn);

	if (m->owner == self && !m->recursive)
		panic("sched: %s: thread \"%s\" locks mutex 0x%016lx twice", fn,
		      sched_thread_name(self), (unsigned long)h);
	while (mutex_trylock(m, self) != 0) {
		int r = waitq_wait(&m->waiters, deadline_ns);

		m = handle_get(h, H_MUTEX, fn); /* freed meanwhile? */
		if (r == SCHED_ETIMEDOUT) /* a last try, as the wait ends */
			return mutex_trylock(m, self) == 0 ? 0
							   : SCHED_ETIMEDOUT;
	}
	return 0;
}

void sched_mutex_lock(sched_mutex_t h)
{
	mutex_lock(h, 0, __func__);
}

int sched_mutex_lock_until(sched_mutex_t h, uint64_t deadline_ns)
{
	return mutex_lock(h, deadline_ns, __func__);
}

/* Release one hold of m by the running thread. */
static void mutex_unlock(struct mutex *m, sched_mutex_t h, const char *fn)
{
	sched_thread_t self = sched_current();

	if (m->owner != self)
		panic("sched: %s: mutex 0x%016lx unlocked by \"%s\", which "
		      "does not hold it",
		      fn, (unsigned long)h, sched_thread_name(self));
	if (--m->depth > 0)
		return;
	m->owner = 0;
	waitq_wake_one(&m->waiters);
}

void sched_mutex_unlock(sched_mutex_t h)
{
	mutex_unlock(handle_get(h, H_MUTEX, __func__), h, __func__);
}

int sched_mutex_held(sched_mutex_t h)
{
	struct mutex *m = handle_get(h, H_MUTEX, __func__);

	return m->owner && m->owner == sched_current();
}

sched_sem_t sched_sem_new(long count)
{
	struct sem *s = calloc(1, sizeof(*s));

	if (s)
		s->count = count;
	return handle_or_free(H_SEM, s);
}

void sched_sem_free(sched_sem_t h)
{
	struct sem *s = handle_get(h, H_SEM, __func__);

	waitq_refuse_waiters(&s->waiters, __func__, "semaphore", h);
	handle_free(h);
	free(s);
}

int sched_sem_wait(sched_sem_t h, uint64_t deadline_ns)
{
	struct sem *s = handle_get(h, H_SEM, __func__);

	while (s->count <= 0) {
		int r = waitq_wait(&s->waiters, deadline_ns);

		s = handle_get(h, H_SEM, __func__); /* freed meanwhile? */
		if (r == SCHED_ETIMEDOUT && s->count <= 0)
			return SCHED_ETIMEDOUT;
	}
	s->count--;
	return 0;
}

void sched_sem_post(sched_sem_t h)
{
	struct sem *s = handle_get(h, H_SEM, __func__);

	s->count++;
	waitq_wake_one(&s->waiters);
}

sched_cond_t sched_cond_new(void)
{
	return handle_or_free(H_COND, calloc(1, sizeof(struct cond)));
}

void sched_cond_free(sched_cond_t h)
{
	struct cond *c = handle_get(h, H_COND, __func__);

	waitq_refuse_waiters(&c->waiters, __func__, "condition variable", h);
	handle_free(h);
	free(c);
}

int sched_cond_wait(sched_cond_t ch, sched_mutex_t mh, uint64_t deadline_ns)
{
	struct cond *c = handle_get(ch, H_COND, __func__);
	struct mutex *m = handle_get(mh, H_MUTEX, __func__);
	unsigned depth = m->depth;

	if (m->owner != sched_current())
		panic("sched: %s: waiting on 0x%016lx without holding mutex "
		      "0x%016lx",
		      __func__, (unsigned long)ch, (unsigned long)mh);
	/* Release fully (even a recursive hold), wait, take it back. */
	m->depth = 1;
	mutex_unlock(m, mh, __func__);
	int r = waitq_wait(&c->waiters, deadline_ns);

	mutex_lock(mh, 0, __func__);
	m = handle_get(mh, H_MUTEX, __func__); /* freed meanwhile? */
	m->depth = depth;
	return r;
}

void sched_cond_signal(sched_cond_t h)
{
	waitq_wake_one(
		&((struct cond *)handle_get(h, H_COND, __func__))->waiters);
}

void sched_cond_broadcast(sched_cond_t h)
{
	waitq_wake_all(
		&((struct cond *)handle_get(h, H_COND, __func__))->waiters);
}
