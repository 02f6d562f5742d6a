/*
 * glob.c - glob() and globfree(): the path names matching a shell
 * pattern, found with opendir/readdir and stat over the vfs.
 *
 * A pattern is taken a component (between slashes) at a time: a component
 * without * ? or [ is used as it is; one with them is matched against
 * every name of the directory so far. A name starting with '.' is matched
 * only by a pattern starting with '.'. Brackets take ranges and a leading
 * ! or ^ (not); a backslash quotes the next character unless
 * GLOB_NOESCAPE. The results are sorted (unless GLOB_NOSORT); GLOB_MARK
 * puts / after directories, GLOB_NOCHECK gives the pattern itself when
 * nothing matches, GLOB_APPEND adds to an earlier result, GLOB_DOOFFS
 * leaves gl_offs NULLs first. An unreadable directory is skipped, or
 * with GLOB_ERR (or an errfunc returning nonzero) ends the search:
 * GLOB_ABEND. No match: GLOB_NOMATCH. GLOB_ALTDIRFUNC, GLOB_BRACE and
 * GLOB_TILDE are not supported: GLOB_ABEND with errno EINVAL.
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct search {
	int flags;
	int (*errfunc)(const char *, int);
	char **found;
	size_t n, cap;
	int failed; /* GLOB_NOSPACE or GLOB_ABEND */
};

/* Has component p (len bytes) any of the pattern characters? */
static int magic(const char *p, size_t len, int noescape)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\\' && !noescape) {
			i++;
			continue;
		}
		if (p[i] == '*' || p[i] == '?' || p[i] == '[')
			return 1;
	}
	return 0;
}

/* Match a bracket expression at p (just after '[') against c; *end gets
 * the character after ']'. -1 when the bracket is not closed (then '['
 * is an ordinary character). */
static int bracket(const char *p, const char *pend, char c, const char **end)
{
	int negate = 0, hit = 0;

	if (p < pend && (*p == '!' || *p == '^')) {
		negate = 1;
		p++;
	}
	for (int first = 1; p < pend && (first || *p != ']'); first = 0) {
		char lo = *p++, hi = lo;

		if (p + 1 < pend && *p == '-' && p[1] != ']') {
			hi = p[1];
			p += 2;
		}
		if ((unsigned char)lo <= (unsigned char)c &&
		    (unsigned char)c <= (unsigned char)hi)
			hit = 1;
	}
	if (p >= pend)
		return -1;
	*end = p + 1;
	return hit != negate;
}

/* Does the name s match the pattern [p, pend)? */
static int match(const char *p, const char *pend, const char *s, int noescape)
{
	while (p < pend) {
		if (*p == '*') {
			while (p < pend && *p == '*')
				p++;
			if (p == pend)
				return 1;
			for (; *s; s++)
				if (match(p, pend, s, noescape))
					return 1;
			return 0;
		}
		if (!*s)
			return 0;
		if (*p == '?') {
			p++;
			s++;
			continue;
		}
		if (*p == '[') {
			const char *end;
			int r = bracket(p + 1, pend, *s, &end);

			if (r >= 0) {
				if (!r)
					return 0;
				p = end;
				s++;
				continue;
			}
		}
		if (*p == '\\' && !noescape && p + 1 < pend)
			p++;
		if (*p++ != *s++)
			return 0;
	}
	return !*s;
}

/* Keep path (copied) among the results. */
static void add(struct search *g, const char *path)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 16;
		char **f = realloc(g->found, cap * sizeof(*f));

		if (!f) {
			g->failed = GLOB_NOSPACE;
			return;
		}
		g->found = f;
		g->cap = cap;
	}
	size_t len = strlen(path);
	char *copy = malloc(len + 2);

	if (!copy) {
		g->failed = GLOB_NOSPACE;
		return;
	}
	memcpy(copy, path, len + 1);
	struct stat st;

	if ((g->flags & GLOB_MARK) && len && path[len - 1] != '/' &&
	    stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		strcpy(copy + len, "/");
	g->found[g->n++] = copy;
}

/* Copy component [p, p+len) into path at off, its quoting removed. */
static size_t put_literal(char *path, size_t off, const char *p, size_t len,
			  int noescape)
{
	for (size_t i = 0; i < len && off < PATH_MAX - 1; i++) {
		if (p[i] == '\\' && !noescape && i + 1 < len)
			i++;
		path[off++] = p[i];
	}
	path[off] = '\0';
	return off;
}

