/*
 * bench - gate costs measured in the guest (make test-gates, QEMU side).
 *
 * bench=gates prints one line per path:
 *     row qemu <path> <median cycles> <p99 cycles> <runs>
 * after "overhead qemu <cycles>", the cost of the timing itself, which is
 * subtracted. Paths: call (an empty function in this compartment), the
 * image's cross-compartment call (fcall, mpk-light or mpk-full), the same
 * with one pointer argument its contract checks (<path>+arg: under fcall
 * nothing is checked), and for mpk images wrpkru (one checked WRPKRU). Under TCG these figures check
 * that the paths work, not what they cost on hardware.
 *
 * bench=check runs every path a few times and checks the results.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>
#include "../victim/victim.h"

#define BATCH	8    /* calls per timed sample */
#define SAMPLES 2000 /* timed samples per path */
#define WARMUP	200  /* untimed samples first */

/* gates.asm of mpk test images: one checked WRPKRU (absent under fcall). */
extern void gate_bench_wrpkru(void) __attribute__((weak));

static inline uint64_t tsc_begin(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t tsc_end(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtscp\n\tlfence"
			 : "=a"(lo), "=d"(hi)
			 :
			 : "rcx", "memory");
	return (uint64_t)hi << 32 | lo;
}

__attribute__((noipa)) long bench_empty(void)
{
	__asm__ volatile("");
	return 0;
}

static void run_nothing(void)
{
}

static void run_call(void)
{
	for (int i = 0; i < BATCH; i++)
		bench_empty();
}

static void run_cross(void)
{
	for (int i = 0; i < BATCH; i++)
		victim_args0();
}

/* The same crossing with one pointer argument its contract checks
 * (victim_fill: out[2], 8 bytes of shared memory). */
static char *fill_buffer;

static void run_checked(void)
{
	for (int i = 0; i < BATCH; i++)
		victim_fill(fill_buffer, 8);
}

static void run_wrpkru(void)
{
	for (int i = 0; i < BATCH; i++)
		gate_bench_wrpkru();
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median and p99 of SAMPLES timed batches, per call, minus `overhead`. */
static void measure(void (*fn)(void), uint64_t overhead, uint64_t *median,
		    uint64_t *p99)
{
	static uint64_t t[SAMPLES];

	for (int i = 0; i < WARMUP; i++)
		fn();
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t a = tsc_begin();

		fn();
		uint64_t b = tsc_end() - a;

		t[i] = b > overhead ? (b - overhead) / BATCH : 0;
	}
	qsort(t, SAMPLES, sizeof(t[0]), cmp_u64);
	*median = t[SAMPLES / 2];
	*p99 = t[SAMPLES * 99 / 100];
}

static const char *cross_path(void)
{
	if (comp_has(COMP_VMS))
		return "ept";
	if (!comp_has(COMP_KEYS))
		return "fcall";
	return comp_has(COMP_PRIVATE_STACKS) ? "mpk-full" : "mpk-light";
}

static int bench_gates(void)
{
	uint64_t overhead, p99, med;

	measure(run_nothing, 0, &overhead, &p99);
	printf("overhead qemu %lu\n", (unsigned long)(overhead / 1));
	measure(run_call, overhead, &med, &p99);
	printf("row qemu call %lu %lu %d\n", (unsigned long)med,
	       (unsigned long)p99, SAMPLES * BATCH);
	measure(run_cross, overhead, &med, &p99);
	printf("row qemu %s %lu %lu %d\n", cross_path(), (unsigned long)med,
	       (unsigned long)p99, SAMPLES * BATCH);
	fill_buffer = mm_shared_alloc(8);
	if (!fill_buffer)
		return 1;
	measure(run_checked, overhead, &med, &p99);
	printf("row qemu %s+arg %lu %lu %d\n", cross_path(), (unsigned long)med,
	       (unsigned long)p99, SAMPLES * BATCH);
	mm_shared_free(fill_buffer);
	if (comp_has(COMP_KEYS)) {
		measure(run_wrpkru, overhead, &med, &p99);
		printf("row qemu wrpkru %lu %lu %d\n", (unsigned long)med,
		       (unsigned long)p99, SAMPLES * BATCH);
	}
	return 0;
}

/* Every path once more, with answers checked. */
static int bench_check(void)
{
	int bad = 0;

	bad |= bench_empty() != 0;
	bad |= victim_args0() != 42;
	bad |= victim_args6(1, 2, 3, 4, 5, 6) != 654321;
	if (comp_has(COMP_KEYS))
		gate_bench_wrpkru(); /* would stop the machine if wrong */
	printf("check qemu %s %s\n", cross_path(), bad ? "FAIL" : "ok");
	return bad;
}

/* Keep calling the victim for a minute: something to stop from outside. */
static int bench_hold(void)
{
	printf("hold: calling the victim\n");
	fflush(stdout);
	for (int i = 0; i < 6000; i++) {
		victim_args0();
		sched_sleep_ns(10000000);
	}
	return 0;
}

int bench_run(const char *what)
{
	if (strcmp(what, "hold") == 0)
		return bench_hold();
	if (strcmp(what, "gates") == 0)
		return bench_gates();
	if (strcmp(what, "check") == 0)
		return bench_check();
	printf("bench: unknown benchmark \"%s\" (gates, check)\n", what);
	return 2;
}
