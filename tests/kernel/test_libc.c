/*
 * libc: newlib on Bulkhead - formatting (with floating point), the
 * allocator, per-thread errno, stdio locks as scheduler mutexes, and
 * exit() running atexit handlers and flushing stdio.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/lock.h>
#include <sys/stdio.h>
#include <bulkhead/sched.h>
#include "ktest.h"

TEST(libc, snprintf_with_floating_point)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.3f|%5d|%-4s|%lld|%e", 3.14159, 42, "ab",
		 -1234567890123LL, 1.5e10);
	KT_EXPECT_STR(buf, "3.142|   42|ab  |-1234567890123|1.500000e+10");
	KT_EXPECT_EQ((long)(strtod("2.5e3", NULL)), 2500);
}

TEST(libc, malloc_calloc_realloc_free)
{
	char *p = malloc(10);

	KT_ASSERT(p != NULL);
	strcpy(p, "bulkhead");
	p = realloc(p, 100000);
	KT_ASSERT(p != NULL);
	KT_EXPECT_STR(p, "bulkhead");
	free(p);
	int *z = calloc(1000, sizeof(int));

	KT_ASSERT(z != NULL);
	for (int i = 0; i < 1000; i++)
		KT_ASSERT(z[i] == 0);
	free(z);
	void *a = NULL;

	KT_EXPECT_EQ(posix_memalign(&a, 4096, 100), 0);
	KT_EXPECT_EQ((uintptr_t)a % 4096, 0);
	free(a);
	KT_EXPECT_EQ(posix_memalign(&a, 3, 100), EINVAL);
}

static void *errno_setter(void *arg)
{
	errno = (int)(long)arg;
	sched_yield(); /* the other thread sets its own */
	sched_yield();
	return (void *)(long)errno;
}

TEST(libc, errno_is_per_thread)
{
	sched_thread_t a = sched_create("ea", errno_setter, (void *)11, 0);
	sched_thread_t b = sched_create("eb", errno_setter, (void *)22, 0);

	errno = 33;
	KT_EXPECT_EQ((long)sched_join(a), 11);
	KT_EXPECT_EQ((long)sched_join(b), 22);
	KT_EXPECT_EQ(errno, 33);
}

/* Try the lock newlib's stdio takes around every operation on stdout. */
static void *try_stdout(void *arg)
{
	(void)arg;
	int got = __retarget_lock_try_acquire_recursive(stdout->_lock);

	if (got)
		__retarget_lock_release_recursive(stdout->_lock);
	return (void *)(long)!got;
}

/* stdio's locks are scheduler mutexes: held across a yield, they exclude. */
TEST(libc, stdio_locks_are_scheduler_mutexes)
{
	_flockfile(stdout);
	sched_thread_t t = sched_create("try", try_stdout, NULL, 0);

	KT_ASSERT((long)sched_join(t) != 0);
	_funlockfile(stdout);
	t = sched_create("try", try_stdout, NULL, 0);
	KT_EXPECT_EQ((long)sched_join(t), 0);
}

static void *shared_stdout(void *arg)
{
	(void)arg;
	return stdout;
}

TEST(libc, threads_share_the_standard_streams)
{
	sched_thread_t t = sched_create("out", shared_stdout, NULL, 0);

	KT_ASSERT(sched_join(t) == (void *)stdout);
}

/* stdio over the vfs: a file of the initrd (tests/initrd/, this image's
 * files), a missing one, and one written to /tmp and read back. */
TEST(libc, stdio_reads_and_writes_files)
{
	char line[128];
	FILE *f = fopen("/etc/motd", "r");

	KT_ASSERT(f != NULL);
	KT_ASSERT(fgets(line, sizeof(line), f) != NULL);
	KT_EXPECT_STR(line, "Bulkhead test kernel: files from tests/initrd/\n");
	KT_EXPECT_EQ(fclose(f), 0);
	errno = 0;
	KT_ASSERT(fopen("/etc/nothing", "r") == NULL);
	KT_EXPECT_EQ(errno, ENOENT);
	f = fopen("/tmp/stdio", "w+");
	KT_ASSERT(f != NULL);
	KT_EXPECT_EQ(fprintf(f, "%d %s\n", 42, "written"), 11);
	rewind(f);
	KT_ASSERT(fgets(line, sizeof(line), f) != NULL);
	KT_EXPECT_STR(line, "42 written\n");
	KT_EXPECT_EQ(fclose(f), 0);
	KT_EXPECT_EQ(remove("/tmp/stdio"), 0);
}

static void at_exit_handler(void)
{
	printf("atexit handler ran\n");
}

/* exit() runs atexit handlers, flushes a partial line, and the machine
 * stops with the status. */
TEST_ALONE(libc, exit_runs_atexit_and_flushes)
{
	ktest_expect_exit(42);
	ktest_expect("atexit handler ran");
	ktest_expect("partial line without newline");
	atexit(at_exit_handler);
	printf("partial line without newline");
	exit(42);
}
