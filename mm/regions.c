/*
 * regions.c - turning a loader's memory map into clean, page-aligned,
 * non-overlapping free regions. Pure logic, tested on the host.
 */
#include <bulkhead/mm.h>

static void sort_regions(struct mm_region *r, int n)
{
	for (int i = 1; i < n; i++) {
		struct mm_region x = r[i];
		int j = i - 1;

		while (j >= 0 && r[j].base > x.base) {
			r[j + 1] = r[j];
			j--;
		}
		r[j + 1] = x;
	}
}

/* Remove [cut.base, cut.base + cut.len) from every region. */
static int subtract(struct mm_region *r, int n, int cap, struct mm_region cut)
{
	uint64_t cs = cut.base, ce = cut.base + cut.len;

	for (int i = 0; i < n; i++) {
		uint64_t s = r[i].base, e = r[i].base + r[i].len;

		if (ce <= s || cs >= e)
			continue;
		if (cs <= s && ce >= e) { /* swallowed */
			r[i] = r[--n];
			i--;
		} else if (cs <= s) { /* head cut */
			r[i].base = ce;
			r[i].len = e - ce;
		} else if (ce >= e) { /* tail cut */
			r[i].len = cs - s;
		} else { /* split */
			if (n == cap)
				return -1;
			r[i].len = cs - s;
			r[n].base = ce;
			r[n].len = e - ce;
			n++;
		}
	}
	return n;
}

int mm_regions_normalize(struct mm_region *r, int n, int cap,
			 const struct mm_region *reserved, int nreserved)
{
	/* Drop empty regions and those that wrap around. */
	for (int i = 0; i < n; i++) {
		if (r[i].len == 0 || r[i].base + r[i].len < r[i].base) {
			r[i] = r[--n];
			i--;
		}
	}
	sort_regions(r, n);

	/* Merge overlapping and touching regions. */
	int m = 0;

	for (int i = 0; i < n; i++) {
		if (m > 0 && r[i].base <= r[m - 1].base + r[m - 1].len) {
			uint64_t end = r[i].base + r[i].len;

			if (end > r[m - 1].base + r[m - 1].len)
				r[m - 1].len = end - r[m - 1].base;
		} else {
			r[m++] = r[i];
		}
	}
	n = m;

	for (int i = 0; i < nreserved; i++) {
		n = subtract(r, n, cap, reserved[i]);
		if (n < 0)
			return -1;
	}

	/* Whole pages only: round starts up and ends down. */
	m = 0;
	for (int i = 0; i < n; i++) {
		uint64_t s = (r[i].base + MM_PAGE_SIZE - 1) &
			     ~(uint64_t)(MM_PAGE_SIZE - 1);
		uint64_t e =
			(r[i].base + r[i].len) & ~(uint64_t)(MM_PAGE_SIZE - 1);

		if (e > s) {
			r[m].base = s;
			r[m].len = e - s;
			m++;
		}
	}
	sort_regions(r, m);
	return m;
}
