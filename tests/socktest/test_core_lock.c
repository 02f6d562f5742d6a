/*
 * lwIP's core lock: every core function of lwIP checks, on entry, that the
 * running thread holds it (LWIP_ASSERT_CORE_LOCKED, net/lwip/sys_arch.c),
 * and stops the machine otherwise. The check keeps its own record of the
 * holder (asking the scheduler would cross a gate on every call), so it
 * is tried both ways it can fail: nobody holds the lock, and another
 * thread does. The hook (lwip.test.api) runs in lwIP's compartment. Not
 * under ept, where each call is an RPC served by a thread of the network
 * VM (test_boundary.c enables the suites).
 */
#include <bulkhead/kernel.h>
#include <bulkhead/netstack.h>
#include <bulkhead/sched.h>
#include "ktest.h"

int lwip_test_core_call(int how);

static int stack_up(void)
{
	static int state;

	if (!state)
		state = net_start() == 0 ? 1 : -1;
	return state == 1;
}

/* With the lock, a core function works (and the check passes). */
TEST(lwip_lock, core_call_with_the_lock)
{
	KT_ASSERT(stack_up());
	KT_EXPECT_EQ(lwip_test_core_call(1), 0);
	KT_EXPECT_EQ(lwip_test_core_call(1), 0); /* given back: again */
}

/* Also after this thread has held the lock and given it back. */
TEST_ALONE(lwip_lock, core_call_without_the_lock_stops_the_machine)
{
	KT_ASSERT(stack_up());
	KT_ASSERT(lwip_test_core_call(1) == 0);
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: lwIP: called without the core lock");
	lwip_test_core_call(0);
}

/* Keeps the core lock for ever (a callback: socktest.api). */
void *socktest_lock_holder(void *arg);
void *socktest_lock_holder(void *arg)
{
	(void)arg;
	lwip_test_core_call(2);
	return NULL;
}

TEST_ALONE(lwip_lock, core_call_while_another_thread_holds_the_lock)
{
	KT_ASSERT(stack_up());
	KT_ASSERT(sched_create("holder", socktest_lock_holder, NULL, 0) != 0);
	sched_sleep_ns(20000000); /* the holder takes the lock and waits */
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: lwIP: called without the core lock");
	lwip_test_core_call(0);
}

/* lwIP's mutexes are its own (sys_arch.c): taking one twice, or giving
 * back one the thread does not hold, stops the machine (as the
 * scheduler's mutexes do). */
TEST_ALONE(lwip_lock, mutex_taken_twice_stops_the_machine)
{
	KT_ASSERT(stack_up());
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: lwIP: mutex 0x");
	ktest_expect("taken again by its holder");
	lwip_test_core_call(3);
}

TEST_ALONE(lwip_lock, mutex_given_back_by_another_stops_the_machine)
{
	KT_ASSERT(stack_up());
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: lwIP: mutex 0x");
	ktest_expect("given back by a thread that does not hold it");
	lwip_test_core_call(4);
}
