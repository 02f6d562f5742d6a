/*
 * boot.h - what the boot loader told us, in one loader-neutral form.
 */
#ifndef BULKHEAD_BOOT_H
#define BULKHEAD_BOOT_H

#include <stddef.h>
#include <stdint.h>
#include <bulkhead/mm.h>

#define BOOT_MB1_MAGIC	 0x2badb002 /* eax from a multiboot1 loader */
#define BOOT_MB2_MAGIC	 0x36d76289 /* eax from a multiboot2 loader */
#define BOOT_MAX_REGIONS 64
#define BOOT_CMDLINE_MAX 1024
/* More multiboot1 modules than this is a malformed structure. */
#define BOOT_MAX_MODULES 256

struct boot_info {
	const char *loader;			/* "multiboot1", "multiboot2" */
	struct mm_region ram[BOOT_MAX_REGIONS]; /* usable RAM, as reported */
	int nram;
	int truncated; /* more regions than fit */
	char cmdline[BOOT_CMDLINE_MAX];
	char loader_name[64]; /* e.g. "GRUB 2.06" */
	/* The first boot module (GRUB module2, QEMU -initrd): the initrd,
	 * [base, base + len) as loaded. */
	struct mm_region module;
	int nmodules; /* boot modules given; 0: none */
};

/*
 * Parsers, pure so they can be tested on the host. `info` is the loader's
 * structure; for multiboot1, `mmap`, `cmdline` and `mods` point at its
 * memory-map buffer, command line and module list (the structure only
 * holds 32-bit physical addresses of them). They return 0, or -1 for a
 * malformed structure (a module ending before it starts among them).
 */
int boot_parse_mb2(const void *info, struct boot_info *out);
int boot_parse_mb1(const void *info, const void *mmap, const char *cmdline,
		   const void *mods, struct boot_info *out);

/* Parse what the loader handed to kmain; panics on an unknown loader. */
void boot_info_init(uint32_t magic, uintptr_t info, struct boot_info *out);

#endif
