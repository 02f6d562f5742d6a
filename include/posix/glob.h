/* glob.h - newlib's (BSD's) glob interface, with what POSIX adds to it:
 * GLOB_NOMATCH and GLOB_NOESCAPE (libc/glob.c). */
#ifndef BULKHEAD_POSIX_GLOB_H
#define BULKHEAD_POSIX_GLOB_H

#include_next <glob.h>

#define GLOB_NOMATCH  (-3)
#define GLOB_NOESCAPE 0x2000

#endif
