/*
 * mm.c - boot-time set-up of the page pool and the page tables.
 */
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include "mm_impl.h"

#define LOW_MEMORY_END 0x100000 /* BIOS data, VGA, option ROMs */

struct mm_page_pool mm_phys;
static uint64_t total_bytes;

uint64_t mm_total_bytes(void)
{
	return total_bytes;
}

void *mm_page_alloc(size_t count)
{
	uint64_t pa = mm_page_pool_alloc(&mm_phys, count);

	if (!pa)
		return NULL;
	memset((void *)(uintptr_t)pa, 0, count * MM_PAGE_SIZE);
	return (void *)(uintptr_t)pa;
}

void *(mm_page_alloc_key)(size_t count, int pkey, int caller)
{
	const struct comp_desc *who =
		caller >= 0 && (unsigned)caller < comp_config.count
			? &comp_config.comps[caller]
			: NULL;

	/* Keys are a compartment's own or shared (without keys, 0); the
	 * kernel core takes any, for the compartments it maps stacks of. */
	if (!who ||
	    (caller != comp_config.core_index && pkey != comp_shared_pkey() &&
	     pkey != (comp_has(COMP_KEYS) ? who->pkey : 0))) {
		const struct comp_desc *owner = comp_of_pkey(pkey);

		panic("mm_page_alloc_key(%zu, %d): compartment %s may not take "
		      "pages with key %d (%s%s)",
		      count, pkey, who ? who->name : "?", pkey,
		      owner ? "compartment " : "not its own",
		      owner ? owner->name : "");
	}
	void *p = mm_page_alloc(count);

	if (p && pkey && vm_set_pkey((uintptr_t)p, count * MM_PAGE_SIZE, pkey))
		panic("mm: bad protection key %d", pkey);
	/* A KASan compartment's heap: its shadow cleared, and its own. */
	if (p && (who->harden & HARDEN_KASAN))
		mm_kasan_cover((uintptr_t)p, count * MM_PAGE_SIZE, pkey);
	pr_debug("mm: %zu pages at %p, key %d\n", count, p, pkey);
	return p;
}

/* Pages come back to the kernel core: key 0 again. A free that is not
 * exactly one allocation is a bug that would hand the pages out twice:
 * it stops the machine, saying what was wrong. */
void mm_page_free(void *p, size_t count)
{
	int err = mm_page_pool_free(&mm_phys, (uintptr_t)p, count);

	if (err == MM_FREE_NOT_POOL)
		panic("mm_page_free(%p, %zu): not page-aligned RAM of the page "
		      "pool",
		      p, count);
	if (err == MM_FREE_NOT_ALLOCATED)
		panic("mm_page_free(%p, %zu): not allocated (double free?)", p,
		      count);
	if (err == MM_FREE_INSIDE)
		panic("mm_page_free(%p, %zu): inside an allocation, not at its "
		      "start",
		      p, count);
	if (err)
		panic("mm_page_free(%p, %zu): not the page count of the "
		      "allocation there",
		      p, count);
	vm_set_pkey((uintptr_t)p, count * MM_PAGE_SIZE, 0);
}

/*
 * `ram` lists the usable RAM of the memory map (room for `cap` entries).
 * It is normalised in place into the free regions. `kept` are ranges the
 * loader filled that stay as they are (the initrd): no page of theirs
 * goes to the pool, and they are mapped read-only (and not executable)
 * wherever they lie.
 */
void mm_init(struct mm_region *ram, int n, int cap,
	     const struct mm_region *kept, int nkept)
{
	struct mm_region all[64];
	int nall = n < (int)ARRAY_SIZE(all) ? n : (int)ARRAY_SIZE(all);

	memcpy(all, ram, nall * sizeof(*ram));
	nall = mm_regions_normalize(all, nall, ARRAY_SIZE(all), NULL, 0);
	for (int i = 0; i < nall; i++)
		total_bytes += all[i].len;

	struct mm_region reserved[2 + MM_KEPT_MAX] = {
		{0, LOW_MEMORY_END},
		{(uintptr_t)__kernel_start,
		 (uintptr_t)__kernel_end - (uintptr_t)__kernel_start},
	};

	if (nkept > MM_KEPT_MAX)
		panic("mm: %d ranges to keep, at most %d", nkept, MM_KEPT_MAX);
	for (int i = 0; i < nkept; i++)
		reserved[2 + i] = kept[i];
	n = mm_regions_normalize(ram, n, cap, reserved, 2 + nkept);
	if (n <= 0)
		panic("mm: no usable memory above the kernel");

	/* The bitmap lives at the start of the first region large enough. */
	size_t bm_bytes = ALIGN_UP(mm_page_pool_bitmap_bytes(ram, n),
				   (size_t)MM_PAGE_SIZE);
	int i;

	for (i = 0; i < n && ram[i].len < bm_bytes; i++)
		;
	if (i == n)
		panic("mm: no region can hold the %zu-byte page bitmap",
		      bm_bytes);
	uint64_t *bitmap = (uint64_t *)(uintptr_t)ram[i].base;

	ram[i].base += bm_bytes;
	ram[i].len -= bm_bytes;
	if (mm_page_pool_init(&mm_phys, ram, n, bitmap) != 0)
		panic("mm: more than %d free memory regions", MM_POOL_REGIONS);

	vm_init(all, nall);
	for (int i = 0; i < nkept; i++) {
		uint64_t start = ALIGN_DOWN(kept[i].base, (uint64_t)PAGE_SIZE);
		uint64_t end = ALIGN_UP(kept[i].base + kept[i].len,
					(uint64_t)PAGE_SIZE);

		if (end > start && vm_map(start, start, end - start, 0) != 0)
			panic("mm: cannot map kept range [0x%lx, 0x%lx)",
			      (unsigned long)start, (unsigned long)end);
	}
}
