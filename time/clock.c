/*
 * clock.c - the TSC as a monotonic clock, calibrated at boot, and the
 * periodic PIT interrupt.
 */
#include <stdlib.h>
#include <bulkhead/arch.h>
#include <bulkhead/kernel.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>
#include <bulkhead/trap.h>
#include "time_impl.h"

#define PIT_HZ		 1193182
#define CALIBRATE_MS	 10
#define CALIBRATE_ROUNDS 5

static uint64_t tsc_hz;
static const char *tsc_source = "pit";
static volatile uint64_t ticks;
static uint64_t wall_at_boot_ns;
/* time_now_ns() (time.h) is ns_base + the TSC cycles since tsc_base at
 * the current rate: the rate may be measured again (wall_sync), the count
 * goes on. Every compartment reads it (__time_clock, the linker script's
 * name for this storage); only this file writes it. */
static struct time_clock clock_storage
	__attribute__((section(".running_thread.clock"), aligned(64), used));
#define tsc_at_boot    __time_clock.tsc_base
#define ns_base	       __time_clock.ns_base
#define ns_per_tick_fp __time_clock.ns_per_tick_fp
static int rate_fixed; /* shared with other VMs: never measured again */

/*
 * Count TSC cycles while PIT channel 2 counts down CALIBRATE_MS in
 * one-shot mode (its output pin, readable in port 0x61, goes high at 0).
 */
