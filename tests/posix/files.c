/*
 * files.c - files, offsets, holes, appends, dup and shared offsets,
 * directories, rename and unlink, as Linux does them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "posix.h"

static void show_size(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		printf("stat %s: %s\n", path, errno_name(errno));
	else
		printf("stat %s: %s size %ld links %ld mode %o\n", path,
		       S_ISDIR(st.st_mode)   ? "dir"
		       : S_ISREG(st.st_mode) ? "file"
					     : "other",
		       S_ISDIR(st.st_mode) ? 0L : (long)st.st_size,
		       (long)st.st_nlink, (unsigned)(st.st_mode & 07777));
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a directory, sorted: readdir's order is the file
 * system's own. */
static void list(const char *path)
{
	DIR *d = opendir(path);
	char *names[64];
	int n = 0;
	struct dirent *e;

	if (!d) {
		printf("opendir %s: %s\n", path, errno_name(errno));
		return;
	}
	while ((e = readdir(d)) && n < 64)
		names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), cmp);
	printf("ls %s:", path);
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

static void offsets(void)
{
	char buf[64];
	int fd = open("a", O_CREAT | O_RDWR | O_TRUNC, 0644);

	CALL("open a", fd);
	CALL("write", write(fd, "hello world", 11));
	CALL("lseek cur", lseek(fd, 0, SEEK_CUR));
	CALL("lseek set 6", lseek(fd, 6, SEEK_SET));
	memset(buf, 0, sizeof(buf));
	CALL("read", read(fd, buf, sizeof(buf)));
	printf("read gave '%s'\n", buf);
	CALL("read at end", read(fd, buf, sizeof(buf)));
	CALL("lseek end -5", lseek(fd, -5, SEEK_END));
	CALL("lseek before start", lseek(fd, -100, SEEK_CUR));
	CALL("lseek bad whence", lseek(fd, 0, 77));
	CALL("pwrite 3", pwrite(fd, "LLO", 3, 2));
	CALL("pread", pread(fd, buf, 11, 0));
	printf("pread gave '%.11s'\n", buf);
	CALL("offset kept by pread", lseek(fd, 0, SEEK_CUR));
	CALL("pread negative", pread(fd, buf, 1, -1));

	/* a hole reads as zeros */
	CALL("pwrite at 1 MiB", pwrite(fd, "end", 3, 1 << 20));
	show_size("a");
	CALL("pread in hole", pread(fd, buf, 8, 4096));
	int zeros = 1;

	for (int i = 0; i < 8; i++)
		zeros &= buf[i] == 0;
	printf("hole is zeros: %d\n", zeros);
	CALL("ftruncate 5", ftruncate(fd, 5));
	show_size("a");
	CALL("ftruncate 10", ftruncate(fd, 10));
	memset(buf, 'x', sizeof(buf));
	CALL("pread after extend", pread(fd, buf, 10, 0));
	printf("bytes 5..9 zero: %d\n",
	       !buf[5] && !buf[6] && !buf[7] && !buf[8] && !buf[9]);
	CALL("ftruncate -1", ftruncate(fd, -1));
	CALL("close", close(fd));
	CALL("close again", close(fd));
	CALL("read closed", read(fd, buf, 1));

	/* O_RDONLY descriptors cannot write, nor truncate */
	fd = open("a", O_RDONLY);
	CALL("write to O_RDONLY", write(fd, "x", 1));
	CALL("ftruncate O_RDONLY", ftruncate(fd, 0));
	close(fd);
	fd = open("a", O_WRONLY);
	CALL("read from O_WRONLY", read(fd, buf, 1));
	close(fd);
}

