/*
 * The scheduler's handles (sched/handle.c): objects are named by checked
 * handles, and a forged, stale, wrong-type or out-of-range handle is
 * refused with a report naming the function and the handle. The same
 * attacks from another compartment under mpk are in
 * tests/gatetest/test_handles.c.
 */
#include <stdint.h>
#include <string.h>
#include <bulkhead/kernel.h>
#include <bulkhead/sched.h>
#include "ktest.h"

/* The report of a refused handle: the panic line, with its thread. */
static void expect_refused(const char *fn, const char *type, uint64_t h,
			   const char *why)
{
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: sched: %s: bad %s handle 0x%016lx: %s (thread "
		     "\"main\")",
		     fn, type, (unsigned long)h, why);
}

/* A freed object's slot is used again, under a new generation: the old
 * handle and the new one differ although they share an index. */
TEST(handles, a_freed_slot_comes_back_with_a_new_generation)
{
	sched_mutex_t a = sched_mutex_new(0);

	KT_ASSERT(a != 0);
	sched_mutex_free(a);
	sched_mutex_t b = sched_mutex_new(0);

	KT_ASSERT(b != 0);
	KT_EXPECT_EQ(SCHED_HANDLE_INDEX(b), SCHED_HANDLE_INDEX(a));
	KT_ASSERT(a != b);
	sched_mutex_lock(b);
	KT_ASSERT(sched_mutex_held(b));
	sched_mutex_unlock(b);
	sched_mutex_free(b);
}

/* Every kind of object can be made, used and freed through handles. */
TEST(handles, each_kind_is_made_used_and_freed)
{
	sched_waitq_t q = sched_waitq_new();
	sched_sem_t s = sched_sem_new(1);
	sched_cond_t c = sched_cond_new();

	KT_ASSERT(q != 0 && s != 0 && c != 0);
	KT_EXPECT_EQ(sched_wake_all(q), 0);
	KT_EXPECT_EQ(sched_sem_wait(s, 0), 0);
	sched_cond_signal(c);
	sched_waitq_free(q);
	sched_sem_free(s);
	sched_cond_free(c);
}

/* The old interface's mutex: a structure in the caller's memory. */
struct forged_mutex {
	void *owner;
	unsigned depth;
	int recursive;
	void *head, *tail;
};

/* A pointer to a structure the caller built is no handle. */
TEST_ALONE(handles, forged_handle_is_refused)
{
	static struct forged_mutex fake;
	uint64_t h = (uintptr_t)&fake;

	expect_refused("sched_mutex_unlock", "mutex", h,
		       "not a handle (type 0)");
	sched_mutex_unlock(h);
}

/* A mutex freed is gone: its handle is stale, even once its slot holds
 * another mutex. */
TEST_ALONE(handles, stale_handle_after_free_is_refused)
{
	sched_mutex_t m = sched_mutex_new(0);

	sched_mutex_free(m);
	(void)sched_mutex_new(0); /* the same slot, a new generation */
	expect_refused("sched_mutex_lock", "mutex", m,
		       "stale (freed, or never issued)");
	sched_mutex_lock(m);
}

static void *nothing(void *arg)
{
	return arg;
}

/* Joining frees the thread: joining again names a stale handle. */
TEST_ALONE(handles, stale_thread_handle_after_join_is_refused)
{
	sched_thread_t t = sched_create("once", nothing, NULL, 0);

	KT_ASSERT(t != 0);
	sched_join(t);
	expect_refused("sched_join", "thread", t,
		       "stale (freed, or never issued)");
	sched_join(t);
}

/* A semaphore's handle handed to a mutex function. */
TEST_ALONE(handles, wrong_type_handle_is_refused)
{
	sched_sem_t s = sched_sem_new(1);

	expect_refused("sched_mutex_lock", "mutex", s,
		       "it is a semaphore handle");
	sched_mutex_lock(s);
}

