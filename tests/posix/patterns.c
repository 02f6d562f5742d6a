/*
 * patterns.c - path names and numbers: glob() over a small tree (stars,
 * question marks, brackets, escapes, hidden names, directories in the
 * middle, GLOB_MARK, NOCHECK, APPEND, DOOFFS, no match), dirname(),
 * get_current_dir_name(), flock(), and long double through printf and
 * strtold at its own precision (%.17Lf, ceill, llroundl). dirname of a
 * path starting with exactly two slashes is the implementation's choice
 * (POSIX), so none is asked.
 */
#define _GNU_SOURCE /* get_current_dir_name */
#include <glob.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "posix.h"

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f)
		fclose(f);
}

static void show(const char *pattern, int flags)
{
	glob_t g;
	int r = glob(pattern, flags, NULL, &g);

	printf("glob %s: %s", pattern,
	       r == 0		   ? "0"
	       : r == GLOB_NOMATCH ? "GLOB_NOMATCH"
				   : "error");
	if (r == 0)
		for (size_t i = 0; i < (size_t)g.gl_pathc; i++)
			printf(" %s", g.gl_pathv[i]);
	printf("\n");
	if (r == 0)
		globfree(&g);
}

static void globs(void)
{
	glob_t g;

	mkdir("gl", 0755);
	mkdir("gl/sub", 0755);
	mkdir("gl/sub2", 0755);
	touch("gl/a.conf");
	touch("gl/b.conf");
	touch("gl/c.txt");
	touch("gl/.hidden.conf");
	touch("gl/sub/x.conf");
	touch("gl/sub2/y.conf");
	touch("gl/star*");
	show("gl/*.conf", 0);
	show("gl/?.conf", 0);
	show("gl/[ab].conf", 0);
	show("gl/[!a]*", 0);
	show("gl/.*.conf", 0);
	show("gl/*/*.conf", 0);
	show("gl/sub*", GLOB_MARK);
	show("gl/star\\*", 0);
	show("gl/*.none", 0);
	show("gl/*.none", GLOB_NOCHECK);
	show("gl/c.txt", 0);
	show("gl/missing", 0);
	show("gl/sub/../a.conf", 0);
	g.gl_offs = 2;
	if (glob("gl/a.*", GLOB_DOOFFS, NULL, &g) == 0 &&
	    glob("gl/c.*", GLOB_DOOFFS | GLOB_APPEND, NULL, &g) == 0) {
		printf("dooffs+append: %zu:", (size_t)g.gl_pathc);
		for (size_t i = 0; i < (size_t)(g.gl_offs + g.gl_pathc); i++)
			printf(" %s", g.gl_pathv[i] ? g.gl_pathv[i] : "(null)");
		printf("\n");
		globfree(&g);
	}
}

static void dirnames(void)
{
	const char *paths[] = {"/usr/lib", "/usr/", "usr",    "/",
			       ".",	   "..",    "a//b//", ""};

	for (unsigned i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		char buf[32];

		strcpy(buf, paths[i]);
		printf("dirname(\"%s\") = \"%s\"\n", paths[i], dirname(buf));
	}
	printf("dirname(NULL) = \"%s\"\n", dirname(NULL));
	char *cwd = get_current_dir_name(), *want = getcwd(NULL, 0);

	printf("get_current_dir_name is getcwd: %d\n",
	       cwd && want && !strcmp(cwd, want));
	free(cwd);
	free(want);
}

static void locks(void)
{
	int fd = open("lk", O_CREAT | O_RDWR, 0644);

	SHOW_ERRNO(flock(fd, LOCK_EX));
	SHOW_ERRNO(flock(fd, LOCK_SH | LOCK_NB));
	SHOW_ERRNO(flock(fd, LOCK_UN));
	SHOW_ERRNO(flock(fd, 0));
	close(fd);
	SHOW_ERRNO(flock(fd, LOCK_EX));
}

static void long_doubles(void)
{
	const char *in[] = {"0.1",
			    "0.024390243902439025",
			    "0.02439024390243902499",
			    "1.0000000000000000001",
			    "-2.5",
			    "123456789.987654321"};

	for (unsigned i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		long double v = strtold(in[i], NULL);

		printf("%s: %.17Lf %.20Lg ceill %.1Lf llroundl %lld\n", in[i],
		       v, v, ceill(v), llroundl(v));
	}
	printf("ceill(-0.5) %.1Lf, llroundl(-0.5) %lld, "
	       "llroundl(0.49999999999999999999L) %lld\n",
	       ceill(-0.5L), llroundl(-0.5L),
	       llroundl(0.49999999999999999999L));
}

int main(void)
{
	globs();
	dirnames();
	locks();
	long_doubles();
	return 0;
}
