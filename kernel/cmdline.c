/*
 * cmdline.c - the boot command line: "key=value" and bare "flag" words,
 * then optionally "--" followed by the application's arguments.
 *
 * The line is copied once into a private buffer and split in place, so
 * the values returned stay valid for the life of the kernel.
 */
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>

#define CMDLINE_MAX   1024
#define CMDLINE_WORDS 64

/* In shared memory: applications in other compartments read the values. */
static char raw[CMDLINE_MAX] __shared;	     /* the line as given */
static char words_buf[CMDLINE_MAX] __shared; /* the same, split at spaces */
static char *words[CMDLINE_WORDS];	     /* kernel words, before "--" */
static int nwords;
static char *args[CMDLINE_WORDS]; /* application words, after "--" */
static int nargs;

void cmdline_init(const char *line)
{
	nwords = nargs = 0;
	if (!line)
		line = "";
	strncpy(raw, line, sizeof(raw) - 1);
	raw[sizeof(raw) - 1] = '\0';
	memcpy(words_buf, raw, sizeof(raw));

	int after_dashes = 0;
	char *p = words_buf;

	while (*p) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		char *w = p;

		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
		if (!after_dashes && strcmp(w, "--") == 0)
			after_dashes = 1;
		else if (after_dashes && nargs < CMDLINE_WORDS)
			args[nargs++] = w;
		else if (!after_dashes && nwords < CMDLINE_WORDS)
			words[nwords++] = w;
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
