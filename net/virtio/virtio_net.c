/*
 * virtio_net.c - a driver for QEMU's virtio-net-pci device, through the
 * virtio 1.0 ("modern") PCI interface when the device offers it, else the
 * legacy one: split virtqueues in physically contiguous pages, one legacy
 * PCI interrupt.
 *
 * The device is reached only through the kernel core's device interface
 * (include/bulkhead/dev.h): a handle, register accesses the core checks
 * against the device's BARs, and the interrupt as a thread of ours,
 * vnet_irq_main, that the core wakes.
 *
 * The two interfaces differ only in where the registers are. Legacy: one
 * block in I/O BAR 0, 32 feature bits, a queue placed by its page number.
 * Modern: vendor capabilities in PCI configuration space point at
 * structures in memory BARs (common configuration, notification, ISR
 * status, the device's own configuration), 64 feature bits of which
 * VIRTIO_F_VERSION_1 must be agreed (then the header always has
 * num_buffers, 12 bytes), FEATURES_OK is set and read back, and each
 * queue's three parts are placed by address and enabled. The device ids
 * tell them apart: 0x1000 is transitional (both interfaces; modern is
 * taken when its capabilities are there), 0x1041 modern only (QEMU's
 * disable-legacy=on).
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
#define VIRTIO_NET_MODERN  0x1041 /* virtio 1.0 only: 0x1040 + net (1) */

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
#define STATUS_FEATURES_OK 0x08 /* modern: the driver's features are set */
#define STATUS_FAILED	   0x80
#define FEATURE_CSUM	   (1u << 0) /* device completes sent checksums */
#define FEATURE_GUEST_CSUM (1u << 1) /* device marks received checksums */
#define FEATURE_MAC	   (1u << 5)
#define FEATURE_GUEST_TSO4 (1u << 7)  /* device may deliver TCP/IPv4 GSO */
#define FEATURE_MRG_RXBUF  (1u << 15) /* a frame may span several buffers */
#define FEATURE_VERSION_1  (1u << 0)  /* of the high word: bit 32 */

/* Modern: the vendor capabilities (virtio_pci_cap) in config space. */
#define PCI_STATUS	   0x06
#define PCI_STATUS_CAPS	   0x10 /* the capability list is there */
#define PCI_CAP_PTR	   0x34
#define CAP_VENDOR	   0x09
#define CAP_COMMON	   1
#define CAP_NOTIFY	   2
#define CAP_ISR		   3
#define CAP_DEVICE	   4
/* Common configuration (virtio_pci_common_cfg), byte offsets. */
#define CC_DFSELECT	   0x00
#define CC_DF		   0x04
#define CC_GFSELECT	   0x08
#define CC_GF		   0x0c
#define CC_STATUS	   0x14
#define CC_Q_SELECT	   0x16
#define CC_Q_SIZE	   0x18
#define CC_Q_ENABLE	   0x1c
#define CC_Q_NOTIFY_OFF	   0x1e
#define CC_Q_DESC	   0x20
#define CC_Q_DRIVER	   0x28
#define CC_Q_DEVICE	   0x30
#define CC_SIZE		   0x38

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
/* Modern: where each structure is (a BAR and an offset in it); legacy:
 * modern == 0 and every register is in I/O BAR 0. */
struct region {
	unsigned bar, off;
};
static int modern;
static struct region common, notify, isr, devcfg;
static unsigned notify_mult;   /* bytes between queues' notify addresses */
static unsigned notify_off[2]; /* each queue's, times notify_mult */
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

static uint32_t reg_read(struct region r, unsigned off, unsigned width)
{
	return dev_mem_read(nic, r.bar, r.off + off, width);
}

static void reg_write(struct region r, unsigned off, unsigned width, uint32_t v)
{
	dev_mem_write(nic, r.bar, r.off + off, width, v);
}

static void set_status(unsigned status)
{
	if (modern)
		reg_write(common, CC_STATUS, 1, status);
	else
		dev_io_write(nic, REG_STATUS, 1, status);
}

static unsigned get_status(void)
{
	return modern ? reg_read(common, CC_STATUS, 1)
		      : dev_io_read(nic, REG_STATUS, 1);
}

/*
 * Find the modern interface's structures through the vendor capabilities:
 * 1 when all four are there, each within its BAR; 0 when the device has
 * no capability list or lacks one (the legacy interface then serves).
 */
