/*
 * The test kernel's application: runs the cases the command line names
 * with test=..., and exits with 0 only if all of them passed.
 */
#include <bulkhead/kernel.h>
#include "ktest.h"

int main(void)
{
	const char *filter = cmdline_get("test");

	return ktest_run(filter && *filter ? filter : "all") ? 1 : 0;
}
