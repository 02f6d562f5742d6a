/*
 * test_cmdline.c - the boot command line: "key=value" and bare "flag"
 * words for the kernel, and the words after "--" for the application.
 * cmdline_init() replaces the whole state, so each case starts afresh.
 */
#include <stdio.h>
#include <string.h>
#include <bulkhead/kernel.h>
#include "ktest.h"

/* cmdline_get() that never hands NULL to strcmp in KT_EXPECT_STR. */
static const char *get(const char *key)
{
	const char *v = cmdline_get(key);

	return v ? v : "<absent>";
}

TEST(cmdline, key_value)
{
	cmdline_init("console=ttyS0 loglevel=7 root=UUID=1234-abcd");
	KT_EXPECT_STR(get("console"), "ttyS0");
	KT_EXPECT_STR(get("loglevel"), "7");
	/* Only the first '=' separates the key. */
	KT_EXPECT_STR(get("root"), "UUID=1234-abcd");
	/* The raw line is kept as given, not split. */
	KT_EXPECT_STR(cmdline_raw(),
		      "console=ttyS0 loglevel=7 root=UUID=1234-abcd");
}

TEST(cmdline, flags_empty_and_absent)
{
	cmdline_init("quiet debug empty=");
	KT_ASSERT(cmdline_get("quiet") != NULL);
	KT_EXPECT_STR(cmdline_get("quiet"), "");
	KT_EXPECT_STR(get("debug"), "");
	KT_EXPECT_STR(get("empty"), "");
	KT_ASSERT(cmdline_get("verbose") == NULL);
	KT_ASSERT(cmdline_get("quie") == NULL);

	/* No line at all is an empty one. */
	cmdline_init(NULL);
	KT_EXPECT_STR(cmdline_raw(), "");
	KT_ASSERT(cmdline_get("quiet") == NULL);
}

TEST(cmdline, last_occurrence_wins)
{
	cmdline_init("a=1 b=2 a=3");
	KT_EXPECT_STR(get("a"), "3");
	KT_EXPECT_STR(get("b"), "2");
	cmdline_init("mode=fast mode");
	KT_EXPECT_STR(get("mode"), "");
	cmdline_init("mode mode=slow");
	KT_EXPECT_STR(get("mode"), "slow");
}

TEST(cmdline, prefix_keys_do_not_match)
{
	cmdline_init("apple=1 application appendix=x");
	KT_ASSERT(cmdline_get("app") == NULL);
	KT_ASSERT(cmdline_get("appl") == NULL);
	KT_EXPECT_STR(get("apple"), "1");
	KT_EXPECT_STR(get("application"), "");
	/* Nor does a key longer than the word. */
	KT_ASSERT(cmdline_get("apples") == NULL);
}

TEST(cmdline, words_after_dashes_are_argv)
{
	char *argv[8];
	int n;

	cmdline_init("k=v quiet -- prog --flag x=1 -- last");
	KT_EXPECT_STR(get("k"), "v");
	KT_EXPECT_STR(get("quiet"), "");
	/* Application words are not kernel options. */
	KT_ASSERT(cmdline_get("x") == NULL);
	KT_ASSERT(cmdline_get("prog") == NULL);
	KT_ASSERT(cmdline_get("--flag") == NULL);
	KT_ASSERT(cmdline_get("--") == NULL);

	n = cmdline_argv(argv, 8);
	KT_EXPECT_EQ(n, 5);
	KT_EXPECT_STR(argv[0], "prog");
	KT_EXPECT_STR(argv[1], "--flag");
	KT_EXPECT_STR(argv[2], "x=1");
	/* Only the first "--" separates; a later one is an argument. */
	KT_EXPECT_STR(argv[3], "--");
	KT_EXPECT_STR(argv[4], "last");

	/* A smaller argv gets the first words only. */
	argv[2] = NULL;
	KT_EXPECT_EQ(cmdline_argv(argv, 2), 2);
	KT_EXPECT_STR(argv[1], "--flag");
	KT_ASSERT(argv[2] == NULL);

	/* Without "--" there are no application words. */
	cmdline_init("x=1 y");
	KT_EXPECT_EQ(cmdline_argv(argv, 8), 0);
}

TEST(cmdline, spaces_and_tabs)
{
	char *argv[4];

	cmdline_init("  \t a=1 \t\t b   \tc=3\t--\t  arg1   arg2\t ");
	KT_EXPECT_STR(get("a"), "1");
	KT_EXPECT_STR(get("b"), "");
	KT_EXPECT_STR(get("c"), "3");
	KT_EXPECT_EQ(cmdline_argv(argv, 4), 2);
	KT_EXPECT_STR(argv[0], "arg1");
	KT_EXPECT_STR(argv[1], "arg2");
	/* Nothing but blanks: no words at all. */
	cmdline_init(" \t \t ");
	KT_ASSERT(cmdline_get("") == NULL);
	KT_EXPECT_EQ(cmdline_argv(argv, 4), 0);
}

/*
 * A line longer than the kernel keeps (1 KiB) is cut, not overrun (ASan
 * watches the static buffers): words before the cut are found, a word
 * beyond it is not, and the kept line is a proper C string.
 */
TEST(cmdline, overlong_line_is_truncated)
{
	static char line[4096];
	size_t len = 0;

	len += (size_t)snprintf(line + len, sizeof(line) - len, "first=1 ");
	while (len < 3000)
		len += (size_t)snprintf(line + len, sizeof(line) - len,
					"filler%zu ", len);
	snprintf(line + len, sizeof(line) - len, "late=1 -- app");

	cmdline_init(line);
	KT_EXPECT_STR(get("first"), "1");
	KT_ASSERT(cmdline_get("late") == NULL);
	KT_ASSERT(strlen(cmdline_raw()) < 1024);
	KT_ASSERT(strlen(cmdline_raw()) >= 1000);
	KT_ASSERT(strncmp(cmdline_raw(), line, strlen(cmdline_raw())) == 0);

	char *argv[2];

	KT_EXPECT_EQ(cmdline_argv(argv, 2), 0);
}
