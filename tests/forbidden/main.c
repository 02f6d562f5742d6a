/*
 * main.c - an application that maps memory itself through the kernel
 * core's page-table function, which mm.api lets only the kernel core call.
 * Its image must not build: tests/configs/bad/forbidden-call.toml.
 */
#include <bulkhead/mm.h>

int main(void)
{
	static char page[4096] __attribute__((aligned(4096)));

	/* Map this compartment's own page again, writable and executable. */
	return vm_map((uintptr_t)page + 0x100000000, (uintptr_t)page, 4096,
		      VM_WRITE | VM_EXEC);
}
