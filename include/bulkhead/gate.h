/*
 * gate.h - the contract every gate backend implements.
 *
 * A gate is how control crosses from one compartment to another. Calls to
 * another compartment's exported functions are redirected at link time to
 * generated stubs (build/<config>/gates.asm and gates.c, made by
 * gates/<backend>/backend.py from its templates); the functions below are
 * the rest of the runtime each backend provides, called by the kernel core
 * and the scheduler. Those that switch domains live in the gate section,
 * the only code allowed to write PKRU (scripts/scan-wrpkru.py).
 *
 *   fcall: every gate is a direct call; these are no-ops or plain calls.
 *   mpk:   PKRU switches with immediates checked after each write.
 *   ept:   calls into another VM are mailbox RPCs (gates/ept/).
 */
#ifndef BULKHEAD_GATE_H
#define BULKHEAD_GATE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Call fn(arg) in the compartment fn belongs to, returning to the
 * caller's domain afterwards. fn must be an exported or declared callback
 * function of its compartment (its .api file); anything else stops the
 * machine with a gate violation. Used for thread entry points, interrupt
 * handlers and scheduler hooks.
 */
void *gate_callback(void *(*fn)(void *), void *arg);

/* Any function pointer as gate_callback's type (via void (*)(void), the
 * conversion gcc accepts without a cast-function-type warning). */
#define GATE_FN(f) ((void *(*)(void *))(void (*)(void))(f))

/* Interrupt entry, from kernel/vectors.asm only: switch to the kernel
 * core's domain, keeping the interrupted PKRU in core memory; returns it
 * (0 under fcall), for reports. */
uint32_t gate_trap_enter(void);
/* Interrupt exit, from kernel/vectors.asm only, in the core's domain:
 * restore the PKRU gate_trap_enter kept, after checking it is one of the
 * image's domains. */
void gate_trap_exit(void);

/* The current PKRU (0 under fcall). */
uint32_t gate_pkru_read(void);
/* Switch to a saved PKRU (one of the image's domains), for the scheduler:
 * only the scheduler's and the core's domains may call it. */
void gate_pkru_restore(uint32_t pkru);

/* Boot: set up the backend's isolation once memory, page tables and the
 * scheduler are up (mpk: tag every page with its key, lock the CPU tables,
 * turn keys on and enter the kernel core's domain). Kernel core only. */
void gate_protect(void);

/* Boot: enter the kernel core's domain once every page is tagged. */
void gate_enter_core(void);

/* Which VM is this (ept)? Returns GATE_VM_APP if it runs the
 * application's main (else it only serves calls), or'ed with
 * GATE_VM_GUEST if another VM makes what all of them share at boot (the
 * file system); always GATE_VM_APP alone for the other backends. */
#define GATE_VM_APP   1
#define GATE_VM_GUEST 2
int gate_vm_init(void);
/* Boot: the shared set-up is done (in the VM that makes it), or wait
 * until it is (in every other VM); nothing to do with one VM. */
void gate_vm_setup_done(void);
/* A thread ends: let the gates release what it held (ept: its mailbox). */
void gate_thread_exit(void);
/* ept: zeroed pages of this VM's share of the shared region, or NULL;
 * NULL always for the other backends (the shared heap uses its own). */
void *gate_shared_pages(size_t count);

/* Full gates: make `base` the current thread's stack slot (mm/slot.c).
 * Only the scheduler's and the kernel core's domains may; a no-op for
 * other gate kinds. */
void gate_set_slot(uintptr_t base);

/*
 * Argument contracts (the API files' NAME(ARG, ...), checked by the
 * generated gates of isolated backends before the callee runs).
 */
enum gate_arg_kind {
	GATE_ARG_VAL,	 /* a number */
	GATE_ARG_ADDR,	 /* an address the callee never reads through */
	GATE_ARG_HANDLE, /* an object handle the callee checks */
	GATE_ARG_IN,	 /* memory the callee reads */
	GATE_ARG_OUT,	 /* memory the callee writes */
	GATE_ARG_INOUT,	 /* both */
	GATE_ARG_STR,	 /* a NUL-terminated string, at most `size` bytes */
	GATE_ARG_FN,	 /* a declared callback (an .api `callback`) */
	GATE_ARG_CALLER, /* the caller's index, set by the gate */
};
#define GATE_ARG_NULL_OK 0x1 /* NULL accepted */
#define GATE_ARG_LEN_AT                                                        \
	0x2 /* the length is the uint32_t argument `len` points to */

struct gate_arg {
	uint8_t kind;  /* enum gate_arg_kind */
	uint8_t flags; /* GATE_ARG_* */
	uint8_t len;   /* argument (from 1) holding the length, 0: `size` */
	uint8_t scale; /* bytes per unit of that length */
	uint32_t size; /* a fixed length, or a string's maximum */
};

/* One checked call site of the image: caller calls fn of callee, whose
 * contract is `contract` (as the API file writes it). Generated. */
struct gate_check {
	const char *caller, *callee, *fn, *contract;
	int efault; /* a broken contract returns -EFAULT instead of stopping */
};
extern const struct gate_check gate_checks[];
extern const unsigned gate_check_count;

/* One function another compartment exports, as a generated table lists
 * it (the interface fuzzer's targets, tests/fuzz/). */
struct gate_target {
	const char *name, *callee;
	long (*fn)(long, long, long, long, long, long);
	unsigned argc;
	const struct gate_arg *args; /* argc of them */
};

/* Why an argument was refused (gate_arg_violation's `why`). */
enum gate_arg_why {
	GATE_WHY_RANGE,	   /* not memory the caller may hand over */
	GATE_WHY_WRAPS,	   /* the range wraps around */
	GATE_WHY_NULL,	   /* NULL where the contract wants memory */
	GATE_WHY_UNTERM,   /* a string without its NUL within the maximum */
	GATE_WHY_CALLBACK, /* not a declared callback of any compartment */
	GATE_WHY_TOO_LONG, /* longer than a copying gate copies (ept) */
};

/*
 * A generated argument check refused argument `arg` (from 1) of call site
 * `check`: the kernel core's report, naming caller, callee, function,
 * argument, address and length. Stops the machine unless the site's
 * contract says efault; then returns, and the gate returns -EFAULT. Reached
 * from gate_arg_report (mpk) in the core's domain, or straight from the
 * ept gate's checks (gates/ept/copy.c), in either VM of the call.
 */
void gate_arg_violation(unsigned check, unsigned arg, uintptr_t addr,
			uint64_t len, unsigned why);

/* Report a gate violation: the kernel core's report, reached only from
 * gate_mpk_violation once it has switched to the core's domain. */
__attribute__((noreturn)) void gate_violation(uint32_t pkru, uintptr_t where);
/* A check failed: enter the core's domain and report, naming the PKRU in
 * force and the caller's address. Never returns. */
__attribute__((noreturn)) void gate_mpk_violation(void);

#endif
