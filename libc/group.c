/*
 * group.c - the group database: getgrnam, getgrgid and their _r forms,
 * read from /etc/group as glibc's files backend reads it, and initgroups.
 *
 * As for /etc/passwd (passwd.c), an image holds /etc/group only if its
 * initrd gives one; without it no group is found (NULL, errno untouched).
 * Lines are name:password:gid:member,member,...; a line that is not is
 * skipped, as glibc skips it.
 */
#include <errno.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROUP_FILE   "/etc/group"
#define LINE_MAX_LEN 1024
/* The members one entry may list (glibc has no limit; a longer list is
 * a line this libc skips). */
#define MEMBERS_MAX  64

/* A parsed line: the entry and its member pointers, into the line. */
struct parsed {
	struct group gr;
	char *mem[MEMBERS_MAX + 1];
	int nmem;
};

/* Split line (its newline removed) into the four fields of an entry and
 * its list of members, pointing into line; 0 if it is one. */
static int parse(char *line, struct parsed *p)
{
	char *f[4], *end;
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	f[n++] = line;
	for (char *c = line; *c && n < 4; c++)
		if (*c == ':') {
			*c = '\0';
			f[n++] = c + 1;
		}
	if (n != 4 || strchr(f[3], ':') || !*f[2])
		return -1;
	unsigned long gid = strtoul(f[2], &end, 10);

	if (*end || gid > 0xffffffffUL)
		return -1;
	p->nmem = 0;
	for (char *m = f[3]; *m;) {
		char *comma = strchr(m, ',');

		if (comma)
			*comma = '\0';
		if (*m) {
			if (p->nmem == MEMBERS_MAX)
				return -1;
			p->mem[p->nmem++] = m;
		}
		if (!comma)
			break;
		m = comma + 1;
	}
	p->mem[p->nmem] = NULL;
	p->gr.gr_name = f[0];
	p->gr.gr_passwd = f[1];
	p->gr.gr_gid = (gid_t)gid;
	p->gr.gr_mem = p->mem;
	return 0;
}

/* Copy parsed entry *from into *gr, its member array and then its strings
 * in buf (the array aligned for pointers); ERANGE if buf is too small. */
static int copy(const struct parsed *from, struct group *gr, char *buf,
		size_t len)
{
	size_t skip = (sizeof(char *) - (uintptr_t)buf % sizeof(char *)) %
		      sizeof(char *);
	size_t array = (from->nmem + 1) * sizeof(char *), used;
	char **mem;

	if (len < skip || len - skip < array)
		return ERANGE;
	mem = (char **)(buf + skip);
	used = skip + array;
	*gr = from->gr;
	for (int i = 0; i <= from->nmem + 1; i++) {
		const char *s = i == 0	 ? from->gr.gr_name
				: i == 1 ? from->gr.gr_passwd
					 : from->mem[i - 2];
		size_t n = strlen(s) + 1;

		if (n > len - used)
			return ERANGE;
		memcpy(buf + used, s, n);
		if (i == 0)
			gr->gr_name = buf + used;
		else if (i == 1)
			gr->gr_passwd = buf + used;
		else
			mem[i - 2] = buf + used;
		used += n;
	}
	mem[from->nmem] = NULL;
	gr->gr_mem = mem;
	return 0;
}

/* Look the group up by name (if name) or by gid; 0 with *result the entry
 * or NULL (none), or an error number. */
static int lookup(const char *name, gid_t gid, struct group *gr, char *buf,
		  size_t len, struct group **result)
{
	char line[LINE_MAX_LEN];
	struct parsed e;
	int saved = errno, r = 0;
	FILE *f = fopen(GROUP_FILE, "r");

	*result = NULL;
	if (!f) {
		r = errno == ENOENT ? 0 : errno;
		errno = saved;
		return r;
	}
	while (fgets(line, sizeof(line), f))
		if (parse(line, &e) == 0 &&
		    (name ? strcmp(e.gr.gr_name, name) == 0
			  : e.gr.gr_gid == gid)) {
			r = copy(&e, gr, buf, len);
			if (r == 0)
				*result = gr;
			break;
		}
	fclose(f);
	errno = saved;
	return r;
}

int getgrnam_r(const char *name, struct group *gr, char *buf, size_t len,
	       struct group **result)
{
	return lookup(name, 0, gr, buf, len, result);
}

int getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t len,
	       struct group **result)
{
	return lookup(NULL, gid, gr, buf, len, result);
}

static struct group entry;
static char strings[LINE_MAX_LEN + (MEMBERS_MAX + 2) * sizeof(char *)];

struct group *getgrnam(const char *name)
{
	struct group *r;
	int e = getgrnam_r(name, &entry, strings, sizeof(strings), &r);

	if (e)
		errno = e;
	return r;
}

struct group *getgrgid(gid_t gid)
{
	struct group *r;
	int e = getgrgid_r(gid, &entry, strings, sizeof(strings), &r);

	if (e)
		errno = e;
	return r;
}

/* The process is root with no supplementary groups and there is no other
 * user to become (setuid, system.c): only root's own group list, which is
 * empty, may be set. */
int initgroups(const char *user, gid_t group)
{
	(void)group;
	if (user && strcmp(user, "root") == 0)
		return 0;
	errno = EPERM;
	return -1;
}
