# libc: newlib's system calls, malloc, locks, per-thread state, POSIX
# threads and start-up, over the heap object of mm/heap.c, and the POSIX
# layer: one descriptor table for the console, files (on the vfs), pipes
# and sockets (on lwIP); memory mappings, signals, the process's ids and
# limits, names and addresses; owners and symbolic links (which ramfs
# does not keep), the user and group databases, and the dynamic loader's calls, which
# load nothing. Every compartment links its own copy (with newlib), so
# each has its own heap, stdio, per-thread errno, descriptors, mappings and
# signal handlers. With `hardening`, the copy of a compartment carries
# the runtimes of its options (libc/harden.c, ubsan.c, kasan.c).
LIBS += libc
libc_SRCS := libc/syscalls.c mm/heap.c libc/malloc.c libc/locks.c \
	libc/thread.c libc/pthread.c libc/start.c libc/socket.c libc/report.c \
	libc/fd.c libc/file.c libc/dir.c libc/pipe.c libc/poll.c libc/mman.c \
	libc/signal.c libc/system.c libc/netdb.c libc/inet.c libc/dl.c \
	libc/attr.c libc/passwd.c libc/group.c libc/harden.c libc/ubsan.c libc/kasan.c \
	libc/syslog.c libc/glob.c libc/math.c
