/*
 * test_regions.c - mm_regions_normalize(): a loader's raw memory map in,
 * sorted, merged, page-aligned free regions with reserved ranges cut
 * out.
 */
#include <bulkhead/mm.h>
#include "ktest.h"

#define P   MM_PAGE_SIZE
#define CAP 16

/*
 * Whether r[0..n) is exactly the regions listed in `want` (base, len
 * pairs, `nwant` of them). On a mismatch, records a failure showing the
 * first difference.
 */
static int regions_are(const char *file, int line, const struct mm_region *r,
		       int n, const struct mm_region *want, int nwant)
{
	if (n != nwant) {
		ktest_fail(file, line, "%d regions, expected %d", n, nwant);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		if (r[i].base != want[i].base || r[i].len != want[i].len) {
			ktest_fail(file, line,
				   "region %d is [%#llx, +%#llx), expected "
				   "[%#llx, +%#llx)",
				   i, (unsigned long long)r[i].base,
				   (unsigned long long)r[i].len,
				   (unsigned long long)want[i].base,
				   (unsigned long long)want[i].len);
			return 0;
		}
	}
	return 1;
}

/* EXPECT_REGIONS(r, n, {base, len}, ...): end the case on a mismatch. */
#define EXPECT_REGIONS(r, n, ...)                                              \
	do {                                                                   \
		static const struct mm_region want_[] = {__VA_ARGS__};         \
		if (!regions_are(__FILE__, __LINE__, (r), (n), want_,          \
				 (int)(sizeof(want_) / sizeof(want_[0]))))     \
			return;                                                \
	} while (0)

TEST(regions, sorts_unsorted_input)
{
	struct mm_region r[CAP] = {
		{0x300000, 0x1000},
		{0x100000, 0x2000},
		{0x200000, 0x3000},
	};
	int n = mm_regions_normalize(r, 3, CAP, NULL, 0);

	EXPECT_REGIONS(r, n, {0x100000, 0x2000}, {0x200000, 0x3000},
		       {0x300000, 0x1000});
}

TEST(regions, merges_overlapping_and_touching)
{
	struct mm_region r[CAP] = {
		{0x8000, 0x4000},  /* [0x8000, 0xc000) */
		{0x1000, 0x3000},  /* [0x1000, 0x4000) */
		{0x4000, 0x1000},  /* touches the one before */
		{0x2000, 0x1000},  /* inside [0x1000, 0x4000) */
		{0xa000, 0x6000},  /* overlaps [0x8000, 0xc000) */
		{0x20000, 0x1000}, /* apart */
	};
	int n = mm_regions_normalize(r, 6, CAP, NULL, 0);

	EXPECT_REGIONS(r, n, {0x1000, 0x4000}, {0x8000, 0x8000},
		       {0x20000, 0x1000});
}

TEST(regions, reserved_cuts_head_and_tail)
{
	struct mm_region r[CAP] = {{0x10000, 0x10000}, {0x40000, 0x10000}};
	const struct mm_region res[] = {
		{0xf000, 0x3000},  /* head of the first: up to 0x12000 */
		{0x4e000, 0x8000}, /* tail of the second: from 0x4e000 */
	};
	int n = mm_regions_normalize(r, 2, CAP, res, 2);

	EXPECT_REGIONS(r, n, {0x12000, 0xe000}, {0x40000, 0xe000});
}

TEST(regions, reserved_splits_middle)
{
	struct mm_region r[CAP] = {{0x100000, 0x100000}};
	const struct mm_region res[] = {{0x140000, 0x20000}};
	int n = mm_regions_normalize(r, 1, CAP, res, 1);

	EXPECT_REGIONS(r, n, {0x100000, 0x40000}, {0x160000, 0xa0000});
}

TEST(regions, reserved_swallows_and_spans)
{
	struct mm_region r[CAP] = {
		{0x1000, 0x1000},
		{0x5000, 0x2000},
		{0x9000, 0x4000},
		{0x20000, 0x4000},
	};
	const struct mm_region res[] = {
		{0x1000, 0x1000},   /* exactly the first */
		{0x4000, 0x7000},   /* all of the second, head of third */
		{0x1f000, 0x10000}, /* all of the last, and beyond */
	};
	int n = mm_regions_normalize(r, 4, CAP, res, 3);

	EXPECT_REGIONS(r, n, {0xb000, 0x2000});

	/* Everything reserved: nothing left. */
	struct mm_region all[CAP] = {{0x1000, 0x8000}};
	const struct mm_region everything = {0, 0x100000};

	KT_EXPECT_EQ(mm_regions_normalize(all, 1, CAP, &everything, 1), 0);
}

TEST(regions, rounds_to_whole_pages)
{
	struct mm_region r[CAP] = {
		{0x1001, 0x3000},  /* [0x1001, 0x4001) -> [0x2000, 0x4000) */
		{0x10000, 0xfff},  /* less than a page after rounding */
		{0x20800, 0x1000}, /* straddles a boundary: no whole page */
		{0x30000, 0x2800}, /* -> [0x30000, 0x32000) */
	};
	const struct mm_region res[] = {{0x30800, 0x100}};
	int n = mm_regions_normalize(r, 4, CAP, NULL, 0);

	EXPECT_REGIONS(r, n, {0x2000, 0x2000}, {0x30000, 0x2000});

	/* An unaligned reserved range costs the whole pages it touches. */
	n = mm_regions_normalize(r, n, CAP, res, 1);
	EXPECT_REGIONS(r, n, {0x2000, 0x2000}, {0x31000, 0x1000});
}

TEST(regions, drops_empty_and_wrapping)
{
	struct mm_region r[CAP] = {
		{0x5000, 0}, /* empty */
		{0x100000, 0x1000},
		{0xfffffffffffff000ull, 0x2000}, /* wraps past 2^64 */
		{UINT64_MAX, UINT64_MAX},	 /* wraps */
		{0, 0},				 /* empty */
		{0x200000, 0x1000},
	};
	int n = mm_regions_normalize(r, 6, CAP, NULL, 0);

	EXPECT_REGIONS(r, n, {0x100000, 0x1000}, {0x200000, 0x1000});
}

TEST(regions, split_needs_room)
{
	const struct mm_region res[] = {{0x3000, 0x1000}};
	struct mm_region r[2] = {{0x1000, 0x1000}, {0x2000, 0x4000}};
	struct mm_region s[3] = {{0x1000, 0x1000}, {0x2000, 0x4000}};
	/* Room for 3, but only 2 offered: the third slot must stay as is. */
	struct mm_region t[3] = {
		{0x1000, 0x1000}, {0x8000, 0x4000}, {0xdead000, 0x1000}};

	/* Touching regions merge into one, so one split fits in 2. */
	KT_EXPECT_EQ(mm_regions_normalize(r, 2, 2, res, 1), 2);
	EXPECT_REGIONS(r, 2, {0x1000, 0x2000}, {0x4000, 0x2000});
	KT_EXPECT_EQ(mm_regions_normalize(s, 2, 3, res, 1), 2);

	/* Two separate regions and a split make three: cap 2 is too few. */
	const struct mm_region mid = {0x9000, 0x1000};

	KT_EXPECT_EQ(mm_regions_normalize(t, 2, 2, &mid, 1), -1);
	KT_EXPECT_EQ(t[2].base, 0xdead000);
	KT_EXPECT_EQ(t[2].len, 0x1000);
}
