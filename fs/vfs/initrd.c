/*
 * initrd.c - the root file system's first contents: the cpio archive
 * (the "newc" format) the boot loader brought, copied into ramfs.
 *
 * The archive belongs to the kernel core, which hands it out in pieces
 * (initrd_read) into a buffer this library may share. An archive that is
 * not what it claims stops the boot with what was wrong and where, never
 * a half-filled root.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include "vfs_impl.h"

/* The kernel core's, in images whose loader brought an archive; weak so
 * that the vfs links before the core offers them. */
extern long initrd_size(void) __attribute__((weak));
extern long initrd_read(uint64_t off, void *buf, size_t len)
	__attribute__((weak));

#define NEWC_MAGIC   "070701"
#define NEWC_HEADER  110 /* the fixed part: magic and 13 hex fields */
#define NEWC_TRAILER "TRAILER!!!"
#define CHUNK	     (64 * 1024)

/* Where the archive is being read: for error messages. */
struct reader {
	uint64_t size;	/* of the archive */
	uint64_t off;	/* next byte to read */
	unsigned entry; /* entries read so far */
	char *buf;	/* CHUNK bytes of shared memory */
};

/* Stop the boot: what is wrong with the archive, and where. */
static void __attribute__((noreturn, format(printf, 2, 3)))
bad(struct reader *r, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	panic("vfs: the initrd (%lu bytes) is not a usable cpio newc archive: "
	      "entry %u at offset %lu: %s",
	      (unsigned long)r->size, r->entry, (unsigned long)r->off, why);
}

#define BAD(r, ...) bad(r, __VA_ARGS__)

/* Exactly len bytes at r->off into r->buf, or stop. */
static void take(struct reader *r, size_t len)
{
	size_t got = 0;

	if (len > CHUNK || r->off + len > r->size)
		BAD(r, "%lu bytes wanted, but the archive ends at %lu",
		    (unsigned long)len, (unsigned long)r->size);
	while (got < len) {
		long n = initrd_read(r->off + got, r->buf + got, len - got);

		if (n <= 0)
			BAD(r, "the kernel gave %ld reading it", n);
		got += (size_t)n;
	}
	r->off += len;
}

static void align4(struct reader *r)
{
	r->off = (r->off + 3) & ~(uint64_t)3;
}

/* Field i (8 hex digits) of the header in r->buf. */
static uint32_t field(struct reader *r, int i, const char *what)
{
	uint32_t v = 0;

	for (int k = 0; k < 8; k++) {
		char c = r->buf[6 + 8 * i + k];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;

		if (d < 0)
			BAD(r, "its %s field holds '%.8s', not hex digits",
			    what, r->buf + 6 + 8 * i);
		v = v << 4 | (uint32_t)d;
	}
	return v;
}

/* Make every directory on the way to path's last component, as the
 * archive may list a file before (or without) its directory. Returns the
 * parent and puts the last component in last. */
static struct vnode parent_of(struct reader *r, struct vnode root,
			      const char *path, char last[FS_NAME_MAX])
{
	struct vnode cur = root;
	char name[FS_NAME_MAX];

	while (*path) {
		const char *slash = strchr(path, '/');
		size_t n = slash ? (size_t)(slash - path) : strlen(path);

		if (n >= FS_NAME_MAX)
			BAD(r, "a name in '%s' is longer than %d bytes", path,
			    FS_NAME_MAX - 1);
		memcpy(name, path, n);
		name[n] = '\0';
		if (!slash) {
			strcpy(last, name);
			return cur;
		}
		path = slash + 1;
		if (n == 0 || strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0)
			BAD(r, "its name leads out of the archive with '..'");
		struct vnode next;
		long e = vfs_node_lookup(cur, name, &next);

		if (e == -ENOENT) {
			e = ramfs_create(cur.node, vfs_name_arg(name),
					 S_IFDIR | 0755);
			next = (struct vnode){VFS_RAMFS, (fs_node_t)e};
		}
		if (e < 0 || next.fs != VFS_RAMFS)
			BAD(r, "cannot make directory '%s' (%ld)", name, e);
		cur = next;
	}
	strcpy(last, ".");
	return cur;
}

/* One entry whose header is in r->buf; false after the trailer. */
static bool unpack_entry(struct reader *r, struct vnode root)
{
	char path[FS_PATH_MAX], last[FS_NAME_MAX];

	if (memcmp(r->buf, NEWC_MAGIC, 6) != 0)
		BAD(r, "its magic is '%.6s', not " NEWC_MAGIC, r->buf);
	uint32_t mode = field(r, 1, "mode");
	uint32_t size = field(r, 6, "filesize");
	uint32_t namesize = field(r, 11, "namesize");

	if (namesize < 2 || namesize > FS_PATH_MAX)
		BAD(r, "its name is %u bytes long", namesize);
	take(r, namesize);
	memcpy(path, r->buf, namesize);
	if (path[namesize - 1] != '\0' || strlen(path) != namesize - 1)
		BAD(r, "its name is not %u bytes ending in NUL", namesize);
	align4(r);
	if (strcmp(path, NEWC_TRAILER) == 0)
		return false;

	struct vnode dir = parent_of(r, root, path, last);
	long e;

	if (strcmp(last, ".") == 0 || strcmp(last, "..") == 0) {
		if (size)
			BAD(r, "'%s' has %u bytes of data", path, size);
		return true; /* the root itself */
	}
	if (S_ISDIR(mode)) {
		e = ramfs_create(dir.node, vfs_name_arg(last),
				 S_IFDIR | (mode & 07777));
		if (e == -EEXIST) {
			struct vnode d;

			e = vfs_node_lookup(dir, last, &d);
			if (e == 0)
				e = ramfs_chmod(d.node, mode & 07777);
		}
		if (e < 0)
			BAD(r, "cannot make directory '%s' (%ld)", path, e);
		if (size)
			BAD(r, "directory '%s' has %u bytes of data", path,
			    size);
		return true;
	}
	if (!S_ISREG(mode))
		BAD(r,
		    "'%s' has mode %06o: only files and directories can "
		    "be unpacked",
		    path, mode);
	e = ramfs_create(dir.node, vfs_name_arg(last),
			 S_IFREG | (mode & 07777));
	if (e < 0)
		BAD(r, "cannot create '%s' (%ld)", path, e);
	fs_node_t node = (fs_node_t)e;

	for (uint64_t done = 0; done < size;) {
		size_t n = size - done < CHUNK ? (size_t)(size - done) : CHUNK;

		take(r, n);
		e = ramfs_write(node, r->buf, n, done);
		if (e != (long)n)
			BAD(r, "writing '%s' at %lu gave %ld", path,
			    (unsigned long)done, e);
		done += n;
	}
	align4(r);
	return true;
}

void vfs_unpack_initrd(struct vnode root)
{
	struct reader r = {0};

	if (!initrd_size || (long)(r.size = (uint64_t)initrd_size()) <= 0) {
		pr_info("vfs: no initrd; the root file system starts empty\n");
		return;
	}
	r.buf = mm_shared_alloc(CHUNK);
	if (!r.buf)
		panic("vfs: no memory to read the initrd");
	for (;; r.entry++) {
		if (r.off == r.size)
			BAD(&r, "the archive ends without its " NEWC_TRAILER
				" entry");
		take(&r, NEWC_HEADER);
		if (!unpack_entry(&r, root))
			break;
	}
	mm_shared_free(r.buf);
	pr_info("vfs: unpacked %u entries (%lu bytes) from the initrd\n",
		r.entry, (unsigned long)r.size);
}
