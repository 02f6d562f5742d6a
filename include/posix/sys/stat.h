/*
 * sys/stat.h - newlib's, and what it keeps for Cygwin alone: the special
 * times of utimensat(2) and futimens(2), with Linux's values, and lstat
 * (libc/file.c).
 */
#ifndef BULKHEAD_POSIX_SYS_STAT_H
#define BULKHEAD_POSIX_SYS_STAT_H

#include_next <sys/stat.h>

#ifndef UTIME_NOW
#define UTIME_NOW  ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)
#endif

#if !defined(__CYGWIN__) && !defined(__rtems__)
int lstat(const char *__restrict path, struct stat *__restrict buf);
#endif

#endif
