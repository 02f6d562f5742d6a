/*
 * test_bootinfo.c - the multiboot1 and multiboot2 parsers, fed synthetic
 * loader structures built here from the specifications' layouts.
 *
 * Every structure handed to a parser is copied into a heap block of
 * exactly its declared size, so ASan reports any read past the end.
 * Malformed input is parsed in a child (isolate.h): a read out of bounds
 * or an endless loop then fails that case alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/boot.h>
#include "ktest.h"
#include "isolate.h"
#include "stubs.h"

/* Memory types shared by both specifications. */
#define RAM_USABLE   1
#define RAM_RESERVED 2
#define RAM_ACPI     3

static void put32(uint8_t *b, size_t off, uint32_t v)
{
	memcpy(b + off, &v, sizeof(v));
}

static void put64(uint8_t *b, size_t off, uint64_t v)
{
	memcpy(b + off, &v, sizeof(v));
}

/*
 * A copy of b[0..len) in a heap block of exactly len bytes. The last 16
 * copies stay alive (a case needs a few at once) and reachable, so no
 * leak is reported; older ones are freed as new ones are made.
 */
#define NCOPIES 16
static void *copies[NCOPIES];
static unsigned ncopies;

static void *exact_copy(const void *b, size_t len)
{
	void **slot = &copies[ncopies++ % NCOPIES];

	free(*slot);
	*slot = malloc(len);
	if (*slot)
		memcpy(*slot, b, len);
	return *slot;
}

struct ram {
	uint64_t addr, len;
	uint32_t type;
};

/*
 * Multiboot2: a u32 total_size, a u32 reserved, then tags, each a u32
 * type and a u32 size (header included) followed by its data, starting
 * on an 8-byte boundary.
 */
struct mb2 {
	uint8_t buf[4096] __attribute__((aligned(8)));
	uint32_t len;
};

static void mb2_begin(struct mb2 *m)
{
	memset(m, 0, sizeof(*m));
	m->len = 8;
}

/* Append a tag; returns its offset so a case can damage it. */
static uint32_t mb2_tag(struct mb2 *m, uint32_t type, const void *data,
			uint32_t dlen)
{
	uint32_t off = m->len;

	put32(m->buf, off, type);
	put32(m->buf, off + 4, 8 + dlen);
	if (dlen)
		memcpy(m->buf + off + 8, data, dlen);
	m->len = (off + 8 + dlen + 7) & ~7u;
	return off;
}

static uint32_t mb2_string(struct mb2 *m, uint32_t type, const char *s)
{
	return mb2_tag(m, type, s, (uint32_t)strlen(s) + 1);
}

/* A memory-map tag (type 6) of n entries, each entry_size bytes. */
static uint32_t mb2_mmap(struct mb2 *m, uint32_t entry_size,
			 const struct ram *e, int n)
{
	uint32_t off = m->len, size = 16 + (uint32_t)n * entry_size;

	put32(m->buf, off, 6);
	put32(m->buf, off + 4, size);
	put32(m->buf, off + 8, entry_size);
	put32(m->buf, off + 12, 0); /* entry_version */
	for (int i = 0; i < n; i++) {
		uint32_t at = off + 16 + (uint32_t)i * entry_size;

		put64(m->buf, at, e[i].addr);
		put64(m->buf, at + 8, e[i].len);
		if (entry_size >= 20)
			put32(m->buf, at + 16, e[i].type);
	}
	m->len = (off + size + 7) & ~7u;
	return off;
}

/* Set total_size to what was built (with an end tag unless told not
 * to) and return an exact-size copy. */
static void *mb2_finish(struct mb2 *m, int end_tag)
{
	if (end_tag)
		mb2_tag(m, 0, NULL, 0);
	put32(m->buf, 0, m->len);
	return exact_copy(m->buf, m->len);
}

/*
 * Multiboot1: the information structure as 32-bit words (the indices
 * are the specification's byte offsets / 4), and a memory map of entries
 * that begin with a u32 `size` of the rest of the entry (20 or more).
 * The parser gets the map and the command line as pointers of their own,
 * so their 32-bit address fields stay 0 here.
 */
#define MB1_FLAGS	0
#define MB1_MODS_COUNT	5
#define MB1_MMAP_LENGTH 11
#define MB1_WORDS	18 /* through apm_table, at byte 68 */
#define MB1_HAS_CMDLINE (1u << 2)
#define MB1_HAS_MODS	(1u << 3)
#define MB1_HAS_MMAP	(1u << 6)

