# libc: newlib's system calls, allocator, locks and per-thread state.
LIBS += libc
libc_SRCS := libc/syscalls.c libc/malloc.c libc/locks.c libc/start.c
