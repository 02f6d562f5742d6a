/*
 * pipe.c - pipes between the threads of a compartment: pipe, pipe2 and
 * socketpair (a pair of pipes, one each way).
 *
 * A pipe is a 64 KiB ring in this copy of libc's memory, as Linux's
 * default. Readers and writers that must wait sleep on the compartment's
 * one wait queue (libc_wake wakes it), which poll and select wait on
 * too, so a change of any pipe wakes whoever might care.
 *
 * Linux's rules: a read of an empty pipe waits while a writer is open
 * and returns 0 (end of file) when none is; a write with no reader left
 * fails with EPIPE (and write() raises SIGPIPE, libc/file.c); writes of
 * PIPE_BUF bytes or fewer are never split; O_NONBLOCK turns a wait into
 * EAGAIN.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <poll.h>
#include <bulkhead/sched.h>
#include "fd.h"
#include "sig.h"

#define PIPE_SIZE (64 * 1024)

struct pipe {
	char *buf;   /* PIPE_SIZE bytes */
	size_t head; /* where the oldest byte is */
	size_t len;  /* bytes waiting */
	int readers; /* open read ends */
	int writers; /* open write ends */
};

static sched_waitq_t waiters;

/* Wait for something to change (a pipe's state, a poll's descriptors),
 * until deadline_ns (0: none). 0, or -ENOMEM. */
int libc_wait(uint64_t deadline_ns)
{
	uint64_t alarm = sig_alarm_deadline();

	if (!waiters && !(waiters = sched_waitq_new()))
		return -ENOMEM;
	if (alarm && (!deadline_ns || alarm < deadline_ns))
		deadline_ns = alarm;
	sched_wait(waiters, deadline_ns);
	sig_alarm_check();
	return 0;
}

void libc_wake(void)
{
	if (waiters)
		sched_wake_all(waiters);
}

static struct pipe *pipe_new(void)
{
	struct pipe *p = calloc(1, sizeof(*p));

	if (p && !(p->buf = malloc(PIPE_SIZE))) {
		free(p);
		p = NULL;
	}
	if (p)
		p->readers = p->writers = 1;
	return p;
}

/* One end's holds on its pipes go; a pipe nobody holds goes. */
static void drop(struct pipe *p, int reader)
{
	if (!p)
		return;
	if (reader)
		p->readers--;
	else
		p->writers--;
	if (!p->readers && !p->writers) {
		free(p->buf);
		free(p);
	}
}

int pipe_close_end(struct ofd *o)
{
	if (o) {
		drop(o->pipe, 1);
		drop(o->out, 0);
	}
	libc_wake();
	return 0;
}

/* Readiness of a pipe end for poll: POLLIN, POLLOUT, POLLHUP, POLLERR. */
int pipe_ready(struct ofd *o, int events)
{
	int r = 0;

	if (o->pipe) {
		if (o->pipe->len)
			r |= events & POLLIN;
		if (!o->pipe->writers)
			r |= POLLHUP | (events & POLLIN);
	}
	if (o->out) {
		if (!o->out->readers)
			r |= o->pipe ? POLLHUP : POLLERR;
		else if (PIPE_SIZE - o->out->len >= PIPE_BUF)
			r |= events & POLLOUT;
	}
	return r;
}

long pipe_read(struct ofd *o, void *buf, size_t len)
{
	struct pipe *p = o->pipe;

	if (!p)
		return -EBADF;
	while (!p->len && len) {
		if (!p->writers)
			return 0;
		if (o->flags & O_NONBLOCK)
			return -EAGAIN;
		if (libc_wait(0) < 0)
			return -ENOMEM;
	}
	size_t n = len < p->len ? len : p->len;

	for (size_t i = 0; i < n; i++)
		((char *)buf)[i] = p->buf[(p->head + i) % PIPE_SIZE];
	p->head = (p->head + n) % PIPE_SIZE;
	p->len -= n;
	if (n)
		libc_wake();
	return (long)n;
}

long pipe_write(struct ofd *o, const void *buf, size_t len)
{
	struct pipe *p = o->out;
	size_t done = 0;

	if (!p)
		return -EBADF;
	while (done < len) {
		if (!p->readers)
			return done ? (long)done : -EPIPE;
		size_t room = PIPE_SIZE - p->len;
		size_t left = len - done;

		/* up to PIPE_BUF bytes go in one piece, or wait */
		if (room == 0 || (left <= PIPE_BUF && room < left)) {
			if (o->flags & O_NONBLOCK)
				return done ? (long)done : -EAGAIN;
			if (libc_wait(0) < 0)
				return done ? (long)done : -ENOMEM;
			continue;
		}
		size_t n = left < room ? left : room;

		for (size_t i = 0; i < n; i++)
			p->buf[(p->head + p->len + i) % PIPE_SIZE] =
				((const char *)buf)[done + i];
		p->len += n;
		done += n;
		libc_wake();
	}
	return (long)done;
}

/* Two descriptors: for a pipe p, its read and write ends; for a
 * socketpair, ends that read p and write q, and the other way round. */
static int install_pair(struct pipe *p, struct pipe *q, int fds[2], int flags)
{
	struct ofd *end[2];
	int cloexec = flags & O_CLOEXEC;

	for (int i = 0; i < 2; i++) {
		end[i] = ofd_new(FD_PIPE, q ? 1 : 0);
		if (!end[i]) {
			if (i)
				free(end[0]);
			drop(p, 1), drop(p, 0);
			if (q)
				drop(q, 1), drop(q, 0);
			return -1;
		}
		end[i]->flags = flags & O_NONBLOCK;
	}
	end[0]->pipe = p;
	end[0]->out = q;
	end[1]->pipe = q;
	end[1]->out = p;
	if (!q)
		end[1]->pipe = NULL;
	fds[0] = fd_install(end[0], 0, cloexec);
	fds[1] = fds[0] < 0 ? -1 : fd_install(end[1], 0, cloexec);
	int e = errno;

	if (fds[1] < 0 && fds[0] >= 0)
		close(fds[0]);
	ofd_put(end[0]); /* the table holds them now */
	ofd_put(end[1]);
	errno = e;
	return fds[1] < 0 ? -1 : 0;
}

int pipe2(int fds[2], int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK)) {
		errno = EINVAL;
		return -1;
	}
	struct pipe *p = pipe_new();

	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	return install_pair(p, NULL, fds, flags);
}

int pipe(int fds[2])
{
	return pipe2(fds, 0);
}

/* A pair of connected stream sockets, as two pipes: AF_UNIX only. */
int socketpair(int domain, int type, int protocol, int fds[2])
{
	int flags = (type & SOCK_NONBLOCK ? O_NONBLOCK : 0) |
		    (type & SOCK_CLOEXEC ? O_CLOEXEC : 0);

	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (domain != AF_UNIX) {
		/* Linux: the Internet families have no pairs */
		errno = domain == AF_INET || domain == AF_INET6 ? EOPNOTSUPP
								: EAFNOSUPPORT;
		return -1;
	}
	if (type != SOCK_STREAM || (protocol != 0)) {
		errno = type != SOCK_STREAM ? EOPNOTSUPP : EPROTONOSUPPORT;
		return -1;
	}
	struct pipe *p = pipe_new(), *q = pipe_new();

	if (!p || !q) {
		if (p)
			drop(p, 1), drop(p, 0);
		if (q)
			drop(q, 1), drop(q, 0);
		errno = ENOMEM;
		return -1;
	}
	return install_pair(p, q, fds, flags);
}
