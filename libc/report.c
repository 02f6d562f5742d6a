/*
 * report.c - printk() and panic() in every compartment but the kernel
 * core's.
 *
 * The kernel's printk and panic format their message in the core's
 * domain, which may read every compartment's memory: handed another
 * compartment's format arguments they would print whatever those point
 * to. So these weak versions, which the kernel's own override in the
 * core's compartment, format in the caller's domain and hand the kernel
 * the finished text, in shared memory, through printk_text and panic_text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/sched.h>

/* The compartment's message buffer, one thread at a time. */
static char message[512] __shared;
static char busy;

static void take(void)
{
	while (__atomic_test_and_set(&busy, __ATOMIC_ACQUIRE))
		sched_yield();
}

static void give(void)
{
	__atomic_clear(&busy, __ATOMIC_RELEASE);
}

__attribute__((weak)) void printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	take();
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	printk_text(level, message);
	give();
}

__attribute__((weak)) void panic(const char *fmt, ...)
{
	va_list ap;

	/* Not given back: the machine stops. */
	take();
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	panic_text(message);
}
