/*
 * vfs.c - the virtual file system: the mounts, each compartment's working
 * directory, and the open files, with their offsets and flags.
 *
 * An open file belongs to the compartment that opened it and is named by
 * a handle: index + 1 in the low 32 bits, the slot's generation above, so
 * a closed file's handle finds nothing and another compartment's is
 * refused (-EBADF), whatever number it sends. Descriptors, dup and
 * close-on-exec are libc's: one vfs file is one POSIX open file
 * description, which libc may share among several descriptors.
 *
 * One lock covers the vfs and ramfs calls it makes: ramfs may run in
 * another compartment and block on its allocator, and the vfs hands it
 * names through one shared buffer. Device reads and writes (the console
 * may wait for a key) run outside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>
#include "vfs_impl.h"

/* ramfs's size unless the command line says ramfs_max=<MiB>. */
#define RAMFS_DEFAULT_MB 256
/* The flags fcntl(F_SETFL) may change, as Linux. */
#define SETFL_MASK	 (O_APPEND | O_NONBLOCK)
#define MAX_COMPARTMENTS 64

struct vfile {
	uint32_t gen;	/* the slot's generation, in the handle */
	int owner;	/* compartment index; -1: a free slot */
	struct vnode v; /* what is open */
	uint64_t off;	/* the offset read, write and lseek move */
	int flags;	/* open's flags, as fcntl(F_GETFL) shows them */
};

static struct vfile *files;
static uint32_t nfiles;
static struct vnode cwd[MAX_COMPARTMENTS]; /* fs 0: not set, the root */
static sched_mutex_t lock;
static bool ready;

static void hold(struct vnode v)
{
	if (v.fs == VFS_RAMFS)
		ramfs_hold(v.node);
}

static void release(struct vnode v)
{
	if (v.fs == VFS_RAMFS)
		ramfs_release(v.node);
}

/* --- start-up ------------------------------------------------------------- */

static uint64_t ramfs_bytes(void)
{
	const char *v = cmdline_get("ramfs_max");
	uint64_t mb = RAMFS_DEFAULT_MB;

	if (v) {
		char *end;
		unsigned long n = strtoul(v, &end, 10);

		if (*end || n == 0 || n > (1ul << 20))
			panic("cmdline: ramfs_max=%s is not a size in MiB "
			      "(1 to 1048576)",
			      v);
		mb = n;
	}
	return mb << 20;
}

/* Mount ramfs on /, make /dev and /tmp, mount the devices on /dev and fill
 * the root from the initrd. The kernel core calls this once at boot. */
void vfs_init(void)
{
	if (ready)
		return;
	lock = sched_mutex_new(0);
	if (!lock)
		panic("vfs: no memory for its lock");
	sched_mutex_lock(lock);
	long r = ramfs_mount(ramfs_bytes());

	if (r <= 0)
		panic("vfs: ramfs_mount gave %ld", r);
	struct vnode root = {VFS_RAMFS, (fs_node_t)r};

	vfs_set_root(root);
	vfs_unpack_initrd(root);
	for (int i = 0; i < 2; i++) {
		const char *name = i ? "tmp" : "dev";
		uint32_t mode = i ? S_IFDIR | 01777 : S_IFDIR | 0755;
		struct vnode d;

		r = ramfs_create(root.node, vfs_name_arg(name), mode);
		if (r == -EEXIST && vfs_node_lookup(root, name, &d) == 0 &&
		    vfs_node_is_dir(d))
			r = (long)d.node;
		if (r <= 0)
			panic("vfs: cannot make /%s (%ld)", name, r);
		if (!i)
			vfs_mount_dev((fs_node_t)r);
		else
			ramfs_chmod((fs_node_t)r, 01777);
	}
	vfs_random_init();
	ready = true;
	sched_mutex_unlock(lock);
}

/* --- open files ----------------------------------------------------------- */

/* The caller's open file h, or NULL. */
static struct vfile *file_of(fs_file_t h, int caller)
{
	uint32_t i = (uint32_t)h - 1;

