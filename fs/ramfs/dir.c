/*
 * dir.c - ramfs's directories: names, lookups, creation, removal,
 * rename and readdir, with Linux's rules and errors.
 *
 * A directory keeps its entries in a list in creation order and in a hash
 * table for lookups. Each entry has a sequence number, never reused in
 * its directory, which readdir's positions are made of: removing an entry
 * while a reader walks the directory neither skips nor repeats another. A name is 1
 * to FS_NAME_MAX - 1 bytes without '/'; "." and ".." are found by lookup
 * but never stored, created, removed or renamed (-EINVAL). A directory's
 * nlink is 2 + its subdirectories; a removed one (nlink 0) may still be
 * held open, but nothing can be created in it (-ENOENT).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "ramfs_impl.h"

/* FNV-1a. */
static uint32_t name_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* The length of a name to store or remove, or -ENAMETOOLONG (FS_NAME_MAX
 * bytes or more), -EINVAL ("", ".", "..", or a '/' in it). */
static long name_check(const char *name)
{
	size_t len = strnlen(name, FS_NAME_MAX);

	if (len == FS_NAME_MAX)
		return -ENAMETOOLONG;
	if (len == 0 || memchr(name, '/', len))
		return -EINVAL;
	if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
		return -EINVAL;
	return (long)len;
}

void ramfs_dir_init(struct rnode *n, struct rnode *parent)
{
	memset(&n->u.dir, 0, sizeof(n->u.dir));
	n->u.dir.parent = parent;
}

void ramfs_dir_free(struct rnode *n)
{
	ramfs_free(n->u.dir.ents);
	ramfs_free(n->u.dir.buckets);
	ramfs_dir_init(n, NULL);
}

static int dir_live(const struct rnode *d)
{
	return d->nlink > 0;
}

/* The entry of d named name (len bytes), or NULL. */
static struct rdent *dir_find(const struct rnode *d, const char *name,
			      size_t len)
{
	const struct rdir *dir = &d->u.dir;
	uint32_t h = name_hash(name, len);
	struct rdent *e;

	if (!dir->buckets)
		return NULL;
	for (e = dir->buckets[h & (dir->nbuckets - 1)]; e; e = e->hnext)
		if (e->hash == h && e->len == len &&
		    memcmp(e->name, name, len) == 0)
			return e;
	return NULL;
}

/* Room for one more entry in d's list and hash table (which keeps at
 * most one entry a bucket on average): 0 or -ENOMEM, d unchanged. */
