/* sys/utsname.h - uname(2), Linux's layout (libc/system.c). */
#ifndef BULKHEAD_POSIX_SYS_UTSNAME_H
#define BULKHEAD_POSIX_SYS_UTSNAME_H

#define _UTSNAME_LENGTH 65

struct utsname {
	char sysname[_UTSNAME_LENGTH];	  /* "Bulkhead" */
	char nodename[_UTSNAME_LENGTH];	  /* gethostname's */
	char release[_UTSNAME_LENGTH];	  /* BULKHEAD_VERSION */
	char version[_UTSNAME_LENGTH];	  /* the configuration and backend */
	char machine[_UTSNAME_LENGTH];	  /* "x86_64" */
	char domainname[_UTSNAME_LENGTH]; /* "(none)", as Linux's default */
};

int uname(struct utsname *u);

#endif
