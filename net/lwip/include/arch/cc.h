/*
 * arch/cc.h - the compiler and C library lwIP is built with: gcc for
 * x86_64 and newlib's headers (-nostdinc -isystem newlib/include; the
 * Linux predefines are undefined, so lwIP takes no Linux-specific path).
 */
#ifndef BULKHEAD_LWIP_ARCH_CC_H
#define BULKHEAD_LWIP_ARCH_CC_H

#include <stdint.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <sys/types.h>
/* struct timeval, and fd_set with newlib's FD_SETSIZE (<sys/select.h>),
 * which lwIP then uses instead of defining its own. */
#include <sys/time.h>
/* newlib's O_NONBLOCK, F_GETFL and F_SETFL, so lwip_fcntl() speaks the
 * same values as the rest of the system (lwIP has fallbacks otherwise). */
#include <fcntl.h>
/* libc's struct iovec (a macro names it), so lwIP's sockets.h does not
 * define a second one that <sys/uio.h>, included after it, would clash
 * with (nginx includes <sys/ioctl.h>, which is lwIP's, then <sys/uio.h>). */
#include <sys/uio.h>

/* lwIP's integer types come from <stdint.h> (u8_t ... s32_t) and its
 * printf formats from <inttypes.h>: arch.h does both when LWIP_NO_STDINT_H
 * and LWIP_NO_INTTYPES_H are left at 0. */

/* x86 is little-endian. newlib's <machine/endian.h> (through
 * <sys/types.h>) already defines BYTE_ORDER and LITTLE_ENDIAN, silently
 * replacing lwIP's LITTLE_ENDIAN with the same value (1234). */
#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif
#if BYTE_ORDER != LITTLE_ENDIAN
#error "lwIP: Bulkhead runs little-endian"
#endif

/* newlib has ssize_t (long) but no SSIZE_MAX; without it lwIP would
 * typedef its own ssize_t as int and clash. */
#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX
#endif

/* newlib's struct timeval, not lwIP's private copy. */
#ifndef LWIP_TIMEVAL_PRIVATE
#define LWIP_TIMEVAL_PRIVATE 0
#endif

/*
 * errno: newlib provides errno (per thread) and the E* values. lwIP tests
 * LWIP_PROVIDE_ERRNO with #ifdef, so it must stay undefined (defining it
 * even to 0 would make lwIP define its own E* values). lwIP then includes
 * <errno.h> itself: LWIP_ERRNO_STDINCLUDE, not LWIP_ERRNO_INCLUDE
 * <errno.h>, whose `errno` token newlib's errno macro would expand once
 * <errno.h> has been included.
 */
#define LWIP_ERRNO_STDINCLUDE 1

/* Random numbers for TCP initial sequence numbers, local ports and DHCP
 * transaction ids (sys_arch.c). */
unsigned int bulkhead_rand(void);
#define LWIP_RAND() ((u32_t)bulkhead_rand())

/* Diagnostics: LWIP_PLATFORM_DIAG(("fmt", args)) takes its arguments in
 * double parentheses. */
#define LWIP_PLATFORM_DIAG(x)                                                  \
	do {                                                                   \
		printf x;                                                      \
	} while (0)

/* A failed LWIP_ASSERT stops the machine with a report (thread, backtrace).
 * Applications see this header through the socket headers: the name is
 * in parentheses so that a program's own function-like macro panic()
 * (Redis has one) does not expand here. */
__attribute__((noreturn, format(printf, 1, 2))) void(panic)(const char *fmt,
							    ...);
#define LWIP_PLATFORM_ASSERT(x)                                                \
	panic("lwIP: assertion \"%s\" failed at %s:%d", (x), __FILE__, __LINE__)

/* Byte order as compiler built-ins (def.h then declares no functions):
 * no call per header field, and nothing an application in another
 * compartment would have to reach through a gate. */
#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))

#endif
