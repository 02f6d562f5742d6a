/*
 * ktest.c - runs registered test cases and prints KTAP, on the host and in
 * the guest alike (it needs only stdio and string functions).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ktest.h"

extern const struct ktest __start_ktests[] __attribute__((weak));
extern const struct ktest __stop_ktests[] __attribute__((weak));

static int case_failed;

void ktest_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("    # %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	case_failed = 1;
}

int ktest_failed(void)
{
	return case_failed;
}

void ktest_expect(const char *fmt, ...)
{
	va_list ap;

	printf("# expect: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void ktest_expect_exit(int status)
{
	printf("# expect-exit: %d\n", status);
	fflush(stdout);
}

/* Whether a suite belongs in this image; an application may override
 * it (the attack suites exist only under mpk). */
__attribute__((weak)) int ktest_suite_enabled(const char *suite)
{
	(void)suite;
	return 1;
}

static int selected(const struct ktest *t, const char *filter)
{
	size_t sl = strlen(t->suite);

	if (!ktest_suite_enabled(t->suite))
		return 0;
	if (strcmp(filter, "all") == 0)
		return !t->alone;
	if (strcmp(filter, t->suite) == 0)
		return !t->alone;
	return strncmp(filter, t->suite, sl) == 0 && filter[sl] == '.' &&
	       strcmp(filter + sl + 1, t->name) == 0;
}

/* Print every case this image holds, one line each: "# test suite.name"
 * (booted with its suite) or "# alone suite.name" (booted by itself), then
 * "# listed N cases", so that a listing cut short shows. The runner checks
 * it against tests/inventory.txt; `make inventory` writes that file from it. */
static void list(void)
{
	int n = 0;

	for (const struct ktest *t = __start_ktests; t < __stop_ktests; t++) {
		if (!ktest_suite_enabled(t->suite))
			continue;
		printf("# %s %s.%s\n", t->alone ? "alone" : "test", t->suite,
		       t->name);
		n++;
	}
	printf("# listed %d cases\n", n);
}

int ktest_run(const char *filter)
{
	int n = 0, i = 0, failures = 0;

	if (strcmp(filter, "list") == 0) {
		list();
		return 0;
	}
	for (const struct ktest *t = __start_ktests; t < __stop_ktests; t++)
		n += selected(t, filter);
	printf("KTAP version 1\n1..%d\n", n);
	for (const struct ktest *t = __start_ktests; t < __stop_ktests; t++) {
		if (!selected(t, filter))
			continue;
		case_failed = 0;
		fflush(stdout);
		t->fn();
		failures += case_failed;
		printf("%sok %d %s.%s\n", case_failed ? "not " : "", ++i,
		       t->suite, t->name);
	}
	fflush(stdout);
	if (n == 0)
		printf("# no test matches \"%s\"\n", filter);
	return n == 0 ? 1 : failures;
}
