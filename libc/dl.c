/*
 * dl.c - the dynamic loader's calls: dlopen, dlsym, dlclose, dlerror.
 *
 * Bulkhead links every library into its image when it is built, and a
 * compartment's code is fixed before the machine starts (under mpk its
 * pages carry its key; under ept they lie in its VM), so no shared object
 * is ever loaded. These calls fail as glibc's do when the object cannot
 * be had: dlopen of a missing file says "FILE: cannot open shared object
 * file: No such file or directory" (what SQLite prints for .load of a
 * missing extension), of a file that is there "FILE: cannot load shared
 * objects: the image is linked at build time". dlopen(NULL) is the
 * program, whose symbols cannot be looked up by name: dlsym finds none.
 *
 * The error text is this copy of libc's, not per thread: dlerror returns
 * the last failure once, then NULL, as glibc's does for its thread.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The handle dlopen(NULL) gives: the program itself. */
static char program;
/* The last failure's text, or "" once dlerror has returned it. */
static char message[PATH_MAX + 96];

static void failed(const char *what, const char *why)
{
	snprintf(message, sizeof(message), "%s: %s", what, why);
}

void *dlopen(const char *file, int mode)
{
	if (!(mode & (RTLD_LAZY | RTLD_NOW)) ||
	    (mode & ~(RTLD_LAZY | RTLD_NOW | RTLD_NOLOAD | RTLD_DEEPBIND |
		      RTLD_GLOBAL | RTLD_NODELETE))) {
		snprintf(message, sizeof(message), "invalid mode for dlopen()");
		return NULL;
	}
	if (!file)
		return &program;
	int saved = errno, fd = open(file, O_RDONLY);

	if (fd < 0) {
		failed(file,
		       errno == ENOENT
			       ? "cannot open shared object file: No such "
				 "file or directory"
			       : "cannot open shared object file");
		if (errno != ENOENT)
			snprintf(message + strlen(message),
				 sizeof(message) - strlen(message), ": %s",
				 strerror(errno));
	} else {
		close(fd);
		failed(file, "cannot load shared objects: the image is linked "
			     "at build time");
	}
	errno = saved;
	return NULL;
}

void *dlsym(void *__restrict handle, const char *__restrict name)
{
	if (handle != &program && handle != RTLD_DEFAULT &&
	    handle != RTLD_NEXT) {
		snprintf(message, sizeof(message), "invalid handle");
		return NULL;
	}
	snprintf(message, sizeof(message), "undefined symbol: %s",
		 name ? name : "(null)");
	return NULL;
}

int dlclose(void *handle)
{
	if (handle != &program) {
		snprintf(message, sizeof(message), "invalid handle");
		return -1;
	}
	return 0;
}

char *dlerror(void)
{
	static char given[sizeof(message)];

	if (!message[0])
		return NULL;
	memcpy(given, message, sizeof(given));
	message[0] = '\0';
	return given;
}

/* No shared object holds any address, so dladdr finds none: 0, as glibc's
 * for an address outside every loaded object (info is left alone). */
int dladdr(const void *addr, Dl_info *info)
{
	(void)addr;
	(void)info;
	return 0;
}
