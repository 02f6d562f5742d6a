/*
 * node.c - ramfs's nodes: the table that names them by handles, the
 * mount and its capacity, the lock, holds, attributes and times.
 *
 * A handle is index | generation << 32. A slot's generation moves on
 * when its node is freed, so an old handle finds nothing (-ESTALE) even
 * after the slot holds another node; generations stay below 2^31, so a
 * handle is a positive long, and a slot that has used them all is never
 * used again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>
#include "ramfs_impl.h"

/* One place in the node table. */
struct slot {
	struct rnode *node; /* NULL: free or retired */
	uint32_t gen;	    /* the generation its next or current node gets */
	uint32_t next_free; /* free list link (an index, or NO_SLOT) */
};

#define NO_SLOT UINT32_MAX

static struct {
	int mounting; /* ramfs_mount has begun */
	int mounted;  /* ... and finished: the lock exists */
	sched_mutex_t lock;
	struct slot *slots;
	uint32_t nslots, cap;
	uint32_t free_head; /* most recently freed slot first */
	uint64_t nodes;
	uint64_t used, max;
	uint64_t next_ino;
	uint64_t allocs;
} fs = {.free_head = NO_SLOT};

/* --- allocations ------------------------------------------------------------ */

void *ramfs_alloc(size_t n)
{
	void *p = malloc(n);

	if (p)
		fs.allocs++;
	return p;
}

void *ramfs_zalloc(size_t n)
{
	void *p = calloc(1, n);

	if (p)
		fs.allocs++;
	return p;
}

/* realloc(NULL, n) counts as a new allocation; a failed one changes
 * nothing. */
void *ramfs_realloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (q && !p)
		fs.allocs++;
	return q;
}

void ramfs_free(void *p)
{
	if (p) {
		fs.allocs--;
		free(p);
	}
}

/* --- capacity --------------------------------------------------------------- */

/* Take n bytes of the capacity, or refuse (-ENOSPC) and take nothing. */
int ramfs_charge(uint64_t n)
{
	if (n > fs.max - fs.used)
		return -ENOSPC;
	fs.used += n;
	return 0;
}

void ramfs_uncharge(uint64_t n)
{
	fs.used -= n;
}

/* --- the lock --------------------------------------------------------------- */

int ramfs_lock(void)
{
	if (!fs.mounted)
		return 0;
	sched_mutex_lock(fs.lock);
	return 1;
}

void ramfs_unlock(void)
{
	sched_mutex_unlock(fs.lock);
}

/* --- nodes ------------------------------------------------------------------ */

int64_t ramfs_now(void)
{
	return (int64_t)time_wall_ns();
}

int ramfs_is_dir(const struct rnode *n)
{
	return S_ISDIR(n->mode);
}

fs_node_t ramfs_handle(const struct rnode *n)
{
	return (uint64_t)n->gen << 32 | n->index;
}

/* The live node h names: its index inside the table, the slot holding a
 * node, and its generation the slot's current one (which is never 0 and
 * never above RAMFS_GEN_MAX, so no other generation passes). */
struct rnode *ramfs_node(fs_node_t h)
{
	uint32_t index = (uint32_t)h, gen = (uint32_t)(h >> 32);
	struct slot *s;

	if (index >= fs.nslots)
		return NULL;
	s = &fs.slots[index];
	if (!s->node || s->gen != gen)
		return NULL;
	return s->node;
}

/* A free slot's index (a freed one first, else a new one at the end of
 * the table, which grows by half), or NO_SLOT when out of memory or at
 * RAMFS_MAX_NODES. */
static uint32_t slot_take(void)
{
	uint32_t i = fs.free_head;

	if (i != NO_SLOT) {
		fs.free_head = fs.slots[i].next_free;
		return i;
	}
	if (fs.nslots == RAMFS_MAX_NODES)
		return NO_SLOT;
	if (fs.nslots == fs.cap) {
		uint32_t cap = fs.cap ? fs.cap + fs.cap / 2 : 64;
		struct slot *s;

		if (cap > RAMFS_MAX_NODES)
			cap = RAMFS_MAX_NODES;
		s = ramfs_realloc(fs.slots, (size_t)cap * sizeof(*s));
		if (!s)
			return NO_SLOT;
		fs.slots = s;
		fs.cap = cap;
	}
	fs.slots[fs.nslots].node = NULL;
	fs.slots[fs.nslots].gen = 1;
	return fs.nslots++;
}

