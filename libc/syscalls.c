/*
 * syscalls.c - the system calls newlib expects, mapped onto Bulkhead.
 *
 * Descriptors 0, 1 and 2 are the console. Files come with the fs library;
 * until then open() fails with ENOENT. There is one process: getpid() is
 * 1, kill() of it exits, fork() and friends fail with ENOSYS.
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

static int is_console(int fd)
{
	return fd >= 0 && fd <= 2;
}

/* Descriptors from 3 up are lwIP's sockets, in images that hold lwIP
 * (libc/socket.c); elsewhere such a descriptor is bad. */
int socket_fd(int fd);
int socket_close(int s);
int socket_fcntl(int s, int cmd, int val);
int socket_ioctl(int s, unsigned long req, int *arg);
ssize_t send(int s, const void *buf, size_t len, int flags);
ssize_t recv(int s, void *buf, size_t len, int flags);

#define BOUNCE_SIZE 256

/*
 * The console belongs to the kernel core, which may not read this
 * compartment's memory: the bytes go through a buffer in shared memory.
 * Threads do not switch inside console_write, so one buffer per
 * compartment is enough.
 */
int write(int fd, const void *buf, size_t len)
{
	static char *bounce;

	if (socket_fd(fd))
		return (int)send(fd, buf, len, 0); /* libc/socket.c */
	if (fd != 1 && fd != 2) {
		errno = EBADF;
		return -1;
	}
	if (!bounce && !(bounce = mm_shared_alloc(BOUNCE_SIZE))) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t done = 0; done < len;) {
		size_t n = len - done < BOUNCE_SIZE ? len - done : BOUNCE_SIZE;

		memcpy(bounce, (const char *)buf + done, n);
		console_write(bounce, n);
		done += n;
	}
	return (int)len;
}

#define CTRL_D 0x04
#define DEL    0x7f

/*
 * Console input (the serial port: what is typed into `make run`), a line
 * at a time as a terminal gives it. QEMU puts the host's terminal in raw
 * mode, so this is the line discipline: each byte is echoed, backspace
 * and DEL erase the last byte not yet returned, CR becomes LF, and ^D
 * ends the read (at its start: the end of input, 0). A read returns at a
 * newline or with buf full, sleeping while no byte waits.
 */
int read(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t n = 0;

	if (socket_fd(fd))
		return (int)recv(fd, buf, len, 0); /* libc/socket.c */
	if (fd != 0) {
		errno = EBADF;
		return -1;
	}
	while (n < len) {
		int c = console_read_char();

		if (c < 0) {
			sched_sleep_ns(1000000);
			continue;
		}
		if (c == CTRL_D)
			break;
		if (c == '\b' || c == DEL) {
			if (n) {
				n--;
				write(1, "\b \b", 3);
			}
			continue;
		}
		p[n++] = (char)(c == '\r' ? '\n' : c);
		write(1, &p[n - 1], 1);
		if (p[n - 1] == '\n')
			break;
	}
	return (int)n;
}

int open(const char *path, int flags, ...)
{
	(void)path;
	(void)flags;
	errno = ENOENT;
	return -1;
}

int close(int fd)
{
	if (socket_fd(fd))
		return socket_close(fd);
	if (is_console(fd))
		return 0;
	errno = EBADF;
	return -1;
}

int fstat(int fd, struct stat *st)
{
	if (!is_console(fd)) {
		errno = EBADF;
		return -1;
	}
	*st = (struct stat){.st_mode = S_IFCHR, .st_blksize = 0};
	return 0;
}

int stat(const char *path, struct stat *st)
{
	(void)path;
	(void)st;
	errno = ENOENT;
	return -1;
}

int isatty(int fd)
{
	if (is_console(fd))
		return 1;
	errno = EBADF;
	return 0;
}

off_t lseek(int fd, off_t off, int whence)
{
	(void)off;
	(void)whence;
	errno = is_console(fd) ? ESPIPE : EBADF;
	return -1;
}

int link(const char *old, const char *new)
{
	(void)old;
	(void)new;
	errno = ENOSYS;
	return -1;
}

int unlink(const char *path)
{
	(void)path;
	errno = ENOENT;
	return -1;
}

int mkdir(const char *path, mode_t mode)
{
	(void)path;
	(void)mode;
	errno = ENOSYS;
	return -1;
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;

	va_start(ap, cmd);
	int val = va_arg(ap, int);

	va_end(ap);
	if (socket_fd(fd))
		return socket_fcntl(fd, cmd, val);
	errno = is_console(fd) ? ENOSYS : EBADF;
	return -1;
}

/* Sockets take FIONBIO and FIONREAD (an int argument); the console
 * takes nothing. */
int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;

	va_start(ap, req);
	int *arg = va_arg(ap, int *);

	va_end(ap);
	if (socket_fd(fd))
		return socket_ioctl(fd, req, arg);
	errno = is_console(fd) ? ENOTTY : EBADF;
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

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	(void)how;
	(void)set;
	if (old)
		*old = 0;
	return 0;
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

/* No entropy source yet: say so rather than return predictable bytes. */
int getentropy(void *buf, size_t len)
{
	(void)buf;
	(void)len;
	errno = ENOSYS;
	return -1;
}
