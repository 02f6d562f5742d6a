/*
 * arpa/inet.h - address conversions. The types are lwIP's; the functions
 * are libc's (libc/netdb.c), which work without lwIP in the image and
 * never call into it (lwIP's inet.h maps some to its own functions).
 */
#ifndef BULKHEAD_POSIX_ARPA_INET_H
#define BULKHEAD_POSIX_ARPA_INET_H

#include <netinet/in.h>
#include "lwip/inet.h"

#undef inet_addr
#undef inet_aton
#undef inet_ntoa
#undef inet_ntoa_r

in_addr_t inet_addr(const char *s);
int inet_aton(const char *s, struct in_addr *a);
char *inet_ntoa(struct in_addr in);
const char *inet_ntop(int af, const void *src, char *dst, socklen_t size);
int inet_pton(int af, const char *src, void *dst);

#endif
