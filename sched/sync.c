/*
 * sync.c - mutexes, counting semaphores and condition variables on top of
 * wait queues. Without preemption a check followed by sched_wait() cannot
 * lose a wake-up, so no spinning or atomics are needed; every loop
 * re-checks its condition because a woken thread may find the resource
 * taken again by one that ran first.
 */
#include <bulkhead/kernel.h>
#include <bulkhead/sched.h>

void sched_mutex_init(struct sched_mutex *m, int recursive)
{
	m->owner = NULL;
	m->depth = 0;
	m->recursive = recursive;
	m->waiters.head = m->waiters.tail = NULL;
}

int sched_mutex_trylock(struct sched_mutex *m)
{
	struct sched_thread *self = sched_current();

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

void sched_mutex_lock(struct sched_mutex *m)
{
	struct sched_thread *self = sched_current();

	if (m->owner == self && !m->recursive)
		panic("mutex %p: thread \"%s\" locks it twice", (void *)m,
		      sched_thread_name(self));
	while (sched_mutex_trylock(m) != 0)
		sched_wait(&m->waiters, 0);
}

void sched_mutex_unlock(struct sched_mutex *m)
{
	struct sched_thread *self = sched_current();

	if (m->owner != self)
		panic("mutex %p: unlocked by \"%s\", which does not hold it",
		      (void *)m, sched_thread_name(self));
	if (--m->depth > 0)
		return;
	m->owner = NULL;
	sched_wake_one(&m->waiters);
}

void sched_sem_init(struct sched_sem *s, long count)
{
	s->count = count;
	s->waiters.head = s->waiters.tail = NULL;
}

int sched_sem_wait(struct sched_sem *s, uint64_t deadline_ns)
{
	while (s->count <= 0) {
		if (sched_wait(&s->waiters, deadline_ns) == SCHED_ETIMEDOUT &&
		    s->count <= 0)
			return SCHED_ETIMEDOUT;
	}
	s->count--;
	return 0;
}

void sched_sem_post(struct sched_sem *s)
{
	s->count++;
	sched_wake_one(&s->waiters);
}

void sched_cond_init(struct sched_cond *c)
{
	c->waiters.head = c->waiters.tail = NULL;
}

int sched_cond_wait(struct sched_cond *c, struct sched_mutex *m,
		    uint64_t deadline_ns)
{
	unsigned depth = m->depth;

	if (m->owner != sched_current())
		panic("cond %p: waiting without holding mutex %p", (void *)c,
		      (void *)m);
	/* Release fully (even a recursive hold), wait, take it back. */
	m->depth = 1;
	sched_mutex_unlock(m);
	int r = sched_wait(&c->waiters, deadline_ns);

	sched_mutex_lock(m);
	m->depth = depth;
	return r;
}

void sched_cond_signal(struct sched_cond *c)
{
	sched_wake_one(&c->waiters);
}

void sched_cond_broadcast(struct sched_cond *c)
{
	sched_wake_all(&c->waiters);
}
