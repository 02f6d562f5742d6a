/*
 * system.c - what the process knows of itself and of the system: its ids,
 * uname and the host name, sysconf, resource limits and usage, and the
 * calls that would make or wait for other processes.
 *
 * There is one process, Linux's init: pid 1, parent 0, group and session
 * 1, run by root (uid and gid 0). No other program can be started:
 * fork, exec and friends fail with ENOSYS, and there is never a child to
 * wait for (ECHILD).
 *
 * Each compartment's libc has its own copy of this state: the host name
 * and limits one compartment sets are its own. RLIMIT_NOFILE is the
 * descriptor table's limit (libc/fd.c); the other limits are kept and
 * reported, and enforce nothing.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/time.h>
#include "fd.h"

#define PAGE_SIZE    4096
#define CLOCK_TICKS  100 /* sysconf(_SC_CLK_TCK), as Linux's USER_HZ */
#define HOSTNAME_MAX 64	 /* HOST_NAME_MAX */
#define CACHE_LINE   64	 /* x86_64's */
/* _SC_PHYS_PAGES: the memory scripts/qemu-run.sh gives a guest (256 MiB).
 * The kernel's count (mm_total_bytes) is the core's alone to ask. */
#define PHYS_PAGES   (256UL * 1024 * 1024 / PAGE_SIZE)

extern struct mm_heap libc_heap; /* libc/malloc.c */

static int fail(int e)
{
	errno = e;
	return -1;
}

/* --- ids --------------------------------------------------------------- */

pid_t getpid(void)
{
	return 1;
}

pid_t getppid(void)
{
	return 0;
}

uid_t getuid(void)
{
	return 0;
}

uid_t geteuid(void)
{
	return 0;
}

gid_t getgid(void)
{
	return 0;
}

gid_t getegid(void)
{
	return 0;
}

/* There is no other user to become. */
int setuid(uid_t uid)
{
	return uid == 0 ? 0 : fail(EPERM);
}

int seteuid(uid_t uid)
{
	return setuid(uid);
}

int setgid(gid_t gid)
{
	return gid == 0 ? 0 : fail(EPERM);
}

int setegid(gid_t gid)
{
	return setgid(gid);
}

pid_t getpgrp(void)
{
	return 1;
}

pid_t getpgid(pid_t pid)
{
	return pid == 0 || pid == 1 ? 1 : fail(ESRCH);
}

pid_t getsid(pid_t pid)
{
	return getpgid(pid);
}

/* The process already leads its group and session. */
pid_t setsid(void)
{
	return fail(EPERM);
}

/* --- names --------------------------------------------------------------- */

static char hostname[HOSTNAME_MAX + 1];
static int hostname_set;

/* The host name: "hostname=" on the command line, else "bulkhead". A
 * name longer than HOST_NAME_MAX stops the machine, naming it. */
static const char *host(void)
{
	if (!hostname_set) {
		const char *v = cmdline_get("hostname");

		if (v && strlen(v) > HOSTNAME_MAX) {
			char msg[128];

			snprintf(msg, sizeof(msg),
				 "cmdline: hostname=%.20s... is longer than "
				 "%d bytes",
				 v, HOSTNAME_MAX);
			panic_text(msg);
		}
		strcpy(hostname, v ? v : "bulkhead");
		hostname_set = 1;
	}
	return hostname;
}

int gethostname(char *name, size_t len)
{
	size_t n = strlen(host());

	if (n + 1 > len) {
		if (len) {
			memcpy(name, hostname, len - 1);
			name[len - 1] = 0;
		}
		return fail(ENAMETOOLONG);
	}
	memcpy(name, hostname, n + 1);
	return 0;
}

/* Root may: the name is this compartment's from now on. */
int sethostname(const char *name, size_t len)
{
	if (len > HOSTNAME_MAX)
		return fail(EINVAL);
	if (!name && len)
		return fail(EFAULT);
	host();
	memcpy(hostname, name, len);
	hostname[len] = 0;
	return 0;
}

