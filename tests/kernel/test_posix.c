/*
 * posix: what Bulkhead's POSIX layer says of itself where Linux would say
 * something else (tests/posix/ holds what both say alike): the one
 * process and its ids, uname and the host name, the limits past which
 * root may not go, the calls that cannot be, mappings only mmap's memory
 * can take, and signals' default actions, which end the machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bulkhead/kernel.h>
#include "ktest.h"

#define PG 4096

TEST(posix, one_process_run_by_root)
{
	KT_EXPECT_EQ(getpid(), 1);
	KT_EXPECT_EQ(getppid(), 0);
	KT_EXPECT_EQ(getuid(), 0);
	KT_EXPECT_EQ(getegid(), 0);
	KT_EXPECT_EQ(getpgrp(), 1);
	KT_EXPECT_EQ(setuid(0), 0);
	errno = 0;
	KT_EXPECT_EQ(setuid(1000), -1);
	KT_EXPECT_EQ(errno, EPERM);
}

TEST(posix, no_other_program_runs)
{
	char *argv[] = {"sh", NULL};

	errno = 0;
	KT_EXPECT_EQ(fork(), -1);
	KT_EXPECT_EQ(errno, ENOSYS);
	errno = 0;
	KT_EXPECT_EQ(execv("/bin/sh", argv), -1);
	KT_EXPECT_EQ(errno, ENOSYS);
	KT_EXPECT_EQ(system(NULL), 0); /* no shell */
	errno = 0;
	KT_EXPECT_EQ(system("true"), -1);
	KT_EXPECT_EQ(errno, ENOSYS);
	errno = 0;
	KT_EXPECT_EQ(waitpid(-1, NULL, WNOHANG), -1);
	KT_EXPECT_EQ(errno, ECHILD);
	errno = 0;
	KT_EXPECT_EQ(kill(2, SIGTERM), -1);
	KT_EXPECT_EQ(errno, ESRCH);
}

TEST(posix, uname_and_the_host_name)
{
	struct utsname u;
	char name[70];

	KT_EXPECT_EQ(uname(&u), 0);
	KT_EXPECT_STR(u.sysname, "Bulkhead");
	KT_EXPECT_STR(u.release, BULKHEAD_VERSION);
	KT_EXPECT_STR(u.machine, "x86_64");
	KT_EXPECT_STR(u.nodename, "bulkhead");
	KT_EXPECT_EQ(gethostname(name, sizeof(name)), 0);
	KT_EXPECT_STR(name, "bulkhead");

	memset(name, 'x', sizeof(name));
	errno = 0;
	KT_EXPECT_EQ(sethostname(name, 65), -1);
	KT_EXPECT_EQ(errno, EINVAL);
	KT_EXPECT_EQ(sethostname("box", 3), 0);
	KT_EXPECT_EQ(uname(&u), 0);
	KT_EXPECT_STR(u.nodename, "box");
	KT_EXPECT_EQ(sethostname("bulkhead", 8), 0);
}

TEST(posix, gettimeofday_says_utc)
{
	struct timeval tv;
	struct timezone tz;

	memset(&tz, 0x55, sizeof(tz));
	KT_EXPECT_EQ(gettimeofday(&tv, &tz), 0);
	KT_EXPECT_EQ(tz.tz_minuteswest, 0);
	KT_EXPECT_EQ(tz.tz_dsttime, 0);
	KT_EXPECT_EQ(tv.tv_sec > 1700000000,
		     1); /* after 2023: the RTC's time */
}