/* The right type and an index far past the table's end: refused before
 * anything is read at that index. */
TEST_ALONE(handles, index_past_the_table_is_refused)
{
	uint64_t h = (uint64_t)2 << SCHED_HANDLE_TYPE_SHIFT |
		     (uint64_t)1 << SCHED_HANDLE_GEN_SHIFT |
		     ((1u << SCHED_HANDLE_INDEX_BITS) - 1);

	expect_refused("sched_wake_one", "wait queue", h,
		       "index 16777215 is outside the table");
	sched_wake_one(h);
}

TEST_ALONE(handles, freeing_a_held_mutex_is_refused)
{
	sched_mutex_t m = sched_mutex_new(0);

	sched_mutex_lock(m);
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: sched: sched_mutex_free: mutex handle 0x%016lx "
		     "freed while held (thread \"main\")",
		     (unsigned long)m);
	sched_mutex_free(m);
}

static void *wait_on(void *arg)
{
	sched_sem_wait((sched_sem_t)arg, 0);
	return NULL;
}

/* A thread still waits on the semaphore: freeing it would leave the
 * thread on freed memory. */
TEST_ALONE(handles, freeing_an_awaited_semaphore_is_refused)
{
	sched_sem_t s = sched_sem_new(0);

	sched_create("waiter", wait_on, (void *)s, 0);
	sched_yield(); /* it now waits */
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect(
		"PANIC: sched: sched_sem_free: semaphore handle 0x%016lx freed "
		"while thread \"waiter\" waits on it (thread \"main\")",
		(unsigned long)s);
	sched_sem_free(s);
}

/* The semaphore is freed after its waiter was woken but before it ran:
 * the waiter looks its handle up again and finds it stale. */
TEST_ALONE(handles, semaphore_freed_under_a_woken_waiter_is_refused)
{
	sched_sem_t s = sched_sem_new(0);

	sched_create("waiter", wait_on, (void *)s, 0);
	sched_yield(); /* it now waits */
	sched_sem_post(s);
	sched_sem_free(s); /* no thread is on its queue any more */
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: sched: sched_sem_wait: bad semaphore handle "
		     "0x%016lx: stale (freed, or never issued) (thread "
		     "\"waiter\")",
		     (unsigned long)s);
	sched_yield();
}

static void *slow(void *arg)
{
	sched_sleep_ns(1000000);
	return arg;
}

static void *join_it(void *arg)
{
	return sched_join((sched_thread_t)arg);
}

/* Two threads join one: the first frees it, the second finds its handle
 * stale when it wakes, rather than reading the freed thread. */
TEST_ALONE(handles, second_joiner_of_a_thread_is_refused)
{
	sched_thread_t t = sched_create("slow", slow, NULL, 0);

	sched_create("j1", join_it, (void *)t, 0);
	sched_create("j2", join_it, (void *)t, 0);
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: sched: sched_join: bad thread handle 0x%016lx: "
		     "stale (freed, or never issued) (thread \"j2\")",
		     (unsigned long)t);
	sched_sleep_ns(10000000);
}

/* The scheduler reads a thread's name itself: a name at an address no
 * compartment may read (here: not mapped) is refused, not read. */
TEST_ALONE(handles, thread_name_out_of_reach_is_refused)
{
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: sched: sched_create: thread name at "
		     "0x0000000000000008 is not in memory every compartment "
		     "may read (thread \"main\")");
	sched_create((const char *)8, nothing, NULL, 0);
}

/* No name is "thread" (sched.api's contract accepts NULL): found by the
 * interface fuzzer, when the scheduler still refused it. */
TEST(handles, thread_without_a_name_is_called_thread)
{
	sched_thread_t t = sched_create(NULL, nothing, NULL, 0);

	KT_ASSERT(t != 0);
	KT_EXPECT_STR(sched_thread_name(t), "thread");
	sched_join(t);
}