struct mb1 {
	uint32_t info[MB1_WORDS];
	uint8_t map[4096];
	uint32_t len;
};

static void mb1_begin(struct mb1 *m, uint32_t flags)
{
	memset(m, 0, sizeof(*m));
	m->info[MB1_FLAGS] = flags;
}

static void mb1_entry(struct mb1 *m, uint32_t size, const struct ram *e)
{
	put32(m->map, m->len, size);
	put64(m->map, m->len + 4, e->addr);
	put64(m->map, m->len + 12, e->len);
	put32(m->map, m->len + 20, e->type);
	m->len += 4 + size;
}

/* The parse of one structure, in or out of a child. */
struct parse {
	const void *info;     /* in */
	const void *map;      /* in, multiboot1 only */
	const char *cmdline;  /* in, multiboot1 only */
	const void *mods;     /* in, multiboot1 only */
	int mb1;	      /* in: which parser */
	int ret;	      /* out */
	struct boot_info out; /* out */
};

static void do_parse(void *ctx)
{
	struct parse *p = ctx;

	p->ret = p->mb1 ? boot_parse_mb1(p->info, p->map, p->cmdline, p->mods,
					 &p->out)
			: boot_parse_mb2(p->info, &p->out);
}

/* Parse a finished multiboot1 builder: exact-size copies of both parts. */
static void mb1_prepare(struct parse *p, struct mb1 *m, const char *cmdline)
{
	m->info[MB1_MMAP_LENGTH] = m->len;
	memset(p, 0, sizeof(*p));
	p->mb1 = 1;
	p->info = exact_copy(m->info, sizeof(m->info));
	p->map = exact_copy(m->map, m->len ? m->len : 1);
	p->cmdline = cmdline;
}

/* Whether out's RAM list is exactly want[0..n). */
static int ram_is(const char *file, int line, const struct boot_info *out,
		  const struct ram *want, int n)
{
	if (out->nram != n) {
		ktest_fail(file, line, "%d usable regions, expected %d",
			   out->nram, n);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		if (out->ram[i].base != want[i].addr ||
		    out->ram[i].len != want[i].len) {
			ktest_fail(file, line, "region %d is [%#llx, +%#llx)",
				   i, (unsigned long long)out->ram[i].base,
				   (unsigned long long)out->ram[i].len);
			return 0;
		}
	}
	return 1;
}

#define EXPECT_RAM(out, want, n)                                               \
	do {                                                                   \
		if (!ram_is(__FILE__, __LINE__, (out), (want), (n)))           \
			return;                                                \
	} while (0)

/* A PC-like map: usable, reserved and ACPI ranges, above 4 GiB too. */
static const struct ram pc_map[] = {
	{0x0, 0x9fc00, RAM_USABLE},
	{0x9fc00, 0x400, RAM_RESERVED},
	{0xf0000, 0x10000, RAM_RESERVED},
	{0x100000, 0x7ee0000, RAM_USABLE},
	{0x7fe0000, 0x20000, RAM_ACPI},
	{0x100000000ull, 0x40000000, RAM_USABLE},
};
static const struct ram pc_usable[] = {
	{0x0, 0x9fc00, RAM_USABLE},
	{0x100000, 0x7ee0000, RAM_USABLE},
	{0x100000000ull, 0x40000000, RAM_USABLE},
};

TEST(bootinfo, mb2_regions_cmdline_loader)
{
	static struct mb2 m;
	static const uint8_t meminfo[8] = {0x80, 0x02}; /* type 4 */
	struct boot_info out;
	void *info;

	mb2_begin(&m);
	/* A tag of 8 + 15 bytes: the next one starts after padding. */
	mb2_string(&m, 1, "quiet -- app x");
	mb2_tag(&m, 4, meminfo, sizeof(meminfo)); /* skipped */
	mb2_string(&m, 2, "GRUB 2.06");
	mb2_mmap(&m, 24, pc_map, 6);
	info = mb2_finish(&m, 1);
	KT_ASSERT(info != NULL);

	KT_EXPECT_EQ(boot_parse_mb2(info, &out), 0);
	KT_EXPECT_STR(out.loader, "multiboot2");
	KT_EXPECT_STR(out.cmdline, "quiet -- app x");
	KT_EXPECT_STR(out.loader_name, "GRUB 2.06");
	KT_EXPECT_EQ(out.truncated, 0);
	EXPECT_RAM(&out, pc_usable, 3);

	/* Entries may grow in later versions: step by entry_size. */
	mb2_begin(&m);
	mb2_mmap(&m, 40, pc_map, 6);
	info = mb2_finish(&m, 1);
	KT_EXPECT_EQ(boot_parse_mb2(info, &out), 0);
	EXPECT_RAM(&out, pc_usable, 3);
	KT_EXPECT_STR(out.cmdline, "");
	KT_EXPECT_STR(out.loader_name, "");
}

