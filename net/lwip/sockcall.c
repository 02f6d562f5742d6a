/*
 * sockcall.c - the socket calls other compartments make into lwIP.
 *
 * libc's socket functions (libc/socket.c), in every compartment, call
 * these rather than lwip_*: each returns lwIP's result, or -errno when
 * the call failed, as a system call does. errno itself cannot cross: the
 * caller's libc is another copy, in another compartment or VM, with an
 * errno of its own, so the error travels in the return value and the
 * caller's libc sets its own errno from it.
 *
 * errno is read right after lwIP returns, on the same thread. lwIP only
 * switches threads inside sys_arch.c, which gives every thread back the
 * errno it had when it blocked, so no other thread's error can show here.
 *
 * Pointers must reach memory lwIP can use: with isolation, libc passes
 * shared bounce buffers (see libc/socket.c). These calls are lwIP's whole
 * boundary, so every pointer is checked first (mm_range_shared): one into
 * lwIP's own memory, or any other compartment's, is refused with EFAULT
 * and a warning naming the call and the argument, before lwIP reads or
 * writes through it. Lengths lwIP writes back go to a copy here, so a
 * caller changing them meanwhile cannot stretch what lwIP writes.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/types.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>

#include "lwip/sockets.h"

/* Refuse pointer argument `what` of call `fn` unless [p, p + len) is
 * shared memory (writable when lwIP writes it). */
#define CHECK(fn, what, p, len, write)                                         \
	do {                                                                   \
		if (!mm_range_shared((p), (len), (write)))                     \
			return refuse(fn, what, (p), (len));                   \
	} while (0)

static long refuse(const char *fn, const char *what, const void *p, size_t len)
{
	pr_warn("lwip: %s: %s 0x%lx (%lu bytes) is not shared memory: "
		"EFAULT\n",
		fn, what, (unsigned long)p, (unsigned long)len);
	return -EFAULT;
}

/* lwIP's result, or -errno (EIO if lwIP failed without saying why). */
static long result(long r)
{
	if (r >= 0)
		return r;
	return errno ? -(long)errno : -(long)EIO;
}

/* Call an address-out function (accept, getsockname, getpeername) with
 * a copy of *len, checking addr and len first; its result or -errno. */
static long addr_out(const char *fn,
		     int (*call)(int, struct sockaddr *, socklen_t *), int s,
		     struct sockaddr *addr, socklen_t *len)
{
	socklen_t n = 0;

	if (len) {
		CHECK(fn, "len", len, sizeof(*len), 1);
		n = *len;
		CHECK(fn, "addr", addr, n, 1);
	}
	errno = 0;
	long r = result(call(s, len ? addr : NULL, len ? &n : NULL));

	if (len && r >= 0)
		*len = n;
	return r;
}

long netsock_socket(int domain, int type, int protocol)
{
	errno = 0;
	return result(lwip_socket(domain, type, protocol));
}

long netsock_bind(int s, const struct sockaddr *addr, socklen_t len)
{
	CHECK("bind", "addr", addr, len, 0);
	errno = 0;
	return result(lwip_bind(s, addr, len));
}

long netsock_listen(int s, int backlog)
{
	errno = 0;
	return result(lwip_listen(s, backlog));
}

long netsock_accept(int s, struct sockaddr *addr, socklen_t *len)
{
	return addr_out("accept", lwip_accept, s, addr, len);
}

/* A reset in answer to the SYN is a refusal: lwIP says ECONNRESET, POSIX
 * and every client expect ECONNREFUSED. (A non-blocking connect's
 * SO_ERROR still says ECONNRESET.) */
long netsock_connect(int s, const struct sockaddr *addr, socklen_t len)
{
	CHECK("connect", "addr", addr, len, 0);
	errno = 0;
	long r = result(lwip_connect(s, addr, len));

	return r == -ECONNRESET ? -ECONNREFUSED : r;
}

long netsock_shutdown(int s, int how)
{
	errno = 0;
	return result(lwip_shutdown(s, how));
}

long netsock_close(int s)
{
	errno = 0;
	return result(lwip_close(s));
}

long netsock_recvfrom(int s, void *buf, size_t len, int flags,
		      struct sockaddr *from, socklen_t *fromlen)
{
	socklen_t n = 0;

	CHECK("recvfrom", "buf", buf, len, 1);
	if (fromlen) {
		CHECK("recvfrom", "fromlen", fromlen, sizeof(*fromlen), 1);
		n = *fromlen;
		CHECK("recvfrom", "from", from, n, 1);
	}
	errno = 0;
	long r = result(lwip_recvfrom(s, buf, len, flags, fromlen ? from : NULL,
				      fromlen ? &n : NULL));

	if (fromlen && r >= 0)
		*fromlen = n;
	return r;
}

long netsock_sendto(int s, const void *buf, size_t len, int flags,
		    const struct sockaddr *to, socklen_t tolen)
{
	CHECK("sendto", "buf", buf, len, 0);
	if (to)
		CHECK("sendto", "to", to, tolen, 0);
	errno = 0;
	return result(lwip_sendto(s, buf, len, flags, to, tolen));
}

long netsock_setsockopt(int s, int level, int name, const void *val,
			socklen_t len)
{
	CHECK("setsockopt", "val", val, len, 0);
	errno = 0;
	return result(lwip_setsockopt(s, level, name, val, len));
}

long netsock_getsockopt(int s, int level, int name, void *val, socklen_t *len)
{
	CHECK("getsockopt", "len", len, sizeof(*len), 1);
	socklen_t n = *len;

	CHECK("getsockopt", "val", val, n, 1);
	errno = 0;
	long r = result(lwip_getsockopt(s, level, name, val, &n));

	if (r >= 0)
		*len = n;
	return r;
}

long netsock_getsockname(int s, struct sockaddr *addr, socklen_t *len)
{
	return addr_out("getsockname", lwip_getsockname, s, addr, len);
}

long netsock_getpeername(int s, struct sockaddr *addr, socklen_t *len)
{
	return addr_out("getpeername", lwip_getpeername, s, addr, len);
}

long netsock_fcntl(int s, int cmd, int val)
{
	errno = 0;
	return result(lwip_fcntl(s, cmd, val));
}

long netsock_ioctl(int s, long cmd, void *arg)
{
	if (arg) /* FIONBIO and FIONREAD: an int */
		CHECK("ioctl", "arg", arg, sizeof(int), 1);
	errno = 0;
	return result(lwip_ioctl(s, cmd, arg));
}

long netsock_select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	CHECK("select", "readfds", r, r ? sizeof(*r) : 0, 1);
	CHECK("select", "writefds", w, w ? sizeof(*w) : 0, 1);
	CHECK("select", "exceptfds", e, e ? sizeof(*e) : 0, 1);
	CHECK("select", "timeout", tv, tv ? sizeof(*tv) : 0, 1);
	errno = 0;
	return result(lwip_select(n, r, w, e, tv));
}

long netsock_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	/* nfds_t is 32 bits: the product cannot wrap in a size_t. */
	CHECK("poll", "fds", fds, (size_t)nfds * sizeof(*fds), 1);
	errno = 0;
	return result(lwip_poll(fds, nfds, timeout));
}
