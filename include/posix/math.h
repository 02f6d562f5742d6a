/*
 * math.h - newlib's, and the long double functions libc/math.c adds:
 * newlib declares its long double functions only where long double is
 * double, so a program calling ceill would get an implicit int.
 */
#ifndef BULKHEAD_POSIX_MATH_H
#define BULKHEAD_POSIX_MATH_H

#include_next <math.h>

#if !defined(_LDBL_EQ_DBL)
long double ceill(long double x);
long long llroundl(long double x);
#endif

#endif
