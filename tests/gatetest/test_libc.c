/*
 * Per-thread state in the application's own copy of libc (outside the
 * kernel core's compartment in every gate-test image but ept's): the
 * running-thread word names the thread that runs, errno is each thread's,
 * and a thread in the table slot of one that ended starts afresh. The
 * threads here are the scheduler's own, started without pthread_create,
 * so nothing but the slot's new handle tells libc that the old thread is
 * gone.
 */
#include <errno.h>
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>
#include <bulkhead/x86.h>
#include "ktest.h"
#include "../../libc/thread.h"

void *gatetest_errno_setter(void *arg);
void *gatetest_running_word(void *arg);

/* A thread entry (gatetest.api): errno as it found it; sets `arg` and
 * yields to the others before it looks again. */
void *gatetest_errno_setter(void *arg)
{
	long found = errno;

	errno = (int)(long)arg;
	sched_yield();
	sched_yield();
	return (void *)(errno == (int)(long)arg ? found : -1);
}

/* A thread entry (gatetest.api): the running-thread word, as it sees it. */
void *gatetest_running_word(void *arg)
{
	(void)arg;
	return (void *)(uintptr_t)__running_thread;
}

TEST(libc_threads, running_word_names_the_running_thread)
{
	sched_thread_t t = sched_create("word", gatetest_running_word, NULL, 0);
	sched_thread_t me = __running_thread;

	KT_ASSERT(t != 0 && me != 0 && t != me);
	KT_EXPECT_EQ((uintptr_t)sched_join(t), t);
	KT_EXPECT_EQ(__running_thread, me);
}

TEST(libc_threads, errno_is_per_thread)
{
	sched_thread_t a =
		sched_create("ea", gatetest_errno_setter, (void *)EDOM, 0);
	sched_thread_t b =
		sched_create("eb", gatetest_errno_setter, (void *)ERANGE, 0);

	errno = EINVAL;
	KT_EXPECT_EQ((long)sched_join(a), 0);
	KT_EXPECT_EQ((long)sched_join(b), 0);
	KT_EXPECT_EQ(errno, EINVAL);
}

TEST(libc_threads, reused_slot_gets_fresh_state)
{
	sched_thread_t a =
		sched_create("ea", gatetest_errno_setter, (void *)EDOM, 0);

	KT_EXPECT_EQ((long)sched_join(a), 0); /* left errno EDOM behind */
	sched_thread_t b =
		sched_create("eb", gatetest_errno_setter, (void *)ERANGE, 0);

	/* The scheduler hands out the freed slot first: b is a's successor. */
	KT_ASSERT(SCHED_HANDLE_INDEX(b) == SCHED_HANDLE_INDEX(a) && b != a);
	KT_EXPECT_EQ((long)sched_join(b), 0);
}

/* Every domain reads the running-thread word; only the kernel core's may
 * write it (mpk: the page tables' key), so no compartment can make
 * another's libc take a thread's state for another's. */
TEST_ALONE(mpk_contract, running_thread_word_is_read_only)
{
	volatile sched_thread_t *word = &__running_thread;
	const struct comp_desc *app = ktest_comp("app");

	KT_ASSERT(app != NULL && *word != 0);
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("FAULT: #PF page fault (vector 14) in thread \"main\"");
	ktest_expect("error 0x23: present write supervisor data "
		     "protection-key");
	ktest_expect("cr2 0x%016lx", (unsigned long)word);
	ktest_expect("protection key: compartment app (PKRU 0x%08x) wrote "
		     "memory of the running-thread word (key %d), running code "
		     "of app",
		     app->pkru, TABLE_PKEY);
	*word = 0;
}

/* The monotonic clock's figures share that page (time.h): every domain
 * reads the clock without a gate, and none but the core's can move it
 * (a compartment that could would stretch or cut every other one's
 * timeouts). */
TEST_ALONE(mpk_contract, clock_is_read_only)
{
	volatile uint64_t *base = &__time_clock.ns_base;
	const struct comp_desc *app = ktest_comp("app");
	uint64_t t0 = time_now_ns();

	KT_ASSERT(app != NULL && time_now_ns() >= t0);
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("FAULT: #PF page fault (vector 14) in thread \"main\"");
	ktest_expect("error 0x23: present write supervisor data "
		     "protection-key");
	ktest_expect("cr2 0x%016lx", (unsigned long)base);
	ktest_expect("protection key: compartment app (PKRU 0x%08x) wrote "
		     "memory of the clock (key %d), running code of app",
		     app->pkru, TABLE_PKEY);
	*base = 0;
}
