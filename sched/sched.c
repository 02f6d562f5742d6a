/*
 * sched.c - the cooperative scheduler: a FIFO run queue, a sleep list
 * sorted by wake-up time, and an idle thread that halts the CPU.
 *
 * Every list is touched with interrupts off, so an interrupt handler may
 * wake a thread (sched_wake_one) at any time; switching only ever happens
 * in schedule(), called by the running thread itself.
 *
 * Threads live in this library's own memory (its compartment's heap) and
 * are named to callers by handles (handle.c); nothing a caller hands in is
 * used as a pointer. A thread's name has two copies: the scheduler's own,
 * used in its reports, and one in shared memory for the other
 * compartments to read, which the scheduler only ever writes.
 */
#include <stdlib.h>
#include <string.h>
#include <bulkhead/arch.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>
#include <bulkhead/gate.h>
#include "sched_impl.h"

#define IDLE_STACK (16 * 1024)

enum thread_state {
	T_RUNNABLE, /* running, or in the run queue */
	T_BLOCKED,  /* in a wait queue, maybe also in the sleep list */
	T_SLEEPING, /* only in the sleep list */
	T_EXITED,   /* finished, waiting to be joined or reaped */
};

struct sched_thread {
	uint64_t rsp;		   /* saved stack pointer when not running */
	uint64_t id;		   /* 1, 2, ... in creation order */
	sched_thread_t handle;	   /* what callers know it by */
	char name[SCHED_NAME_MAX]; /* the scheduler's copy, for reports */
	char *shared_name;	   /* SCHED_NAME_MAX bytes of shared memory
				    * for other compartments to read */
	enum thread_state state;
	struct sched_thread *q_next; /* run queue or wait queue links */
	struct sched_thread *q_prev;
	struct waitq *waitq;	     /* wait queue it is blocked on */
	struct sched_thread *s_next; /* sleep list link */
	int on_sleep_list;
	uint64_t wake_at;      /* deadline on the monotonic clock, ns */
	int timed_out;	       /* the deadline, not a wake-up, ended the wait */
	struct mm_stack stack; /* bottom..top, guard page below */
	int owns_stack;	       /* 0 for the boot thread */
	void *ret;	       /* what the entry function returned */
	int detached;	       /* free on exit, nobody joins */
	struct waitq joiners;  /* threads in sched_join */
	uint32_t pkru;	       /* PKRU while switched out (mpk) */
	uintptr_t slot;	       /* full gates: its stack slot, else 0 */
	void *gate;	       /* the gates' per-thread state (ept mailbox) */
	struct sched_thread *reap_next; /* detached and exited: to be freed */
};

/* The frame sched_switch pops (sched/switch.asm). */
struct switch_frame {
	uint32_t mxcsr;
	uint16_t fpu_cw;
	uint16_t pad;
	uint64_t r15, r14, r13, r12, rbx, rbp;
	uint64_t ret;
};

_Static_assert(sizeof(struct switch_frame) == 64, "switch.asm frame");
_Static_assert(__builtin_offsetof(struct sched_thread, rsp) == 0,
	       "sched_switch saves through the thread pointer");

void sched_switch(uint64_t *save_rsp, uint64_t load_rsp);

extern const int libc_comp_index; /* this compartment (generated glue) */
extern const volatile uintptr_t gate_slot; /* running thread's slot (gates) */

/*
 * The stack of a new thread: with full gates, this compartment's region
 * of a fresh stack slot (mm/slot.c, mapped on first touch), else a
 * guarded stack of its own.
 */
static int thread_stack(struct sched_thread *t, size_t size)
{
	if (!comp_has(COMP_PRIVATE_STACKS)) {
		t->stack = mm_stack_alloc(size);
		t->owns_stack = t->stack.bottom != 0;
		return t->owns_stack ? 0 : -1;
	}
	t->slot = mm_slot_alloc();
	if (!t->slot)
		return -1;
	uintptr_t region = t->slot + (uintptr_t)libc_comp_index * SLOT_SPAN;

	t->stack.bottom = region + PAGE_SIZE;
	t->stack.top = region + SLOT_SPAN - 16; /* the link word is above */
	return 0;
}
void sched_thread_start(void);

