/* arpa/inet.h - address conversions, from lwIP. */
#ifndef BULKHEAD_POSIX_ARPA_INET_H
#define BULKHEAD_POSIX_ARPA_INET_H

#include <netinet/in.h>
#include "lwip/inet.h"

#endif
