/*
 * file.c - the bytes of ramfs's regular files.
 *
 * A file's pages hang off a tree of interior nodes, each RAMFS_FANOUT
 * pointers (one page), indexed by page number nine bits a level, as a
 * radix tree. A page that was never written is a hole: no memory, and
 * reads see zeros. Pages and interior nodes count against the capacity
 * as RAMFS_PAGE_SIZE each; the tree is kept minimal (no empty interior
 * node, no level more than the highest page needs), so deleting pages
 * gives all their memory back.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "ramfs_impl.h"

/* Pages a tree of height h spans. */
static uint64_t span(uint32_t h)
{
	return 1ull << (h * RAMFS_FANOUT_BITS);
}

/* Slot of page idx in a level-l interior node (level 1 points at pages). */
static uint32_t digit(uint64_t idx, uint32_t level)
{
	return (uint32_t)(idx >> ((level - 1) * RAMFS_FANOUT_BITS)) &
	       (RAMFS_FANOUT - 1);
}

/* A zeroed page-sized block (a data page or an interior node), charged;
 * NULL with *err = -ENOSPC or -ENOMEM. */
static void *block_new(long *err)
{
	void *p;

	if (ramfs_charge(RAMFS_PAGE_SIZE) != 0) {
		*err = -ENOSPC;
		return NULL;
	}
	p = ramfs_zalloc(RAMFS_PAGE_SIZE);
	if (!p) {
		ramfs_uncharge(RAMFS_PAGE_SIZE);
		*err = -ENOMEM;
	}
	return p;
}

static void block_free(void *p)
{
	ramfs_free(p);
	ramfs_uncharge(RAMFS_PAGE_SIZE);
}

static int node_empty(void **node)
{
	for (uint32_t i = 0; i < RAMFS_FANOUT; i++)
		if (node[i])
			return 0;
	return 1;
}

/* Page idx of f, or NULL for a hole. */
static char *page_find(const struct rfile *f, uint64_t idx)
{
	void **node = f->root;

	if (!node || idx >= span(f->height))
		return NULL;
	for (uint32_t l = f->height; l > 1; l--) {
		node = node[digit(idx, l)];
		if (!node)
			return NULL;
	}
	return node[digit(idx, 1)];
}

/* Drop an empty root, then the levels the pages left do not need: while
 * the root holds only its slot 0, that child becomes the root. */
static void tree_lower(struct rfile *f)
{
	if (f->root && node_empty(f->root)) {
		block_free(f->root);
		f->root = NULL;
	}
	while (f->root && f->height > 1) {
		void **r = f->root;

		for (uint32_t i = 1; i < RAMFS_FANOUT; i++)
			if (r[i])
				return;
		f->root = r[0];
		f->height--;
		block_free(r);
	}
	if (!f->root)
		f->height = 0;
}

/* Undo a page creation that failed part way: free the empty interior
 * nodes on the path to page idx, bottom up, and lower the tree. */
static void tree_trim(struct rfile *f, uint64_t idx)
{
	void **path[8];
	uint32_t depth = 0;

	if (f->root && idx < span(f->height)) {
		void **node = f->root;

		for (uint32_t l = f->height; node; l--) {
			path[depth++] = node;
			if (l == 1)
				break;
			node = node[digit(idx, l)];
		}
		/* path[k] is at level height - k; its slot for idx in its
		 * parent path[k - 1] is digit(idx, height - k + 1). */
		for (uint32_t k = depth; k-- > 1;) {
			if (!node_empty(path[k]))
				break;
			block_free(path[k]);
			path[k - 1][digit(idx, f->height - k + 1)] = NULL;
		}
	}
	tree_lower(f);
}

/* A new zeroed page at idx (a hole), with the interior nodes it needs;
 * NULL with *err and the tree as it was when the capacity or memory runs
 * out. */
static char *page_make(struct rfile *f, uint64_t idx, long *err)
{
	void **node;
	char *page;

	if (!f->root) {
		uint32_t h = 1;

		while (idx >= span(h))
			h++;
		f->root = block_new(err);
		if (!f->root)
			return NULL;
		f->height = h;
	}
	while (idx >= span(f->height)) {
		void **r = block_new(err);

		if (!r)
			goto fail;
		r[0] = f->root;
		f->root = r;
		f->height++;
	}
	node = f->root;
	for (uint32_t l = f->height; l > 1; l--) {
		void **next = node[digit(idx, l)];

		if (!next) {
			next = block_new(err);
			if (!next)
				goto fail;
			node[digit(idx, l)] = next;
		}
		node = next;
	}
	page = block_new(err);
	if (!page)
		goto fail;
	node[digit(idx, 1)] = page;
	f->pages++;
	return page;
fail:
	tree_trim(f, idx);
	return NULL;
}

/* Free the pages numbered `first` and up under a level-l interior node
 * whose first page is `base`; 1 if the node is left empty. */
static int tree_cut(struct rfile *f, void **node, uint32_t l, uint64_t base,
		    uint64_t first)
{
	uint64_t step = span(l - 1);
	int empty = 1;

	for (uint32_t i = 0; i < RAMFS_FANOUT; i++) {
		uint64_t b = base + i * step;

		if (!node[i])
			continue;
		if (b + step <= first) {
			empty = 0;
			continue;
		}
		if (l == 1) {
			block_free(node[i]);
			f->pages--;
		} else if (tree_cut(f, node[i], l - 1, b, first)) {
			block_free(node[i]);
		} else {
			empty = 0;
			continue;
		}
		node[i] = NULL;
	}
	return empty;
}

