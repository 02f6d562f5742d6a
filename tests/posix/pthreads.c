/*
 * pthreads.c - POSIX threads: mutexes of each type, condition variables
 * with time-outs on both clocks, read-write locks, once, keys and their
 * destructors, attributes, joining 200 threads, detached threads, signal
 * masks. Everything printed is an error name, a count or a yes/no, so the
 * output is the same wherever it runs.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "posix.h"

/* An absolute time `ms` milliseconds from now on `clock`. */
static struct timespec in_ms(clockid_t clock, long ms)
{
	struct timespec t;

	clock_gettime(clock, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static const char *yes(int b)
{
	return b ? "yes" : "no";
}

/* Run fn(arg) in a thread of its own and wait for it: what it returned. */
static intptr_t in_thread(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	void *ret = NULL;

	if (pthread_create(&t, NULL, fn, arg) != 0 || pthread_join(t, &ret))
		printf("in_thread: cannot run a thread\n");
	return (intptr_t)ret;
}

/* --- mutexes --------------------------------------------------------- */

/* Try m, and unlock it if that worked: what the try said. */
static void *try_lock(void *m)
{
	int r = pthread_mutex_trylock(m);

	if (r == 0)
		pthread_mutex_unlock(m);
	return (void *)(intptr_t)r;
}

static void *unlock(void *m)
{
	return (void *)(intptr_t)pthread_mutex_unlock(m);
}

/* Lock m until `t`, and unlock it if that worked: what the lock said. */
static void *lock_until(void *m, struct timespec t)
{
	int r = pthread_mutex_timedlock(m, &t);

	if (r == 0)
		pthread_mutex_unlock(m);
	return (void *)(intptr_t)r;
}

static void *lock_50ms(void *m)
{
	return lock_until(m, in_ms(CLOCK_REALTIME, 50));
}

/* A time with 10^9 nanoseconds: refused when the lock has to wait. */
static void *lock_bad_time(void *m)
{
	return lock_until(m, (struct timespec){0, 1000000000L});
}

static void mutex_of_type(pthread_mutex_t *m, int type)
{
	pthread_mutexattr_t a;
	int got = -1;

	pthread_mutexattr_init(&a);
	SHOW(pthread_mutexattr_settype(&a, type));
	pthread_mutexattr_gettype(&a, &got);
	printf("type kept: %s\n", yes(got == type));
	SHOW(pthread_mutex_init(m, &a));
	pthread_mutexattr_destroy(&a);
}

static void mutexes(void)
{
	pthread_mutex_t m;
	pthread_mutex_t s = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutexattr_t a;

	printf("-- errorcheck\n");
	mutex_of_type(&m, PTHREAD_MUTEX_ERRORCHECK);
	SHOW(pthread_mutex_unlock(&m));
	SHOW(pthread_mutex_lock(&m));
	SHOW(pthread_mutex_lock(&m));
	SHOW(pthread_mutex_trylock(&m));
	printf("other thread trylock: %s\n",
	       errno_name(in_thread(try_lock, &m)));
	printf("other thread unlock: %s\n", errno_name(in_thread(unlock, &m)));
	printf("other thread timedlock: %s\n",
	       errno_name(in_thread(lock_50ms, &m)));
	printf("other thread timedlock, bad time: %s\n",
	       errno_name(in_thread(lock_bad_time, &m)));
	SHOW(pthread_mutex_destroy(&m));
	SHOW(pthread_mutex_unlock(&m));
	SHOW(pthread_mutex_unlock(&m));
	printf("other thread timedlock, free: %s\n",
	       errno_name(in_thread(lock_50ms, &m)));
	SHOW(pthread_mutex_destroy(&m));

	printf("-- recursive\n");
	mutex_of_type(&m, PTHREAD_MUTEX_RECURSIVE);
	SHOW(pthread_mutex_lock(&m));
	SHOW(pthread_mutex_lock(&m));
	SHOW(pthread_mutex_trylock(&m));
	printf("other thread trylock: %s\n",
	       errno_name(in_thread(try_lock, &m)));
	printf("other thread unlock: %s\n", errno_name(in_thread(unlock, &m)));
	SHOW(pthread_mutex_unlock(&m));
	SHOW(pthread_mutex_unlock(&m));
	printf("other thread trylock, held once: %s\n",
	       errno_name(in_thread(try_lock, &m)));
	SHOW(pthread_mutex_unlock(&m));
	SHOW(pthread_mutex_unlock(&m));
	SHOW(pthread_mutex_destroy(&m));

	printf("-- normal\n");
	mutex_of_type(&m, PTHREAD_MUTEX_NORMAL);
	SHOW(pthread_mutex_trylock(&m));
	printf("other thread trylock: %s\n",
	       errno_name(in_thread(try_lock, &m)));
	SHOW(pthread_mutex_unlock(&m));
	SHOW(pthread_mutex_destroy(&m));

	printf("-- static initializer\n");
	SHOW(pthread_mutex_lock(&s));
	printf("other thread trylock: %s\n",
	       errno_name(in_thread(try_lock, &s)));
	SHOW(pthread_mutex_unlock(&s));
	printf("other thread trylock, free: %s\n",
	       errno_name(in_thread(try_lock, &s)));
	SHOW(pthread_mutex_lock(&s));
	SHOW(pthread_mutex_unlock(&s));

	printf("-- attributes\n");
	pthread_mutexattr_init(&a);
	SHOW(pthread_mutexattr_settype(&a, 12345));
	pthread_mutexattr_destroy(&a);
}

/* Threads adding to one counter under a mutex, yielding while they hold
 * it: the count comes out exact. */
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *count_up(void *arg)
{
	for (int i = 0; i < 100; i++) {
		pthread_mutex_lock(&count_lock);
		long c = counter;

		sched_yield();
		counter = c + 1;
		pthread_mutex_unlock(&count_lock);
	}
	return arg;
}

static void mutual_exclusion(void)
{
	pthread_t t[8];

	printf("-- mutual exclusion\n");
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, count_up, NULL);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	printf("counter: %ld\n", counter);
}

/* --- condition variables --------------------------------------------- */

static pthread_mutex_t cv_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready, woken, waiting;

static void *wait_ready(void *arg)
{
	pthread_mutex_lock(&cv_lock);
	waiting++;
	while (!ready)
		pthread_cond_wait(&cv, &cv_lock);
	woken++;
	pthread_mutex_unlock(&cv_lock);
	return arg;
}

static void conditions(void)
{
	pthread_t t[5];
	pthread_cond_t mono;
	pthread_condattr_t ca;
	clockid_t clock = -1;
	struct timespec ts;

	printf("-- signal and broadcast\n");
	for (int i = 0; i < 5; i++)
		pthread_create(&t[i], NULL, wait_ready, NULL);
	pthread_mutex_lock(&cv_lock);
	while (waiting < 5) {
		pthread_mutex_unlock(&cv_lock);
		sched_yield();
		pthread_mutex_lock(&cv_lock);
	}
	SHOW(pthread_cond_signal(&cv));
	pthread_mutex_unlock(&cv_lock);
	sched_yield();
	pthread_mutex_lock(&cv_lock);
	printf("woken before ready: %d\n", woken);
	ready = 1;
	SHOW(pthread_cond_broadcast(&cv));
	pthread_mutex_unlock(&cv_lock);
	for (int i = 0; i < 5; i++)
		pthread_join(t[i], NULL);
	printf("woken: %d of 5\n", woken);

	printf("-- timed waits\n");
	pthread_mutex_lock(&cv_lock);
	ts = in_ms(CLOCK_REALTIME, 30);
	SHOW(pthread_cond_timedwait(&cv, &cv_lock, &ts));
	printf("mutex held again: %s\n",
	       yes(in_thread(try_lock, &cv_lock) == EBUSY));
	ts = in_ms(CLOCK_REALTIME, -1000);
	SHOW(pthread_cond_timedwait(&cv, &cv_lock, &ts));
	ts.tv_nsec = -1;
	SHOW(pthread_cond_timedwait(&cv, &cv_lock, &ts));

	SHOW(pthread_condattr_init(&ca));
	pthread_condattr_getclock(&ca, &clock);
	printf("default clock realtime: %s\n", yes(clock == CLOCK_REALTIME));
	SHOW(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC));
	pthread_condattr_getclock(&ca, &clock);
	printf("clock monotonic: %s\n", yes(clock == CLOCK_MONOTONIC));
	SHOW(pthread_cond_init(&mono, &ca));
	ts = in_ms(CLOCK_MONOTONIC, 30);
	SHOW(pthread_cond_timedwait(&mono, &cv_lock, &ts));
	SHOW(pthread_cond_destroy(&mono));
	SHOW(pthread_condattr_destroy(&ca));
	pthread_mutex_unlock(&cv_lock);
}

