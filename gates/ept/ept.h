/*
 * ept.h - the EPT backend: compartments in separate VMs that share one
 * memory region at EPT_SHARED_BASE.
 *
 * The region is cut into one part per VM (EPT_PART_SIZE each, part c at
 * EPT_SHARED_BASE + c * EPT_PART_SIZE). Every VM maps every part, but
 * QEMU lets only the owner write its part (scripts/ept-launch.py: a
 * memory file per part, read-only in the other VMs). So whatever sits in
 * a part was written by its owner, and nobody else: that is how a
 * message names its sender.
 *
 * A gate is an RPC. Each logical thread (a thread that calls into other
 * VMs, with the mirror threads serving it there) has a number, `id`,
 * given by its home VM from that VM's own range. Every VM has one message
 * slot per logical thread in its part: the last call, reply or end it
 * said on that thread. A callee runs function `fn` of its own export
 * table (generated per configuration), never a pointer taken from a
 * message.
 */
#ifndef GATES_EPT_H
#define GATES_EPT_H

#include <stdint.h>

struct gate_arg; /* include/bulkhead/gate.h */

#define EPT_VMS	      8	  /* compartments (VMs) at most */
#define EPT_THREADS   512 /* logical threads per home VM at once */
#define EPT_IDS	      (EPT_VMS * EPT_THREADS)
#define EPT_PART_SIZE 0x800000 /* one VM's part of the shared region */
#define EPT_ARENA_AT  0x100000 /* a part's shared-heap arena, from its start */
#define EPT_HOME(id)  ((id) / EPT_THREADS) /* the VM that numbered it */
/* A part's copy area, between its messages and its arena: where a caller
 * copies buffers for the callee to read and a callee serves buffers for
 * the caller to copy back (copy.c). */
#define EPT_COPY_AT   0x81000
#define EPT_COPY_MAX  0x10000 /* bytes of one buffer argument at most */

/* What a message says. */
enum ept_kind {
	EPT_NONE = 0, /* nothing said yet */
	EPT_CALL,     /* `to` must run fn(args) */
	EPT_RET,      /* to `to`: the result of its call number `echo` */
	EPT_REJECT,   /* to `to`: its call number `echo` was malformed */
	EPT_DEAD,     /* the home's thread ended; mirrors leave */
};

/*
 * One VM's last message on one logical thread, in that VM's part. The
 * owner makes `seq` odd while it rewrites the message and even again
 * when the message is whole; a message's number is seq / 2, and grows
 * by one with every message the owner writes there.
 */
struct ept_msg {
	volatile uint32_t seq; /* 2 x messages written; odd while writing */
	uint32_t kind;	       /* enum ept_kind */
	uint32_t to;	       /* the VM it is for */
	uint32_t echo;	       /* RET, REJECT: the call's seq it answers */
	uint32_t fn;	       /* CALL: index in the callee's export table */
	uint32_t argc;	       /* CALL: arguments used */
	uint64_t args[6];      /* CALL: the arguments */
	uint64_t ret;	       /* RET: the result */
	uint64_t bounce[6];    /* RET: where the callee's part holds the
				  bytes of out/inout argument i, or 0 */
};

_Static_assert(sizeof(struct ept_msg) == 128, "one message is 128 bytes");

/* The start of one VM's part; its arena follows at EPT_ARENA_AT. */
struct ept_part {
	volatile uint32_t up;	      /* the owner serves calls */
	volatile uint32_t tsc_khz;    /* default compartment's VM: its TSC's
				      frequency, which every VM counts at */
	volatile uint32_t setup_done; /* default compartment's VM: the file
					 system is made */
	uint32_t unused;
	volatile uint64_t used[EPT_IDS / 64]; /* the owner wrote on thread i */
	uint8_t pad[4096 - 16 - 8 * (EPT_IDS / 64)];
	struct ept_msg msgs[EPT_IDS]; /* the owner's message per thread */
};

_Static_assert(sizeof(struct ept_part) <= EPT_COPY_AT &&
		       EPT_COPY_AT % 4096 == 0 && EPT_COPY_AT < EPT_ARENA_AT,
	       "the messages, then the copy area, then the arena");

/* One exported function of a compartment, as the generator lists it. */
struct ept_export {
	void *fn; /* long fn(long, long, long, long, long, long) */
	unsigned argc;
	const char *name;
	int vouched; /* the last argument is the caller's index (API `caller`) */
	const struct gate_arg *contract; /* nargs arguments to check, or NULL */
	unsigned nargs;
	unsigned site; /* gate_checks[site + c]: a call from compartment c */
};

