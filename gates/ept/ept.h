/*
 * ept.h - the EPT backend: compartments in separate VMs that share one
 * memory region (a host file every VM maps at EPT_SHARED_BASE).
 *
 * A gate is an RPC through a mailbox in the shared region. Each logical
 * thread has one mailbox: the thread that started it in its VM, and the
 * mirror threads serving it in other VMs, take turns on it, so a call
 * that calls back (A -> B -> A) is served by the same logical thread. The
 * callee runs function `fn` of its own export table (generated per
 * configuration), never a pointer taken from the mailbox.
 */
#ifndef GATES_EPT_H
#define GATES_EPT_H

#include <stdint.h>

#define EPT_VMS	      8	       /* compartments (VMs) at most */
#define EPT_BOXES     4096     /* mailboxes: logical threads crossing VMs */
#define EPT_ARENAS_AT 0x200000 /* offset of the shared-heap arenas */

/* Mailbox states. A mailbox's `turn` holds the state and the compartment
 * whose turn it is in one word, so both are read and written together. */
enum ept_state {
	EPT_FREE = 0, /* never used */
	EPT_IDLE,     /* its thread runs in its home VM, no call pending */
	EPT_CALL,     /* compartment `to` must run fn(args) */
	EPT_RET,      /* compartment `to` may take ret */
	EPT_REJECT,   /* compartment `to`'s call was malformed */
	EPT_DEAD,     /* its thread ended; mirrors leave */
};

#define EPT_TURN(state, to) ((uint32_t)(state) << 16 | (uint32_t)(to))
#define EPT_STATE(turn)	    ((turn) >> 16)
#define EPT_TO(turn)	    ((turn)&0xffff)

struct ept_box {
	volatile uint32_t turn; /* EPT_TURN(state, compartment) */
	uint32_t spare;
	uint32_t from; /* compartment that made the call */
	uint32_t fn;   /* index in the callee's export table */
	uint32_t argc; /* arguments used */
	uint32_t home; /* VM whose thread owns the mailbox */
	uint64_t args[6];
	uint64_t ret;
	volatile uint8_t mirror[EPT_VMS]; /* VM c serves it with a thread */
	uint8_t pad[256 - 4 * 6 - 8 * 7 - EPT_VMS];
};

_Static_assert(sizeof(struct ept_box) == 256, "one mailbox is 256 bytes");

/* The start of the shared region. */
struct ept_shared {
	volatile uint32_t up[EPT_VMS];		/* VM c is serving calls */
	volatile uint64_t used[EPT_BOXES / 64]; /* mailbox allocation bitmap */
	uint8_t pad[4096 - 4 * EPT_VMS - 8 * (EPT_BOXES / 64)];
	struct ept_box boxes[EPT_BOXES];
};

_Static_assert(sizeof(struct ept_shared) <= EPT_ARENAS_AT,
	       "mailboxes fit below the arenas");

/* One exported function of a compartment, as the generator lists it. */
struct ept_export {
	void *fn; /* long fn(long, long, long, long, long, long) */
	unsigned argc;
	const char *name;
	int vouched; /* the last argument is the caller's index (API `caller`) */
};

/* Per compartment, generated: its export table. */
struct ept_table {
	const struct ept_export *exports;
	unsigned count;
};

/* The platform the mailbox code runs on: the kernel, or a Linux process
 * in the host harness. */
struct ept_platform {
	void (*pause)(void);		 /* spin-wait hint */
	void (*yield)(void);		 /* let this VM's others run */
	uint64_t (*now_ns)(void);	 /* a monotonic clock */
	void (*block)(uint64_t ns);	 /* give the CPU up this long */
	struct ept_box *(*my_box)(void); /* this thread's mailbox, or NULL */
	void (*set_my_box)(struct ept_box *b);
	void (*report)(const char *msg); /* a malformed call, logged */
	__attribute__((noreturn)) void (*fail)(const char *msg);
};

/* Set up the mailbox code for compartment `self` of region `shared`. */
void ept_init(struct ept_shared *shared, unsigned self,
	      const struct ept_table *tables, unsigned ncomps,
	      const struct ept_platform *platform, uint64_t spin_ns);
/* A gate: run function `fn` of compartment `to` with argc arguments. */
long ept_call(unsigned to, unsigned fn, unsigned argc, long a0, long a1,
	      long a2, long a3, long a4, long a5);
/* Serve calls to this compartment on mailbox b until its thread ends. */
void ept_serve(struct ept_box *b);
/* A mailbox with a call for this compartment that nobody here serves yet,
 * now marked served; NULL if none. */
struct ept_box *ept_new_call(void);
/* The calling thread ends: its mailbox, if any, is given up. */
void ept_thread_exit(void);

#endif