static uint64_t pit_measure_tsc(void)
{
	uint16_t count = PIT_HZ * CALIBRATE_MS / 1000;
	uint8_t gate = inb(PORT_PIT_GATE);

	outb(PORT_PIT_GATE, (gate & ~0x02) | 0x01); /* gate on, speaker off */
	outb(PORT_PIT_CMD, 0xb0); /* channel 2, lo/hi byte, mode 0 */
	outb(PORT_PIT_CH2, count & 0xff);
	outb(PORT_PIT_CH2, count >> 8);
	uint64_t start = rdtsc();

	while (!(inb(PORT_PIT_GATE) & 0x20))
		;
	uint64_t cycles = rdtsc() - start;

	outb(PORT_PIT_GATE, gate);
	return cycles * 1000 / CALIBRATE_MS;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median of several PIT windows: one slow window cannot skew it. */
static uint64_t calibrate_tsc(void)
{
	uint64_t hz[CALIBRATE_ROUNDS];

	for (int i = 0; i < CALIBRATE_ROUNDS; i++)
		hz[i] = pit_measure_tsc();
	qsort(hz, CALIBRATE_ROUNDS, sizeof(hz[0]), cmp_u64);
	return hz[CALIBRATE_ROUNDS / 2];
}

static uint64_t fwcfg_tsc_hz(void)
{
	char buf[24] = {0};

	if (fwcfg_read_file("opt/bulkhead/tsc_khz", buf, sizeof(buf) - 1) <= 0)
		return 0;
	return strtoull(buf, NULL, 10) * 1000;
}

static void timer_irq(int irq)
{
	(void)irq;
	ticks++;
}

void time_init(void)
{
	uintptr_t mine = (uintptr_t)&clock_storage;

	/* Two objects to the compiler, one to the linker: compared as
	 * numbers it cannot fold. */
	__asm__("" : "+r"(mine));
	if (mine != (uintptr_t)&__time_clock)
		panic("time: the clock at %p, the linker's __time_clock at %p",
		      (void *)&clock_storage, (void *)&__time_clock);
	tsc_hz = fwcfg_tsc_hz();
	if (tsc_hz) {
		tsc_source = "fw_cfg";
		rate_fixed = 1; /* the host's own figure: kept */
	} else {
		tsc_hz = calibrate_tsc();
	}
	if (tsc_hz < 1000000)
		panic("time: TSC calibration gave %lu Hz",
		      (unsigned long)tsc_hz);
	ns_per_tick_fp = (NSEC_PER_SEC << 32) / tsc_hz;
	tsc_at_boot = rdtsc();
	wall_at_boot_ns = rtc_read_ns();

	uint16_t divisor = PIT_HZ / TIME_HZ;

	outb(PORT_PIT_CMD, 0x34); /* channel 0, lo/hi byte, rate generator */
	outb(PORT_PIT_CH0, divisor & 0xff);
	outb(PORT_PIT_CH0, divisor >> 8);
	trap_irq_register(0, timer_irq);
}

/* The next change of the RTC's second after `from` (or `from` itself
 * after four seconds of TSC time at the boot's rate, which may be off by
 * a factor of two or more: the edge comes within one real second);
 * *tsc gets the TSC when it was seen. */
static uint64_t rtc_edge(uint64_t from, uint64_t *tsc)
{
	uint64_t start = rdtsc(), now = from, limit = 4 * tsc_hz;

	while (now == from && rdtsc() - start < limit)
		now = rtc_read_ns();
	*tsc = rdtsc();
	return now;
}

/* The RTC counts whole seconds, so the boot's reading is up to a second
 * behind, and the TSC's rate, measured against the PIT at boot, can be
 * off by tens of percent when QEMU's host is busy (TCG), so the wall
 * clock drifts from the host's. On the first use of the wall clock (at
 * most about two seconds' wait, once per boot): two edges of the RTC's
 * second give the TSC's rate over a whole second, and the wall clock is
 * anchored on the second edge. A client that sends an absolute time
 * (Redis's PXAT) then finds the guest within milliseconds of the host.
 * A rate shared with other VMs (ept: adopted, or given to them) is
 * kept, so that the VMs still agree, and so is one the host gave
 * (fw_cfg); so is one the RTC disagrees with by a factor of four or more
 * (an RTC that is not keeping time). */
static void wall_sync(void)
{
	uint64_t t1, t2, r0 = rtc_read_ns(), r1 = rtc_edge(r0, &t1),
			 r2 = r1 == r0 ? r1 : rtc_edge(r1, &t2);

	if (r2 == r1)
		return; /* no RTC ticking: keep the boot's figures */
	uint64_t hz = (uint64_t)((unsigned __int128)(t2 - t1) * NSEC_PER_SEC /
				 (r2 - r1));
	uint64_t flags = irq_save();
	uint64_t now = time_now_ns(), tsc = rdtsc();

	if (!rate_fixed && hz > tsc_hz / 4 && hz < tsc_hz * 4) {
		/* The count so far at the old rate, from here at the new. */
		ns_base = now;
		tsc_at_boot = tsc;
		tsc_hz = hz;
		ns_per_tick_fp = (NSEC_PER_SEC << 32) / hz;
	}
	wall_at_boot_ns =
		r2 +
		(uint64_t)(((unsigned __int128)(tsc - t2) * ns_per_tick_fp) >>
			   32) -
		now;
	irq_restore(flags);
}

uint64_t time_wall_ns(void)
{
	static int synced;

	if (!synced) {
		synced = 1;
		wall_sync();
	}
	return wall_at_boot_ns + time_now_ns();
}

/*
 * Count time at hz from now on (ept: every VM at the frequency one of
 * them measured, so that a timeout measured in one VM and waited in
 * another agrees). The clock goes on from where it is, without a jump.
 */
void time_adopt_tsc_hz(uint64_t hz)
{
	uint64_t flags = irq_save();
	uint64_t now = time_now_ns();

	tsc_hz = hz;
	ns_per_tick_fp = (NSEC_PER_SEC << 32) / hz;
	ns_base = now;
	tsc_at_boot = rdtsc();
	tsc_source = "adopted";
	rate_fixed = 1;
	irq_restore(flags);
}

void time_keep_rate(void)
{
	rate_fixed = 1;
}

uint64_t time_tsc_hz(void)
{
	return tsc_hz;
}

const char *time_tsc_source(void)
{
	return tsc_source;
}

uint64_t time_ticks(void)
{
	return ticks;
}

void time_sleep_ns(uint64_t ns)
{
	sched_sleep_ns(ns);
}
