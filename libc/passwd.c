/*
 * passwd.c - the user database: getpwnam, getpwuid and their _r forms,
 * read from /etc/passwd as glibc's files backend reads it.
 *
 * An image holds /etc/passwd only if its initrd gives one; without it no
 * user is found (NULL, errno untouched: "no such user"), as on a Linux
 * system without the file. Lines are name:password:uid:gid:gecos:dir:shell;
 * a line that is not is skipped, as glibc skips it.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PASSWD_FILE  "/etc/passwd"
#define LINE_MAX_LEN 1024

/* Split line (its newline removed) into the seven fields of an entry,
 * pointing into line; 0 if it is one. */
static int parse(char *line, struct passwd *pw)
{
	char *f[7], *end;
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	f[n++] = line;
	for (char *p = line; *p && n < 7; p++)
		if (*p == ':') {
			*p = '\0';
			f[n++] = p + 1;
		}
	if (n != 7 || strchr(f[6], ':') || !*f[2] || !*f[3])
		return -1;
	unsigned long uid = strtoul(f[2], &end, 10);

	if (*end || uid > 0xffffffffUL)
		return -1;
	unsigned long gid = strtoul(f[3], &end, 10);

	if (*end || gid > 0xffffffffUL)
		return -1;
	pw->pw_name = f[0];
	pw->pw_passwd = f[1];
	pw->pw_uid = (uid_t)uid;
	pw->pw_gid = (gid_t)gid;
	pw->pw_comment = f[4];
	pw->pw_gecos = f[4];
	pw->pw_dir = f[5];
	pw->pw_shell = f[6];
	return 0;
}

/* Copy entry *from, whose strings point into a line, into *pw with its
 * strings in buf; ERANGE if buf is too small. */
static int copy(const struct passwd *from, struct passwd *pw, char *buf,
		size_t len)
{
	char **dst[] = {&pw->pw_name, &pw->pw_passwd, &pw->pw_gecos,
			&pw->pw_dir, &pw->pw_shell};
	const char *src[] = {from->pw_name, from->pw_passwd, from->pw_gecos,
			     from->pw_dir, from->pw_shell};
	size_t used = 0;

	*pw = *from;
	for (unsigned i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		size_t n = strlen(src[i]) + 1;

		if (n > len - used)
			return ERANGE;
		memcpy(buf + used, src[i], n);
		*dst[i] = buf + used;
		used += n;
	}
	pw->pw_comment = pw->pw_gecos;
	return 0;
}

/* Look the user up by name (if name) or by uid; 0 with *result the entry
 * or NULL (none), or an error number. */
static int lookup(const char *name, uid_t uid, struct passwd *pw, char *buf,
		  size_t len, struct passwd **result)
{
	char line[LINE_MAX_LEN];
	struct passwd e;
	int saved = errno, r = 0;
	FILE *f = fopen(PASSWD_FILE, "r");

	*result = NULL;
	if (!f) {
		r = errno == ENOENT ? 0 : errno;
		errno = saved;
		return r;
	}
	while (fgets(line, sizeof(line), f))
		if (parse(line, &e) == 0 &&
		    (name ? strcmp(e.pw_name, name) == 0 : e.pw_uid == uid)) {
			r = copy(&e, pw, buf, len);
			if (r == 0)
				*result = pw;
			break;
		}
	fclose(f);
	errno = saved;
	return r;
}

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len,
	       struct passwd **result)
{
	return lookup(name, 0, pw, buf, len, result);
}

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len,
	       struct passwd **result)
{
	return lookup(NULL, uid, pw, buf, len, result);
}

static struct passwd entry;
static char strings[LINE_MAX_LEN];

struct passwd *getpwnam(const char *name)
{
	struct passwd *r;
	int e = getpwnam_r(name, &entry, strings, sizeof(strings), &r);

	if (e)
		errno = e;
	return r;
}

struct passwd *getpwuid(uid_t uid)
{
	struct passwd *r;
	int e = getpwuid_r(uid, &entry, strings, sizeof(strings), &r);

	if (e)
		errno = e;
	return r;
}
