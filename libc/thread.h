/*
 * thread.h - what libc's own files share about threads: each copy's record
 * of the threads that ran in it (libc/thread.c), used by newlib's
 * __getreent(), by the POSIX threads (libc/pthread.c) and by the kernel
 * core's scheduler hooks (libc/core.c).
 */
#ifndef LIBC_THREAD_H
#define LIBC_THREAD_H

#include <reent.h>
#include <setjmp.h>
#include <signal.h>
#include <bulkhead/sched.h>

/* A thread-specific value of pthread_setspecific: it counts only while
 * `seq` is that of its key (a deleted key's values are gone). */
struct libc_tsd {
	unsigned seq;
	void *value;
};

/* What this copy of libc keeps for one thread, in its own heap. */
struct libc_thread {
	sched_thread_t thread; /* whose record this is */
	struct _reent reent;   /* newlib's state: errno, strtok, rand, ... */
	struct libc_tsd *tsd;  /* PTHREAD_KEYS_MAX values, made on first use */
	sigset_t sigmask;      /* pthread_sigmask's */
	jmp_buf *exit_point;   /* where pthread_exit goes, or NULL */
	void *exit_value;      /* what pthread_exit was given */
	int cancel_state;      /* pthread_setcancelstate's (0: enabled) */
	int cancel_type;       /* pthread_setcanceltype's (0: deferred) */
};

/* The running thread's handle, read without a call (sched.h). */
static inline sched_thread_t libc_running(void)
{
	return sched_running();
}

/* The running thread's record in this copy, made on first use (except in
 * the core's copy, whose records the hooks make); NULL when there is no
 * thread yet, in the core's copy for a thread it has none for (idle), or
 * when out of memory. */
struct libc_thread *libc_thread_self(void);
/* Make thread t's record now (0), or -1 when out of memory. */
int libc_thread_make(sched_thread_t t);
/* Thread t is gone: free its record, if this copy has one. */
void libc_thread_drop(sched_thread_t t);
/* The core's copy: records are made by the scheduler's hooks only (a
 * record made on first use could be made in an interrupt handler). */
void libc_thread_by_hooks(void);

/* Run main(argc, argv) as the application's main thread (libc/pthread.c):
 * its value, or 0 once it called pthread_exit and every thread it
 * started has ended. */
int libc_run_app_main(int (*main)(int, char **), int argc, char **argv);

#endif
