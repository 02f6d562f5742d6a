# libc: newlib's system calls, malloc, locks, per-thread state, POSIX
# threads and start-up, over the heap object of mm/heap.c. Every
# compartment links its own copy (with newlib), so each has its own heap,
# stdio and per-thread errno.
LIBS += libc
libc_SRCS := libc/syscalls.c mm/heap.c libc/malloc.c libc/locks.c \
	libc/thread.c libc/pthread.c libc/start.c libc/socket.c libc/report.c
