/*
 * sys/uio.h - scatter/gather I/O: readv and writev (libc/file.c).
 */
#ifndef _SYS_UIO_H
#define _SYS_UIO_H

#include <stddef.h>
#include <sys/types.h>

#ifndef iovec
/* lwIP's sockets.h declares the same struct unless iovec is a macro. */
#define iovec iovec
struct iovec {
	void *iov_base; /* where the piece starts */
	size_t iov_len; /* its length in bytes */
};
#endif

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif

ssize_t readv(int fd, const struct iovec *iov, int n);
ssize_t writev(int fd, const struct iovec *iov, int n);

#endif
