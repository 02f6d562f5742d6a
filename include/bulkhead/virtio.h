/*
 * virtio.h - the network device (library virtio, net/virtio/): one
 * virtio-net NIC, functions vnet_*.
 *
 * Frames go in and out by copy: vnet_send copies the frame into a
 * transmit buffer of the driver's, vnet_recv copies a received frame
 * into the caller's buffer (which, across a gate, must be shared memory).
 */
#ifndef BULKHEAD_VIRTIO_H
#define BULKHEAD_VIRTIO_H

#include <stddef.h>
#include <stdint.h>

/* Find and start the device: 0, or -1 when there is none. */
int vnet_init(void);
/* The MAC address, byte 0 in the low bits. */
uint64_t vnet_mac(void);
/* Queue one Ethernet frame (no FCS); waits for a free buffer. 0 or -1. */
int vnet_send(const void *frame, size_t len);
/* Wait for a frame until deadline_ns (0 = forever): its length, or -1. */
long vnet_recv(void *buf, size_t cap, uint64_t deadline_ns);
/* Frames received (received != 0) or sent so far. */
uint64_t vnet_frames(int received);

#endif
