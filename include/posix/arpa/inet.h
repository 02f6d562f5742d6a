/* arpa/inet.h - address conversions, from lwIP. */
#ifndef BULKHEAD_POSIX_ARPA_INET_H
#define BULKHEAD_POSIX_ARPA_INET_H

#include <netinet/in.h>
#include "lwip/inet.h"

/* Formatted by libc (libc/socket.c), in the caller's own memory. */
#undef inet_ntoa
char *inet_ntoa(struct in_addr in);

#endif
