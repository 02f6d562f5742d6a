/*
 * dev.c - what a driver may do with its device, done by the kernel core
 * on the driver's behalf: open a PCI device, read and write the ports of
 * its BAR 0, and wait for its interrupt in a thread.
 *
 * A handle is generation << DEV_SLOT_BITS | slot: a number, checked on
 * every call against the core's own table (never a pointer the driver
 * could aim elsewhere). Closing a device bumps its slot's generation, so
 * the old handle goes stale. The table is the core's private data; only
 * the wait queues are shared, because the scheduler may sit in another
 * compartment.
 *
 * Interrupts are threads: dev_irq(), the core's handler, masks the line at
 * the PIC, marks every open device on it and wakes their waiters. No
 * driver code runs in interrupt context. The line stays masked until each
 * device on it has been acknowledged (dev_irq_done), so a level-triggered
 * line cannot storm while the driver thread is on its way.
 */
#include <bulkhead/arch.h>
#include <bulkhead/comp.h>
#include <bulkhead/dev.h>
#include <bulkhead/kernel.h>
#include <bulkhead/sched.h>
#include <bulkhead/trap.h>
#include "pic.h"

#define DEV_MAX		8
#define DEV_SLOT_BITS	4 /* slots DEV_MAX..15 are never handed out */
#define DEV_GEN_MAX	(0x7fffffffu >> DEV_SLOT_BITS)

#define PCI_COMMAND	0x04
#define PCI_BAR0	0x10
#define PCI_INTERRUPT	0x3c
#define PCI_CMD_IO	0x1
#define PCI_CMD_MEM	0x2
#define PCI_CMD_MASTER	0x4
#define PCI_CMD_NO_INTX 0x400 /* the device may not assert INTx */
#define PCI_BAR_IO	0x1

struct dev {
	uint32_t gen;	  /* this slot's generation: the handle's top bits */
	int open;	  /* the handle of this generation is live */
	uint32_t bdf;	  /* PCI bus/device/function (kernel/pci.c) */
	uint16_t io_base; /* first port of BAR 0 */
	unsigned io_size; /* bytes of BAR 0 */
	int irq;	  /* PIC line, or -1 when the device has none */
	int irq_pending;  /* interrupted since the last dev_irq_wait */
	int irq_unacked;  /* interrupted, dev_irq_done not called yet */
};

static struct dev devs[DEV_MAX];
/* Threads in dev_irq_wait, per slot: scheduler handles, made when a slot
 * is first opened (never in the interrupt handler, which only wakes). */
static sched_waitq_t irq_waiters[DEV_MAX];

static int handle_of(unsigned slot)
{
	return (int)(devs[slot].gen << DEV_SLOT_BITS | slot);
}

/* The open device behind handle h, or a panic naming fn and h. */
static struct dev *dev_get(int h, const char *fn)
{
	unsigned slot = (unsigned)h & ((1u << DEV_SLOT_BITS) - 1);
	uint32_t gen = (uint32_t)h >> DEV_SLOT_BITS;

	if (h > 0 && slot < DEV_MAX && gen != 0) {
		struct dev *d = &devs[slot];

		if (d->open && d->gen == gen)
			return d;
		if (gen < d->gen || (gen == d->gen && !d->open))
			panic("%s: handle 0x%x is stale: its device was closed",
			      fn, (unsigned)h);
	}
	panic("%s: handle 0x%x is not a device handle", fn, (unsigned)h);
}

/* The open device behind h, if `width` bytes at `offset` lie in its BAR
 * and are aligned; otherwise a panic naming fn, h, offset and width. */
static struct dev *io_check(int h, unsigned offset, unsigned width,
			    const char *fn)
{
	struct dev *d = dev_get(h, fn);

	if (width != 1 && width != 2 && width != 4)
		panic("%s: handle 0x%x offset 0x%x width %u: width is not "
		      "1, 2 or 4",
		      fn, (unsigned)h, offset, width);
	if (offset >= d->io_size || width > d->io_size - offset)
		panic("%s: handle 0x%x offset 0x%x width %u: beyond the "
		      "device's I/O range (0x%x bytes)",
		      fn, (unsigned)h, offset, width, d->io_size);
	if (offset % width)
		panic("%s: handle 0x%x offset 0x%x width %u: offset is not "
		      "a multiple of the width",
		      fn, (unsigned)h, offset, width);
	return d;
}

/* The core's handler of every line a device uses; interrupts are off. */
static void dev_irq(int irq)
{
	pic_mask(irq);
	for (unsigned i = 0; i < DEV_MAX; i++) {
		struct dev *d = &devs[i];

		if (d->open && d->irq == irq) {
			d->irq_pending = 1;
			d->irq_unacked = 1;
			sched_wake_all(irq_waiters[i]);
		}
	}
}

/* Unmask line irq once no open device on it waits to be acknowledged;
 * keep it masked while one does, or when no open device uses it.
 * Interrupts are off. */
static void line_update(int irq)
{
	int used = 0, unacked = 0;

	if (irq < 0)
		return;
	for (unsigned i = 0; i < DEV_MAX; i++) {
		if (devs[i].open && devs[i].irq == irq) {
			used = 1;
			unacked |= devs[i].irq_unacked;
		}
	}
	if (used && !unacked)
		pic_unmask(irq);
	else
		pic_mask(irq);
}