static struct sched_thread boot_thread;
static char boot_name[SCHED_NAME_MAX] __shared = "boot";
static struct sched_thread *current;
static struct sched_thread *idle;
static struct waitq runq;
static struct sched_thread *sleepers; /* sorted by wake_at */
static struct sched_thread *reap_list;
static uint64_t next_id = 1;
static unsigned long nthreads;

/* The kernel core's libc hooks (sched_set_hooks); 0 when unset. */
static struct {
	sched_thread_init_fn thread_init;
	sched_thread_fini_fn thread_fini;
	sched_switch_fn switch_to;
} hooks;

static void q_push(struct waitq *q, struct sched_thread *t)
{
	t->q_next = NULL;
	t->q_prev = q->tail;
	if (q->tail)
		q->tail->q_next = t;
	else
		q->head = t;
	q->tail = t;
}

static void q_remove(struct waitq *q, struct sched_thread *t)
{
	if (t->q_prev)
		t->q_prev->q_next = t->q_next;
	else
		q->head = t->q_next;
	if (t->q_next)
		t->q_next->q_prev = t->q_prev;
	else
		q->tail = t->q_prev;
	t->q_next = t->q_prev = NULL;
}

static struct sched_thread *q_pop(struct waitq *q)
{
	struct sched_thread *t = q->head;

	if (t)
		q_remove(q, t);
	return t;
}

static void sleep_insert(struct sched_thread *t)
{
	struct sched_thread **pp = &sleepers;

	while (*pp && (*pp)->wake_at <= t->wake_at)
		pp = &(*pp)->s_next;
	t->s_next = *pp;
	*pp = t;
	t->on_sleep_list = 1;
}

static void sleep_remove(struct sched_thread *t)
{
	for (struct sched_thread **pp = &sleepers; *pp; pp = &(*pp)->s_next) {
		if (*pp == t) {
			*pp = t->s_next;
			break;
		}
	}
	t->on_sleep_list = 0;
}

/* Make a blocked or sleeping thread runnable. Interrupts are off. */
static void make_runnable(struct sched_thread *t)
{
	if (t->waitq) {
		q_remove(t->waitq, t);
		t->waitq = NULL;
	}
	if (t->on_sleep_list)
		sleep_remove(t);
	t->state = T_RUNNABLE;
	q_push(&runq, t);
}

static void expire_sleepers(void)
{
	uint64_t now = time_now_ns();

	while (sleepers && sleepers->wake_at <= now) {
		struct sched_thread *t = sleepers;

		t->timed_out = t->state == T_BLOCKED;
		make_runnable(t);
	}
}

/* The thread handle h names (handle_get refuses any other h). */
static struct sched_thread *thread_of(sched_thread_t h, const char *fn)
{
	return handle_get(h, H_THREAD, fn);
}

/* Hooks belong to the kernel core's libc, maybe in another compartment
 * than the scheduler: call through a gate, handing over t's handle. */
static intptr_t call_hook(void *(*hook)(void *), struct sched_thread *t)
{
	return (intptr_t)gate_callback(hook, (void *)(uintptr_t)t->handle);
}

/* Give back a thread's stack, names, handle and structure. */
static void drop_thread(struct sched_thread *t)
{
	if (t->owns_stack)
		mm_stack_free(t->stack);
	if (t->slot)
		mm_slot_free(t->slot);
	if (t->handle)
		handle_free(t->handle);
	mm_shared_free(t->shared_name);
	free(t);
}

static void free_thread(struct sched_thread *t)
{
	if (hooks.thread_fini)
		call_hook(GATE_FN(hooks.thread_fini), t);
	drop_thread(t);
}

