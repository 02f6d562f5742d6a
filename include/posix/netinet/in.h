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

#endif