	if (i >= nfiles || files[i].owner < 0 || files[i].owner != caller ||
	    files[i].gen != (uint32_t)(h >> 32))
		return NULL;
	return &files[i];
}

static struct vfile *file_new(int caller, fs_file_t *h)
{
	uint32_t i;

	for (i = 0; i < nfiles && files[i].owner >= 0; i++)
		;
	if (i == nfiles) {
		uint32_t n = nfiles ? nfiles * 2 : 64;
		struct vfile *f = realloc(files, n * sizeof(*f));

		if (!f)
			return NULL;
		for (uint32_t k = nfiles; k < n; k++)
			f[k] = (struct vfile){.owner = -1};
		files = f;
		nfiles = n;
	}
	files[i].owner = caller;
	*h = (uint64_t)files[i].gen << 32 | (i + 1);
	return &files[i];
}

/* Where a path starting at handle dir begins: the caller's working
 * directory for FS_CWD, else the open directory (or, for an empty path,
 * the open file) dir names. */
static long start_of(fs_file_t dir, int caller, struct vnode *start)
{
	if (caller < 0 || caller >= MAX_COMPARTMENTS)
		return -EINVAL;
	if (dir == FS_CWD) {
		*start = cwd[caller].fs ? cwd[caller] : vfs_root();
		return 0;
	}
	struct vfile *f = file_of(dir, caller);

	if (!f)
		return -EBADF;
	*start = f->v;
	return 0;
}

/* The node path names from dir; an empty path names dir's own node when
 * dir is an open file (Linux's AT_EMPTY_PATH). */
static long lookup_at(fs_file_t dir, const char *path, int caller,
		      struct vnode *out)
{
	struct vnode start;
	long e = start_of(dir, caller, &start);

	if (e < 0)
		return e;
	if (!path[0] && dir != FS_CWD) {
		*out = start;
		return 0;
	}
	if (path[0] != '/' && path[0] && !vfs_node_is_dir(start))
		return -ENOTDIR;
	e = vfs_resolve(start, path, out);
	if (e == 0 && path[0] && path[strlen(path) - 1] == '/' &&
	    !vfs_node_is_dir(*out))
		return -ENOTDIR;
	return e;
}

static long parent_at(fs_file_t dir, const char *path, int caller,
		      struct vnode *parent, char last[FS_NAME_MAX], bool *slash)
{
	struct vnode start;
	long e = start_of(dir, caller, &start);

	if (e < 0)
		return e;
	if (path[0] != '/' && path[0] && !vfs_node_is_dir(start))
		return -ENOTDIR;
	return vfs_resolve_parent(start, path, parent, last, slash);
}

