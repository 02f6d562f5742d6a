/*
 * fs.h - files: the virtual file system (vfs) and the file systems under
 * it (ramfs), two libraries a configuration may isolate from each other
 * and from their callers.
 *
 * Two interfaces meet here:
 *
 *  - vfs_* is what every compartment's libc calls (fs/vfs/vfs.api): paths,
 *    open files and directories. An open file is named by a vfs handle,
 *    owned by the compartment that opened it; another compartment's handle
 *    is refused with -EBADF, and a made-up one finds nothing.
 *
 *  - ramfs_* is what only vfs calls (fs/ramfs/ramfs.api): nodes named by
 *    handles (fs_node_t), looked up one path component at a time. Path
 *    resolution, mounts, offsets, open flags and permissions are the
 *    vfs's; a file system only keeps nodes and their bytes.
 *
 * Every function returns a result >= 0 or -errno (Linux's values, as
 * newlib's errno.h has them), since errno belongs to each compartment's
 * own libc and cannot cross a gate. Buffers and names cross as contracts
 * say: under isolation they must be memory the caller may hand over.
 */
#ifndef BULKHEAD_FS_H
#define BULKHEAD_FS_H

#include <stddef.h>
#include <stdint.h>

/* Longest path and path component, with the terminating NUL. */
#define FS_PATH_MAX 4096
#define FS_NAME_MAX 256

/*
 * A node of a file system: index in the low 32 bits, the slot's
 * generation in the high 32 (a removed node's slot moves on, so a stale
 * handle finds nothing). 0 is never a node.
 */
typedef uint64_t fs_node_t;

/* "Leave this time as it is", for ramfs_utimes. */
#define FS_TIME_OMIT INT64_MIN

/* What a file system says about a node: 64 bytes, laid out the same in
 * every compartment (fixed-width fields, no newlib types). */
struct fs_attr {
	uint64_t ino;	  /* number shown in st_ino, unique per file system */
	uint32_t mode;	  /* S_IFREG, S_IFDIR or S_IFCHR | permission bits */
	uint32_t nlink;	  /* names that lead to it (a directory: 2 + subdirs) */
	uint64_t size;	  /* bytes (a directory: its entries) */
	uint64_t blocks;  /* 512-byte blocks of memory it holds */
	int64_t atime_ns; /* last read, ns since the epoch */
	int64_t mtime_ns; /* last change of its bytes */
	int64_t ctime_ns; /* last change of the node */
	uint32_t rdev;	  /* a device's number (vfs's devices), else 0 */
	uint32_t dev;	  /* which file system: the vfs fills it in */
};
_Static_assert(sizeof(struct fs_attr) == 64,
	       "fs_attr crosses gates as 64 bytes");

/* One entry of a directory: 272 bytes. */
struct fs_dirent {
	uint64_t ino;		/* the entry's node number (fs_attr.ino) */
	uint32_t type;		/* DT_REG, DT_DIR or DT_CHR */
	uint32_t namelen;	/* strlen(name) */
	char name[FS_NAME_MAX]; /* NUL-terminated */
};
_Static_assert(sizeof(struct fs_dirent) == 272,
	       "fs_dirent crosses gates as 272 bytes");

/*
 * ramfs: files and directories in memory. Files are sparse (a hole reads
 * as zeros and holds no memory); a node stays until its last name is gone
 * and the vfs has released its last open reference. All of it counts
 * against the size given to ramfs_mount; past it, writes fail with
 * -ENOSPC.
 */
fs_node_t ramfs_mount(uint64_t max_bytes); /* the root; called once */
/* name in dir ("." and ".." too; the root's ".." is itself). */
long ramfs_lookup(fs_node_t dir, const char *name);
/* A new regular file or directory (mode says which) named name in dir:
 * -EEXIST if the name is taken. */
long ramfs_create(fs_node_t dir, const char *name, uint32_t mode);
long ramfs_unlink(fs_node_t dir, const char *name); /* not a directory */
long ramfs_rmdir(fs_node_t dir, const char *name);  /* only an empty one */
/* rename(2)'s rules: replaces a file, or an empty directory with a
 * directory; -EINVAL for a directory moved under itself. */
