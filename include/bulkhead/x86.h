/*
 * x86.h - every architectural constant Bulkhead names: control-register bits,
 * MSRs, page-table bits, selectors and I/O ports.
 *
 * This file holds only `#define NAME value` lines between the markers below,
 * so that the build can turn it into build/include/x86.inc for NASM. Keep it
 * that way: no expressions that NASM cannot read, no C inside the markers.
 */
#ifndef BULKHEAD_X86_H
#define BULKHEAD_X86_H

/* x86-constants-begin */

/* CR0 */
#define CR0_PE		    0x00000001 /* protected mode */
#define CR0_MP		    0x00000002 /* monitor coprocessor */
#define CR0_EM		    0x00000004 /* x87 emulation (must be 0) */
#define CR0_WP		    0x00010000 /* ring 0 honours read-only pages */
#define CR0_PG		    0x80000000 /* paging */

/* CR4 */
#define CR4_PAE		    0x00000020 /* physical address extension */
#define CR4_PGE		    0x00000080 /* global pages */
#define CR4_OSFXSR	    0x00000200 /* fxsave/fxrstor and SSE */
#define CR4_OSXMMEXCPT	    0x00000400 /* SSE exceptions */
#define CR4_SMEP	    0x00100000 /* supervisor-mode execution prevention */
#define CR4_SMAP	    0x00200000 /* supervisor-mode access prevention */
#define CR4_PKE		    0x00400000 /* protection keys for user pages */
#define CR4_PKE_BIT	    22	       /* CR4_PKE's bit number (for bt) */

/* MSRs */
#define MSR_EFER	    0xc0000080 /* extended feature enable */
#define EFER_LME	    0x00000100 /* long mode enable */
#define EFER_NXE	    0x00000800 /* no-execute enable */

/* CPUID */
#define CPUID_EXT_MAX	    0x80000000 /* leaf: highest extended leaf, in eax */
#define CPUID_EXT_FEATURES  0x80000001 /* extended feature leaf */
#define CPUID_EXT_LM	    0x20000000 /* EDX bit 29: long mode */
#define CPUID_EXT_NX	    0x00100000 /* EDX bit 20: no-execute */
#define CPUID7_ECX_PKU	    0x00000008 /* leaf 7 ECX bit 3: protection keys */

/* Page-table entry bits (all levels) */
#define PTE_P		    0x001 /* present */
#define PTE_W		    0x002 /* writable */
#define PTE_U		    0x004 /* user page: protection keys apply */
#define PTE_PWT		    0x008 /* write-through */
#define PTE_PCD		    0x010 /* cache disabled */
#define PTE_PS		    0x080 /* 2 MiB page (in a PD entry) */
#define PTE_NX		    0x8000000000000000 /* no execute */
#define PTE_ADDR_MASK	    0x000ffffffffff000 /* physical frame */
#define PTE_PKEY_SHIFT	    59		       /* protection key, bits 59..62 */
#define PTE_PKEY_MASK	    0x7800000000000000 /* bits 59..62 */
#define PT_ENTRIES	    512 /* entries of a table, any level */
#define PAGE_2M_SHIFT	    21	/* log2 of a PTE_PS page (2 MiB) */

/* Page-fault error code bits */
#define PF_P		    0x01 /* page was present */
#define PF_W		    0x02 /* write access */
#define PF_U		    0x04 /* user-mode access */
#define PF_RSVD		    0x08 /* reserved bit set */
#define PF_I		    0x10 /* instruction fetch */
#define PF_PK		    0x20 /* protection-key violation */

/* GDT selectors */
#define SEL_KCODE	    0x08 /* 64-bit ring-0 code */
#define SEL_KDATA	    0x10 /* ring-0 data */
#define SEL_TSS		    0x18 /* task-state segment (16 bytes) */

/* RFLAGS */
#define RFLAGS_IF	    0x200 /* interrupts enabled */

/* x87/SSE state */
#define FXSAVE_SIZE	    512 /* the fxsave64 area (16-byte aligned) */

