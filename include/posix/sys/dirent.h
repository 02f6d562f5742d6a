/*
 * sys/dirent.h - directory entries, for newlib's <dirent.h>, which leaves
 * them to the system. The layout is Linux's; libc/dir.c reads them from
 * the vfs.
 */
#ifndef _SYS_DIRENT_H
#define _SYS_DIRENT_H

#include <sys/types.h>

#define DT_UNKNOWN 0
#define DT_FIFO	   1
#define DT_CHR	   2
#define DT_DIR	   4
#define DT_BLK	   6
#define DT_REG	   8
#define DT_LNK	   10
#define DT_SOCK	   12

struct dirent {
	ino_t d_ino;		 /* the entry's node number */
	off_t d_off;		 /* where the next entry is (telldir) */
	unsigned short d_reclen; /* sizeof(struct dirent) */
	unsigned char d_type;	 /* DT_REG, DT_DIR, ... */
	char d_name[256];	 /* NUL-terminated */
};

/* An open directory stream: its descriptor and the last entry read. */
typedef struct {
	int dd_fd;	      /* an open descriptor of the directory */
	struct dirent dd_ent; /* what readdir returned last */
} DIR;

#define MAXNAMLEN 255

#endif