/* Per compartment, generated: its export table. */
struct ept_table {
	const struct ept_export *exports;
	unsigned count;
};

/*
 * What a gate copied for one call (copy.c): in the caller, the buffers
 * to copy back after the reply; in the callee, the bounce buffers it
 * served. Kept in the private memory of the VM that filled it.
 */
struct ept_copies {
	uint64_t back[6]; /* caller: the caller's own out/inout buffer, or 0 */
	uint64_t len[6];  /* caller: bytes to copy back into it */
	uintptr_t base;	  /* pages taken in this VM's copy area, or 0 */
	unsigned pages;
};

/* The platform the mailbox code runs on: the kernel, or a Linux process
 * in the host harness. */
struct ept_platform {
	void (*pause)(void);		 /* spin-wait hint */
	void (*yield)(void);		 /* let this VM's others run */
	uint64_t (*now_ns)(void);	 /* a monotonic clock */
	void (*block)(uint64_t ns);	 /* give the CPU up this long */
	struct ept_msg *(*my_box)(void); /* this thread's slot, or NULL */
	void (*set_my_box)(struct ept_msg *m);
	const char *(*name)(unsigned comp); /* a compartment's name */
	void (*report)(const char *msg);    /* a rejected message, logged */
	__attribute__((noreturn)) void (*fail)(const char *msg);
	/*
	 * The argument contracts (copy.c); NULL in a platform whose calls
	 * carry no buffers. copy_in: before a call to `to`, check and copy
	 * the caller's buffers into its part, rewriting args; nonzero is
	 * the call's result (-EFAULT) without calling. copy_out: after the
	 * reply, copy the out/inout bytes back from the callee's part.
	 * check_call: before serving export fn to VM `from`, check args and
	 * give out/inout a bounce (in bounce[], for the reply); nonzero is
	 * the reply without running fn. hold: keep the bounce until `from`
	 * says something new on thread id (release; `from` EPT_VMS: the
	 * thread ended).
	 */
	long (*copy_in)(unsigned to, unsigned fn, unsigned argc,
			uint64_t args[6], struct ept_copies *c);
	void (*copy_out)(unsigned to, const uint64_t bounce[6],
			 struct ept_copies *c);
	long (*check_call)(unsigned from, unsigned fn, uint64_t args[6],
			   uint64_t bounce[6], struct ept_copies *c);
	void (*hold)(unsigned id, unsigned from, const struct ept_copies *c);
	void (*release)(unsigned id, unsigned from);
};

/* Set up the mailbox code for compartment `self` of the region whose
 * part 0 starts at `shared` (parts EPT_PART_SIZE apart). */
void ept_init(void *shared, unsigned self, const struct ept_table *tables,
	      unsigned ncomps, const struct ept_platform *platform,
	      uint64_t spin_ns);
/* A gate: run function `fn` of compartment `to` with argc arguments. */
long ept_call(unsigned to, unsigned fn, unsigned argc, long a0, long a1,
	      long a2, long a3, long a4, long a5);
/* Serve calls to this compartment on the logical thread of slot `mine`
 * (this VM's own) until the thread ends at home. */
void ept_serve(struct ept_msg *mine);
/* This VM's slot of a logical thread with a call for this compartment
 * that no thread here serves yet, now marked served; NULL if none. */
struct ept_msg *ept_new_call(void);
/* The calling thread ends: its logical thread, if it is its home, too. */
void ept_thread_exit(void);
/* The logical thread of this VM's slot m. */
unsigned ept_id(const struct ept_msg *m);

/* The argument contracts in a VM (copy.c): the platform's copy_in,
 * copy_out, check_call, hold and release, once ept_copy_init has said
 * which of ncomps compartments this VM is. */
void ept_copy_init(unsigned self, unsigned ncomps);
long ept_copy_in(unsigned to, unsigned fn, unsigned argc, uint64_t args[6],
		 struct ept_copies *c);
void ept_copy_out(unsigned to, const uint64_t bounce[6], struct ept_copies *c);
long ept_check_call(unsigned from, unsigned fn, uint64_t args[6],
		    uint64_t bounce[6], struct ept_copies *c);
void ept_hold(unsigned id, unsigned from, const struct ept_copies *c);
void ept_release(unsigned id, unsigned from);

#endif
