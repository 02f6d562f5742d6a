/*
 * ksyms.h - the generated symbol table and its lookup (kernel core only).
 */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include <stdint.h>

struct ksym {
	uint64_t addr;	  /* start address of the symbol */
	const char *name; /* its name */
};

extern const struct ksym ksyms_table[]; /* sorted by address */
extern const unsigned long ksyms_count;

const struct ksym *ksyms_find(const struct ksym *tab, unsigned long n,
			      uintptr_t addr, uintptr_t end);

#endif