TEST(bootinfo, more_regions_than_fit)
{
	static struct mb2 m;
	static struct mb1 m1;
	struct ram e[BOOT_MAX_REGIONS + 6];
	struct boot_info out;
	struct parse p;
	int calls;
	void *info;

	for (int i = 0; i < BOOT_MAX_REGIONS + 6; i++)
		e[i] = (struct ram){0x100000ull * (2 * i + 1), 0x80000,
				    RAM_USABLE};
	mb2_begin(&m);
	mb2_mmap(&m, 24, e, BOOT_MAX_REGIONS + 6);
	info = mb2_finish(&m, 1);
	KT_EXPECT_EQ(boot_parse_mb2(info, &out), 0);
	KT_EXPECT_EQ(out.truncated, 1);
	/* The first BOOT_MAX_REGIONS are kept, in order. */
	EXPECT_RAM(&out, e, BOOT_MAX_REGIONS);

	/* boot_info_init() warns about it (and does not panic). */
	calls = stub_printk_calls;
	boot_info_init(BOOT_MB2_MAGIC, (uintptr_t)info, &out);
	KT_EXPECT_EQ(stub_printk_calls, calls + 1);
	KT_ASSERT(strstr(stub_printk_last, "more than 64") != NULL);

	/* Multiboot1 the same. */
	mb1_begin(&m1, MB1_HAS_MMAP);
	for (int i = 0; i < BOOT_MAX_REGIONS + 6; i++)
		mb1_entry(&m1, 20, &e[i]);
	mb1_prepare(&p, &m1, NULL);
	do_parse(&p);
	KT_EXPECT_EQ(p.ret, 0);
	KT_EXPECT_EQ(p.out.truncated, 1);
	EXPECT_RAM(&p.out, e, BOOT_MAX_REGIONS);
}

/* Parse a damaged multiboot2 structure in a child; it must say -1. */
#define EXPECT_MB2_REJECTED(structure)                                         \
	do {                                                                   \
		struct parse p_ = {.info = (structure)};                       \
		KT_ASSERT(p_.info != NULL);                                    \
		KT_ISOLATED(do_parse, &p_);                                    \
		KT_EXPECT_EQ(p_.ret, -1);                                      \
	} while (0)

TEST(bootinfo, mb2_tag_overruns_total)
{
	static struct mb2 m;
	uint32_t off;

	mb2_begin(&m);
	mb2_string(&m, 2, "loader");
	off = mb2_mmap(&m, 24, pc_map, 6);
	put32(m.buf, off + 4, 16 + 24 * 6 + 64); /* 64 bytes too long */
	EXPECT_MB2_REJECTED(mb2_finish(&m, 1));

	/* total_size smaller than the header plus an end tag. */
	mb2_begin(&m);
	put32(m.buf, 0, 8);
	EXPECT_MB2_REJECTED(exact_copy(m.buf, 8));
}

/* A size so large that offset + size wraps around 2^32. */
TEST(bootinfo, mb2_tag_size_wraps)
{
	static struct mb2 m;
	uint32_t off;

	mb2_begin(&m);
	off = mb2_mmap(&m, 24, pc_map, 6);
	put32(m.buf, off + 4, 0xfffffff8u);
	EXPECT_MB2_REJECTED(mb2_finish(&m, 1));
}

TEST(bootinfo, mb2_missing_end_tag)
{
	static struct mb2 m;

	mb2_begin(&m);
	mb2_string(&m, 1, "console=ttyS0");
	mb2_mmap(&m, 24, pc_map, 6);
	EXPECT_MB2_REJECTED(mb2_finish(&m, 0));
}

TEST(bootinfo, mb2_entry_size_too_small)
{
	static struct mb2 m;

	mb2_begin(&m);
	mb2_mmap(&m, 16, pc_map, 6);
	EXPECT_MB2_REJECTED(mb2_finish(&m, 1));
	mb2_begin(&m);
	mb2_mmap(&m, 0, pc_map, 0);
	EXPECT_MB2_REJECTED(mb2_finish(&m, 1));
}

