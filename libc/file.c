/*
 * file.c - the POSIX file calls, on the vfs (fs/vfs/), and read and write
 * for every kind of descriptor.
 *
 * The vfs may sit in another compartment or VM, where it may read and
 * write only memory this one hands over: when the image isolates
 * anything, paths, buffers and results go through bounce buffers in
 * shared memory (copied in before the call, out after); with fcall the
 * calls go straight through. The vfs answers a result or -errno, which
 * becomes errno here. Its functions are weak: an image without the vfs
 * links, and its file calls fail with ENOSYS.
 *
 * umask is applied here, since it is the process's, and so are the
 * limits the vfs cannot see: ENAMETOOLONG for a path of PATH_MAX bytes
 * or more is told before the path crosses.
 */
#define _GNU_SOURCE /* AT_EMPTY_PATH */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>
#include <bulkhead/fs.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>
#include "fd.h"
#include "sig.h"

#define W __attribute__((weak))
extern long vfs_openat(fs_file_t, const char *, int, uint32_t, int) W;
extern long vfs_read(fs_file_t, void *, size_t, int) W;
extern long vfs_write(fs_file_t, const void *, size_t, int) W;
extern long vfs_pread(fs_file_t, void *, size_t, uint64_t, int) W;
extern long vfs_pwrite(fs_file_t, const void *, size_t, uint64_t, int) W;
extern long vfs_lseek(fs_file_t, int64_t, int, int) W;
extern long vfs_fstat(fs_file_t, struct fs_attr *, int) W;
extern long vfs_statat(fs_file_t, const char *, struct fs_attr *, int) W;
extern long vfs_ftruncate(fs_file_t, uint64_t, int) W;
extern long vfs_getfl(fs_file_t, int) W;
extern long vfs_setfl(fs_file_t, int, int) W;
extern long vfs_unlinkat(fs_file_t, const char *, int, int) W;
extern long vfs_mkdirat(fs_file_t, const char *, uint32_t, int) W;
extern long vfs_renameat(fs_file_t, const char *, fs_file_t, const char *,
			 int) W;
extern long vfs_chdir(fs_file_t, const char *, int) W;
extern long vfs_getcwd(char *, size_t, int) W;
extern long vfs_chmodat(fs_file_t, const char *, uint32_t, int) W;
extern long vfs_utimensat(fs_file_t, const char *, int64_t, int64_t, int) W;

/* libc/socket.c and libc/pipe.c */
ssize_t recv(int s, void *buf, size_t len, int flags);
ssize_t send(int s, const void *buf, size_t len, int flags);
long pipe_read(struct ofd *o, void *buf, size_t len);
long pipe_write(struct ofd *o, const void *buf, size_t len);
int socket_getfl(int s);
int socket_setfl(int s, int flags);

static mode_t mask = 022;

static int no_vfs(void)
{
	errno = ENOSYS;
	return -1;
}

/* --- paths --------------------------------------------------------------- */

/* A path the vfs may read: path itself, or a copy in a bounce buffer.
 * NULL with errno for a path too long (or no memory). */
static const char *path_in(const char *path, char **bounce)
{
	size_t n = strnlen(path, PATH_MAX);

	*bounce = NULL;
	if (n >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (!libc_isolated())
		return path;
	if (!(*bounce = bounce_take()))
		return NULL;
	memcpy(*bounce, path, n + 1);
	return *bounce;
}

static void path_done(char *bounce)
{
	if (bounce)
		bounce_give(bounce);
}

/* The vfs handle a *at() call's dirfd stands for. */
static int dir_handle(int dirfd, fs_file_t *h)
{
	if (dirfd == AT_FDCWD) {
		*h = FS_CWD;
		return 0;
	}
	struct ofd *o = fd_get(dirfd);

	if (!o)
		return -1;
	if (o->kind != FD_FILE) {
		errno = ENOTDIR;
		return -1;
	}
	*h = o->h;
	return 0;
}

/* call(dir, path, ctx) for a *at() function: dirfd's handle, the path
 * where the vfs may read it, -1 and errno for the result's error. */
static long at_call(int dirfd, const char *path,
		    long (*call)(fs_file_t, const char *, void *), void *ctx)
{
	fs_file_t dir;
	char *b;

	if (!vfs_openat)
		return no_vfs();
	if (dir_handle(dirfd, &dir) < 0)
		return -1;
	const char *p = path_in(path, &b);

	if (!p)
		return -1;
	long r = call(dir, p, ctx);

	path_done(b);
	return libc_sys(r);
}

struct open_args {
	int flags;
	mode_t mode;
};

static long open_call(fs_file_t dir, const char *path, void *ctx)
{
	struct open_args *a = ctx;

	return vfs_openat(dir, path, a->flags, a->mode, libc_comp_index);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	struct open_args a = {flags, 0};

	if (flags & O_CREAT) {
		va_list ap;

		va_start(ap, flags);
		a.mode = (mode_t)va_arg(ap, int) & ~mask;
		va_end(ap);
	}
	long h = at_call(dirfd, path, open_call, &a);

	return h < 0 ? -1 : fd_new(FD_FILE, (uint64_t)h, flags & O_CLOEXEC);
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & O_CREAT) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return openat(AT_FDCWD, path, flags, mode);
}

