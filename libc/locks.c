/*
 * locks.c - newlib's retargetable locks on scheduler mutexes.
 *
 * newlib built with --enable-newlib-retargetable-locking calls these for
 * stdio, atexit, the environment and time zones. A lock is this copy of
 * libc's own memory holding the handle of a scheduler mutex: the static
 * locks in its .data, the others on its heap. The scheduler keeps the
 * mutex itself in its own memory, so neither side trusts memory the other
 * can write. A static lock gets its mutex on first use (newlib locks them
 * long after start-up, never in interrupt handlers, and creating one
 * never switches threads, so two threads cannot both create it). Its
 * static locks must all be defined here: defining only some would pull in
 * newlib's lock.o, whose no-op versions of the rest would clash.
 */
#include <stdlib.h>
#include <sys/lock.h>
#include <bulkhead/kernel.h>
#include <bulkhead/sched.h>

struct __lock {
	sched_mutex_t mutex; /* 0 until first use */
	int recursive;	     /* may its holder take it again? */
};

struct __lock __lock___sinit_recursive_mutex = {.recursive = 1};
struct __lock __lock___sfp_recursive_mutex = {.recursive = 1};
struct __lock __lock___atexit_recursive_mutex = {.recursive = 1};
struct __lock __lock___at_quick_exit_mutex;
struct __lock __lock___malloc_recursive_mutex = {.recursive = 1};
struct __lock __lock___env_recursive_mutex = {.recursive = 1};
struct __lock __lock___tz_mutex;
struct __lock __lock___dd_hash_mutex;
struct __lock __lock___arc4random_mutex;

/* The lock's scheduler mutex, made on first use. */
static sched_mutex_t mutex_of(struct __lock *l)
{
	if (!l->mutex) {
		l->mutex = sched_mutex_new(l->recursive);
		if (!l->mutex)
			panic("libc: no memory for a lock");
	}
	return l->mutex;
}

static void lock_new(_LOCK_T *lock, int recursive)
{
	struct __lock *l = malloc(sizeof(*l));

	if (!l)
		panic("libc: no memory for a lock");
	l->mutex = 0;
	l->recursive = recursive;
	mutex_of(l);
	*lock = l;
}

static void lock_free(struct __lock *l)
{
	if (l->mutex)
		sched_mutex_free(l->mutex);
	free(l);
}

void __retarget_lock_init(_LOCK_T *lock)
{
	lock_new(lock, 0);
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
	lock_new(lock, 1);
}

void __retarget_lock_close(_LOCK_T lock)
{
	lock_free(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
	lock_free(lock);
}

void __retarget_lock_acquire(_LOCK_T lock)
{
	sched_mutex_lock(mutex_of(lock));
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	sched_mutex_lock(mutex_of(lock));
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
	return sched_mutex_trylock(mutex_of(lock)) == 0;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	return sched_mutex_trylock(mutex_of(lock)) == 0;
}

void __retarget_lock_release(_LOCK_T lock)
{
	sched_mutex_unlock(mutex_of(lock));
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	sched_mutex_unlock(mutex_of(lock));
}
