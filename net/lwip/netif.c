/*
 * netif.c - lwIP on the virtio-net NIC: the network interface lwIP sends
 * through, the thread that feeds it received frames, and net_start().
 *
 * lwIP runs with NO_SYS=0: its tcpip thread owns the stack, the interface
 * is added and configured through netifapi (which takes the core lock),
 * received frames enter through tcpip_input, and linkoutput runs in the
 * tcpip thread.
 *
 * Checksums: when the device completes or vouches for TCP checksums
 * (vnet_offloads), lwIP stops computing them for this interface
 * (NETIF_CHECKSUM_GEN_TCP off with the send offload) and stops checking
 * them (NETIF_CHECKSUM_CHECK_TCP off with either offload). The frames the
 * device did not vouch for are then checked here, before lwIP sees them;
 * the IP header's checksum and every other protocol's stay lwIP's. A
 * device without the offloads leaves lwIP's software checksums as they
 * are.
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

#define FRAME_MAX     1536
#define DHCP_WAIT_NS  (20 * NSEC_PER_SEC)

#define ETH_HLEN      14
/* The offloads that move TCP checksum work off lwIP. */
#define CSUM_OFFLOADS (VNET_TX_CSUM | VNET_RX_CSUM)
#define IPPROTO_TCP_  6
#define IPPROTO_UDP_  17

static struct netif nif;
static uint8_t txbuf[FRAME_MAX]; /* used by the tcpip thread only */
static unsigned offloads;	 /* vnet_offloads(), once the NIC is up */
static uint64_t rx_bad_csum;	 /* TCP frames dropped here: bad checksum */

/* The ones-complement sum of len bytes (big-endian 16-bit words, an odd
 * last byte padded with zero) added to sum, not folded. */
static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * Where the proto (TCP or UDP) segment of an Ethernet frame starts, or 0
 * when the frame is not one whole, well-formed IPv4 segment of it (another
 * protocol, an IP fragment, lengths that do not fit). *seg_len gets the
 * segment's length.
 */
static size_t l4_segment(const uint8_t *f, size_t len, unsigned proto,
			 size_t *seg_len)
{
	if (len < ETH_HLEN + 20 || f[12] != 0x08 || f[13] != 0x00)
		return 0;
	const uint8_t *ip = f + ETH_HLEN;
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4,
	       tot = (size_t)ip[2] << 8 | ip[3];

	if ((ip[0] >> 4) != 4 || ihl < 20 || tot < ihl + 8 ||
	    ETH_HLEN + tot > len || ip[9] != proto ||
	    (((ip[6] & 0x3f) << 8 | ip[7]) != 0)) /* MF or an offset */
		return 0;
	*seg_len = tot - ihl;
	return ETH_HLEN + ihl;
}

/* The sum of a segment's pseudo-header (addresses, protocol, length). */
static uint32_t pseudo_sum(const uint8_t *f, unsigned proto, size_t seg_len)
{
	return sum16(f + ETH_HLEN + 12, 8, proto + (uint32_t)seg_len);
}

/*
 * One frame out (vnet_send may wait for a free buffer). With the send
 * offload lwIP left the TCP checksum out: the field gets the
 * pseudo-header's sum and the device adds the segment's.
 */
static err_t link_output(struct netif *n, struct pbuf *p)
{
	(void)n;
	u16_t len = pbuf_copy_partial(p, txbuf, sizeof(txbuf), 0);
	size_t seg_len, start = 0;

	if (offloads & VNET_TX_CSUM) {
		start = l4_segment(txbuf, len, IPPROTO_TCP_, &seg_len);
		if (start) {
			uint16_t s =
				fold(pseudo_sum(txbuf, IPPROTO_TCP_, seg_len));

			txbuf[start + 16] = (uint8_t)(s >> 8);
			txbuf[start + 17] = (uint8_t)s;
		}
	}
	int r = vnet_send(txbuf, len, (unsigned)start, start ? 16 : 0);

	return r == 0 ? ERR_OK : ERR_IF;
}

