/*
 * trap.h - interrupts and exceptions: the saved frame, IRQ handlers, and
 * the hook that lets a test expect a fault.
 */
#ifndef BULKHEAD_TRAP_H
#define BULKHEAD_TRAP_H

#include <stdint.h>

/*
 * The frame kernel/vectors.asm builds on the interrupt stack, lowest
 * address first. Fields up to `rax` are saved by the common path; `vector` and
 * `error` by the per-vector entry; the rest by the CPU.
 */
struct trap_frame {
	uint64_t pkru; /* interrupted PKRU (mpk), restored on exit */
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp; /* interrupted frame pointer */
	uint64_t rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector; /* 0..255 */
	uint64_t error;	 /* CPU error code, or 0 */
	uint64_t rip;	 /* interrupted instruction */
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp; /* interrupted stack pointer */
	uint64_t ss;
};

#define PIC_LINES 16 /* IRQ lines of the two 8259s */

/* An IRQ handler: called with the line that interrupted, never the frame. */
typedef void (*trap_irq_fn)(int irq);

/* GDT with a TSS; the IDT with all 256 vectors on IST stacks. */
void gdt_init(void);
void gdt_set_ist(int slot, uintptr_t stack_top);
void trap_init(void);
/* Move the IST stacks to guarded stacks once mm is up. */
void trap_init_stacks(void);

/* Route PIC line `irq` (0..15) to fn and unmask it. Any other line, or
 * one with another handler, panics naming it. The kernel core only:
 * handlers run in interrupt context, in the core's domain. */
void trap_irq_register(int irq, trap_irq_fn fn);

/* Name of an exception vector ("#PF"), or "IRQ" / "vector". */
const char *trap_vector_name(unsigned vector);

/* The fault report printed for an unhandled exception (also for tests). */
void trap_report(const struct trap_frame *tf, uint64_t cr2);

#endif
