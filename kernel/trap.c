/*
 * trap.c - the IDT, interrupt dispatch, and the report printed when an
 * exception cannot be handled.
 *
 * Every vector runs on an interrupt stack (IST): exceptions on IST_FAULT,
 * #DF on its own, NMI and #MC on IST_NMI, device interrupts on IST_IRQ.
 * A fault stops the machine with EXIT_PANIC after the report; nothing in
 * Bulkhead recovers from a CPU exception.
 */
#include <bulkhead/arch.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>
#include <bulkhead/trap.h>
#include "pic.h"

#define IST_STACK_SIZE	   (16 * 1024)
#define IDT_INTERRUPT_GATE 0x8e /* present, DPL 0, 64-bit interrupt gate */

struct idt_entry {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_entry) == 16, "IDT entry layout");
_Static_assert(__builtin_offsetof(struct trap_frame, r15) == 1 * 8,
	       "trap_frame registers as pushed by vectors.asm");
_Static_assert(__builtin_offsetof(struct trap_frame, rax) == 15 * 8,
	       "trap_frame registers as pushed by vectors.asm");
_Static_assert(__builtin_offsetof(struct trap_frame, vector) == 16 * 8,
	       "trap_frame vector follows the registers");
_Static_assert(sizeof(struct trap_frame) == 23 * 8, "trap_frame size");

extern const uint64_t trap_vector_table[256];

static struct idt_entry idt[256]
	__attribute__((section(".cpu_tables"), aligned(64)));
static trap_irq_fn irq_handlers[PIC_LINES];

/*
 * mpk: the PKRU each nested interrupt interrupted, pushed by
 * gate_trap_enter and popped by gate_trap_exit (gates/mpk/runtime.inc).
 * Kept here, in the kernel core's memory, rather than in the frame on the
 * interrupt stack, which every domain may write: what an interrupt
 * returns to is decided by nothing another compartment can change.
 */
uint32_t trap_saved_pkru[TRAP_NEST_MAX];
unsigned trap_nest;

static const char *const exception_names[32][2] = {
	{"#DE", "divide error"},
	{"#DB", "debug"},
	{"NMI", "non-maskable interrupt"},
	{"#BP", "breakpoint"},
	{"#OF", "overflow"},
	{"#BR", "bound range"},
	{"#UD", "invalid opcode"},
	{"#NM", "device not available"},
	{"#DF", "double fault"},
	{"#MF", "coprocessor overrun"},
	{"#TS", "invalid TSS"},
	{"#NP", "segment not present"},
	{"#SS", "stack-segment fault"},
	{"#GP", "general protection"},
	{"#PF", "page fault"},
	{"#15", "reserved"},
	{"#MF", "x87 floating point"},
	{"#AC", "alignment check"},
	{"#MC", "machine check"},
	{"#XM", "SIMD floating point"},
	{"#VE", "virtualization"},
	{"#CP", "control protection"},
	{"#22", "reserved"},
	{"#23", "reserved"},
	{"#24", "reserved"},
	{"#25", "reserved"},
	{"#26", "reserved"},
	{"#27", "reserved"},
	{"#HV", "hypervisor injection"},
	{"#VC", "VMM communication"},
	{"#SX", "security"},
	{"#31", "reserved"},
};

const char *trap_vector_name(unsigned vector)
{
	return vector < 32 ? exception_names[vector][0] : "IRQ";
}

static int vector_ist(unsigned v)
{
	if (v == 8)
		return IST_DOUBLE;
	if (v == 2 || v == 18)
		return IST_NMI;
	return v < 32 ? IST_FAULT : IST_IRQ;
}

void trap_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t off = trap_vector_table[v];

		idt[v] = (struct idt_entry){
			.offset_lo = off & 0xffff,
			.selector = SEL_KCODE,
			.ist = (uint8_t)vector_ist(v),
			.type = IDT_INTERRUPT_GATE,
			.offset_mid = (off >> 16) & 0xffff,
			.offset_hi = off >> 32,
		};
	}
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = {sizeof(idt) - 1, (uintptr_t)idt};

	__asm__ volatile("lidt %0" : : "m"(ptr));
	pic_init();
}

void trap_init_stacks(void)
{
	for (int slot = IST_FAULT; slot <= IST_IRQ; slot++) {
		struct mm_stack st = mm_stack_alloc(IST_STACK_SIZE);

		if (!st.bottom)
			panic("no memory for interrupt stack %d", slot);
		gdt_set_ist(slot, st.top);
	}
}

void trap_irq_register(int irq, trap_irq_fn fn)
{
	if (irq < 0 || irq >= PIC_LINES)
		panic("trap_irq_register: IRQ %d is not a PIC line (0..%d)",
		      irq, PIC_LINES - 1);
	if (irq_handlers[irq] && irq_handlers[irq] != fn)
		panic("trap_irq_register: IRQ %d already has a handler", irq);
	irq_handlers[irq] = fn;
	pic_unmask(irq);
}