TEST(posix, nofile_limits_for_root)
{
	struct rlimit r, saved;

	KT_EXPECT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
	KT_EXPECT_EQ(saved.rlim_cur, 1024);
	KT_EXPECT_EQ(saved.rlim_max, FD_SETSIZE);  /* select's reach */
	r = (struct rlimit){1024, FD_SETSIZE + 1}; /* past the system's most */
	errno = 0;
	KT_EXPECT_EQ(setrlimit(RLIMIT_NOFILE, &r), -1);
	KT_EXPECT_EQ(errno, EPERM);
	r = (struct rlimit){100, 50};
	errno = 0;
	KT_EXPECT_EQ(setrlimit(RLIMIT_NOFILE, &r), -1);
	KT_EXPECT_EQ(errno, EINVAL);
	/* root lowers the hard limit and raises it again */
	r = (struct rlimit){16, 16};
	KT_EXPECT_EQ(setrlimit(RLIMIT_NOFILE, &r), 0);
	KT_EXPECT_EQ(sysconf(_SC_OPEN_MAX), 16);
	KT_EXPECT_EQ(fcntl(0, F_DUPFD, 16), -1);
	KT_EXPECT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
	KT_EXPECT_EQ(sysconf(_SC_OPEN_MAX), 1024);
	errno = 0;
	KT_EXPECT_EQ(getrlimit(RLIMIT_NLIMITS, &r), -1);
	KT_EXPECT_EQ(errno, EINVAL);
}

TEST(posix, mappings_only_over_what_mmap_gave)
{
	static char not_mapped[2 * PG] __attribute__((aligned(PG)));
	char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	KT_ASSERT(p != MAP_FAILED);
	KT_EXPECT_EQ((uintptr_t)p % PG, 0);
	errno = 0;
	KT_ASSERT(mmap(not_mapped, PG, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
		       0) == MAP_FAILED);
	KT_EXPECT_EQ(errno, EINVAL);
	/* memory mmap did not give counts as mapped */
	KT_EXPECT_EQ(mprotect(not_mapped, PG, PROT_READ), 0);
	KT_EXPECT_EQ(munmap(not_mapped, PG), 0);

	errno = 0;
	KT_EXPECT_EQ(munmap(p + 1, PG), -1);
	KT_EXPECT_EQ(errno, EINVAL);
	errno = 0;
	KT_EXPECT_EQ(munmap(p, 0), -1);
	KT_EXPECT_EQ(errno, EINVAL);
	KT_EXPECT_EQ(munmap(p + PG, PG), 0);
	errno = 0;
	KT_EXPECT_EQ(mprotect(p + PG, PG, PROT_READ), -1);
	KT_EXPECT_EQ(errno, ENOMEM);
	p[0] = 'x';
	KT_EXPECT_EQ(madvise(p, PG, MADV_DONTNEED), 0);
	KT_EXPECT_EQ(p[0], 0);
	/* MAP_FIXED_NOREPLACE over a mapped page */
	errno = 0;
	KT_ASSERT(mmap(p, PG, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
		       0) == MAP_FAILED);
	KT_EXPECT_EQ(errno, EEXIST);
	KT_EXPECT_EQ(munmap(p, 2 * PG), 0);
}

/* A shared file mapping writes its bytes back to the file (at msync,
 * munmap and MADV_DONTNEED), never past the file's end; a second shared
 * mapping of the same bytes, which could not see the first's writes, is
 * refused. */
