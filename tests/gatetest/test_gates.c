/*
 * Gates, functionally: calls across compartments with 0..6 arguments,
 * nested and re-entrant calls, and many threads crossing gates at once
 * while sleeping in the callee. The same cases run under fcall and mpk
 * (tests/configs/gates-*.toml) and must give the same answers.
 */
#include <string.h>
#include <bulkhead/sched.h>
#include "ktest.h"
#include "../victim/victim.h"

TEST(gates, zero_to_six_arguments)
{
	KT_EXPECT_EQ(victim_args0(), 42);
	KT_EXPECT_EQ(victim_args1(7), 8);
	KT_EXPECT_EQ(victim_args2(1, 2), 21);
	KT_EXPECT_EQ(victim_args3(1, 2, 3), 321);
	KT_EXPECT_EQ(victim_args4(1, 2, 3, 4), 4321);
	KT_EXPECT_EQ(victim_args5(1, 2, 3, 4, 5), 54321);
	KT_EXPECT_EQ(victim_args6(1, 2, 3, 4, 5, 6), 654321);
	KT_EXPECT_EQ(victim_args6(-1, -2, -3, -4, -5, -6), -654321);
}

TEST(gates, many_calls_keep_registers)
{
	long sum = 0;

	for (long i = 0; i < 10000; i++)
		sum += victim_args2(i, 1);
	KT_EXPECT_EQ(sum, 10000L * 9999 / 2 + 10 * 10000L);
}

/* victim_nested and gatetest_bounce call each other across the boundary. */
long gatetest_bounce(long depth)
{
	return depth <= 0 ? 1 : 1000 + victim_nested(depth - 1);
}

TEST(gates, nested_and_reentrant_calls)
{
	KT_EXPECT_EQ(victim_nested(0), 100);
	KT_EXPECT_EQ(victim_nested(1), 11);
	KT_EXPECT_EQ(victim_nested(2), 1110);
	KT_EXPECT_EQ(victim_nested(6), 10 + 1000 + 10 + 1000 + 10 + 1000 + 100);
}

void *gatetest_sleeper(void *arg);

/* A thread entry (declared in gatetest.api): sleeps inside the callee. */
void *gatetest_sleeper(void *arg)
{
	long i = (long)arg;

	return (void *)victim_sleep_mul(1 + i % 5, i);
}

TEST(gates, threads_cross_gates_while_callees_sleep)
{
	enum { N = 40 };
	sched_thread_t t[N];
	long sum = 0;

	for (long i = 0; i < N; i++) {
		t[i] = sched_create("sleeper", gatetest_sleeper, (void *)i, 0);
		KT_ASSERT(t[i] != 0);
	}
	for (int i = 0; i < N; i++)
		sum += (long)sched_join(t[i]);
	KT_EXPECT_EQ(sum, 3L * N * (N - 1) / 2);
}

/* What a call leaves in the callee's .bss and heap is there on the next
 * call: the callee's state lives in the callee, not in the gate. */
TEST(gates, callee_state_survives_between_calls)
{
	long before = victim_bss_value();

	victim_bss_set(0x5a7e1);
	KT_EXPECT_EQ(victim_bss_value(), 0x5a7e1);
	victim_bss_set(-7);
	KT_EXPECT_EQ(victim_bss_value(), -7);
	victim_bss_set(before);
	KT_EXPECT_EQ(victim_bss_value(), before);
	KT_ASSERT(victim_leak(VICTIM_HEAP) != NULL);
	KT_ASSERT(victim_leak(VICTIM_HEAP) == victim_leak(VICTIM_HEAP));
}
