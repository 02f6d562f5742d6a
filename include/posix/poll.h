/* poll.h - poll() over lwIP's sockets (libc/socket.c). */
#ifndef BULKHEAD_POSIX_POLL_H
#define BULKHEAD_POSIX_POLL_H

#include "lwip/sockets.h"

int poll(struct pollfd *fds, nfds_t nfds, int timeout);

#endif