int uname(struct utsname *u)
{
	if (!u)
		return fail(EFAULT);
	memset(u, 0, sizeof(*u));
	strcpy(u->sysname, BULKHEAD_NAME);
	strcpy(u->nodename, host());
	snprintf(u->release, sizeof(u->release), "%s", BULKHEAD_VERSION);
	snprintf(u->version, sizeof(u->version), "%s %s", comp_config.name,
		 comp_config.backend);
	strcpy(u->machine, "x86_64");
	strcpy(u->domainname, "(none)");
	return 0;
}

/* --- limits -------------------------------------------------------------- */

long sysconf(int name)
{
	switch (name) {
	case _SC_ARG_MAX:
		return ARG_MAX;
	case _SC_CLK_TCK:
		return CLOCK_TICKS;
	case _SC_NGROUPS_MAX:
		return NGROUPS_MAX;
	case _SC_OPEN_MAX:
		return fd_limit();
	case _SC_PAGESIZE:
		return PAGE_SIZE;
	case _SC_NPROCESSORS_CONF:
	case _SC_NPROCESSORS_ONLN:
		return 1;
	case _SC_PHYS_PAGES:
		return (long)PHYS_PAGES;
	case _SC_IOV_MAX:
		return IOV_MAX;
	case _SC_LINE_MAX:
		return LINE_MAX;
	case _SC_HOST_NAME_MAX:
		return HOSTNAME_MAX;
	case _SC_VERSION:
		return 200809L;
	case _SC_MONOTONIC_CLOCK:
		return _POSIX_MONOTONIC_CLOCK;
	case _SC_LEVEL1_DCACHE_LINESIZE:
		return CACHE_LINE;
	}
	return fail(EINVAL);
}

int getpagesize(void)
{
	return PAGE_SIZE;
}

/* The limits as Linux starts a process with them (RLIMIT_STACK: the main
 * thread's stack, which is what it has), RLIMIT_NOFILE aside. */
static struct rlimit limits[RLIMIT_NLIMITS] = {
	[RLIMIT_CPU] = {RLIM_INFINITY, RLIM_INFINITY},
	[RLIMIT_FSIZE] = {RLIM_INFINITY, RLIM_INFINITY},
	[RLIMIT_DATA] = {RLIM_INFINITY, RLIM_INFINITY},
	[RLIMIT_STACK] = {0, RLIM_INFINITY},
	[RLIMIT_CORE] = {0, RLIM_INFINITY},
	[RLIMIT_RSS] = {RLIM_INFINITY, RLIM_INFINITY},
	[RLIMIT_NPROC] = {RLIM_INFINITY, RLIM_INFINITY},
	[RLIMIT_NOFILE] = {0, FD_HARD_LIMIT},
	[RLIMIT_MEMLOCK] = {RLIM_INFINITY, RLIM_INFINITY},
	[RLIMIT_AS] = {RLIM_INFINITY, RLIM_INFINITY},
	[RLIMIT_LOCKS] = {RLIM_INFINITY, RLIM_INFINITY},
	[RLIMIT_SIGPENDING] = {RLIM_INFINITY, RLIM_INFINITY},
	[RLIMIT_MSGQUEUE] = {RLIM_INFINITY, RLIM_INFINITY},
	[RLIMIT_NICE] = {0, 0},
	[RLIMIT_RTPRIO] = {0, 0},
	[RLIMIT_RTTIME] = {RLIM_INFINITY, RLIM_INFINITY},
};

int getrlimit(int resource, struct rlimit *r)
{
	if (resource < 0 || resource >= RLIMIT_NLIMITS)
		return fail(EINVAL);
	if (!r)
		return fail(EFAULT);
	*r = limits[resource];
	if (resource == RLIMIT_NOFILE)
		r->rlim_cur = (rlim_t)fd_limit();
	if (resource == RLIMIT_STACK && !r->rlim_cur)
		r->rlim_cur = comp_config.main_stack;
	return 0;
}

/*
 * Linux's rules for root, the one user: the soft limit may not pass the
 * hard one (EINVAL), and a hard limit may rise up to the system's most,
 * which only RLIMIT_NOFILE has (EPERM past it).
 */
int setrlimit(int resource, const struct rlimit *r)
{
	if (resource < 0 || resource >= RLIMIT_NLIMITS)
		return fail(EINVAL);
	if (!r)
		return fail(EFAULT);
	if (r->rlim_cur > r->rlim_max)
		return fail(EINVAL);
	if (resource == RLIMIT_NOFILE) {
		if (r->rlim_max > FD_HARD_LIMIT)
			return fail(EPERM);
		if (fd_set_limit((int)r->rlim_cur) < 0)
			return -1;
	}
	limits[resource] = *r;
	return 0;
}