/* Size of an I/O BAR: write all ones, read back which bits stick. The
 * caller has turned decoding off. */
static unsigned io_bar_size(uint32_t bdf)
{
	uint32_t bar = pci_read32(bdf, PCI_BAR0);

	pci_write32(bdf, PCI_BAR0, 0xffffffffu);
	uint32_t bits = pci_read32(bdf, PCI_BAR0) & ~3u;

	pci_write32(bdf, PCI_BAR0, bar);
	return (~bits + 1) & 0xffff;
}

int dev_open(unsigned vendor, unsigned device)
{
	uint32_t bdf = pci_find(vendor, device, device);
	unsigned slot;

	if (bdf == PCI_NONE)
		return DEV_NONE;
	for (slot = 0; slot < DEV_MAX; slot++)
		if (devs[slot].open && devs[slot].bdf == bdf)
			return DEV_NONE; /* one driver per device */
	for (slot = 0; slot < DEV_MAX && devs[slot].open; slot++)
		;
	if (slot == DEV_MAX) {
		pr_err("dev_open: %04x:%04x: all %d device slots in use\n",
		       vendor, device, DEV_MAX);
		return DEV_NONE;
	}
	if (!irq_waiters[slot] && !(irq_waiters[slot] = sched_waitq_new())) {
		pr_err("dev_open: %04x:%04x: no memory for a wait queue\n",
		       vendor, device);
		return DEV_NONE;
	}
	uint32_t bar = pci_read32(bdf, PCI_BAR0);

	if (!(bar & PCI_BAR_IO)) {
		pr_err("dev_open: %04x:%04x: BAR 0 is not I/O space\n", vendor,
		       device);
		return DEV_NONE;
	}
	uint32_t cmd = pci_read32(bdf, PCI_COMMAND) & 0xffff;

	pci_write32(bdf, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	unsigned size = io_bar_size(bdf);

	pci_write32(bdf, PCI_COMMAND,
		    (cmd & ~PCI_CMD_NO_INTX) | PCI_CMD_IO | PCI_CMD_MASTER);

	unsigned line = pci_read32(bdf, PCI_INTERRUPT) & 0xff;
	struct dev *d = &devs[slot];

	uint64_t flags = irq_save();

	d->gen = d->gen == DEV_GEN_MAX ? 1 : d->gen + 1;
	d->open = 1;
	d->bdf = bdf;
	d->io_base = (uint16_t)(bar & ~3u);
	d->io_size = size;
	d->irq = line < PIC_LINES ? (int)line : -1;
	d->irq_pending = d->irq_unacked = 0;
	if (d->irq >= 0)
		trap_irq_register(d->irq, dev_irq);
	line_update(d->irq);
	irq_restore(flags);
	return handle_of(slot);
}

void dev_close(int h)
{
	struct dev *d = dev_get(h, "dev_close");
	uint32_t cmd = pci_read32(d->bdf, PCI_COMMAND) & 0xffff;
	uint64_t flags = irq_save();

	pci_write32(d->bdf, PCI_COMMAND,
		    (cmd & ~(PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER)) |
			    PCI_CMD_NO_INTX);
	d->open = 0;
	line_update(d->irq);
	sched_wake_all(irq_waiters[d - devs]);
	irq_restore(flags);
}

unsigned dev_io_size(int h)
{
	return dev_get(h, "dev_io_size")->io_size;
}

uint32_t dev_io_read(int h, unsigned offset, unsigned width)
{
	struct dev *d = io_check(h, offset, width, "dev_io_read");
	uint16_t port = (uint16_t)(d->io_base + offset);

	if (width == 1)
		return inb(port);
	if (width == 2)
		return inw(port);
	return inl(port);
}

void dev_io_write(int h, unsigned offset, unsigned width, uint32_t value)
{
	struct dev *d = io_check(h, offset, width, "dev_io_write");
	uint16_t port = (uint16_t)(d->io_base + offset);

	if (width == 1)
		outb(port, (uint8_t)value);
	else if (width == 2)
		outw(port, (uint16_t)value);
	else
		outl(port, value);
}

int dev_irq_wait(int h, uint64_t deadline_ns)
{
	struct dev *d = dev_get(h, "dev_irq_wait");
	uint64_t flags = irq_save();
	int r = 0;

	if (d->irq < 0)
		panic("dev_irq_wait: handle 0x%x: the device has no "
		      "interrupt line",
		      (unsigned)h);
	/* Interrupts stay off from the check to the wait: no wake-up is
	 * lost. The device may be closed while we sleep. */
	while (!d->irq_pending && r == 0) {
		r = sched_wait(irq_waiters[d - devs], deadline_ns);
		dev_get(h, "dev_irq_wait");
		if (d->irq_pending)
			r = 0;
	}
	d->irq_pending = 0;
	irq_restore(flags);
	return r;
}

void dev_irq_done(int h)
{
	struct dev *d = dev_get(h, "dev_irq_done");
	uint64_t flags = irq_save();

	d->irq_unacked = 0;
	line_update(d->irq);
	irq_restore(flags);
}
