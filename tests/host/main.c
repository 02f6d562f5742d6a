/*
 * main.c - entry point of the host unit tests: runs the cases selected by
 * the first argument ("all" when none; see ktest_run() for the filters)
 * and exits 0 only when every selected case passed.
 */
#include "ktest.h"

int main(int argc, char **argv)
{
	return ktest_run(argc > 1 ? argv[1] : "all") == 0 ? 0 : 1;
}
