/*
 * sys_arch.c - lwIP's operating-system layer (NO_SYS 0) on Bulkhead's
 * cooperative scheduler: semaphores, mutexes, mailboxes, threads, the
 * millisecond clock, critical sections and random numbers.
 *
 * One CPU, no preemption: a thread runs until it blocks, so a check
 * followed by sched_wait() cannot lose a wake-up from another thread.
 * Interrupt handlers may still run between any two instructions; the
 * mailboxes, which sys_mbox_trypost_fromisr() may fill from one, are
 * therefore changed with interrupts off, and a reader checks and starts
 * waiting with interrupts off too. Nothing here that can block may be
 * called from an interrupt handler.
 *
 * Semaphores, mutexes, wait queues and threads are the scheduler's, in
 * its own memory; lwIP holds their handles (see arch/sys_arch.h). lwIP's
 * own state (mailbox rings, thread start records) stays in this
 * compartment's heap, where no other compartment can reach it.
 *
 * errno is each thread's own in every compartment's copy of libc
 * (libc/thread.c), so a wait here cannot lose the waiting thread's.
 */
#include <stdlib.h>
#include <string.h>
#include <bulkhead/arch.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>

#include "lwip/opt.h"
#include "lwip/err.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"

#define NSEC_PER_MSEC	  1000000ULL

/* Mailbox capacity when lwIP asks for a size of 0 (an unset option). */
#define MBOX_DEFAULT_SIZE 32

/* ------------------------------------------------------------------------
 * Time
 */

/*
 * The monotonic deadline `ms` milliseconds after `start_ns`, in the form
 * the scheduler's waits take; lwIP's timeout 0 means "wait forever", which
 * is the scheduler's deadline 0.
 */
static uint64_t deadline_after(uint64_t start_ns, u32_t ms)
{
	if (ms == 0)
		return 0;
	return start_ns + (uint64_t)ms * NSEC_PER_MSEC;
}

/*
 * What a successful wait returns to lwIP: the milliseconds it took, never
 * more than the timeout it was given (the clock is read after waking, so
 * it may be a little late) and never SYS_ARCH_TIMEOUT itself.
 */
static u32_t waited_ms(uint64_t start_ns, u32_t timeout)
{
	uint64_t ms = (time_now_ns() - start_ns) / NSEC_PER_MSEC;

	if (timeout != 0 && ms > timeout)
		ms = timeout;
	if (ms >= SYS_ARCH_TIMEOUT)
		ms = SYS_ARCH_TIMEOUT - 1;
	return (u32_t)ms;
}

/* lwIP's clock: milliseconds since boot. Only differences are used, so the
 * wrap after 49 days is harmless. */
u32_t sys_now(void)
{
	return (u32_t)(time_now_ns() / NSEC_PER_MSEC);
}

/* Called by lwip_init() (through tcpip_init()): nothing to set up, every
 * object is created on demand. */
void sys_init(void)
{
}

/* ------------------------------------------------------------------------
 * Semaphores
 */

/* A counting semaphore with `count` initial units. */
err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
	*sem = sched_sem_new(count);
	return *sem ? ERR_OK : ERR_MEM;
}

/* Release one unit and wake a waiter. */
void sys_sem_signal(sys_sem_t *sem)
{
	sched_sem_post(*sem);
}

/*
 * Take one unit, waiting at most `timeout` ms (0: forever). Returns the
 * milliseconds waited, or SYS_ARCH_TIMEOUT if no unit came in time.
 */
u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
	uint64_t start = time_now_ns();
	int r = sched_sem_wait(*sem, deadline_after(start, timeout));

	if (r == SCHED_ETIMEDOUT)
		return SYS_ARCH_TIMEOUT;
	return waited_ms(start, timeout);
}

/* Free the semaphore (the scheduler stops the machine if a thread still
 * waits on it). */
void sys_sem_free(sys_sem_t *sem)
{
	if (!*sem)
		return;
	sched_sem_free(*sem);
	*sem = 0;
}

/* Whether sys_sem_new() succeeded on this handle (and it was not freed). */
int sys_sem_valid(sys_sem_t *sem)
{
	return sem && *sem;
}

/* Mark the handle invalid; the semaphore itself was freed before. */
void sys_sem_set_invalid(sys_sem_t *sem)
{
	*sem = 0;
}

/* ------------------------------------------------------------------------
 * Mutexes
 */