/* Give slot i back under its next generation, or retire it when its
 * generations are used up. */
static void slot_put(uint32_t i)
{
	struct slot *s = &fs.slots[i];

	s->node = NULL;
	if (s->gen >= RAMFS_GEN_MAX)
		return;
	s->gen++;
	s->next_free = fs.free_head;
	fs.free_head = i;
}

/* A new node in a free slot, its charge taken, its times now. */
struct rnode *ramfs_node_new(uint32_t mode, long *err)
{
	struct rnode *n;
	uint32_t i;
	int64_t now;

	if (ramfs_charge(RAMFS_NODE_CHARGE) != 0) {
		*err = -ENOSPC;
		return NULL;
	}
	n = ramfs_zalloc(sizeof(*n));
	i = n ? slot_take() : NO_SLOT;
	if (i == NO_SLOT) {
		ramfs_free(n);
		ramfs_uncharge(RAMFS_NODE_CHARGE);
		*err = fs.nslots == RAMFS_MAX_NODES ? -ENOSPC : -ENOMEM;
		return NULL;
	}
	now = ramfs_now();
	n->index = i;
	n->gen = fs.slots[i].gen;
	n->mode = mode;
	n->ino = fs.next_ino++;
	n->atime = n->mtime = n->ctime = now;
	fs.slots[i].node = n;
	fs.nodes++;
	return n;
}

/* Free n once no name leads to it and the vfs holds it no more. */
void ramfs_node_put(struct rnode *n)
{
	if (n->nlink > 0 || n->opens > 0)
		return;
	if (ramfs_is_dir(n))
		ramfs_dir_free(n);
	else
		ramfs_file_free(n);
	slot_put(n->index);
	fs.nodes--;
	ramfs_uncharge(RAMFS_NODE_CHARGE);
	ramfs_free(n);
}

/* --- the mount -------------------------------------------------------------- */

/*
 * The root directory of a file system holding at most max_bytes (0: no
 * limit, as tmpfs's size=0), or -errno as an fs_node_t: -EBUSY when
 * already mounted, -ENOSPC when max_bytes cannot hold the root itself,
 * -ENOMEM.
 */
fs_node_t ramfs_mount(uint64_t max_bytes)
{
	struct rnode *root;
	long err = 0;

	if (fs.mounting)
		return (fs_node_t)-EBUSY;
	fs.mounting = 1; /* a second caller meanwhile gets -EBUSY */
	fs.lock = sched_mutex_new(0);
	if (!fs.lock) {
		fs.mounting = 0;
		return (fs_node_t)-ENOMEM;
	}
	fs.max = max_bytes ? max_bytes : UINT64_MAX;
	fs.used = 0;
	fs.next_ino = 1;
	root = ramfs_node_new(S_IFDIR | 0755, &err);
	if (!root) {
		ramfs_reset();
		return (fs_node_t)err;
	}
	ramfs_dir_init(root, root);
	root->nlink = 2;
	fs.mounted = 1;
	return ramfs_handle(root);
}

/* Free every node, whatever names or holds it, and the table. */
void ramfs_reset(void)
{
	for (uint32_t i = 0; i < fs.nslots; i++) {
		struct rnode *n = fs.slots[i].node;

		if (!n)
			continue;
		if (ramfs_is_dir(n)) {
			/* Entries go with their directory; their nodes are
			 * freed by this loop. */
			for (uint32_t e = 0; e < n->u.dir.count; e++)
				ramfs_free(n->u.dir.ents[e]);
			n->u.dir.count = 0;
			ramfs_dir_free(n);
		} else {
			ramfs_file_free(n);
		}
		ramfs_free(n);
	}
	ramfs_free(fs.slots);
	if (fs.lock)
		sched_mutex_free(fs.lock);
	memset(&fs, 0, sizeof(fs));
	fs.free_head = NO_SLOT;
}

