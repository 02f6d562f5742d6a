/*
 * rtc.c - the CMOS real-time clock, read once at boot to anchor the wall
 * clock; the TSC carries it forward from there.
 */
#include <bulkhead/arch.h>
#include <bulkhead/time.h>
#include "time_impl.h"

#define CMOS_INDEX   0x70
#define CMOS_DATA    0x71
#define RTC_UPDATING 0x80 /* status A: an update is in progress */
#define RTC_BINARY   0x04 /* status B: values are binary, not BCD */
#define RTC_24H	     0x02 /* status B: 24-hour clock */

static uint8_t cmos(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

/* Days since 1970-01-01 of a proleptic Gregorian date, then seconds. */
int64_t time_from_civil(int year, int month, int day, int hour, int min,
			int sec)
{
	int64_t y = year - (month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;

	return days * 86400 + hour * 3600 + min * 60 + sec;
}

static int bcd(int v)
{
	return (v & 0x0f) + (v >> 4) * 10;
}

uint64_t rtc_read_ns(void)
{
	uint8_t r[6], again[6];
	static const uint8_t regs[6] = {0x00, 0x02, 0x04, 0x07, 0x08, 0x09};

	/* Read until two passes agree, outside an update. */
	for (int tries = 0; tries < 1000; tries++) {
		while (cmos(0x0a) & RTC_UPDATING)
			;
		for (int i = 0; i < 6; i++)
			r[i] = cmos(regs[i]);
		for (int i = 0; i < 6; i++)
			again[i] = cmos(regs[i]);
		int same = 1;

		for (int i = 0; i < 6; i++)
			same &= r[i] == again[i];
		if (same)
			break;
	}
	uint8_t status_b = cmos(0x0b);
	int pm = r[2] & 0x80;
	int v[6];

	for (int i = 0; i < 6; i++) {
		int x = i == 2 ? (r[i] & 0x7f) : r[i];

		v[i] = status_b & RTC_BINARY ? x : bcd(x);
	}
	if (!(status_b & RTC_24H))
		v[2] = v[2] % 12 + (pm ? 12 : 0);
	int64_t s = time_from_civil(2000 + v[5], v[4], v[3], v[2], v[1], v[0]);

	return s > 0 ? (uint64_t)s * NSEC_PER_SEC : 0;
}
