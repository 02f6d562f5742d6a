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
 * boundary, and their contracts (lwip.api, `efault`) have the gate check
 * every pointer before lwIP runs: one into lwIP's own memory, or any
 * other compartment's, is refused with EFAULT and the gate's report.
 * Lengths lwIP writes back go to a copy here, read once, so a caller
 * changing them meanwhile cannot stretch what lwIP writes.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/types.h>

#include "lwip/sockets.h"

/* lwIP's result, or -errno (EIO if lwIP failed without saying why). */
static long result(long r)
{
	if (r >= 0)
		return r;
	return errno ? -(long)errno : -(long)EIO;
}

/* Call an address-out function (accept, getsockname, getpeername) with
 * a copy of *len; its result or -errno. */
static long addr_out(int (*call)(int, struct sockaddr *, socklen_t *), int s,
		     struct sockaddr *addr, socklen_t *len)
{
	socklen_t n = len ? *len : 0;

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
	return addr_out(lwip_accept, s, addr, len);
}

/* A reset in answer to the SYN is a refusal: lwIP says ECONNRESET, POSIX
 * and every client expect ECONNREFUSED. (A non-blocking connect's
 * SO_ERROR still says ECONNRESET.) */
long netsock_connect(int s, const struct sockaddr *addr, socklen_t len)
{
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
	socklen_t n = fromlen ? *fromlen : 0;

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
	errno = 0;
	return result(lwip_sendto(s, buf, len, flags, to, tolen));
}

long netsock_setsockopt(int s, int level, int name, const void *val,
			socklen_t len)
{
	errno = 0;
	return result(lwip_setsockopt(s, level, name, val, len));
}

long netsock_getsockopt(int s, int level, int name, void *val, socklen_t *len)
{
	socklen_t n = *len;

	errno = 0;
	long r = result(lwip_getsockopt(s, level, name, val, &n));

	if (r >= 0)
		*len = n;
	return r;
}

long netsock_getsockname(int s, struct sockaddr *addr, socklen_t *len)
{
	return addr_out(lwip_getsockname, s, addr, len);
}

long netsock_getpeername(int s, struct sockaddr *addr, socklen_t *len)
{
	return addr_out(lwip_getpeername, s, addr, len);
}

long netsock_fcntl(int s, int cmd, int val)
{
	errno = 0;
	return result(lwip_fcntl(s, cmd, val));
}

long netsock_ioctl(int s, long cmd, void *arg)
{
	errno = 0;
	return result(lwip_ioctl(s, cmd, arg));
}

long netsock_select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	errno = 0;
	return result(lwip_select(n, r, w, e, tv));
}

long netsock_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	errno = 0;
	return result(lwip_poll(fds, nfds, timeout));
}