/* --- read-write locks ------------------------------------------------ */

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

static void *try_read(void *arg)
{
	(void)arg;
	int r = pthread_rwlock_tryrdlock(&rw);

	if (r == 0)
		pthread_rwlock_unlock(&rw);
	return (void *)(intptr_t)r;
}

static void *try_write(void *arg)
{
	(void)arg;
	int r = pthread_rwlock_trywrlock(&rw);

	if (r == 0)
		pthread_rwlock_unlock(&rw);
	return (void *)(intptr_t)r;
}

/* Who is inside, counted atomically: readers are inside together. */
static int writers_in, readers_in, overlapped;

static int add(int *v, int n)
{
	return __atomic_add_fetch(v, n, __ATOMIC_SEQ_CST);
}

static void *writer(void *arg)
{
	for (int i = 0; i < 20; i++) {
		pthread_rwlock_wrlock(&rw);
		if (add(&writers_in, 1) != 1 || add(&readers_in, 0) != 0)
			add(&overlapped, 1);
		sched_yield();
		add(&writers_in, -1);
		pthread_rwlock_unlock(&rw);
		sched_yield();
	}
	return arg;
}

static void *reader(void *arg)
{
	for (int i = 0; i < 20; i++) {
		pthread_rwlock_rdlock(&rw);
		add(&readers_in, 1);
		if (add(&writers_in, 0) != 0)
			add(&overlapped, 1);
		sched_yield();
		add(&readers_in, -1);
		pthread_rwlock_unlock(&rw);
	}
	return arg;
}

