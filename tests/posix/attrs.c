/*
 * attrs.c - what a file says of itself and what may be set on it: modes,
 * times, truncation, locks, close-on-exec, directory streams (types,
 * positions, scandir), and the *at() calls relative to a directory.
 */
#define _GNU_SOURCE /* dup3, AT_EMPTY_PATH */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "posix.h"

static void times(void)
{
	struct stat st;
	struct timeval tv[2] = {{1000000000, 250000}, {1200000000, 500000}};
	struct timespec ts[2] = {{1300000000, 7}, {0, UTIME_OMIT}};
	int fd = open("t", O_CREAT | O_RDWR | O_TRUNC, 0644);

	SHOW_ERRNO(utimes("t", tv));
	stat("t", &st);
	printf("atime %ld.%09ld mtime %ld.%09ld\n", (long)st.st_atim.tv_sec,
	       st.st_atim.tv_nsec, (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	SHOW_ERRNO(utimensat(AT_FDCWD, "t", ts, 0));
	stat("t", &st);
	printf("atime %ld.%09ld mtime %ld.%09ld\n", (long)st.st_atim.tv_sec,
	       st.st_atim.tv_nsec, (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	ts[0] = (struct timespec){0, UTIME_OMIT};
	ts[1] = (struct timespec){1400000000, 0};
	SHOW_ERRNO(futimens(fd, ts));
	fstat(fd, &st);
	printf("mtime %ld\n", (long)st.st_mtim.tv_sec);
	ts[1].tv_nsec = 1000000000;
	SHOW_ERRNO(futimens(fd, ts));
	SHOW_ERRNO(utimes("missing", tv));
	/* a write moves mtime to now: later than what was set */
	write(fd, "x", 1);
	fstat(fd, &st);
	printf("write moved mtime: %d\n", st.st_mtim.tv_sec > 1400000000);
	close(fd);
}

static void modes(void)
{
	struct stat st;
	int fd = open("m", O_CREAT | O_RDWR | O_TRUNC, 0600);

	SHOW_ERRNO(fchmod(fd, 04755));
	fstat(fd, &st);
	printf("mode %o\n", (unsigned)(st.st_mode & 07777));
	SHOW_ERRNO(chmod("m", 0400));
	stat("m", &st);
	printf("mode %o\n", (unsigned)(st.st_mode & 07777));
	SHOW_ERRNO(fchmodat(AT_FDCWD, "m", 0644, 0));
	SHOW_ERRNO(chmod("missing", 0644));
	SHOW_ERRNO(access("m", W_OK));
	SHOW_ERRNO(access("m", 77));
	SHOW_ERRNO(write(fd, "12345678", 8));
	SHOW_ERRNO(truncate("m", 3));
	fstat(fd, &st);
	printf("size %ld\n", (long)st.st_size);
	SHOW_ERRNO(truncate("missing", 3));
	SHOW_ERRNO(fsync(fd));
	SHOW_ERRNO(fdatasync(fd));
	SHOW_ERRNO(fsync(99));

	/* advisory locks: one process, nobody else's lock is in the way */
	struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

	SHOW_ERRNO(fcntl(fd, F_SETLK, &lk));
	lk.l_type = F_RDLCK;
	SHOW_ERRNO(fcntl(fd, F_GETLK, &lk));
	printf("F_GETLK says unlocked: %d\n", lk.l_type == F_UNLCK);
	lk.l_type = F_UNLCK;
	SHOW_ERRNO(fcntl(fd, F_SETLKW, &lk));
	SHOW_ERRNO(fcntl(fd, 12345));
	close(fd);

	fd = open("m", O_RDONLY | O_CLOEXEC);
	printf("O_CLOEXEC gives FD_CLOEXEC: %d\n",
	       fcntl(fd, F_GETFD) == FD_CLOEXEC);
	int d = dup3(fd, 40, O_CLOEXEC);

	SHOW_ERRNO(d);
	printf("dup3 cloexec: %d\n", fcntl(40, F_GETFD) == FD_CLOEXEC);
	SHOW_ERRNO(dup3(fd, fd, 0));
	SHOW_ERRNO(dup3(fd, 41, 12345));
	close(40);
	close(fd);
}

static int only_files(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static void streams(void)
{
	struct dirent *e, **list;
	char names[8][16];
	int n = 0;

	mkdir("s", 0755);
	mkdir("s/sub", 0755);
	close(open("s/b", O_CREAT | O_WRONLY, 0644));
	close(open("s/a", O_CREAT | O_WRONLY, 0644));
	DIR *d = opendir("s");

	SHOW_ERRNO(d ? 0 : -1);
	long start = telldir(d);
	long second = 0;

	while ((e = readdir(d))) {
		if (n == 1)
			second = telldir(d);
		snprintf(names[n++ % 8], sizeof(names[0]), "%.10s:%c",
			 e->d_name,
			 e->d_type == DT_DIR   ? 'd'
			 : e->d_type == DT_REG ? 'f'
					       : '?');
	}
	printf("entries %d\n", n);
	/* readdir's order is the file system's: print them sorted */
	qsort(names, (size_t)(n < 8 ? n : 8), sizeof(names[0]),
	      (int (*)(const void *, const void *))strcmp);
	for (int i = 0; i < n && i < 8; i++)
		printf(" %s", names[i]);
	printf("\n");
	rewinddir(d);
	e = readdir(d);
	printf("after rewinddir the first again: %d\n",
	       e && telldir(d) != start);
	seekdir(d, second);
	int rest = 0;

	while (readdir(d))
		rest++;
	printf("after seekdir to the second: %d left\n", rest);
	SHOW_ERRNO(dirfd(d) >= 0);
	SHOW_ERRNO(closedir(d));
	SHOW_ERRNO(opendir("missing") ? 0 : -1);
	SHOW_ERRNO(opendir("s/a") ? 0 : -1);

	n = scandir("s", &list, only_files, alphasort);
	SHOW_ERRNO(n);
	for (int i = 0; i < n; i++) {
		printf(" %s", list[i]->d_name);
		free(list[i]);
	}
	printf("\n");
	free(list);
}

static void at_calls(void)
{
	struct stat st;
	int dir = open("s", O_RDONLY | O_DIRECTORY);
	int file = open("s/a", O_RDONLY);

	SHOW_ERRNO(dir >= 0);
	int fd = openat(dir, "c", O_CREAT | O_WRONLY, 0644);

	SHOW_ERRNO(fd >= 0);
	SHOW_ERRNO(write(fd, "abc", 3));
	close(fd);
	SHOW_ERRNO(fstatat(dir, "c", &st, 0));
	printf("size %ld\n", (long)st.st_size);
	SHOW_ERRNO(fstatat(dir, "", &st, 0));
	SHOW_ERRNO(fstatat(dir, "", &st, AT_EMPTY_PATH));
	printf("empty path is the dir: %d\n", S_ISDIR(st.st_mode));
	SHOW_ERRNO(fstatat(file, "x", &st, 0));
	SHOW_ERRNO(fstatat(99, "x", &st, 0));
	SHOW_ERRNO(fstatat(dir, "/s/c", &st, 0));
	SHOW_ERRNO(mkdirat(dir, "e", 0755));
	SHOW_ERRNO(renameat(dir, "c", dir, "e/c"));
	SHOW_ERRNO(faccessat(dir, "e/c", R_OK, 0));
	SHOW_ERRNO(unlinkat(dir, "e/c", 0));
	SHOW_ERRNO(unlinkat(dir, "e", 0));
	SHOW_ERRNO(unlinkat(dir, "e", AT_REMOVEDIR));
	SHOW_ERRNO(unlinkat(dir, "e", 12345));
	SHOW_ERRNO(fchdir(dir));
	SHOW_ERRNO(access("a", F_OK));
	SHOW_ERRNO(fchdir(file));
	SHOW_ERRNO(chdir(".."));
	close(file);
	close(dir);
}

int main(void)
{
	char dir[] = "/tmp/posix-attrs";

	mkdir(dir, 0755);
	if (chdir(dir) < 0)
		return 1;
	times();
	modes();
	streams();
	at_calls();
	unlink("t");
	unlink("m");
	unlink("s/a");
	unlink("s/b");
	rmdir("s/sub");
	rmdir("s");
	chdir("/");
	SHOW_ERRNO(rmdir(dir));
	return 0;
}
