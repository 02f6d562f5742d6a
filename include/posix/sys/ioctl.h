/* sys/ioctl.h - ioctl() on sockets: FIONBIO and FIONREAD (lwIP's values),
 * each with an int argument (libc/syscalls.c). */
#ifndef BULKHEAD_POSIX_SYS_IOCTL_H
#define BULKHEAD_POSIX_SYS_IOCTL_H

#include "lwip/sockets.h"

int ioctl(int fd, unsigned long request, ...);

#endif
