/*
 * The device interface (kernel/dev.c): it opens QEMU's virtio-net (the
 * runner boots this suite with one), and refuses a driver's misuse: each
 * alone case does one wrong thing and expects the exact report that
 * stops the machine.
 */
#include <bulkhead/dev.h>
#include <bulkhead/kernel.h>
#include "ktest.h"

#define VIRTIO_VENDOR	  0x1af4
#define VIRTIO_NET_LEGACY 0x1000

static int open_nic(void)
{
	int h = dev_open(VIRTIO_VENDOR, VIRTIO_NET_LEGACY);

	if (h <= 0)
		panic("no virtio-net device to test with");
	ktest_expect_exit(EXIT_PANIC);
	return h;
}

TEST(dev, opens_the_virtio_bar)
{
	int h = dev_open(VIRTIO_VENDOR, VIRTIO_NET_LEGACY);

	KT_ASSERT(h > 0);
	KT_EXPECT_EQ(dev_open(VIRTIO_VENDOR, VIRTIO_NET_LEGACY), DEV_NONE);
	unsigned size = dev_io_size(h);

	KT_ASSERT(size >= 0x18 && (size & (size - 1)) == 0);
	KT_ASSERT(dev_io_read(h, 0, 4) & (1u << 5)); /* offers its MAC */
	dev_close(h);
	int again = dev_open(VIRTIO_VENDOR, VIRTIO_NET_LEGACY);

	KT_ASSERT(again > 0 && again != h);
	dev_close(again);
}

/* A number that was never handed out. */
TEST_ALONE(dev, forged_handle_refused)
{
	int h = open_nic() + 1;

	ktest_expect("PANIC: dev_io_read: handle 0x%x is not a device handle "
		     "(thread \"main\")",
		     (unsigned)h);
	dev_io_read(h, 0, 4);
}

/* A handle whose device was closed. */
TEST_ALONE(dev, stale_handle_refused)
{
	int h = open_nic();

	dev_close(h);
	ktest_expect("PANIC: dev_irq_wait: handle 0x%x is stale: its device "
		     "was closed (thread \"main\")",
		     (unsigned)h);
	dev_irq_wait(h, 0);
}

/* The first port past the BAR: it belongs to some other device. */
TEST_ALONE(dev, io_beyond_the_bar_refused)
{
	int h = open_nic();
	unsigned size = dev_io_size(h);

	ktest_expect("PANIC: dev_io_write: handle 0x%x offset 0x%x width 2: "
		     "beyond the device's I/O range (0x%x bytes) (thread "
		     "\"main\")",
		     (unsigned)h, size, size);
	dev_io_write(h, size, 2, 0);
}

TEST_ALONE(dev, io_misaligned_refused)
{
	int h = open_nic();

	ktest_expect("PANIC: dev_io_read: handle 0x%x offset 0x2 width 4: "
		     "offset is not a multiple of the width (thread \"main\")",
		     (unsigned)h);
	dev_io_read(h, 2, 4);
}