/*
 * Switch to the next runnable thread, or to idle. The caller has already
 * put `current` where it belongs (run queue, wait queue, sleep list) and
 * holds interrupts off. Returns when `current` runs again.
 */
static void schedule(void)
{
	expire_sleepers();
	struct sched_thread *next = q_pop(&runq);

	if (!next)
		next = idle;
	if (next == current)
		return;
	struct sched_thread *prev = current;

	current = next;
	if (hooks.switch_to)
		call_hook(GATE_FN(hooks.switch_to), next);
	prev->pkru = gate_pkru_read();
	if (next->slot)
		gate_set_slot(next->slot);
	sched_switch(&prev->rsp, next->rsp);
	gate_pkru_restore(prev->pkru);

	/* Back in `prev`: free threads that exited detached meanwhile. */
	while (reap_list) {
		struct sched_thread *t = reap_list;

		reap_list = t->reap_next;
		free_thread(t);
	}
}

static void *idle_main(void *arg)
{
	(void)arg;
	for (;;) {
		irq_save();
		schedule();
		if (!runq.head)
			cpu_idle(); /* sti; hlt: the timer wakes us */
	}
	return NULL;
}

/*
 * Copy a caller's thread name into dst (SCHED_NAME_MAX bytes, always
 * terminated). The name is read with the scheduler's rights, so it must
 * lie in memory every compartment may read (constants, shared memory):
 * anything else, such as the kernel core's data, would let a caller read
 * it back through sched_thread_name(). Each page is checked before the
 * first byte read from it. No name (NULL, as sched.api allows) is
 * "thread".
 */
static void copy_name(char *dst, const char *name)
{
	size_t i;

	if (!name)
		name = "thread";
	for (i = 0; i < SCHED_NAME_MAX - 1; i++) {
		uintptr_t at = (uintptr_t)(name + i);

		if ((i == 0 || at % PAGE_SIZE == 0) && !vm_public(at, 1))
			panic("sched: sched_create: thread name at 0x%016lx "
			      "is not in memory every compartment may read",
			      (unsigned long)at);
		dst[i] = name[i];
		if (!dst[i])
			break;
	}
	for (; i < SCHED_NAME_MAX; i++)
		dst[i] = '\0';
}

/* A thread structure named `name`, with its shared name block and its
 * handle; NULL when out of memory. */
static struct sched_thread *new_thread(const char *name)
{
	struct sched_thread *t = malloc(sizeof(*t));

	if (!t)
		return NULL;
	memset(t, 0, sizeof(*t));
	copy_name(t->name, name);
	t->shared_name = mm_shared_alloc(SCHED_NAME_MAX);
	if (t->shared_name)
		t->handle = handle_new(H_THREAD, t);
	if (!t->handle) {
		drop_thread(t);
		return NULL;
	}
	return t;
}

/*
 * Build the frame sched_switch "returns" from into sched_thread_start: the
 * return address is the top slot, so after `ret` the stack pointer is the
 * 16-byte aligned top, as a call site needs.
 */
static void init_frame(struct sched_thread *t, sched_entry_fn fn, void *arg)
{
	struct switch_frame *f = (struct switch_frame *)t->stack.top - 1;

	memset(f, 0, sizeof(*f));
	f->mxcsr = 0x1f80;  /* all SSE exceptions masked */
	f->fpu_cw = 0x037f; /* x87 default */
	f->r12 = (uintptr_t)fn;
	f->r13 = (uintptr_t)arg;
	f->ret = (uintptr_t)sched_thread_start;
	t->rsp = (uintptr_t)f;
}

