/*
 * attr.c - what Linux's file systems keep and ramfs does not: owners and
 * symbolic links.
 *
 * Every file belongs to root (uid and gid 0, what stat says), the one
 * user: chown and friends to root, or -1 for "unchanged", succeed once the
 * file is found; to anyone else they fail with EPERM, since the owner
 * could not be kept (Linux's answer where a file system cannot record the
 * change). No name is a symbolic link: readlink of a name that exists is
 * EINVAL, as for any other file, and creating one fails with EPERM, as on
 * a Linux file system without symbolic links (vfat). realpath therefore
 * only makes a path absolute and takes out ".", ".." and repeated
 * slashes, checking that each component exists.
 */
#define _GNU_SOURCE /* AT_EMPTY_PATH */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(int e)
{
	errno = e;
	return -1;
}

/* Root's ids, or -1 (leave as is): the only owner a file can have. */
static int kept(uid_t uid, gid_t gid)
{
	return (uid == (uid_t)-1 || uid == 0) && (gid == (gid_t)-1 || gid == 0);
}

int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	struct stat st;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return fail(EINVAL);
	if (fstatat(dirfd, path, &st, flags) < 0)
		return -1;
	return kept(uid, gid) ? 0 : fail(EPERM);
}

int chown(const char *path, uid_t uid, gid_t gid)
{
	return fchownat(AT_FDCWD, path, uid, gid, 0);
}

int lchown(const char *path, uid_t uid, gid_t gid)
{
	return fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

int fchown(int fd, uid_t uid, gid_t gid)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	return kept(uid, gid) ? 0 : fail(EPERM);
}

ssize_t readlinkat(int dirfd, const char *__restrict path, char *__restrict buf,
		   size_t len)
{
	struct stat st;

	(void)buf;
	(void)len;
	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	return fail(EINVAL);
}

ssize_t readlink(const char *__restrict path, char *__restrict buf, size_t len)
{
	return readlinkat(AT_FDCWD, path, buf, len);
}

int symlinkat(const char *target, int dirfd, const char *path)
{
	struct stat st;

	if (!target || !path)
		return fail(EFAULT);
	if (!*target || !*path)
		return fail(ENOENT);
	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return fail(EEXIST);
	if (errno != ENOENT)
		return -1;
	/* The name is free: is its folder there (ENOENT otherwise)? */
	const char *slash = strrchr(path, '/');

	if (slash) {
		char dir[PATH_MAX];
		size_t n = slash == path ? 1 : (size_t)(slash - path);

		if (n >= sizeof(dir))
			return fail(ENAMETOOLONG);
		memcpy(dir, path, n);
		dir[n] = '\0';
		if (fstatat(dirfd, dir, &st, 0) < 0)
			return -1;
		if (!S_ISDIR(st.st_mode))
			return fail(ENOTDIR);
	}
	return fail(EPERM);
}

int symlink(const char *target, const char *path)
{
	return symlinkat(target, AT_FDCWD, path);
}

/*
 * The absolute path of path with no ".", ".." or repeated slash (no
 * component is a link to follow): in resolved (PATH_MAX bytes) or, when
 * it is NULL, in memory of malloc's. Each component must exist (ENOENT)
 * and each but the last be a folder (ENOTDIR), as Linux's realpath says;
 * ENAMETOOLONG past PATH_MAX.
 */
char *realpath(const char *path, char *resolved)
{
	char buf[PATH_MAX];
	size_t len;
	struct stat st;

	if (!path) {
		errno = EINVAL;
		return NULL;
	}
	if (!*path) {
		errno = ENOENT;
		return NULL;
	}
	if (*path == '/')
		strcpy(buf, "/");
	else if (!getcwd(buf, sizeof(buf)))
		return NULL;
	len = strlen(buf);
	while (*path) {
		size_t n = strcspn(path, "/");

		if ((n == 1 && path[0] == '.') || n == 0) {
			/* nothing to add */
		} else if (n == 2 && path[0] == '.' && path[1] == '.') {
			while (len > 1 && buf[len - 1] != '/')
				len--;
			if (len > 1)
				len--;
			buf[len] = '\0';
		} else {
			if (len + (len > 1) + n >= sizeof(buf)) {
				errno = ENAMETOOLONG;
				return NULL;
			}
			if (len > 1)
				buf[len++] = '/';
			memcpy(buf + len, path, n);
			len += n;
			buf[len] = '\0';
			if (stat(buf, &st) < 0)
				return NULL;
			if (path[n] == '/' && !S_ISDIR(st.st_mode)) {
				errno = ENOTDIR;
				return NULL;
			}
		}
		path += n;
		while (*path == '/')
			path++;
	}
	if (!resolved)
		return strdup(buf);
	return strcpy(resolved, buf);
}
