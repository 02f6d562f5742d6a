/*
 * start.c - the part of libc every compartment's copy has: newlib's
 * start-up hooks, and the application's main thread (in the application
 * compartment's copy). The kernel core's own part (per-thread state,
 * starting main) is libc/core.c.
 */
#include <stdlib.h>
#include <bulkhead/libc.h>
#include "thread.h"

extern void __libc_init_array(void);
extern int main(int argc, char **argv);

/* newlib calls these around the init arrays; the linker script has none. */
void _init(void)
{
}

void _fini(void)
{
}

/*
 * The application's main thread, in the application compartment's copy of
 * libc: its environment, constructors, main() (which may end with
 * pthread_exit), and exit() with its own atexit handlers and stdio.
 */
void *libc_start_app(void *arg)
{
	struct libc_main_args *a = arg;

	/* The environment Linux's kernel gives init: HOME=/ (programs find
	 * their dot files there). */
	setenv("HOME", "/", 0);

	__libc_init_array();
	exit(libc_run_app_main(main, a->argc, a->argv));
}
