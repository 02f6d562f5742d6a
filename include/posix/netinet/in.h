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
/* POSIX's tests of an IPv6 address, on its bytes. */
#define IN6_IS_ADDR_UNSPECIFIED(a)                                             \
	(((const struct in6_addr *)(a))->un.u32_addr[0] == 0 &&                \
	 ((const struct in6_addr *)(a))->un.u32_addr[1] == 0 &&                \
	 ((const struct in6_addr *)(a))->un.u32_addr[2] == 0 &&                \
	 ((const struct in6_addr *)(a))->un.u32_addr[3] == 0)
#define IN6_IS_ADDR_LOOPBACK(a)                                                \
	(((const struct in6_addr *)(a))->un.u32_addr[0] == 0 &&                \
	 ((const struct in6_addr *)(a))->un.u32_addr[1] == 0 &&                \
	 ((const struct in6_addr *)(a))->un.u32_addr[2] == 0 &&                \
	 ((const struct in6_addr *)(a))->un.u32_addr[3] == htonl(1))
#define IN6_IS_ADDR_V4MAPPED(a)                                                \
	(((const struct in6_addr *)(a))->un.u32_addr[0] == 0 &&                \
	 ((const struct in6_addr *)(a))->un.u32_addr[1] == 0 &&                \
	 ((const struct in6_addr *)(a))->un.u32_addr[2] == htonl(0xffff))
#define IN6_IS_ADDR_V4COMPAT(a)                                                \
	(((const struct in6_addr *)(a))->un.u32_addr[0] == 0 &&                \
	 ((const struct in6_addr *)(a))->un.u32_addr[1] == 0 &&                \
	 ((const struct in6_addr *)(a))->un.u32_addr[2] == 0 &&                \
	 ntohl(((const struct in6_addr *)(a))->un.u32_addr[3]) > 1)
#define IN6_IS_ADDR_MULTICAST(a)                                               \
	(((const struct in6_addr *)(a))->s6_addr[0] == 0xff)
#define IN6_IS_ADDR_LINKLOCAL(a)                                               \
	(((const struct in6_addr *)(a))->s6_addr[0] == 0xfe &&                 \
	 (((const struct in6_addr *)(a))->s6_addr[1] & 0xc0) == 0x80)
#define IN6_IS_ADDR_SITELOCAL(a)                                               \
	(((const struct in6_addr *)(a))->s6_addr[0] == 0xfe &&                 \
	 (((const struct in6_addr *)(a))->s6_addr[1] & 0xc0) == 0xc0)
#define IPPROTO_IPV6	 41
#define IPV6_V6ONLY	 27
#define INET6_ADDRSTRLEN 46
#endif

#endif
