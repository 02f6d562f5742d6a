/*
 * ramfs_impl.h - the inside of ramfs: its node table, file pages and
 * directory entries, shared by node.c, file.c and dir.c, and the few
 * internal hooks the host tests use (they are in no API file, so no other
 * compartment can call them).
 *
 * Every public function takes ramfs's one lock (a scheduler mutex) for
 * its whole run, so the internals below assume they run alone. Nothing
 * inside ramfs blocks except malloc's own lock and time_wall_ns(), and
 * the lock keeps another thread out across those too.
 *
 * Errors: a handle that names no live node (never issued, freed, or
 * 0) gets -ESTALE, as NFS reports a file handle whose file is gone.
 */
#ifndef FS_RAMFS_RAMFS_IMPL_H
#define FS_RAMFS_RAMFS_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <bulkhead/fs.h>

/* Bytes of one data page, and of one interior node of a file's page
 * tree (RAMFS_FANOUT pointers). */
#define RAMFS_PAGE_SIZE	       4096u
#define RAMFS_FANOUT	       512u
#define RAMFS_FANOUT_BITS      9

/*
 * The largest file: 16 TiB. Far beyond any memory this system holds,
 * while a page index still fits 32 bits and a page tree four levels.
 * Writing or truncating beyond it fails with -EFBIG.
 */
#define RAMFS_MAX_FILE_SIZE    (1ull << 44)

/* Most nodes at once (the table's slots); past it, -ENOSPC. */
#define RAMFS_MAX_NODES	       (1u << 24)

/* Generations run from 1 to this, so a handle read as a signed 64-bit
 * number is positive; a slot whose generation would pass it is retired. */
#define RAMFS_GEN_MAX	       0x7fffffffu

/*
 * What the capacity given to ramfs_mount counts: each data page and each
 * page-tree node as RAMFS_PAGE_SIZE, each node as RAMFS_NODE_CHARGE (its
 * structure, table slot and allocator overhead) and each directory entry
 * as RAMFS_DENT_CHARGE(length of its name) (the entry, its place in the
 * directory's list and hash table).
 */
#define RAMFS_NODE_CHARGE      256u
#define RAMFS_DENT_CHARGE(len) (96u + (((uint64_t)(len) + 7) & ~7ull))

/* Directory entry types, as Linux numbers them (newlib has no DT_*). */
#define RAMFS_DT_DIR	       4u
#define RAMFS_DT_REG	       8u

struct rnode;

/* A name in a directory. */
struct rdent {
	struct rdent *hnext; /* next in its hash bucket */
	struct rnode *node;  /* what it names (always live) */
	uint32_t hash;
	uint32_t pos; /* index in the directory's list */
	uint32_t len; /* strlen(name) */
	uint64_t seq; /* its place for readdir: never reused in the directory */
	char name[];
};

/* A directory: its entries in creation order (readdir's order) and a
 * hash table over them for lookups. */
struct rdir {
	struct rdent **ents;
	uint32_t count, cap;
	struct rdent **buckets; /* nbuckets, a power of two, or NULL */
	uint32_t nbuckets;
	struct rnode *parent; /* ".." (the root's is itself) */
	uint64_t next_seq;    /* the seq the next entry gets */
};

/* A regular file: a page tree of `height` levels of interior nodes over
 * data pages, or root NULL and height 0 when it holds no page. Kept
 * minimal: no empty interior node, and the root holds something beyond
 * slot 0 unless height is 1. Bytes of a page past `size` are zero. */
struct rfile {
	uint64_t size;
	void **root;
	uint32_t height;
	uint64_t pages; /* data pages held */
};

struct rnode {
	uint32_t index; /* slot in the table */
	uint32_t gen;	/* generation of its handle */
	uint32_t mode;	/* S_IFREG or S_IFDIR | permission bits */
	uint32_t nlink;
	uint32_t opens; /* ramfs_hold()s not yet released */
	uint64_t ino;
	int64_t atime, mtime, ctime;
	union {
		struct rfile file;
		struct rdir dir;
	} u;
};

/* --- node.c -------------------------------------------------------------- */

/* The node `h` names, or NULL (stale, never issued, 0). */
struct rnode *ramfs_node(fs_node_t h);
fs_node_t ramfs_handle(const struct rnode *n);
int ramfs_is_dir(const struct rnode *n);
/* A new node of `mode` (type and permission bits checked by the
 * caller), charged; NULL with *err = -ENOSPC or -ENOMEM. */
struct rnode *ramfs_node_new(uint32_t mode, long *err);
/* Free n if nothing names or holds it any more. */
void ramfs_node_put(struct rnode *n);
int64_t ramfs_now(void);

/* Capacity: take n bytes (0, or -ENOSPC with nothing taken), give back. */
int ramfs_charge(uint64_t n);
void ramfs_uncharge(uint64_t n);

/* Allocations, counted so tests can see that everything comes back. */
void *ramfs_alloc(size_t n);
void *ramfs_zalloc(size_t n);
void *ramfs_realloc(void *p, size_t n);
void ramfs_free(void *p);

/* Take the lock if ramfs is mounted (1), else 0: callers then return
 * -ESTALE, since no handle can be valid. */
int ramfs_lock(void);
void ramfs_unlock(void);

/* --- file.c -------------------------------------------------------------- */

/* Free every page of a file (the node is going away). */
void ramfs_file_free(struct rnode *n);

/* --- dir.c --------------------------------------------------------------- */

void ramfs_dir_init(struct rnode *n, struct rnode *parent);
/* Free a directory's (empty) lists. */
void ramfs_dir_free(struct rnode *n);

/* --- hooks for tests -------------------------------------------------------- */

struct ramfs_usage {
	uint64_t used;	 /* bytes charged */
	uint64_t max;	 /* the capacity */
	uint64_t nodes;	 /* live nodes */
	uint64_t allocs; /* live allocations of ramfs's own */
};
void ramfs_usage(struct ramfs_usage *u);
/* Free everything and forget the mount, as if ramfs had never run. */
void ramfs_reset(void);
/* Set the generation of the slot `h` names, as if it had been reused
 * that often (a live node keeps its place, its handle changes). */
fs_node_t ramfs_set_generation(fs_node_t h, uint32_t gen);

#endif
