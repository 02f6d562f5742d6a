/*
 * dir.c - directory streams: opendir, readdir and the rest, over a
 * descriptor of the directory and the vfs's readdir, one entry a call.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bulkhead/fs.h>
#include <bulkhead/mm.h>
#include "fd.h"

extern long vfs_readdir(fs_file_t, struct fs_dirent *, int)
	__attribute__((weak));
extern long vfs_lseek(fs_file_t, int64_t, int, int) __attribute__((weak));

DIR *fdopendir(int fd)
{
	struct ofd *o = fd_get(fd);
	struct stat st;

	if (!o)
		return NULL;
	if (o->kind != FD_FILE || fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return NULL;
	}
	DIR *d = calloc(1, sizeof(*d));

	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	d->dd_fd = fd;
	fd_set_cloexec(fd, 1);
	return d;
}

DIR *opendir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);

	if (fd >= 0 && !d) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return d;
}

struct dirent *readdir(DIR *d)
{
	struct ofd *o = fd_get(d->dd_fd);
	struct fs_dirent mine, *ent = &mine;
	char *b = NULL;

	if (!o || o->kind != FD_FILE)
		return NULL;
	if (libc_isolated()) {
		if (!(b = bounce_take()))
			return NULL;
		ent = (struct fs_dirent *)b;
	}
	long r = vfs_readdir(o->h, ent, libc_comp_index);

	if (r > 0) {
		d->dd_ent.d_ino = ent->ino;
		d->dd_ent.d_type = (unsigned char)ent->type;
		d->dd_ent.d_reclen = sizeof(d->dd_ent);
		memcpy(d->dd_ent.d_name, ent->name, FS_NAME_MAX);
		d->dd_ent.d_name[FS_NAME_MAX - 1] = '\0';
		d->dd_ent.d_off = vfs_lseek(o->h, 0, SEEK_CUR, libc_comp_index);
	}
	if (b)
		bounce_give(b);
	if (r < 0)
		errno = (int)-r; /* the end (0) leaves errno alone */
	return r > 0 ? &d->dd_ent : NULL;
}

int readdir_r(DIR *d, struct dirent *ent, struct dirent **result)
{
	int e = errno;

	errno = 0;
	struct dirent *r = readdir(d);
	int err = errno;

	errno = e;
	if (r)
		*ent = *r;
	*result = r ? ent : NULL;
	return err;
}

void rewinddir(DIR *d)
{
	lseek(d->dd_fd, 0, SEEK_SET);
}

long telldir(DIR *d)
{
	return (long)lseek(d->dd_fd, 0, SEEK_CUR);
}

void seekdir(DIR *d, long at)
{
	lseek(d->dd_fd, at, SEEK_SET);
}

int dirfd(DIR *d)
{
	return d->dd_fd;
}

int closedir(DIR *d)
{
	int r = close(d->dd_fd);

	free(d);
	return r;
}

int alphasort(const struct dirent **a, const struct dirent **b)
{
	return strcoll((*a)->d_name, (*b)->d_name);
}

int scandir(const char *path, struct dirent ***list,
	    int (*keep)(const struct dirent *),
	    int (*order)(const struct dirent **, const struct dirent **))
{
	DIR *d = opendir(path);
	struct dirent **v = NULL, *e;
	size_t n = 0, cap = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (keep && !keep(e))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct dirent **nv = realloc(v, cap * sizeof(*v));

			if (!nv)
				goto fail;
			v = nv;
		}
		if (!(v[n] = malloc(sizeof(*e))))
			goto fail;
		*v[n++] = *e;
	}
	closedir(d);
	if (order)
		qsort(v, n, sizeof(*v),
		      (int (*)(const void *, const void *))order);
	*list = v;
	return (int)n;
fail:
	while (n)
		free(v[--n]);
	free(v);
	closedir(d);
	errno = ENOMEM;
	return -1;
}

/* The directory part of path (POSIX dirname, in place): "." for a name
 * without a slash or NULL/"", "/" for the root; trailing slashes go. */
char *dirname(char *path)
{
	static char dot[] = ".";
	size_t n;

	if (!path || !*path)
		return dot;
	n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	while (n > 0 && path[n - 1] != '/')
		n--;
	if (n == 0)
		return dot;
	while (n > 1 && path[n - 1] == '/')
		n--;
	path[n] = '\0';
	return path;
}
