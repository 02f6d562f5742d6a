/*
 * errno_threads.c - errno belongs to each thread. Threads make different
 * calls fail, wait until every one of them has, and find their own errno
 * still there; a new thread starts with errno 0, even in the place of one
 * that ended with another value; the main thread's errno outlives them.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "posix.h"

/* Ways to make a call fail, each with an error of its own. */
static void fail_close(void)
{
	close(-1); /* EBADF */
}

static void fail_open(void)
{
	open("/no-such-directory/no-such-file", O_RDONLY); /* ENOENT */
}

static void fail_strtoul(void)
{
	strtoul("999999999999999999999999999999", NULL, 10); /* ERANGE */
}

static void fail_nanosleep(void)
{
	struct timespec t = {0, -1};

	nanosleep(&t, NULL); /* EINVAL */
}

static void fail_wait(void)
{
	wait(NULL); /* ECHILD */
}

static void fail_kill(void)
{
	kill(2000000000, 0); /* ESRCH */
}

static const struct {
	void (*fail)(void);
	int want;
} ways[] = {
	{fail_close, EBADF},	  {fail_open, ENOENT}, {fail_strtoul, ERANGE},
	{fail_nanosleep, EINVAL}, {fail_wait, ECHILD}, {fail_kill, ESRCH},
};
#define NWAYS ((int)(sizeof(ways) / sizeof(ways[0])))

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t all_failed = PTHREAD_COND_INITIALIZER;
static int failed;

/* What each thread saw, printed by main in order. */
static struct {
	int start, mine, after;
} seen[NWAYS];

/* Fail in way i, wait until every thread has failed, then look at errno
 * again. */
static void *fail_then_check(void *arg)
{
	int i = (int)(intptr_t)arg;
	struct timespec t = {0, 1000000};

	seen[i].start = errno;
	ways[i].fail();
	seen[i].mine = errno;
	pthread_mutex_lock(&lock);
	failed++;
	pthread_cond_broadcast(&all_failed);
	while (failed < NWAYS)
		pthread_cond_wait(&all_failed, &lock);
	pthread_mutex_unlock(&lock);
	for (int k = 0; k < 5; k++)
		sched_yield();
	nanosleep(&t, NULL); /* succeeds, and leaves errno alone */
	seen[i].after = errno;
	return NULL;
}

/* A thread that checks its errno at start, then leaves another one. */
static void *fresh_then_dirty(void *arg)
{
	int start = errno;

	ways[(intptr_t)arg % NWAYS].fail();
	return (void *)(intptr_t)start;
}

int main(void)
{
	pthread_t t[NWAYS];
	int dirty = 0;

	errno = 0;
	fail_close();
	printf("main: %s\n", errno_name(errno));

	for (int i = 0; i < NWAYS; i++)
		pthread_create(&t[i], NULL, fail_then_check,
			       (void *)(intptr_t)i);
	for (int i = 0; i < NWAYS; i++)
		pthread_join(t[i], NULL);
	printf("main after the threads: %s\n", errno_name(errno));
	for (int i = 0; i < NWAYS; i++) {
		printf("thread %d: errno %s at start, ", i,
		       errno_name(seen[i].start));
		printf("%s after failing (want %s), ", errno_name(seen[i].mine),
		       errno_name(ways[i].want));
		printf("%s after the others failed\n",
		       seen[i].after == seen[i].mine
			       ? "still its own"
			       : errno_name(seen[i].after));
	}

	/* One after the other: each may take the place of the last. */
	for (int i = 0; i < 50; i++) {
		void *start;

		pthread_create(&t[0], NULL, fresh_then_dirty,
			       (void *)(intptr_t)i);
		pthread_join(t[0], &start);
		dirty += (intptr_t)start != 0;
	}
	printf("threads one after another that started with errno set: %d\n",
	       dirty);
	printf("main at the end: %s\n", errno_name(errno));
	return 0;
}
