/* sys/file.h - flock() (libc/file.c), with its operations (newlib's
 * <fcntl.h> names them only for BSD programs). */
#ifndef BULKHEAD_POSIX_SYS_FILE_H
#define BULKHEAD_POSIX_SYS_FILE_H

#include_next <sys/file.h>
#include <fcntl.h>

#ifndef LOCK_SH
#define LOCK_SH 0x01
#define LOCK_EX 0x02
#define LOCK_NB 0x04
#define LOCK_UN 0x08
#endif

int flock(int fd, int operation);

#endif