/*
 * A memory-map tag too short for its own entry_size field, at the very
 * end of the structure: the field lies outside, so it must not be read;
 * the missing end tag is reason enough to refuse.
 */
TEST(bootinfo, mb2_short_mmap_tag_at_end)
{
	static struct mb2 m;

	mb2_begin(&m);
	mb2_tag(&m, 6, NULL, 0);
	EXPECT_MB2_REJECTED(mb2_finish(&m, 0));
}

/*
 * A string tag whose text has no NUL within the tag's size, at the very
 * end of the structure: copying it must stop at the tag's end.
 */
TEST(bootinfo, mb2_unterminated_string_at_end)
{
	static struct mb2 m;

	mb2_begin(&m);
	mb2_tag(&m, 1, "console", 7);
	m.len = 8 + 8 + 7; /* no padding after it */
	EXPECT_MB2_REJECTED(mb2_finish(&m, 0));
}

TEST(bootinfo, mb1_regions_and_cmdline)
{
	static struct mb1 m;
	static const struct ram padded = {0x7fe0000, 0x20000, RAM_ACPI};
	struct parse p;

	mb1_begin(&m, MB1_HAS_CMDLINE | MB1_HAS_MMAP);
	for (int i = 0; i < 3; i++)
		mb1_entry(&m, 20, &pc_map[i]);
	/* An entry may be longer than 20: size says where the next is. */
	mb1_entry(&m, 28, &pc_map[3]);
	mb1_entry(&m, 20, &padded);
	mb1_entry(&m, 20, &pc_map[5]);
	mb1_prepare(&p, &m, "console=ttyS0 -- one two");
	do_parse(&p);
	KT_EXPECT_EQ(p.ret, 0);
	KT_EXPECT_STR(p.out.loader, "multiboot1");
	KT_EXPECT_STR(p.out.cmdline, "console=ttyS0 -- one two");
	KT_EXPECT_EQ(p.out.truncated, 0);
	EXPECT_RAM(&p.out, pc_usable, 3);

	/* Without the cmdline flag, the pointer is not to be trusted. */
	m.info[MB1_FLAGS] = MB1_HAS_MMAP;
	mb1_prepare(&p, &m, "ignored");
	do_parse(&p);
	KT_EXPECT_EQ(p.ret, 0);
	KT_EXPECT_STR(p.out.cmdline, "");
	EXPECT_RAM(&p.out, pc_usable, 3);
}

TEST(bootinfo, mb1_malformed_rejected)
{
	static struct mb1 m;
	struct parse p;

	/* No memory map at all. */
	mb1_begin(&m, MB1_HAS_CMDLINE);
	mb1_entry(&m, 20, &pc_map[0]);
	mb1_prepare(&p, &m, "x");
	KT_ISOLATED(do_parse, &p);
	KT_EXPECT_EQ(p.ret, -1);

	/* An entry claiming fewer than 20 bytes. */
	mb1_begin(&m, MB1_HAS_MMAP);
	mb1_entry(&m, 20, &pc_map[0]);
	mb1_entry(&m, 20, &pc_map[3]);
	put32(m.map, 24, 16);
	mb1_prepare(&p, &m, NULL);
	KT_ISOLATED(do_parse, &p);
	KT_EXPECT_EQ(p.ret, -1);
}

/* An entry size so large that the step to the next entry wraps to 0. */
TEST(bootinfo, mb1_entry_size_wraps)
{
	static struct mb1 m;
	struct parse p;

	mb1_begin(&m, MB1_HAS_MMAP);
	mb1_entry(&m, 20, &pc_map[0]);
	mb1_entry(&m, 20, &pc_map[3]);
	put32(m.map, 0, 0xfffffffcu);
	mb1_prepare(&p, &m, NULL);
	KT_ISOLATED(do_parse, &p);
	KT_EXPECT_EQ(p.ret, -1);
}

/* A multiboot2 module tag (type 3): start, end, then its string. */
static uint32_t mb2_module(struct mb2 *m, uint32_t start, uint32_t end,
			   const char *name)
{
	uint8_t data[64];
	uint32_t n = (uint32_t)strlen(name) + 1;

	put32(data, 0, start);
	put32(data, 4, end);
	memcpy(data + 8, name, n);
	return mb2_tag(m, 3, data, 8 + n);
}

