/*
 * limits.h - newlib's, and the limit it leaves out that libc/system.c
 * keeps: HOST_NAME_MAX, Linux's.
 */
#ifndef BULKHEAD_POSIX_LIMITS_H
#define BULKHEAD_POSIX_LIMITS_H

#include_next <limits.h>

#ifndef HOST_NAME_MAX
#define HOST_NAME_MAX 64
#endif

#endif