/*
 * A non-recursive mutex, in lwIP's own memory: the thread that holds it
 * (0: nobody) and the threads that wait for it. Taking a free mutex and
 * giving one back that nobody waits for need no call to the scheduler:
 * lwIP takes its core lock on every socket call and around every message
 * its thread handles, and when lwIP has a compartment of its own each
 * call to the scheduler's mutexes crossed a gate (ten per HTTP request).
 * Without preemption a thread runs until it waits, so the test of the
 * holder and the taking are one step; interrupt handlers never take a
 * mutex. The holder is also what lwIP's check of its core lock reads
 * (sys_check_core_locking), with the running-thread word (sched_running).
 */
struct sys_mutex_state {
	sched_thread_t owner;  /* the holder, or 0 */
	unsigned int nwaiters; /* threads waiting in sys_mutex_lock */
	sched_waitq_t waiters;
};

/* A free mutex. */
err_t sys_mutex_new(sys_mutex_t *mutex)
{
	struct sys_mutex_state *m = malloc(sizeof(*m));

	mutex->state = NULL;
	if (!m)
		return ERR_MEM;
	m->waiters = sched_waitq_new();
	if (!m->waiters) {
		free(m);
		return ERR_MEM;
	}
	m->owner = 0;
	m->nwaiters = 0;
	mutex->state = m;
	return ERR_OK;
}

/* Take the mutex, waiting as long as it takes. Taking it again while
 * holding it would wait for ever: that stops the machine instead. */
void sys_mutex_lock(sys_mutex_t *mutex)
{
	struct sys_mutex_state *m = mutex->state;
	sched_thread_t me = sched_running();

	if (m->owner == me)
		panic("lwIP: mutex %p taken again by its holder", (void *)m);
	while (m->owner) {
		m->nwaiters++;
		sched_wait(m->waiters, 0);
		m->nwaiters--;
	}
	m->owner = me;
}

/* Give the mutex back and wake one waiter, if any; only its holder may. */
void sys_mutex_unlock(sys_mutex_t *mutex)
{
	struct sys_mutex_state *m = mutex->state;

	if (m->owner != sched_running())
		panic("lwIP: mutex %p given back by a thread that does not "
		      "hold it",
		      (void *)m);
	m->owner = 0;
	if (m->nwaiters)
		sched_wake_one(m->waiters);
}

/* Free the mutex; nobody may hold or wait for it. */
void sys_mutex_free(sys_mutex_t *mutex)
{
	struct sys_mutex_state *m = mutex->state;

	if (!m)
		return;
	if (m->owner || m->nwaiters)
		panic("lwIP: mutex %p freed while held or waited for",
		      (void *)m);
	sched_waitq_free(m->waiters);
	free(m);
	mutex->state = NULL;
}

/* Whether sys_mutex_new() succeeded on this handle. */
int sys_mutex_valid(sys_mutex_t *mutex)
{
	return mutex && mutex->state;
}

/* Mark the handle invalid; the mutex itself was freed before. */
void sys_mutex_set_invalid(sys_mutex_t *mutex)
{
	mutex->state = NULL;
}

/*
 * With LWIP_TCPIP_CORE_LOCKING, every raw lwIP function must run with the
 * core lock held: in the tcpip thread (which holds it except while it
 * waits for messages), in tcpip_callback() functions, or between
 * LOCK_TCPIP_CORE() and UNLOCK_TCPIP_CORE(). lwIP calls this check
 * (LWIP_ASSERT_CORE_LOCKED, lwipopts.h) on entry to such functions.
 * Before tcpip_init() has created the lock, only the thread initialising
 * lwIP runs it, so there is nothing to check yet.
 */
void sys_check_core_locking(void)
{
	if (!sys_mutex_valid(&lock_tcpip_core))
		return;
	if (lock_tcpip_core.state->owner != sched_running())
		panic("lwIP: called without the core lock (use "
		      "LOCK_TCPIP_CORE, tcpip_callback or netifapi)");
}

/*
 * A hook for tests (lwip.test.api): how 0 calls a core function of lwIP
 * (tcp_new, then tcp_abort) without the core lock, which must stop the
 * machine; 1 the same with the lock, which must work (returns 0); 2 takes
 * the lock and keeps it, waiting for ever (a thread that holds it while
 * another calls); 3 takes it twice and 4 gives it back without holding
 * it, which must both stop the machine.
 */
int lwip_test_core_call(int how)
{
	struct tcp_pcb *pcb;

	if (how == 3) {
		LOCK_TCPIP_CORE();
		LOCK_TCPIP_CORE();
	}
	if (how == 4)
		UNLOCK_TCPIP_CORE();
	if (how == 2) {
		sched_waitq_t never = sched_waitq_new();

		LOCK_TCPIP_CORE();
		for (;;)
			sched_wait(never, 0);
	}
	if (how == 1)
		LOCK_TCPIP_CORE();
	pcb = tcp_new();
	if (pcb)
		tcp_abort(pcb);
	if (how == 1)
		UNLOCK_TCPIP_CORE();
	return pcb ? 0 : -1;
}