TEST(bootinfo, mb2_first_module_is_the_initrd)
{
	static struct mb2 m;
	struct boot_info out;
	void *info;

	mb2_begin(&m);
	mb2_mmap(&m, 24, pc_map, 6);
	mb2_module(&m, 0x235000, 0x235000 + 1234, "/boot/default.cpio");
	mb2_module(&m, 0x300000, 0x301000, "/boot/other");
	info = mb2_finish(&m, 1);
	KT_EXPECT_EQ(boot_parse_mb2(info, &out), 0);
	KT_EXPECT_EQ(out.nmodules, 2);
	KT_EXPECT_EQ(out.module.base, 0x235000);
	KT_EXPECT_EQ(out.module.len, 1234);
	EXPECT_RAM(&out, pc_usable, 3);

	/* An empty module is one too. */
	mb2_begin(&m);
	mb2_module(&m, 0x400000, 0x400000, "empty");
	info = mb2_finish(&m, 1);
	KT_EXPECT_EQ(boot_parse_mb2(info, &out), 0);
	KT_EXPECT_EQ(out.nmodules, 1);
	KT_EXPECT_EQ(out.module.base, 0x400000);
	KT_EXPECT_EQ(out.module.len, 0);

	/* None: nothing. */
	mb2_begin(&m);
	mb2_mmap(&m, 24, pc_map, 6);
	info = mb2_finish(&m, 1);
	KT_EXPECT_EQ(boot_parse_mb2(info, &out), 0);
	KT_EXPECT_EQ(out.nmodules, 0);
	KT_EXPECT_EQ(out.module.len, 0);
}

TEST(bootinfo, mb2_malformed_module_rejected)
{
	static struct mb2 m;
	/* It ends before it starts. */
	mb2_begin(&m);
	mb2_module(&m, 0x300000, 0x2ff000, "backwards");
	EXPECT_MB2_REJECTED(mb2_finish(&m, 1));

	/* A tag too short for its two addresses, at the very end. */
	mb2_begin(&m);
	mb2_tag(&m, 3, "\0\0\0\0", 4);
	EXPECT_MB2_REJECTED(mb2_finish(&m, 0));
	mb2_begin(&m);
	mb2_tag(&m, 3, "\0\0\0\0", 4);
	EXPECT_MB2_REJECTED(mb2_finish(&m, 1));
}

TEST(bootinfo, mb1_modules)
{
	static struct mb1 m;
	static uint32_t mods[3][4] = {
		{0x235000, 0x235000 + 124, 0, 0},
		{0x236000, 0x237000, 0, 0},
		{0x240000, 0x23f000, 0, 0}, /* backwards */
	};
	struct parse p;

	mb1_begin(&m, MB1_HAS_MMAP | MB1_HAS_MODS);
	mb1_entry(&m, 20, &pc_map[3]);
	m.info[MB1_MODS_COUNT] = 2;
	mb1_prepare(&p, &m, NULL);
	p.mods = exact_copy(mods, 2 * sizeof(mods[0]));
	do_parse(&p);
	KT_EXPECT_EQ(p.ret, 0);
	KT_EXPECT_EQ(p.out.nmodules, 2);
	KT_EXPECT_EQ(p.out.module.base, 0x235000);
	KT_EXPECT_EQ(p.out.module.len, 124);

	/* Without the flag, the list is not read. */
	m.info[MB1_FLAGS] = MB1_HAS_MMAP;
	mb1_prepare(&p, &m, NULL);
	do_parse(&p);
	KT_EXPECT_EQ(p.ret, 0);
	KT_EXPECT_EQ(p.out.nmodules, 0);

	/* A module that ends before it starts. */
	m.info[MB1_FLAGS] = MB1_HAS_MMAP | MB1_HAS_MODS;
	m.info[MB1_MODS_COUNT] = 3;
	mb1_prepare(&p, &m, NULL);
	p.mods = exact_copy(mods, sizeof(mods));
	KT_ISOLATED(do_parse, &p);
	KT_EXPECT_EQ(p.ret, -1);

	/* A count no loader gives. */
	m.info[MB1_MODS_COUNT] = BOOT_MAX_MODULES + 1;
	mb1_prepare(&p, &m, NULL);
	p.mods = exact_copy(mods, sizeof(mods));
	KT_ISOLATED(do_parse, &p);
	KT_EXPECT_EQ(p.ret, -1);
}