static int find_modern(void)
{
	int found = 0;

	if (!(dev_config_read(nic, PCI_STATUS, 2) & PCI_STATUS_CAPS))
		return 0;
	/* A loop in the list would go on for ever: 48 entries fill it. */
	unsigned at = dev_config_read(nic, PCI_CAP_PTR, 1) & 0xfc;

	for (unsigned n = 0; at >= 0x40 && n < 48; n++) {
		unsigned here = at;
		uint32_t head = dev_config_read(nic, here, 4);
		unsigned type = (head >> 24) & 0xff, next = (head >> 8) & 0xfc;

		int bit = type >= CAP_COMMON && type <= CAP_DEVICE
				  ? 1 << (type - 1)
				  : 0;

		at = next;
		if ((head & 0xff) != CAP_VENDOR || !bit || (found & bit) ||
		    here > 0x100 - 20)
			continue; /* not one of ours, or one we have */
		struct region r = {dev_config_read(nic, here + 4, 1),
				   dev_config_read(nic, here + 8, 4)};
		uint32_t len = dev_config_read(nic, here + 12, 4);
		unsigned long size = dev_mem_size(nic, r.bar);

		/* Only structures inside a memory BAR (the spec allows I/O
		 * BARs as well; QEMU does not use them), each big enough. */
		if (r.off > size || len > size - r.off ||
		    len < (type == CAP_COMMON	? CC_SIZE
			   : type == CAP_DEVICE ? 6
						: 1))
			continue;
		if (type == CAP_COMMON)
			common = r;
		if (type == CAP_NOTIFY) {
			notify = r;
			notify_mult = dev_config_read(nic, here + 16, 4);
		}
		if (type == CAP_ISR)
			isr = r;
		if (type == CAP_DEVICE)
			devcfg = r;
		found |= bit;
	}
	return found == 15;
}

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

/* Tell the device that queue `index` has new buffers. */
static void kick(int index)
{
	if (modern)
		reg_write(notify, notify_off[index], 2, (uint32_t)index);
	else
		dev_io_write(nic, REG_QUEUE_NOTIFY, 2, (uint32_t)index);
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
		kick(index);
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

	if (modern) {
		reg_write(common, CC_Q_SELECT, 2, (uint32_t)index);
		q->size = reg_read(common, CC_Q_SIZE, 2);
	} else {
		dev_io_write(nic, REG_QUEUE_SELECT, 2, (uint32_t)index);
		q->size = dev_io_read(nic, REG_QUEUE_SIZE, 2);
	}
	/* The ring arithmetic takes a power of two (legacy devices have
	 * one; a modern device could offer any size up to 32768). */
	if (q->size == 0 || q->size > 32768 || (q->size & (q->size - 1)))
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
	if (!modern) {
		dev_io_write(nic, REG_QUEUE_PFN, 4,
			     (uint32_t)((uintptr_t)ring >> 12));
		return 0;
	}
	uintptr_t parts[3] = {(uintptr_t)q->desc, (uintptr_t)q->avail,
			      (uintptr_t)q->used};

	for (unsigned i = 0; i < 3; i++) {
		reg_write(common, CC_Q_DESC + 8 * i, 4, (uint32_t)parts[i]);
		reg_write(common, CC_Q_DESC + 8 * i + 4, 4,
			  (uint32_t)((uint64_t)parts[i] >> 32));
	}
	notify_off[index] = reg_read(common, CC_Q_NOTIFY_OFF, 2) * notify_mult;
	reg_write(common, CC_Q_ENABLE, 2, 1);
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
		uint32_t status = modern ? reg_read(isr, 0, 1)
					 : dev_io_read(nic, REG_ISR, 1);

		dev_irq_done(nic);
		if (status & 1) {
			sched_wake_all(waiters[RXQ]);
			sched_wake_all(waiters[TXQ]);
		}
	}
	return NULL;
}

/* Agree on features: what the device offers of `want`, less what the
 * rules forbid; modern adds VERSION_1 and checks FEATURES_OK. 0 or -1. */
static int agree(uint32_t want, uint32_t *agreed)
{
	uint32_t features, high = 0;

	if (modern) {
		reg_write(common, CC_DFSELECT, 4, 0);
		features = reg_read(common, CC_DF, 4);
		reg_write(common, CC_DFSELECT, 4, 1);
		high = reg_read(common, CC_DF, 4) & FEATURE_VERSION_1;
		if (!high)
			return -1; /* a modern device must offer it */
	} else {
		features = dev_io_read(nic, REG_HOST_FEATURES, 4);
	}
	features &= want;
	/* TSO4 needs GUEST_CSUM (the spec's rule: a segment's checksum is
	 * left partial), and here merged buffers too: without them every
	 * posted buffer would have to hold 64 KiB. */
	if (!(features & FEATURE_GUEST_CSUM) || !(features & FEATURE_MRG_RXBUF))
		features &= ~FEATURE_GUEST_TSO4;
	*agreed = features;
	if (!modern) {
		dev_io_write(nic, REG_GUEST_FEATURES, 4, features);
		return 0;
	}
	reg_write(common, CC_GFSELECT, 4, 0);
	reg_write(common, CC_GF, 4, features);
	reg_write(common, CC_GFSELECT, 4, 1);
	reg_write(common, CC_GF, 4, high);
	set_status(STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK);
	return get_status() & STATUS_FEATURES_OK ? 0 : -1;
}