/* ------------------------------------------------------------------------
 * Mailboxes
 */

/*
 * A mailbox: a ring of `size` message pointers, the oldest at `head`.
 * Changed only with interrupts off (sys_mbox_trypost_fromisr).
 */
struct sys_mbox_ring {
	sched_waitq_t readers; /* threads waiting for a message */
	sched_waitq_t writers; /* threads waiting for a free slot */
	/* How many wait on each (a woken one counts until it runs): a post
	 * or a take wakes the other side only when someone waits, which
	 * saves a call to the scheduler (a gate crossing when lwIP has a
	 * compartment of its own) on nearly every message. */
	unsigned int nreaders;
	unsigned int nwriters;
	unsigned int size;
	unsigned int head;
	unsigned int count;
	void *msgs[];
};

/* An empty mailbox for at least `size` messages. */
err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
	unsigned int n = size > 0 ? (unsigned int)size : MBOX_DEFAULT_SIZE;
	struct sys_mbox_ring *r;

	mbox->ring = NULL;
	r = malloc(sizeof(*r) + n * sizeof(r->msgs[0]));
	if (!r)
		return ERR_MEM;
	r->readers = sched_waitq_new();
	r->writers = r->readers ? sched_waitq_new() : 0;
	if (!r->writers) {
		if (r->readers)
			sched_waitq_free(r->readers);
		free(r);
		return ERR_MEM;
	}
	r->nreaders = 0;
	r->nwriters = 0;
	r->size = n;
	r->head = 0;
	r->count = 0;
	mbox->ring = r;
	return ERR_OK;
}

/* Append msg to a ring with room; wake a reader. Interrupts are off. */
static void ring_put(struct sys_mbox_ring *r, void *msg)
{
	r->msgs[(r->head + r->count) % r->size] = msg;
	r->count++;
	if (r->nreaders)
		sched_wake_one(r->readers);
}

/* Remove the oldest message of a non-empty ring into *msg (unless msg is
 * NULL: the message is dropped); wake a writer. Interrupts are off. */
static void ring_take(struct sys_mbox_ring *r, void **msg)
{
	if (msg)
		*msg = r->msgs[r->head];
	r->head = (r->head + 1) % r->size;
	r->count--;
	if (r->nwriters)
		sched_wake_one(r->writers);
}

/* Post msg (may be NULL), waiting for a free slot as long as it takes. */
void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
	struct sys_mbox_ring *r = mbox->ring;
	uint64_t flags = irq_save();

	while (r->count == r->size) {
		r->nwriters++;
		sched_wait(r->writers, 0);
		r->nwriters--;
	}
	ring_put(r, msg);
	irq_restore(flags);
}

/* Post msg if there is room: ERR_OK, or ERR_MEM when the mailbox is full.
 * Never blocks. */
err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
	struct sys_mbox_ring *r = mbox->ring;
	uint64_t flags = irq_save();
	err_t err = ERR_MEM;

	if (r->count < r->size) {
		ring_put(r, msg);
		err = ERR_OK;
	}
	irq_restore(flags);
	return err;
}

/* The same from an interrupt handler: trypost neither blocks nor switches
 * (waking a thread is safe in a handler). */
err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
	return sys_mbox_trypost(mbox, msg);
}

/*
 * Take the oldest message into *msg, waiting at most `timeout` ms (0:
 * forever). Returns the milliseconds waited, or SYS_ARCH_TIMEOUT when no
 * message came in time. A woken reader re-checks: another thread may have
 * taken the message first.
 */
u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout)
{
	struct sys_mbox_ring *r = mbox->ring;
	uint64_t flags = irq_save();
	uint64_t start, deadline;
	int timed_out;

	if (r->count > 0) { /* no wait, and no need to read the clock */
		ring_take(r, msg);
		irq_restore(flags);
		return 0;
	}
	start = time_now_ns();
	deadline = deadline_after(start, timeout);
	while (r->count == 0) {
		r->nreaders++;
		timed_out = sched_wait(r->readers, deadline) == SCHED_ETIMEDOUT;
		r->nreaders--;
		if (timed_out && r->count == 0) {
			irq_restore(flags);
			return SYS_ARCH_TIMEOUT;
		}
	}
	ring_take(r, msg);
	irq_restore(flags);
	return waited_ms(start, timeout);
}

