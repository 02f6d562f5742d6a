/*
 * rogue.c - a driver that finds its device through the kernel core's PCI
 * function instead of dev_open(). kernel.api lets only the core call
 * pci_find, so its image must not build: tests/configs/bad/driver-pci.toml.
 */
#include <stdint.h>
#include <bulkhead/kernel.h>

uint32_t rogue_probe(void);

uint32_t rogue_probe(void)
{
	return pci_find(0x1af4, 0x1000, 0x1000);
}
