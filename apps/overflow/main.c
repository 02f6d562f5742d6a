/*
 * overflow - a plain program with three bugs, for trying the hardening
 * options as a user would (tests/configs/other/overflow-*.toml): a heap
 * overflow, a stack smash and a signed overflow, in that order, or the
 * one its first argument names (heap, stack, signed). Each is harmless
 * when nothing catches it (the bytes written are slack or padding), so
 * the first bug the compartment's options catch is the one reported.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noipa)) static int heap_overflow(void)
{
	char *block = malloc(20);
	char *volatile p = block;

	printf("overflow: writing one byte past a 20-byte block\n");
	p[20] = 'x';
	return p[0]; /* kept: a store before free() would be dropped */
}

__attribute__((noipa, no_sanitize_address)) static int stack_smash(void)
{
	char name[24];
	char *volatile p = name;

	printf("overflow: writing 8 bytes past a 24-byte local array\n");
	for (int i = 0; i < 32; i++)
		p[i] = 'x';
	return name[0];
}

__attribute__((noipa)) static int signed_overflow(void)
{
	volatile int big = INT_MAX;

	printf("overflow: adding 1 to INT_MAX\n");
	return big + 1;
}

int main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "all";
	int all = strcmp(which, "all") == 0;

	if (all || strcmp(which, "heap") == 0)
		heap_overflow();
	if (all || strcmp(which, "stack") == 0)
		stack_smash();
	if (all || strcmp(which, "signed") == 0)
		signed_overflow();
	printf("overflow: no bug was reported\n");
	return 0;
}
