/*
 * The device interface (kernel/dev.c): it opens QEMU's virtio-net (the
 * runner boots this suite with one, transitional: I/O BAR 0 and the
 * virtio 1.0 structures in a memory BAR), and refuses a driver's misuse:
 * each alone case does one wrong thing and expects the exact report that
 * stops the machine.
 */
#include <stdio.h>
#include <string.h>
#include <bulkhead/arch.h>
#include <bulkhead/dev.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
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

/* The first memory BAR of device h, or -1. */
static int mem_bar(int h)
{
	for (unsigned bar = 0; bar < 6; bar++)
		if (dev_mem_size(h, bar))
			return (int)bar;
	return -1;
}

/* Where the virtio 1.0 common configuration is (its vendor capability,
 * type 1): 0 and *bar, *off; -1 when the list has none. */
static int common_cfg(int h, unsigned *bar, unsigned *off)
{
	unsigned at = dev_config_read(h, 0x34, 1) & 0xfc;

	for (unsigned n = 0; at >= 0x40 && n < 48; n++) {
		uint32_t head = dev_config_read(h, at, 4);

		if ((head & 0xff) == 0x09 && (head >> 24) == 1) {
			*bar = dev_config_read(h, at + 4, 1);
			*off = dev_config_read(h, at + 8, 4);
			return 0;
		}
		at = (head >> 8) & 0xfc;
	}
	return -1;
}

/* Config space as the core reads it, a memory BAR mapped for the core
 * alone and uncached, its registers answering, and unmapped on close. */
TEST(dev, reads_config_space_and_memory_registers)
{
	int h = dev_open(VIRTIO_VENDOR, VIRTIO_NET_LEGACY);
	unsigned bar, off;

	KT_ASSERT(h > 0);
	KT_EXPECT_EQ(dev_config_read(h, 0, 2), VIRTIO_VENDOR);
	KT_EXPECT_EQ(dev_config_read(h, 2, 2), VIRTIO_NET_LEGACY);
	KT_EXPECT_EQ(dev_config_read(h, 0, 4),
		     VIRTIO_NET_LEGACY << 16 | VIRTIO_VENDOR);
	KT_EXPECT_EQ(dev_mem_size(h, 0), 0); /* BAR 0 is I/O space */
	KT_EXPECT_EQ(dev_mem_size(h, 6), 0);
	KT_ASSERT(common_cfg(h, &bar, &off) == 0);
	KT_ASSERT(dev_mem_size(h, bar) >= off + 0x38);
	/* Feature word 0, through the modern registers: the MAC bit. */
	dev_mem_write(h, bar, off, 4, 0);
	KT_ASSERT(dev_mem_read(h, bar, off + 4, 4) & (1u << 5));
	/* Word 1: VIRTIO_F_VERSION_1 (bit 32). */
	dev_mem_write(h, bar, off, 4, 1);
	KT_ASSERT(dev_mem_read(h, bar, off + 4, 4) & 1);
	KT_EXPECT_EQ(dev_mem_read(h, bar, off, 4),
		     1); /* the select reads back */

	uint32_t lo = dev_config_read(h, 0x10 + 4 * bar, 4);
	uint64_t base = lo & ~0xfull;

	if ((lo & 0x6) == 0x4)
		base |= (uint64_t)dev_config_read(h, 0x14 + 4 * bar, 4) << 32;
	uint64_t pte = vm_lookup((uintptr_t)base);
	unsigned long size = dev_mem_size(h, bar);

	KT_ASSERT(pte & PTE_P);
	KT_EXPECT_EQ(pte & PTE_ADDR_MASK, base);
	KT_EXPECT_EQ(pte & (PTE_PCD | PTE_PWT | PTE_W | PTE_NX),
		     PTE_PCD | PTE_PWT | PTE_W | PTE_NX);
	dev_close(h);
	KT_EXPECT_EQ(vm_lookup((uintptr_t)base), 0);
	KT_EXPECT_EQ(vm_lookup((uintptr_t)base + size - 1), 0);
}

/* A memory BAR firmware put on memory the kernel maps (here: the image)
 * is refused, with a line saying which; the device stays closed. */