sched_thread_t sched_create(const char *name, sched_entry_fn fn, void *arg,
			    size_t stack_size)
{
	struct sched_thread *t = new_thread(name);

	if (!t)
		return 0;
	if (thread_stack(t, stack_size ? stack_size : SCHED_STACK_DEFAULT) ||
	    (hooks.thread_init &&
	     (int)call_hook(GATE_FN(hooks.thread_init), t) != 0)) {
		drop_thread(t);
		return 0;
	}

	init_frame(t, fn, arg);

	uint64_t flags = irq_save();

	t->id = next_id++;
	nthreads++;
	t->state = T_RUNNABLE;
	q_push(&runq, t);
	irq_restore(flags);
	return t->handle;
}

void sched_init(uintptr_t boot_stack_bottom, uintptr_t boot_stack_top)
{
	memcpy(boot_thread.name, boot_name, SCHED_NAME_MAX);
	boot_thread.shared_name = boot_name;
	boot_thread.handle = handle_new(H_THREAD, &boot_thread);
	boot_thread.slot = comp_has(COMP_PRIVATE_STACKS) ? gate_slot : 0;
	boot_thread.id = next_id++;
	boot_thread.state = T_RUNNABLE;
	boot_thread.stack.bottom = boot_stack_bottom;
	boot_thread.stack.top = boot_stack_top;
	if (!boot_thread.handle)
		panic("sched: no memory for the boot thread's handle");
	current = &boot_thread;
	nthreads = 1;

	idle = new_thread("idle");
	if (!idle || thread_stack(idle, IDLE_STACK) != 0)
		panic("sched: no memory for the idle thread");
	init_frame(idle, idle_main, NULL);
	idle->state = T_RUNNABLE;
}

/*
 * Take the kernel core's libc hooks and give the running boot thread its
 * libc state. Only the core may call this (sched.api), so no other
 * compartment's code is ever handed the scheduler's threads this way.
 */
void sched_set_hooks(sched_thread_init_fn thread_init,
		     sched_thread_fini_fn thread_fini,
		     sched_switch_fn switch_to)
{
	hooks.thread_init = thread_init;
	hooks.thread_fini = thread_fini;
	hooks.switch_to = switch_to;
	if (hooks.thread_init &&
	    (int)call_hook(GATE_FN(hooks.thread_init), &boot_thread) != 0)
		panic("sched: libc state for the boot thread");
	if (hooks.switch_to)
		call_hook(GATE_FN(hooks.switch_to), current);
}

int sched_yield(void)
{
	uint64_t flags = irq_save();

	if (current != idle)
		q_push(&runq, current);
	schedule();
	irq_restore(flags);
	return 0;
}

void sched_sleep_ns(uint64_t ns)
{
	uint64_t flags = irq_save();

	current->wake_at = time_now_ns() + ns;
	current->state = T_SLEEPING;
	sleep_insert(current);
	schedule();
	irq_restore(flags);
}

/*
 * Block the current thread on q (a queue inside one of the scheduler's
 * objects) until woken or until deadline_ns (0: none). Returns 0 or
 * SCHED_ETIMEDOUT. The object may be freed once this returns: callers
 * look their handles up again after waiting.
 */
int waitq_wait(struct waitq *q, uint64_t deadline_ns)
{
	uint64_t flags = irq_save();

	if (current == idle)
		panic("sched: the idle thread may not block");
	current->state = T_BLOCKED;
	current->timed_out = 0;
	current->waitq = q;
	q_push(q, current);
	if (deadline_ns) {
		current->wake_at = deadline_ns;
		sleep_insert(current);
	}
	schedule();
	int timed_out = current->timed_out;

	irq_restore(flags);
	return timed_out ? SCHED_ETIMEDOUT : 0;
}

/*
 * An object whose queue q still holds a thread may not be freed: the
 * thread would later be woken through freed memory. Stop the machine,
 * naming the function, the object (`what`, handle h) and the first
 * waiter.
 */
void waitq_refuse_waiters(const struct waitq *q, const char *fn,
			  const char *what, uint64_t h)
{
	const struct sched_thread *waiter = q->head;

	if (waiter)
		panic("sched: %s: %s handle 0x%016lx freed while thread \"%s\" "
		      "waits on it",
		      fn, what, (unsigned long)h, waiter->name);
}

