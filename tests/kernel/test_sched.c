/*
 * Threads: create/join, many threads, yield order, sleeping, mutexes,
 * semaphores, condition variables, timeouts, detached threads.
 */
#include <string.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>
#include "ktest.h"

#define MS 1000000ULL

static void *square(void *arg)
{
	long x = (long)arg;

	return (void *)(x * x);
}

TEST(sched, create_and_join_return_value)
{
	sched_thread_t t = sched_create("sq", square, (void *)12, 0);

	KT_ASSERT(t != 0);
	KT_EXPECT_STR(sched_thread_name(t), "sq");
	KT_EXPECT_EQ((long)sched_join(t), 144);
}

static int ran_count;

static void *count_me(void *arg)
{
	(void)arg;
	ran_count++;
	sched_yield();
	return NULL;
}

/* Far beyond FlexOS's 32: limited only by memory. */
TEST(sched, two_thousand_threads)
{
	enum { N = 2000 };
	static sched_thread_t t[N];
	unsigned long base = sched_thread_count();

	ran_count = 0;
	for (int i = 0; i < N; i++) {
		t[i] = sched_create("many", count_me, NULL, 16 * 1024);
		KT_ASSERT(t[i] != 0);
	}
	KT_EXPECT_EQ(sched_thread_count(), base + N);
	for (int i = 0; i < N; i++)
		sched_join(t[i]);
	KT_EXPECT_EQ(ran_count, N);
	KT_EXPECT_EQ(sched_thread_count(), base);
}

static char trace[64];
static int trace_len;

static void *tracer(void *arg)
{
	for (int i = 0; i < 3; i++) {
		trace[trace_len++] = *(const char *)arg;
		sched_yield();
	}
	return NULL;
}

TEST(sched, yield_is_round_robin)
{
	sched_thread_t t[3];

	trace_len = 0;
	t[0] = sched_create("a", tracer, "a", 0);
	t[1] = sched_create("b", tracer, "b", 0);
	t[2] = sched_create("c", tracer, "c", 0);
	for (int i = 0; i < 3; i++)
		sched_join(t[i]);
	trace[trace_len] = '\0';
	KT_EXPECT_STR(trace, "abcabcabc");
}

static void *sleeper(void *arg)
{
	long ms = (long)arg;

	sched_sleep_ns(ms * MS);
	trace[trace_len++] = (char)('0' + ms / 10);
	return NULL;
}

TEST(sched, sleepers_wake_in_deadline_order)
{
	sched_thread_t t[3];

	trace_len = 0;
	t[0] = sched_create("s30", sleeper, (void *)30, 0);
	t[1] = sched_create("s10", sleeper, (void *)10, 0);
	t[2] = sched_create("s20", sleeper, (void *)20, 0);
	for (int i = 0; i < 3; i++)
		sched_join(t[i]);
	trace[trace_len] = '\0';
	KT_EXPECT_STR(trace, "123");
}

static sched_mutex_t mtx;
static int inside, max_inside, counter;

static void *locker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 50; i++) {
		sched_mutex_lock(mtx);
		inside++;
		if (inside > max_inside)
			max_inside = inside;
		int c = counter;

		sched_yield(); /* others run while we hold it */
		counter = c + 1;
		inside--;
		sched_mutex_unlock(mtx);
	}
	return NULL;
}

TEST(sched, mutex_excludes)
{
	sched_thread_t t[4];

	mtx = sched_mutex_new(0);
	inside = max_inside = counter = 0;
	for (int i = 0; i < 4; i++)
		t[i] = sched_create("locker", locker, NULL, 0);
	for (int i = 0; i < 4; i++)
		sched_join(t[i]);
	KT_EXPECT_EQ(max_inside, 1);
	KT_EXPECT_EQ(counter, 200);
}

/* Lock mtx for 20 ms from now: 0, or SCHED_ETIMEDOUT. */
static void *lock_20ms(void *arg)
{
	(void)arg;
	int r = sched_mutex_lock_until(mtx, time_now_ns() + 20000000);

	if (r == 0)
		sched_mutex_unlock(mtx);
	return (void *)(long)r;
}

TEST(sched, mutex_lock_until_gives_up_at_its_deadline)
{
	uint64_t start;

	mtx = sched_mutex_new(0);
	sched_mutex_lock(mtx);
	start = time_now_ns();
	KT_EXPECT_EQ((long)sched_join(sched_create("lk", lock_20ms, NULL, 0)),
		     SCHED_ETIMEDOUT);
	KT_ASSERT(time_now_ns() - start >= 20000000);
	sched_mutex_unlock(mtx);
	KT_EXPECT_EQ((long)sched_join(sched_create("lk", lock_20ms, NULL, 0)),
		     0);
	KT_EXPECT_EQ(sched_mutex_lock_until(mtx, 1), 0); /* free: no wait */
	sched_mutex_unlock(mtx);
	sched_mutex_free(mtx);
}