/* Free every page numbered `first` and up, and the tree they leave
 * empty. */
static void pages_cut(struct rfile *f, uint64_t first)
{
	if (!f->root)
		return;
	if (tree_cut(f, f->root, f->height, 0, first)) {
		block_free(f->root);
		f->root = NULL;
	}
	tree_lower(f);
}

void ramfs_file_free(struct rnode *n)
{
	pages_cut(&n->u.file, 0);
	n->u.file.size = 0;
}

/* The regular file h names, or NULL with *err: -ESTALE, or -EISDIR for a
 * directory. */
static struct rnode *file_get(fs_node_t h, long *err)
{
	struct rnode *n = ramfs_node(h);

	if (!n)
		*err = -ESTALE;
	else if (ramfs_is_dir(n))
		*err = -EISDIR;
	else
		return n;
	return NULL;
}

/* off and len as a read or write takes them: off + len must not pass
 * INT64_MAX (Linux's rule for loff_t), else -EINVAL. */
static int range_ok(uint64_t off, size_t len)
{
	return off <= INT64_MAX && len <= INT64_MAX - off;
}

/*
 * Up to len bytes of file h from off into buf: the count (0 at or past
 * the end), holes read as zeros. -ESTALE, -EISDIR, -EINVAL when off + len
 * passes INT64_MAX.
 */
long ramfs_read(fs_node_t h, void *buf, size_t len, uint64_t off)
{
	struct rnode *n;
	struct rfile *f;
	uint64_t end, at;
	long r = 0;

	if (!ramfs_lock())
		return -ESTALE;
	n = file_get(h, &r);
	if (!n)
		goto out;
	if (!range_ok(off, len)) {
		r = -EINVAL;
		goto out;
	}
	if (len == 0)
		goto out;
	f = &n->u.file;
	end = off + len < f->size ? off + len : f->size;
	for (at = off; at < end;) {
		uint64_t in = at % RAMFS_PAGE_SIZE;
		uint64_t k = RAMFS_PAGE_SIZE - in;
		char *page = page_find(f, at / RAMFS_PAGE_SIZE);

		if (k > end - at)
			k = end - at;
		if (page)
			memcpy((char *)buf + (at - off), page + in, k);
		else
			memset((char *)buf + (at - off), 0, k);
		at += k;
	}
	r = off < end ? (long)(end - off) : 0;
	n->atime = ramfs_now();
out:
	ramfs_unlock();
	return r;
}

/*
 * Write len bytes from buf to file h at off, extending it: the count.
 * Stops at RAMFS_MAX_FILE_SIZE (-EFBIG when off is there already), and
 * when the capacity or memory runs out: the bytes written so far, or
 * -ENOSPC (-ENOMEM) when none were. -EINVAL when off + len passes
 * INT64_MAX.
 */
long ramfs_write(fs_node_t h, const void *buf, size_t len, uint64_t off)
{
	struct rnode *n;
	struct rfile *f;
	uint64_t done = 0;
	long r = 0, err = 0;

	if (!ramfs_lock())
		return -ESTALE;
	n = file_get(h, &r);
	if (!n)
		goto out;
	if (!range_ok(off, len)) {
		r = -EINVAL;
		goto out;
	}
	if (len == 0)
		goto out;
	if (off >= RAMFS_MAX_FILE_SIZE) {
		r = -EFBIG;
		goto out;
	}
	if (len > RAMFS_MAX_FILE_SIZE - off)
		len = RAMFS_MAX_FILE_SIZE - off;
	f = &n->u.file;
	while (done < len) {
		uint64_t at = off + done, in = at % RAMFS_PAGE_SIZE;
		uint64_t k = RAMFS_PAGE_SIZE - in;
		char *page = page_find(f, at / RAMFS_PAGE_SIZE);

		if (!page)
			page = page_make(f, at / RAMFS_PAGE_SIZE, &err);
		if (!page)
			break;
		if (k > len - done)
			k = len - done;
		memcpy(page + in, (const char *)buf + done, k);
		done += k;
	}
	if (done == 0) {
		r = err;
		goto out;
	}
	if (off + done > f->size)
		f->size = off + done;
	n->mtime = n->ctime = ramfs_now();
	r = (long)done;
out:
	ramfs_unlock();
	return r;
}

/*
 * File h's new size. Shrinking frees the pages past it and zeroes the
 * rest of its last page, so a later extension reads zeros; growing adds
 * a hole and takes no memory. -EFBIG past RAMFS_MAX_FILE_SIZE, -EINVAL
 * past INT64_MAX, -ESTALE, -EISDIR.
 */
long ramfs_truncate(fs_node_t h, uint64_t size)
{
	struct rnode *n;
	struct rfile *f;
	long r = 0;

	if (!ramfs_lock())
		return -ESTALE;
	n = file_get(h, &r);
	if (!n)
		goto out;
	if (size > INT64_MAX) {
		r = -EINVAL;
		goto out;
	}
	if (size > RAMFS_MAX_FILE_SIZE) {
		r = -EFBIG;
		goto out;
	}
	f = &n->u.file;
	if (size < f->size) {
		uint64_t in = size % RAMFS_PAGE_SIZE;

		pages_cut(f, (size + RAMFS_PAGE_SIZE - 1) / RAMFS_PAGE_SIZE);
		if (in) {
			char *page = page_find(f, size / RAMFS_PAGE_SIZE);

			if (page)
				memset(page + in, 0, RAMFS_PAGE_SIZE - in);
		}
	}
	f->size = size;
	n->mtime = n->ctime = ramfs_now();
out:
	ramfs_unlock();
	return r;
}
