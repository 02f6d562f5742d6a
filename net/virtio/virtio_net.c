/*
 * virtio_net.c - a driver for QEMU's virtio-net-pci device, through the
 * legacy (transitional) virtio-PCI interface: registers in I/O space
 * (BAR 0), split virtqueues in physically contiguous pages, one legacy
 * PCI interrupt.
 *
 * The device is reached only through the kernel core's device interface
 * (include/bulkhead/dev.h): a handle, port I/O the core checks against
 * BAR 0, and the interrupt as a thread of ours, vnet_irq_main, that the
 * core wakes.
 *
 * Queue 0 receives, queue 1 transmits. Every receive buffer (2 KiB) is
 * posted up front; a frame is copied out of its buffers and they are
 * posted again, with one notification for them all. A frame to send is
 * copied into a free transmit buffer. Threads waiting for either sleep on
 * a wait queue the interrupt thread wakes. Only threads touch the queues,
 * and they switch only when they wait, so a check and the wait after it
 * need no lock.
 *
 * Merged receive buffers (VIRTIO_NET_F_MRG_RXBUF): the header grows to 12
 * bytes both ways (num_buffers), and the device may spread one frame over
 * several posted buffers, the header in the first saying how many used
 * entries it took. With them the driver takes receive segmentation
 * offload (VIRTIO_NET_F_GUEST_TSO4, which also needs GUEST_CSUM): the
 * host hands over a TCP/IPv4 segment of up to 64 KiB as one frame (its
 * checksum left partial or vouched for, its IP header whole) where it
 * would have cut it into 1,500-byte frames, so per-frame costs (the
 * driver, lwIP's input path, an ACK every two frames) are paid once per
 * 64 KiB. vnet_peek says how long the next frame is, so that the stack
 * can take it in one buffer of that size. Without merged buffers (or
 * when the device does not offer them: QEMU's user network offers
 * nothing) each buffer holds one frame of up to 1,514 bytes and a
 * 10-byte header, as before; receive TSO4 is then not taken, since every
 * buffer would have to hold 64 KiB.
 *
 * Checksum offload, when the device offers it (QEMU does with a tap
 * backend, not with SLIRP): VIRTIO_NET_F_CSUM lets a frame go out with its
 * TCP checksum left to the device (NEEDS_CSUM in the frame's header, with
 * where the sum starts and where it goes), VIRTIO_NET_F_GUEST_CSUM lets
 * the device mark received frames whose checksum needs no check
 * (DATA_VALID) or was never computed because the frame never left the
 * host's memory (NEEDS_CSUM). vnet_offloads() says which were agreed;
 * the network stack decides what to do with them (net/lwip/netif.c).
 *
 * Interrupts are asked for only by a thread about to wait: both queues
 * keep VRING_AVAIL_F_NO_INTERRUPT set, and a thread that finds nothing to
 * do clears it, looks once more, and only then sleeps (irq_wanted). Under
 * load the receiving thread works through the ring without interrupts,
 * and sent frames are reclaimed by the next send, never by an interrupt.
 */
#include <stdint.h>
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/dev.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/virtio.h>
#include <bulkhead/sched.h>

#define VIRTIO_VENDOR	   0x1af4
#define VIRTIO_NET_LEGACY  0x1000 /* transitional network device */

/* Legacy register offsets in BAR 0. */
#define REG_HOST_FEATURES  0x00
#define REG_GUEST_FEATURES 0x04
#define REG_QUEUE_PFN	   0x08
#define REG_QUEUE_SIZE	   0x0c
#define REG_QUEUE_SELECT   0x0e
#define REG_QUEUE_NOTIFY   0x10
#define REG_STATUS	   0x12
#define REG_ISR		   0x13
#define REG_MAC		   0x14

#define STATUS_ACK	   0x01
#define STATUS_DRIVER	   0x02
#define STATUS_DRIVER_OK   0x04
#define STATUS_FAILED	   0x80
#define FEATURE_CSUM	   (1u << 0) /* device completes sent checksums */
#define FEATURE_GUEST_CSUM (1u << 1) /* device marks received checksums */
#define FEATURE_MAC	   (1u << 5)
#define FEATURE_GUEST_TSO4 (1u << 7)  /* device may deliver TCP/IPv4 GSO */
#define FEATURE_MRG_RXBUF  (1u << 15) /* a frame may span several buffers */

/* virtio_net_hdr.flags */
#define HDR_F_NEEDS_CSUM   1
#define HDR_F_DATA_VALID   2