static void rwlocks(void)
{
	pthread_t t[6];

	printf("-- read-write locks\n");
	SHOW(pthread_rwlock_rdlock(&rw));
	SHOW(pthread_rwlock_rdlock(&rw));
	printf("other thread tryrdlock: %s\n",
	       errno_name(in_thread(try_read, NULL)));
	printf("other thread trywrlock: %s\n",
	       errno_name(in_thread(try_write, NULL)));
	SHOW(pthread_rwlock_unlock(&rw));
	SHOW(pthread_rwlock_unlock(&rw));
	SHOW(pthread_rwlock_wrlock(&rw));
	SHOW(pthread_rwlock_wrlock(&rw));
	SHOW(pthread_rwlock_rdlock(&rw));
	SHOW(pthread_rwlock_trywrlock(&rw));
	printf("other thread tryrdlock: %s\n",
	       errno_name(in_thread(try_read, NULL)));
	printf("other thread trywrlock: %s\n",
	       errno_name(in_thread(try_write, NULL)));
	SHOW(pthread_rwlock_unlock(&rw));
	printf("other thread trywrlock, free: %s\n",
	       errno_name(in_thread(try_write, NULL)));

	for (int i = 0; i < 6; i++)
		pthread_create(&t[i], NULL, i < 2 ? writer : reader, NULL);
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	printf("a writer was never beside anyone: %s\n", yes(overlapped == 0));
	SHOW(pthread_rwlock_destroy(&rw));
}

/* --- once and keys --------------------------------------------------- */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;

static void once_init(void)
{
	once_runs++;
	sched_yield(); /* the others arrive meanwhile */
}

static void *call_once(void *arg)
{
	(void)arg;
	pthread_once(&once, once_init);
	return (void *)(intptr_t)once_runs;
}

