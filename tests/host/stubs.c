/*
 * stubs.c - host stand-ins for the kernel symbols that the pure sources
 * under test reference but that only exist in the kernel image: the
 * console side of printk, panic, the generated symbol table, a
 * linker-script symbol, the wall clock and the scheduler's mutexes. The
 * formatter (kernel/format.c) is the real one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <bulkhead/kernel.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>
#include "../../kernel/ksyms.h"
#include "stubs.h"

int stub_printk_calls;
char stub_printk_last[256];

/*
 * printk: format with the kernel's own formatter (so the text is what the
 * console would show), remember it for the cases, and print it as a KTAP
 * diagnostic line so the runner's output stays valid KTAP.
 */
void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kfmt_vsnprintf(stub_printk_last, sizeof(stub_printk_last), fmt, ap);
	va_end(ap);
	stub_printk_calls++;
	printf("# printk(%d): %s", (int)level, stub_printk_last);
}

/* panic: nothing can continue after one, on the host either. */
void panic(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "panic: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

/*
 * The symbol table that scripts/gen-ksyms.py generates for a kernel image.
 * This one describes a pretend image at 1 MiB, the kernel's load address;
 * test_ksyms.c checks ksyms_format() against it. Sorted by address.
 */
const struct ksym ksyms_table[] = {
	{0x100000, "_start"},
	{0x100040, "kmain"},
	{0x100200, "panic"},
	{0x100380, "kernel_exit"},
};
const unsigned long ksyms_count = ARRAY_SIZE(ksyms_table);

/*
 * The end of the image (a linker-script symbol in the kernel). Any host
 * data address lies far above the pretend image, so every address from
 * the last symbol up to here resolves to it, as in the kernel.
 */
char __kernel_end[1];

/* The wall clock: what a case set last. */
uint64_t stub_wall_ns;

uint64_t time_wall_ns(void)
{
	return stub_wall_ns;
}

/*
 * Mutexes: one thread, so a lock never waits. A mutex taken twice (a
 * deadlock on the real scheduler), freed while held, or released when
 * free is a bug in the code under test: it panics. stub_mutex_held counts
 * the mutexes held now, so a case can check every call let go of its lock.
 */
#define STUB_MUTEXES 8
static int mutex_state[STUB_MUTEXES + 1]; /* 0 free, 1 exists, 2 held */
int stub_mutex_held;

sched_mutex_t sched_mutex_new(int recursive)
{
	(void)recursive;
	for (int i = 1; i <= STUB_MUTEXES; i++) {
		if (mutex_state[i] == 0) {
			mutex_state[i] = 1;
			return (sched_mutex_t)i;
		}
	}
	return 0;
}

/* The mutex m names, or a panic naming the function. */
static int *mutex_get(sched_mutex_t m, const char *fn)
{
	if (m == 0 || m > STUB_MUTEXES || mutex_state[m] == 0)
		panic("%s: bad mutex %llu", fn, (unsigned long long)m);
	return &mutex_state[m];
}

void sched_mutex_free(sched_mutex_t m)
{
	int *s = mutex_get(m, "sched_mutex_free");

	if (*s == 2)
		panic("sched_mutex_free: mutex %llu is held",
		      (unsigned long long)m);
	*s = 0;
}

void sched_mutex_lock(sched_mutex_t m)
{
	int *s = mutex_get(m, "sched_mutex_lock");

	if (*s == 2)
		panic("sched_mutex_lock: mutex %llu already held",
		      (unsigned long long)m);
	*s = 2;
	stub_mutex_held++;
}

void sched_mutex_unlock(sched_mutex_t m)
{
	int *s = mutex_get(m, "sched_mutex_unlock");

	if (*s != 2)
		panic("sched_mutex_unlock: mutex %llu is not held",
		      (unsigned long long)m);
	*s = 1;
	stub_mutex_held--;
}
