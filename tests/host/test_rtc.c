/*
 * test_rtc.c - time_from_civil(), the date arithmetic that turns the CMOS
 * clock's reading into seconds since 1970. Expected values were computed
 * independently with Python's calendar.timegm(); the sweep compares
 * against the host C library's timegm().
 */
#include <time.h>
#include <bulkhead/time.h>
#include "ktest.h"

TEST(rtc, epoch_and_its_neighbours)
{
	KT_EXPECT_EQ(time_from_civil(1970, 1, 1, 0, 0, 0), 0);
	KT_EXPECT_EQ(time_from_civil(1970, 1, 1, 0, 0, 1), 1);
	KT_EXPECT_EQ(time_from_civil(1970, 1, 2, 0, 0, 0), 86400);
	/* Proleptic calendar: the second before the epoch is -1. */
	KT_EXPECT_EQ(time_from_civil(1969, 12, 31, 23, 59, 59), -1);
}

TEST(rtc, century_leap_rules)
{
	/* 2000 is a leap year (divisible by 400): Feb 29 exists. */
	KT_EXPECT_EQ(time_from_civil(2000, 2, 29, 0, 0, 0), 951782400LL);
	KT_EXPECT_EQ(time_from_civil(2000, 3, 1, 0, 0, 0), 951868800LL);
	/* 1900 and 2100 are not: Feb 28 is followed directly by Mar 1. */
	KT_EXPECT_EQ(time_from_civil(1900, 3, 1, 0, 0, 0), -2203891200LL);
	KT_EXPECT_EQ(time_from_civil(2100, 2, 28, 0, 0, 0), 4107456000LL);
	KT_EXPECT_EQ(time_from_civil(2100, 3, 1, 0, 0, 0), 4107542400LL);
}

TEST(rtc, leap_day_2024)
{
	KT_EXPECT_EQ(time_from_civil(2024, 2, 29, 12, 34, 56), 1709210096LL);
	/* Two days from Feb 28 to Mar 1 in a leap year. */
	KT_EXPECT_EQ(time_from_civil(2024, 3, 1, 0, 0, 0) -
			     time_from_civil(2024, 2, 28, 0, 0, 0),
		     2 * 86400);
}

TEST(rtc, past_2038)
{
	/* One second past the signed 32-bit time_t limit. */
	KT_EXPECT_EQ(time_from_civil(2038, 1, 19, 3, 14, 8), 2147483648LL);
	KT_EXPECT_EQ(time_from_civil(9999, 12, 31, 23, 59, 59), 253402300799LL);
}

/*
 * Every 7 days, 1 hour, 1 minute and 1 second (so that the time of day
 * drifts too) from 1900 to 2400: break the time down with the host's
 * gmtime_r() and check that time_from_civil() puts it back together.
 */
TEST(rtc, matches_host_timegm)
{
	struct tm tm;

	KT_ASSERT(sizeof(time_t) == 8);
	for (time_t t = -2208988800LL; t < 13569465600LL;
	     t += 7 * 86400 + 3661) {
		KT_ASSERT(gmtime_r(&t, &tm) != NULL);
		KT_EXPECT_EQ(time_from_civil(tm.tm_year + 1900, tm.tm_mon + 1,
					     tm.tm_mday, tm.tm_hour, tm.tm_min,
					     tm.tm_sec),
			     t);
		KT_EXPECT_EQ(timegm(&tm), t);
	}
}
