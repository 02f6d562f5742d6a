/*
 * socket.c - the BSD socket calls, in every compartment's libc, on lwIP.
 *
 * lwIP may live in another compartment (mpk) or another VM (ept), where
 * it cannot read or write this compartment's memory. So when the image
 * isolates anything, every buffer, address, option value, fd set and
 * pollfd array goes through a bounce buffer in shared memory: copied in
 * before the call crosses the gate, copied back after. With fcall the
 * calls go straight through, with no copy.
 *
 * Nothing lwIP hands back is trusted further than the caller's buffers:
 * a length it returns or writes is read once from shared memory and
 * clamped to what was asked for and to the room in the bounce buffer, so
 * a misbehaving stack can neither overrun the caller's memory nor make it
 * copy out more of the shared buffer than lwIP was given.
 *
 * lwIP's entry points (net/lwip/sockcall.c) return a result or -errno,
 * since errno is per libc copy and cannot cross; sys() turns that back
 * into -1 and this compartment's errno. They are weak references: an
 * image without lwIP links, and a socket call there fails with ENOSYS.
 *
 * send and recv also take the ends of a socketpair (libc/pipe.c), and a
 * send that fails with EPIPE raises SIGPIPE first, as Linux's does,
 * unless MSG_NOSIGNAL says not to.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/types.h>
#include <bulkhead/comp.h>
#include <bulkhead/mm.h>
#include "lwip/sockets.h" /* MSG_* */
#include "fd.h"
#include "sig.h"

#define BOUNCE	16384	       /* bytes per bounce buffer */
#define POOL	64	       /* bounce buffers kept for reuse */
#define ADDR_AT (BOUNCE - 256) /* room for a socket address... */
#define LEN_AT	(BOUNCE - 16)  /* ...and its length */

/* A pollfd, laid out as lwIP's (and POSIX's). */
struct pfd {
	int fd;
	short events;
	short revents;
};

extern long netsock_socket(int, int, int) __attribute__((weak));
extern long netsock_bind(int, const void *, uint32_t) __attribute__((weak));
extern long netsock_listen(int, int) __attribute__((weak));
extern long netsock_accept(int, void *, uint32_t *) __attribute__((weak));
extern long netsock_connect(int, const void *, uint32_t) __attribute__((weak));
extern long netsock_shutdown(int, int) __attribute__((weak));
extern long netsock_close(int) __attribute__((weak));
extern long netsock_recvfrom(int, void *, size_t, int, void *, uint32_t *)
	__attribute__((weak));
extern long netsock_sendto(int, const void *, size_t, int, const void *,
			   uint32_t) __attribute__((weak));
extern long netsock_setsockopt(int, int, int, const void *, uint32_t)
	__attribute__((weak));
extern long netsock_getsockopt(int, int, int, void *, uint32_t *)
	__attribute__((weak));
extern long netsock_getsockname(int, void *, uint32_t *) __attribute__((weak));
extern long netsock_getpeername(int, void *, uint32_t *) __attribute__((weak));
extern long netsock_fcntl(int, int, int) __attribute__((weak));
extern long netsock_ioctl(int, long, void *) __attribute__((weak));
extern long netsock_select(int, fd_set *, fd_set *, fd_set *, struct timeval *)
	__attribute__((weak));
extern long netsock_poll(struct pfd *, unsigned, int) __attribute__((weak));

/* Free bounce buffers. The list is in this compartment's own memory:
 * links kept inside shared buffers could be rewritten by others. */
static char *pool[POOL];
static int pooled;

static int isolated(void)
{
	return libc_isolated();
}

static char *take(void)
{
	return pooled ? pool[--pooled] : mm_shared_alloc(BOUNCE);
}

/* lwIP's number for socket descriptor fd into s: 0, or -1 with errno. */
#define SOCK(fd, s)                                                            \
	int s;                                                                 \
	if (fd_socket(fd, &s) < 0)                                             \
	return -1

static void give(char *b)
{
	if (pooled < POOL)
		pool[pooled++] = b;
	else
		mm_shared_free(b);
}

static int no_stack(void)
{
	errno = ENOSYS;
	return -1;
}

static int no_memory(void)
{
	errno = ENOMEM;
	return -1;
}

/* A length lwIP wrote at `at` in shared memory, read once, no more than
 * `cap`. */
static uint32_t length_at(const char *at, uint32_t cap)
{
	uint32_t n = *(const volatile uint32_t *)at;

	return n < cap ? n : cap;
}

/* A byte count lwIP returned for a buffer of `cap` bytes: errors pass,
 * counts are clamped to cap. */
static long clamp(long r, size_t cap)
{
	return r > (long)cap ? (long)cap : r;
}

