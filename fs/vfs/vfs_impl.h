/*
 * vfs_impl.h - what the vfs's files share among themselves: nodes of the
 * mounted file systems, path resolution, the devices and the initrd.
 */
#ifndef BULKHEAD_VFS_IMPL_H
#define BULKHEAD_VFS_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <bulkhead/fs.h>

/* The file systems the vfs mounts; fs_attr.dev carries these numbers. */
enum vfs_fs {
	VFS_RAMFS = 1, /* "/" */
	VFS_DEVFS = 2, /* "/dev" */
};

/* A node of some mounted file system. */
struct vnode {
	enum vfs_fs fs; /* which file system */
	fs_node_t node; /* its node there */
};

/* The devices under /dev: their node numbers in the devfs. */
enum vfs_dev {
	DEV_ROOT = 1, /* the /dev directory itself */
	DEV_NULL,
	DEV_ZERO,
	DEV_RANDOM,
	DEV_URANDOM,
	DEV_CONSOLE,
	DEV_COUNT /* one past the last */
};

/* path.c: nodes and names. Called with the vfs lock held. */
struct vnode vfs_root(void);
long vfs_node_lookup(struct vnode dir, const char *name, struct vnode *out);
long vfs_node_attr(struct vnode v, struct fs_attr *attr);
bool vfs_node_is_dir(struct vnode v);
bool vfs_same(struct vnode a, struct vnode b);
/* Resolve path from start: the node itself, or (parent) the directory
 * holding the last component and that component in last. */
long vfs_resolve(struct vnode start, const char *path, struct vnode *out);
long vfs_resolve_parent(struct vnode start, const char *path, struct vnode *dir,
			char last[FS_NAME_MAX], bool *trailing_slash);
void vfs_set_root(struct vnode root);
void vfs_mount_dev(fs_node_t mountpoint);
/* A scratch copy of a name in memory ramfs may read. */
const char *vfs_name_arg(const char *name);

/* dev.c: the devices. */
long vfs_dev_lookup(fs_node_t dir, const char *name);
long vfs_dev_attr(fs_node_t node, struct fs_attr *attr);
long vfs_dev_readdir(fs_node_t dir, uint64_t index, struct fs_dirent *ent);
long vfs_dev_read(fs_node_t node, void *buf, size_t len);
long vfs_dev_write(fs_node_t node, const void *buf, size_t len);
void vfs_random_init(void);

/* initrd.c: the root file system's first contents. */
void vfs_unpack_initrd(struct vnode root);

#endif
