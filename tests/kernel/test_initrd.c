/*
 * The initrd: the archive of tests/initrd/ (tests/configs/ktest.toml's
 * `files`), which scripts/qemu-run.sh hands QEMU as the boot module, read
 * back through initrd_read: its magic, each entry in order, known files
 * byte for byte, reads at and past the end, bad arguments, and the pages
 * it lies in (read-only, out of the page pool).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <bulkhead/initrd.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include "ktest.h"

#define HEADER_LEN 110 /* "070701" and 13 fields of 8 hex digits */

/* One archive entry, as the walk below finds it. */
struct entry {
	char name[64];
	uint32_t mode;
	uint64_t size;
	uint64_t data; /* offset of its bytes in the archive */
};

static uint64_t hex8(const char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++) {
		char c = p[i];

		v = v * 16 +
		    (uint64_t)(c >= 'a' ? c - 'a' + 10
					: (c >= 'A' ? c - 'A' + 10 : c - '0'));
	}
	return v;
}

/*
 * The entry at *off into *e, and *off moved past it. Returns 1 for an
 * entry, 0 for the trailer, -1 for a malformed header.
 */
static int next_entry(uint64_t *off, struct entry *e)
{
	char h[HEADER_LEN];

	if (initrd_read(*off, h, sizeof(h)) != sizeof(h) ||
	    memcmp(h, INITRD_MAGIC, 6) != 0)
		return -1;
	uint64_t namesize = hex8(h + 6 + 8 * 11);

	e->mode = (uint32_t)hex8(h + 6 + 8 * 1);
	e->size = hex8(h + 6 + 8 * 6);
	if (namesize < 2 || namesize > sizeof(e->name) ||
	    initrd_read(*off + HEADER_LEN, e->name, namesize) !=
		    (long)namesize ||
	    e->name[namesize - 1] != '\0')
		return -1;
	e->data = ALIGN_UP(*off + HEADER_LEN + namesize, 4);
	*off = ALIGN_UP(e->data + e->size, 4);
	return strcmp(e->name, "TRAILER!!!") != 0;
}

/* Find `name`; 0 if the archive has no such entry. */
static int find(const char *name, struct entry *e)
{
	uint64_t off = 0;

	while (next_entry(&off, e) == 1)
		if (strcmp(e->name, name) == 0)
			return 1;
	return 0;
}

TEST(initrd, archive_starts_with_the_newc_magic)
{
	char magic[7] = {0};

	KT_ASSERT(initrd_size() > 0);
	KT_EXPECT_EQ(initrd_size() % 4, 0);
	KT_EXPECT_EQ(initrd_read(0, magic, 6), 6);
	KT_EXPECT_STR(magic, "070701");
}

/* Every entry, in the order mkinitrd writes them, then the trailer,
 * which ends the archive exactly. */
TEST(initrd, entries_in_order_then_the_trailer)
{
	static const char *const want[] = {"README", "bin",	 "bin/tool",
					   "etc",    "etc/motd", "hello.txt"};
	struct entry e;
	uint64_t off = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
		KT_EXPECT_EQ(next_entry(&off, &e), 1);
		KT_EXPECT_STR(e.name, want[i]);
	}
	KT_EXPECT_EQ(next_entry(&off, &e), 0);
	KT_EXPECT_EQ(off, initrd_size());
}

TEST(initrd, known_files_byte_for_byte)
{
	static const char hello[] = "Hello from the test initrd.\n";
	static const char motd[] =
		"Bulkhead test kernel: files from tests/initrd/\n";
	char buf[64];
	struct entry e;

	KT_ASSERT(find("hello.txt", &e));
	KT_EXPECT_EQ(e.size, sizeof(hello) - 1);
	KT_EXPECT_EQ(initrd_read(e.data, buf, e.size), (long)e.size);
	KT_ASSERT(memcmp(buf, hello, e.size) == 0);
	KT_EXPECT_EQ(e.mode & S_IFMT, S_IFREG);
	KT_EXPECT_EQ(e.mode & 0111, 0);

	KT_ASSERT(find("etc/motd", &e));
	KT_EXPECT_EQ(e.size, sizeof(motd) - 1);
	KT_EXPECT_EQ(initrd_read(e.data, buf, e.size), (long)e.size);
	KT_ASSERT(memcmp(buf, motd, e.size) == 0);

	/* The executable keeps its x bits; folders are folders. */
	KT_ASSERT(find("bin/tool", &e));
	KT_EXPECT_EQ(e.mode & S_IFMT, S_IFREG);
	KT_EXPECT_EQ(e.mode & 0111, 0111);
	KT_ASSERT(find("etc", &e));
	KT_EXPECT_EQ(e.mode & S_IFMT, S_IFDIR);
	KT_EXPECT_EQ(e.size, 0);
}

TEST(initrd, reads_stop_at_the_end)
{
	long size = initrd_size();
	char buf[16];

	/* Across the start, inside. */
	KT_EXPECT_EQ(initrd_read(2, buf, 4), 4);
	KT_ASSERT(memcmp(buf, "0701", 4) == 0);
	/* The last bytes: what is left, the trailer's padding. */
	memset(buf, 'x', sizeof(buf));
	KT_EXPECT_EQ(initrd_read((uint64_t)size - 3, buf, sizeof(buf)), 3);
	KT_ASSERT(memcmp(buf, "\0\0\0x", 4) == 0);
	/* At and past the end: nothing, whatever the offset. */
	KT_EXPECT_EQ(initrd_read((uint64_t)size, buf, sizeof(buf)), 0);
	KT_EXPECT_EQ(initrd_read((uint64_t)size + 1000, buf, sizeof(buf)), 0);
	KT_EXPECT_EQ(initrd_read(UINT64_MAX, buf, sizeof(buf)), 0);
	KT_EXPECT_EQ(initrd_read(0, buf, 0), 0);
}

TEST(initrd, bad_arguments_are_einval)
{
	char buf[4];

	KT_EXPECT_EQ(initrd_read(0, NULL, 1), -EINVAL);
	KT_EXPECT_EQ(initrd_read(0, buf, (size_t)LONG_MAX + 1), -EINVAL);
	KT_EXPECT_EQ(initrd_read(0, buf, SIZE_MAX), -EINVAL);
	/* Nothing asked of a NULL buffer is no error. */
	KT_EXPECT_EQ(initrd_read(0, NULL, 0), 0);
}

/* Its pages are mapped read-only and not executable, and none of them
 * is in the page pool, which would hand them out. */
TEST(initrd, pages_kept_read_only_out_of_the_pool)
{
	uintptr_t start = ALIGN_DOWN(initrd_addr(), MM_PAGE_SIZE);
	uintptr_t end = ALIGN_UP(initrd_addr() + initrd_size(), MM_PAGE_SIZE);

	KT_ASSERT(initrd_addr() != 0);
	for (uintptr_t va = start; va < end; va += MM_PAGE_SIZE) {
		uint64_t pte = vm_lookup(va);

		KT_ASSERT(pte & PTE_P);
		KT_ASSERT(!(pte & PTE_W));
		KT_ASSERT(pte & PTE_NX);
		for (int i = 0; i < mm_phys.nregions; i++)
			KT_ASSERT(va < mm_phys.regions[i].base ||
				  va >= mm_phys.regions[i].base +
						  mm_phys.regions[i].len);
	}
}
