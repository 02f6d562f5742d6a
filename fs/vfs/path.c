/*
 * path.c - from a path to a node: one component at a time, across the
 * mount of the devices on /dev.
 *
 * There are no symbolic links, so "." and ".." are all a path can hold
 * besides names: ".." of the root is the root, as in every Unix, so no
 * path leads above it, and ".." of /dev's root is the directory holding
 * its mount point.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <bulkhead/mm.h>
#include "vfs_impl.h"

static struct vnode root;	 /* ramfs's root */
static fs_node_t dev_mountpoint; /* ramfs's /dev, covered by the devfs */
static char *name_buf;		 /* see vfs_name_arg */

struct vnode vfs_root(void)
{
	return root;
}

bool vfs_same(struct vnode a, struct vnode b)
{
	return a.fs == b.fs && a.node == b.node;
}

/* The root and the devices' mount point, once, by vfs_init. */
void vfs_mount_dev(fs_node_t mountpoint)
{
	dev_mountpoint = mountpoint;
}

/*
 * ramfs may sit in a compartment of its own, where it may read only
 * memory the vfs may hand over: names go to it through a shared buffer.
 * The vfs lock makes one buffer enough.
 */
const char *vfs_name_arg(const char *name)
{
	if (!name_buf)
		name_buf = mm_shared_alloc(FS_NAME_MAX);
	if (!name_buf)
		return NULL;
	strncpy(name_buf, name, FS_NAME_MAX - 1);
	name_buf[FS_NAME_MAX - 1] = '\0';
	return name_buf;
}

long vfs_node_attr(struct vnode v, struct fs_attr *attr)
{
	long r = v.fs == VFS_DEVFS ? vfs_dev_attr(v.node, attr)
				   : ramfs_getattr(v.node, attr);

	attr->dev = v.fs;
	return r;
}

bool vfs_node_is_dir(struct vnode v)
{
	struct fs_attr a;

	return vfs_node_attr(v, &a) == 0 && S_ISDIR(a.mode);
}

/* name in dir, crossing the mount point either way. */
long vfs_node_lookup(struct vnode dir, const char *name, struct vnode *out)
{
	long r;

	if (dir.fs == VFS_DEVFS) {
		if (strcmp(name, "..") == 0 && dir.node == DEV_ROOT) {
			const char *n = vfs_name_arg("..");

			r = n ? ramfs_lookup(dev_mountpoint, n) : -ENOMEM;
			if (r > 0)
				*out = (struct vnode){VFS_RAMFS, (fs_node_t)r};
			return r < 0 ? r : 0;
		}
		r = vfs_dev_lookup(dir.node, name);
		if (r > 0)
			*out = (struct vnode){VFS_DEVFS, (fs_node_t)r};
		return r < 0 ? r : 0;
	}
	const char *n = vfs_name_arg(name);

	r = n ? ramfs_lookup(dir.node, n) : -ENOMEM;
	if (r < 0)
		return r;
	if (dev_mountpoint && (fs_node_t)r == dev_mountpoint)
		*out = (struct vnode){VFS_DEVFS, DEV_ROOT};
	else
		*out = (struct vnode){VFS_RAMFS, (fs_node_t)r};
	return 0;
}

/* The next component of *p (skipping slashes) into name; 0 at the end,
 * 1 for a component, -ENAMETOOLONG for one too long. */
static int next_component(const char **p, char name[FS_NAME_MAX])
{
	const char *s = *p;
	size_t n = 0;

	while (*s == '/')
		s++;
	if (!*s) {
		*p = s;
		return 0;
	}
	while (s[n] && s[n] != '/')
		n++;
	if (n >= FS_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(name, s, n);
	name[n] = '\0';
	*p = s + n;
	return 1;
}

static bool ends_in_slash(const char *path)
{
	size_t n = strlen(path);

	return n && path[n - 1] == '/';
}

long vfs_resolve(struct vnode start, const char *path, struct vnode *out)
{
	char name[FS_NAME_MAX];
	struct vnode cur = path[0] == '/' ? root : start;
	int r;

	if (!path[0])
		return -ENOENT;
	while ((r = next_component(&path, name)) > 0) {
		if (!vfs_node_is_dir(cur))
			return -ENOTDIR;
		long e = vfs_node_lookup(cur, name, &cur);

		if (e < 0)
			return e;
	}
	if (r < 0)
		return r;
	*out = cur;
	return 0;
}

/*
 * The directory that holds path's last component, and that component:
 * "." for "/" or a path of slashes, "." or ".." when the path ends in
 * them (callers refuse those as Linux does).
 */
long vfs_resolve_parent(struct vnode start, const char *path, struct vnode *dir,
			char last[FS_NAME_MAX], bool *trailing_slash)
{
	char name[FS_NAME_MAX];
	struct vnode cur = path[0] == '/' ? root : start;
	int r;

	if (!path[0])
		return -ENOENT;
	*trailing_slash = ends_in_slash(path);
	strcpy(last, ".");
	r = next_component(&path, name);
	while (r > 0) {
		char following[FS_NAME_MAX];
		int more = next_component(&path, following);

		if (more < 0)
			return more;
		if (!vfs_node_is_dir(cur))
			return -ENOTDIR;
		if (more == 0) {
			strcpy(last, name);
			break;
		}
		long e = vfs_node_lookup(cur, name, &cur);

		if (e < 0)
			return e;
		strcpy(name, following);
	}
	if (r < 0)
		return r;
	if (!vfs_node_is_dir(cur))
		return -ENOTDIR;
	*dir = cur;
	return 0;
}

void vfs_set_root(struct vnode r)
{
	root = r;
}