/* A result of lwIP's: -errno becomes -1 with errno set here. */
static long sys(long r)
{
	if (r >= 0)
		return r;
	errno = (int)-r;
	return -1;
}

extern int net_start(void) __attribute__((weak));
/* Has this copy of libc seen the network started? */
static int net_up;

int socket(int domain, int type, int protocol)
{
	if (!netsock_socket)
		return no_stack();
	/* lwIP carries IPv4 only, and takes any other family for it: refuse
	 * them here (AF_INET6 is AF_UNSPEC in its headers without IPv6). */
	if (domain != AF_INET) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	/* The network comes up with this copy's first socket (net_start
	 * does it once for all), so unchanged programs have one. */
	if (!net_up) {
		if (net_start && net_start() != 0) {
			errno = ENETDOWN;
			return -1;
		}
		net_up = 1;
	}
	int s = (int)sys(netsock_socket(domain, type, protocol));

	return s < 0 ? -1 : fd_new(FD_SOCKET, (uint64_t)s, 0);
}

int listen(int fd, int backlog)
{
	SOCK(fd, s);
	return netsock_listen ? (int)sys(netsock_listen(s, backlog))
			      : no_stack();
}

int shutdown(int fd, int how)
{
	SOCK(fd, s);
	return netsock_shutdown ? (int)sys(netsock_shutdown(s, how))
				: no_stack();
}

/* bind and connect: an address in. */
static int addr_in(long (*fn)(int, const void *, uint32_t), int fd,
		   const void *addr, uint32_t len)
{
	SOCK(fd, s);
	if (!fn)
		return no_stack();
	if (!isolated())
		return (int)sys(fn(s, addr, len));
	char *b = take();

	if (!b || len > BOUNCE)
		return no_memory();
	memcpy(b, addr, len);
	long r = fn(s, b, len);

	give(b);
	return (int)sys(r);
}

int bind(int s, const void *addr, uint32_t len)
{
	return addr_in(netsock_bind, s, addr, len);
}

int connect(int s, const void *addr, uint32_t len)
{
	return addr_in(netsock_connect, s, addr, len);
}

/* accept, getsockname, getpeername: an address out. */
static int addr_out(long (*fn)(int, void *, uint32_t *), int fd, void *addr,
		    uint32_t *len)
{
	SOCK(fd, s);
	if (!fn)
		return no_stack();
	if (!isolated())
		return (int)sys(fn(s, addr, len));
	char *b = take();

	if (!b)
		return no_memory();
	uint32_t *blen = (uint32_t *)(b + LEN_AT);
	uint32_t room = len ? (*len < 256 ? *len : 256) : 0;

	*blen = room;
	long r = fn(s, addr ? b + ADDR_AT : NULL, len ? blen : NULL);

	if (r >= 0 && len) {
		uint32_t got = length_at((char *)blen, 256);

		if (addr)
			memcpy(addr, b + ADDR_AT, got < room ? got : room);
		*len = got;
	}
	give(b);
	return (int)sys(r);
}

int accept(int fd, void *addr, uint32_t *len)
{
	int s = addr_out(netsock_accept, fd, addr, len);

	return s < 0 ? -1 : fd_new(FD_SOCKET, (uint64_t)s, 0);
}

int getsockname(int s, void *addr, uint32_t *len)
{
	return addr_out(netsock_getsockname, s, addr, len);
}

int getpeername(int s, void *addr, uint32_t *len)
{
	return addr_out(netsock_getpeername, s, addr, len);
}

long pipe_read(struct ofd *o, void *buf, size_t len);
long pipe_write(struct ofd *o, const void *buf, size_t len);

/* The end of a socketpair that fd is, or NULL. */
static struct ofd *pair_end(int fd)
{
	struct ofd *o = fd_get(fd);

	return o && o->kind == FD_PIPE && o->h ? o : NULL;
}

/* send and recv on a socketpair's end: MSG_DONTWAIT and MSG_NOSIGNAL
 * (MSG_MORE means nothing to a pipe); other flags are not supported. */
