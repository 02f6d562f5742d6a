/*
 * isolate.h - run a piece of a test case in a forked child.
 *
 * Some cases feed malformed input to a parser and rely on ASan to report
 * a read out of bounds, or on a time limit to catch an endless loop. With
 * -fno-sanitize-recover a report ends the process; in a child it ends
 * only the child, so one bad case fails alone and the run goes on.
 */
#ifndef TESTS_HOST_ISOLATE_H
#define TESTS_HOST_ISOLATE_H

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ktest.h"

#define ISOLATE_SECONDS 2 /* a child still running after this hangs */

/*
 * Call fn(ctx) in a child. `ctx` (size bytes) is copied into shared
 * memory for the call and back afterwards, so the child's results written
 * there reach the caller; pointers in it still work in the child, whose
 * memory is a copy of ours. Returns 1 if the child finished normally;
 * otherwise records a failure at file:line saying how it died and
 * returns 0.
 */
static inline int isolate_run(const char *file, int line, void (*fn)(void *ctx),
			      void *ctx, size_t size)
{
	void *shared = mmap(NULL, size, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status = 0;
	pid_t pid;

	if (shared == MAP_FAILED) {
		ktest_fail(file, line, "mmap for the child failed");
		return 0;
	}
	memcpy(shared, ctx, size);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		alarm(ISOLATE_SECONDS);
		fn(shared);
		_exit(0); /* no atexit handlers, no leak check */
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		munmap(shared, size);
		ktest_fail(file, line, "fork or waitpid failed");
		return 0;
	}
	memcpy(ctx, shared, size);
	munmap(shared, size);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 1;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		ktest_fail(file, line,
			   "still running after %d s: endless loop?",
			   ISOLATE_SECONDS);
	else if (WIFSIGNALED(status))
		ktest_fail(file, line, "child killed by signal %d",
			   WTERMSIG(status));
	else
		ktest_fail(file, line,
			   "child exited with status %d "
			   "(sanitizer report above)",
			   WEXITSTATUS(status));
	return 0;
}

/* Run fn(ctx) in a child; end the case if the child did not finish. */
#define KT_ISOLATED(fn, ctx)                                                   \
	do {                                                                   \
		if (!isolate_run(__FILE__, __LINE__, (fn), (ctx),              \
				 sizeof(*(ctx))))                              \
			return;                                                \
	} while (0)

#endif
