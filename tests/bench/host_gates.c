/*
 * host-gates - gate costs on the host CPU (make test-gates, host side).
 *
 * Times, in TSC cycles, an empty call, the fcall gate (a direct call to
 * the callee), a lone WRPKRU, the MPK light and full gates of
 * tests/bench/host_gates.asm (the kernel's own templates), and a getpid
 * system call. Each row: median and p99 per call over many timed batches
 * after a warm-up, with the cost of the timing itself subtracted.
 *
 * The ept row is the EPT backend's mailbox code (gates/ept/rpc.c) between
 * two processes sharing memory, each pinned to its own core: the parent
 * calls, the child serves.
 *
 *   host-gates          print "row host <path> <median> <p99> <runs>" lines
 *   host-gates --check  call through every gate and check the answers
 *
 * Without PKU (pkey_alloc fails) the WRPKRU and MPK rows are skipped and
 * a "note" line says why.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include "../../gates/ept/ept.h"

#define BATCH	  16	 /* calls per timed sample */
#define SAMPLES	  100000 /* timed samples per path */
#define WARMUP	  10000	 /* untimed samples first */
/* The kernel's slot layout (include/bulkhead/x86.h). */
#define SLOT_SIZE 0x1000000UL
#define SLOT_SPAN 0x100000UL

long host_light0(void);
long host_light6(long, long, long, long, long, long);
long host_full0(void);
long host_full6(long, long, long, long, long, long);
void host_wrpkru(void);
uint32_t host_pkru_a(void);
extern uintptr_t gate_slot;

/* The callee's functions (run in domain B); never inlined, or the "fcall"
 * row would time nothing. */
__attribute__((noipa)) long bench_target0(void)
{
	return 42;
}

__attribute__((noipa)) long bench_target6(long a, long b, long c, long d,
					  long e, long f)
{
	return a + 10 * b + 100 * c + 1000 * d + 10000 * e + 100000 * f;
}

__attribute__((noipa)) long bench_empty(void)
{
	__asm__ volatile("");
	return 0;
}

/* A check in a gate failed: the gate called this instead of returning. */
void gate_mpk_violation(void)
{
	static const char msg[] = "host-gates: gate violation\n";

	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

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

static void run_nothing(void)
{
}

static void run_call(void)
{
	for (int i = 0; i < BATCH; i++)
		bench_empty();
}

static void run_fcall(void)
{
	for (int i = 0; i < BATCH; i++)
		bench_target0();
}

static void run_wrpkru(void)
{
	for (int i = 0; i < BATCH; i++)
		host_wrpkru();
}

static void run_light(void)
{
	for (int i = 0; i < BATCH; i++)
		host_light0();
}

static void run_full(void)
{
	for (int i = 0; i < BATCH; i++)
		host_full0();
}

static void run_syscall(void)
{
	for (int i = 0; i < BATCH; i++)
		syscall(SYS_getpid);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t samples[SAMPLES];

/* Median and p99 per call, minus `overhead` per sample. */
static void measure(void (*fn)(void), uint64_t overhead, uint64_t *median,
		    uint64_t *p99)
{
	for (int i = 0; i < WARMUP; i++)
		fn();
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t a = tsc_begin();

		fn();
		uint64_t b = tsc_end() - a;

		samples[i] = b > overhead ? (b - overhead) / BATCH : 0;
	}
	qsort(samples, SAMPLES, sizeof(samples[0]), cmp_u64);
	*median = samples[SAMPLES / 2];
	*p99 = samples[SAMPLES * 99 / 100];
}

static void row(const char *path, void (*fn)(void), uint64_t overhead)
{
	uint64_t med, p99;

	measure(fn, overhead, &med, &p99);
	printf("row host %s %lu %lu %d\n", path, (unsigned long)med,
	       (unsigned long)p99, SAMPLES * BATCH);
	fflush(stdout);
}

/*
 * Keys 1 and 2 for domains A and B, and a stack slot whose region 0 (A)
 * and region 1 (B) carry them. Returns 0, or -1 with a note printed.
 */
static int set_up_pku(void)
{
	int a = pkey_alloc(0, 0);

	if (a < 0) {
		printf("note host no PKU on this CPU or kernel (pkey_alloc: "
		       "%s): "
		       "wrpkru, mpk-light and mpk-full rows skipped\n",
		       strerror(errno));
		return -1;
	}
	int b = pkey_alloc(0, 0);

	if (a != 1 || b != 2) {
		printf("note host pkey_alloc gave keys %d and %d, the gates "
		       "were built for 1 and 2: MPK rows skipped\n",
		       a, b);
		return -1;
	}
	/* A slot: SLOT_SIZE bytes aligned to their size, regions 0 and 1. */
	uint8_t *raw = mmap(NULL, 2 * SLOT_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (raw == MAP_FAILED) {
		printf("note host mmap of a stack slot failed: MPK rows "
		       "skipped\n");
		return -1;
	}
	uintptr_t slot = ((uintptr_t)raw + SLOT_SIZE - 1) & ~(SLOT_SIZE - 1);

	if (pkey_mprotect((void *)slot, SLOT_SPAN, PROT_READ | PROT_WRITE, a) ||
	    pkey_mprotect((void *)(slot + SLOT_SPAN), SLOT_SPAN,
			  PROT_READ | PROT_WRITE, b)) {
		printf("note host pkey_mprotect failed (%s): MPK rows "
		       "skipped\n",
		       strerror(errno));
		return -1;
	}
	gate_slot = slot;
	/* From here on the harness runs in domain A, the gates' caller: a
	 * gate refuses any other caller (CHECK_CALLER). */
	host_wrpkru();
	return 0;
}

/* --- ept: the mailbox code between two processes ---------------------- */

static struct ept_msg *my_box;

static void lx_pause(void)
{
	__builtin_ia32_pause();
}

static uint64_t lx_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void lx_block(uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000ULL),
			      (long)(ns % 1000000000ULL)};

	nanosleep(&ts, NULL);
}