static ssize_t pair_io(struct ofd *o, void *buf, size_t len, int flags,
		       int write)
{
	long r;

	if (flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE)) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if (flags & MSG_DONTWAIT) { /* never waits: the flag is back at once */
		int saved = o->flags;

		o->flags |= O_NONBLOCK;
		r = write ? pipe_write(o, buf, len) : pipe_read(o, buf, len);
		o->flags = saved;
	} else {
		r = write ? pipe_write(o, buf, len) : pipe_read(o, buf, len);
	}
	if (r == -EPIPE && !(flags & MSG_NOSIGNAL))
		sig_send(SIGPIPE);
	return sys(r);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, void *from,
		 uint32_t *fromlen)
{
	struct ofd *pair = pair_end(fd);

	if (pair) {
		if (from && fromlen)
			*fromlen = 0; /* an unnamed peer */
		return pair_io(pair, buf, len, flags, 0);
	}
	SOCK(fd, s);
	if (!netsock_recvfrom)
		return no_stack();
	if (!isolated())
		return sys(netsock_recvfrom(s, buf, len, flags, from, fromlen));
	char *b = take();

	if (!b)
		return no_memory();
	uint32_t *blen = (uint32_t *)(b + LEN_AT);
	size_t n = len < ADDR_AT ? len : ADDR_AT;
	uint32_t room = fromlen ? (*fromlen < 256 ? *fromlen : 256) : 0;

	*blen = room;
	long r = clamp(netsock_recvfrom(s, b, n, flags,
					from ? b + ADDR_AT : NULL,
					fromlen ? blen : NULL),
		       n);

	if (r > 0)
		memcpy(buf, b, (size_t)r);
	if (r >= 0 && from && fromlen) {
		uint32_t got = length_at((char *)blen, 256);

		memcpy(from, b + ADDR_AT, got < room ? got : room);
		*fromlen = got;
	}
	give(b);
	return sys(r);
}

ssize_t recv(int s, void *buf, size_t len, int flags)
{
	return recvfrom(s, buf, len, flags, NULL, NULL);
}

/*
 * A failed send as Linux reports it: a stream socket that cannot send
 * (never connected, shut down for writing, closed by its peer) is EPIPE,
 * where lwIP says ENOTCONN; and EPIPE raises SIGPIPE first, unless
 * MSG_NOSIGNAL says not to. r is the send's result on fd; errno stays
 * EPIPE whatever the handler does.
 */
int getsockopt(int fd, int level, int name, void *val, uint32_t *len);

static ssize_t broken(int fd, ssize_t r, int flags)
{
	int type = 0;
	uint32_t len = sizeof(type);

	if (r < 0 && errno == ENOTCONN &&
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	    type == SOCK_STREAM)
		errno = EPIPE;
	if (r < 0 && errno == EPIPE && !(flags & MSG_NOSIGNAL)) {
		sig_send(SIGPIPE);
		errno = EPIPE;
	}
	return r;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const void *to,
	       uint32_t tolen)
{
	struct ofd *pair = pair_end(fd);

	if (pair) {
		if (to) {
			errno = EISCONN;
			return -1;
		}
		return pair_io(pair, (void *)buf, len, flags, 1);
	}
	SOCK(fd, s);
	if (!netsock_sendto)
		return no_stack();
	if (!isolated())
		return broken(
			fd, sys(netsock_sendto(s, buf, len, flags, to, tolen)),
			flags);
	char *b = take();
	long sent = 0;

	if (!b || tolen > 256)
		return no_memory();
	if (to)
		memcpy(b + ADDR_AT, to, tolen);
	/* A stream goes in chunks; a datagram must fit in one. An error
	 * after some bytes went is reported by the next call. */
	do {
		size_t n = len - (size_t)sent < ADDR_AT ? len - (size_t)sent
							: ADDR_AT;

		memcpy(b, (const char *)buf + sent, n);
		long r = clamp(netsock_sendto(s, b, n, flags,
					      to ? b + ADDR_AT : NULL, tolen),
			       n);

		if (r < 0) {
			sent = sent ? sent : r;
			break;
		}
		sent += r;
		if ((size_t)r < n)
			break;
	} while ((size_t)sent < len);
	give(b);
	return broken(fd, sys(sent), flags);
}

ssize_t send(int s, const void *buf, size_t len, int flags)
{
	return sendto(s, buf, len, flags, NULL, 0);
}

/* The bytes of msg's pieces (EMSGSIZE past IOV_MAX pieces, EINVAL past
 * SSIZE_MAX bytes or a NULL piece array), or -1. */
static ssize_t msg_bytes(const struct msghdr *msg)
{
	size_t total = 0;

	if (msg->msg_iovlen < 0 || msg->msg_iovlen > 1024) {
		errno = EMSGSIZE;
		return -1;
	}
	if (msg->msg_iovlen && !msg->msg_iov) {
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < msg->msg_iovlen; i++) {
		if (msg->msg_iov[i].iov_len > (size_t)SSIZE_MAX - total) {
			errno = EINVAL;
			return -1;
		}
		total += msg->msg_iov[i].iov_len;
	}
	return (ssize_t)total;
}

