/*
 * start.c - newlib's per-thread state and the application's main thread.
 *
 * Each thread gets its own struct _reent (errno, strtok state, rand, ...);
 * the scheduler's switch hook points newlib's _impure_ptr at it. The
 * standard streams are one set for the whole system, as in a POSIX
 * process: every thread's reent borrows the global reent's stdin, stdout
 * and stderr (stdio locks them), so output is not lost or reordered in
 * per-thread buffers, and exit() flushes it.
 */
#include <reent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/kernel.h>
#include <bulkhead/libc.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>

extern void __sinit(struct _reent *);
extern void __libc_init_array(void);
extern int main(int argc, char **argv);

/* newlib calls these around the init arrays; the linker script has none. */
void _init(void)
{
}

void _fini(void)
{
}

/* The borrowed streams belong to the global reent: nothing to clean. */
static void no_cleanup(struct _reent *r)
{
	(void)r;
}

static int thread_init(struct sched_thread *t)
{
	struct _reent *r = malloc(sizeof(*r));

	if (!r)
		return -1;
	_REENT_INIT_PTR(r);
	r->_stdin = _global_impure_ptr->_stdin;
	r->_stdout = _global_impure_ptr->_stdout;
	r->_stderr = _global_impure_ptr->_stderr;
	r->__sdidinit = 1;
	r->__cleanup = no_cleanup;
	sched_set_libc_state(t, r);
	return 0;
}

static void thread_fini(struct sched_thread *t)
{
	struct _reent *r = sched_libc_state(t);

	if (!r)
		return;
	_reclaim_reent(r);
	free(r);
}

static void switch_to(struct sched_thread *next)
{
	struct _reent *r = sched_libc_state(next);

	_impure_ptr = r ? r : (struct _reent *)_global_impure_ptr;
}

void libc_init(void)
{
	static const struct sched_hooks hooks = {
		.thread_init = thread_init,
		.thread_fini = thread_fini,
		.switch_to = switch_to,
	};

	__sinit((struct _reent *)_global_impure_ptr);
	sched_set_hooks(&hooks);
}

struct main_args {
	int argc;
	char **argv;
};

static void *main_thread(void *arg)
{
	struct main_args *a = arg;

	__libc_init_array();
	exit(main(a->argc, a->argv));
}

int libc_run_main(const char *name, int argc, char **argv,
		  unsigned long stack_size)
{
	struct main_args args = {argc, argv};
	struct sched_thread *t =
		sched_create("main", main_thread, &args, stack_size);

	if (!t)
		panic("libc: no memory for the main thread of %s", name);
	return (int)(intptr_t)sched_join(t);
}