/*
 * The process's nice value, as Linux keeps it for root, the one user: any
 * value from -20 to 19 (others are clamped) for the process (pid 0 or 1),
 * its group (1) or its user (uid 0); any other is ESRCH. It is kept, not
 * applied: the scheduler has no priorities.
 */
static int nice_value;

static int is_self(int which, int who)
{
	switch (which) {
	case PRIO_PROCESS:
	case PRIO_PGRP:
		return who == 0 || who == 1 ? 1 : (errno = ESRCH, 0);
	case PRIO_USER:
		return who == 0 ? 1 : (errno = ESRCH, 0);
	}
	errno = EINVAL;
	return 0;
}

int getpriority(int which, int who)
{
	return is_self(which, who) ? nice_value : -1;
}

int setpriority(int which, int who, int prio)
{
	if (!is_self(which, who))
		return -1;
	nice_value = prio < -20 ? -20 : prio > 19 ? 19 : prio;
	return 0;
}

/* --- usage --------------------------------------------------------------- */

/*
 * All time is user time (times() says the same): the clock since boot,
 * for the process and for each thread alike (threads' times are not
 * kept). ru_maxrss is this compartment's heap, which never shrinks.
 */
int getrusage(int who, struct rusage *u)
{
	if (who != RUSAGE_SELF && who != RUSAGE_THREAD &&
	    who != RUSAGE_CHILDREN)
		return fail(EINVAL);
	memset(u, 0, sizeof(*u));
	if (who == RUSAGE_CHILDREN)
		return 0;
	uint64_t ns = time_now_ns();

	u->ru_utime.tv_sec = (time_t)(ns / NSEC_PER_SEC);
	u->ru_utime.tv_usec = (suseconds_t)(ns % NSEC_PER_SEC / 1000);
	u->ru_maxrss = (long)(libc_heap.bytes_total / 1024);
	return 0;
}

clock_t times(struct tms *t)
{
	clock_t now = (clock_t)(time_now_ns() / (NSEC_PER_SEC / CLOCK_TICKS));

	t->tms_utime = now;
	t->tms_stime = 0;
	t->tms_cutime = t->tms_cstime = 0;
	return now;
}

/* The processor time used, in CLOCKS_PER_SEC: all of it since boot. */
clock_t clock(void)
{
	return (clock_t)(time_now_ns() / (NSEC_PER_SEC / CLOCKS_PER_SEC));
}

/* --- other processes ----------------------------------------------------- */

pid_t fork(void)
{
	return fail(ENOSYS);
}

pid_t vfork(void)
{
	return fail(ENOSYS);
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	(void)path;
	(void)argv;
	(void)envp;
	return fail(ENOSYS);
}

int fexecve(int fd, char *const argv[], char *const envp[])
{
	(void)fd;
	return execve(NULL, argv, envp);
}

int execv(const char *path, char *const argv[])
{
	return execve(path, argv, NULL);
}

int execvp(const char *file, char *const argv[])
{
	return execve(file, argv, NULL);
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
	return execve(file, argv, envp);
}

int execl(const char *path, const char *arg, ...)
{
	(void)arg;
	return execve(path, NULL, NULL);
}

int execle(const char *path, const char *arg, ...)
{
	(void)arg;
	return execve(path, NULL, NULL);
}

int execlp(const char *file, const char *arg, ...)
{
	(void)arg;
	return execve(file, NULL, NULL);
}

pid_t wait(int *status)
{
	(void)status;
	return fail(ECHILD);
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	(void)pid;
	(void)status;
	(void)options;
	return fail(ECHILD);
}

/* No shell: system(NULL) says so, and a command cannot run. */
int system(const char *command)
{
	return command ? fail(ENOSYS) : 0;
}

FILE *popen(const char *command, const char *mode)
{
	(void)command;
	(void)mode;
	errno = ENOSYS;
	return NULL;
}

int pclose(FILE *f)
{
	(void)f;
	return fail(ECHILD);
}