/* Wake the first thread waiting on q; returns how many woke (0 or 1). */
int waitq_wake_one(struct waitq *q)
{
	uint64_t flags = irq_save();
	int n = 0;

	if (q->head) {
		make_runnable(q->head);
		n = 1;
	}
	irq_restore(flags);
	return n;
}

/* Wake every thread waiting on q; returns how many. */
int waitq_wake_all(struct waitq *q)
{
	uint64_t flags = irq_save();
	int n = 0;

	while (q->head) {
		make_runnable(q->head);
		n++;
	}
	irq_restore(flags);
	return n;
}

void sched_exit(void *ret)
{
	gate_thread_exit(); /* ept: give up the thread's mailbox */
	irq_save();
	if (current == &boot_thread || current == idle)
		panic("sched: thread \"%s\" may not exit", current->name);
	current->ret = ret;
	current->state = T_EXITED;
	nthreads--;
	while (current->joiners.head)
		make_runnable(current->joiners.head);
	if (current->detached) {
		current->reap_next = reap_list;
		reap_list = current;
	}
	schedule();
	panic("sched: an exited thread ran again");
}

void *sched_join(sched_thread_t h)
{
	struct sched_thread *t = thread_of(h, __func__);

	if (t == current)
		panic("sched: thread \"%s\" joins itself", t->name);
	if (t->detached)
		panic("sched: join of detached thread \"%s\"", t->name);
	while (t->state != T_EXITED) {
		waitq_wait(&t->joiners, 0);
		t = thread_of(h, __func__); /* freed by another joiner? */
	}
	void *ret = t->ret;

	free_thread(t);
	return ret;
}

void sched_detach(sched_thread_t h)
{
	uint64_t flags = irq_save();
	struct sched_thread *t = thread_of(h, __func__);

	t->detached = 1;
	if (t->state == T_EXITED) {
		t->reap_next = reap_list;
		reap_list = t;
	}
	irq_restore(flags);
}

sched_thread_t sched_current(void)
{
	return current ? current->handle : 0;
}

const char *sched_thread_name(sched_thread_t h)
{
	struct sched_thread *t = thread_of(h, __func__);

	memcpy(t->shared_name, t->name, SCHED_NAME_MAX);
	return t->shared_name;
}

uint64_t sched_thread_id(sched_thread_t h)
{
	return thread_of(h, __func__)->id;
}

struct mm_stack sched_thread_stack(sched_thread_t h)
{
	return thread_of(h, __func__)->stack;
}

unsigned long sched_thread_count(void)
{
	return nthreads;
}

void *sched_thread_gate(sched_thread_t h)
{
	return thread_of(h, __func__)->gate;
}

void sched_set_thread_gate(sched_thread_t h, void *gate)
{
	thread_of(h, __func__)->gate = gate;
}

/* ------------------------------------------------------------------------
 * Wait queues as objects of their own (sched_waitq_t)
 */

sched_waitq_t sched_waitq_new(void)
{
	struct waitq *q = calloc(1, sizeof(*q));
	sched_waitq_t h = q ? handle_new(H_WAITQ, q) : 0;

	if (!h)
		free(q);
	return h;
}

void sched_waitq_free(sched_waitq_t h)
{
	struct waitq *q = handle_get(h, H_WAITQ, __func__);

	waitq_refuse_waiters(q, __func__, "wait queue", h);
	handle_free(h);
	free(q);
}

int sched_wait(sched_waitq_t h, uint64_t deadline_ns)
{
	return waitq_wait(handle_get(h, H_WAITQ, __func__), deadline_ns);
}

int sched_wake_one(sched_waitq_t h)
{
	return waitq_wake_one(handle_get(h, H_WAITQ, __func__));
}

int sched_wake_all(sched_waitq_t h)
{
	return waitq_wake_all(handle_get(h, H_WAITQ, __func__));
}
