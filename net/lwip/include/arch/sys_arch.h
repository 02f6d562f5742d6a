/*
 * arch/sys_arch.h - lwIP's operating-system types on Bulkhead's scheduler
 * (net/lwip/sys_arch.c has the functions).
 *
 * Semaphores and threads are the scheduler's handles
 * (include/bulkhead/sched.h): the objects live in the scheduler's own
 * memory, which may be another compartment's, and lwIP keeps only the
 * 64-bit names. Mutexes and mailboxes are lwIP's own, in its heap, and
 * call the scheduler only to wait and to wake a waiter. Handle 0 (a NULL
 * pointer) marks an invalid object (sys_*_valid() and
 * sys_*_set_invalid() are functions, as lwIP passes them addresses a
 * macro's test would warn about); a zero-filled object is invalid.
 */
#ifndef BULKHEAD_LWIP_ARCH_SYS_ARCH_H
#define BULKHEAD_LWIP_ARCH_SYS_ARCH_H

#include <bulkhead/sched.h>

struct sys_mbox_ring;
struct sys_mutex_state;

/* A counting semaphore. */
typedef sched_sem_t sys_sem_t;

/* A non-recursive mutex (sys_arch.c). */
typedef struct {
	struct sys_mutex_state *state;
} sys_mutex_t;

/* A bounded FIFO of void * messages (sys_arch.c). */
typedef struct {
	struct sys_mbox_ring *ring;
} sys_mbox_t;

/* The scheduler's thread (detached: its handle goes stale once it has
 * returned). */
typedef sched_thread_t sys_thread_t;

/* The interrupt flag state saved by sys_arch_protect(). */
typedef unsigned long sys_prot_t;

/*
 * The entry point of every thread sys_thread_new() starts. The scheduler
 * calls it through gate_callback(), so it must be a global function that
 * lwIP's library declares as a callback (net/lwip/lwip.api).
 */
void *lwip_sys_thread_entry(void *arg);

#endif
