/*
 * nginx_needs: the calls nginx makes that libc gained for it (the tests of
 * scripts/run-tests.py drive nginx itself): the group database, read from
 * /etc/group; realpath; messages of several pieces (sendmsg, recvmsg);
 * priorities, kept and not applied; initgroups, which only root's list
 * passes; POSIX's timezone variable and IPv6 address tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "ktest.h"

/* A file holding text at path, or -1. */
static int make_file(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);

	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));

	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

TEST(nginx_needs, groups_come_from_etc_group)
{
	struct group gr, *r;
	char small[24];

	unlink("/etc/group");
	errno = 0;
	KT_EXPECT_EQ(getgrnam("root") == NULL, 1); /* no file, no group */
	KT_EXPECT_EQ(errno, 0);

	mkdir("/etc", 0755);
	KT_ASSERT(make_file("/etc/group", "root:x:0:\n"
					  "a broken line\n"
					  "bad:x:3a:\n"
					  "www-data:x:33:ada,bob\n"
					  "nogroup:x:65534:\n") == 0);
	r = getgrgid(0);
	KT_ASSERT(r != NULL);
	KT_EXPECT_STR(r->gr_name, "root");
	KT_EXPECT_EQ(r->gr_mem[0] == NULL, 1);
	r = getgrnam("www-data");
	KT_ASSERT(r != NULL);
	KT_EXPECT_EQ(r->gr_gid, 33);
	KT_EXPECT_STR(r->gr_passwd, "x");
	KT_ASSERT(r->gr_mem[0] != NULL && r->gr_mem[1] != NULL);
	KT_EXPECT_STR(r->gr_mem[0], "ada");
	KT_EXPECT_STR(r->gr_mem[1], "bob");
	KT_EXPECT_EQ(r->gr_mem[2] == NULL, 1);
	KT_EXPECT_EQ(getgrnam("nogroup")->gr_gid, 65534);
	KT_EXPECT_EQ(getgrnam("bad") == NULL, 1);
	KT_EXPECT_EQ(getgrgid(12) == NULL, 1);
	KT_EXPECT_EQ(getgrnam_r("www-data", &gr, small, sizeof(small), &r),
		     ERANGE);
	KT_EXPECT_EQ(r == NULL, 1);
	KT_EXPECT_EQ(unlink("/etc/group"), 0);
}

TEST(nginx_needs, initgroups_only_for_root)
{
	KT_EXPECT_EQ(initgroups("root", 0), 0);
	errno = 0;
	KT_EXPECT_EQ(initgroups("www-data", 33), -1);
	KT_EXPECT_EQ(errno, EPERM);
}

TEST(nginx_needs, realpath_makes_paths_absolute_and_plain)
{
	char buf[PATH_MAX];
	char *p;

	mkdir("/tmp/rp", 0755);
	mkdir("/tmp/rp/sub", 0755);
	KT_ASSERT(make_file("/tmp/rp/sub/f", "x") == 0);
	KT_EXPECT_EQ(realpath("/tmp//rp/./sub/../sub/f", buf) == buf, 1);
	KT_EXPECT_STR(buf, "/tmp/rp/sub/f");
	KT_EXPECT_EQ(realpath("/../..", buf) == buf, 1);
	KT_EXPECT_STR(buf, "/");
	KT_ASSERT(chdir("/tmp/rp") == 0);
	p = realpath("sub/", NULL);
	KT_ASSERT(p != NULL);
	KT_EXPECT_STR(p, "/tmp/rp/sub");
	free(p);
	KT_EXPECT_EQ(realpath("..", buf) == buf, 1);
	KT_EXPECT_STR(buf, "/tmp");
	KT_ASSERT(chdir("/") == 0);
	errno = 0;
	KT_EXPECT_EQ(realpath("/tmp/rp/none/f", buf) == NULL, 1);
	KT_EXPECT_EQ(errno, ENOENT);
	errno = 0;
	KT_EXPECT_EQ(realpath("/tmp/rp/sub/f/x", buf) == NULL, 1);
	KT_EXPECT_EQ(errno, ENOTDIR);
	/* A file named as a folder, with nothing after it to look up. */
	errno = 0;
	KT_EXPECT_EQ(realpath("/tmp/rp/sub/f/", buf) == NULL, 1);
	KT_EXPECT_EQ(errno, ENOTDIR);
	errno = 0;
	KT_EXPECT_EQ(realpath("/tmp/rp/sub/f/..", buf) == NULL, 1);
	KT_EXPECT_EQ(errno, ENOTDIR);
	errno = 0;
	KT_EXPECT_EQ(realpath("", buf) == NULL, 1);
	KT_EXPECT_EQ(errno, ENOENT);
	unlink("/tmp/rp/sub/f");
	rmdir("/tmp/rp/sub");
	rmdir("/tmp/rp");
}

