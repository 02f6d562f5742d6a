/*
 * virtio.h - the network device (library virtio, net/virtio/): one
 * virtio-net NIC, functions vnet_*.
 *
 * Frames go in and out by copy: vnet_send copies the frame into a
 * transmit buffer of the driver's, vnet_recv copies a received frame
 * (from one or, with merged buffers, several receive buffers) into the
 * caller's buffer (which, across a gate, must be shared memory).
 */
#ifndef BULKHEAD_VIRTIO_H
#define BULKHEAD_VIRTIO_H

#include <stddef.h>
#include <stdint.h>

/* Find and start the device: 0, or -1 when there is none. */
int vnet_init(void);
/* The MAC address, byte 0 in the low bits. */
uint64_t vnet_mac(void);
/* Checksum offloads the device agreed to (vnet_offloads): */
#define VNET_TX_CSUM   1 /* it completes a sent frame's TCP/UDP checksum */
#define VNET_RX_CSUM   2 /* it marks received frames (VNET_RX_VALID/PARTIAL) */
/* Receive offloads: */
#define VNET_RX_MERGED 4 /* a frame may fill several receive buffers */
#define VNET_RX_TSO    8 /* a TCP/IPv4 frame may be a 64 KiB segment */
/* Not an offload: the device is driven through its virtio 1.0 interface
 * (else the legacy one). */
#define VNET_MODERN    16
unsigned vnet_offloads(void);
/* Queue one Ethernet frame (no FCS); waits for a free buffer. 0 or -1.
 * csum_start 0: the frame is sent as it is. Otherwise (VNET_TX_CSUM only)
 * the device sums the bytes from csum_start to the end, the pseudo-header
 * sum already in the field at csum_start + csum_offset, and stores the
 * checksum there. */
int vnet_send(const void *frame, size_t len, unsigned csum_start,
	      unsigned csum_offset);
/* Wait for a frame until deadline_ns (0 = forever), copy at most cap
 * bytes of it to buf and give its buffers back to the device: the length
 * copied (the low 32 bits), or -1. With VNET_RX_CSUM, VNET_RX_VALID is or'ed in when the
 * device checked the frame's TCP/UDP checksum, VNET_RX_PARTIAL when it
 * never computed it (the frame came from the host's own memory and its
 * checksum field holds only the pseudo-header's sum). */
#define VNET_RX_VALID	(1L << 32)
#define VNET_RX_PARTIAL (1L << 33)
#define VNET_RX_LEN(r)	((r)&0xffffffffL)
long vnet_recv(void *buf, size_t cap, uint64_t deadline_ns);
/* Wait for a frame as vnet_recv does, but leave it there: its whole length
 * and marks, as vnet_recv would return them with room enough, so the
 * caller can size the buffer (up to 64 KiB with VNET_RX_TSO). */
long vnet_peek(uint64_t deadline_ns);
/* Frames received (received != 0) or sent so far. */
uint64_t vnet_frames(int received);

#endif
