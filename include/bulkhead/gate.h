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

/* Which VM is this (ept)? Returns 1 if it runs the application's main,
 * 0 if it only serves calls; always 1 for the other backends. */
int gate_vm_init(void);
/* A thread ends: let the gates release what it held (ept: its mailbox). */
void gate_thread_exit(void);
/* ept: zeroed pages of this VM's share of the shared region, or NULL;
 * NULL always for the other backends (the shared heap uses its own). */
void *gate_shared_pages(size_t count);

/* Full gates: make `base` the current thread's stack slot (mm/slot.c).
 * Only the scheduler's and the kernel core's domains may; a no-op for
 * other gate kinds. */
void gate_set_slot(uintptr_t base);

/* Report a gate violation: the kernel core's report, reached only from
 * gate_mpk_violation once it has switched to the core's domain. */
__attribute__((noreturn)) void gate_violation(uint32_t pkru, uintptr_t where);
/* A check failed: enter the core's domain and report, naming the PKRU in
 * force and the caller's address. Never returns. */
__attribute__((noreturn)) void gate_mpk_violation(void);

#endif
