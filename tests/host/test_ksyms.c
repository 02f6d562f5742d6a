/*
 * test_ksyms.c - address-to-symbol lookup: ksyms_find() on tables built
 * here, and ksyms_format() on the table in stubs.c (a pretend image at
 * 1 MiB: _start 0x100000, kmain 0x100040, panic 0x100200, kernel_exit
 * 0x100380, ending at __kernel_end).
 */
#include <string.h>
#include <bulkhead/kernel.h>
#include "../../kernel/ksyms.h"
#include "ktest.h"

static const struct ksym tab[] = {
	{0x1000, "alpha"}, {0x1010, "beta"},	{0x1100, "gamma"},
	{0x1200, "delta"}, {0x1208, "epsilon"},
};
#define NTAB	ARRAY_SIZE(tab)
#define TAB_END 0x1300

TEST(ksyms, find_exact_and_inside)
{
	for (unsigned long i = 0; i < NTAB; i++) {
		uintptr_t next = i + 1 < NTAB ? tab[i + 1].addr : TAB_END;

		/* The first byte, one inside and the last byte of each. */
		KT_ASSERT(ksyms_find(tab, NTAB, tab[i].addr, TAB_END) ==
			  &tab[i]);
		KT_ASSERT(ksyms_find(tab, NTAB, tab[i].addr + 1, TAB_END) ==
			  &tab[i]);
		KT_ASSERT(ksyms_find(tab, NTAB, next - 1, TAB_END) == &tab[i]);
	}
}

TEST(ksyms, find_outside_the_image)
{
	KT_ASSERT(ksyms_find(tab, NTAB, 0, TAB_END) == NULL);
	KT_ASSERT(ksyms_find(tab, NTAB, tab[0].addr - 1, TAB_END) == NULL);
	KT_ASSERT(ksyms_find(tab, NTAB, TAB_END, TAB_END) == NULL);
	KT_ASSERT(ksyms_find(tab, NTAB, TAB_END + 0x1000, TAB_END) == NULL);
	KT_ASSERT(ksyms_find(tab, NTAB, UINTPTR_MAX, TAB_END) == NULL);
	/* An empty table knows no address. */
	KT_ASSERT(ksyms_find(tab, 0, tab[0].addr, TAB_END) == NULL);
	/* A table of one: its symbol runs up to `end`. */
	KT_ASSERT(ksyms_find(tab, 1, 0x1000, 0x1004) == &tab[0]);
	KT_ASSERT(ksyms_find(tab, 1, 0x1003, 0x1004) == &tab[0]);
	KT_ASSERT(ksyms_find(tab, 1, 0x1004, 0x1004) == NULL);
	KT_ASSERT(ksyms_find(tab, 1, 0xfff, 0x1004) == NULL);
}

TEST(ksyms, format_known_addresses)
{
	char buf[64];

	KT_ASSERT((uintptr_t)__kernel_end > 0x100380);
	ksyms_format(0x100000, buf, sizeof(buf));
	KT_EXPECT_STR(buf, "<_start+0x0>");
	ksyms_format(0x10004c, buf, sizeof(buf));
	KT_EXPECT_STR(buf, "<kmain+0xc>");
	ksyms_format(0x1001ff, buf, sizeof(buf));
	KT_EXPECT_STR(buf, "<kmain+0x1bf>");
	ksyms_format(0x100200, buf, sizeof(buf));
	KT_EXPECT_STR(buf, "<panic+0x0>");
	ksyms_format(0x100391, buf, sizeof(buf));
	KT_EXPECT_STR(buf, "<kernel_exit+0x11>");
}

TEST(ksyms, format_unknown_and_short_buffer)
{
	char buf[64];

	ksyms_format(0xfffff, buf, sizeof(buf));
	KT_EXPECT_STR(buf, "<?>");
	ksyms_format((uintptr_t)__kernel_end, buf, sizeof(buf));
	KT_EXPECT_STR(buf, "<?>");
	ksyms_format(0, buf, sizeof(buf));
	KT_EXPECT_STR(buf, "<?>");
	/* A short buffer holds a NUL-terminated prefix, nothing beyond. */
	memset(buf, 'x', sizeof(buf));
	ksyms_format(0x100044, buf, 6);
	KT_EXPECT_STR(buf, "<kmai");
	KT_EXPECT_EQ(buf[6], 'x');
}
