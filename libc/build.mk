# libc: newlib's system calls, the heap and malloc, locks and per-thread
# state. Every compartment links its own copy (with newlib), so each has
# its own heap, stdio and errno.
LIBS += libc
libc_SRCS := libc/syscalls.c libc/heap.c libc/malloc.c libc/locks.c \
	libc/start.c libc/socket.c
