/*
 * The NIC's registers belong to the kernel core. Under mpk its memory BAR
 * is mapped with the core's key: the driver's compartment can read the
 * BAR's address out of configuration space (dev_config_read lets it), but
 * touching the registers there itself faults; only the core's checked
 * dev_mem_* reach them. The hook (virtio.test.api) runs in the driver's
 * compartment, net. ("isolated_*" suites run only in images that isolate
 * something, test_boundary.c.)
 */
#include <stdint.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/netstack.h>
#include "ktest.h"

uintptr_t vnet_test_registers(int touch);

TEST_ALONE(isolated_nic, driver_touching_its_registers_faults)
{
	const struct comp_desc *net = ktest_comp("net");
	const struct comp_desc *core =
		&comp_config.comps[comp_config.core_index];

	KT_ASSERT(net != NULL && net != core);
	KT_ASSERT(net_start() == 0);
	uintptr_t regs = vnet_test_registers(0);

	KT_ASSERT(regs != 0); /* the driver took the virtio 1.0 interface */
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("FAULT: #PF page fault (vector 14) in thread \"main\"");
	ktest_expect("error 0x21: present read supervisor data "
		     "protection-key");
	ktest_expect("cr2 0x%016lx", (unsigned long)regs);
	ktest_expect("protection key: compartment net (PKRU 0x%08x) read "
		     "memory of compartment %s (key %d), running code of net",
		     net->pkru, core->name, core->pkey);
	vnet_test_registers(1);
}
