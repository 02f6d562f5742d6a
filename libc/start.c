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

int libc_thread_init(struct sched_thread *t)
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

void libc_thread_fini(struct sched_thread *t)
{
	struct _reent *r = sched_libc_state(t);

	if (!r)
		return;
	_reclaim_reent(r);
	free(r);
}

void libc_switch_to(struct sched_thread *next)
{
	struct _reent *r = sched_libc_state(next);

	_impure_ptr = r ? r : (struct _reent *)_global_impure_ptr;
}

void libc_init(void)
{
	static const struct sched_hooks hooks = {
		.thread_init = libc_thread_init,
		.thread_fini = libc_thread_fini,
		.switch_to = libc_switch_to,
	};

	__sinit((struct _reent *)_global_impure_ptr);
	sched_set_hooks(&hooks);
}

/* The application's arguments, in shared memory for its compartment. */
struct main_args {
	int argc;
	char **argv;
};

void *libc_app_entry(void *args); /* the app compartment's glue */

/*
 * The application's main thread, in the application compartment's copy of
 * libc: its constructors, main(), and exit() with its own atexit handlers
 * and stdio.
 */
void *libc_start_app(void *arg)
{
	struct main_args *a = arg;

	__libc_init_array();
	exit(main(a->argc, a->argv));
}

/* Copy argv into one block of shared memory the application may read. */
static struct main_args *share_args(int argc, char **argv)
{
	size_t bytes = sizeof(struct main_args) + (argc + 1) * sizeof(char *);

	for (int i = 0; i < argc; i++)
		bytes += strlen(argv[i]) + 1;
	struct main_args *a = mm_shared_alloc(bytes);

	if (!a)
		return NULL;
	a->argc = argc;
	a->argv = (char **)(a + 1);
	char *p = (char *)(a->argv + argc + 1);

	for (int i = 0; i < argc; i++) {
		a->argv[i] = strcpy(p, argv[i]);
		p += strlen(argv[i]) + 1;
	}
	a->argv[argc] = NULL;
	return a;
}

int libc_run_main(const char *name, int argc, char **argv,
		  unsigned long stack_size)
{
	struct main_args *args = share_args(argc, argv);
	struct sched_thread *t =
		args ? sched_create("main", libc_app_entry, args, stack_size)
		     : NULL;

	if (!t)
		panic("libc: no memory for the main thread of %s", name);
	return (int)(intptr_t)sched_join(t);
}