/* Open the device: transitional first, then modern-only. */
static int open_nic(void)
{
	nic = dev_open(VIRTIO_VENDOR, VIRTIO_NET_LEGACY);
	if (nic == DEV_NONE)
		nic = dev_open(VIRTIO_VENDOR, VIRTIO_NET_MODERN);
	if (nic == DEV_NONE)
		return -1;
	modern = find_modern();
	if (!modern && dev_io_size(nic) < REG_MAC + 6) {
		dev_close(nic);
		nic = DEV_NONE;
		return -1; /* neither interface is usable */
	}
	return 0;
}

int vnet_init(void)
{
	uint32_t features;

	if (open_nic() != 0)
		return -1;
	set_status(0); /* reset */
	/* A modern device says when its reset is done (QEMU's at once). */
	for (unsigned n = 0; modern && get_status() != 0; n++) {
		if (n == 1000)
			return -1;
		sched_yield();
	}
	set_status(STATUS_ACK | STATUS_DRIVER);
	if (agree(FEATURE_MAC | FEATURE_CSUM | FEATURE_GUEST_CSUM |
			  FEATURE_MRG_RXBUF | FEATURE_GUEST_TSO4,
		  &features) != 0) {
		set_status(STATUS_FAILED);
		return -1;
	}
	offloads = (features & FEATURE_CSUM ? VNET_TX_CSUM : 0) |
		   (features & FEATURE_GUEST_CSUM ? VNET_RX_CSUM : 0) |
		   (features & FEATURE_MRG_RXBUF ? VNET_RX_MERGED : 0) |
		   (features & FEATURE_GUEST_TSO4 ? VNET_RX_TSO : 0) |
		   (modern ? VNET_MODERN : 0);
	/* num_buffers is there with merged buffers, and always in 1.0. */
	hdr_size = HDR_PLAIN;
	if (modern || features & FEATURE_MRG_RXBUF)
		hdr_size = HDR_MERGED;
	rx_bufs = 0;
	for (unsigned i = 0; i < 2; i++)
		if (!waiters[i])
			waiters[i] = sched_waitq_new();
	if (!waiters[RXQ] || !waiters[TXQ] || vq_setup(RXQ) || vq_setup(TXQ)) {
		set_status(STATUS_FAILED);
		return -1;
	}
	for (unsigned i = 0; i < 6; i++)
		mac |= (uint64_t)(modern ? reg_read(devcfg, i, 1)
					 : dev_io_read(nic, REG_MAC + i, 1))
		       << (8 * i);

	struct vq *rx = &queues[RXQ];

	for (unsigned i = 0; i < rx->size; i++)
		avail_push(rx, (uint16_t)i);
	sched_thread_t irq = sched_create("vnet-irq", vnet_irq_main, NULL, 0);

	if (!irq) {
		set_status(STATUS_FAILED);
		return -1;
	}
	sched_detach(irq);
	set_status(STATUS_ACK | STATUS_DRIVER | STATUS_DRIVER_OK |
		   (modern ? STATUS_FEATURES_OK : 0));
	kick(RXQ);
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

uintptr_t vnet_test_registers(int touch);

/*
 * For tests (virtio.test.api): the address of the device's common
 * configuration (modern interface), as this compartment can work it out
 * from configuration space, which the core lets it read; with `touch`,
 * read it directly, as a driver that bypassed the core would. 0 under
 * the legacy interface.
 */
uintptr_t vnet_test_registers(int touch)
{
	if (!modern)
		return 0;
	unsigned reg = 0x10 + 4 * common.bar;
	uint32_t lo = dev_config_read(nic, reg, 4);
	uint64_t base = lo & ~0xfull;

	if ((lo & 0x7) == 0x4)
		base |= (uint64_t)dev_config_read(nic, reg + 4, 4) << 32;
	uintptr_t a = (uintptr_t)(base + common.off);

	if (touch)
		(void)*(volatile uint32_t *)a;
	return a;
}
