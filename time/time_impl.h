/* time_impl.h - shared by time's own files. */
#ifndef TIME_IMPL_H
#define TIME_IMPL_H

#include <stdint.h>

uint64_t rtc_read_ns(void); /* the CMOS clock, as ns since 1970 */

#endif
