/*
 * locks.c - newlib's retargetable locks on scheduler mutexes.
 *
 * newlib built with --enable-newlib-retargetable-locking calls these for
 * stdio, atexit, the environment and time zones. The scheduler, which may
 * be in another compartment, works on the locks: they live in shared
 * memory (the static ones in the shared section, the others on the shared
 * heap). Its static locks must
 * all be defined here: defining only some would pull in newlib's lock.o,
 * whose no-op versions of the rest would clash.
 */
#include <stdlib.h>
#include <sys/lock.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>

struct __lock {
	struct sched_mutex mutex;
};

struct __lock __shared __lock___sinit_recursive_mutex = {{.recursive = 1}};
struct __lock __shared __lock___sfp_recursive_mutex = {{.recursive = 1}};
struct __lock __shared __lock___atexit_recursive_mutex = {{.recursive = 1}};
struct __lock __shared __lock___at_quick_exit_mutex;
struct __lock __shared __lock___malloc_recursive_mutex = {{.recursive = 1}};
struct __lock __shared __lock___env_recursive_mutex = {{.recursive = 1}};
struct __lock __shared __lock___tz_mutex;
struct __lock __shared __lock___dd_hash_mutex;
struct __lock __shared __lock___arc4random_mutex;

static void lock_new(_LOCK_T *lock, int recursive)
{
	struct __lock *l = mm_shared_alloc(sizeof(*l));

	if (!l)
		panic("libc: no memory for a lock");
	sched_mutex_init(&l->mutex, recursive);
	*lock = l;
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
	mm_shared_free(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
	mm_shared_free(lock);
}

void __retarget_lock_acquire(_LOCK_T lock)
{
	sched_mutex_lock(&lock->mutex);
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	sched_mutex_lock(&lock->mutex);
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
	return sched_mutex_trylock(&lock->mutex) == 0;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	return sched_mutex_trylock(&lock->mutex) == 0;
}

void __retarget_lock_release(_LOCK_T lock)
{
	sched_mutex_unlock(&lock->mutex);
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	sched_mutex_unlock(&lock->mutex);
}
