/*
 * libc.h - the layer that retargets newlib to Bulkhead: system calls,
 * malloc, locks and per-thread state.
 */
#ifndef BULKHEAD_LIBC_H
#define BULKHEAD_LIBC_H

/* Per-thread newlib state and stdio; call after sched_init(). */
void libc_init(void);

/*
 * Run the application's main(argc, argv) in a thread of its own with
 * constructors run first, then exit(): returns main's exit status.
 */
int libc_run_main(const char *name, int argc, char **argv,
		  unsigned long stack_size);

/* The application's arguments, in shared memory its compartment may
 * read: made by libc_run_main (the core's libc/core.c), read by the
 * application's main thread (libc_start_app, libc/start.c). */
struct libc_main_args {
	int argc;
	char **argv;
};

#endif
