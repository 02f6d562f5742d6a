/*
 * posix.h - what the programs of the POSIX harness share (tests/posix/).
 *
 * Each program is ordinary C with a main(), built twice: against glibc
 * for the host and into a Bulkhead image, and both runs must print the
 * same text. So programs print errno values by name (errno_name), never
 * strerror's words, addresses or timings; this header is all they share
 * besides the C library.
 */
#ifndef TESTS_POSIX_H
#define TESTS_POSIX_H

#include <errno.h>
#include <stdio.h>

/* Error numbers by name, as both C libraries define them. Where two
 * names share a number in one library (EAGAIN and EWOULDBLOCK, ENOTSUP
 * and EOPNOTSUPP in glibc), the first listed is printed. */
#define POSIX_ERRNO(e)                                                         \
	{                                                                      \
		e, #e                                                          \
	}
static const struct {
	int value;
	const char *name;
} posix_errnos[] = {
	{0, "0"},
	POSIX_ERRNO(EPERM),
	POSIX_ERRNO(ENOENT),
	POSIX_ERRNO(ESRCH),
	POSIX_ERRNO(EINTR),
	POSIX_ERRNO(EIO),
	POSIX_ERRNO(ENXIO),
	POSIX_ERRNO(E2BIG),
	POSIX_ERRNO(ENOEXEC),
	POSIX_ERRNO(EBADF),
	POSIX_ERRNO(ECHILD),
	POSIX_ERRNO(EAGAIN),
	POSIX_ERRNO(ENOMEM),
	POSIX_ERRNO(EACCES),
	POSIX_ERRNO(EFAULT),
	POSIX_ERRNO(EBUSY),
	POSIX_ERRNO(EEXIST),
	POSIX_ERRNO(EXDEV),
	POSIX_ERRNO(ENODEV),
	POSIX_ERRNO(ENOTDIR),
	POSIX_ERRNO(EISDIR),
	POSIX_ERRNO(EINVAL),
	POSIX_ERRNO(ENFILE),
	POSIX_ERRNO(EMFILE),
	POSIX_ERRNO(ENOTTY),
	POSIX_ERRNO(EFBIG),
	POSIX_ERRNO(ENOSPC),
	POSIX_ERRNO(ESPIPE),
	POSIX_ERRNO(EROFS),
	POSIX_ERRNO(EMLINK),
	POSIX_ERRNO(EPIPE),
	POSIX_ERRNO(EDOM),
	POSIX_ERRNO(ERANGE),
	POSIX_ERRNO(EDEADLK),
	POSIX_ERRNO(ENAMETOOLONG),
	POSIX_ERRNO(ENOLCK),
	POSIX_ERRNO(ENOSYS),
	POSIX_ERRNO(ENOTEMPTY),
	POSIX_ERRNO(ELOOP),
	POSIX_ERRNO(EOVERFLOW),
	POSIX_ERRNO(ETIMEDOUT),
	POSIX_ERRNO(EOPNOTSUPP),
	POSIX_ERRNO(ENOTSUP),
	POSIX_ERRNO(EWOULDBLOCK),
	POSIX_ERRNO(EINPROGRESS),
	POSIX_ERRNO(EALREADY),
	POSIX_ERRNO(ENOTSOCK),
	POSIX_ERRNO(EISCONN),
	POSIX_ERRNO(ENOTCONN),
	POSIX_ERRNO(ECONNREFUSED),
	POSIX_ERRNO(ECONNRESET),
	POSIX_ERRNO(EADDRINUSE),
	POSIX_ERRNO(EAFNOSUPPORT),
	POSIX_ERRNO(EPROTONOSUPPORT),
	POSIX_ERRNO(EADDRNOTAVAIL),
};
#undef POSIX_ERRNO

/* The name of error number e ("ENOENT"), or "errno N" for one the table
 * lacks (which then shows as a difference between the two runs). */
static inline const char *errno_name(int e)
{
	static char other[32];

	for (unsigned i = 0; i < sizeof(posix_errnos) / sizeof(posix_errnos[0]);
	     i++)
		if (posix_errnos[i].value == e)
			return posix_errnos[i].name;
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

/* The same, by the shorter name the programs of mmap, signals, process
 * and netdb use. */
static inline const char *errname(int e)
{
	return errno_name(e);
}

/* Print an expression that yields an error number (the pthread calls)
 * and the name of what it yielded. */
#define SHOW(expr) printf("%s: %s\n", #expr, errno_name(expr))

/* Print a call that sets errno: its result, and errno's name if it
 * failed (errno cleared first). */
#define SHOW_ERRNO(expr)                                                       \
	do {                                                                   \
		long posix_r_;                                                 \
		errno = 0;                                                     \
		posix_r_ = (long)(expr);                                       \
		printf("%s = %ld%s%s\n", #expr, posix_r_,                      \
		       posix_r_ < 0 ? ", errno " : "",                         \
		       posix_r_ < 0 ? errno_name(errno) : "");                 \
	} while (0)

/* Print what a call gave under a short description: its result, or -1
 * and errno's name (errno cleared first). */
#define CALL(what, call)                                                       \
	do {                                                                   \
		errno = 0;                                                     \
		long posix_r_ = (long)(call);                                  \
		if (posix_r_ < 0)                                              \
			printf("%s = -1 %s\n", what, errno_name(errno));       \
		else                                                           \
			printf("%s = %ld\n", what, posix_r_);                  \
	} while (0)

#endif