int creat(const char *path, mode_t mode)
{
	return open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

/* --- reading and writing ------------------------------------------------- */

/*
 * len bytes through the vfs at off (-1: the file's own offset), in
 * bounce-buffer pieces when isolated. A short count from the vfs ends
 * the transfer; an error after some bytes is left for the next call.
 */
static long file_io(fs_file_t h, void *buf, size_t len, int64_t off, int write)
{
	if (!libc_isolated() || len == 0) {
		if (off < 0)
			return write ? vfs_write(h, buf, len, libc_comp_index)
				     : vfs_read(h, buf, len, libc_comp_index);
		return write ? vfs_pwrite(h, buf, len, (uint64_t)off,
					  libc_comp_index)
			     : vfs_pread(h, buf, len, (uint64_t)off,
					 libc_comp_index);
	}
	char *b = bounce_take();
	long done = 0;

	if (!b)
		return -ENOMEM;
	while ((size_t)done < len) {
		size_t n = len - (size_t)done < BOUNCE_SIZE ? len - (size_t)done
							    : BOUNCE_SIZE;
		long r;

		if (write)
			memcpy(b, (const char *)buf + done, n);
		if (off < 0)
			r = write ? vfs_write(h, b, n, libc_comp_index)
				  : vfs_read(h, b, n, libc_comp_index);
		else
			r = write ? vfs_pwrite(h, b, n, (uint64_t)off + done,
					       libc_comp_index)
				  : vfs_pread(h, b, n, (uint64_t)off + done,
					      libc_comp_index);
		if (r > (long)n)
			r = (long)n; /* never believe more than was asked */
		if (r < 0) {
			done = done ? done : r;
			break;
		}
		if (!write)
			memcpy((char *)buf + done, b, (size_t)r);
		done += r;
		if ((size_t)r < n)
			break;
	}
	bounce_give(b);
	return done;
}

#define CONSOLE_BOUNCE 256
#define CTRL_D	       0x04
#define DEL	       0x7f

/* Output to the console, through a buffer in shared memory (the console
 * belongs to the kernel core, which may not read this compartment's
 * memory). Threads do not switch inside console_write, so one buffer per
 * compartment is enough. */
static long console_out(const char *p, size_t len)
{
	static char *bounce;

	if (!bounce && !(bounce = mm_shared_alloc(CONSOLE_BOUNCE)))
		return -ENOMEM;
	for (size_t done = 0; done < len;) {
		size_t k = len - done < CONSOLE_BOUNCE ? len - done
						       : CONSOLE_BOUNCE;

		memcpy(bounce, p + done, k);
		console_write(bounce, k);
		done += k;
	}
	return (long)len;
}

/*
 * Console input (the serial port: what is typed into `make run`), a line
 * at a time as a terminal gives it. QEMU puts the host's terminal in raw
 * mode, so this is the line discipline: each byte is echoed, backspace
 * and DEL erase the last byte not yet returned, CR becomes LF, and ^D
 * ends the read (at its start: the end of input, 0). A read returns at a
 * newline or with buf full, sleeping while no byte waits.
 */
static long console_in(char *p, size_t len)
{
	size_t n = 0;

	while (n < len) {
		int c = console_read_char();

		if (c < 0) {
			sched_sleep_ns(1000000);
			sig_alarm_check(); /* a handler runs; the read goes on */
			continue;
		}
		if (c == CTRL_D)
			break;
		if (c == '\b' || c == DEL) {
			if (n) {
				n--;
				console_out("\b \b", 3);
			}
			continue;
		}
		p[n++] = (char)(c == '\r' ? '\n' : c);
		console_out(&p[n - 1], 1);
		if (p[n - 1] == '\n')
			break;
	}
	return (long)n;
}

static long console_io(void *buf, size_t len, int write)
{
	return write ? console_out(buf, len) : console_in(buf, len);
}

static ssize_t io(int fd, void *buf, size_t len, int64_t off, int write)
{
	struct ofd *o = fd_get(fd);

	if (!o)
		return -1;
	if (off >= 0 && o->kind != FD_FILE) {
		errno = ESPIPE;
		return -1;
	}
	switch (o->kind) {
	case FD_CONSOLE:
		return libc_sys(console_io(buf, len, write));
	case FD_FILE:
		return libc_sys(file_io(o->h, buf, len, off, write));
	case FD_SOCKET:
		return write ? send(fd, buf, len, 0) : recv(fd, buf, len, 0);
	case FD_PIPE:
		if (!write)
			return libc_sys(pipe_read(o, buf, len));
		long r = pipe_write(o, buf, len);

		/* Linux's SIGPIPE first; the caller sees EPIPE after it. */
		if (r == -EPIPE)
			sig_send(SIGPIPE);
		return libc_sys(r);
	}
	errno = EBADF;
	return -1;
}

long file_pread_ofd(struct ofd *o, void *buf, size_t len, uint64_t off)
{
	if (!vfs_pread)
		return -ENOSYS;
	return file_io(o->h, buf, len, (int64_t)off, 0);
}

long file_pwrite_ofd(struct ofd *o, const void *buf, size_t len, uint64_t off)
{
	if (!vfs_pwrite)
		return -ENOSYS;
	return file_io(o->h, (void *)buf, len, (int64_t)off, 1);
}

_READ_WRITE_RETURN_TYPE read(int fd, void *buf, size_t len)
{
	return io(fd, buf, len, -1, 0);
}

_READ_WRITE_RETURN_TYPE write(int fd, const void *buf, size_t len)
{
	return io(fd, (void *)buf, len, -1, 1);
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	if (off < 0) {
		errno = EINVAL;
		return -1;
	}
	return io(fd, buf, len, off, 0);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	if (off < 0) {
		errno = EINVAL;
		return -1;
	}
	return io(fd, (void *)buf, len, off, 1);
}

/* readv and writev: one piece at a time, stopping at a short count. */
static ssize_t iov_io(int fd, const struct iovec *iov, int n, int write)
{
	ssize_t done = 0;

	if (n < 0 || n > IOV_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < n; i++) {
		ssize_t r = io(fd, iov[i].iov_base, iov[i].iov_len, -1, write);

		if (r < 0)
			return done ? done : -1;
		done += r;
		if ((size_t)r < iov[i].iov_len)
			break;
	}
	return done;
}

ssize_t readv(int fd, const struct iovec *iov, int n)
{
	return iov_io(fd, iov, n, 0);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	return iov_io(fd, iov, n, 1);
}

off_t lseek(int fd, off_t off, int whence)
{
	struct ofd *o = fd_get(fd);

	if (!o)
		return -1;
	if (o->kind != FD_FILE) {
		errno = ESPIPE;
		return -1;
	}
	return (off_t)libc_sys(vfs_lseek(o->h, off, whence, libc_comp_index));
}

/* --- attributes ---------------------------------------------------------- */

static void to_stat(const struct fs_attr *a, struct stat *st)
{
	*st = (struct stat){
		.st_dev = a->dev,
		.st_ino = a->ino,
		.st_mode = a->mode,
		.st_nlink = a->nlink,
		.st_rdev = a->rdev,
		.st_size = (off_t)a->size,
		.st_blksize = 4096,
		.st_blocks = (blkcnt_t)a->blocks,
	};
	st->st_atim.tv_sec = a->atime_ns / 1000000000;
	st->st_atim.tv_nsec = a->atime_ns % 1000000000;
	st->st_mtim.tv_sec = a->mtime_ns / 1000000000;
	st->st_mtim.tv_nsec = a->mtime_ns % 1000000000;
	st->st_ctim.tv_sec = a->ctime_ns / 1000000000;
	st->st_ctim.tv_nsec = a->ctime_ns % 1000000000;
}

/* An fs_attr the vfs may write, and its copy into st. */
static long attr_call(fs_file_t h, const char *path, struct stat *st)
{
	struct fs_attr mine, *a = &mine;
	char *b = NULL;
	long r;

	if (libc_isolated()) {
		if (!(b = bounce_take()))
			return -ENOMEM;
		a = (struct fs_attr *)(b + BOUNCE_SIZE - sizeof(*a));
	}
	r = path ? vfs_statat(h, path, a, libc_comp_index)
		 : vfs_fstat(h, a, libc_comp_index);
	if (r == 0)
		to_stat(a, st);
	if (b)
		bounce_give(b);
	return r;
}

long file_stat_ofd(struct ofd *o, struct stat *st)
{
	return attr_call(o->h, NULL, st);
}

int fstat(int fd, struct stat *st)
{
	struct ofd *o = fd_get(fd);

	if (!o)
		return -1;
	switch (o->kind) {
	case FD_FILE:
		return (int)libc_sys(attr_call(o->h, NULL, st));
	case FD_CONSOLE:
		*st = (struct stat){.st_mode = S_IFCHR | 0600,
				    .st_rdev = 5 << 8 | 1,
				    .st_blksize = 1024};
		return 0;
	case FD_SOCKET:
		*st = (struct stat){.st_mode = S_IFSOCK | 0777,
				    .st_blksize = 4096};
		return 0;
	case FD_PIPE:
		*st = (struct stat){.st_mode = o->h ? S_IFSOCK | 0777
						    : S_IFIFO | 0600,
				    .st_blksize = 4096};
		return 0;
	}
	errno = EBADF;
	return -1;
}

static long stat_call(fs_file_t dir, const char *path, void *st)
{
	return attr_call(dir, path, st);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) {
		errno = EINVAL;
		return -1;
	}
	if (!path[0] && (flags & AT_EMPTY_PATH)) {
		if (dirfd == AT_FDCWD)
			return stat(".", st);
		return fstat(dirfd, st);
	}
	if (!path[0]) {
		errno = ENOENT;
		return -1;
	}
	return (int)at_call(dirfd, path, stat_call, st);
}