static void appends_and_dup(void)
{
	char buf[64] = {0};
	int fd = open("b", O_CREAT | O_WRONLY | O_APPEND, 0600);

	CALL("write", write(fd, "one ", 4));
	CALL("lseek 0", lseek(fd, 0, SEEK_SET));
	CALL("append", write(fd, "two ", 4));
	CALL("offset after append", lseek(fd, 0, SEEK_CUR));
	CALL("F_GETFL has O_APPEND", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
	CALL("F_SETFL 0", fcntl(fd, F_SETFL, 0));
	CALL("lseek 0", lseek(fd, 0, SEEK_SET));
	CALL("overwrite", write(fd, "ONE", 3));
	close(fd);

	fd = open("b", O_RDWR);
	int d = dup(fd);

	CALL("dup is lowest", d == fd + 1);
	CALL("read 4 via fd", read(fd, buf, 4));
	CALL("dup shares offset", lseek(d, 0, SEEK_CUR));
	CALL("dup2 to 20", dup2(fd, 20));
	CALL("offset via 20", lseek(20, 0, SEEK_CUR));
	CALL("dup2 same", dup2(fd, fd));
	CALL("dup2 bad", dup2(99, 21));
	CALL("F_GETFD", fcntl(fd, F_GETFD));
	CALL("F_SETFD", fcntl(fd, F_SETFD, FD_CLOEXEC));
	CALL("F_GETFD now", fcntl(fd, F_GETFD));
	CALL("dup has no cloexec", fcntl(d, F_GETFD));
	int d2 = fcntl(fd, F_DUPFD, 30);

	CALL("F_DUPFD 30", d2);
	CALL("F_DUPFD_CLOEXEC", fcntl(fcntl(fd, F_DUPFD_CLOEXEC, 0), F_GETFD));
	close(fd);
	CALL("read via dup after close", read(d, buf, 4));
	printf("got '%.4s'\n", buf);
	close(d);
	close(20);
	close(d2);
	/* the lowest free number is reused */
	fd = open("b", O_RDONLY);
	int fd2 = open("b", O_RDONLY);

	close(fd);
	CALL("lowest free reused", open("b", O_RDONLY) == fd);
	close(fd);
	close(fd2);

	struct iovec v[3] = {{"ab", 2}, {"", 0}, {"cdef", 4}};

	fd = open("c", O_CREAT | O_RDWR | O_TRUNC, 0644);
	CALL("writev", writev(fd, v, 3));
	lseek(fd, 0, SEEK_SET);
	char x[3] = {0}, y[8] = {0};
	struct iovec r[2] = {{x, 2}, {y, 8}};

	CALL("readv", readv(fd, r, 2));
	printf("readv gave '%.2s' '%s'\n", x, y);
	close(fd);
}

static void opens(void)
{
	CALL("open missing", open("nope", O_RDONLY));
	CALL("O_EXCL existing", open("a", O_CREAT | O_EXCL | O_WRONLY, 0644));
	CALL("O_DIRECTORY on file", open("a", O_RDONLY | O_DIRECTORY));
	CALL("file as dir", open("a/x", O_RDONLY));
	CALL("file with slash", open("a/", O_RDONLY));
	CALL("dir for writing", open(".", O_WRONLY));
	CALL("O_CREAT on dir", open(".", O_CREAT | O_RDONLY, 0644));
	CALL("create in missing dir", open("no/x", O_CREAT | O_WRONLY, 0644));
	CALL("empty path", open("", O_RDONLY));
	CALL("access mode 3", close(open("a", O_ACCMODE)));

	char name[300];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	CALL("component too long", open(name, O_CREAT | O_WRONLY, 0644));
	char *path = malloc(PATH_MAX + 10);

	for (int i = 0; i < PATH_MAX + 9; i++)
		path[i] = i % 2 ? '/' : 'd';
	path[PATH_MAX + 9] = '\0';
	CALL("path too long", open(path, O_RDONLY));
	free(path);

	int fd = open("t", O_CREAT | O_WRONLY | O_TRUNC, 0644);

	write(fd, "12345", 5);
	close(fd);
	CALL("O_TRUNC", close(open("t", O_WRONLY | O_TRUNC)));
	show_size("t");
	CALL("creat", close(creat("t", 0600)));
	show_size("t");

	mode_t old = umask(077);

	close(open("u", O_CREAT | O_WRONLY, 0666));
	show_size("u");
	umask(old);
	CALL("chmod", chmod("u", 0640));
	show_size("u");
	CALL("access R_OK", access("u", R_OK));
	CALL("access X_OK", access("u", X_OK));
	CALL("access missing", access("nope", F_OK));
	CALL("unlink", unlink("u"));
	CALL("unlink again", unlink("u"));
}

static void directories(void)
{
	char buf[PATH_MAX];

	CALL("mkdir d", mkdir("d", 0755));
	CALL("mkdir d again", mkdir("d", 0755));
	CALL("mkdir d/e", mkdir("d/e", 0700));
	CALL("mkdir in missing", mkdir("x/y", 0755));
	CALL("mkdir under file", mkdir("a/y", 0755));
	close(open("d/f", O_CREAT | O_WRONLY, 0644));
	list("d");
	show_size("d");
	CALL("rmdir non-empty", rmdir("d"));
	CALL("rmdir file", rmdir("d/f"));
	CALL("unlink dir", unlink("d/e"));
	CALL("rmdir dot", rmdir("d/e/."));
	CALL("chdir d", chdir("d"));
	printf("cwd ends in /d: %d\n",
	       getcwd(buf, sizeof(buf)) && strlen(buf) >= 2 &&
		       strcmp(buf + strlen(buf) - 2, "/d") == 0);
	CALL("getcwd small", getcwd(buf, 2) ? 0 : -1);
	CALL("open ../a", close(open("../a", O_RDONLY)));
	CALL("chdir e", chdir("e"));
	CALL("chdir file", chdir("../f"));
	CALL("chdir ../..", chdir("../.."));
	CALL("stat /.. is /", 0);
	struct stat r1, r2;

	stat("/", &r1);
	stat("/../../..", &r2);
	printf("/../../.. is /: %d\n", r1.st_ino == r2.st_ino);
	CALL("rmdir d/e", rmdir("d/e"));
	CALL("unlink d/f", unlink("d/f"));
	CALL("rmdir d", rmdir("d"));
	CALL("stat d", stat("d", &r1));
}

static void renames(void)
{
	char buf[16] = {0};
	int fd;

	close(open("r1", O_CREAT | O_WRONLY, 0644));
	fd = open("r2", O_CREAT | O_WRONLY, 0644);
	write(fd, "two", 3);
	close(fd);
	mkdir("rd", 0755);
	mkdir("re", 0755);
	close(open("re/f", O_CREAT | O_WRONLY, 0644));

	CALL("rename file over file", rename("r2", "r1"));
	fd = open("r1", O_RDONLY);
	read(fd, buf, 3);
	close(fd);
	printf("r1 holds '%s'\n", buf);
	CALL("old name gone", access("r2", F_OK));
	CALL("rename missing", rename("r2", "r3"));
	CALL("rename file over dir", rename("r1", "rd"));
	CALL("rename dir over file", rename("rd", "r1"));
	CALL("rename dir over non-empty", rename("rd", "re"));
	CALL("rename dir into itself", rename("re", "re/sub"));
	CALL("rename to same", rename("r1", "r1"));
	CALL("rename dir over empty dir", rename("re", "rd"));
	list("rd");
	CALL("rename into dir", rename("r1", "rd/r1"));
	list("rd");
	CALL("rename dot", rename("rd/.", "x"));

	/* unlink of an open file: its bytes stay while it is open */
	fd = open("rd/r1", O_RDWR);
	CALL("unlink open file", unlink("rd/r1"));
	CALL("write after unlink", write(fd, "TWO", 3));
	CALL("pread after unlink", pread(fd, buf, 3, 0));
	printf("it holds '%.3s'\n", buf);
	struct stat st;

	fstat(fd, &st);
	printf("links after unlink: %ld\n", (long)st.st_nlink);
	close(fd);
	unlink("rd/f");
	rmdir("rd");
}

/* rm -r's way: remove each entry as readdir gives it. */
static void remove_while_listing(void)
{
	char name[300];
	struct dirent *e;
	int removed = 0;

	mkdir("many", 0755);
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "many/f%02d", i);
		close(open(name, O_CREAT | O_WRONLY, 0644));
	}
	DIR *d = opendir("many");

	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(name, sizeof(name), "many/%s", e->d_name);
		removed += unlink(name) == 0;
	}
	closedir(d);
	printf("removed while listing: %d\n", removed);
	list("many");
	CALL("rmdir many", rmdir("many"));
}

static void cleanup(void)
{
	unlink("a");
	unlink("b");
	unlink("c");
	unlink("t");
	list(".");
}

int main(void)
{
	char dir[] = "/tmp/posix-files";

	mkdir(dir, 0755);
	if (chdir(dir) < 0) {
		printf("chdir %s: %s\n", dir, errno_name(errno));
		return 1;
	}
	offsets();
	appends_and_dup();
	opens();
	directories();
	renames();
	remove_while_listing();
	cleanup();
	chdir("/");
	CALL("rmdir work dir", rmdir(dir));
	return 0;
}
