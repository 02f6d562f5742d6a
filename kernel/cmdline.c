/*
 * cmdline.c - the boot command line: "key=value" and bare "flag" words,
 * then optionally "--" followed by the application's arguments.
 *
 * Words are separated by spaces and tabs. Double quotes keep spaces in a
 * word (`-- db ".read x"` gives the application ".read x"; `k="a b"`
 * gives k the value "a b"), and a backslash takes the next character as
 * it is (`\"`, `\\`, `\'`): how GRUB writes a multiboot command line
 * whose words hold spaces or quotes, and how scripts/qemu-run.sh writes
 * QEMU's -append. The quotes and backslashes are not part of the word.
 * A "--" that was quoted or escaped is an argument, not the separator.
 *
 * The line is copied once into a private buffer and split into another,
 * so the values returned stay valid for the life of the kernel.
 */
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>

#define CMDLINE_MAX   1024
#define CMDLINE_WORDS 64

/* In shared memory: applications in other compartments read the values.
 * A word never takes more room than its text on the line, so the split
 * line fits a buffer of the line's size. */
static char raw[CMDLINE_MAX] __shared;	     /* the line as given */
static char words_buf[CMDLINE_MAX] __shared; /* the words, each NUL-ended */
static char *words[CMDLINE_WORDS];	     /* kernel words, before "--" */
static int nwords;
static char *args[CMDLINE_WORDS]; /* application words, after "--" */
static int nargs;

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Copy the word at *from into *to, without its quotes and escapes, and
 * NUL-end it; move both past it. Returns whether any of it was quoted or
 * escaped.
 */
static int take_word(const char **from, char **to)
{
	const char *r = *from;
	char *w = *to;
	int quoted = 0, in_quotes = 0;

	while (*r && (in_quotes || !blank(*r))) {
		if (*r == '"') {
			in_quotes = !in_quotes;
			quoted = 1;
			r++;
		} else if (*r == '\\' && r[1]) {
			quoted = 1;
			*w++ = r[1];
			r += 2;
		} else {
			*w++ = *r++;
		}
	}
	*w++ = '\0';
	*from = r;
	*to = w;
	return quoted;
}

void cmdline_init(const char *line)
{
	nwords = nargs = 0;
	if (!line)
		line = "";
	strncpy(raw, line, sizeof(raw) - 1);
	raw[sizeof(raw) - 1] = '\0';

	int after_dashes = 0;
	const char *r = raw;
	char *w = words_buf;

	for (;;) {
		while (blank(*r))
			r++;
		if (!*r)
			break;
		char *word = w;
		int quoted = take_word(&r, &w);

		if (!after_dashes && !quoted && strcmp(word, "--") == 0)
			after_dashes = 1;
		else if (after_dashes && nargs < CMDLINE_WORDS)
			args[nargs++] = word;
		else if (!after_dashes && nwords < CMDLINE_WORDS)
			words[nwords++] = word;
	}
}

/* The value of "key=value", "" for a bare "key", NULL if absent. Last wins. */
const char *cmdline_get(const char *key)
{
	size_t klen = strlen(key);
	const char *found = NULL;

	for (int i = 0; i < nwords; i++) {
		if (strncmp(words[i], key, klen) != 0)
			continue;
		if (words[i][klen] == '=')
			found = words[i] + klen + 1;
		else if (words[i][klen] == '\0')
			found = words[i] + klen;
	}
	return found;
}

const char *cmdline_raw(void)
{
	return raw;
}

int cmdline_argv(char **argv, int max)
{
	int n = nargs < max ? nargs : max;

	for (int i = 0; i < n; i++)
		argv[i] = args[i];
	return n;
}