/* Take the oldest message if there is one: 0, or SYS_MBOX_EMPTY. */
u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
	struct sys_mbox_ring *r = mbox->ring;
	uint64_t flags = irq_save();
	u32_t ret = SYS_MBOX_EMPTY;

	if (r->count > 0) {
		ring_take(r, msg);
		ret = 0;
	}
	irq_restore(flags);
	return ret;
}

/*
 * Free an empty mailbox. lwIP drains its mailboxes first; messages left
 * behind would be leaked, which is reported. A thread still waiting on it
 * would be left on a freed wait queue: the scheduler stops the machine
 * instead.
 */
void sys_mbox_free(sys_mbox_t *mbox)
{
	struct sys_mbox_ring *r = mbox->ring;

	if (!r)
		return;
	if (r->count)
		LWIP_PLATFORM_DIAG(("lwIP: mailbox %p freed with %u messages\n",
				    (void *)r, r->count));
	sched_waitq_free(r->readers);
	sched_waitq_free(r->writers);
	free(r);
	mbox->ring = NULL;
}

/* Whether sys_mbox_new() succeeded on this handle. */
int sys_mbox_valid(sys_mbox_t *mbox)
{
	return mbox && mbox->ring;
}

/* Mark the handle invalid; the mailbox itself was freed before. */
void sys_mbox_set_invalid(sys_mbox_t *mbox)
{
	mbox->ring = NULL;
}

/* ------------------------------------------------------------------------
 * Threads
 */

/* What a new thread runs: lwIP's function (which returns void). */
struct thread_start {
	lwip_thread_fn fn;
	void *arg;
};

/*
 * The scheduler's entry for every lwIP thread (sched_entry_fn returns a
 * value, lwIP's thread functions do not). Runs in lwIP's compartment,
 * called back through gate_callback(), hence global and declared in
 * lwip.api.
 */
void *lwip_sys_thread_entry(void *arg)
{
	struct thread_start start = *(struct thread_start *)arg;

	free(arg);
	start.fn(start.arg);
	return NULL;
}

/*
 * Start a detached thread running fn(arg) with a stack of `stacksize`
 * bytes (the scheduler's default when not positive). Priorities do not
 * exist here. lwIP requires this to succeed, so failure panics. The name
 * is copied to shared memory first: the scheduler (maybe in another
 * compartment) reads names only from memory every compartment may read,
 * and keeps its own copy.
 */
sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg,
			    int stacksize, int prio)
{
	struct thread_start *start = malloc(sizeof(*start));
	char *shared_name = mm_shared_alloc(SCHED_NAME_MAX);
	sched_thread_t t = 0;

	(void)prio;
	if (start && shared_name) {
		start->fn = fn;
		start->arg = arg;
		strncpy(shared_name, name ? name : "lwip", SCHED_NAME_MAX - 1);
		shared_name[SCHED_NAME_MAX - 1] = '\0';
		t = sched_create(shared_name, lwip_sys_thread_entry, start,
				 stacksize > 0 ? (size_t)stacksize : 0);
	}
	if (shared_name)
		mm_shared_free(shared_name);
	if (!t)
		panic("lwIP: cannot create thread \"%s\"",
		      name ? name : "lwip");
	/* It has not run yet (no preemption): detaching cannot race its exit. */
	sched_detach(t);
	return t;
}

/* ------------------------------------------------------------------------
 * Critical sections and random numbers
 */

/*
 * SYS_ARCH_PROTECT: keep interrupt handlers out of a short critical
 * section. Threads need nothing more (they are not preempted). Nests:
 * the inner call saves "interrupts off" and its unprotect changes nothing.
 */
sys_prot_t sys_arch_protect(void)
{
	return irq_save();
}

/* SYS_ARCH_UNPROTECT: enable interrupts again if they were enabled at the
 * matching sys_arch_protect(). */
void sys_arch_unprotect(sys_prot_t lev)
{
	irq_restore(lev);
}

/* xorshift64* state; 0 until first use (xorshift never leaves 0, and 0 is
 * never a state once seeded). */
static uint64_t rand_state;

/*
 * LWIP_RAND(): pseudo-random numbers for initial sequence numbers, local
 * ports and DHCP transaction ids. Seeded from the TSC on first use, which
 * differs from boot to boot; not meant to resist an attacker.
 */
unsigned int bulkhead_rand(void)
{
	uint64_t x = rand_state;

	if (x == 0) {
		x = rdtsc() ^ 0x9e3779b97f4a7c15ULL;
		if (x == 0)
			x = 0x9e3779b97f4a7c15ULL;
	}
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rand_state = x;
	return (unsigned int)((x * 0x2545f4914f6cdd1dULL) >> 32);
}
