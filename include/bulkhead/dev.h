/*
 * dev.h - devices for drivers (kernel/dev.c, in the kernel core): a PCI
 * device opened by vendor and device id, its I/O ports, its interrupt.
 *
 * A driver never touches PCI configuration space, the interrupt
 * controller or a port outside its device's BAR 0: it holds a handle, a
 * number the core checks on every call (not a pointer), and asks the core
 * for each port access. An interrupt is not a callback: the core's own
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
 * checks that its BAR 0 is in I/O space, records that range and the
 * interrupt line, enables I/O decoding and bus mastering, and routes the
 * line to its own handler. Returns a handle (> 0), or DEV_NONE when there
 * is no such device, it is already open, or its BAR 0 is not I/O space.
 */
int dev_open(unsigned vendor, unsigned device);
/* Stop the device (no decoding, no bus mastering); the handle goes stale. */
void dev_close(int dev);
/* Size in bytes of the device's I/O range (BAR 0). */
unsigned dev_io_size(int dev);

/* Port I/O at `offset` into BAR 0; width 1, 2 or 4, offset a multiple of
 * it, offset + width within the BAR. */
uint32_t dev_io_read(int dev, unsigned offset, unsigned width);
void dev_io_write(int dev, unsigned offset, unsigned width, uint32_t value);

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
