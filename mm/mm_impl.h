/* mm_impl.h - what only mm's own files share. */
#ifndef MM_IMPL_H
#define MM_IMPL_H

#include <bulkhead/mm.h>

extern char boot_stack_guard[]; /* boot/entry.asm */

void vm_init(const struct mm_region *ram, int n);

#endif