TEST(posix, shared_file_mappings_write_back)
{
	char buf[8] = {0};
	struct stat st;
	int fd = open("/tmp/posix.map", O_RDWR | O_CREAT | O_TRUNC, 0600);

	KT_ASSERT(fd >= 0);
	KT_EXPECT_EQ(write(fd, "bytes", 5), 5);
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	KT_ASSERT(p != MAP_FAILED);
	KT_EXPECT_EQ(memcmp(p, "bytes", 5), 0);
	errno = 0;
	KT_EXPECT_EQ(mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED,
		     1);
	KT_EXPECT_EQ(errno, ENODEV);
	char *q = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0);

	KT_ASSERT(q != MAP_FAILED);
	KT_EXPECT_EQ(munmap(q, PG), 0);

	p[0] = 'B';
	KT_EXPECT_EQ(msync(p, PG, MS_SYNC), 0);
	KT_EXPECT_EQ(pread(fd, buf, 5, 0), 5);
	KT_EXPECT_STR(buf, "Bytes");
	KT_EXPECT_EQ(fstat(fd, &st), 0);
	KT_EXPECT_EQ(st.st_size, 5); /* the page's rest is not the file's */
	p[1] = 'Y';
	KT_EXPECT_EQ(madvise(p, PG, MADV_DONTNEED), 0);
	KT_EXPECT_EQ(p[1], 'Y'); /* read again from the file */
	p[2] = 'T';
	KT_EXPECT_EQ(munmap(p, PG), 0);
	KT_EXPECT_EQ(pread(fd, buf, 5, 0), 5);
	KT_EXPECT_STR(buf, "BYTes");
	KT_EXPECT_EQ(fstat(fd, &st), 0);
	KT_EXPECT_EQ(st.st_size, 5);

	/* Mapped again once the first is gone; from a file open for
	 * reading only, nothing goes back. */
	int ro = open("/tmp/posix.map", O_RDONLY);

	KT_ASSERT(ro >= 0);
	p = mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
	KT_ASSERT(p != MAP_FAILED);
	KT_EXPECT_EQ(memcmp(p, "BYTes", 5), 0);
	p[0] = 'x'; /* protections are not applied: the write stays here */
	KT_EXPECT_EQ(munmap(p, PG), 0);
	KT_EXPECT_EQ(pread(fd, buf, 5, 0), 5);
	KT_EXPECT_STR(buf, "BYTes");
	close(ro);
	close(fd);
	unlink("/tmp/posix.map");
}

static int caught;

static void count(int sig)
{
	caught += sig;
}

TEST(posix, handlers_masks_and_broken_pipes)
{
	sigset_t s;
	int p[2];

	caught = 0;
	KT_ASSERT(signal(SIGUSR1, count) == SIG_DFL);
	KT_EXPECT_EQ(raise(SIGUSR1), 0);
	KT_EXPECT_EQ(caught, SIGUSR1);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	kill(getpid(), SIGUSR1);
	KT_EXPECT_EQ(caught, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	KT_EXPECT_EQ(caught, 2 * SIGUSR1);
	signal(SIGUSR1, SIG_DFL);

	caught = 0;
	signal(SIGPIPE, count);
	KT_EXPECT_EQ(pipe(p), 0);
	close(p[0]);
	errno = 0;
	KT_EXPECT_EQ(write(p[1], "x", 1), -1);
	KT_EXPECT_EQ(errno, EPIPE);
	KT_EXPECT_EQ(caught, SIGPIPE);
	close(p[1]);
	signal(SIGPIPE, SIG_DFL);
}

/*
 * A signal nobody handles ends the machine with 128 + its number, and
 * says so. QEMU's exit code has 8 bits: 2 * (128 + sig) + 3 wraps to
 * 2 * sig + 3, which the runner reads back as sig, so the full status is
 * looked for in the exit line.
 */
TEST_ALONE(posix, sigterm_by_default_ends_the_machine)
{
	ktest_expect_exit(SIGTERM);
	ktest_expect("terminated by signal 15 (SIGTERM)");
	ktest_expect("exit status 143");
	kill(getpid(), SIGTERM);
	printf("still running after SIGTERM\n");
}

TEST_ALONE(posix, a_broken_pipe_kills_by_default)
{
	int p[2];

	ktest_expect_exit(SIGPIPE);
	ktest_expect("terminated by signal 13 (SIGPIPE)");
	ktest_expect("exit status 141");
	pipe(p);
	close(p[0]);
	write(p[1], "x", 1);
	printf("still running after SIGPIPE\n");
}

static void returns(int sig)
{
	(void)sig;
	printf("SIGABRT handler ran\n");
}

/* abort() goes on to the default action when the handler returns. */
TEST_ALONE(posix, abort_ends_even_when_its_handler_returns)
{
	ktest_expect_exit(SIGABRT);
	ktest_expect("SIGABRT handler ran");
	ktest_expect("terminated by signal 6 (SIGABRT)");
	ktest_expect("exit status 134");
	signal(SIGABRT, returns);
	abort();
}
