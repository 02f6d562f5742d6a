/*
 * time.h - clocks and the periodic timer.
 *
 * The monotonic clock counts nanoseconds since time_init() from the TSC,
 * whose frequency is calibrated against the PIT at boot, or read from
 * fw_cfg "opt/bulkhead/tsc_khz" when the launcher passes it. The PIT's
 * channel 0 interrupts TIME_HZ times a second to wake the idle thread.
 */
#ifndef BULKHEAD_TIME_H
#define BULKHEAD_TIME_H

#include <stdint.h>
#include <bulkhead/arch.h>

#define TIME_HZ	     1000
#define NSEC_PER_SEC 1000000000ULL

/*
 * The monotonic clock, read without a call: the time library writes these
 * figures (at calibration, and when the rate is measured again or adopted)
 * and every compartment reads them, in the page that also holds the
 * running thread's handle (linker/image.ld.in: under mpk it carries the
 * page tables' key, which every domain may read and only the core's may
 * write; under ept each VM has its own clock). Reading the clock is
 * what a network stack does on nearly every message: a gate crossing
 * each time would be a large part of its cost.
 */
struct time_clock {
	uint64_t tsc_base;	 /* the TSC when the count stood at ns_base */
	uint64_t ns_base;	 /* nanoseconds since time_init() */
	uint64_t ns_per_tick_fp; /* ns per TSC cycle, 32.32 fixed point */
};
extern volatile struct time_clock __time_clock;

void time_init(void);

/* Monotonic nanoseconds since boot. */
static inline uint64_t time_now_ns(void)
{
	uint64_t delta = rdtsc() - __time_clock.tsc_base;

	return __time_clock.ns_base +
	       (uint64_t)(((unsigned __int128)delta *
			   __time_clock.ns_per_tick_fp) >>
			  32);
}

uint64_t time_wall_ns(void); /* since 1970, from the RTC at boot */
uint64_t time_tsc_hz(void);
const char *time_tsc_source(void);   /* "pit", "fw_cfg" or "adopted" */
void time_adopt_tsc_hz(uint64_t hz); /* count at hz from now on */
/* The rate is shared with other VMs (ept): the wall clock's first use
 * must not measure it again. */
void time_keep_rate(void);
uint64_t time_ticks(void); /* timer interrupts so far */
void time_sleep_ns(uint64_t ns);

/* Days-from-civil arithmetic, exposed for host tests. */
int64_t time_from_civil(int year, int month, int day, int hour, int min,
			int sec);

#endif