static bool dot_or_dotdot(const char *name)
{
	return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* open(2): the node, made first with O_CREAT, then checked against the
 * flags. Called with the lock held. */
static long open_node(fs_file_t dir, const char *path, int flags, uint32_t mode,
		      int caller, struct vnode *v)
{
	long e;

	if (!(flags & O_CREAT))
		return lookup_at(dir, path, caller, v);
	struct vnode parent;
	char last[FS_NAME_MAX];
	bool slash;

	e = parent_at(dir, path, caller, &parent, last, &slash);
	if (e < 0)
		return e;
	e = vfs_node_lookup(parent, last, v);
	if (e == 0) {
		if (flags & O_EXCL)
			return -EEXIST;
		return vfs_node_is_dir(*v) ? -EISDIR : 0;
	}
	if (e != -ENOENT)
		return e;
	if (slash)
		return -EISDIR;
	if (parent.fs != VFS_RAMFS)
		return -EACCES;
	e = ramfs_create(parent.node, vfs_name_arg(last),
			 S_IFREG | (mode & 07777));
	if (e < 0)
		return e;
	*v = (struct vnode){VFS_RAMFS, (fs_node_t)e};
	return 0;
}

long vfs_openat(fs_file_t dir, const char *path, int flags, uint32_t mode,
		int caller)
{
	struct vnode v;
	struct fs_attr a;
	int acc = flags & O_ACCMODE;
	fs_file_t h = 0;
	long e;

	sched_mutex_lock(lock);
	e = open_node(dir, path, flags, mode, caller, &v);
	if (e == 0)
		e = vfs_node_attr(v, &a);
	if (e == 0 && (flags & O_DIRECTORY) && !S_ISDIR(a.mode))
		e = -ENOTDIR;
	if (e == 0 && S_ISDIR(a.mode) && acc != O_RDONLY)
		e = -EISDIR;
	if (e == 0 && (flags & O_TRUNC) && S_ISREG(a.mode))
		e = ramfs_truncate(v.node, 0);
	if (e == 0) {
		struct vfile *f = file_new(caller, &h);

		if (!f)
			e = -ENOMEM;
		else {
			f->v = v;
			f->off = 0;
			f->flags = flags & ~(O_CREAT | O_EXCL | O_TRUNC |
					     O_NOCTTY | O_CLOEXEC);
			hold(v);
		}
	}
	sched_mutex_unlock(lock);
	return e < 0 ? e : (long)h;
}

long vfs_close(fs_file_t h, int caller)
{
	sched_mutex_lock(lock);
	struct vfile *f = file_of(h, caller);

	if (f) {
		release(f->v);
		f->owner = -1;
		f->gen++;
	}
	sched_mutex_unlock(lock);
	return f ? 0 : -EBADF;
}

/*
 * read and write, at *off (the file's own offset, or pread's). With
 * append, a write goes to the end first, as Linux does even for pwrite.
 */
static long file_io(fs_file_t h, void *buf, size_t len, uint64_t *at,
		    bool write, int caller)
{
	struct fs_attr a;
	long r;

	if ((ssize_t)len < 0)
		return -EINVAL;
	sched_mutex_lock(lock);
	struct vfile *f = file_of(h, caller);
	int acc = f ? f->flags & O_ACCMODE : 0;

	if (!f || (write && acc != O_WRONLY && acc != O_RDWR) ||
	    (!write && acc != O_RDONLY && acc != O_RDWR)) {
		sched_mutex_unlock(lock);
		return -EBADF;
	}
	uint64_t off = at ? *at : f->off;
	struct vnode v = f->v;

	r = vfs_node_attr(v, &a);
	if (r == 0 && S_ISDIR(a.mode))
		r = -EISDIR;
	if (r == 0 && S_ISCHR(a.mode)) {
		sched_mutex_unlock(lock); /* the console may wait */
		return write ? vfs_dev_write(v.node, buf, len)
			     : vfs_dev_read(v.node, buf, len);
	}
	if (r == 0 && write && (f->flags & O_APPEND))
		off = a.size;
	if (r == 0)
		r = write ? ramfs_write(v.node, buf, len, off)
			  : ramfs_read(v.node, buf, len, off);
	if (r > 0 && !at)
		f->off = off + (uint64_t)r;
	sched_mutex_unlock(lock);
	return r;
}

long vfs_read(fs_file_t h, void *buf, size_t len, int caller)
{
	return file_io(h, buf, len, NULL, false, caller);
}

long vfs_write(fs_file_t h, const void *buf, size_t len, int caller)
{
	return file_io(h, (void *)buf, len, NULL, true, caller);
}

long vfs_pread(fs_file_t h, void *buf, size_t len, uint64_t off, int caller)
{
	if ((int64_t)off < 0)
		return -EINVAL;
	return file_io(h, buf, len, &off, false, caller);
}

long vfs_pwrite(fs_file_t h, const void *buf, size_t len, uint64_t off,
		int caller)
{
	if ((int64_t)off < 0)
		return -EINVAL;
	return file_io(h, (void *)buf, len, &off, true, caller);
}

long vfs_lseek(fs_file_t h, int64_t off, int whence, int caller)
{
	struct fs_attr a;
	long r;

	sched_mutex_lock(lock);
	struct vfile *f = file_of(h, caller);

	if (!f) {
		sched_mutex_unlock(lock);
		return -EBADF;
	}
	r = vfs_node_attr(f->v, &a);
	int64_t base = whence == SEEK_SET   ? 0
		       : whence == SEEK_CUR ? (int64_t)f->off
		       : whence == SEEK_END ? (int64_t)a.size
					    : -1;

	if (r == 0 && (base < 0 || (off > 0 && base > INT64_MAX - off)))
		r = whence == SEEK_SET || whence == SEEK_CUR ||
				    whence == SEEK_END
			    ? -EOVERFLOW
			    : -EINVAL;
	if (r == 0 && base + off < 0)
		r = -EINVAL;
	if (r == 0) {
		f->off = (uint64_t)(base + off);
		r = (long)f->off;
	}
	sched_mutex_unlock(lock);
	return r;
}

long vfs_fstat(fs_file_t h, struct fs_attr *attr, int caller)
{
	long r = -EBADF;

	sched_mutex_lock(lock);
	struct vfile *f = file_of(h, caller);

	if (f)
		r = vfs_node_attr(f->v, attr);
	sched_mutex_unlock(lock);
	return r;
}

long vfs_statat(fs_file_t dir, const char *path, struct fs_attr *attr,
		int caller)
{
	struct vnode v;

	sched_mutex_lock(lock);
	long r = lookup_at(dir, path, caller, &v);

	if (r == 0)
		r = vfs_node_attr(v, attr);
	sched_mutex_unlock(lock);
	return r;
}

long vfs_ftruncate(fs_file_t h, uint64_t size, int caller)
{
	struct fs_attr a;
	long r = -EBADF;

	sched_mutex_lock(lock);
	struct vfile *f = file_of(h, caller);

	if (f) {
		r = vfs_node_attr(f->v, &a);
		if (r == 0 && (!S_ISREG(a.mode) ||
			       ((f->flags & O_ACCMODE) != O_WRONLY &&
				(f->flags & O_ACCMODE) != O_RDWR) ||
			       (int64_t)size < 0))
			r = -EINVAL;
		if (r == 0)
			r = ramfs_truncate(f->v.node, size);
	}
	sched_mutex_unlock(lock);
	return r;
}

long vfs_getfl(fs_file_t h, int caller)
{
	sched_mutex_lock(lock);
	struct vfile *f = file_of(h, caller);
	long r = f ? f->flags : -EBADF;

	sched_mutex_unlock(lock);
	return r;
}

long vfs_setfl(fs_file_t h, int flags, int caller)
{
	sched_mutex_lock(lock);
	struct vfile *f = file_of(h, caller);

	if (f)
		f->flags = (f->flags & ~SETFL_MASK) | (flags & SETFL_MASK);
	sched_mutex_unlock(lock);
	return f ? 0 : -EBADF;
}

/* The entry at the directory's offset ("." and ".." first), and the
 * offset moves on: 1, or 0 at the end. */
long vfs_readdir(fs_file_t h, struct fs_dirent *ent, int caller)
{
	long r = -EBADF;

	sched_mutex_lock(lock);
	struct vfile *f = file_of(h, caller);

	if (f && !vfs_node_is_dir(f->v))
		r = -ENOTDIR;
	else if (f && f->off < 2) {
		struct vnode v = f->v;
		struct fs_attr a;

		if (f->off == 1)
			r = vfs_node_lookup(f->v, "..", &v);
		else
			r = 0;
		if (r == 0)
			r = vfs_node_attr(v, &a);
		if (r == 0) {
			*ent = (struct fs_dirent){.ino = a.ino,
						  .type = DT_DIR,
						  .namelen =
							  (uint32_t)f->off + 1};
			strcpy(ent->name, f->off ? ".." : ".");
			f->off++;
			r = 1;
		}
	} else if (f) {
		/* past "." and "..", the offset is 2 + the file system's
		 * position, which stays put while entries come and go */
		r = f->v.fs == VFS_DEVFS
			    ? vfs_dev_readdir(f->v.node, f->off - 2, ent)
			    : ramfs_readdir(f->v.node, f->off - 2, ent);
		if (r > 0) {
			f->off = 2 + (uint64_t)r;
			r = 1;
		}
	}
	sched_mutex_unlock(lock);
	return r;
}

/* --- names ---------------------------------------------------------------- */

long vfs_unlinkat(fs_file_t dir, const char *path, int flags, int caller)
{
	struct vnode parent, v;
	char last[FS_NAME_MAX];
	bool slash, rmdir = flags & FS_AT_REMOVEDIR;
	long r;

	if (flags & ~FS_AT_REMOVEDIR)
		return -EINVAL;
	sched_mutex_lock(lock);
	r = parent_at(dir, path, caller, &parent, last, &slash);
	if (r == 0 && rmdir && strcmp(last, ".") == 0)
		r = -EINVAL;
	else if (r == 0 && rmdir && strcmp(last, "..") == 0)
		r = -ENOTEMPTY;
	else if (r == 0 && dot_or_dotdot(last))
		r = -EISDIR;
	if (r == 0)
		r = vfs_node_lookup(parent, last, &v);
	if (r == 0 && v.fs == VFS_DEVFS)
		r = v.node == DEV_ROOT ? -EBUSY : -EPERM;
	if (r == 0 && !rmdir && vfs_node_is_dir(v))
		r = -EISDIR;
	if (r == 0 && !rmdir && slash)
		r = -ENOTDIR;
	if (r == 0)
		r = rmdir ? ramfs_rmdir(parent.node, vfs_name_arg(last))
			  : ramfs_unlink(parent.node, vfs_name_arg(last));
	sched_mutex_unlock(lock);
	return r;
}

long vfs_mkdirat(fs_file_t dir, const char *path, uint32_t mode, int caller)
{
	struct vnode parent, v;
	char last[FS_NAME_MAX];
	bool slash;
	long r;

	sched_mutex_lock(lock);
	r = parent_at(dir, path, caller, &parent, last, &slash);
	if (r == 0 &&
	    (dot_or_dotdot(last) || vfs_node_lookup(parent, last, &v) == 0))
		r = -EEXIST;
	if (r == 0 && parent.fs != VFS_RAMFS)
		r = -EACCES;
	if (r == 0)
		r = ramfs_create(parent.node, vfs_name_arg(last),
				 S_IFDIR | (mode & 07777));
	sched_mutex_unlock(lock);
	return r < 0 ? r : 0;
}

long vfs_renameat(fs_file_t odir, const char *opath, fs_file_t ndir,
		  const char *npath, int caller)
{
	struct vnode op, np, v;
	char olast[FS_NAME_MAX], nlast[FS_NAME_MAX];
	bool oslash, nslash;
	long r;

	sched_mutex_lock(lock);
	r = parent_at(odir, opath, caller, &op, olast, &oslash);
	if (r == 0)
		r = parent_at(ndir, npath, caller, &np, nlast, &nslash);
	if (r == 0 && (dot_or_dotdot(olast) || dot_or_dotdot(nlast)))
		r = -EBUSY;
	if (r == 0)
		r = vfs_node_lookup(op, olast, &v);
	if (r == 0 &&
	    (op.fs != VFS_RAMFS || np.fs != VFS_RAMFS || v.fs != VFS_RAMFS))
		r = op.fs == np.fs ? -EBUSY : -EXDEV;
	if (r == 0 && (oslash || nslash) && !vfs_node_is_dir(v))
		r = -ENOTDIR;
	if (r == 0) {
		/* two names: copy the first out of the shared buffer */
		char *o = mm_shared_alloc(FS_NAME_MAX);

		if (!o)
			r = -ENOMEM;
		else {
			strcpy(o, olast);
			r = ramfs_rename(op.node, o, np.node,
					 vfs_name_arg(nlast));
			mm_shared_free(o);
		}
	}
	sched_mutex_unlock(lock);
	return r;
}

long vfs_chdir(fs_file_t dir, const char *path, int caller)
{
	struct vnode v;

	sched_mutex_lock(lock);
	long r = lookup_at(dir, path, caller, &v);

	if (r == 0 && !vfs_node_is_dir(v))
		r = -ENOTDIR;
	if (r == 0) {
		if (cwd[caller].fs)
			release(cwd[caller]);
		hold(v);
		cwd[caller] = v;
	}
	sched_mutex_unlock(lock);
	return r;
}

/* The name under which dir holds v, into name; -ENOENT if none. */
static long name_in(struct vnode dir, struct vnode v, char *name)
{
	struct fs_dirent *ent = mm_shared_alloc(sizeof(*ent));
	struct fs_attr a;
	long r = vfs_node_attr(v, &a);

	if (!ent)
		return -ENOMEM;
	for (uint64_t pos = 0; r == 0;) {
		r = dir.fs == VFS_DEVFS ? vfs_dev_readdir(dir.node, pos, ent)
					: ramfs_readdir(dir.node, pos, ent);
		if (r == 0)
			r = -ENOENT;
		else if (r > 0 && ent->ino == a.ino) {
			strcpy(name, ent->name);
			r = 0;
			break;
		} else if (r > 0) {
			pos = (uint64_t)r;
			r = 0;
		}
	}
	mm_shared_free(ent);
	return r;
}

/* getcwd(3): walk up by "..", finding each name in its parent. */
long vfs_getcwd(char *buf, size_t len, int caller)
{
	char path[FS_PATH_MAX], name[FS_NAME_MAX];
	size_t at = sizeof(path) - 1;
	long r = 0;

	if (caller < 0 || caller >= MAX_COMPARTMENTS)
		return -EINVAL;
	sched_mutex_lock(lock);
	struct vnode v = cwd[caller].fs ? cwd[caller] : vfs_root();

	path[at] = '\0';
	while (r == 0 && !vfs_same(v, vfs_root())) {
		struct vnode up;

		r = vfs_node_lookup(v, "..", &up);
		/* the devices' root is named by its mount point, /dev */
		if (r == 0 && v.fs == VFS_DEVFS)
			strcpy(name, "dev");
		else if (r == 0)
			r = name_in(up, v, name);
		if (r == 0) {
			size_t n = strlen(name);

			if (n + 1 > at)
				r = -ENAMETOOLONG;
			else {
				at -= n;
				memcpy(path + at, name, n);
				path[--at] = '/';
			}
		}
		v = up;
	}
	if (r == 0 && at == sizeof(path) - 1)
		path[--at] = '/';
	size_t n = sizeof(path) - 1 - at;

	if (r == 0 && n + 1 > len)
		r = -ERANGE;
	if (r == 0) {
		memcpy(buf, path + at, n + 1);
		r = (long)n + 1;
	}
	sched_mutex_unlock(lock);
	return r;
}

long vfs_chmodat(fs_file_t dir, const char *path, uint32_t mode, int caller)
{
	struct vnode v;

	sched_mutex_lock(lock);
	long r = lookup_at(dir, path, caller, &v);

	if (r == 0)
		r = v.fs == VFS_RAMFS ? ramfs_chmod(v.node, mode & 07777)
				      : -EPERM;
	sched_mutex_unlock(lock);
	return r;
}

long vfs_utimensat(fs_file_t dir, const char *path, int64_t atime_ns,
		   int64_t mtime_ns, int caller)
{
	struct vnode v;

	sched_mutex_lock(lock);
	long r = lookup_at(dir, path, caller, &v);

	if (r == 0)
		r = v.fs == VFS_RAMFS ? ramfs_utimes(v.node, atime_ns, mtime_ns)
				      : 0;
	sched_mutex_unlock(lock);
	return r;
}

/* Files and devices never make a reader or writer wait, but for the
 * console's input. */
long vfs_poll(fs_file_t h, int events, int caller)
{
	sched_mutex_lock(lock);
	struct vfile *f = file_of(h, caller);
	long r = f ? events & (FS_POLLIN | FS_POLLOUT) : -EBADF;

	sched_mutex_unlock(lock);
	return r;
}
