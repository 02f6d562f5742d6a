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

/* Double quotes keep spaces and tabs in a word and are not part of it. */
TEST(cmdline, double_quotes_keep_spaces)
{
	char *argv[8];

	cmdline_init("k=\"a b\" \"q=x y\" -- db \".read x\" \"\" pl\"ai\"n "
		     "\"tab\tin\" \"open ended");
	KT_EXPECT_STR(get("k"), "a b");
	KT_EXPECT_STR(get("q"), "x y");
	KT_EXPECT_EQ(cmdline_argv(argv, 8), 6);
	KT_EXPECT_STR(argv[0], "db");
	KT_EXPECT_STR(argv[1], ".read x");
	KT_EXPECT_STR(argv[2], ""); /* an empty word, quoted */
	KT_EXPECT_STR(argv[3], "plain");
	KT_EXPECT_STR(argv[4], "tab\tin");
	/* A quote left open runs to the end of the line. */
	KT_EXPECT_STR(argv[5], "open ended");
	/* The raw line is kept as given. */
	KT_ASSERT(strncmp(cmdline_raw(), "k=\"a b\"", 7) == 0);
}

/* A backslash takes the next character as it is, in quotes or not. */
TEST(cmdline, backslash_escapes)
{
	char *argv[8];

	cmdline_init("-- \"say \\\"hi\\\"\" back\\\\slash it\\'s \\\"x\\\" "
		     "\"a\\\\\" end\\");
	KT_EXPECT_EQ(cmdline_argv(argv, 8), 6);
	KT_EXPECT_STR(argv[0], "say \"hi\"");
	KT_EXPECT_STR(argv[1], "back\\slash");
	KT_EXPECT_STR(argv[2], "it's");
	KT_EXPECT_STR(argv[3], "\"x\"");
	KT_EXPECT_STR(argv[4], "a\\");
	/* A backslash ending the line stays. */
	KT_EXPECT_STR(argv[5], "end\\");
}

/* Only a bare "--" separates: a quoted or escaped one is a word. */
TEST(cmdline, quoted_dashes_are_words)
{
	char *argv[8];

	cmdline_init("k=1 \"--\" -- \\-- \"--\" x -- y");
	KT_EXPECT_STR(get("k"), "1");
	KT_ASSERT(cmdline_get("--") != NULL); /* a kernel word */
	KT_EXPECT_EQ(cmdline_argv(argv, 8), 5);
	KT_EXPECT_STR(argv[0], "--");
	KT_EXPECT_STR(argv[1], "--");
	KT_EXPECT_STR(argv[2], "x");
	KT_EXPECT_STR(argv[3], "--");
	KT_EXPECT_STR(argv[4], "y");
}

/*
 * The lines the loaders write: GRUB (grub_create_loader_cmdline) puts a
 * word with a space in double quotes and a backslash before each \, '
 * and "; scripts/qemu-run.sh quotes a word with a space, tab, " or \,
 * with a backslash before each " and \. Both give back the words.
 */
TEST(cmdline, what_grub_and_qemu_run_write)
{
	static const char *const want[] = {"db",   ".read x", "it's",
					   "a\"b", "c\\d",    "two  spaces"};
	char *argv[8];

	cmdline_init("/boot/default.elf -- db \".read x\" it\\'s a\\\"b c\\\\d "
		     "\"two  spaces\"");
	KT_EXPECT_EQ(cmdline_argv(argv, 8), 6);
	for (int i = 0; i < 6; i++)
		KT_EXPECT_STR(argv[i], want[i]);
	cmdline_init("-- db \".read x\" it's \"a\\\"b\" \"c\\\\d\" "
		     "\"two  spaces\"");
	KT_EXPECT_EQ(cmdline_argv(argv, 8), 6);
	for (int i = 0; i < 6; i++)
		KT_EXPECT_STR(argv[i], want[i]);
}

/*
 * The longest line of the most words, quoted ones too, fits the kept
 * buffer (ASan watches it): a word never grows when split.
 */
TEST(cmdline, full_line_of_short_words_fits)
{
	static char line[1100];
	char *argv[64];
	size_t len = 0;

	len += (size_t)snprintf(line, sizeof(line), "--");
	while (len + 4 < sizeof(line))
		len += (size_t)snprintf(line + len, sizeof(line) - len,
					len % 3 ? " a" : " \"\"");
	cmdline_init(line);
	KT_EXPECT_EQ(strlen(cmdline_raw()), 1023);
	KT_EXPECT_EQ(cmdline_argv(argv, 64), 64);
	/* One word of the whole line. */
	memset(line, 'w', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	line[0] = line[1] = '-';
	line[2] = ' ';
	cmdline_init(line);
	KT_EXPECT_EQ(cmdline_argv(argv, 64), 1);
	KT_EXPECT_EQ(strlen(argv[0]), 1020);
}
