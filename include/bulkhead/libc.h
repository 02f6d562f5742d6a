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

#endif
