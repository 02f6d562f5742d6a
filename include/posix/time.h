/*
 * time.h - newlib's, and POSIX's (XSI) timezone and daylight variables:
 * newlib keeps them as _timezone and _daylight (set by tzset) and
 * declares no other name. The POSIX names are the same objects, named so
 * by their symbols (the tag of struct timezone, <sys/time.h>, is another
 * name space and is untouched).
 */
#ifndef BULKHEAD_POSIX_TIME_H
#define BULKHEAD_POSIX_TIME_H

#include_next <time.h>

extern long timezone __asm__("_timezone");
extern int daylight __asm__("_daylight");

#endif