static void *try_lock(void *arg)
{
	return (void *)(long)sched_mutex_trylock((sched_mutex_t)arg);
}

TEST(sched, recursive_mutex)
{
	sched_mutex_t m = sched_mutex_new(1);

	sched_mutex_lock(m);
	sched_mutex_lock(m);
	KT_EXPECT_EQ(sched_mutex_trylock(m), 0);
	sched_thread_t t = sched_create("try", try_lock, (void *)m, 0);

	KT_EXPECT_EQ((long)sched_join(t), -1); /* held by us */
	sched_mutex_unlock(m);
	sched_mutex_unlock(m);
	sched_mutex_unlock(m);
	t = sched_create("try", try_lock, (void *)m, 0);
	KT_EXPECT_EQ((long)sched_join(t), 0); /* free now */
}

#define RING 4
static sched_sem_t slots, items;
static int ring[RING], head, tail;

static void *producer(void *arg)
{
	(void)arg;
	for (int i = 1; i <= 100; i++) {
		sched_sem_wait(slots, 0);
		ring[head++ % RING] = i;
		sched_sem_post(items);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	long sum = 0;

	(void)arg;
	for (int i = 0; i < 100; i++) {
		sched_sem_wait(items, 0);
		sum += ring[tail++ % RING];
		sched_sem_post(slots);
	}
	return (void *)sum;
}

TEST(sched, semaphores_bound_a_ring)
{
	slots = sched_sem_new(RING);
	items = sched_sem_new(0);
	head = tail = 0;
	sched_thread_t c = sched_create("cons", consumer, NULL, 0);
	sched_thread_t p = sched_create("prod", producer, NULL, 0);

	sched_join(p);
	KT_EXPECT_EQ((long)sched_join(c), 5050);
}

static sched_mutex_t cmtx;
static sched_cond_t cond;
static int ready, woken;

static void *cond_waiter(void *arg)
{
	(void)arg;
	sched_mutex_lock(cmtx);
	while (!ready)
		sched_cond_wait(cond, cmtx, 0);
	woken++;
	sched_mutex_unlock(cmtx);
	return NULL;
}

TEST(sched, condition_broadcast_wakes_all)
{
	sched_thread_t t[5];

	cmtx = sched_mutex_new(0);
	cond = sched_cond_new();
	ready = woken = 0;
	for (int i = 0; i < 5; i++)
		t[i] = sched_create("cw", cond_waiter, NULL, 0);
	sched_yield(); /* all five now wait */
	KT_EXPECT_EQ(woken, 0);
	sched_mutex_lock(cmtx);
	ready = 1;
	sched_cond_broadcast(cond);
	sched_mutex_unlock(cmtx);
	for (int i = 0; i < 5; i++)
		sched_join(t[i]);
	KT_EXPECT_EQ(woken, 5);
}

TEST(sched, waits_time_out)
{
	sched_sem_t s = sched_sem_new(0);
	sched_mutex_t m = sched_mutex_new(0);
	sched_cond_t c = sched_cond_new();
	uint64_t t0 = time_now_ns();

	KT_EXPECT_EQ(sched_sem_wait(s, t0 + 10 * MS), SCHED_ETIMEDOUT);
	KT_ASSERT(time_now_ns() - t0 >= 10 * MS);

	sched_mutex_lock(m);
	t0 = time_now_ns();
	KT_EXPECT_EQ(sched_cond_wait(c, m, t0 + 5 * MS), SCHED_ETIMEDOUT);
	KT_ASSERT(time_now_ns() - t0 >= 5 * MS);
	KT_ASSERT(sched_mutex_held(m)); /* re-acquired on timeout */
	sched_mutex_unlock(m);
}

static void *post_later(void *arg)
{
	sched_sleep_ns(2 * MS);
	sched_sem_post((sched_sem_t)arg);
	return NULL;
}

/* The post wakes the waiter at once: it does not sleep on until its
 * deadline and only then find the count raised. */
TEST(sched, wake_before_deadline)
{
	sched_sem_t s = sched_sem_new(0);
	uint64_t t0 = time_now_ns();
	sched_thread_t t = sched_create("post", post_later, (void *)s, 0);

	KT_ASSERT(t != 0);
	KT_EXPECT_EQ(sched_sem_wait(s, t0 + 4 * NSEC_PER_SEC), 0);
	uint64_t waited = time_now_ns() - t0;

	sched_join(t);
	KT_ASSERT(waited >= 2 * MS);
	KT_ASSERT(waited < NSEC_PER_SEC);
}

TEST(sched, detached_threads_are_reaped)
{
	unsigned long base = sched_thread_count();

	for (int i = 0; i < 10; i++) {
		sched_thread_t t = sched_create("det", square, NULL, 0);

		KT_ASSERT(t != 0);
		sched_detach(t);
	}
	sched_sleep_ns(1 * MS); /* let them run and exit */
	sched_yield();
	KT_EXPECT_EQ(sched_thread_count(), base);
}
