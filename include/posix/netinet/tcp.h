/* netinet/tcp.h - TCP socket options (TCP_NODELAY), from lwIP. */
#ifndef BULKHEAD_POSIX_NETINET_TCP_H
#define BULKHEAD_POSIX_NETINET_TCP_H

#include "lwip/sockets.h"

#endif
