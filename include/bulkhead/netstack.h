/*
 * netstack.h - starting the network: lwIP on the virtio-net NIC
 * (net/lwip/netif.c).
 */
#ifndef BULKHEAD_NETSTACK_H
#define BULKHEAD_NETSTACK_H

#include <stdint.h>

/*
 * Start lwIP's thread, the NIC and its receive thread, and configure the
 * interface: ip=A.B.C.D/N and gw=A.B.C.D from the command line, or DHCP.
 * Returns 0 once the interface has an address, or -1 with a message
 * (no NIC, no DHCP answer within 20 s, a bad ip= value).
 */
int net_start(void);
/* The interface's IPv4 address in network byte order, 0 without one. */
uint32_t net_address(void);

#endif
