/*
 * core.c - the kernel core's part of libc: the scheduler's hooks that give
 * every compartment's copy of libc the running thread, and the
 * application's main thread.
 *
 * On every switch the hook writes the running thread's handle into the
 * word every copy's __getreent() reads (libc/thread.h); under mpk its page
 * carries the page tables' key, so only the core's domain, where the hook
 * runs, may write it. The core's own copy keeps a record per thread
 * (libc/thread.c), made and freed by the hooks rather than on first use,
 * since interrupt handlers run in this copy.
 *
 * Only the kernel core may set the scheduler's hooks and start main
 * (sched.api), so this file is linked into the kernel library
 * (kernel/build.mk), not into libc: it exists only in the core's
 * compartment, and no other compartment's libc even names
 * sched_set_hooks.
 */
#include <reent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/kernel.h>
#include <bulkhead/libc.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>
#include "thread.h"

extern void __sinit(struct _reent *);

/* The storage of __running_thread: a page of its own in the image
 * (linker/image.ld.in), which the mpk backend tags at boot. */
static sched_thread_t running_word
	__attribute__((section(".running_thread"), used));

/* Scheduler hook: a new thread t gets its record in the core's copy. */
int libc_thread_init(sched_thread_t t)
{
	return libc_thread_make(t);
}

/* Scheduler hook: thread t is freed; so is its record. */
void libc_thread_fini(sched_thread_t t)
{
	libc_thread_drop(t);
}

/* Scheduler hook, interrupts off: `next` runs from now on, in every
 * compartment's eyes. */
void libc_switch_to(sched_thread_t next)
{
	__running_thread = next;
}

/* Set up stdio, then give every thread newlib state of its own through
 * the scheduler's hooks (the boot thread's first). */
void libc_init(void)
{
	__sinit((struct _reent *)_global_impure_ptr);
	libc_thread_by_hooks();
	sched_set_hooks(libc_thread_init, libc_thread_fini, libc_switch_to);
}

void *libc_app_entry(void *args); /* the app compartment's glue */

/* Copy argv into one block of shared memory the application may read. */
static struct libc_main_args *share_args(int argc, char **argv)
{
	size_t bytes =
		sizeof(struct libc_main_args) + (argc + 1) * sizeof(char *);

	for (int i = 0; i < argc; i++)
		bytes += strlen(argv[i]) + 1;
	struct libc_main_args *a = mm_shared_alloc(bytes);

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
	struct libc_main_args *args = share_args(argc, argv);
	sched_thread_t t =
		args ? sched_create("main", libc_app_entry, args, stack_size)
		     : 0;

	if (!t)
		panic("libc: no memory for the main thread of %s", name);
	return (int)(intptr_t)sched_join(t);
}
