/*
 * netdb.h - names and services without a name server (libc/netdb.c):
 * getaddrinfo for numeric IPv4 addresses, "localhost" and the wildcard,
 * getnameinfo back. Linux's flag and error values; the socket types are
 * lwIP's (sys/socket.h). lwIP's own netdb.h is empty here (LWIP_DNS is
 * off), and would hand back memory of whichever compartment lwIP is in.
 */
#ifndef BULKHEAD_POSIX_NETDB_H
#define BULKHEAD_POSIX_NETDB_H

#include <sys/socket.h>
#include <netinet/in.h>

struct addrinfo {
	int ai_flags;		  /* AI_* */
	int ai_family;		  /* AF_INET */
	int ai_socktype;	  /* SOCK_STREAM, SOCK_DGRAM, SOCK_RAW */
	int ai_protocol;	  /* IPPROTO_TCP, IPPROTO_UDP or 0 */
	socklen_t ai_addrlen;	  /* of *ai_addr */
	struct sockaddr *ai_addr; /* a struct sockaddr_in */
	char *ai_canonname;	  /* AI_CANONNAME: in the first answer */
	struct addrinfo *ai_next;
};

#define AI_PASSIVE     0x0001
#define AI_CANONNAME   0x0002
#define AI_NUMERICHOST 0x0004
#define AI_V4MAPPED    0x0008
#define AI_ALL	       0x0010
#define AI_ADDRCONFIG  0x0020
#define AI_NUMERICSERV 0x0400

#define NI_MAXHOST     1025
#define NI_MAXSERV     32
#define NI_NUMERICHOST 1
#define NI_NUMERICSERV 2
#define NI_NOFQDN      4
#define NI_NAMEREQD    8
#define NI_DGRAM       16

#define EAI_BADFLAGS   (-1)
#define EAI_NONAME     (-2)
#define EAI_AGAIN      (-3)
#define EAI_FAIL       (-4)
#define EAI_NODATA     (-5)
#define EAI_FAMILY     (-6)
#define EAI_SOCKTYPE   (-7)
#define EAI_SERVICE    (-8)
#define EAI_ADDRFAMILY (-9)
#define EAI_MEMORY     (-10)
#define EAI_SYSTEM     (-11)
#define EAI_OVERFLOW   (-12)

int getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res);
void freeaddrinfo(struct addrinfo *res);
const char *gai_strerror(int err);
int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
		socklen_t hostlen, char *serv, socklen_t servlen, int flags);

#endif