static pthread_key_t key, again;
static pthread_mutex_t dtor_lock = PTHREAD_MUTEX_INITIALIZER;
static long destroyed, destroyed_sum, again_calls;

static void destroy(void *value)
{
	pthread_mutex_lock(&dtor_lock);
	destroyed++;
	destroyed_sum += *(long *)value;
	pthread_mutex_unlock(&dtor_lock);
	free(value);
}

/* A destructor that sets its value again twice: called three times. */
static void destroy_again(void *value)
{
	again_calls++;
	if ((intptr_t)value < 3)
		pthread_setspecific(again, (void *)((intptr_t)value + 1));
}

static void *keep_value(void *arg)
{
	long *v = malloc(sizeof(*v));

	*v = (long)(intptr_t)arg;
	pthread_setspecific(key, v);
	sched_yield();
	if (pthread_getspecific(key) != v)
		return (void *)1;
	if ((intptr_t)arg % 2)
		pthread_exit(NULL); /* destructors run on this way out too */
	return NULL;
}

static void *set_again(void *arg)
{
	pthread_setspecific(again, (void *)1);
	return arg;
}

static void *key_value(void *arg)
{
	return pthread_getspecific(*(pthread_key_t *)arg);
}

static void once_and_keys(void)
{
	pthread_t t[10];
	int value = 7;
	pthread_key_t k2;
	intptr_t bad = 0;

	printf("-- once\n");
	for (int i = 0; i < 10; i++)
		pthread_create(&t[i], NULL, call_once, NULL);
	for (int i = 0; i < 10; i++)
		pthread_join(t[i], NULL);
	SHOW(pthread_once(&once, once_init));
	printf("init ran %d time(s)\n", once_runs);

	printf("-- keys\n");
	SHOW(pthread_key_create(&key, destroy));
	printf("main's value at first: %s\n",
	       pthread_getspecific(key) ? "set" : "NULL");
	SHOW(pthread_setspecific(key, &value));
	printf("main's value kept: %s\n",
	       yes(pthread_getspecific(key) == &value));
	for (int i = 0; i < 10; i++)
		pthread_create(&t[i], NULL, keep_value, (void *)(intptr_t)i);
	for (int i = 0; i < 10; i++) {
		void *r;

		pthread_join(t[i], &r);
		bad += (intptr_t)r;
	}
	printf("threads saw their own values: %s\n", yes(bad == 0));
	printf("destructors: %ld calls, sum %ld\n", destroyed, destroyed_sum);
	printf("main's value untouched: %s\n",
	       yes(pthread_getspecific(key) == &value));

	SHOW(pthread_key_create(&again, destroy_again));
	in_thread(set_again, NULL);
	printf("destructor that sets again: %ld calls\n", again_calls);

	SHOW(pthread_key_delete(key));
	SHOW(pthread_key_create(&k2, NULL));
	printf("a new key's value in main: %s\n",
	       pthread_getspecific(k2) ? "set" : "NULL");
	SHOW(pthread_setspecific(k2, &value));
	printf("its value in another thread: %s\n",
	       in_thread(key_value, &k2) ? "set" : "NULL");
	SHOW(pthread_key_delete(k2));
	SHOW(pthread_key_delete(again));
}

/* --- threads --------------------------------------------------------- */

static void *square(void *arg)
{
	intptr_t i = (intptr_t)arg;

	sched_yield();
	return (void *)(i * i);
}

static pthread_mutex_t det_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t det_cond = PTHREAD_COND_INITIALIZER;
static int detached_done;

static void *detached(void *arg)
{
	sched_yield();
	pthread_mutex_lock(&det_lock);
	detached_done++;
	pthread_cond_signal(&det_cond);
	pthread_mutex_unlock(&det_lock);
	return arg;
}

static pthread_t seen_self;

static void *who(void *arg)
{
	seen_self = pthread_self();
	return arg;
}

static void *join_self(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)pthread_join(pthread_self(), NULL);
}

static void *exit_early(void *arg)
{
	pthread_exit((void *)((intptr_t)arg + 1));
	return NULL;
}

