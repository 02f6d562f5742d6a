/*
 * pthread.c - POSIX threads on the scheduler, in every compartment's copy
 * of libc.
 *
 * A pthread_t is the scheduler's thread handle; mutexes, condition
 * variables and read-write locks hold the handles of the scheduler's
 * objects (include/posix/sys/_pthreadtypes.h), made on first use so that
 * the static initialisers are zeros. What POSIX adds on top - a mutex's
 * type, owner and recursion count, a condition variable's clock, a
 * read-write lock's readers and writer - lives in the object itself, in
 * the caller's memory: the scheduler's mutex under a POSIX one is never
 * taken twice by one thread, so errors are answered here (EDEADLK, EPERM,
 * EBUSY) rather than by the scheduler stopping the machine. Functions
 * return POSIX error numbers and leave errno alone.
 *
 * There is no preemption: nothing runs between a check of this state and
 * the scheduler call that follows it, so none of it needs a lock of its
 * own.
 *
 * A thread that pthread_create starts enters its compartment through the
 * compartment's glue (libc_thread_entry, a callback of that compartment
 * alone) and runs libc_thread_start below. pthread_exit jumps back there,
 * so every thread ends by returning to the scheduler, after its keys'
 * destructors ran and this copy's record of it (libc/thread.c) was
 * dropped. Keys and their destructors belong to this copy of libc: a
 * thread's values in another compartment's copy are that copy's.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bulkhead/kernel.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>
#include "sig.h"
#include "thread.h"

#define KEYS_MAX	      128 /* POSIX's least PTHREAD_KEYS_MAX */
#define DESTRUCTOR_ITERATIONS 4	  /* POSIX's PTHREAD_DESTRUCTOR_ITERATIONS */

/* This compartment's entry for the threads it starts (generated glue). */
extern void *(*const libc_thread_entry)(void *);

/* What a new thread runs, handed over in this copy's heap, and the
 * signal mask it inherits. */
struct start {
	void *(*fn)(void *);
	void *arg;
	sigset_t sigmask;
};

/* Threads this copy's pthread_create started that have not ended. */
static unsigned live;

/* The keys: a key exists while its `seq` is odd, and a thread's value
 * counts only while it carries the key's seq. */
static struct {
	unsigned seq;
	void (*destructor)(void *);
} keys[KEYS_MAX];

/* ------------------------------------------------------------------------
 * Threads
 */

/* The monotonic deadline of absolute time `abs` on CLOCK_REALTIME (or
 * CLOCK_MONOTONIC): never 0, which means "no deadline" to the scheduler;
 * a time already past gives one that has passed too. */
static uint64_t deadline_of(const struct timespec *abs, int monotonic)
{
	uint64_t mono = time_now_ns();
	uint64_t now = monotonic ? mono : time_wall_ns();
	uint64_t want;

	if (abs->tv_sec < 0)
		return mono ? mono : 1;
	if ((uint64_t)abs->tv_sec > (UINT64_MAX - NSEC_PER_SEC) / NSEC_PER_SEC)
		return UINT64_MAX; /* never */
	want = (uint64_t)abs->tv_sec * NSEC_PER_SEC + (uint64_t)abs->tv_nsec;
	if (want <= now)
		return mono ? mono : 1;
	return want - now > UINT64_MAX - mono ? UINT64_MAX : mono + want - now;
}

static int bad_timespec(const struct timespec *t)
{
	return t->tv_nsec < 0 || t->tv_nsec >= (long)NSEC_PER_SEC;
}

/* The running thread's keys' destructors, up to DESTRUCTOR_ITERATIONS
 * rounds while they leave values behind. */
static void run_destructors(struct libc_thread *th)
{
	for (int round = 0; th && th->tsd && round < DESTRUCTOR_ITERATIONS;
	     round++) {
		int called = 0;

		for (unsigned k = 0; k < KEYS_MAX; k++) {
			struct libc_tsd *v = &th->tsd[k];
			void *value = v->value;

			if (!(keys[k].seq & 1) || v->seq != keys[k].seq ||
			    !value || !keys[k].destructor)
				continue;
			v->value = NULL;
			keys[k].destructor(value);
			called = 1;
		}
		if (!called)
			break;
	}
}