/*
 * Whether lwIP may take a received frame, given how the device marked it
 * (vnet_recv). With lwIP's TCP check off, a TCP segment the device did not
 * vouch for is checked here; a TCP fragment cannot be, and is dropped (a
 * peer sets Don't Fragment on TCP, so none come in practice). A UDP
 * datagram whose checksum the host never computed (VNET_RX_PARTIAL) gets
 * it computed here, since lwIP still checks UDP.
 */
static int rx_acceptable(uint8_t *f, size_t len, long mark)
{
	size_t seg_len, start;

	if (mark & VNET_RX_PARTIAL) {
		start = l4_segment(f, len, IPPROTO_UDP_, &seg_len);
		if (start) {
			uint16_t c = (uint16_t)~fold(
				sum16(f + start, seg_len,
				      pseudo_sum(f, IPPROTO_UDP_, seg_len)));

			c = c ? c : 0xffff;
			f[start + 6] = (uint8_t)(c >> 8);
			f[start + 7] = (uint8_t)c;
		}
	}
	if (!(offloads & CSUM_OFFLOADS) ||
	    (mark & (VNET_RX_VALID | VNET_RX_PARTIAL)))
		return 1;
	start = l4_segment(f, len, IPPROTO_TCP_, &seg_len);
	if (!start) {
		const uint8_t *ip = f + ETH_HLEN;

		return !(len >= ETH_HLEN + 20 && f[12] == 0x08 && f[13] == 0 &&
			 ip[9] == IPPROTO_TCP_);
	}
	return fold(sum16(f + start, seg_len,
			  pseudo_sum(f, IPPROTO_TCP_, seg_len))) == 0xffff;
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
	offloads = vnet_offloads();
	NETIF_SET_CHECKSUM_CTRL(
		n, NETIF_CHECKSUM_ENABLE_ALL &
			   ~(offloads & VNET_TX_CSUM ? NETIF_CHECKSUM_GEN_TCP
						     : 0) &
			   ~(offloads & CSUM_OFFLOADS ? NETIF_CHECKSUM_CHECK_TCP
						      : 0));
	return ERR_OK;
}

void *net_rx_main(void *arg);

/*
 * Received frames, one pbuf each, into lwIP. A thread entry (lwip.api).
 * The driver says how long the next frame is (up to 64 KiB when the host
 * hands over whole TCP segments, VNET_RX_TSO) and copies it straight into
 * a fresh pbuf of that size (lwIP and the driver share a compartment, so
 * the pbuf is memory the driver may write). lwIP takes a TCP segment
 * longer than its MSS as it is. Without a pbuf (no memory, or a frame
 * longer than a pbuf's 16-bit length) the frame still has to leave the
 * ring, into a scratch buffer, and is dropped.
 */
void *net_rx_main(void *arg)
{
	static uint8_t scratch[FRAME_MAX];

	(void)arg;
	for (;;) {
		long peek = vnet_peek(0);

		if (peek < 0)
			continue;
		size_t want = (size_t)VNET_RX_LEN(peek);
		struct pbuf *p =
			want && want <= 0xffff
				? pbuf_alloc(PBUF_RAW, (u16_t)want, PBUF_RAM)
				: NULL;
		uint8_t *buf = p ? p->payload : scratch;
		long r = vnet_recv(buf, p ? want : sizeof(scratch), 0);
		long len = r < 0 ? r : VNET_RX_LEN(r);

		if (!p || len <= 0 || !rx_acceptable(buf, (size_t)len, r)) {
			if (p && len > 0)
				rx_bad_csum++;
			if (p)
				pbuf_free(p);
			continue;
		}
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
	printf("net: %s (%s), checksum offload: send %s, receive %s; "
	       "merged receive buffers %s, receive segmentation offload %s; "
	       "virtio %s interface\n",
	       ip4addr_ntoa(netif_ip4_addr(&nif)), ip ? "static" : "dhcp",
	       offloads & VNET_TX_CSUM ? "on" : "off",
	       offloads & VNET_RX_CSUM ? "on" : "off",
	       offloads & VNET_RX_MERGED ? "on" : "off",
	       offloads & VNET_RX_TSO ? "on" : "off",
	       offloads & VNET_MODERN ? "1.0" : "legacy");
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
