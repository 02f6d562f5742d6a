/*
 * process.c - what a process knows of itself: ids, uname, the host name,
 * sysconf, resource limits (RLIMIT_NOFILE enforced), usage, and waiting
 * for children that do not exist.
 *
 * Only what Linux and Bulkhead share is printed: relations between
 * values, never ids, names or times themselves.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "posix.h"

static void rc(const char *name, long r)
{
	if (r < 0)
		printf("%s: %ld %s\n", name, r, errname(errno));
	else
		printf("%s: %ld\n", name, r);
}

static void ids(void)
{
	printf("getpid positive: %d\n", getpid() > 0);
	printf("getppid not negative: %d\n", getppid() >= 0);
	printf("getuid is geteuid: %d\n", getuid() == geteuid());
	printf("getgid is getegid: %d\n", getgid() == getegid());
}

static void names(void)
{
	struct utsname u;
	char host[HOST_NAME_MAX + 1];

	memset(&u, 'x', sizeof(u));
	rc("uname", uname(&u));
	printf("sysname, release, version set: %d %d %d\n", u.sysname[0] != 0,
	       u.release[0] != 0, u.version[0] != 0);
	printf("machine: %s\n", u.machine);
	rc("gethostname", gethostname(host, sizeof(host)));
	printf("nodename is the host name: %d\n",
	       strcmp(u.nodename, host) == 0);
	printf("host name not empty, at most %d bytes: %d\n", HOST_NAME_MAX,
	       host[0] != 0 && strlen(host) <= HOST_NAME_MAX);
	rc("gethostname into 1 byte", gethostname(host, 1));
	gethostname(host, sizeof(host));
	rc("gethostname with no room for the NUL",
	   gethostname(host, strlen(host)));
}

static void limits(void)
{
	printf("_SC_PAGESIZE %ld, getpagesize %d\n", sysconf(_SC_PAGESIZE),
	       getpagesize());
	printf("_SC_CLK_TCK %ld\n", sysconf(_SC_CLK_TCK));
	printf("_SC_IOV_MAX %ld\n", sysconf(_SC_IOV_MAX));
	printf("_SC_LINE_MAX %ld\n", sysconf(_SC_LINE_MAX));
	printf("_SC_HOST_NAME_MAX %ld\n", sysconf(_SC_HOST_NAME_MAX));
	long on = sysconf(_SC_NPROCESSORS_ONLN);
	long conf = sysconf(_SC_NPROCESSORS_CONF);

	printf("processors: online >= 1 %d, configured >= online %d\n", on >= 1,
	       conf >= on);
	printf("_SC_PHYS_PAGES positive: %d\n", sysconf(_SC_PHYS_PAGES) > 0);
	errno = 0;
	rc("sysconf(-1)", sysconf(-1));
	rc("sysconf(100000)", sysconf(100000));
}

static void rlimits(void)
{
	struct rlimit r, saved;

	rc("getrlimit NOFILE", getrlimit(RLIMIT_NOFILE, &saved));
	printf("NOFILE cur <= max: %d\n", saved.rlim_cur <= saved.rlim_max);
	printf("_SC_OPEN_MAX is the soft limit: %d\n",
	       sysconf(_SC_OPEN_MAX) == (long)saved.rlim_cur);

	r = saved;
	r.rlim_cur = 64;
	rc("setrlimit NOFILE 64", setrlimit(RLIMIT_NOFILE, &r));
	getrlimit(RLIMIT_NOFILE, &r);
	printf("NOFILE now %lu, _SC_OPEN_MAX %ld\n", (unsigned long)r.rlim_cur,
	       sysconf(_SC_OPEN_MAX));
	int fd, last = -1;

	while ((fd = dup(0)) >= 0)
		last = fd;
	printf("dup until %s: the last descriptor %d\n", errname(errno), last);
	rc("fcntl F_DUPFD at the limit", fcntl(0, F_DUPFD, 64));
	rc("dup2 to the limit", dup2(0, 64));
	for (fd = 3; fd <= last; fd++)
		close(fd);

	r = saved;
	r.rlim_cur = r.rlim_max + 1;
	if (r.rlim_max != RLIM_INFINITY)
		rc("setrlimit NOFILE cur above max",
		   setrlimit(RLIMIT_NOFILE, &r));
	else
		printf("setrlimit NOFILE cur above max: -1 EINVAL\n");
	r.rlim_cur = 1UL << 40;
	r.rlim_max = 1UL << 40;
	rc("setrlimit NOFILE past the system's most",
	   setrlimit(RLIMIT_NOFILE, &r));
	rc("setrlimit NOFILE back", setrlimit(RLIMIT_NOFILE, &saved));
	getrlimit(RLIMIT_NOFILE, &r);
	printf("NOFILE restored: %d\n",
	       r.rlim_cur == saved.rlim_cur && r.rlim_max == saved.rlim_max);

	static const struct {
		const char *name;
		int res;
	} res[] = {{"STACK", RLIMIT_STACK}, {"CORE", RLIMIT_CORE},
		   {"AS", RLIMIT_AS},	    {"DATA", RLIMIT_DATA},
		   {"FSIZE", RLIMIT_FSIZE}, {"CPU", RLIMIT_CPU}};

	for (size_t i = 0; i < sizeof(res) / sizeof(res[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "getrlimit %s", res[i].name);
		rc(name, getrlimit(res[i].res, &r));
		printf("%s cur <= max: %d\n", res[i].name,
		       r.rlim_cur <= r.rlim_max);
		/* Lowering the soft limit to what it is is always allowed. */
		snprintf(name, sizeof(name), "setrlimit %s unchanged",
			 res[i].name);
		rc(name, setrlimit(res[i].res, &r));
	}
	getrlimit(RLIMIT_CORE, &r);
	r.rlim_cur = 0;
	rc("setrlimit CORE 0", setrlimit(RLIMIT_CORE, &r));
	getrlimit(RLIMIT_CORE, &r);
	printf("CORE now %lu\n", (unsigned long)r.rlim_cur);
	rc("getrlimit 99", getrlimit(99, &r));
	rc("setrlimit 99", setrlimit(99, &r));
}

static void usage(void)
{
	struct rusage u;
	struct tms t;

	rc("getrusage SELF", getrusage(RUSAGE_SELF, &u));
	printf("utime not negative: %d\n",
	       u.ru_utime.tv_sec >= 0 && u.ru_utime.tv_usec >= 0 &&
		       u.ru_utime.tv_usec < 1000000);
	printf("maxrss positive: %d\n", u.ru_maxrss > 0);
	rc("getrusage THREAD", getrusage(RUSAGE_THREAD, &u));
	rc("getrusage CHILDREN", getrusage(RUSAGE_CHILDREN, &u));
	printf("children used nothing: %d\n",
	       u.ru_utime.tv_sec == 0 && u.ru_utime.tv_usec == 0 &&
		       u.ru_stime.tv_sec == 0 && u.ru_stime.tv_usec == 0);
	rc("getrusage 5", getrusage(5, &u));
	printf("times: %s\n", times(&t) == (clock_t)-1 ? "failed" : "ok");
}

static void children(void)
{
	int status;

	rc("wait", wait(&status));
	rc("waitpid -1", waitpid(-1, &status, 0));
	rc("waitpid -1 WNOHANG", waitpid(-1, &status, WNOHANG));
	rc("waitpid 12345", waitpid(12345, &status, 0));
}

int main(void)
{
	ids();
	names();
	limits();
	rlimits();
	usage();
	children();
	return 0;
}