/* Run fn(arg) as thread th, until it returns or calls pthread_exit:
 * what it left. */
static void *run_thread(struct libc_thread *th, struct start s)
{
	jmp_buf exit_point;

	th->exit_point = &exit_point;
	if (setjmp(exit_point) != 0)
		return libc_thread_self()->exit_value;
	return s.fn(s.arg);
}

/* The end of a thread of this copy's, from its own stack: its keys'
 * destructors, then its record goes. */
static void thread_end(void)
{
	struct libc_thread *th = libc_thread_self();

	th->exit_point = NULL;
	run_destructors(th);
	libc_thread_drop(th->thread);
}

/*
 * A thread pthread_create started, entered through this compartment's
 * glue: run its function, end it here and return what it left to the
 * scheduler, which ends the thread.
 */
void *libc_thread_start(void *arg)
{
	struct start s = *(struct start *)arg;
	struct libc_thread *th = libc_thread_self();
	void *ret;

	free(arg);
	if (!th)
		panic("libc: no memory for a new thread's state");
	th->sigmask = s.sigmask;
	ret = run_thread(th, s);
	thread_end();
	live--;
	return ret;
}

/* Run main as thread th: 1 if it called pthread_exit, else 0 with its
 * value in *status. */
static int run_main(struct libc_thread *th, int (*main_fn)(int, char **),
		    int argc, char **argv, int *status)
{
	jmp_buf exit_point;

	if (th)
		th->exit_point = &exit_point;
	if (setjmp(exit_point) != 0)
		return 1;
	*status = main_fn(argc, argv);
	if (th)
		th->exit_point = NULL;
	return 0;
}

int libc_run_app_main(int (*main_fn)(int, char **), int argc, char **argv)
{
	int status;

	if (!run_main(libc_thread_self(), main_fn, argc, argv, &status))
		return status;
	/* main called pthread_exit: the application lives on until the last
	 * thread it started has ended. */
	thread_end();
	while (live)
		sched_sleep_ns(1000000);
	return 0;
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
		   void *(*fn)(void *), void *arg)
{
	struct start *s = malloc(sizeof(*s));
	struct libc_thread *self = libc_thread_self();
	sched_thread_t t;

	if (!s)
		return EAGAIN;
	s->fn = fn;
	s->arg = arg;
	s->sigmask = self ? self->sigmask : 0;
	t = sched_create("pthread", libc_thread_entry, s,
			 attr ? attr->stacksize : 0);
	if (!t) {
		free(s);
		return EAGAIN;
	}
	live++;
	if (attr && attr->detachstate == PTHREAD_CREATE_DETACHED)
		sched_detach(t);
	*thread = t;
	return 0;
}

int pthread_join(pthread_t thread, void **value)
{
	void *ret;

	if (thread == libc_running())
		return EDEADLK;
	ret = sched_join(thread);
	if (value)
		*value = ret;
	return 0;
}

/* Cancellation: no thread is ever cancelled. pthread_cancel says so
 * (ENOSYS; callers such as Redis's bio then do not wait for the thread to
 * end), and each thread's state and type are kept only to be given back
 * (in its record; a thread without one has the defaults, fixed). */

int pthread_cancel(pthread_t thread)
{
	(void)thread;
	return ENOSYS;
}

int pthread_setcancelstate(int state, int *old)
{
	if (state != PTHREAD_CANCEL_ENABLE && state != PTHREAD_CANCEL_DISABLE)
		return EINVAL;
	struct libc_thread *me = libc_thread_self();

	if (old)
		*old = me ? me->cancel_state : 0;
	if (me)
		me->cancel_state = state;
	return 0;
}

int pthread_setcanceltype(int type, int *old)
{
	if (type != PTHREAD_CANCEL_DEFERRED &&
	    type != PTHREAD_CANCEL_ASYNCHRONOUS)
		return EINVAL;
	struct libc_thread *me = libc_thread_self();

	if (old)
		*old = me ? me->cancel_type : 0;
	if (me)
		me->cancel_type = type;
	return 0;
}

