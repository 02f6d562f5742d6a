/* sys/ioctl.h - ioctl() on sockets: FIONBIO and FIONREAD (lwIP's values),
 * each with an int argument (libc/syscalls.c). */
#ifndef BULKHEAD_POSIX_SYS_IOCTL_H
#define BULKHEAD_POSIX_SYS_IOCTL_H

#include "lwip/sockets.h"

/* Signal-driven I/O (SIGIO), BSD's number beside lwIP's FIONBIO and
 * FIONREAD: programs name it (nginx, for its channel between processes);
 * no descriptor sends SIGIO, and lwIP refuses the request. */
#ifndef FIOASYNC
#define FIOASYNC _IOW('f', 125, int)
#endif

int ioctl(int fd, unsigned long request, ...);

#endif