TEST(nginx_needs, messages_of_several_pieces)
{
	int sv[2];
	char a[] = "one ", b[] = "two", got[16] = {0}, x[3], y[16];
	struct iovec out[2] = {{a, 4}, {b, 3}};
	struct iovec in[2] = {{x, sizeof(x)}, {y, sizeof(y)}};
	struct msghdr m = {0};
	char control[32];

	KT_ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	m.msg_iov = out;
	m.msg_iovlen = 2;
	KT_EXPECT_EQ(sendmsg(sv[0], &m, 0), 7);
	memset(&m, 0, sizeof(m));
	m.msg_iov = in;
	m.msg_iovlen = 2;
	m.msg_controllen = 5; /* nothing comes: recvmsg says 0 */
	KT_EXPECT_EQ(recvmsg(sv[1], &m, 0), 7);
	KT_EXPECT_EQ(m.msg_controllen, 0);
	memcpy(got, x, 3);
	memcpy(got + 3, y, 4);
	KT_EXPECT_STR(got, "one two");
	/* Control data cannot be carried; too many pieces are EMSGSIZE. */
	memset(&m, 0, sizeof(m));
	m.msg_iov = out;
	m.msg_iovlen = 2;
	m.msg_control = control;
	m.msg_controllen = sizeof(control);
	errno = 0;
	KT_EXPECT_EQ(sendmsg(sv[0], &m, 0), -1);
	KT_EXPECT_EQ(errno, EOPNOTSUPP);
	m.msg_control = NULL;
	m.msg_controllen = 0;
	m.msg_iovlen = 1025;
	errno = 0;
	KT_EXPECT_EQ(sendmsg(sv[0], &m, 0), -1);
	KT_EXPECT_EQ(errno, EMSGSIZE);
	close(sv[0]);
	close(sv[1]);
}

TEST(nginx_needs, priorities_are_kept_in_range)
{
	KT_EXPECT_EQ(getpriority(PRIO_PROCESS, 0), 0);
	KT_EXPECT_EQ(setpriority(PRIO_PROCESS, 0, -5), 0);
	KT_EXPECT_EQ(getpriority(PRIO_PROCESS, 1), -5);
	KT_EXPECT_EQ(setpriority(PRIO_USER, 0, 40), 0);
	KT_EXPECT_EQ(getpriority(PRIO_PGRP, 0), 19);
	errno = 0;
	KT_EXPECT_EQ(setpriority(PRIO_PROCESS, 7, 0), -1);
	KT_EXPECT_EQ(errno, ESRCH);
	errno = 0;
	KT_EXPECT_EQ(getpriority(9, 0), -1);
	KT_EXPECT_EQ(errno, EINVAL);
	KT_EXPECT_EQ(setpriority(PRIO_PROCESS, 0, 0), 0);
}

TEST(nginx_needs, timezone_is_tzsets_offset)
{
	char tz[] = "TZ=EST5";

	putenv(tz);
	tzset();
	KT_EXPECT_EQ(timezone, 5 * 3600);
	KT_EXPECT_EQ(daylight, 0);
	unsetenv("TZ");
	tzset();
	KT_EXPECT_EQ(timezone, 0);
}

TEST(nginx_needs, ipv6_address_tests)
{
	struct in6_addr any = {0}, mapped = {0}, loop = {0}, ll = {0};

	mapped.s6_addr[10] = 0xff;
	mapped.s6_addr[11] = 0xff;
	mapped.s6_addr[12] = 10;
	loop.s6_addr[15] = 1;
	ll.s6_addr[0] = 0xfe;
	ll.s6_addr[1] = 0x80;
	KT_EXPECT_EQ(IN6_IS_ADDR_UNSPECIFIED(&any), 1);
	KT_EXPECT_EQ(IN6_IS_ADDR_UNSPECIFIED(&loop), 0);
	KT_EXPECT_EQ(IN6_IS_ADDR_LOOPBACK(&loop), 1);
	KT_EXPECT_EQ(IN6_IS_ADDR_V4MAPPED(&mapped), 1);
	KT_EXPECT_EQ(IN6_IS_ADDR_V4MAPPED(&any), 0);
	KT_EXPECT_EQ(IN6_IS_ADDR_LINKLOCAL(&ll), 1);
	KT_EXPECT_EQ(IN6_IS_ADDR_MULTICAST(&ll), 0);
}
