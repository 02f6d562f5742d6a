/* sys/un.h - local socket addresses. There are no local sockets to bind
 * or connect (socket(AF_UNIX) fails with EAFNOSUPPORT; socketpair gives
 * pipes): the address type is for programs that build them. */
#ifndef BULKHEAD_POSIX_SYS_UN_H
#define BULKHEAD_POSIX_SYS_UN_H

#include <sys/socket.h>

struct sockaddr_un {
	sa_family_t sun_family;
	char sun_path[108];
};

#endif
