/*
 * sys/socket.h - the BSD socket API for applications, on lwIP. The types
 * and constants are lwIP's; the functions are libc's (libc/socket.c),
 * which copy through shared memory when lwIP is in another compartment.
 */
#ifndef BULKHEAD_POSIX_SYS_SOCKET_H
#define BULKHEAD_POSIX_SYS_SOCKET_H

#include "lwip/sockets.h"

/* Local sockets: socketpair() only, as a pair of pipes (libc/pipe.c). */
#define AF_UNIX	      1
#define AF_LOCAL      AF_UNIX
#define PF_UNIX	      AF_UNIX
#define PF_LOCAL      AF_UNIX
/* Flags or-ed into socket()'s and socketpair()'s type, as Linux's. */
#define SOCK_NONBLOCK 00004000
#define SOCK_CLOEXEC  02000000

int socketpair(int domain, int type, int protocol, int fds[2]);

int socket(int domain, int type, int protocol);
int bind(int s, const struct sockaddr *addr, socklen_t len);
int listen(int s, int backlog);
int accept(int s, struct sockaddr *addr, socklen_t *len);
int connect(int s, const struct sockaddr *addr, socklen_t len);
ssize_t recv(int s, void *buf, size_t len, int flags);
ssize_t recvfrom(int s, void *buf, size_t len, int flags, struct sockaddr *from,
		 socklen_t *fromlen);
ssize_t send(int s, const void *buf, size_t len, int flags);
ssize_t sendto(int s, const void *buf, size_t len, int flags,
	       const struct sockaddr *to, socklen_t tolen);
int shutdown(int s, int how);
int setsockopt(int s, int level, int name, const void *val, socklen_t len);
int getsockopt(int s, int level, int name, void *val, socklen_t *len);
int getsockname(int s, struct sockaddr *addr, socklen_t *len);
int getpeername(int s, struct sockaddr *addr, socklen_t *len);
/* Messages of several pieces; no socket carries ancillary data (a message
 * with control data is refused with EOPNOTSUPP). */
ssize_t sendmsg(int s, const struct msghdr *msg, int flags);
ssize_t recvmsg(int s, struct msghdr *msg, int flags);
/* Linux's control message type passing descriptors, which programs name
 * (nginx's channel between processes); no socket here carries one. */
#define SCM_RIGHTS 1

#endif
