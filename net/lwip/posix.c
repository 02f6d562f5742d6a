/*
 * posix.c - the BSD socket calls applications use (socket, bind, ...,
 * select, poll), each a plain call into lwIP's. They are functions, not
 * macros, so that a call from another compartment is redirected to a
 * gate like any other export (net/lwip/lwip.api).
 */
#include <poll.h>
#include <sys/select.h>
#include <sys/socket.h>

int socket(int domain, int type, int protocol)
{
	return lwip_socket(domain, type, protocol);
}

int bind(int s, const struct sockaddr *addr, socklen_t len)
{
	return lwip_bind(s, addr, len);
}

int listen(int s, int backlog)
{
	return lwip_listen(s, backlog);
}

int accept(int s, struct sockaddr *addr, socklen_t *len)
{
	return lwip_accept(s, addr, len);
}

int connect(int s, const struct sockaddr *addr, socklen_t len)
{
	return lwip_connect(s, addr, len);
}

ssize_t recv(int s, void *buf, size_t len, int flags)
{
	return lwip_recv(s, buf, len, flags);
}

ssize_t recvfrom(int s, void *buf, size_t len, int flags,
		 struct sockaddr *from, socklen_t *fromlen)
{
	return lwip_recvfrom(s, buf, len, flags, from, fromlen);
}

ssize_t send(int s, const void *buf, size_t len, int flags)
{
	return lwip_send(s, buf, len, flags);
}

ssize_t sendto(int s, const void *buf, size_t len, int flags,
	       const struct sockaddr *to, socklen_t tolen)
{
	return lwip_sendto(s, buf, len, flags, to, tolen);
}

int shutdown(int s, int how)
{
	return lwip_shutdown(s, how);
}

int setsockopt(int s, int level, int name, const void *val, socklen_t len)
{
	return lwip_setsockopt(s, level, name, val, len);
}

int getsockopt(int s, int level, int name, void *val, socklen_t *len)
{
	return lwip_getsockopt(s, level, name, val, len);
}

int getsockname(int s, struct sockaddr *addr, socklen_t *len)
{
	return lwip_getsockname(s, addr, len);
}

int getpeername(int s, struct sockaddr *addr, socklen_t *len)
{
	return lwip_getpeername(s, addr, len);
}

int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *timeout)
{
	return lwip_select(n, r, w, e, timeout);
}

int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	return lwip_poll(fds, nfds, timeout);
}
