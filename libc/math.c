/*
 * math.c - the long double functions newlib's libm lacks on x86_64 (its
 * long double versions exist only where long double is double): ceill
 * and llroundl, on the 80-bit x87 format, whose 64-bit significand holds
 * every integer of magnitude below 2^64 exactly.
 */
#include <limits.h>
#include <math.h>

/* The smallest integer not less than x; x itself when it is one already
 * (all of magnitude 2^63 and more are), NaN or infinite. */
long double ceill(long double x)
{
	if (!(x > -0x1p63L && x < 0x1p63L))
		return x;
	long double t = (long double)(long long)x;

	if (t < x)
		t += 1;
	return t == 0 && x < 0 ? -0.0L : t;
}

/* x rounded to the nearest integer, halves away from zero. Out of range
 * (or NaN) it is LLONG_MIN, as the x87's conversion gives. */
long long llroundl(long double x)
{
	if (!(x > -0x1p63L && x < 0x1p63L))
		return LLONG_MIN;
	long long t = (long long)x;
	long double frac = x - (long double)t;

	if (frac >= 0.5L)
		t++;
	else if (frac <= -0.5L)
		t--;
	return t;
}