static long dir_room(struct rnode *d)
{
	struct rdir *dir = &d->u.dir;

	if (dir->count == UINT32_MAX / 2)
		return -ENOSPC;
	if (dir->count == dir->cap) {
		uint32_t cap = dir->cap ? dir->cap * 2 : 8;
		struct rdent **ents;

		ents = ramfs_realloc(dir->ents, cap * sizeof(*ents));
		if (!ents)
			return -ENOMEM;
		dir->ents = ents;
		dir->cap = cap;
	}
	if (dir->count + 1 > dir->nbuckets) {
		uint32_t nb = dir->nbuckets ? dir->nbuckets * 2 : 16;
		struct rdent **b = ramfs_zalloc(nb * sizeof(*b));

		if (!b)
			return -ENOMEM;
		for (uint32_t i = 0; i < dir->count; i++) {
			struct rdent *e = dir->ents[i];

			e->hnext = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
		ramfs_free(dir->buckets);
		dir->buckets = b;
		dir->nbuckets = nb;
	}
	return 0;
}

/* Add the name (len bytes, checked) for node n to d: 0 or -ENOMEM with
 * nothing changed. The caller has charged RAMFS_DENT_CHARGE(len). */
static long dir_link(struct rnode *d, const char *name, size_t len,
		     struct rnode *n)
{
	struct rdir *dir = &d->u.dir;
	struct rdent *e;
	long r = dir_room(d);

	if (r != 0)
		return r;
	e = ramfs_alloc(sizeof(*e) + len + 1);
	if (!e)
		return -ENOMEM;
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->len = (uint32_t)len;
	e->hash = name_hash(name, len);
	e->node = n;
	e->pos = dir->count;
	e->seq = dir->next_seq++;
	dir->ents[dir->count++] = e;
	e->hnext = dir->buckets[e->hash & (dir->nbuckets - 1)];
	dir->buckets[e->hash & (dir->nbuckets - 1)] = e;
	if (ramfs_is_dir(n))
		d->nlink++;
	return 0;
}

/* Remove entry e from d and free it (the caller gives its charge back;
 * its node's nlink is the caller's too). Later entries move up one place
 * in readdir's order. */
static void dir_unlink(struct rnode *d, struct rdent *e)
{
	struct rdir *dir = &d->u.dir;
	struct rdent **p = &dir->buckets[e->hash & (dir->nbuckets - 1)];

	while (*p != e)
		p = &(*p)->hnext;
	*p = e->hnext;
	for (uint32_t i = e->pos + 1; i < dir->count; i++) {
		dir->ents[i - 1] = dir->ents[i];
		dir->ents[i - 1]->pos = i - 1;
	}
	dir->count--;
	if (ramfs_is_dir(e->node))
		d->nlink--;
	ramfs_free(e);
	if (dir->count == 0) {
		struct rnode *parent = dir->parent;
		uint64_t next_seq = dir->next_seq;

		ramfs_dir_free(d);
		dir->parent = parent;
		dir->next_seq = next_seq;
	}
}

/* The directory h names, or NULL with *err: -ESTALE, -ENOTDIR. */
static struct rnode *dir_get(fs_node_t h, long *err)
{
	struct rnode *n = ramfs_node(h);

	if (!n)
		*err = -ESTALE;
	else if (!ramfs_is_dir(n))
		*err = -ENOTDIR;
	else
		return n;
	return NULL;
}

/* Directory d changed its entries now. */
static void dir_touch(struct rnode *d, int64_t now)
{
	d->mtime = d->ctime = now;
}

/*
 * The node name leads to in dir h: "." is h, ".." its parent (the root's
 * is the root). -ENOENT when there is none or h has been removed,
 * -ENAMETOOLONG, -EINVAL for "" or a name with '/', -ESTALE, -ENOTDIR.
 */
long ramfs_lookup(fs_node_t h, const char *name)
{
	struct rnode *d;
	struct rdent *e;
	size_t len;
	long r = 0;

	if (!ramfs_lock())
		return -ESTALE;
	d = dir_get(h, &r);
	if (!d)
		goto out;
	len = strnlen(name, FS_NAME_MAX);
	if (len == FS_NAME_MAX)
		r = -ENAMETOOLONG;
	else if (len == 0 || memchr(name, '/', len))
		r = -EINVAL;
	else if (len == 1 && name[0] == '.')
		r = (long)ramfs_handle(d);
	else if (!dir_live(d))
		r = -ENOENT;
	else if (len == 2 && name[0] == '.' && name[1] == '.')
		r = (long)ramfs_handle(d->u.dir.parent);
	else if ((e = dir_find(d, name, len)))
		r = (long)ramfs_handle(e->node);
	else
		r = -ENOENT;
out:
	ramfs_unlock();
	return r;
}

/*
 * A new empty regular file or directory in dir h: mode is S_IFREG or
 * S_IFDIR | permission bits (anything else: -EINVAL). Its handle, or
 * -EEXIST, -ENOSPC, -ENOMEM, -ENOENT (h removed), the name's errors.
 */
long ramfs_create(fs_node_t h, const char *name, uint32_t mode)
{
	struct rnode *d, *n;
	long r = 0, len;
	uint32_t type = mode & S_IFMT;

	if (!ramfs_lock())
		return -ESTALE;
	d = dir_get(h, &r);
	if (!d)
		goto out;
	len = r = name_check(name);
	if (r < 0)
		goto out;
	if ((mode & ~(uint32_t)(S_IFMT | 07777)) ||
	    (type != S_IFREG && type != S_IFDIR)) {
		r = -EINVAL;
		goto out;
	}
	if (!dir_live(d)) {
		r = -ENOENT;
		goto out;
	}
	if (dir_find(d, name, len)) {
		r = -EEXIST;
		goto out;
	}
	n = ramfs_node_new(mode, &r);
	if (!n)
		goto out;
	if (type == S_IFDIR)
		ramfs_dir_init(n, d);
	r = ramfs_charge(RAMFS_DENT_CHARGE(len));
	if (r == 0) {
		r = dir_link(d, name, len, n);
		if (r != 0)
			ramfs_uncharge(RAMFS_DENT_CHARGE(len));
	}
	if (r != 0) {
		ramfs_node_put(n); /* nlink 0: freed */
		goto out;
	}
	n->nlink = type == S_IFDIR ? 2 : 1;
	dir_touch(d, n->ctime);
	r = (long)ramfs_handle(n);
out:
	ramfs_unlock();
	return r;
}

/* Remove name from dir h: a file for unlink, an empty directory for
 * rmdir. The node goes when nothing holds it (ramfs_release). */
static long remove_name(fs_node_t h, const char *name, int want_dir)
{
	struct rnode *d, *n;
	struct rdent *e;
	long r = 0, len;
	int64_t now;

	if (!ramfs_lock())
		return -ESTALE;
	d = dir_get(h, &r);
	if (!d)
		goto out;
	len = r = name_check(name);
	if (r < 0)
		goto out;
	r = 0;
	e = dir_live(d) ? dir_find(d, name, len) : NULL;
	if (!e) {
		r = -ENOENT;
		goto out;
	}
	n = e->node;
	if (!want_dir && ramfs_is_dir(n))
		r = -EISDIR;
	else if (want_dir && !ramfs_is_dir(n))
		r = -ENOTDIR;
	else if (want_dir && n->u.dir.count > 0)
		r = -ENOTEMPTY;
	if (r != 0)
		goto out;
	dir_unlink(d, e);
	ramfs_uncharge(RAMFS_DENT_CHARGE(len));
	n->nlink = want_dir ? 0 : n->nlink - 1;
	now = ramfs_now();
	n->ctime = now;
	dir_touch(d, now);
	ramfs_node_put(n);
out:
	ramfs_unlock();
	return r;
}

/* A file's name: -EISDIR for a directory, -ENOENT, the name's errors. */
long ramfs_unlink(fs_node_t h, const char *name)
{
	return remove_name(h, name, 0);
}

/* An empty directory's name: -ENOTDIR for a file, -ENOTEMPTY. */
long ramfs_rmdir(fs_node_t h, const char *name)
{
	return remove_name(h, name, 1);
}

/* Whether directory d is n or lies under it (following ".." up to the
 * root; every directory on the way is live, since it holds one). */
static int under(const struct rnode *d, const struct rnode *n)
{
	for (;;) {
		if (d == n)
			return 1;
		if (d->u.dir.parent == d)
			return 0;
		d = d->u.dir.parent;
	}
}

/*
 * Move oname in odir h to nname in ndir, as rename(2): the same node
 * under both names does nothing; a file replaces a file, a directory an
 * empty directory (-ENOTEMPTY otherwise); a file over a directory
 * -EISDIR, a directory over a file -ENOTDIR; a directory into itself or
 * its own subtree -EINVAL. -ENOENT, -ESTALE, -ENOTDIR, the names' errors,
 * and -ENOSPC/-ENOMEM (nothing changed) when the new name needs room.
 */
long ramfs_rename(fs_node_t oh, const char *oname, fs_node_t nh,
		  const char *nname)
{
	struct rnode *od, *nd, *src, *dst;
	struct rdent *oe, *ne;
	long r = 0, olen, nlen;
	int64_t now;

	if (!ramfs_lock())
		return -ESTALE;
	od = dir_get(oh, &r);
	nd = od ? dir_get(nh, &r) : NULL;
	if (!nd)
		goto out;
	olen = r = name_check(oname);
	if (r >= 0)
		nlen = r = name_check(nname);
	if (r < 0)
		goto out;
	r = 0;
	oe = dir_live(od) ? dir_find(od, oname, olen) : NULL;
	if (!oe || !dir_live(nd)) {
		r = -ENOENT;
		goto out;
	}
	src = oe->node;
	ne = dir_find(nd, nname, nlen);
	if (ne && ne->node == src)
		goto out;
	if (ramfs_is_dir(src) && under(nd, src)) {
		r = -EINVAL;
		goto out;
	}
	dst = ne ? ne->node : NULL;
	if (dst && ramfs_is_dir(src) && !ramfs_is_dir(dst))
		r = -ENOTDIR;
	else if (dst && !ramfs_is_dir(src) && ramfs_is_dir(dst))
		r = -EISDIR;
	else if (dst && ramfs_is_dir(dst) && dst->u.dir.count > 0)
		r = -ENOTEMPTY;
	if (r != 0)
		goto out;
	now = ramfs_now();
	if (ne) {
		/* The new name's entry now leads to src; dst loses it. */
		if (ramfs_is_dir(dst)) {
			dst->nlink = 0;
			nd->nlink--;
		} else {
			dst->nlink--;
		}
		dst->ctime = now;
		ne->node = src;
		if (ramfs_is_dir(src))
			nd->nlink++;
		dir_unlink(od, oe);
		ramfs_uncharge(RAMFS_DENT_CHARGE(olen));
		ramfs_node_put(dst);
	} else {
		/* Only the difference in the names' charges is new. */
		uint64_t oc = RAMFS_DENT_CHARGE(olen);
		uint64_t nc = RAMFS_DENT_CHARGE(nlen);

		if (nc > oc && ramfs_charge(nc - oc) != 0) {
			r = -ENOSPC;
			goto out;
		}
		r = dir_link(nd, nname, nlen, src);
		if (r != 0) {
			if (nc > oc)
				ramfs_uncharge(nc - oc);
			goto out;
		}
		dir_unlink(od, oe);
		if (oc > nc)
			ramfs_uncharge(oc - nc);
	}
	if (ramfs_is_dir(src))
		src->u.dir.parent = nd;
	src->ctime = now;
	dir_touch(od, now);
	dir_touch(nd, now);
out:
	ramfs_unlock();
	return r;
}

/*
 * The first entry of directory h at position pos or after (positions come
 * from 0 and from this function's results): its position + 1, which is
 * where to ask next, and *ent; 0 past the last; -ESTALE, -ENOTDIR.
 */
long ramfs_readdir(fs_node_t h, uint64_t pos, struct fs_dirent *ent)
{
	struct rnode *d;
	struct rdent *e;
	long r = 0;

	if (!ramfs_lock())
		return -ESTALE;
	d = dir_get(h, &r);
	if (!d)
		goto out;
	if (pos == 0)
		d->atime = ramfs_now();
	/* the entries are in seq order: the first one at pos or after */
	uint32_t lo = 0, hi = d->u.dir.count;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (d->u.dir.ents[mid]->seq < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= d->u.dir.count)
		goto out;
	e = d->u.dir.ents[lo];
	memset(ent, 0, sizeof(*ent));
	ent->ino = e->node->ino;
	ent->type = ramfs_is_dir(e->node) ? RAMFS_DT_DIR : RAMFS_DT_REG;
	ent->namelen = e->len;
	memcpy(ent->name, e->name, e->len + 1);
	r = (long)(e->seq + 1);
out:
	ramfs_unlock();
	return r;
}