int stat(const char *path, struct stat *st)
{
	return fstatat(AT_FDCWD, path, st, 0);
}

/* There are no symbolic links: lstat is stat. */
int lstat(const char *path, struct stat *st)
{
	return fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
	struct stat st;

	if ((mode & ~(R_OK | W_OK | X_OK)) ||
	    (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW))) {
		errno = EINVAL;
		return -1;
	}
	if (fstatat(dirfd, path, &st, 0) < 0)
		return -1;
	/* The one user is root: only execution needs a permission bit. */
	if ((mode & X_OK) && !S_ISDIR(st.st_mode) &&
	    !(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
		errno = EACCES;
		return -1;
	}
	return 0;
}

int access(const char *path, int mode)
{
	return faccessat(AT_FDCWD, path, mode, 0);
}

int isatty(int fd)
{
	struct ofd *o = fd_get(fd);

	if (o && o->kind == FD_CONSOLE)
		return 1;
	if (o)
		errno = ENOTTY;
	return 0;
}

int ftruncate(int fd, off_t size)
{
	struct ofd *o = fd_get(fd);

	if (!o)
		return -1;
	if (o->kind != FD_FILE || size < 0) {
		errno = EINVAL;
		return -1;
	}
	return (int)libc_sys(
		vfs_ftruncate(o->h, (uint64_t)size, libc_comp_index));
}