/*
 * sendmsg and recvmsg: the message's pieces gathered into (scattered from)
 * one buffer of this copy's heap, which sendto (recvfrom) passes on as it
 * passes any buffer. No socket here carries ancillary data (this lwIP
 * build takes none; a socketpair passes no descriptors): a message with
 * control data is refused with EOPNOTSUPP, and recvmsg returns none.
 */
ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	if (!msg) {
		errno = EFAULT;
		return -1;
	}
	if (msg->msg_controllen) {
		errno = EOPNOTSUPP;
		return -1;
	}
	ssize_t len = msg_bytes(msg);

	if (len < 0)
		return -1;
	char *b = malloc(len ? (size_t)len : 1), *at = b;

	if (!b) {
		errno = ENOMEM;
		return -1;
	}
	for (int i = 0; i < msg->msg_iovlen; i++) {
		memcpy(at, msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len);
		at += msg->msg_iov[i].iov_len;
	}
	ssize_t r = sendto(fd, b, (size_t)len, flags, msg->msg_name,
			   msg->msg_name ? msg->msg_namelen : 0);
	int e = errno;

	free(b);
	errno = e;
	return r;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	if (!msg) {
		errno = EFAULT;
		return -1;
	}
	ssize_t len = msg_bytes(msg);

	if (len < 0)
		return -1;
	char *b = malloc(len ? (size_t)len : 1);

	if (!b) {
		errno = ENOMEM;
		return -1;
	}
	ssize_t r = recvfrom(fd, b, (size_t)len, flags, msg->msg_name,
			     msg->msg_name ? &msg->msg_namelen : NULL);
	int e = errno;

	for (int i = 0, at = 0; r > 0 && i < msg->msg_iovlen && at < r; i++) {
		size_t n = msg->msg_iov[i].iov_len;

		if (n > (size_t)(r - at))
			n = (size_t)(r - at);
		memcpy(msg->msg_iov[i].iov_base, b + at, n);
		at += (int)n;
	}
	free(b);
	if (r >= 0) {
		msg->msg_controllen = 0;
		msg->msg_flags = 0;
	}
	errno = e;
	return r;
}

int setsockopt(int fd, int level, int name, const void *val, uint32_t len)
{
	SOCK(fd, s);
	if (!netsock_setsockopt)
		return no_stack();
	if (!isolated())
		return (int)sys(netsock_setsockopt(s, level, name, val, len));
	char *b = take();

	if (!b || len > BOUNCE)
		return no_memory();
	memcpy(b, val, len);
	long r = netsock_setsockopt(s, level, name, b, len);

	give(b);
	return (int)sys(r);
}

int getsockopt(int fd, int level, int name, void *val, uint32_t *len)
{
	SOCK(fd, s);
	if (!netsock_getsockopt)
		return no_stack();
	if (!isolated())
		return (int)sys(netsock_getsockopt(s, level, name, val, len));
	char *b = take();

	if (!b)
		return no_memory();
	uint32_t *blen = (uint32_t *)(b + LEN_AT);
	uint32_t room = *len < ADDR_AT ? *len : ADDR_AT;

	*blen = room;
	long r = netsock_getsockopt(s, level, name, b, blen);

	if (r == 0) {
		uint32_t got = length_at((char *)blen, room);

		memcpy(val, b, got);
		*len = got;
	}
	give(b);
	return (int)sys(r);
}

/* fcntl(F_GETFL) and fcntl(F_SETFL) of lwIP's socket s (libc/file.c). */
int socket_getfl(int s)
{
	return (int)sys(netsock_fcntl(s, F_GETFL, 0));
}

int socket_setfl(int s, int flags)
{
	return (int)sys(netsock_fcntl(s, F_SETFL, flags));
}

/* A socket's ioctl: FIONBIO and FIONREAD, whose argument is an int. */
int socket_ioctl(int s, unsigned long req, int *arg)
{
	if (!netsock_ioctl)
		return no_stack();
	if (!isolated())
		return (int)sys(netsock_ioctl(s, (long)req, arg));
	char *b = take();

	if (!b)
		return no_memory();
	if (arg)
		memcpy(b, arg, sizeof(*arg));
	long r = netsock_ioctl(s, (long)req, arg ? b : NULL);

	if (r >= 0 && arg)
		memcpy(arg, b, sizeof(*arg));
	give(b);
	return (int)sys(r);
}

/* poll of lwIP's sockets (libc/poll.c): fds holds lwIP's numbers. */
long socket_poll(struct pfd *fds, unsigned nfds, int timeout)
{
	if (!netsock_poll)
		return -ENOSYS;
	if (!isolated())
		return netsock_poll(fds, nfds, timeout);
	if (nfds > BOUNCE / sizeof(*fds))
		return -EINVAL; /* more entries than descriptors */
	char *b = take();

	if (!b)
		return -ENOMEM;
	memcpy(b, fds, nfds * sizeof(*fds));
	long r = netsock_poll((struct pfd *)b, nfds, timeout);

	memcpy(fds, b, nfds * sizeof(*fds));
	give(b);
	return r;
}
