/* dlfcn.h - the dynamic loader's calls (libc/dl.c), with glibc's flag
 * values. Bulkhead links every library into its image at build time, so
 * dlopen loads nothing: it says why, as dlerror text. */
#ifndef BULKHEAD_POSIX_DLFCN_H
#define BULKHEAD_POSIX_DLFCN_H

#define RTLD_LAZY     0x00001
#define RTLD_NOW      0x00002
#define RTLD_NOLOAD   0x00004
#define RTLD_DEEPBIND 0x00008
#define RTLD_GLOBAL   0x00100
#define RTLD_LOCAL    0
#define RTLD_NODELETE 0x01000

#define RTLD_NEXT     ((void *)-1l)
#define RTLD_DEFAULT  ((void *)0)

void *dlopen(const char *file, int mode);
void *dlsym(void *__restrict handle, const char *__restrict name);
int dlclose(void *handle);
char *dlerror(void);

/* What dladdr tells of an address (a GNU extension, in glibc's layout). */
typedef struct {
	const char *dli_fname;
	void *dli_fbase;
	const char *dli_sname;
	void *dli_saddr;
} Dl_info;
int dladdr(const void *addr, Dl_info *info);

#endif
