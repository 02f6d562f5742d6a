/*
 * sys/_pthreadtypes.h - the POSIX threads' types, in place of newlib's
 * (include/posix comes before newlib's headers; newlib's <sys/types.h>
 * includes this, and newlib's own <pthread.h> declares the functions,
 * which libc/pthread.c implements).
 *
 * newlib's version names threads, mutexes, condition variables and
 * read-write locks by 32-bit numbers, for an implementation that keeps
 * the objects in tables of its own. Bulkhead's objects are the
 * scheduler's, named by 64-bit handles (include/bulkhead/sched.h): a
 * pthread_t is a thread's handle, and a mutex or condition variable holds
 * its handle (0 until first use, so the static initialisers are all
 * zeros) beside what the POSIX semantics need in the caller's own memory.
 * The constants keep newlib's values.
 */
#ifndef _SYS__PTHREADTYPES_H_
#define _SYS__PTHREADTYPES_H_

#if defined(_POSIX_THREADS) || __POSIX_VISIBLE >= 199506

#include <stddef.h>
#include <sys/_types.h>
#include <sys/sched.h>

/* A thread: the scheduler's handle of it. */
typedef __uint64_t pthread_t;

#define PTHREAD_SCOPE_PROCESS	0
#define PTHREAD_SCOPE_SYSTEM	1

#define PTHREAD_INHERIT_SCHED	1
#define PTHREAD_EXPLICIT_SCHED	2

#define PTHREAD_CREATE_DETACHED 0
#define PTHREAD_CREATE_JOINABLE 1

/* The least stack pthread_attr_setstacksize accepts. */
#define PTHREAD_STACK_MIN	16384

typedef struct {
	int is_initialized;
	void *stackaddr;
	size_t stacksize; /* 0: the scheduler's default */
	int contentionscope;
	int inheritsched;
	int schedpolicy;
	struct sched_param schedparam;
	int detachstate;
} pthread_attr_t;

#if defined(_UNIX98_THREAD_MUTEX_ATTRIBUTES)
/* Relocking deadlocks (here: EDEADLK); unlocking another's fails. */
#define PTHREAD_MUTEX_NORMAL	 0
/* Relocking counts; as many unlocks release it. */
#define PTHREAD_MUTEX_RECURSIVE	 1
/* Relocking fails with EDEADLK, unlocking another's with EPERM. */
#define PTHREAD_MUTEX_ERRORCHECK 2
/* What a mutex is unless told: NORMAL, as POSIX allows. */
#define PTHREAD_MUTEX_DEFAULT	 PTHREAD_MUTEX_NORMAL
#endif

/* A mutex: the scheduler's mutex, its POSIX type, and who holds it how
 * often (kept here, in the caller's memory, by libc/pthread.c). */
typedef struct {
	__uint64_t handle; /* the scheduler's mutex; 0 until first use */
	__uint64_t owner;  /* the holding thread, 0 when free */
	unsigned count;	   /* its holds (RECURSIVE) */
	int type;	   /* PTHREAD_MUTEX_* */
} pthread_mutex_t;

typedef struct {
	int is_initialized;
	int type;
} pthread_mutexattr_t;

#define _PTHREAD_MUTEX_INITIALIZER                                             \
	{                                                                      \
		0, 0, 0, 0                                                     \
	}
#if __GNU_VISIBLE
#define PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP                                 \
	{                                                                      \
		0, 0, 0, 1                                                     \
	}
#define PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP                                \
	{                                                                      \
		0, 0, 0, 2                                                     \
	}
#endif

/* A condition variable: the scheduler's, and the clock of its time-outs
 * (0: CLOCK_REALTIME, 1: CLOCK_MONOTONIC). */
typedef struct {
	__uint64_t handle; /* 0 until first use */
	int monotonic;
} pthread_cond_t;

#define _PTHREAD_COND_INITIALIZER                                              \
	{                                                                      \
		0, 0                                                           \
	}

typedef struct {
	int is_initialized;
	__clockid_t clock;
} pthread_condattr_t;

/* A key of thread-specific data: an index into libc's table. */
typedef __uint32_t pthread_key_t;

typedef struct {
	int is_initialized; /* is this structure initialized? */
	int init_executed;  /* 0 not run, 1 running, 2 done */
} pthread_once_t;

#define _PTHREAD_ONCE_INIT                                                     \
	{                                                                      \
		1, 0                                                           \
	}

#endif /* defined(_POSIX_THREADS) || __POSIX_VISIBLE >= 199506 */

#if defined(_POSIX_READER_WRITER_LOCKS)
/* A read-write lock: a mutex and a condition variable of the scheduler's
 * (0 until first use), guarding who holds it. */
typedef struct {
	__uint64_t mutex;
	__uint64_t cond;
	__uint64_t writer; /* the thread writing, 0 if none */
	unsigned readers;  /* the holds for reading */
} pthread_rwlock_t;

#define _PTHREAD_RWLOCK_INITIALIZER                                            \
	{                                                                      \
		0, 0, 0, 0                                                     \
	}

typedef struct {
	int is_initialized;
} pthread_rwlockattr_t;
#endif /* defined(_POSIX_READER_WRITER_LOCKS) */

#endif /* ! _SYS__PTHREADTYPES_H_ */