static struct ept_msg *lx_my_box(void)
{
	return my_box;
}

static void lx_set_my_box(struct ept_msg *m)
{
	my_box = m;
}

static const char *lx_name(unsigned comp)
{
	return comp == 0 ? "parent" : "child";
}

static void lx_report(const char *msg)
{
	fprintf(stderr, "host-gates: %s\n", msg);
}

__attribute__((noreturn)) static void lx_fail(const char *msg)
{
	fprintf(stderr, "host-gates: %s\n", msg);
	_exit(3);
}

static const struct ept_platform linux_platform = {
	.pause = lx_pause,
	.yield = lx_pause,
	.now_ns = lx_now,
	.block = lx_block,
	.my_box = lx_my_box,
	.set_my_box = lx_set_my_box,
	.name = lx_name,
	.report = lx_report,
	.fail = lx_fail,
};

/* Compartment 0 (the parent) exports nothing; 1 (the child) one function. */
static const struct ept_export child_exports[] = {
	{(void *)bench_target0, 0, "bench_target0", 0, NULL, 0, 0},
};
static const struct ept_table ept_tables[] = {
	{NULL, 0},
	{child_exports, 1},
};

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* As in the VMs, each side may write only its own part of the shared
 * region: the other's is read-only in its mapping. */
static void own_part_only(char *sh, unsigned me)
{
	if (mprotect(sh + (1 - me) * EPT_PART_SIZE, EPT_PART_SIZE, PROT_READ) !=
	    0) {
		perror("host-gates: mprotect");
		_exit(3);
	}
}

/* Fork the serving child; returns its pid, or -1 with a note. */
static pid_t start_ept(void)
{
	size_t size = 2 * EPT_PART_SIZE;
	char *sh = mmap(NULL, size, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (sh == MAP_FAILED) {
		printf("note host ept: no shared memory (%s): ept row "
		       "skipped\n",
		       strerror(errno));
		return -1;
	}
	fflush(stdout);
	pid_t pid = fork();

	if (pid == 0) {
		pin(1);
		own_part_only(sh, 1);
		ept_init(sh, 1, ept_tables, 2, &linux_platform, 1000000000ULL);
		for (;;) {
			struct ept_msg *m = ept_new_call();

			if (m)
				ept_serve(m);
			else
				__builtin_ia32_pause();
		}
	}
	pin(0);
	own_part_only(sh, 0);
	ept_init(sh, 0, ept_tables, 2, &linux_platform, 1000000000ULL);
	return pid;
}

static void run_ept(void)
{
	for (int i = 0; i < BATCH; i++)
		ept_call(1, 0, 0, 0, 0, 0, 0, 0, 0);
}

static int check(int pku)
{
	int bad = 0;

	bad |= bench_empty() != 0;
	bad |= bench_target0() != 42;
	bad |= bench_target6(1, 2, 3, 4, 5, 6) != 654321;
	if (pku) {
		bad |= host_light0() != 42;
		bad |= host_light6(1, 2, 3, 4, 5, 6) != 654321;
		bad |= host_full0() != 42;
		bad |= host_full6(-1, -2, -3, -4, -5, -6) != -654321;
		host_wrpkru();
		bad |= pkey_get(1) != 0; /* domain A: key 1 usable */
		bad |= pkey_get(2) == 0; /* key 2 closed again */
	}
	pid_t child = start_ept();

	if (child > 0) {
		bad |= ept_call(1, 0, 0, 0, 0, 0, 0, 0, 0) != 42;
		kill(child, SIGKILL);
	}
	printf("check host %s%s\n", bad ? "FAIL" : "ok",
	       pku ? "" : " (no PKU: call, fcall and ept only)");
	return bad;
}

int main(int argc, char **argv)
{
	int pku = set_up_pku() == 0;

	if (argc > 1 && strcmp(argv[1], "--check") == 0)
		return check(pku);

	uint64_t overhead, p99;

	measure(run_nothing, 0, &overhead, &p99);
	printf("overhead host %lu\n", (unsigned long)overhead);
	row("call", run_call, overhead);
	row("fcall", run_fcall, overhead);
	if (pku) {
		row("wrpkru", run_wrpkru, overhead);
		row("mpk-light", run_light, overhead);
		row("mpk-full", run_full, overhead);
	}
	row("syscall", run_syscall, overhead);
	pid_t child = start_ept();

	if (child > 0) {
		uint64_t med, p99;
		int saved = 0;

		/* Fewer samples: a round trip takes microseconds. */
		for (int i = 0; i < 2000; i++)
			run_ept();
		for (int i = 0; i < 20000; i++) {
			uint64_t a = tsc_begin();

			run_ept();
			uint64_t b = tsc_end() - a;

			samples[saved++] =
				b > overhead ? (b - overhead) / BATCH : 0;
		}
		qsort(samples, saved, sizeof(samples[0]), cmp_u64);
		med = samples[saved / 2];
		p99 = samples[saved * 99 / 100];
		printf("row host ept %lu %lu %d\n", (unsigned long)med,
		       (unsigned long)p99, saved * BATCH);
		kill(child, SIGKILL);
	}
	return 0;
}
