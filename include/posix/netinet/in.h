/* netinet/in.h - Internet addresses, from lwIP (see sys/socket.h). */
#ifndef BULKHEAD_POSIX_NETINET_IN_H
#define BULKHEAD_POSIX_NETINET_IN_H

#include "lwip/sockets.h"
#include "lwip/def.h"

#define htons(x) lwip_htons(x)
#define ntohs(x) lwip_ntohs(x)
#define htonl(x) lwip_htonl(x)
#define ntohl(x) lwip_ntohl(x)

#endif
