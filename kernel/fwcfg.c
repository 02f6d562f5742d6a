/*
 * fwcfg.c - QEMU's fw_cfg interface over I/O ports 0x510/0x511: named
 * files passed with `-fw_cfg name=opt/...,string=...`.
 */
#include <string.h>
#include <bulkhead/arch.h>
#include <bulkhead/kernel.h>

#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_FILE_DIR	 0x0019

static void fwcfg_select(uint16_t key)
{
	outw(PORT_FWCFG_SEL, key);
}

static void fwcfg_read(void *buf, size_t len)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = inb(PORT_FWCFG_DATA);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

int fwcfg_read_file(const char *name, void *buf, size_t size)
{
	uint8_t sig[4], count[4];

	fwcfg_select(FW_CFG_SIGNATURE);
	fwcfg_read(sig, 4);
	if (memcmp(sig, "QEMU", 4) != 0)
		return -1;

	fwcfg_select(FW_CFG_FILE_DIR);
	fwcfg_read(count, 4);
	for (uint32_t i = 0; i < be32(count); i++) {
		uint8_t ent[64]; /* size(4) select(2) reserved(2) name(56) */

		fwcfg_read(ent, sizeof(ent));
		ent[63] = '\0';
		if (strcmp((char *)ent + 8, name) != 0)
			continue;
		uint32_t fsize = be32(ent);
		size_t n = fsize < size ? fsize : size;

		fwcfg_select((uint16_t)(ent[4] << 8 | ent[5]));
		fwcfg_read(buf, n);
		return (int)fsize;
	}
	return -1;
}
