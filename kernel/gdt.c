/*
 * gdt.c - the long-mode GDT and the TSS whose interrupt stack table gives
 * every interrupt its own stack (the red zone of code built without
 * -mno-red-zone, such as libgcc, is never overwritten by an interrupt).
 */
#include <stdint.h>
#include <bulkhead/kernel.h>
#include <bulkhead/x86.h>
#include <bulkhead/trap.h>

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3]; /* stacks for privilege changes: unused */
	uint64_t reserved1;
	uint64_t ist[7]; /* interrupt stack table, slots 1..7 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base; /* no I/O bitmap */
} __attribute__((packed));

_Static_assert(sizeof(struct tss) == 104, "TSS layout");

#define EARLY_IST_SIZE 8192

/* In .cpu_tables: read in every domain, read-only after boot (comp.c). */
static struct tss tss __attribute__((section(".cpu_tables"), aligned(64)));
static uint64_t gdt[5] __attribute__((section(".cpu_tables"), aligned(64)));
/* Provisional interrupt stacks used until mm hands out guarded ones. */
static uint8_t early_ist[4][EARLY_IST_SIZE] __attribute__((aligned(16)));

void gdt_set_ist(int slot, uintptr_t stack_top)
{
	tss.ist[slot - 1] = stack_top;
}

void gdt_init(void)
{
	uint64_t base = (uintptr_t)&tss;
	uint64_t limit = sizeof(tss) - 1;

	gdt[0] = 0;
	/* Accessed bits preset: the CPU would otherwise write them into a
	 * table that becomes read-only. */
	gdt[SEL_KCODE / 8] = 0x00af9b000000ffffULL; /* 64-bit code, DPL 0 */
	gdt[SEL_KDATA / 8] = 0x00cf93000000ffffULL; /* data, DPL 0 */
	/* 16-byte available 64-bit TSS descriptor (type 9, present). */
	gdt[SEL_TSS / 8] = (limit & 0xffff) | (base & 0xffffff) << 16 |
			   0x89ULL << 40 | ((limit >> 16) & 0xf) << 48 |
			   ((base >> 24) & 0xff) << 56;
	gdt[SEL_TSS / 8 + 1] = base >> 32;

	for (int slot = 1; slot <= 4; slot++)
		gdt_set_ist(slot,
			    (uintptr_t)early_ist[slot - 1] + EARLY_IST_SIZE);
	tss.iomap_base = sizeof(tss);

	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = {sizeof(gdt) - 1, (uintptr_t)gdt};

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movl %2, %%eax\n\t"
			 "movl %%eax, %%ds\n\t"
			 "movl %%eax, %%es\n\t"
			 "movl %%eax, %%ss\n\t"
			 "ltr %w3\n\t"
			 :
			 : "m"(ptr), "i"(SEL_KCODE), "i"(SEL_KDATA),
			   "r"(SEL_TSS)
			 : "rax", "memory");
}
