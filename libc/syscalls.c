/*
 * syscalls.c - the system calls newlib expects, mapped onto Bulkhead.
 *
 * Descriptors and files are libc/fd.c's and libc/file.c's. There is one
 * process: getpid() is 1, kill() of it exits, fork() and friends fail
 * with ENOSYS.
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

int getpid(void)
{
	return 1;
}

int kill(int pid, int sig)
{
	if (pid == 1)
		kernel_exit(128 + sig);
	errno = ESRCH;
	return -1;
}

int fork(void)
{
	errno = ENOSYS;
	return -1;
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	(void)path;
	(void)argv;
	(void)envp;
	errno = ENOSYS;
	return -1;
}

int wait(int *status)
{
	(void)status;
	errno = ECHILD;
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

int gettimeofday(struct timeval *tv, void *tz)
{
	(void)tz;
	uint64_t ns = time_wall_ns();

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

/* All time is "user" time: there is no kernel/user split to report. */
clock_t times(struct tms *t)
{
	clock_t now =
		(clock_t)(time_now_ns() / (NSEC_PER_SEC / CLOCKS_PER_SEC));

	t->tms_utime = now;
	t->tms_stime = 0;
	t->tms_cutime = t->tms_cstime = 0;
	return now;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= 1000000000) {
		errno = EINVAL;
		return -1;
	}
	sched_sleep_ns((uint64_t)req->tv_sec * NSEC_PER_SEC +
		       (uint64_t)req->tv_nsec);
	if (rem)
		rem->tv_sec = rem->tv_nsec = 0;
	return 0;
}

unsigned sleep(unsigned seconds)
{
	sched_sleep_ns((uint64_t)seconds * NSEC_PER_SEC);
	return 0;
}

int usleep(useconds_t us)
{
	sched_sleep_ns((uint64_t)us * 1000);
	return 0;
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
