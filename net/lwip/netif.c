/*
 * netif.c - lwIP on the virtio-net NIC: the network interface lwIP sends
 * through, the thread that feeds it received frames, and net_start().
 *
 * lwIP runs with NO_SYS=0: its tcpip thread owns the stack, the interface
 * is added and configured through netifapi (which takes the core lock),
 * received frames enter through tcpip_input, and linkoutput runs in the
 * tcpip thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/virtio.h>
#include <bulkhead/netstack.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>
#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/netifapi.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

#define FRAME_MAX    1536
#define DHCP_WAIT_NS (20 * NSEC_PER_SEC)

static struct netif nif;
static uint8_t txbuf[FRAME_MAX]; /* used by the tcpip thread only */

/* One frame out (vnet_send may wait for a free buffer). */
static err_t link_output(struct netif *n, struct pbuf *p)
{
	(void)n;
	u16_t len = pbuf_copy_partial(p, txbuf, sizeof(txbuf), 0);
	int r = vnet_send(txbuf, len);

	return r == 0 ? ERR_OK : ERR_IF;
}

static err_t nic_init(struct netif *n)
{
	uint64_t mac = vnet_mac();

	for (int i = 0; i < 6; i++)
		n->hwaddr[i] = (u8_t)(mac >> (8 * i));
	n->hwaddr_len = 6;
	n->mtu = 1500;
	n->name[0] = 'e';
	n->name[1] = 'n';
	n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
		   NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
	n->output = etharp_output;
	n->linkoutput = link_output;
	return ERR_OK;
}

void *net_rx_main(void *arg);

/* Received frames, one pbuf each, into lwIP. A thread entry (lwip.api). */
void *net_rx_main(void *arg)
{
	static uint8_t rxbuf[FRAME_MAX];

	(void)arg;
	for (;;) {
		long len = vnet_recv(rxbuf, sizeof(rxbuf), 0);

		if (len <= 0)
			continue;
		struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);

		if (!p)
			continue; /* out of buffers: the frame is dropped */
		pbuf_take(p, rxbuf, (u16_t)len);
		if (nif.input(p, &nif) != ERR_OK)
			pbuf_free(p);
	}
	return NULL;
}

/* Posted by the tcpip thread once it runs. */
static sched_sem_t started;

static void tcpip_started(void *arg)
{
	(void)arg;
	sched_sem_post(started);
}

/* "A.B.C.D[/N]" into an address and netmask; 0 or -1. */
static int parse_ip(const char *s, ip4_addr_t *ip, ip4_addr_t *mask)
{
	char buf[32];
	char *slash;
	int bits = 24;

	strncpy(buf, s, sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		bits = atoi(slash + 1);
	}
	if (!ip4addr_aton(buf, ip) || bits < 0 || bits > 32)
		return -1;
	ip4_addr_set_u32(mask,
			 bits ? lwip_htonl(0xffffffffu << (32 - bits)) : 0);
	return 0;
}

/* Bring the network up: the NIC, lwIP's thread, the interface, its
 * address (ip= and gw= of the command line, else DHCP). */
static int bring_up(void)
{
	const char *ip = cmdline_get("ip"), *gw = cmdline_get("gw");
	ip4_addr_t addr, mask, gateway;

	if (vnet_init() != 0) {
		printf("net: no virtio-net device\n");
		return -1;
	}
	started = sched_sem_new(0);
	if (!started)
		return -1;
	tcpip_init(tcpip_started, NULL);
	sched_sem_wait(started, 0);
	sched_sem_free(started);

	ip4_addr_set_zero(&addr);
	ip4_addr_set_zero(&mask);
	ip4_addr_set_zero(&gateway);
	if (ip && parse_ip(ip, &addr, &mask) != 0) {
		printf("net: ip=%s is not an address like 10.0.2.15/24\n", ip);
		return -1;
	}
	if (gw && !ip4addr_aton(gw, &gateway)) {
		printf("net: gw=%s is not an address like 10.0.2.2\n", gw);
		return -1;
	}
	if (netifapi_netif_add(&nif, &addr, &mask, &gateway, NULL, nic_init,
			       tcpip_input) != ERR_OK)
		return -1;
	netifapi_netif_set_default(&nif);
	netifapi_netif_set_up(&nif);
	sched_thread_t rx = sched_create("net-rx", net_rx_main, NULL, 0);

	if (!rx)
		return -1;
	sched_detach(rx);
	if (!ip) {
		uint64_t t0 = time_now_ns();
		int bound = 0;

		netifapi_dhcp_start(&nif);
		while (!bound && time_now_ns() - t0 < DHCP_WAIT_NS) {
			sched_sleep_ns(10000000);
			LOCK_TCPIP_CORE();
			bound = dhcp_supplied_address(&nif);
			UNLOCK_TCPIP_CORE();
		}
		if (!bound) {
			printf("net: no DHCP answer within 20 s\n");
			return -1;
		}
	}
	printf("net: %s (%s)\n", ip4addr_ntoa(netif_ip4_addr(&nif)),
	       ip ? "static" : "dhcp");
	return 0;
}

/* Start the network once: the first call brings it up, a call while that
 * runs waits for it, later calls say how it went (0 up, -1 failed; a
 * failed start is not tried again). Applications call it, and libc's
 * socket() before its first socket, so programs that know nothing of
 * Bulkhead have a network. */
int net_start(void)
{
	static int state; /* 0 down, 1 starting, 2 up, -1 failed */
	int down = 0;

	if (__atomic_compare_exchange_n(&state, &down, 1, 0, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		__atomic_store_n(&state, bring_up() == 0 ? 2 : -1,
				 __ATOMIC_RELEASE);
	while (__atomic_load_n(&state, __ATOMIC_ACQUIRE) == 1)
		sched_sleep_ns(1000000);
	return __atomic_load_n(&state, __ATOMIC_ACQUIRE) == 2 ? 0 : -1;
}

uint32_t net_address(void)
{
	return ip4_addr_get_u32(netif_ip4_addr(&nif));
}
