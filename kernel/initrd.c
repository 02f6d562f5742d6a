/*
 * initrd.c - the initrd: the cpio newc archive the loader gave as its
 * first boot module. The kernel core checks that it is one, keeps it
 * (mm_init leaves its pages out of the pool and maps them read-only) and
 * copies from it on request; reading the archive's entries is the file
 * system's business.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <bulkhead/boot.h>
#include <bulkhead/initrd.h>
#include <bulkhead/kernel.h>

#define MAGIC_LEN  6 /* strlen(INITRD_MAGIC) */
#define SHOW_BYTES 8 /* of a module that is no archive, in the panic */

static const uint8_t *base;
static uint64_t size;

/*
 * "it begins 6e 6f ... \"no...\"" for the first bytes of a module that
 * is not an archive, into buf.
 */
static void describe_start(const uint8_t *p, uint64_t len, char *buf,
			   size_t cap)
{
	size_t n = len < SHOW_BYTES ? (size_t)len : SHOW_BYTES;
	size_t at = 0;
	char text[SHOW_BYTES + 1];

	if (n == 0) {
		kfmt_snprintf(buf, cap, "it is empty");
		return;
	}
	at += kfmt_snprintf(buf + at, cap - at, "it begins");
	for (size_t i = 0; i < n; i++) {
		at += kfmt_snprintf(buf + at, cap - at, " %02x", p[i]);
		text[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
	}
	text[n] = '\0';
	kfmt_snprintf(buf + at, cap - at, " \"%s\"", text);
}

void initrd_init(const struct boot_info *boot)
{
	char start[80];

	base = NULL;
	size = 0;
	if (!boot->nmodules)
		return;
	const uint8_t *p = (const uint8_t *)(uintptr_t)boot->module.base;
	uint64_t len = boot->module.len;

	if (len < MAGIC_LEN || memcmp(p, INITRD_MAGIC, MAGIC_LEN) != 0) {
		describe_start(p, len, start, sizeof(start));
		panic("initrd: the module at 0x%lx (%lu bytes) is not a cpio "
		      "newc archive (magic " INITRD_MAGIC "): %s",
		      (unsigned long)boot->module.base, (unsigned long)len,
		      start);
	}
	base = p;
	size = len;
}

long initrd_size(void)
{
	return (long)size;
}

uintptr_t initrd_addr(void)
{
	return (uintptr_t)base;
}

long initrd_read(uint64_t off, void *buf, size_t len)
{
	if ((!buf && len) || len > LONG_MAX)
		return -EINVAL;
	if (off >= size)
		return 0;
	if (len > size - off)
		len = (size_t)(size - off);
	memcpy(buf, base + off, len);
	return (long)len;
}