void pthread_testcancel(void)
{
}

int pthread_detach(pthread_t thread)
{
	sched_detach(thread);
	return 0;
}

void pthread_exit(void *value)
{
	struct libc_thread *th = libc_thread_self();

	if (!th || !th->exit_point)
		panic("pthread_exit: thread 0x%016lx was not started by this "
		      "compartment's pthread_create nor runs its main",
		      (unsigned long)libc_running());
	th->exit_value = value;
	longjmp(*th->exit_point, 1);
}

pthread_t pthread_self(void)
{
	return libc_running();
}

int pthread_equal(pthread_t a, pthread_t b)
{
	return a == b;
}

int pthread_attr_init(pthread_attr_t *attr)
{
	memset(attr, 0, sizeof(*attr));
	attr->is_initialized = 1;
	attr->detachstate = PTHREAD_CREATE_JOINABLE;
	attr->inheritsched = PTHREAD_INHERIT_SCHED;
	attr->contentionscope = PTHREAD_SCOPE_SYSTEM;
	return 0;
}

int pthread_attr_destroy(pthread_attr_t *attr)
{
	attr->is_initialized = 0;
	return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size)
{
	if (size < PTHREAD_STACK_MIN)
		return EINVAL;
	attr->stacksize = size;
	return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size)
{
	*size = attr->stacksize ? attr->stacksize : SCHED_STACK_DEFAULT;
	return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *attr, int state)
{
	if (state != PTHREAD_CREATE_JOINABLE &&
	    state != PTHREAD_CREATE_DETACHED)
		return EINVAL;
	attr->detachstate = state;
	return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state)
{
	*state = attr->detachstate;
	return 0;
}

/* ------------------------------------------------------------------------
 * Mutexes
 */

/* The mutex's scheduler mutex, made on first use: 0 or EAGAIN. */
static int mutex_ready(pthread_mutex_t *m)
{
	if (!m->handle)
		m->handle = sched_mutex_new(0);
	return m->handle ? 0 : EAGAIN;
}

int pthread_mutexattr_init(pthread_mutexattr_t *attr)
{
	attr->is_initialized = 1;
	attr->type = PTHREAD_MUTEX_DEFAULT;
	return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *attr)
{
	attr->is_initialized = 0;
	return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type)
{
	if (type != PTHREAD_MUTEX_NORMAL && type != PTHREAD_MUTEX_RECURSIVE &&
	    type != PTHREAD_MUTEX_ERRORCHECK)
		return EINVAL;
	attr->type = type;
	return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *attr, int *type)
{
	*type = attr->type;
	return 0;
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
	memset(m, 0, sizeof(*m));
	m->type = attr ? attr->type : PTHREAD_MUTEX_DEFAULT;
	return mutex_ready(m);
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	if (m->owner)
		return EBUSY;
	if (m->handle)
		sched_mutex_free(m->handle);
	m->handle = 0;
	return 0;
}

/* Lock m, waiting until `abs` on CLOCK_REALTIME (NULL: as long as it
 * takes); a bad time is refused only when the lock has to wait. */
static int mutex_lock(pthread_mutex_t *m, const struct timespec *abs)
{
	sched_thread_t self = libc_running();
	int r = mutex_ready(m);

	if (r)
		return r;
	if (m->owner == self) {
		if (m->type != PTHREAD_MUTEX_RECURSIVE)
			return EDEADLK;
		if (m->count == UINT_MAX)
			return EAGAIN;
		m->count++;
		return 0;
	}
	if (!abs)
		sched_mutex_lock(m->handle);
	else if (sched_mutex_trylock(m->handle) != 0) {
		if (bad_timespec(abs))
			return EINVAL;
		if (sched_mutex_lock_until(m->handle, deadline_of(abs, 0)))
			return ETIMEDOUT;
	}
	m->owner = self;
	m->count = 1;
	return 0;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	return mutex_lock(m, NULL);
}

