/*
 * limits.h - newlib's, and the limits it leaves out: HOST_NAME_MAX
 * (Linux's, which libc/system.c keeps) and SSIZE_MAX (ssize_t is long).
 */
#ifndef BULKHEAD_POSIX_LIMITS_H
#define BULKHEAD_POSIX_LIMITS_H

#include_next <limits.h>

#ifndef HOST_NAME_MAX
#define HOST_NAME_MAX 64
#endif
#ifndef SSIZE_MAX
#define SSIZE_MAX __LONG_MAX__
#endif

#endif
