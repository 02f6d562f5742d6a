/*
 * arch/sys_arch.h - lwIP's operating-system types on Bulkhead's scheduler
 * (net/lwip/sys_arch.c has the functions).
 *
 * The scheduler's objects (struct sched_sem, struct sched_mutex, wait
 * queues) are written by the scheduler, which may sit in another
 * compartment than lwIP: like newlib's locks (libc/locks.c) they are kept
 * in shared memory (mm_shared_alloc), never in lwIP's heap or on a stack,
 * and lwIP's handles only point to them. A NULL pointer marks a handle as
 * invalid (sys_*_valid() and sys_*_set_invalid() are functions, as lwIP
 * passes them addresses a macro's NULL test would warn about); a
 * zero-filled handle is invalid.
 */
#ifndef BULKHEAD_LWIP_ARCH_SYS_ARCH_H
#define BULKHEAD_LWIP_ARCH_SYS_ARCH_H

struct sched_sem;
struct sched_mutex;
struct sched_thread;
struct sys_mbox_ring;

/* A counting semaphore. */
typedef struct {
	struct sched_sem *sem;
} sys_sem_t;

/* A non-recursive mutex. */
typedef struct {
	struct sched_mutex *mutex;
} sys_mutex_t;

/* A bounded FIFO of void * messages (sys_arch.c). */
typedef struct {
	struct sys_mbox_ring *ring;
} sys_mbox_t;

/* The scheduler's thread (detached: may be gone once it has returned). */
typedef struct sched_thread *sys_thread_t;

/* The interrupt flag state saved by sys_arch_protect(). */
typedef unsigned long sys_prot_t;

/*
 * The entry point of every thread sys_thread_new() starts. The scheduler
 * calls it through gate_callback(), so it must be a global function that
 * lwIP's library declares as a callback (net/lwip/lwip.api).
 */
void *lwip_sys_thread_entry(void *arg);

#endif
