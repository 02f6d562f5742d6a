/*
 * sqlite_needs: the calls SQLite's unix VFS and shell make that Bulkhead
 * answers its own way (tests/sqlite/ compares the shell itself with
 * Linux's): dlopen, which loads nothing; owners and symbolic links, which
 * ramfs does not keep; the user database, read from /etc/passwd; and the
 * HOME that Linux gives init.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ktest.h"

/* A file of n bytes of text at path, or -1. */
static int make_file(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);

	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));

	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

TEST(sqlite_needs, dlopen_loads_nothing_and_says_why)
{
	KT_EXPECT_EQ(dlerror() == NULL, 1);
	KT_EXPECT_EQ(dlopen("/nonexistent/x.so", RTLD_NOW) == NULL, 1);
	char *e = dlerror();

	KT_ASSERT(e != NULL);
	/* glibc's words, which SQLite's .load prints */
	KT_EXPECT_STR(e, "/nonexistent/x.so: cannot open shared object file: "
			 "No such file or directory");
	KT_EXPECT_EQ(dlerror() == NULL, 1); /* said once */

	KT_ASSERT(make_file("/tmp/lib.so", "not an object") == 0);
	KT_EXPECT_EQ(dlopen("/tmp/lib.so", RTLD_LAZY | RTLD_GLOBAL) == NULL, 1);
	e = dlerror();
	KT_ASSERT(e != NULL);
	KT_EXPECT_STR(e, "/tmp/lib.so: cannot load shared objects: the image "
			 "is linked at build time");
	unlink("/tmp/lib.so");

	KT_EXPECT_EQ(dlopen("/nonexistent/x.so", 0) == NULL, 1);
	e = dlerror();
	KT_ASSERT(e != NULL);
	KT_EXPECT_STR(e, "invalid mode for dlopen()");

	void *self = dlopen(NULL, RTLD_NOW);

	KT_ASSERT(self != NULL);
	KT_EXPECT_EQ(dlsym(self, "main") == NULL, 1);
	e = dlerror();
	KT_ASSERT(e != NULL);
	KT_EXPECT_STR(e, "undefined symbol: main");
	KT_EXPECT_EQ(dlclose(self), 0);
	KT_EXPECT_EQ(dlclose((void *)e), -1);
	KT_EXPECT_EQ(dlerror() != NULL, 1);
}

TEST(sqlite_needs, files_belong_to_root_and_no_name_is_a_link)
{
	KT_ASSERT(make_file("/tmp/own", "x") == 0);
	KT_EXPECT_EQ(chown("/tmp/own", 0, 0), 0);
	KT_EXPECT_EQ(chown("/tmp/own", (uid_t)-1, (gid_t)-1), 0);
	KT_EXPECT_EQ(lchown("/tmp/own", 0, (gid_t)-1), 0);
	errno = 0;
	KT_EXPECT_EQ(chown("/tmp/own", 1000, 0), -1);
	KT_EXPECT_EQ(errno, EPERM);
	errno = 0;
	KT_EXPECT_EQ(chown("/tmp/own", 0, 100), -1);
	KT_EXPECT_EQ(errno, EPERM);
	errno = 0;
	KT_EXPECT_EQ(chown("/tmp/nothere", 0, 0), -1);
	KT_EXPECT_EQ(errno, ENOENT);

	int fd = open("/tmp/own", O_RDONLY);

	KT_ASSERT(fd >= 0);
	KT_EXPECT_EQ(fchown(fd, 0, 0), 0); /* what SQLite does as root */
	errno = 0;
	KT_EXPECT_EQ(fchown(fd, 1, 1), -1);
	KT_EXPECT_EQ(errno, EPERM);
	close(fd);
	errno = 0;
	KT_EXPECT_EQ(fchown(fd, 0, 0), -1);
	KT_EXPECT_EQ(errno, EBADF);

	char buf[16];

	errno = 0;
	KT_EXPECT_EQ(readlink("/tmp/own", buf, sizeof(buf)), -1);
	KT_EXPECT_EQ(errno, EINVAL);
	errno = 0;
	KT_EXPECT_EQ(readlink("/tmp/nothere", buf, sizeof(buf)), -1);
	KT_EXPECT_EQ(errno, ENOENT);
	errno = 0;
	KT_EXPECT_EQ(symlink("own", "/tmp/link"), -1);
	KT_EXPECT_EQ(errno, EPERM);
	errno = 0;
	KT_EXPECT_EQ(symlink("x", "/tmp/own"), -1);
	KT_EXPECT_EQ(errno, EEXIST);
	errno = 0;
	KT_EXPECT_EQ(symlink("x", "/tmp/nodir/link"), -1);
	KT_EXPECT_EQ(errno, ENOENT);
	errno = 0;
	KT_EXPECT_EQ(symlink("x", "/tmp/own/link"), -1);
	KT_EXPECT_EQ(errno, ENOTDIR);
	KT_EXPECT_EQ(unlink("/tmp/own"), 0);
}

TEST(sqlite_needs, users_come_from_etc_passwd)
{
	struct passwd pw, *r;
	char small[8];

	unlink("/etc/passwd");
	errno = 0;
	KT_EXPECT_EQ(getpwuid(0) == NULL, 1); /* no file, no user */
	KT_EXPECT_EQ(errno, 0);

	mkdir("/etc", 0755);
	KT_ASSERT(make_file("/etc/passwd",
			    "root:x:0:0:root:/root:/bin/sh\n"
			    "a broken line\n"
			    "bad:x:12a:0:Bad:/:/bin/sh\n"
			    "ada:x:1000:100:Ada L:/home/ada:/bin/sh\n") == 0);
	r = getpwuid(0);
	KT_ASSERT(r != NULL);
	KT_EXPECT_STR(r->pw_name, "root");
	KT_EXPECT_STR(r->pw_dir, "/root");
	r = getpwnam("ada");
	KT_ASSERT(r != NULL);
	KT_EXPECT_EQ(r->pw_uid, 1000);
	KT_EXPECT_EQ(r->pw_gid, 100);
	KT_EXPECT_STR(r->pw_gecos, "Ada L");
	KT_EXPECT_STR(r->pw_shell, "/bin/sh");
	KT_EXPECT_EQ(getpwnam("bad") == NULL, 1);
	KT_EXPECT_EQ(getpwuid(12) == NULL, 1);
	KT_EXPECT_EQ(getpwuid_r(1000, &pw, small, sizeof(small), &r), ERANGE);
	KT_EXPECT_EQ(r == NULL, 1);
	KT_EXPECT_EQ(unlink("/etc/passwd"), 0);
}

TEST(sqlite_needs, home_is_the_root_as_linux_gives_init)
{
	const char *home = getenv("HOME");

	KT_ASSERT(home != NULL);
	KT_EXPECT_STR(home, "/");
}