/* I/O ports */
#define PORT_COM1	    0x3f8 /* first serial port */
#define PORT_PIC1_CMD	    0x20  /* 8259 master */
#define PORT_PIC1_DATA	    0x21
#define PORT_PIC2_CMD	    0xa0 /* 8259 slave */
#define PORT_PIC2_DATA	    0xa1
#define PORT_PIT_CH0	    0x40 /* 8254 channel 0 (IRQ 0) */
#define PORT_PIT_CH2	    0x42 /* 8254 channel 2 (speaker gate) */
#define PORT_PIT_CMD	    0x43
#define PORT_PIT_GATE	    0x61   /* bit 0 gates ch2, bit 5 = ch2 out */
#define PORT_DEBUG_EXIT	    0xf4   /* QEMU isa-debug-exit */
#define PORT_FWCFG_SEL	    0x510  /* QEMU fw_cfg selector */
#define PORT_FWCFG_DATA	    0x511  /* QEMU fw_cfg data */
#define PORT_ACPI_PM1A_Q35  0x604  /* QEMU q35 PM1a control */
#define PORT_ACPI_PM1A_PIIX 0xb004 /* QEMU i440fx (PIIX4) PM1a control */
#define PORT_VGA_CRTC_IDX   0x3d4  /* VGA cursor registers */
#define PORT_VGA_CRTC_DATA  0x3d5

/* Interrupt vectors */
#define VEC_IRQ_BASE	    32 /* PIC IRQ 0 lands here */
#define VEC_TIMER	    32 /* PIT channel 0 */
#define VEC_SPURIOUS_MASTER 39 /* IRQ 7 */
#define VEC_SPURIOUS_SLAVE  47 /* IRQ 15 */

/* Interrupt-stack-table slots, as numbered in IDT entries */
#define IST_FAULT	    1 /* CPU exceptions */
#define IST_DOUBLE	    2 /* #DF: a separate stack always */
#define IST_NMI		    3 /* NMI and #MC */
#define IST_IRQ		    4 /* device interrupts */

/* Memory layout */
#define PAGE_SIZE	    4096
#define PAGE_SHIFT	    12		   /* log2(PAGE_SIZE) */
#define KERNEL_PHYS_BASE    0x100000	   /* the image loads at 1 MiB */
#define EPT_SHARED_BASE	    0x100000000	   /* ept: the shared file, 4 GiB up */
#define EPT_SHARED_SIZE	    0x4000000	   /* 64 MiB */
#define SLOT_REGION_BASE    0x200000000000 /* full gates: thread stack slots */
#define SLOT_REGION_END	    0x300000000000
#define SLOT_SIZE	    0x1000000	   /* one thread: 16 MiB, aligned */
#define SLOT_SPAN	    0x100000	   /* one compartment's stack in it */
#define STACK_REGION_BASE   0x400000000000 /* thread stacks (virtual) */
#define IMAGE_LIMIT	    0x40000000	   /* the image ends below 1 GiB */
#define SHARED_PKEY	    15 /* mpk: memory every domain may use */
#define SLOT_PKEY	    14 /* mpk full gates: the slot word */
#define TABLE_PKEY	    13 /* mpk: page tables, every domain reads them */
#define TRAP_NEST_MAX	    8  /* interrupts nested at most */
#define STACK_REGION_END    0x800000000000 /* end of the lower canonical half */
#define KASAN_SHADOW_BASE   0x100000000000 /* kasan: shadow of [0, 2^47), */
#define KASAN_SHADOW_END    0x200000000000 /* one byte per 8 bytes */
#define KASAN_RAM_LIMIT	    0x100000000	   /* kasan: RAM checked below 4 GiB */
#define KASAN_GROUP	    0x8000	   /* what one shadow page describes */

/* x86-constants-end */

/* The numbers given twice above (a mask and its bit, a size and its log2). */
_Static_assert(CR4_PKE == 1u << CR4_PKE_BIT, "CR4_PKE_BIT");
_Static_assert(PAGE_SIZE == 1 << PAGE_SHIFT, "PAGE_SHIFT");

#endif
