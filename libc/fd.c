/*
 * fd.c - the descriptor table (libc/fd.h) and the calls that work on
 * descriptors whatever they stand for: close, dup, dup2, dup3 and fcntl's
 * descriptor commands.
 *
 * The table lives in this copy of libc's own memory and grows as needed,
 * up to the limit setrlimit(RLIMIT_NOFILE) sets. The scheduler switches
 * threads only when one blocks, and nothing here blocks between finding
 * a free slot and filling it, so no lock is needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bulkhead/comp.h>
#include <bulkhead/fs.h>
#include <bulkhead/mm.h>
#include "fd.h"

#define FD_DEFAULT_LIMIT 1024
#define BOUNCE_POOL	 64

extern long vfs_close(fs_file_t f, int caller) __attribute__((weak));
extern long netsock_close(int s) __attribute__((weak));
int pipe_close_end(struct ofd *o); /* libc/pipe.c */

struct slot {
	struct ofd *o; /* NULL: free */
	int cloexec;   /* FD_CLOEXEC */
};

static struct slot *table;
static int nslots;
static int limit = FD_DEFAULT_LIMIT;
static struct ofd console = {.refs = 3, .kind = FD_CONSOLE};

long libc_sys(long r)
{
	if (r >= 0)
		return r;
	errno = (int)-r;
	return -1;
}

int libc_isolated(void)
{
	return comp_has(COMP_KEYS | COMP_VMS);
}

/* Free bounce buffers. The list is in this compartment's own memory:
 * links kept inside shared buffers could be rewritten by others. */
static char *pool[BOUNCE_POOL];
static int pooled;

char *bounce_take(void)
{
	char *b = pooled ? pool[--pooled] : mm_shared_alloc(BOUNCE_SIZE);

	if (!b)
		errno = ENOMEM;
	return b;
}

void bounce_give(char *b)
{
	if (pooled < BOUNCE_POOL)
		pool[pooled++] = b;
	else
		mm_shared_free(b);
}

/* The table, made with the console on 0, 1 and 2 on first use. */
static int grow(int want)
{
	if (want <= nslots)
		return 0;
	int n = nslots ? nslots : 64;

	while (n < want)
		n *= 2;
	struct slot *t = realloc(table, (size_t)n * sizeof(*t));

	if (!t) {
		errno = ENOMEM;
		return -1;
	}
	memset(t + nslots, 0, (size_t)(n - nslots) * sizeof(*t));
	if (!nslots)
		for (int i = 0; i < 3; i++)
			t[i].o = &console;
	table = t;
	nslots = n;
	return 0;
}

struct ofd *fd_get(int fd)
{
	if (!nslots)
		grow(64);
	if (fd < 0 || fd >= nslots || !table[fd].o) {
		errno = EBADF;
		return NULL;
	}
	return table[fd].o;
}

int fd_socket(int fd, int *s)
{
	struct ofd *o = fd_get(fd);

	if (!o)
		return -1;
	if (o->kind != FD_SOCKET) {
		errno = ENOTSOCK;
		return -1;
	}
	*s = (int)o->h;
	return 0;
}

struct ofd *ofd_new(enum fd_kind kind, uint64_t h)
{
	struct ofd *o = calloc(1, sizeof(*o));

	if (!o) {
		errno = ENOMEM;
		return NULL;
	}
	*o = (struct ofd){.refs = 1, .kind = kind, .h = h};
	return o;
}

/* Close what a description stands for. */
static long close_kind(enum fd_kind kind, uint64_t h, struct ofd *o)
{
	switch (kind) {
	case FD_CONSOLE:
		return 0; /* the console stays */
	case FD_FILE:
		return vfs_close(h, libc_comp_index);
	case FD_SOCKET:
		return netsock_close ? netsock_close((int)h) : -ENOSYS;
	case FD_PIPE:
		return pipe_close_end(o);
	}
	return 0;
}

int ofd_put(struct ofd *o)
{
	if (--o->refs > 0 || o == &console)
		return 0;
	long r = close_kind(o->kind, o->h, o);

	free(o);
	return (int)libc_sys(r);
}

int fd_install(struct ofd *o, int min, int cloexec)
{
	if (min < 0 || min >= limit) {
		errno = EINVAL;
		return -1;
	}
	if (!nslots && grow(64) < 0)
		return -1;
	for (int fd = min; fd < limit; fd++) {
		if (fd >= nslots && grow(fd + 1) < 0)
			return -1;
		if (!table[fd].o) {
			table[fd] = (struct slot){o, cloexec ? FD_CLOEXEC : 0};
			o->refs++;
			return fd;
		}
	}
	errno = EMFILE;
	return -1;
}

int fd_new(enum fd_kind kind, uint64_t h, int cloexec)
{
	struct ofd *o = ofd_new(kind, h);

	if (!o) {
		close_kind(kind, h, NULL);
		errno = ENOMEM;
		return -1;
	}
	int fd = fd_install(o, 0, cloexec);
	int e = errno;

	ofd_put(o); /* the table holds it now, or nobody does */
	errno = e;
	return fd;
}

int fd_cloexec(int fd)
{
	return fd_get(fd) ? table[fd].cloexec : -1;
}

int fd_set_cloexec(int fd, int on)
{
	if (!fd_get(fd))
		return -1;
	table[fd].cloexec = on ? FD_CLOEXEC : 0;
	return 0;
}

int fd_limit(void)
{
	return limit;
}

int fd_set_limit(int n)
{
	if (n < 0 || n > FD_HARD_LIMIT) {
		errno = n < 0 ? EINVAL : EPERM;
		return -1;
	}
	limit = n;
	return 0;
}

int fd_highest(void)
{
	for (int fd = nslots - 1; fd >= 0; fd--)
		if (table[fd].o)
			return fd;
	return -1;
}

int close(int fd)
{
	struct ofd *o = fd_get(fd);

	if (!o)
		return -1;
	table[fd].o = NULL;
	return ofd_put(o);
}

int dup(int fd)
{
	struct ofd *o = fd_get(fd);

	return o ? fd_install(o, 0, 0) : -1;
}

int dup3(int fd, int to, int flags)
{
	struct ofd *o = fd_get(fd);

	if (!o)
		return -1;
	if (fd == to || (flags & ~O_CLOEXEC)) {
		errno = EINVAL;
		return -1;
	}
	if (to < 0 || to >= limit) {
		errno = EBADF;
		return -1;
	}
	if (grow(to + 1) < 0)
		return -1;
	struct ofd *old = table[to].o;

	o->refs++;
	table[to] = (struct slot){o, flags & O_CLOEXEC ? FD_CLOEXEC : 0};
	if (old)
		ofd_put(old); /* as Linux: an error closing it is not told */
	return to;
}

int dup2(int fd, int to)
{
	if (fd == to)
		return fd_get(fd) ? to : -1;
	return dup3(fd, to, 0);
}

int file_fcntl(struct ofd *o, int cmd, long arg); /* libc/file.c */

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	struct ofd *o = fd_get(fd);

	va_start(ap, cmd);
	long arg = va_arg(ap, long);

	va_end(ap);
	if (!o)
		return -1;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg < 0 || arg >= limit) {
			errno = EINVAL;
			return -1;
		}
		return fd_install(o, (int)arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return table[fd].cloexec;
	case F_SETFD:
		table[fd].cloexec = (int)arg & FD_CLOEXEC;
		return 0;
	}
	return file_fcntl(o, cmd, arg);
}
