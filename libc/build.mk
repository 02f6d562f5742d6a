# libc: newlib's system calls, malloc, locks and start-up, over the
# heap object of mm/heap.c. Every compartment links its own copy (with
# newlib), so each has its own heap, stdio and errno.
LIBS += libc
libc_SRCS := libc/syscalls.c mm/heap.c libc/malloc.c libc/locks.c \
	libc/start.c libc/socket.c libc/report.c
