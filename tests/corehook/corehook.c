/*
 * corehook - a test library linked into the kernel core's compartment of
 * the mpk gate-test images, so a test can run a piece of the runtime's
 * contract from the core's domain: asking the scheduler's PKRU restore
 * for a value that is no domain, which only the restore's own check of
 * the value refuses (the core is an allowed caller).
 */
#include <stdint.h>
#include <bulkhead/gate.h>

void corehook_pkru_restore(uint32_t pkru)
{
	gate_pkru_restore(pkru);
}
