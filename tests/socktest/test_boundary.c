/*
 * lwIP's boundary: its socket entry points (net/lwip/sockcall.c), called
 * directly from the application compartment with pointers no libc would
 * pass. Under isolation each pointer must be shared memory: one into
 * lwIP's own data, the application's own private data or the kernel
 * core's is refused by the gate, by the call's contract (lwip.api says
 * efault), with EFAULT before lwIP runs. ("isolated_*" suites run only
 * in images that isolate something.)
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include "ktest.h"

long netsock_sendto(int, const void *, size_t, int, const void *, uint32_t);
long netsock_recvfrom(int, void *, size_t, int, void *, uint32_t *);
long netsock_getsockname(int, void *, uint32_t *);

/* isolated_*: in images that isolate lwIP in their own address space
 * (mpk); ept_*: where it is in a VM of its own, and a pointer means
 * memory of the caller's own VM; lwip_lock: where the caller's thread is
 * the one that runs in lwIP (not ept, test_core_lock.c). */
int ktest_suite_enabled(const char *suite)
{
	if (strncmp(suite, "ept_", 4) == 0)
		return comp_has(COMP_VMS);
	if (strcmp(suite, "lwip_lock") == 0)
		return !comp_has(COMP_VMS);
	return strncmp(suite, "isolated", 8) != 0 || comp_has(COMP_KEYS);
}

/* Memory of this compartment's own, which lwIP must not be handed. */
static char mine[64];
/* Shared memory: what a well-behaved caller passes. */
static char shared_buf[64] __shared;
static uint32_t shared_len __shared;

TEST(isolated_sockets, lwip_private_memory_is_refused)
{
	const void *lwip = (const void *)ksyms_lookup_name("netif_list");

	KT_ASSERT(lwip != NULL);
	/* Sending lwIP's own data out would leak it. */
	KT_EXPECT_EQ(netsock_sendto(3, lwip, 16, 0, NULL, 0), -EFAULT);
	/* Receiving into it would overwrite it. */
	KT_EXPECT_EQ(netsock_recvfrom(3, (void *)lwip, 16, 0, NULL, NULL),
		     -EFAULT);
}

TEST(isolated_sockets, private_memory_of_others_is_refused)
{
	void *core = (void *)ksyms_lookup_name("mm_phys");

	KT_ASSERT(core != NULL);
	KT_EXPECT_EQ(netsock_recvfrom(3, mine, sizeof(mine), 0, NULL, NULL),
		     -EFAULT);
	KT_EXPECT_EQ(netsock_sendto(3, core, 8, 0, NULL, 0), -EFAULT);
	shared_len = 16;
	KT_EXPECT_EQ(netsock_getsockname(3, core, &shared_len), -EFAULT);
	KT_EXPECT_EQ(netsock_getsockname(3, shared_buf, core), -EFAULT);
}

TEST(isolated_sockets, wrapping_and_shared_ranges)
{
	/* A length that wraps around the address space. */
	KT_EXPECT_EQ(netsock_sendto(3, shared_buf, (size_t)-16, 0, NULL, 0),
		     -EFAULT);
	/* Shared memory passes the check and reaches lwIP, which knows no
	 * socket 3 here. */
	KT_EXPECT_EQ(netsock_sendto(3, shared_buf, 8, 0, NULL, 0), -EBADF);
}
