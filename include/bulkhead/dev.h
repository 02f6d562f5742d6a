/*
 * dev.h - devices for drivers (kernel/dev.c, in the kernel core): a PCI
 * device opened by vendor and device id, its configuration space (read
 * only), its I/O ports, its memory-mapped registers, its interrupt.
 *
 * A driver never writes PCI configuration space, never touches the
 * interrupt controller, a port outside its device's BAR 0 or a register
 * outside its memory BARs: it holds a handle, a number the core checks on
 * every call (not a pointer), and asks the core for each access. The
 * memory BARs are mapped for the core alone (its protection key). An interrupt is not a callback: the core's own
 * handler masks the line and wakes the thread waiting in dev_irq_wait(),
 * which acknowledges the device and calls dev_irq_done() to unmask it.
 * Misuse (a handle that is not an open device's, a port outside the BAR,
 * a misaligned access) stops the machine with a report naming the
 * function, the handle, the offset and the width.
 */
#ifndef BULKHEAD_DEV_H
#define BULKHEAD_DEV_H

#include <stdint.h>

#define DEV_NONE (-1) /* dev_open: no such device, or it is already open */

/*
 * Open the first PCI function with this vendor and device id: the core
 * records its I/O BAR 0 (if BAR 0 is I/O space), maps its memory BARs,
 * records the interrupt line, enables decoding and bus mastering, and
 * routes the line to its own handler. Returns a handle (> 0), or DEV_NONE
 * when there is no such device, it is already open, it has neither an I/O
 * BAR 0 nor a memory BAR, or a memory BAR lies on memory the kernel maps.
 */
int dev_open(unsigned vendor, unsigned device);
/* Stop the device (no decoding, no bus mastering); the handle goes stale. */
void dev_close(int dev);
/* Size in bytes of the device's I/O range (BAR 0; 0 when BAR 0 is not
 * I/O space). */
unsigned dev_io_size(int dev);

/* Port I/O at `offset` into BAR 0; width 1, 2 or 4, offset a multiple of
 * it, offset + width within the BAR. */
uint32_t dev_io_read(int dev, unsigned offset, unsigned width);
void dev_io_write(int dev, unsigned offset, unsigned width, uint32_t value);

/* Read `width` (1, 2 or 4) bytes at `offset` of the device's PCI
 * configuration space (256 bytes; offset a multiple of width): its
 * capability list, the addresses its BARs hold. */
uint32_t dev_config_read(int dev, unsigned offset, unsigned width);
/* Size in bytes of memory BAR `bar` (0..5); 0 when it is not one. */
unsigned long dev_mem_size(int dev, unsigned bar);
/* A register in memory BAR `bar`: width 1, 2 or 4, offset a multiple of
 * it, offset + width within the BAR. One access of that width. */
uint32_t dev_mem_read(int dev, unsigned bar, unsigned offset, unsigned width);
void dev_mem_write(int dev, unsigned bar, unsigned offset, unsigned width,
		   uint32_t value);

/*
 * Wait until the device interrupts or the monotonic clock reaches
 * deadline_ns (0 = no deadline): 0, or SCHED_ETIMEDOUT. An interrupt that
 * came since the last wait returns at once. The line stays masked until
 * dev_irq_done(), which the driver calls once the device has been told
 * (legacy virtio: reading the ISR status register clears it).
 */
int dev_irq_wait(int dev, uint64_t deadline_ns);
void dev_irq_done(int dev);

#endif