void ramfs_usage(struct ramfs_usage *u)
{
	u->used = fs.used;
	u->max = fs.max;
	u->nodes = fs.nodes;
	u->allocs = fs.allocs;
}

/* For tests: give the slot of the live node h generation gen. */
fs_node_t ramfs_set_generation(fs_node_t h, uint32_t gen)
{
	struct rnode *n = ramfs_node(h);

	if (!n || gen == 0 || gen > RAMFS_GEN_MAX)
		return 0;
	fs.slots[n->index].gen = n->gen = gen;
	return ramfs_handle(n);
}

/* --- holds ------------------------------------------------------------------ */

/* The vfs opens node h: it stays, with its bytes, until the matching
 * ramfs_release, even once its last name is gone. */
long ramfs_hold(fs_node_t h)
{
	struct rnode *n;
	long r = 0;

	if (!ramfs_lock())
		return -ESTALE;
	n = ramfs_node(h);
	if (!n)
		r = -ESTALE;
	else if (n->opens == UINT32_MAX)
		r = -EMFILE;
	else
		n->opens++;
	ramfs_unlock();
	return r;
}

/* The vfs closes node h: the last release of a node without a name
 * frees it. A release without a hold is refused (-EINVAL). */
long ramfs_release(fs_node_t h)
{
	struct rnode *n;
	long r = 0;

	if (!ramfs_lock())
		return -ESTALE;
	n = ramfs_node(h);
	if (!n) {
		r = -ESTALE;
	} else if (n->opens == 0) {
		r = -EINVAL;
	} else {
		n->opens--;
		ramfs_node_put(n);
	}
	ramfs_unlock();
	return r;
}

/* --- attributes ------------------------------------------------------------- */

long ramfs_getattr(fs_node_t h, struct fs_attr *attr)
{
	struct rnode *n;

	if (!ramfs_lock())
		return -ESTALE;
	n = ramfs_node(h);
	if (!n) {
		ramfs_unlock();
		return -ESTALE;
	}
	memset(attr, 0, sizeof(*attr));
	attr->ino = n->ino;
	attr->mode = n->mode;
	attr->nlink = n->nlink;
	if (ramfs_is_dir(n)) {
		attr->size = n->u.dir.count;
	} else {
		attr->size = n->u.file.size;
		attr->blocks = n->u.file.pages * (RAMFS_PAGE_SIZE / 512);
	}
	attr->atime_ns = n->atime;
	attr->mtime_ns = n->mtime;
	attr->ctime_ns = n->ctime;
	ramfs_unlock();
	return 0;
}

/* New permission bits (mode & 07777; the type and other bits given are
 * ignored, as chmod(2) does). */
long ramfs_chmod(fs_node_t h, uint32_t mode)
{
	struct rnode *n;

	if (!ramfs_lock())
		return -ESTALE;
	n = ramfs_node(h);
	if (!n) {
		ramfs_unlock();
		return -ESTALE;
	}
	n->mode = (n->mode & S_IFMT) | (mode & 07777);
	n->ctime = ramfs_now();
	ramfs_unlock();
	return 0;
}

/* Set the access and modification times, each unless FS_TIME_OMIT; the
 * change time becomes now unless both are omitted (utimensat(2)). */
long ramfs_utimes(fs_node_t h, int64_t atime_ns, int64_t mtime_ns)
{
	struct rnode *n;

	if (!ramfs_lock())
		return -ESTALE;
	n = ramfs_node(h);
	if (!n) {
		ramfs_unlock();
		return -ESTALE;
	}
	if (atime_ns != FS_TIME_OMIT || mtime_ns != FS_TIME_OMIT) {
		if (atime_ns != FS_TIME_OMIT)
			n->atime = atime_ns;
		if (mtime_ns != FS_TIME_OMIT)
			n->mtime = mtime_ns;
		n->ctime = ramfs_now();
	}
	ramfs_unlock();
	return 0;
}