/* Expand the rest of the pattern, pat, after the path found so far
 * (path[0..off), which ends in '/' unless empty). */
static void expand(struct search *g, char *path, size_t off, const char *pat)
{
	int noescape = g->flags & GLOB_NOESCAPE;
	struct stat st;

	while (*pat == '/') {
		if (off < PATH_MAX - 1)
			path[off++] = '/';
		pat++;
	}
	path[off] = '\0';
	if (!*pat) {
		if (off && lstat(path, &st) == 0)
			add(g, path);
		return;
	}
	const char *slash = strchr(pat, '/');
	size_t len = slash ? (size_t)(slash - pat) : strlen(pat);
	const char *rest = pat + len;

	if (!magic(pat, len, noescape)) {
		size_t end = put_literal(path, off, pat, len, noescape);

		if (lstat(path, &st) == 0)
			expand(g, path, end, rest);
		return;
	}
	DIR *d = opendir(off ? path : ".");

	if (!d) {
		if (errno != ENOENT && errno != ENOTDIR &&
		    ((g->errfunc && g->errfunc(off ? path : ".", errno)) ||
		     (g->flags & GLOB_ERR)))
			g->failed = GLOB_ABEND;
		return;
	}
	struct dirent *e;

	while (!g->failed && (e = readdir(d))) {
		if (e->d_name[0] == '.' && pat[0] != '.')
			continue;
		if (!match(pat, pat + len, e->d_name, noescape))
			continue;
		size_t nl = strlen(e->d_name);

		if (off + nl >= PATH_MAX - 1)
			continue;
		memcpy(path + off, e->d_name, nl + 1);
		if (*rest) {
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
				expand(g, path, off + nl, rest);
		} else {
			add(g, path);
		}
		path[off] = '\0';
	}
	closedir(d);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int glob(const char *restrict pattern, int flags,
	 int (*errfunc)(const char *, int), glob_t *restrict pglob)
{
	struct search g = {.flags = flags, .errfunc = errfunc};
	char path[PATH_MAX];

	if (!pattern || !pglob ||
	    (flags & (GLOB_ALTDIRFUNC | GLOB_BRACE | GLOB_TILDE))) {
		errno = EINVAL;
		return GLOB_ABEND;
	}
	if (!(flags & GLOB_APPEND)) {
		pglob->gl_pathc = 0;
		pglob->gl_pathv = NULL;
		if (!(flags & GLOB_DOOFFS))
			pglob->gl_offs = 0;
	}
	pglob->gl_flags = flags;
	pglob->gl_errfunc = errfunc;
	path[0] = '\0';
	expand(&g, path, 0, pattern);
	if (!g.failed && g.n == 0 && (flags & GLOB_NOCHECK))
		add(&g, pattern);
	if (!(flags & GLOB_NOSORT) && g.n > 1)
		qsort(g.found, g.n, sizeof(*g.found), by_name);
	int ret = g.failed ? g.failed : g.n == 0 ? GLOB_NOMATCH : 0;

	if (g.n) {
		size_t offs =
			(flags & GLOB_DOOFFS) ? (size_t)pglob->gl_offs : 0;
		size_t old = pglob->gl_pathv ? (size_t)pglob->gl_pathc : 0;
		char **v = realloc(pglob->gl_pathv,
				   (offs + old + g.n + 1) * sizeof(*v));

		if (!v) {
			for (size_t i = 0; i < g.n; i++)
				free(g.found[i]);
			free(g.found);
			return GLOB_NOSPACE;
		}
		if (!pglob->gl_pathv)
			for (size_t i = 0; i < offs; i++)
				v[i] = NULL;
		memcpy(v + offs + old, g.found, g.n * sizeof(*v));
		v[offs + old + g.n] = NULL;
		pglob->gl_pathv = v;
		pglob->gl_pathc = (int)(old + g.n);
	}
	pglob->gl_matchc = (int)g.n;
	free(g.found);
	return ret;
}

void globfree(glob_t *pglob)
{
	if (!pglob || !pglob->gl_pathv)
		return;
	size_t offs =
		(pglob->gl_flags & GLOB_DOOFFS) ? (size_t)pglob->gl_offs : 0;

	for (int i = 0; i < pglob->gl_pathc; i++)
		free(pglob->gl_pathv[offs + i]);
	free(pglob->gl_pathv);
	pglob->gl_pathv = NULL;
	pglob->gl_pathc = 0;
}
