/*
 * pci.c - PCI configuration space through the legacy I/O ports
 * (mechanism 1), and finding a device by vendor and device id.
 *
 * A device is named by its bus/device/function packed as
 * bus << 16 | device << 11 | function << 8, the layout of the address
 * register, so it can be handed around as one number (across gates too).
 */
#include <bulkhead/arch.h>
#include <bulkhead/kernel.h>

#define PCI_ADDRESS 0xcf8
#define PCI_DATA    0xcfc
#define PCI_ENABLE  0x80000000u

uint32_t pci_read32(uint32_t bdf, unsigned off)
{
	outl(PCI_ADDRESS, PCI_ENABLE | bdf | (off & 0xfc));
	return inl(PCI_DATA);
}

void pci_write32(uint32_t bdf, unsigned off, uint32_t v)
{
	outl(PCI_ADDRESS, PCI_ENABLE | bdf | (off & 0xfc));
	outl(PCI_DATA, v);
}

/* The first function with this vendor and a device id in [lo, hi], or
 * PCI_NONE. Scans bus 0..255, 32 devices, 8 functions. */
uint32_t pci_find(unsigned vendor, unsigned device_lo, unsigned device_hi)
{
	for (uint32_t bus = 0; bus < 256; bus++) {
		for (uint32_t dev = 0; dev < 32; dev++) {
			for (uint32_t fn = 0; fn < 8; fn++) {
				uint32_t bdf = bus << 16 | dev << 11 | fn << 8;
				uint32_t id = pci_read32(bdf, 0);

				if ((id & 0xffff) == 0xffff) {
					if (fn == 0)
						break; /* no device here */
					continue;
				}
				unsigned v = id & 0xffff, d = id >> 16;

				if (v == vendor && d >= device_lo &&
				    d <= device_hi)
					return bdf;
			}
		}
	}
	return PCI_NONE;
}