int truncate(const char *path, off_t size)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return -1;
	int r = ftruncate(fd, size);
	int e = errno;

	close(fd);
	errno = e;
	return r;
}

/* Memory is all there is: nothing to flush. */
int fsync(int fd)
{
	struct ofd *o = fd_get(fd);

	if (o && o->kind != FD_FILE) {
		errno = EINVAL;
		return -1;
	}
	return o ? 0 : -1;
}

int fdatasync(int fd)
{
	return fsync(fd);
}

void sync(void)
{
}

mode_t umask(mode_t m)
{
	mode_t old = mask;

	mask = m & 0777;
	return old;
}

static long chmod_call(fs_file_t dir, const char *path, void *mode)
{
	return vfs_chmodat(dir, path, *(mode_t *)mode, libc_comp_index);
}

int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	if (flags & ~AT_SYMLINK_NOFOLLOW) {
		errno = EINVAL;
		return -1;
	}
	return (int)at_call(dirfd, path, chmod_call, &mode);
}

int chmod(const char *path, mode_t mode)
{
	return fchmodat(AT_FDCWD, path, mode, 0);
}

int fchmod(int fd, mode_t mode)
{
	struct ofd *o = fd_get(fd);

	if (!o)
		return -1;
	if (o->kind != FD_FILE)
		return 0; /* pipes and sockets: Linux changes a mode nobody
			   * looks at */
	return (int)at_call(fd, "", chmod_call, &mode);
}

