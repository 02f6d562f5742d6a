/*
 * poll.c - poll and select over every kind of descriptor together:
 * files, pipes, the console and lwIP's sockets.
 *
 * Files and the console are always ready (the console's input may still
 * make a read wait for a line). Pipes are asked directly. Sockets are
 * asked of lwIP in one call with lwIP's own numbers. When nothing is
 * ready the caller waits: on lwIP alone when only sockets are polled, on
 * this libc's wait queue when there are no sockets, and when there are
 * both, on the wait queue in slices of POLL_SLICE_NS between looks at
 * the sockets.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>
#include "fd.h"

#define POLL_SLICE_NS 2000000 /* 2 ms */

long socket_poll(struct pollfd *fds, unsigned nfds, int timeout);
int pipe_ready(struct ofd *o, int events);

/* One pass over fds: how many are ready, sockets asked with timeout ms
 * (0: do not wait). nsock says how many sockets there were. */
static long poll_once(struct pollfd *fds, nfds_t n, int timeout, nfds_t *nsock)
{
	struct pollfd small[16], *sock = small;
	long ready = 0;
	nfds_t k = 0;

	*nsock = 0;
	for (nfds_t i = 0; i < n; i++) {
		struct ofd *o = fds[i].fd < 0 ? NULL : fd_get(fds[i].fd);

		fds[i].revents = 0;
		if (fds[i].fd >= 0 && !o)
			fds[i].revents = POLLNVAL;
		else if (o && o->kind == FD_SOCKET)
			(*nsock)++;
		else if (o && o->kind == FD_PIPE)
			fds[i].revents = (short)pipe_ready(o, fds[i].events);
		else if (o)
			fds[i].revents =
				fds[i].events &
				(POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
		ready += fds[i].revents != 0;
	}
	if (!*nsock)
		return ready;
	if (*nsock > 16 && !(sock = malloc(*nsock * sizeof(*sock))))
		return -ENOMEM;
	for (nfds_t i = 0; i < n; i++) {
		struct ofd *o = fds[i].fd < 0 ? NULL : fd_get(fds[i].fd);

		if (o && o->kind == FD_SOCKET)
			sock[k++] =
				(struct pollfd){(int)o->h, fds[i].events, 0};
	}
	long r = socket_poll(sock, (unsigned)k, ready ? 0 : timeout);

	k = 0;
	for (nfds_t i = 0; r >= 0 && i < n; i++) {
		struct ofd *o = fds[i].fd < 0 ? NULL : fd_get(fds[i].fd);

		if (o && o->kind == FD_SOCKET) {
			/* only what was asked, and the always-reported */
			fds[i].revents =
				sock[k++].revents &
				(fds[i].events | POLLERR | POLLHUP | POLLNVAL);
			ready += fds[i].revents != 0;
		}
	}
	if (sock != small)
		free(sock);
	return r < 0 ? r : ready;
}

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	uint64_t deadline =
		timeout > 0 ? time_now_ns() + (uint64_t)timeout * 1000000 : 0;

	if (n > (nfds_t)fd_limit()) {
		errno = EINVAL;
		return -1;
	}
	/* A poll that does not wait lets the other threads run first: there
	 * is no preemption, so a program polling in a loop (Redis serving
	 * clients from inside a long Lua script) would otherwise starve the
	 * network's threads, which make its descriptors ready. */
	if (timeout == 0)
		sched_yield();
	for (;;) {
		nfds_t nsock;
		int only_sockets = 1;

		for (nfds_t i = 0; i < n; i++) {
			struct ofd *o =
				fds[i].fd < 0 ? NULL : fd_get(fds[i].fd);

			if (o && o->kind != FD_SOCKET)
				only_sockets = 0;
		}
		/* lwIP may do all the waiting when it has every descriptor */
		long r = poll_once(fds, n, only_sockets ? timeout : 0, &nsock);

		if (r != 0 || timeout == 0 || (only_sockets && nsock))
			return (int)libc_sys(r);
		uint64_t now = time_now_ns();

		if (deadline && now >= deadline)
			return 0;
		uint64_t until = nsock ? now + POLL_SLICE_NS : deadline;

		if (deadline && until > deadline)
			until = deadline;
		if (libc_wait(until) < 0) {
			errno = ENOMEM;
			return -1;
		}
	}
}

/* select, as poll: the sets in, the sets out. */
int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	struct pollfd small[64], *fds = small;
	nfds_t k = 0;

	if (n < 0 || n > FD_SETSIZE ||
	    (tv && (tv->tv_sec < 0 || tv->tv_usec < 0))) {
		errno = EINVAL;
		return -1;
	}
	for (int fd = 0; fd < n; fd++) {
		short ev = (r && FD_ISSET(fd, r) ? POLLIN : 0) |
			   (w && FD_ISSET(fd, w) ? POLLOUT : 0) |
			   (e && FD_ISSET(fd, e) ? POLLPRI : 0);

		if (!ev)
			continue;
		if (k == 64 && fds == small) {
			fds = malloc((size_t)n * sizeof(*fds));
			if (!fds) {
				errno = ENOMEM;
				return -1;
			}
			memcpy(fds, small, sizeof(small));
		}
		fds[k++] = (struct pollfd){fd, ev, 0};
	}
	int timeout =
		tv ? (int)(tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000) : -1;
	int got = poll(fds, k, timeout);
	int count = 0;

	for (nfds_t i = 0; got > 0 && i < k; i++)
		if (fds[i].revents & POLLNVAL) {
			errno = EBADF;
			got = -1;
		}
	if (got >= 0) {
		if (r)
			FD_ZERO(r);
		if (w)
			FD_ZERO(w);
		if (e)
			FD_ZERO(e);
		for (nfds_t i = 0; i < k; i++) {
			short re = fds[i].revents;

			if (r && (re & (POLLIN | POLLHUP | POLLERR)) &&
			    (fds[i].events & POLLIN))
				FD_SET(fds[i].fd, r), count++;
			if (w && (re & (POLLOUT | POLLERR)) &&
			    (fds[i].events & POLLOUT))
				FD_SET(fds[i].fd, w), count++;
			if (e && (re & POLLPRI))
				FD_SET(fds[i].fd, e), count++;
		}
		if (tv && got == 0)
			tv->tv_sec = tv->tv_usec = 0;
	}
	if (fds != small)
		free(fds);
	return got < 0 ? -1 : count;
}
