/*
 * lwIP in a VM of its own (backend ept, tests/configs/sockets-ept.toml):
 * what the application's VM can and cannot do with the network VM. Its
 * data is not mapped here, so reading it faults and names the VM that
 * owns it; a pointer to it is no memory this VM may hand over, so the
 * gate refuses it before the call leaves; this VM's own private memory
 * is copied across instead (under ept a pointer names memory of the
 * caller's VM). And the stack's threads are started in the network VM,
 * not here. (The ept_* suites run only when compartments are VMs:
 * test_boundary.c.)
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <bulkhead/kernel.h>
#include <bulkhead/netstack.h>
#include "ktest.h"

long netsock_sendto(int, const void *, size_t, int, const void *, uint32_t);
long netsock_recvfrom(int, void *, size_t, int, void *, uint32_t *);

/* lwIP's list of interfaces: data of the network VM. */
static volatile void *lwip_data(void)
{
	return (volatile void *)ksyms_lookup_name("netif_list");
}

TEST_ALONE(ept_sockets, app_vm_cannot_read_lwips_memory)
{
	volatile long *p = lwip_data();

	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("FAULT: #PF page fault (vector 14) in thread \"main\"");
	ktest_expect("error 0x0: not-present read supervisor data");
	ktest_expect("cr2 0x%016lx <netif_list+0x0>", (unsigned long)p);
	ktest_expect("cr2 is memory of compartment net, which runs in a VM "
		     "of its own: not mapped here");
	(void)*p;
}

TEST(ept_sockets, lwips_memory_is_refused_by_the_callers_gate)
{
	void *lwip = (void *)lwip_data();

	KT_ASSERT(lwip != NULL);
	/* Sending it would read lwIP's data in the other VM; receiving
	 * into it would overwrite it there: neither leaves this VM. */
	KT_EXPECT_EQ(netsock_sendto(3, lwip, 16, 0, NULL, 0), -EFAULT);
	KT_EXPECT_EQ(netsock_recvfrom(3, lwip, 16, 0, NULL, NULL), -EFAULT);
}

TEST(ept_sockets, the_callers_own_memory_is_copied_across)
{
	static char mine[64];
	uint32_t len = sizeof(mine);

	/* Private memory of this VM reaches lwIP as a copy, which knows no
	 * socket 3. */
	KT_EXPECT_EQ(netsock_sendto(3, mine, sizeof(mine), 0, NULL, 0), -EBADF);
	KT_EXPECT_EQ(netsock_recvfrom(3, mine, sizeof(mine), 0, mine, &len),
		     -EBADF);
	/* A length that wraps around the address space is refused. */
	KT_EXPECT_EQ(netsock_sendto(3, mine, (size_t)-16, 0, NULL, 0), -EFAULT);
}

/* Starting the network starts lwIP's tcpip thread, its receive thread
 * and the driver's interrupt thread: in the network VM, so this VM's
 * count of threads stays as it was. */
TEST(ept_sockets, lwips_threads_start_in_the_net_vm)
{
	/* Found by name: a core-only function, which other images' socket
	 * tests, in a compartment of their own, may not call. */
	unsigned long (*count)(void) = (unsigned long (*)(
		void))ksyms_lookup_name("sched_thread_count");
	KT_ASSERT(count != NULL);
	unsigned long before = count();

	KT_ASSERT(net_start() == 0);
	KT_EXPECT_EQ(count(), before);
	KT_EXPECT_EQ(net_address(), 0x0f02000aU); /* 10.0.2.15, static */
}

/* The NIC is attached to the network VM's QEMU only (ept-launch.py,
 * QEMU_NET): this VM's PCI bus has no virtio-net device. */
TEST(ept_sockets, the_app_vm_has_no_nic)
{
	uint32_t (*find)(unsigned, unsigned, unsigned) = (uint32_t(*)(
		unsigned, unsigned, unsigned))ksyms_lookup_name("pci_find");

	KT_ASSERT(find != NULL);
	KT_EXPECT_EQ(find(0x1af4, 0x1000, 0x1000), PCI_NONE);
}
