/*
 * hello - the default application: an ordinary C program on newlib that
 * shows the system working (stdio, a file of the initrd, malloc, the
 * clock, threads through the scheduler) and exits with status 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bulkhead/sched.h>

#define WORKERS 4

void *worker(void *arg); /* a thread entry: declared in hello.api */

void *worker(void *arg)
{
	long id = (long)arg;
	struct timespec ts = {0, 1000000 * (WORKERS - id)};

	nanosleep(&ts, NULL); /* the last-started wakes first */
	return (void *)(id * id);
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	sched_thread_t t[WORKERS];
	long sum = 0;

	printf("hello from %s on Bulkhead", argv[0]);
	for (int i = 1; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");

	/* The image's files (configs/default.toml: files = "apps/hello/root") */
	char line[256];
	FILE *motd = fopen("/etc/motd", "r");

	while (motd && fgets(line, sizeof(line), motd))
		fputs(line, stdout);
	if (motd)
		fclose(motd);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	char *buf = malloc(1 << 20);

	if (!buf) {
		printf("malloc of 1 MiB failed\n");
		return 1;
	}
	memset(buf, 'x', 1 << 20);
	free(buf);

	for (long i = 0; i < WORKERS; i++)
		t[i] = sched_create("worker", worker, (void *)i, 0);
	for (int i = 0; i < WORKERS; i++)
		sum += (long)sched_join(t[i]);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	long us = (t1.tv_sec - t0.tv_sec) * 1000000 +
		  (t1.tv_nsec - t0.tv_nsec) / 1000;
	printf("%d threads joined, sum of squares %ld, %ld us\n", WORKERS, sum,
	       us);
	return sum == 14 ? 0 : 1;
}
