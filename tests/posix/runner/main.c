/*
 * main.c - the POSIX harness's dispatcher: runs the main of every program
 * of tests/posix/ in turn, between marker lines, so that one run prints
 * every program's output. The same file is the guest application `posix`
 * and, built against glibc, the host's; scripts/run-tests.py compares the
 * two outputs program by program.
 *
 * Each program is compiled with -Dmain=posix_main_<name>, and the build
 * lists the programs as POSIX_PROGRAMS, `X(name) X(name) ...`
 * (tests/build.mk), so a new tests/posix/<name>.c needs nothing else.
 */
#include <stdio.h>

#ifndef POSIX_PROGRAMS
#error "POSIX_PROGRAMS lists the programs: X(name) ... (tests/build.mk)"
#endif

/* Each program's main, declared without a prototype: it may be
 * main(void) or main(int, char **). */
#define X(name) int posix_main_##name();
POSIX_PROGRAMS
#undef X

static const struct {
	const char *name;
	int (*main)();
} programs[] = {
#define X(name) {#name, posix_main_##name},
	POSIX_PROGRAMS
#undef X
};

int main(void)
{
	printf("posix: begin\n");
	for (unsigned i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		char *argv[] = {(char *)programs[i].name, NULL};
		int status;

		printf("== %s ==\n", programs[i].name);
		fflush(stdout);
		status = programs[i].main(1, argv);
		fflush(stdout);
		printf("== %s: exit %d ==\n", programs[i].name, status);
	}
	printf("posix: end\n");
	return 0;
}
