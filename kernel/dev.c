/*
 * dev.c - what a driver may do with its device, done by the kernel core
 * on the driver's behalf: open a PCI device, read its configuration space
 * (to find its capabilities), read and write the ports of its I/O BAR 0
 * and the registers of its memory BARs, and wait for its interrupt in a
 * thread.
 *
 * A handle is generation << DEV_SLOT_BITS | slot: a number, checked on
 * every call against the core's own table (never a pointer the driver
 * could aim elsewhere). Closing a device bumps its slot's generation, so
 * the old handle goes stale. The table is the core's private data; only
 * the wait queues are shared, because the scheduler may sit in another
 * compartment.
 *
 * Memory BARs are mapped at their physical address when the device is
 * opened, uncached, with the core's protection key (mpk): a driver that
 * reads a BAR's address out of configuration space and touches it faults
 * like any other access to the core's memory. Closing unmaps them.
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
#include <bulkhead/mm.h>
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
#define PCI_BAR_MEM64	0x4 /* memory BAR of type 2: 64 bits, two registers */
#define PCI_BARS	6
#define PCI_CONFIG_SIZE 256 /* what mechanism 1 reaches */

struct dev {
	uint32_t gen;	  /* this slot's generation: the handle's top bits */
	int open;	  /* the handle of this generation is live */
	uint32_t bdf;	  /* PCI bus/device/function (kernel/pci.c) */
	uint16_t io_base; /* first port of BAR 0 */
	unsigned io_size; /* bytes of BAR 0 */
	uint64_t mem_base[PCI_BARS]; /* memory BARs (physical = virtual) */
	uint64_t mem_size[PCI_BARS]; /* bytes; 0: not a memory BAR */
	int irq;	 /* PIC line, or -1 when the device has none */
	int irq_pending; /* interrupted since the last dev_irq_wait */
	int irq_unacked; /* interrupted, dev_irq_done not called yet */
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

/* The open device behind h, if `width` bytes at `offset` lie in its
 * memory BAR `bar` and are aligned; otherwise a panic naming fn, h, bar,
 * offset and width. */
static struct dev *mem_check(int h, unsigned bar, unsigned offset,
			     unsigned width, const char *fn)
{
	struct dev *d = dev_get(h, fn);

	if (bar >= PCI_BARS || d->mem_size[bar] == 0)
		panic("%s: handle 0x%x BAR %u: not a memory BAR of the device",
		      fn, (unsigned)h, bar);
	if (width != 1 && width != 2 && width != 4)
		panic("%s: handle 0x%x BAR %u offset 0x%x width %u: width is "
		      "not 1, 2 or 4",
		      fn, (unsigned)h, bar, offset, width);
	if (offset >= d->mem_size[bar] || width > d->mem_size[bar] - offset)
		panic("%s: handle 0x%x BAR %u offset 0x%x width %u: beyond "
		      "the BAR (0x%lx bytes)",
		      fn, (unsigned)h, bar, offset, width,
		      (unsigned long)d->mem_size[bar]);
	if (offset % width)
		panic("%s: handle 0x%x BAR %u offset 0x%x width %u: offset is "
		      "not a multiple of the width",
		      fn, (unsigned)h, bar, offset, width);
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

/*
 * Place and size memory BAR i (with i + 1, its upper half, when it is 64
 * bits wide): its address, and its size by the usual write of all ones.
 * Size 0 when BAR i is I/O space, not implemented, not assigned an
 * address, or larger than 4 GiB (no device of ours). The caller has
 * turned decoding off. Returns the index of the next BAR.
 */
static unsigned mem_bar(uint32_t bdf, unsigned i, uint64_t *base,
			uint64_t *size)
{
	unsigned reg = PCI_BAR0 + 4 * i;
	uint32_t lo = pci_read32(bdf, reg), hi = 0;
	int wide = (lo & 0x7) == PCI_BAR_MEM64 && i + 1 < PCI_BARS;
	uint64_t mask;

	*base = *size = 0;
	if (lo & PCI_BAR_IO)
		return i + 1;
	pci_write32(bdf, reg, 0xffffffffu);
	mask = pci_read32(bdf, reg) & ~0xfu;
	pci_write32(bdf, reg, lo);
	if (wide) {
		hi = pci_read32(bdf, reg + 4);
		pci_write32(bdf, reg + 4, 0xffffffffu);
		mask |= (uint64_t)pci_read32(bdf, reg + 4) << 32;
		pci_write32(bdf, reg + 4, hi);
	} else if (mask) {
		mask |= 0xffffffff00000000ull;
	}
	uint64_t addr = ((uint64_t)hi << 32 | lo) & ~0xfull;

	if (mask && addr && ~mask + 1 <= 0x100000000ull) {
		*base = addr;
		*size = ~mask + 1;
	}
	return wide ? i + 2 : i + 1;
}

/* The pages memory BAR i of d lies in. */
static void mem_pages(const struct dev *d, unsigned i, uintptr_t *start,
		      size_t *len)
{
	uint64_t end = d->mem_base[i] + d->mem_size[i];

	*start = ALIGN_DOWN(d->mem_base[i], (uint64_t)PAGE_SIZE);
	*len = ALIGN_UP(end, (uint64_t)PAGE_SIZE) - *start;
}

/* Unmap memory BARs 0..n-1 of d. */
static void mem_unmap(const struct dev *d, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uintptr_t start;
		size_t len;

		if (d->mem_size[i]) {
			mem_pages(d, i, &start, &len);
			vm_unmap(start, len);
		}
	}
}

/*
 * Map every memory BAR of d at its physical address: uncached, writable,
 * never executable, with the core's key. Refused (-1, nothing left
 * mapped) when a BAR lies where the kernel maps something already (RAM,
 * the image, the VMs' shared memory: firmware that put it there is not
 * believed) or beyond the lower half.
 */
static int mem_map(const struct dev *d, unsigned vendor, unsigned device)
{
	int pkey = comp_has(COMP_KEYS)
			   ? comp_config.comps[comp_config.core_index].pkey
			   : -1;

	for (unsigned i = 0; i < PCI_BARS; i++) {
		uintptr_t start;
		size_t len;

		if (!d->mem_size[i])
			continue;
		mem_pages(d, i, &start, &len);
		int clash = start + len > VM_LOWER_HALF_END;

		for (size_t off = 0; off < len && !clash; off += PAGE_SIZE)
			clash = vm_lookup(start + off) != 0;
		if (clash || vm_map(start, start, len, VM_WRITE | VM_DEVICE)) {
			if (!clash)
				vm_unmap(start, len); /* what it mapped */
			pr_err("dev_open: %04x:%04x: BAR %u at 0x%lx (0x%lx "
			       "bytes) %s\n",
			       vendor, device, i, (unsigned long)d->mem_base[i],
			       (unsigned long)d->mem_size[i],
			       clash ? "overlaps memory the kernel maps"
				     : "cannot be mapped: no memory for "
				       "page tables");
			mem_unmap(d, i);
			return -1;
		}
		if (pkey >= 0)
			vm_set_pkey(start, len, pkey);
	}
	return 0;
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
	uint32_t cmd = pci_read32(bdf, PCI_COMMAND) & 0xffff;
	struct dev *d = &devs[slot];
	unsigned io_size = 0, decode = 0;

	pci_write32(bdf, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	if (bar & PCI_BAR_IO) {
		io_size = io_bar_size(bdf);
		decode |= PCI_CMD_IO;
	}
	for (unsigned i = 0; i < PCI_BARS;) {
		unsigned next =
			mem_bar(bdf, i, &d->mem_base[i], &d->mem_size[i]);

		for (unsigned j = i + 1; j < next; j++)
			d->mem_base[j] = d->mem_size[j] = 0;
		if (d->mem_size[i])
			decode |= PCI_CMD_MEM;
		i = next;
	}
	if (!decode) {
		pr_err("dev_open: %04x:%04x: neither an I/O BAR 0 nor a "
		       "memory BAR\n",
		       vendor, device);
		pci_write32(bdf, PCI_COMMAND, cmd);
		return DEV_NONE;
	}
	if (mem_map(d, vendor, device) != 0) {
		pci_write32(bdf, PCI_COMMAND, cmd);
		return DEV_NONE;
	}
	pci_write32(bdf, PCI_COMMAND,
		    (cmd & ~PCI_CMD_NO_INTX) | decode | PCI_CMD_MASTER);

	unsigned line = pci_read32(bdf, PCI_INTERRUPT) & 0xff;

	uint64_t flags = irq_save();

	d->gen = d->gen == DEV_GEN_MAX ? 1 : d->gen + 1;
	d->open = 1;
	d->bdf = bdf;
	d->io_base = (uint16_t)(bar & ~3u);
	d->io_size = io_size;
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
	mem_unmap(d, PCI_BARS);
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

uint32_t dev_config_read(int h, unsigned offset, unsigned width)
{
	struct dev *d = dev_get(h, "dev_config_read");

	if (width != 1 && width != 2 && width != 4)
		panic("dev_config_read: handle 0x%x offset 0x%x width %u: "
		      "width is not 1, 2 or 4",
		      (unsigned)h, offset, width);
	if (offset >= PCI_CONFIG_SIZE || width > PCI_CONFIG_SIZE - offset)
		panic("dev_config_read: handle 0x%x offset 0x%x width %u: "
		      "beyond configuration space (0x%x bytes)",
		      (unsigned)h, offset, width, PCI_CONFIG_SIZE);
	if (offset % width)
		panic("dev_config_read: handle 0x%x offset 0x%x width %u: "
		      "offset is not a multiple of the width",
		      (unsigned)h, offset, width);
	uint32_t v = pci_read32(d->bdf, offset & ~3u) >> (8 * (offset & 3));

	return width == 4 ? v : v & ((1u << (8 * width)) - 1);
}

unsigned long dev_mem_size(int h, unsigned bar)
{
	struct dev *d = dev_get(h, "dev_mem_size");

	return bar < PCI_BARS ? (unsigned long)d->mem_size[bar] : 0;
}

uint32_t dev_mem_read(int h, unsigned bar, unsigned offset, unsigned width)
{
	struct dev *d = mem_check(h, bar, offset, width, "dev_mem_read");
	uintptr_t a = (uintptr_t)d->mem_base[bar] + offset;

	if (width == 1)
		return mmio_read8(a);
	if (width == 2)
		return mmio_read16(a);
	return mmio_read32(a);
}

void dev_mem_write(int h, unsigned bar, unsigned offset, unsigned width,
		   uint32_t value)
{
	struct dev *d = mem_check(h, bar, offset, width, "dev_mem_write");
	uintptr_t a = (uintptr_t)d->mem_base[bar] + offset;

	if (width == 1)
		mmio_write8(a, (uint8_t)value);
	else if (width == 2)
		mmio_write16(a, (uint16_t)value);
	else
		mmio_write32(a, value);
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
