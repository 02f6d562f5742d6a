/*
 * Time: TSC calibration, the monotonic clock, the periodic tick, sleeping
 * and the wall clock. Bounds are generous: these check behaviour, not
 * speed, on a shared machine.
 */
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <bulkhead/time.h>
#include "ktest.h"

TEST(time, tsc_frequency_is_plausible)
{
	KT_ASSERT(time_tsc_hz() > 100000000ULL);   /* 100 MHz */
	KT_ASSERT(time_tsc_hz() < 10000000000ULL); /* 10 GHz */
	KT_EXPECT_STR(time_tsc_source(), "pit");
}

TEST(time, monotonic_never_goes_back)
{
	uint64_t prev = time_now_ns();

	for (int i = 0; i < 10000; i++) {
		uint64_t now = time_now_ns();

		KT_ASSERT(now >= prev);
		prev = now;
	}
}

TEST(time, sleep_lasts_at_least_as_asked)
{
	uint64_t t0 = time_now_ns();

	time_sleep_ns(15 * 1000000ULL);
	uint64_t slept = time_now_ns() - t0;

	KT_ASSERT(slept >= 15 * 1000000ULL);
	KT_ASSERT(slept < 5 * NSEC_PER_SEC);
}

/* The PIT tick and the TSC clock measure the same interval alike. */
TEST(time, timer_ticks_agree_with_the_clock)
{
	uint64_t k0 = time_ticks(), t0 = time_now_ns();

	time_sleep_ns(50 * 1000000ULL);
	uint64_t ticks = time_ticks() - k0;
	uint64_t ms = (time_now_ns() - t0) / 1000000;

	KT_ASSERT(ticks > 0);
	KT_ASSERT(ticks * 3 >= ms * TIME_HZ / 1000);
	KT_ASSERT(ticks <= 3 * ms * TIME_HZ / 1000 + 3);
}

TEST(time, libc_clocks)
{
	struct timespec mono, real;
	struct timeval tv;

	KT_EXPECT_EQ(clock_gettime(CLOCK_MONOTONIC, &mono), 0);
	KT_EXPECT_EQ(clock_gettime(CLOCK_REALTIME, &real), 0);
	KT_EXPECT_EQ(gettimeofday(&tv, NULL), 0);
	KT_ASSERT(real.tv_sec > 1577836800); /* after 2020-01-01 */
	KT_ASSERT(tv.tv_sec - real.tv_sec <= 1);
	KT_ASSERT(time(NULL) >= real.tv_sec);
	KT_ASSERT(mono.tv_sec < 3600); /* since boot */
	KT_ASSERT(clock_gettime((clockid_t)99, &mono) == -1);
}

/* Booted by the runner with -fw_cfg name=opt/bulkhead/tsc_khz,string=1234567. */
TEST(timefw, tsc_frequency_from_fw_cfg)
{
	KT_EXPECT_STR(time_tsc_source(), "fw_cfg");
	KT_EXPECT_EQ(time_tsc_hz(), 1234567000ULL);
}
