/*
 * pic.c - the two 8259 PICs, remapped to vectors 32..47, all lines masked
 * until the kernel core registers a handler (trap.c) and while a device's
 * interrupt waits for its driver thread (dev.c).
 */
#include <bulkhead/arch.h>
#include "pic.h"

#define ICW1_INIT_ICW4 0x11 /* edge triggered, cascade, ICW4 follows */
#define ICW4_8086      0x01
#define OCW3_READ_ISR  0x0b
#define PIC_EOI	       0x20

static uint16_t mask = 0xffff & ~(1 << 2); /* cascade line stays open */

static void pic_write_mask(void)
{
	outb(PORT_PIC1_DATA, mask & 0xff);
	outb(PORT_PIC2_DATA, mask >> 8);
}

void pic_init(void)
{
	outb(PORT_PIC1_CMD, ICW1_INIT_ICW4);
	outb(PORT_PIC2_CMD, ICW1_INIT_ICW4);
	outb(PORT_PIC1_DATA, VEC_IRQ_BASE); /* ICW2: vector offsets */
	outb(PORT_PIC2_DATA, VEC_IRQ_BASE + 8);
	outb(PORT_PIC1_DATA, 1 << 2); /* ICW3: slave on line 2 */
	outb(PORT_PIC2_DATA, 2);
	outb(PORT_PIC1_DATA, ICW4_8086);
	outb(PORT_PIC2_DATA, ICW4_8086);
	pic_write_mask();
}

void pic_unmask(int irq)
{
	mask &= ~(1u << irq);
	pic_write_mask();
}

void pic_mask(int irq)
{
	mask |= 1u << irq;
	pic_write_mask();
}

void pic_eoi(int irq)
{
	if (irq >= 8)
		outb(PORT_PIC2_CMD, PIC_EOI);
	outb(PORT_PIC1_CMD, PIC_EOI);
}

/* A spurious IRQ 7 or 15 has no bit in the in-service register. */
int pic_is_spurious(int irq)
{
	uint16_t port = irq == 7 ? PORT_PIC1_CMD : PORT_PIC2_CMD;

	if (irq != 7 && irq != 15)
		return 0;
	outb(port, OCW3_READ_ISR);
	if (inb(port) & 0x80)
		return 0;
	if (irq == 15)
		outb(PORT_PIC1_CMD, PIC_EOI); /* the master saw a real IRQ 2 */
	return 1;
}
