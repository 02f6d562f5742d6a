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

#define TIME_HZ	     1000
#define NSEC_PER_SEC 1000000000ULL

void time_init(void);
uint64_t time_now_ns(void);  /* monotonic, since boot */
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