long ramfs_rename(fs_node_t odir, const char *oname, fs_node_t ndir,
		  const char *nname);
long ramfs_read(fs_node_t node, void *buf, size_t len, uint64_t off);
long ramfs_write(fs_node_t node, const void *buf, size_t len, uint64_t off);
long ramfs_truncate(fs_node_t node, uint64_t size);
long ramfs_getattr(fs_node_t node, struct fs_attr *attr);
long ramfs_chmod(fs_node_t node, uint32_t mode); /* permission bits */
long ramfs_utimes(fs_node_t node, int64_t atime_ns, int64_t mtime_ns);
/* The first entry of dir (not "." or "..") at position pos or after, into
 * *ent: the position to ask for next (> 0), or 0 past the last. Positions
 * start at 0 and stay put when other entries come and go. */
long ramfs_readdir(fs_node_t dir, uint64_t pos, struct fs_dirent *ent);
/* The vfs opens and closes a node: an unlinked node lives while open. */
long ramfs_hold(fs_node_t node);
long ramfs_release(fs_node_t node);

/*
 * vfs: what each compartment's libc calls. Open files and directories are
 * named by vfs handles (fs_file_t), which belong to the compartment that
 * opened them; `caller` is that compartment's index, filled in by the
 * gate (a direct call passes libc_comp_index, as the macros below do).
 * A dir argument of FS_CWD means the caller's working directory, as
 * AT_FDCWD does; paths are at most FS_PATH_MAX bytes with the NUL.
 * Each compartment has its own working directory; umask is libc's.
 */
typedef uint64_t fs_file_t;
#define FS_CWD		0

/* vfs_statat flag: a NULL-free path is looked up as is (no symlinks
 * exist, so it only documents intent); vfs_unlinkat flag: a directory. */
#define FS_AT_REMOVEDIR 0x200

/* Readiness for vfs_poll, as poll(2)'s bits. */
#define FS_POLLIN	0x001
#define FS_POLLOUT	0x004

void vfs_init(void); /* mount / (ramfs), /dev, /tmp; unpack the initrd */
long vfs_openat(fs_file_t dir, const char *path, int flags, uint32_t mode,
		int caller);
long vfs_close(fs_file_t f, int caller);
long vfs_read(fs_file_t f, void *buf, size_t len, int caller);
long vfs_write(fs_file_t f, const void *buf, size_t len, int caller);
long vfs_pread(fs_file_t f, void *buf, size_t len, uint64_t off, int caller);
long vfs_pwrite(fs_file_t f, const void *buf, size_t len, uint64_t off,
		int caller);
long vfs_lseek(fs_file_t f, int64_t off, int whence, int caller);
long vfs_fstat(fs_file_t f, struct fs_attr *attr, int caller);
long vfs_statat(fs_file_t dir, const char *path, struct fs_attr *attr,
		int caller);
long vfs_ftruncate(fs_file_t f, uint64_t size, int caller);
long vfs_getfl(fs_file_t f, int caller);
long vfs_setfl(fs_file_t f, int flags, int caller);
long vfs_readdir(fs_file_t f, struct fs_dirent *ent, int caller);
long vfs_unlinkat(fs_file_t dir, const char *path, int flags, int caller);
long vfs_mkdirat(fs_file_t dir, const char *path, uint32_t mode, int caller);
long vfs_renameat(fs_file_t odir, const char *opath, fs_file_t ndir,
		  const char *npath, int caller);
long vfs_chdir(fs_file_t dir, const char *path, int caller);
long vfs_getcwd(char *buf, size_t len, int caller);
long vfs_chmodat(fs_file_t dir, const char *path, uint32_t mode, int caller);
long vfs_utimensat(fs_file_t dir, const char *path, int64_t atime_ns,
		   int64_t mtime_ns, int caller);
long vfs_poll(fs_file_t f, int events, int caller);
long vfs_random(void *buf, size_t len);

#endif
