/* netinet/in.h - Internet addresses, from lwIP (see sys/socket.h). */
#ifndef BULKHEAD_POSIX_NETINET_IN_H
#define BULKHEAD_POSIX_NETINET_IN_H

#include "lwip/sockets.h"
#include "lwip/def.h"

/* Byte swaps in place, not calls into lwIP (which may be elsewhere). */
#undef htons
#undef ntohs
#undef htonl
#undef ntohl
#define htons(x) ((uint16_t)__builtin_bswap16((uint16_t)(x)))
#define ntohs(x) htons(x)
#define htonl(x) ((uint32_t)__builtin_bswap32((uint32_t)(x)))
#define ntohl(x) htonl(x)

#if !LWIP_IPV6
/* lwIP is built without IPv6, so it names no IPv6 address: these are its
 * layouts, for programs that handle both families (Redis's anet.c); a
 * socket of family AF_INET6 is refused (EAFNOSUPPORT, libc/socket.c). */
struct sockaddr_in6 {
	u8_t sin6_len;
	sa_family_t sin6_family;
	in_port_t sin6_port;
	u32_t sin6_flowinfo;
	struct in6_addr sin6_addr;
	u32_t sin6_scope_id;
};
#define IPPROTO_IPV6	 41
#define IPV6_V6ONLY	 27
#define INET6_ADDRSTRLEN 46
#endif

#endif
