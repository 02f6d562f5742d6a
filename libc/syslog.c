/*
 * syslog.c - the system log. There is no log daemon: a message that the
 * mask lets through is written to standard error as one line,
 * "IDENT[PID]: message" (IDENT from openlog, else the program's name),
 * which is the console unless the program moved descriptor 2.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#define IDENT_MAX 64

static char ident[IDENT_MAX];
static int log_mask = 0xff;
static int log_option;

/* Remember ident (copied: the caller's string may go) and the options. */
void openlog(const char *id, int option, int facility)
{
	(void)facility;
	if (id) {
		strncpy(ident, id, sizeof(ident) - 1);
		ident[sizeof(ident) - 1] = '\0';
	}
	log_option = option;
}

void closelog(void)
{
	ident[0] = '\0';
	log_option = 0;
}

/* Set the mask of priorities logged; 0 only asks. Returns the old one. */
int setlogmask(int mask)
{
	int old = log_mask;

	if (mask)
		log_mask = mask;
	return old;
}

/* Format the message (%m is strerror(errno), as syslog's callers expect)
 * and write it in one write, so lines of threads do not mix. */
void vsyslog(int priority, const char *format, va_list ap)
{
	char fmt[512], line[1024];
	int saved = errno, n;
	size_t o = 0;

	if (!(log_mask & LOG_MASK(LOG_PRI(priority))))
		return;
	for (const char *p = format; *p && o < sizeof(fmt) - 1; p++) {
		if (p[0] == '%' && p[1] == 'm') {
			const char *e = strerror(saved);
			size_t l = strlen(e);

			for (size_t i = 0; i < l && o < sizeof(fmt) - 1; i++)
				if ((fmt[o++] = e[i]) == '%' &&
				    o < sizeof(fmt) - 1)
					fmt[o++] = '%';
			p++;
			continue;
		}
		fmt[o++] = *p;
		if (p[0] == '%' && p[1] == '%' && o < sizeof(fmt) - 1)
			fmt[o++] = *++p;
	}
	fmt[o] = '\0';
	n = snprintf(line, sizeof(line), "%s", ident[0] ? ident : "syslog");
	if (log_option & LOG_PID)
		n += snprintf(line + n, sizeof(line) - n, "[%d]",
			      (int)getpid());
	n += snprintf(line + n, sizeof(line) - n, ": ");
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	if (n > 0 && line[n - 1] != '\n')
		line[n++] = '\n';
	write(2, line, n);
	errno = saved;
}

void syslog(int priority, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	vsyslog(priority, format, ap);
	va_end(ap);
}