TEST(dev, bar_on_mapped_memory_refused)
{
	int h = dev_open(VIRTIO_VENDOR, VIRTIO_NET_LEGACY);
	unsigned bar;

	KT_ASSERT(h > 0);
	KT_ASSERT(mem_bar(h) >= 0);
	bar = (unsigned)mem_bar(h);
	unsigned long size = dev_mem_size(h, bar);

	dev_close(h);
	uint32_t bdf =
		pci_find(VIRTIO_VENDOR, VIRTIO_NET_LEGACY, VIRTIO_NET_LEGACY);
	unsigned reg = 0x10 + 4 * bar;
	uint32_t lo = pci_read32(bdf, reg), hi = pci_read32(bdf, reg + 4);
	uint64_t image = ALIGN_DOWN((uintptr_t)&mem_bar, (uint64_t)size);
	char expect[128], log[2048] = {0};

	/* Decoding is off (closed); the BAR moves onto the kernel's text. */
	pci_write32(bdf, reg, (uint32_t)image | (lo & 0xf));
	if ((lo & 0x6) == 0x4)
		pci_write32(bdf, reg + 4, (uint32_t)(image >> 32));
	int again = dev_open(VIRTIO_VENDOR, VIRTIO_NET_LEGACY);

	printk_log_tail(log, sizeof(log) - 1);
	pci_write32(bdf, reg, lo);
	if ((lo & 0x6) == 0x4)
		pci_write32(bdf, reg + 4, hi);
	snprintf(expect, sizeof(expect),
		 "dev_open: 1af4:1000: BAR %u at 0x%lx (0x%lx bytes) overlaps "
		 "memory the kernel maps",
		 bar, (unsigned long)image, size);
	KT_EXPECT_EQ(again, DEV_NONE);
	KT_ASSERT(strstr(log, expect) != NULL);
	KT_EXPECT_EQ(vm_lookup((uintptr_t)image) & PTE_PCD, 0); /* untouched */
	int back = dev_open(VIRTIO_VENDOR, VIRTIO_NET_LEGACY);

	KT_ASSERT(back > 0);
	dev_close(back);
}

TEST_ALONE(dev, config_beyond_its_space_refused)
{
	int h = open_nic();

	ktest_expect("PANIC: dev_config_read: handle 0x%x offset 0x100 width "
		     "4: beyond configuration space (0x100 bytes) (thread "
		     "\"main\")",
		     (unsigned)h);
	dev_config_read(h, 0x100, 4);
}

TEST_ALONE(dev, config_misaligned_refused)
{
	int h = open_nic();

	ktest_expect("PANIC: dev_config_read: handle 0x%x offset 0x3 width 2: "
		     "offset is not a multiple of the width (thread \"main\")",
		     (unsigned)h);
	dev_config_read(h, 3, 2);
}

TEST_ALONE(dev, config_width_refused)
{
	int h = open_nic();

	ktest_expect("PANIC: dev_config_read: handle 0x%x offset 0x0 width 8: "
		     "width is not 1, 2 or 4 (thread \"main\")",
		     (unsigned)h);
	dev_config_read(h, 0, 8);
}

/* BAR 0 is the I/O range: the memory functions do not reach it. */
TEST_ALONE(dev, mem_on_an_io_bar_refused)
{
	int h = open_nic();

	ktest_expect("PANIC: dev_mem_write: handle 0x%x BAR 0: not a memory "
		     "BAR of the device (thread \"main\")",
		     (unsigned)h);
	dev_mem_write(h, 0, 0, 4, 0);
}

TEST_ALONE(dev, mem_beyond_the_bar_refused)
{
	int h = open_nic();
	int bar = mem_bar(h);
	unsigned long size = dev_mem_size(h, (unsigned)bar);

	ktest_expect("PANIC: dev_mem_read: handle 0x%x BAR %d offset 0x%lx "
		     "width 4: beyond the BAR (0x%lx bytes) (thread \"main\")",
		     (unsigned)h, bar, size - 2, size);
	dev_mem_read(h, (unsigned)bar, (unsigned)size - 2, 4);
}

TEST_ALONE(dev, mem_misaligned_refused)
{
	int h = open_nic();
	int bar = mem_bar(h);

	ktest_expect("PANIC: dev_mem_read: handle 0x%x BAR %d offset 0x6 "
		     "width 4: offset is not a multiple of the width (thread "
		     "\"main\")",
		     (unsigned)h, bar);
	dev_mem_read(h, (unsigned)bar, 6, 4);
}

TEST_ALONE(dev, mem_width_refused)
{
	int h = open_nic();
	int bar = mem_bar(h);

	ktest_expect("PANIC: dev_mem_write: handle 0x%x BAR %d offset 0x0 "
		     "width 8: width is not 1, 2 or 4 (thread \"main\")",
		     (unsigned)h, bar);
	dev_mem_write(h, (unsigned)bar, 0, 8, 0);
}