int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abs)
{
	return mutex_lock(m, abs);
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	sched_thread_t self = libc_running();
	int r = mutex_ready(m);

	if (r)
		return r;
	if (m->owner == self && m->type == PTHREAD_MUTEX_RECURSIVE) {
		if (m->count == UINT_MAX)
			return EAGAIN;
		m->count++;
		return 0;
	}
	if (m->owner || sched_mutex_trylock(m->handle) != 0)
		return EBUSY;
	m->owner = self;
	m->count = 1;
	return 0;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	if (!m->owner || m->owner != libc_running())
		return EPERM;
	if (--m->count > 0)
		return 0;
	m->owner = 0;
	sched_mutex_unlock(m->handle);
	return 0;
}

/* ------------------------------------------------------------------------
 * Condition variables
 */

/* The condition's scheduler object, made on first use: 0 or EAGAIN. */
static int cond_ready(pthread_cond_t *c)
{
	if (!c->handle)
		c->handle = sched_cond_new();
	return c->handle ? 0 : EAGAIN;
}

int pthread_condattr_init(pthread_condattr_t *attr)
{
	attr->is_initialized = 1;
	attr->clock = CLOCK_REALTIME;
	return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *attr)
{
	attr->is_initialized = 0;
	return 0;
}

int pthread_condattr_setclock(pthread_condattr_t *attr, clockid_t clock)
{
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
		return EINVAL;
	attr->clock = clock;
	return 0;
}

int pthread_condattr_getclock(const pthread_condattr_t *attr, clockid_t *clock)
{
	*clock = attr->clock;
	return 0;
}

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
	c->handle = 0;
	c->monotonic = attr && attr->clock == CLOCK_MONOTONIC;
	return cond_ready(c);
}

int pthread_cond_destroy(pthread_cond_t *c)
{
	if (c->handle)
		sched_cond_free(c->handle);
	c->handle = 0;
	return 0;
}

/* Release m, wait on c until signalled or deadline_ns (0: none), take m
 * back with its holds. */
static int cond_wait(pthread_cond_t *c, pthread_mutex_t *m,
		     uint64_t deadline_ns)
{
	sched_thread_t self = libc_running();
	unsigned count = m->count;
	int r;

	if (!m->owner || m->owner != self)
		return EPERM;
	r = cond_ready(c);
	if (r)
		return r;
	m->owner = 0;
	m->count = 0;
	r = sched_cond_wait(c->handle, m->handle, deadline_ns);
	m->owner = self;
	m->count = count;
	return r == SCHED_ETIMEDOUT ? ETIMEDOUT : 0;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	return cond_wait(c, m, 0);
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
			   const struct timespec *abs)
{
	if (bad_timespec(abs))
		return EINVAL;
	return cond_wait(c, m, deadline_of(abs, c->monotonic));
}

int pthread_cond_signal(pthread_cond_t *c)
{
	if (c->handle)
		sched_cond_signal(c->handle);
	return 0;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
	if (c->handle)
		sched_cond_broadcast(c->handle);
	return 0;
}

/* ------------------------------------------------------------------------
 * Read-write locks: readers share it, a writer holds it alone; a reader
 * waits only while a writer holds it (readers first, as glibc's default).
 */

static int rwlock_ready(pthread_rwlock_t *rw)
{
	if (!rw->mutex)
		rw->mutex = sched_mutex_new(0);
	if (!rw->cond)
		rw->cond = sched_cond_new();
	return rw->mutex && rw->cond ? 0 : EAGAIN;
}

int pthread_rwlockattr_init(pthread_rwlockattr_t *attr)
{
	attr->is_initialized = 1;
	return 0;
}

int pthread_rwlockattr_destroy(pthread_rwlockattr_t *attr)
{
	attr->is_initialized = 0;
	return 0;
}

int pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *attr)
{
	(void)attr;
	memset(rw, 0, sizeof(*rw));
	return rwlock_ready(rw);
}

int pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
	if (rw->writer || rw->readers)
		return EBUSY;
	if (rw->mutex)
		sched_mutex_free(rw->mutex);
	if (rw->cond)
		sched_cond_free(rw->cond);
	rw->mutex = rw->cond = 0;
	return 0;
}

