/*
 * initrd.h - the initrd: a cpio "newc" archive (scripts/mkinitrd.py) the
 * loader puts in memory as the first boot module (GRUB's module2, QEMU's
 * -initrd), which the kernel core keeps read-only and out of the page
 * pool, and hands out by copy.
 */
#ifndef BULKHEAD_INITRD_H
#define BULKHEAD_INITRD_H

#include <stddef.h>
#include <stdint.h>

struct boot_info;

/* What every newc archive begins with. */
#define INITRD_MAGIC "070701"

/*
 * Take the loader's first module as the initrd (before mm_init, which
 * must keep it): one that is not a newc archive stops the machine,
 * naming its address, size and first bytes.
 */
void initrd_init(const struct boot_info *boot);

/* Its size in bytes; 0 when there is none. */
long initrd_size(void);

/*
 * Copy up to len bytes from offset off into buf. Returns the bytes
 * copied, 0 at or past the end, -EINVAL for a NULL buf with a length or
 * a length beyond LONG_MAX.
 */
long initrd_read(uint64_t off, void *buf, size_t len);

/* Where it lies (0 when there is none): the boot line, tests. */
uintptr_t initrd_addr(void);

#endif
