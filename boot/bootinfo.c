/*
 * bootinfo.c - reading the multiboot1 and multiboot2 information
 * structures into struct boot_info, before anything overwrites them:
 * usable RAM, the command line, the loader's name and the first boot
 * module (the initrd).
 */
#include <string.h>
#include <bulkhead/boot.h>
#include <bulkhead/kernel.h>

#define MB1_FLAG_CMDLINE    (1u << 2)
#define MB1_FLAG_MODS	    (1u << 3)
#define MB1_FLAG_MMAP	    (1u << 6)
#define MB1_FLAG_LOADER	    (1u << 9)
#define MB_MEMORY_AVAILABLE 1

#define MB2_TAG_END	    0
#define MB2_TAG_CMDLINE	    1
#define MB2_TAG_LOADER	    2
#define MB2_TAG_MODULE	    3
#define MB2_TAG_MMAP	    6

struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
} __attribute__((packed));

struct mb1_mmap_entry {
	uint32_t size; /* of the rest of the entry */
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

/* A boot module: [mod_start, mod_end), and its string's address. */
struct mb1_module {
	uint32_t mod_start, mod_end;
	uint32_t string;
	uint32_t reserved;
};

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

/* A boot module tag: [mod_start, mod_end), then its string. */
struct mb2_module {
	uint32_t type, size;
	uint32_t mod_start, mod_end;
};

struct mb2_mmap {
	uint32_t type, size;
	uint32_t entry_size;
	uint32_t entry_version;
	/* entries follow */
};

struct mb2_mmap_entry {
	uint64_t addr;
	uint64_t len;
	uint32_t type;
	uint32_t reserved;
};

static void add_ram(struct boot_info *out, uint64_t addr, uint64_t len)
{
	if (out->nram == BOOT_MAX_REGIONS) {
		out->truncated = 1;
		return;
	}
	out->ram[out->nram].base = addr;
	out->ram[out->nram].len = len;
	out->nram++;
}

/*
 * Count a module [start, end); the first is kept (the initrd). Returns -1
 * for one that ends before it starts.
 */
static int add_module(struct boot_info *out, uint32_t start, uint32_t end)
{
	if (end < start)
		return -1;
	if (out->nmodules++ == 0) {
		out->module.base = start;
		out->module.len = end - start;
	}
	return 0;
}

/* Copy a string of at most `max` bytes (it may lack its NUL) into dst. */
static void copy_str(char *dst, size_t size, const char *src, size_t max)
{
	size_t n = 0;

	if (src)
		while (n < max && n < size - 1 && src[n])
			n++;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

int boot_parse_mb2(const void *info, struct boot_info *out)
{
	const uint8_t *p = info;
	uint32_t total = *(const uint32_t *)p;

	memset(out, 0, sizeof(*out));
	out->loader = "multiboot2";
	if (total < 16)
		return -1;
	for (uint32_t off = 8; off + sizeof(struct mb2_tag) <= total;) {
		const struct mb2_tag *tag = (const void *)(p + off);

		if (tag->type == MB2_TAG_END)
			return 0;
		/* Written so that no sum can wrap around. */
		if (tag->size < sizeof(*tag) || tag->size > total - off)
			return -1;
		size_t body = tag->size - sizeof(*tag);

		if (tag->type == MB2_TAG_CMDLINE)
			copy_str(out->cmdline, sizeof(out->cmdline),
				 (const char *)(tag + 1), body);
		else if (tag->type == MB2_TAG_LOADER)
			copy_str(out->loader_name, sizeof(out->loader_name),
				 (const char *)(tag + 1), body);
		else if (tag->type == MB2_TAG_MODULE) {
			const struct mb2_module *m = (const void *)tag;

			if (tag->size < sizeof(*m) ||
			    add_module(out, m->mod_start, m->mod_end) != 0)
				return -1;
		} else if (tag->type == MB2_TAG_MMAP) {
			const struct mb2_mmap *m = (const void *)tag;

			if (tag->size < sizeof(*m) ||
			    m->entry_size < sizeof(struct mb2_mmap_entry))
				return -1;
			for (uint32_t e = sizeof(*m);
			     e + m->entry_size <= m->size; e += m->entry_size) {
				const struct mb2_mmap_entry *ent =
					(const void *)((const uint8_t *)m + e);

				if (ent->type == MB_MEMORY_AVAILABLE)
					add_ram(out, ent->addr, ent->len);
			}
		}
		off = (off + tag->size + 7) & ~7u;
	}
	return -1; /* no end tag */
}

int boot_parse_mb1(const void *info, const void *mmap, const char *cmdline,
		   const void *mods, struct boot_info *out)
{
	const struct mb1_info *mb = info;

	memset(out, 0, sizeof(*out));
	out->loader = "multiboot1";
	if (mb->flags & MB1_FLAG_CMDLINE)
		copy_str(out->cmdline, sizeof(out->cmdline), cmdline,
			 sizeof(out->cmdline));
	if (mb->flags & MB1_FLAG_MODS) {
		const struct mb1_module *m = mods;

		if (mb->mods_count > BOOT_MAX_MODULES)
			return -1;
		for (uint32_t i = 0; i < mb->mods_count; i++)
			if (add_module(out, m[i].mod_start, m[i].mod_end) != 0)
				return -1;
	}
	if (!(mb->flags & MB1_FLAG_MMAP))
		return -1;
	const uint8_t *p = mmap;

	for (uint32_t off = 0;
	     off + sizeof(struct mb1_mmap_entry) <= mb->mmap_length;) {
		const struct mb1_mmap_entry *e = (const void *)(p + off);

		if (e->size < sizeof(*e) - sizeof(e->size) ||
		    e->size > mb->mmap_length - off - sizeof(e->size))
			return -1;
		if (e->type == MB_MEMORY_AVAILABLE)
			add_ram(out, e->addr, e->len);
		off += e->size + sizeof(e->size);
	}
	return 0;
}

void boot_info_init(uint32_t magic, uintptr_t info, struct boot_info *out)
{
	int r;

	if (magic == BOOT_MB2_MAGIC) {
		r = boot_parse_mb2((const void *)info, out);
	} else if (magic == BOOT_MB1_MAGIC) {
		const struct mb1_info *mb = (const void *)info;

		r = boot_parse_mb1(mb, (const void *)(uintptr_t)mb->mmap_addr,
				   (const char *)(uintptr_t)mb->cmdline,
				   (const void *)(uintptr_t)mb->mods_addr, out);
		if (mb->flags & MB1_FLAG_LOADER)
			copy_str(out->loader_name, sizeof(out->loader_name),
				 (const char *)(uintptr_t)mb->boot_loader_name,
				 sizeof(out->loader_name));
	} else {
		panic("boot: unknown loader magic 0x%x (not multiboot)", magic);
	}
	if (r != 0)
		panic("boot: malformed %s information at 0x%lx", out->loader,
		      (unsigned long)info);
	if (out->truncated)
		pr_warn("boot: memory map has more than %d usable regions; "
			"the rest is ignored\n",
			BOOT_MAX_REGIONS);
	if (out->nmodules > 1)
		pr_warn("boot: %d boot modules; only the first (the initrd) is "
			"used\n",
			out->nmodules);
}
