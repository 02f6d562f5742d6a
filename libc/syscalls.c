/*
 * syscalls.c - the system calls newlib expects, mapped onto Bulkhead:
 * ioctl, _exit, sbrk, the clocks, sleeping and getentropy.
 *
 * Descriptors and files are libc/fd.c's and libc/file.c's; the process,
 * its limits and other processes libc/system.c's; signals libc/signal.c's.
 */
#include <errno.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include <string.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>
#include "fd.h"
#include "sig.h"

/* lwIP's ioctl of a socket (libc/socket.c). */
int socket_ioctl(int s, unsigned long req, int *arg);
extern long vfs_random(void *buf, size_t len) __attribute__((weak));

/* Sockets take FIONBIO and FIONREAD (an int argument); the others take
 * nothing. */
int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	struct ofd *o = fd_get(fd);

	va_start(ap, req);
	int *arg = va_arg(ap, int *);

	va_end(ap);
	if (!o)
		return -1;
	if (o->kind == FD_SOCKET)
		return socket_ioctl((int)o->h, req, arg);
	errno = ENOTTY;
	return -1;
}

void _exit(int status)
{
	kernel_exit(status);
}

/* No program break: malloc comes from the heap (libc/malloc.c). */
void *sbrk(ptrdiff_t incr)
{
	(void)incr;
	errno = ENOMEM;
	return (void *)-1;
}

/* The time zone, when asked for, is UTC: the wall clock is the RTC's,
 * which QEMU and servers keep in UTC (Redis's log takes its offset from
 * here). */
int gettimeofday(struct timeval *tv, void *tz)
{
	uint64_t ns = time_wall_ns();

	if (tz)
		*(struct timezone *)tz = (struct timezone){0, 0};

	tv->tv_sec = (time_t)(ns / NSEC_PER_SEC);
	tv->tv_usec = (suseconds_t)(ns % NSEC_PER_SEC / 1000);
	return 0;
}

int clock_gettime(clockid_t clk, struct timespec *ts)
{
	uint64_t ns;

	if (clk == CLOCK_MONOTONIC)
		ns = time_now_ns();
	else if (clk == CLOCK_REALTIME)
		ns = time_wall_ns();
	else {
		errno = EINVAL;
		return -1;
	}
	ts->tv_sec = (time_t)(ns / NSEC_PER_SEC);
	ts->tv_nsec = (long)(ns % NSEC_PER_SEC);
	return 0;
}

/* The longest single sleep asked of the scheduler, whose deadline (now
 * plus the sleep) must not wrap. */
#define SLEEP_SLICE_NS (3600 * NSEC_PER_SEC)

/*
 * Sleeps end early, with EINTR, when the alarm's SIGALRM runs a handler
 * in this thread (the alarm is due when nothing else wakes it).
 */
int nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= 1000000000) {
		errno = EINVAL;
		return -1;
	}
	uint64_t end, ns;

	/* a time past the clock's range is forever */
	if (__builtin_mul_overflow((uint64_t)req->tv_sec, NSEC_PER_SEC, &ns) ||
	    __builtin_add_overflow(ns, (uint64_t)req->tv_nsec + time_now_ns(),
				   &end))
		end = UINT64_MAX;

	for (;;) {
		uint64_t now = time_now_ns(), until = end;
		uint64_t alarm = sig_alarm_deadline();

		if (now >= end)
			return 0;
		if (alarm && alarm < until)
			until = alarm > now ? alarm : now;
		if (until - now > SLEEP_SLICE_NS)
			until = now + SLEEP_SLICE_NS;
		if (until > now)
			sched_sleep_ns(until - now);
		if (sig_alarm_check()) {
			now = time_now_ns();
			if (rem) {
				uint64_t left = end > now ? end - now : 0;

				rem->tv_sec = (time_t)(left / NSEC_PER_SEC);
				rem->tv_nsec = (long)(left % NSEC_PER_SEC);
			}
			errno = EINTR;
			return -1;
		}
	}
}

/* The seconds left when cut short, rounded as glibc rounds them. */
unsigned sleep(unsigned seconds)
{
	struct timespec ts = {(time_t)seconds, 0};

	if (nanosleep(&ts, &ts) == 0)
		return 0;
	return (unsigned)ts.tv_sec + (ts.tv_nsec >= 500000000L);
}

int usleep(useconds_t us)
{
	struct timespec ts = {(time_t)(us / 1000000),
			      (long)(us % 1000000) * 1000};

	return nanosleep(&ts, NULL);
}

/* From the vfs's generator (/dev/urandom's): at most 256 bytes, as
 * the standard says. */
int getentropy(void *buf, size_t len)
{
	if (len > 256) {
		errno = EIO;
		return -1;
	}
	if (!vfs_random) {
		errno = ENOSYS;
		return -1;
	}
	char *b = libc_isolated() ? bounce_take() : buf;

	if (!b)
		return -1;
	vfs_random(b, len);
	if (b != buf) {
		memcpy(buf, b, len);
		bounce_give(b);
	}
	return 0;
}
