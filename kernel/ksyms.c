/*
 * ksyms.c - address to symbol, for fault reports and backtraces.
 *
 * The table is generated from the linked image itself (scripts/gen-ksyms.py)
 * and linked back in; see the three-pass link in kernel/build.mk.
 */
#include <string.h>
#include <bulkhead/kernel.h>
#include "ksyms.h"

/*
 * The entry with the greatest address <= addr, or NULL when addr lies
 * outside [first symbol, end). Binary search over a sorted table.
 */
const struct ksym *ksyms_find(const struct ksym *tab, unsigned long n,
			      uintptr_t addr, uintptr_t end)
{
	if (n == 0 || addr < tab[0].addr || addr >= end)
		return NULL;
	unsigned long lo = 0, hi = n;

	while (hi - lo > 1) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (tab[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return &tab[lo];
}

uintptr_t ksyms_lookup_name(const char *name)
{
	for (unsigned long i = 0; i < ksyms_count; i++)
		if (strcmp(ksyms_table[i].name, name) == 0)
			return (uintptr_t)ksyms_table[i].addr;
	return 0;
}

void ksyms_format(uintptr_t addr, char *buf, size_t size)
{
	const struct ksym *s = ksyms_find(ksyms_table, ksyms_count, addr,
					  (uintptr_t)__kernel_end);

	if (s)
		kfmt_snprintf(buf, size, "<%s+0x%lx>", s->name,
			      (unsigned long)(addr - s->addr));
	else
		kfmt_snprintf(buf, size, "<?>");
}