/* Take rw for writing or reading: waiting until deadline_ns (0: none), or
 * not at all when `try`. */
static int rwlock_lock(pthread_rwlock_t *rw, int write, int try,
		       uint64_t deadline_ns)
{
	sched_thread_t self = libc_running();
	int r = rwlock_ready(rw);

	if (r)
		return r;
	if (rw->writer == self)
		return try ? EBUSY : EDEADLK;
	sched_mutex_lock(rw->mutex);
	while (rw->writer || (write && rw->readers)) {
		if (try) {
			r = EBUSY;
			break;
		}
		if (sched_cond_wait(rw->cond, rw->mutex, deadline_ns) ==
			    SCHED_ETIMEDOUT &&
		    (rw->writer || (write && rw->readers))) {
			r = ETIMEDOUT;
			break;
		}
	}
	if (!r && write)
		rw->writer = self;
	else if (!r)
		rw->readers++;
	sched_mutex_unlock(rw->mutex);
	return r;
}

int pthread_rwlock_rdlock(pthread_rwlock_t *rw)
{
	return rwlock_lock(rw, 0, 0, 0);
}

int pthread_rwlock_wrlock(pthread_rwlock_t *rw)
{
	return rwlock_lock(rw, 1, 0, 0);
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t *rw)
{
	return rwlock_lock(rw, 0, 1, 0);
}

int pthread_rwlock_trywrlock(pthread_rwlock_t *rw)
{
	return rwlock_lock(rw, 1, 1, 0);
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t *rw, const struct timespec *abs)
{
	if (bad_timespec(abs))
		return EINVAL;
	return rwlock_lock(rw, 0, 0, deadline_of(abs, 0));
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t *rw, const struct timespec *abs)
{
	if (bad_timespec(abs))
		return EINVAL;
	return rwlock_lock(rw, 1, 0, deadline_of(abs, 0));
}

int pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
	if (rw->writer && rw->writer == libc_running())
		rw->writer = 0;
	else if (!rw->writer && rw->readers)
		rw->readers--;
	else
		return EPERM;
	if (!rw->readers)
		sched_cond_broadcast(rw->cond);
	return 0;
}

/* ------------------------------------------------------------------------
 * Once, keys, signal masks
 */

int pthread_once(pthread_once_t *once, void (*init)(void))
{
	while (once->init_executed == 1) /* another thread runs it */
		sched_yield();
	if (once->init_executed == 0) {
		once->init_executed = 1;
		init();
		once->init_executed = 2;
	}
	return 0;
}

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
	for (unsigned k = 0; k < KEYS_MAX; k++) {
		if (keys[k].seq & 1)
			continue;
		keys[k].seq++;
		keys[k].destructor = destructor;
		*key = k;
		return 0;
	}
	return EAGAIN;
}

int pthread_key_delete(pthread_key_t key)
{
	if (key >= KEYS_MAX || !(keys[key].seq & 1))
		return EINVAL;
	keys[key].seq++;
	keys[key].destructor = NULL;
	return 0;
}

void *pthread_getspecific(pthread_key_t key)
{
	struct libc_thread *th = libc_thread_self();

	if (key >= KEYS_MAX || !(keys[key].seq & 1) || !th || !th->tsd ||
	    th->tsd[key].seq != keys[key].seq)
		return NULL;
	return th->tsd[key].value;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
	struct libc_thread *th = libc_thread_self();

	if (key >= KEYS_MAX || !(keys[key].seq & 1))
		return EINVAL;
	if (!th)
		return ENOMEM;
	if (!th->tsd) {
		th->tsd = calloc(KEYS_MAX, sizeof(*th->tsd));
		if (!th->tsd)
			return ENOMEM;
	}
	th->tsd[key].seq = keys[key].seq;
	th->tsd[key].value = (void *)value;
	return 0;
}

/* The calling thread's mask, which libc/signal.c keeps and changes
 * (delivering what the change unblocks); a new thread starts with its
 * creator's. */
int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	return sig_change_mask(how, set, old);
}
