/*
 * The NIC driver: QEMU's virtio-net (booted by the runner with a SLIRP
 * network) finds its device, sends an ARP request for the SLIRP gateway
 * and receives the gateway's answer through its interrupt.
 */
#include <string.h>
#include <bulkhead/virtio.h>
#include <bulkhead/time.h>
#include "ktest.h"

#define MAC_QEMU 0x563412005452ULL /* 52:54:00:12:34:56 */

static void put_mac(uint8_t *p, uint64_t mac)
{
	for (int i = 0; i < 6; i++)
		p[i] = (uint8_t)(mac >> (8 * i));
}

TEST(net, virtio_net_arp_with_the_slirp_gateway)
{
	static const uint8_t me[4] = {10, 0, 2, 15}, gw[4] = {10, 0, 2, 2};
	static const uint8_t gw_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
	uint8_t req[42] = {0}, rep[2048];
	int found = 0;

	KT_EXPECT_EQ(vnet_init(), 0);
	KT_EXPECT_EQ(vnet_mac(), MAC_QEMU);
	memset(req, 0xff, 6); /* broadcast */
	put_mac(req + 6, vnet_mac());
	req[12] = 0x08, req[13] = 0x06; /* ARP */
	req[15] = 1, req[16] = 0x08, req[18] = 6, req[19] = 4;
	req[21] = 1; /* request */
	put_mac(req + 22, vnet_mac());
	memcpy(req + 28, me, 4);
	memcpy(req + 38, gw, 4);
	KT_EXPECT_EQ(vnet_send(req, sizeof(req), 0, 0), 0);

	uint64_t deadline = time_now_ns() + 5 * NSEC_PER_SEC;

	while (!found) {
		long n = vnet_recv(rep, sizeof(rep), deadline);

		KT_ASSERT(n >= 0); /* else no reply before the deadline */
		found = n >= 42 && rep[12] == 0x08 && rep[13] == 0x06 &&
			rep[21] == 2 && memcmp(rep + 28, gw, 4) == 0;
	}
	KT_ASSERT(memcmp(rep + 22, gw_mac, 6) == 0); /* the gateway's MAC */
	uint8_t mine[6];

	put_mac(mine, vnet_mac());
	KT_ASSERT(memcmp(rep + 32, mine, 6) == 0); /* answered to us */
	KT_ASSERT(memcmp(rep + 38, me, 4) == 0);
	KT_ASSERT(vnet_frames(0) >= 1);
	KT_ASSERT(vnet_frames(1) >= 1);
}
