/*
 * fd.h - libc's descriptor table, inside libc: one table per libc copy
 * for files, pipes, sockets and the console, lowest free number first.
 *
 * A descriptor points to an open file description (struct ofd), which
 * dup() and dup2() share: the vfs file, lwIP socket or pipe end it
 * stands for. The description is closed when its last descriptor is.
 */
#ifndef LIBC_FD_H
#define LIBC_FD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/select.h>

enum fd_kind {
	FD_CONSOLE = 1, /* the serial console: 0, 1 and 2 at start */
	FD_FILE,	/* a vfs file, directory or device */
	FD_SOCKET,	/* an lwIP socket */
	FD_PIPE,	/* one end of a pipe (libc/pipe.c) */
};

struct pipe;

struct ofd {
	int refs;	   /* descriptors sharing it */
	enum fd_kind kind; /* what it is */
	uint64_t h;	   /* FD_FILE: the vfs handle; FD_SOCKET: lwIP's;
			    * FD_PIPE: 1 for a socketpair's end */
	struct pipe *pipe; /* FD_PIPE: the pipe it reads, or NULL */
	struct pipe *out;  /* FD_PIPE: the pipe it writes, or NULL */
	int flags;	   /* FD_PIPE, FD_CONSOLE: O_NONBLOCK etc. */
};

/* The description of fd, or NULL with errno EBADF. */
struct ofd *fd_get(int fd);
/* fd's description if it is a socket: lwIP's number in *s, or -1 with
 * errno EBADF or ENOTSOCK. */
int fd_socket(int fd, int *s);
/* A new description of kind with handle h, held once (by the caller). */
struct ofd *ofd_new(enum fd_kind kind, uint64_t h);
/* Drop one hold; the last closes what it stands for. 0 or -1 with errno. */
int ofd_put(struct ofd *o);
/* The lowest free descriptor >= min for o (taking a hold), or -1 with
 * errno EMFILE (or EINVAL for a min past the limit). */
int fd_install(struct ofd *o, int min, int cloexec);
/* As fd_install into a new description: on failure, o is closed. */
int fd_new(enum fd_kind kind, uint64_t h, int cloexec);
int fd_cloexec(int fd);
int fd_set_cloexec(int fd, int on);
/* How many descriptors may be open (RLIMIT_NOFILE), and changing it: 0
 * to FD_HARD_LIMIT (EINVAL below, EPERM above). The most is select's
 * reach: a descriptor past FD_SETSIZE would make FD_SET write past its
 * fd_set in any program that waits with select (Redis's event loop does),
 * so a program raising its limit learns the real one instead. */
#define FD_HARD_LIMIT FD_SETSIZE
int fd_limit(void);
int fd_set_limit(int n);
int fd_highest(void); /* the highest open descriptor, or -1 */

/* Bounce buffers in shared memory, for handing data to the vfs or lwIP
 * in another compartment (libc/socket.c): BOUNCE_SIZE bytes each. */
#define BOUNCE_SIZE 16384
char *bounce_take(void);
void bounce_give(char *b);
int libc_isolated(void);

/* libc/file.c: len bytes of a file description's file at off, into buf
 * (the vfs's result: a count, or -errno). */
long file_pread_ofd(struct ofd *o, void *buf, size_t len, uint64_t off);
/* len bytes of buf into the file at off (a count, or -errno), and the
 * file's attributes (0 or -errno). */
long file_pwrite_ofd(struct ofd *o, const void *buf, size_t len, uint64_t off);
struct stat;
long file_stat_ofd(struct ofd *o, struct stat *st);

/* The -errno results of the vfs and lwIP: errno, and -1. */
long libc_sys(long r);

/* libc/pipe.c: wait for a change of any pipe (or time out: deadline_ns
 * on the monotonic clock, 0 for none; the alarm's deadline counts too, and
 * its SIGALRM is sent when due), and tell waiters of one. */
int libc_wait(uint64_t deadline_ns);
void libc_wake(void);

#endif