#define DESC_F_NEXT	   1
#define DESC_F_WRITE	   2
#define USED_NO_NOTIFY	   1 /* device to driver: no notify needed */
#define AVAIL_NO_INTERRUPT 1 /* driver to device: no interrupt wanted */

#define RXQ		   0
#define TXQ		   1
#define BUF_SIZE	   2048 /* header + one Ethernet frame, or a piece */
#define HDR_PLAIN	   10	/* legacy virtio_net_hdr */
#define HDR_MERGED	   12	/* ... and num_buffers (MRG_RXBUF) */

struct vring_desc {
	uint64_t addr; /* guest-physical buffer */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_used_elem {
	uint32_t id;  /* head descriptor of the buffer */
	uint32_t len; /* bytes the device wrote */
};

/* One virtqueue in the legacy layout: descriptors, then the available
 * ring, then (page-aligned) the used ring. */
struct vq {
	unsigned size; /* entries, from the device */
	struct vring_desc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[size] */
	volatile uint8_t *used;	  /* flags, idx, elem[size] */
	uint16_t used_seen;	  /* used entries consumed so far */
	uint8_t *bufs;		  /* size * BUF_SIZE bytes */
	unsigned free;		  /* transmit: descriptors not in flight */
};

extern const int libc_pkey; /* this compartment's key (generated glue) */

static int nic = DEV_NONE; /* our device, from the kernel core */
static struct vq queues[2];
/* Threads waiting for each queue: the scheduler's wait queues, made
 * before the interrupt handler that wakes them is registered. */
static sched_waitq_t waiters[2];
static uint64_t mac;
static unsigned offloads; /* VNET_* offloads agreed */
static unsigned hdr_size; /* HDR_PLAIN, or HDR_MERGED with MRG_RXBUF */
/* The received frame vnet_peek looked at: its buffers' count (used
 * entries from used_seen on), its length and marks; 0 buffers: none. */
static unsigned rx_bufs;
static long rx_peeked;
static uint64_t frames_in, frames_out;

static uint16_t used_idx(struct vq *q)
{
	return *(volatile uint16_t *)(q->used + 2);
}

static struct vring_used_elem used_elem(struct vq *q, unsigned i)
{
	return ((volatile struct vring_used_elem *)(q->used + 4))[i % q->size];
}

static void avail_push(struct vq *q, uint16_t desc)
{
	uint16_t idx = q->avail[1];

	q->avail[2 + idx % q->size] = desc;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	q->avail[1] = (uint16_t)(idx + 1);
}

/*
 * Tell the device that queue `index` has new buffers, unless it said it
 * does not need to know (it sets USED_NO_NOTIFY while it still has
 * buffers to work through, and looks again before clearing it). Each
 * notification is a call into the kernel core, a gate under mpk; under
 * load most are skipped.
 */
static void vq_notify(int index)
{
	struct vq *q = &queues[index];

	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* avail idx, then flags */
	if (!(*(volatile uint16_t *)q->used & USED_NO_NOTIFY))
		dev_io_write(nic, REG_QUEUE_NOTIFY, 2, (uint32_t)index);
}

/*
 * Whether there is nothing for this thread yet: with interrupts allowed
 * again on queue q (VRING_AVAIL_F_NO_INTERRUPT cleared), the condition
 * `idle` looked at once more, so a buffer the device used just before
 * the flag changed is not missed. The flag is set again when there is
 * work after all; after a wait the caller sets it (irq_off).
 */
static int irq_wanted(struct vq *q, int (*idle)(struct vq *))
{
	q->avail[0] = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* flag, then used idx */
	if (idle(q))
		return 1;
	q->avail[0] = AVAIL_NO_INTERRUPT;
	return 0;
}

static void irq_off(struct vq *q)
{
	q->avail[0] = AVAIL_NO_INTERRUPT;
}

static size_t vq_bytes(unsigned n)
{
	size_t first = ALIGN_UP(16 * n + 2 * (3 + n), (size_t)PAGE_SIZE);

	return first + ALIGN_UP(2 * 3 + 8 * n, (size_t)PAGE_SIZE);
}

static int vq_setup(int index)
{
	struct vq *q = &queues[index];

	dev_io_write(nic, REG_QUEUE_SELECT, 2, (uint32_t)index);
	q->size = dev_io_read(nic, REG_QUEUE_SIZE, 2);
	if (q->size == 0)
		return -1;
	size_t bytes = vq_bytes(q->size);
	/* The rings and buffers carry this compartment's key (mpk). */
	uint8_t *ring = mm_page_alloc_key(bytes / PAGE_SIZE, libc_pkey);

	q->bufs = mm_page_alloc_key(
		ALIGN_UP(q->size * BUF_SIZE, PAGE_SIZE) / PAGE_SIZE, libc_pkey);
	if (!ring || !q->bufs)
		return -1;
	q->desc = (struct vring_desc *)ring;
	q->avail = (volatile uint16_t *)(ring + 16 * q->size);
	q->used = ring +
		  ALIGN_UP(16 * q->size + 2 * (3 + q->size), (size_t)PAGE_SIZE);
	for (unsigned i = 0; i < q->size; i++) {
		q->desc[i].addr = (uintptr_t)(q->bufs + i * BUF_SIZE);
		q->desc[i].len = BUF_SIZE;
		q->desc[i].flags = index == RXQ ? DESC_F_WRITE : 0;
	}
	q->free = q->size;
	q->avail[0] = AVAIL_NO_INTERRUPT;
	dev_io_write(nic, REG_QUEUE_PFN, 4, (uint32_t)((uintptr_t)ring >> 12));
	return 0;
}

void *vnet_irq_main(void *arg);

/*
 * The device's interrupt, as a thread (a thread entry, virtio.api): wait
 * for it, read the ISR status (which clears the device's interrupt), let
 * the line through again, and wake whoever waits for used buffers.
 */
void *vnet_irq_main(void *arg)
{
	(void)arg;
	for (;;) {
		dev_irq_wait(nic, 0);
		uint32_t isr = dev_io_read(nic, REG_ISR, 1);

		dev_irq_done(nic);
		if (isr & 1) {
			sched_wake_all(waiters[RXQ]);
			sched_wake_all(waiters[TXQ]);
		}
	}
	return NULL;
}

int vnet_init(void)
{
	nic = dev_open(VIRTIO_VENDOR, VIRTIO_NET_LEGACY);
	if (nic == DEV_NONE)
		return -1;
	dev_io_write(nic, REG_STATUS, 1, 0); /* reset */
	dev_io_write(nic, REG_STATUS, 1, STATUS_ACK | STATUS_DRIVER);
	uint32_t features = dev_io_read(nic, REG_HOST_FEATURES, 4);

	uint32_t want = FEATURE_MAC | FEATURE_CSUM | FEATURE_GUEST_CSUM |
			FEATURE_MRG_RXBUF | FEATURE_GUEST_TSO4;

	features &= want;
	/* TSO4 needs GUEST_CSUM (the spec's rule: a segment's checksum is
	 * left partial), and here merged buffers too: without them every
	 * posted buffer would have to hold 64 KiB. */
	if (!(features & FEATURE_GUEST_CSUM) || !(features & FEATURE_MRG_RXBUF))
		features &= ~FEATURE_GUEST_TSO4;
	dev_io_write(nic, REG_GUEST_FEATURES, 4, features);
	offloads = (features & FEATURE_CSUM ? VNET_TX_CSUM : 0) |
		   (features & FEATURE_GUEST_CSUM ? VNET_RX_CSUM : 0) |
		   (features & FEATURE_MRG_RXBUF ? VNET_RX_MERGED : 0) |
		   (features & FEATURE_GUEST_TSO4 ? VNET_RX_TSO : 0);
	hdr_size = features & FEATURE_MRG_RXBUF ? HDR_MERGED : HDR_PLAIN;
	rx_bufs = 0;
	for (unsigned i = 0; i < 2; i++)
		if (!waiters[i])
			waiters[i] = sched_waitq_new();
	if (!waiters[RXQ] || !waiters[TXQ] || vq_setup(RXQ) || vq_setup(TXQ)) {
		dev_io_write(nic, REG_STATUS, 1, STATUS_FAILED);
		return -1;
	}
	for (unsigned i = 0; i < 6; i++)
		mac |= (uint64_t)dev_io_read(nic, REG_MAC + i, 1) << (8 * i);

	struct vq *rx = &queues[RXQ];

	for (unsigned i = 0; i < rx->size; i++)
		avail_push(rx, (uint16_t)i);
	sched_thread_t irq = sched_create("vnet-irq", vnet_irq_main, NULL, 0);

	if (!irq) {
		dev_io_write(nic, REG_STATUS, 1, STATUS_FAILED);
		return -1;
	}
	sched_detach(irq);
	dev_io_write(nic, REG_STATUS, 1,
		     STATUS_ACK | STATUS_DRIVER | STATUS_DRIVER_OK);
	dev_io_write(nic, REG_QUEUE_NOTIFY, 2, RXQ);
	return 0;
}

uint64_t vnet_mac(void)
{
	return mac;
}

unsigned vnet_offloads(void)
{
	return offloads;
}

/* Give back transmit descriptors the device is done with. */
static void tx_reclaim(struct vq *q)
{
	while (q->used_seen != used_idx(q)) {
		q->used_seen++;
		q->free++;
	}
}

/* Whether every transmit descriptor is still in flight. */
static int tx_full(struct vq *q)
{
	tx_reclaim(q);
	return q->free == 0;
}

/* Whether the device has used no receive buffer we have not seen. */
static int rx_empty(struct vq *q)
{
	return q->used_seen == used_idx(q);
}

/*
 * Queue one frame. With csum_start nonzero the device computes the
 * checksum from that byte to the end and stores it at csum_start +
 * csum_offset (the frame holds the pseudo-header's sum there); refused
 * (-1) unless VNET_TX_CSUM was agreed and both lie inside the frame.
 */
int vnet_send(const void *frame, size_t len, unsigned csum_start,
	      unsigned csum_offset)
{
	struct vq *q = &queues[TXQ];

	if (len > BUF_SIZE - hdr_size)
		return -1;
	if (csum_start && (!(offloads & VNET_TX_CSUM) ||
			   (size_t)csum_start + csum_offset + 2 > len))
		return -1;
	while (tx_full(q) && irq_wanted(q, tx_full)) {
		sched_wait(waiters[q - queues], 0);
		irq_off(q);
	}
	uint16_t d = (uint16_t)(q->avail[1] % q->size);
	uint8_t *buf = q->bufs + d * BUF_SIZE;

	memset(buf, 0, hdr_size);
	if (csum_start) {
		buf[0] = HDR_F_NEEDS_CSUM;
		memcpy(buf + 6, &(uint16_t){(uint16_t)csum_start}, 2);
		memcpy(buf + 8, &(uint16_t){(uint16_t)csum_offset}, 2);
	}
	memcpy(buf + hdr_size, frame, len);
	q->desc[d].len = (uint32_t)(hdr_size + len);
	q->free--;
	avail_push(q, d);
	vq_notify(TXQ);
	frames_out++;
	return 0;
}

long vnet_peek(uint64_t deadline_ns)
{
	struct vq *q = &queues[RXQ];

	if (rx_bufs)
		return rx_peeked;
	while (rx_empty(q) && irq_wanted(q, rx_empty)) {
		int r = sched_wait(waiters[q - queues], deadline_ns);

		irq_off(q);
		if (r == SCHED_ETIMEDOUT && rx_empty(q))
			return -1;
	}
	struct vring_used_elem e = used_elem(q, q->used_seen);
	const uint8_t *hdr = q->bufs + (e.id % q->size) * BUF_SIZE;
	uint16_t n = 1;

	/* With merged buffers the first one's header says how many used
	 * entries the frame took; the device publishes them together. The
	 * device's word is taken as it is, as its lengths are: it could
	 * write anywhere in memory anyway (no IOMMU, see design.md). */
	if (offloads & VNET_RX_MERGED)
		memcpy(&n, hdr + 10, 2);
	size_t len = 0;

	for (uint16_t i = 0; i < n; i++)
		len += used_elem(q, q->used_seen + i).len;
	len = len > hdr_size ? len - hdr_size : 0;
	rx_peeked = (long)len;
	if (offloads & VNET_RX_CSUM) {
		if (hdr[0] & HDR_F_DATA_VALID)
			rx_peeked |= VNET_RX_VALID;
		if (hdr[0] & HDR_F_NEEDS_CSUM)
			rx_peeked |= VNET_RX_PARTIAL;
	}
	rx_bufs = n;
	return rx_peeked;
}

long vnet_recv(void *buf, size_t cap, uint64_t deadline_ns)
{
	struct vq *q = &queues[RXQ];
	long r = vnet_peek(deadline_ns);
	size_t skip = hdr_size, done = 0;

	if (r < 0)
		return -1;
	for (unsigned i = 0; i < rx_bufs; i++, skip = 0) {
		struct vring_used_elem e = used_elem(q, q->used_seen++);
		uint16_t id = (uint16_t)(e.id % q->size);
		size_t len = e.len;

		len = len > skip ? len - skip : 0;
		if (len > cap - done)
			len = cap - done;
		memcpy((uint8_t *)buf + done, q->bufs + id * BUF_SIZE + skip,
		       len);
		done += len;
		avail_push(q, id);
	}
	/* One notification for the frame's buffers, all posted again. */
	vq_notify(RXQ);
	rx_bufs = 0;
	frames_in++;
	return (long)done | (r & ~VNET_RX_LEN(-1L));
}

uint64_t vnet_frames(int received)
{
	return received ? frames_in : frames_out;
}
