/*
 * The test kernel's application: runs the cases the command line names
 * with test=..., and exits with 0 only if all of them passed; bench=...
 * runs a benchmark instead, where the image has one.
 */
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include "ktest.h"

const struct comp_desc *ktest_comp(const char *name)
{
	for (unsigned i = 0; i < comp_config.count; i++)
		if (strcmp(comp_config.comps[i].name, name) == 0)
			return &comp_config.comps[i];
	return NULL;
}

/* Benchmarks, where the application has them (tests/gatetest/bench.c). */
__attribute__((weak)) int bench_run(const char *what)
{
	(void)what;
	return 2;
}

int main(void)
{
	const char *filter = cmdline_get("test");
	const char *bench = cmdline_get("bench");

	if (bench)
		return bench_run(bench);
	return ktest_run(filter && *filter ? filter : "all") ? 1 : 0;
}