/* Times as the vfs takes them: ns, FS_TIME_OMIT, or now. */
static int64_t time_ns(const struct timespec *ts, int64_t now)
{
	if (!ts || ts->tv_nsec == UTIME_NOW)
		return now;
	if (ts->tv_nsec == UTIME_OMIT)
		return FS_TIME_OMIT;
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

struct times {
	int64_t a, m;
};

static long times_call(fs_file_t dir, const char *path, void *ctx)
{
	struct times *t = ctx;

	return vfs_utimensat(dir, path, t->a, t->m, libc_comp_index);
}

int utimensat(int dirfd, const char *path, const struct timespec *ts, int flags)
{
	int64_t now = (int64_t)time_wall_ns();

	for (int i = 0; ts && i < 2; i++)
		if ((ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000) &&
		    ts[i].tv_nsec != UTIME_NOW && ts[i].tv_nsec != UTIME_OMIT) {
			errno = EINVAL;
			return -1;
		}
	if (flags & ~AT_SYMLINK_NOFOLLOW) {
		errno = EINVAL;
		return -1;
	}
	struct times t = {time_ns(ts, now), time_ns(ts ? ts + 1 : NULL, now)};

	return (int)at_call(dirfd, path ? path : "", times_call, &t);
}

int futimens(int fd, const struct timespec *ts)
{
	return utimensat(fd, NULL, ts, 0);
}

int utimes(const char *path, const struct timeval *tv)
{
	struct timespec ts[2];

	if (!tv)
		return utimensat(AT_FDCWD, path, NULL, 0);
	for (int i = 0; i < 2; i++) {
		ts[i].tv_sec = tv[i].tv_sec;
		ts[i].tv_nsec = tv[i].tv_usec * 1000;
	}
	return utimensat(AT_FDCWD, path, ts, 0);
}

/* --- names --------------------------------------------------------------- */

static long unlink_call(fs_file_t dir, const char *path, void *flags)
{
	return vfs_unlinkat(dir, path,
			    *(int *)flags & AT_REMOVEDIR ? FS_AT_REMOVEDIR : 0,
			    libc_comp_index);
}

int unlinkat(int dirfd, const char *path, int flags)
{
	if (flags & ~AT_REMOVEDIR) {
		errno = EINVAL;
		return -1;
	}
	return (int)at_call(dirfd, path, unlink_call, &flags);
}

int unlink(const char *path)
{
	return unlinkat(AT_FDCWD, path, 0);
}

int rmdir(const char *path)
{
	return unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
}

static long mkdir_call(fs_file_t dir, const char *path, void *mode)
{
	return vfs_mkdirat(dir, path, *(mode_t *)mode & ~mask & 07777,
			   libc_comp_index);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	return (int)at_call(dirfd, path, mkdir_call, &mode);
}

int mkdir(const char *path, mode_t mode)
{
	return mkdirat(AT_FDCWD, path, mode);
}

struct rename_args {
	fs_file_t ndir;
	const char *npath;
};

static long rename_call(fs_file_t odir, const char *opath, void *ctx)
{
	struct rename_args *a = ctx;

	return vfs_renameat(odir, opath, a->ndir, a->npath, libc_comp_index);
}

int renameat(int odirfd, const char *opath, int ndirfd, const char *npath)
{
	struct rename_args a;
	char *b;

	if (dir_handle(ndirfd, &a.ndir) < 0)
		return -1;
	if (!(a.npath = path_in(npath, &b)))
		return -1;
	int r = (int)at_call(odirfd, opath, rename_call, &a);

	path_done(b);
	return r;
}

int rename(const char *opath, const char *npath)
{
	return renameat(AT_FDCWD, opath, AT_FDCWD, npath);
}

/* Hard and symbolic links: ramfs keeps one name per node. */
int link(const char *old, const char *new)
{
	(void)old;
	(void)new;
	errno = EPERM;
	return -1;
}

static long chdir_call(fs_file_t dir, const char *path, void *unused)
{
	(void)unused;
	return vfs_chdir(dir, path, libc_comp_index);
}

int chdir(const char *path)
{
	return (int)at_call(AT_FDCWD, path, chdir_call, NULL);
}

int fchdir(int fd)
{
	return (int)at_call(fd, "", chdir_call, NULL);
}

char *getcwd(char *buf, size_t size)
{
	char *b = NULL, *out = buf;
	long r;

	if (!vfs_getcwd) {
		no_vfs();
		return NULL;
	}
	if (buf && size == 0) {
		errno = EINVAL;
		return NULL;
	}
	if (!buf) {
		size = size ? size : PATH_MAX;
		if (!(out = malloc(size))) {
			errno = ENOMEM;
			return NULL;
		}
	}
	if (libc_isolated() && !(b = bounce_take())) {
		if (!buf)
			free(out);
		return NULL;
	}
	size_t room = size < BOUNCE_SIZE ? size : BOUNCE_SIZE;

	r = vfs_getcwd(b ? b : out, b ? room : size, libc_comp_index);
	if (r > 0 && b)
		memcpy(out, b, (size_t)r < room ? (size_t)r : room);
	if (b)
		bounce_give(b);
	if (r < 0) {
		if (!buf)
			free(out);
		errno = (int)-r;
		return NULL;
	}
	return out;
}

/* The working directory in memory the caller frees (a GNU extension):
 * getcwd's, with the size it needs. */
char *get_current_dir_name(void)
{
	return getcwd(NULL, 0);
}

/* Whole-file locks. One process holds every descriptor, so no lock of
 * another's is ever in the way: a valid request on an open descriptor is
 * granted at once, as fcntl's F_SETLK is. */
int flock(int fd, int operation)
{
	int op = operation & ~LOCK_NB;

	if (!fd_get(fd))
		return -1;
	if (op != LOCK_SH && op != LOCK_EX && op != LOCK_UN) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* --- fcntl's file-status commands ----------------------------------------- */

int file_fcntl(struct ofd *o, int cmd, long arg)
{
	struct flock *lk = (struct flock *)arg;

	switch (cmd) {
	case F_GETFL:
		if (o->kind == FD_FILE)
			return (int)libc_sys(vfs_getfl(o->h, libc_comp_index));
		if (o->kind == FD_SOCKET)
			return socket_getfl((int)o->h);
		return o->flags | (o->kind != FD_PIPE  ? O_RDWR
				   : o->pipe && o->out ? O_RDWR
				   : o->out	       ? O_WRONLY
						       : O_RDONLY);
	case F_SETFL:
		if (o->kind == FD_FILE)
			return (int)libc_sys(
				vfs_setfl(o->h, (int)arg, libc_comp_index));
		if (o->kind == FD_SOCKET)
			return socket_setfl((int)o->h, (int)arg);
		o->flags = (int)arg & O_NONBLOCK;
		return 0;
	case F_GETLK:
		/* One process: no lock of another's is ever in the way. */
		if (!lk) {
			errno = EFAULT;
			return -1;
		}
		lk->l_type = F_UNLCK;
		return 0;
	case F_SETLK:
	case F_SETLKW:
		if (!lk) {
			errno = EFAULT;
			return -1;
		}
		return 0;
	}
	errno = EINVAL;
	return -1;
}