static void threads(void)
{
	enum { N = 200 };
	pthread_t t[N];
	pthread_attr_t a;
	size_t size = 0;
	int state = -1, created = 0;
	long sum = 0;
	void *ret;

	printf("-- join %d threads\n", N);
	for (int i = 0; i < N; i++)
		created += pthread_create(&t[i], NULL, square,
					  (void *)(intptr_t)i) == 0;
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], &ret);
		sum += (long)(intptr_t)ret;
	}
	printf("created %d, sum of squares %ld\n", created, sum);

	printf("-- attributes\n");
	SHOW(pthread_attr_init(&a));
	pthread_attr_getdetachstate(&a, &state);
	printf("joinable by default: %s\n",
	       yes(state == PTHREAD_CREATE_JOINABLE));
	SHOW(pthread_attr_setdetachstate(&a, 12345));
	SHOW(pthread_attr_setstacksize(&a, 1));
	SHOW(pthread_attr_setstacksize(&a, 256 * 1024));
	pthread_attr_getstacksize(&a, &size);
	printf("stack size kept: %s\n", yes(size == 256 * 1024));
	SHOW(pthread_create(&t[0], &a, square, (void *)(intptr_t)12));
	pthread_join(t[0], &ret);
	printf("on a 256 KiB stack: %ld\n", (long)(intptr_t)ret);

	printf("-- detached\n");
	SHOW(pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED));
	pthread_attr_getdetachstate(&a, &state);
	printf("detached: %s\n", yes(state == PTHREAD_CREATE_DETACHED));
	for (int i = 0; i < 10; i++)
		pthread_create(&t[i], &a, detached, NULL);
	for (int i = 10; i < 20; i++) {
		pthread_create(&t[i], NULL, detached, NULL);
		pthread_detach(t[i]);
	}
	pthread_mutex_lock(&det_lock);
	while (detached_done < 20)
		pthread_cond_wait(&det_cond, &det_lock);
	pthread_mutex_unlock(&det_lock);
	printf("detached threads done: %d\n", detached_done);
	SHOW(pthread_attr_destroy(&a));

	printf("-- self, equal, join\n");
	pthread_create(&t[0], NULL, who, NULL);
	pthread_join(t[0], NULL);
	printf("pthread_self in the thread is its id: %s\n",
	       yes(pthread_equal(seen_self, t[0])));
	printf("main is another: %s\n",
	       yes(!pthread_equal(seen_self, pthread_self())));
	printf("join of itself: %s\n", errno_name(in_thread(join_self, NULL)));
	printf("pthread_exit's value: %ld\n",
	       (long)in_thread(exit_early, (void *)41));
	SHOW(sched_yield());
}

/* --- signal masks ---------------------------------------------------- */

static void *mask_of_new_thread(void *arg)
{
	sigset_t s;

	(void)arg;
	pthread_sigmask(SIG_SETMASK, NULL, &s);
	return (void *)(intptr_t)sigismember(&s, SIGUSR1);
}

static void signal_masks(void)
{
	sigset_t set, old;

	printf("-- signal masks\n");
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	SHOW(pthread_sigmask(SIG_BLOCK, &set, &old));
	printf("SIGUSR1 blocked before: %s\n", yes(sigismember(&old, SIGUSR1)));
	SHOW(pthread_sigmask(SIG_SETMASK, NULL, &old));
	printf("SIGUSR1 blocked now: %s\n", yes(sigismember(&old, SIGUSR1)));
	printf("a new thread inherits it: %s\n",
	       yes(in_thread(mask_of_new_thread, NULL) == 1));
	SHOW(pthread_sigmask(12345, &set, NULL));
	SHOW(pthread_sigmask(SIG_UNBLOCK, &set, &old));
	SHOW(pthread_sigmask(SIG_SETMASK, NULL, &old));
	printf("SIGUSR1 blocked at the end: %s\n",
	       yes(sigismember(&old, SIGUSR1)));
}

int main(void)
{
	mutexes();
	mutual_exclusion();
	conditions();
	rwlocks();
	once_and_keys();
	threads();
	signal_masks();
	return 0;
}