/* Decode a page-fault error code into words. */
static void pf_decode(uint64_t err, char *buf, size_t size)
{
	kfmt_snprintf(buf, size, "%s %s %s %s%s%s",
		      err & PF_P ? "present" : "not-present",
		      err & PF_W ? "write" : "read",
		      err & PF_U ? "user" : "supervisor",
		      err & PF_I ? "fetch" : "data",
		      err & PF_PK ? " protection-key" : "",
		      err & PF_RSVD ? " reserved-bit" : "");
}

/* Name who touched whose memory in a protection-key fault. */
static void pk_report(const struct trap_frame *tf, uint64_t cr2)
{
	const struct comp_desc *who = comp_of_pkru((uint32_t)tf->pkru);
	uint64_t pte = vm_lookup(cr2);
	int key = (int)((pte & PTE_PKEY_MASK) >> PTE_PKEY_SHIFT);
	const struct comp_desc *owner = comp_of_pkey(key);
	const struct comp_desc *code = comp_of_addr(tf->rip);
	const struct comp_range *word = &comp_config.running_thread;
	uintptr_t clock = (uintptr_t)&__time_clock;
	const char *table = cr2 >= clock && cr2 < clock + sizeof(__time_clock)
				    ? "the clock"
			    : cr2 >= word->start && cr2 < word->end
				    ? "the running-thread word"
				    : "the page tables";

	pr_err("  protection key: compartment %s (PKRU 0x%08lx) %s memory of "
	       "%s%s (key %d)%s%s\n",
	       who ? who->name : "?", (unsigned long)tf->pkru,
	       tf->error & PF_W ? "wrote" : "read",
	       key == SHARED_PKEY  ? "the shared domain"
	       : key == TABLE_PKEY ? table
				   : "compartment ",
	       key == SHARED_PKEY || key == TABLE_PKEY ? ""
	       : owner				       ? owner->name
						       : "?",
	       key, code ? ", running code of " : "", code ? code->name : "");
}

void trap_report(const struct trap_frame *tf, uint64_t cr2)
{
	unsigned v = (unsigned)tf->vector;
	sched_thread_t t = sched_current();
	char sym[96], what[96];

	pr_err("\nFAULT: %s %s (vector %u) in thread \"%s\"\n",
	       trap_vector_name(v), v < 32 ? exception_names[v][1] : "", v,
	       t ? sched_thread_name(t) : "boot");
	if (v == 14) {
		pf_decode(tf->error, what, sizeof(what));
		pr_err("  error 0x%lx: %s\n", tf->error, what);
	} else {
		pr_err("  error 0x%lx\n", tf->error);
	}
	ksyms_format(tf->rip, sym, sizeof(sym));
	pr_err("  rip 0x%016lx %s\n", tf->rip, sym);
	if (v == 14) {
		ksyms_format(cr2, sym, sizeof(sym));
		pr_err("  cr2 0x%016lx %s\n", cr2, sym);
		if (tf->error & PF_PK)
			pk_report(tf, cr2);
		const struct comp_desc *owner = comp_of_addr(cr2);

		if (comp_has(COMP_VMS) && owner && !owner->is_default &&
		    !(tf->error & PF_P))
			pr_err("  cr2 is memory of compartment %s, which runs "
			       "in "
			       "a VM of its own: not mapped here\n",
			       owner->name);
		if (t) {
			uintptr_t lo = sched_thread_stack(t).bottom;

			if (cr2 < lo && cr2 >= lo - PAGE_SIZE)
				pr_err("  cr2 is in the guard page below the "
				       "stack of thread \"%s\": stack "
				       "overflow\n",
				       sched_thread_name(t));
		}
	}
	pr_err("  rsp 0x%016lx rbp 0x%016lx rflags 0x%lx\n", tf->rsp, tf->rbp,
	       tf->rflags);
	pr_err("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", tf->rax,
	       tf->rbx, tf->rcx, tf->rdx);
	pr_err("  rsi %016lx rdi %016lx r8  %016lx r9  %016lx\n", tf->rsi,
	       tf->rdi, tf->r8, tf->r9);
	pr_err("  r10 %016lx r11 %016lx r12 %016lx r13 %016lx\n", tf->r10,
	       tf->r11, tf->r12, tf->r13);
	pr_err("  r14 %016lx r15 %016lx\n", tf->r14, tf->r15);
	kernel_backtrace(tf->rbp);
}

void trap_dispatch(struct trap_frame *tf)
{
	unsigned v = (unsigned)tf->vector;

	if (v >= VEC_IRQ_BASE && v < VEC_IRQ_BASE + PIC_LINES) {
		int irq = (int)(v - VEC_IRQ_BASE);

		if (pic_is_spurious(irq))
			return;
		/* Handlers are the kernel core's own (trap_irq_register is
		 * core-only): no other compartment's code runs here, and no
		 * handler sees the frame. */
		if (irq_handlers[irq])
			irq_handlers[irq](irq);
		pic_eoi(irq);
		return;
	}
	uint64_t cr2 = read_cr2();

	/* A first touch of a full-gate stack page: map it and go on. */
	if (v == 14 && !(tf->error & PF_P) &&
	    (mm_slot_fault(cr2) == 0 || mm_kasan_fault(cr2) == 0))
		return;
	trap_report(tf, cr2);
	kernel_exit(EXIT_PANIC);
}
