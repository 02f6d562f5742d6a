/*
 * mmap.c - mmap, munmap, mprotect, madvise and msync as Linux has them:
 * anonymous and private file mappings, partial unmapping, MAP_FIXED
 * inside what mmap gave, and the errors of each call's checks.
 *
 * Prints results and errno names only, never addresses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "posix.h"

#define PG 4096

/* "name: 0" or "name: -1 ENAME" for a call returning an int. */
static void rc(const char *name, int r)
{
	if (r < 0)
		printf("%s: %d %s\n", name, r, errname(errno));
	else
		printf("%s: %d\n", name, r);
}

/* "name: mapped" or "name: MAP_FAILED ENAME" for mmap's result. */
static void *mm(const char *name, void *p)
{
	if (p == MAP_FAILED)
		printf("%s: MAP_FAILED %s\n", name, errname(errno));
	else
		printf("%s: mapped, page-aligned %s\n", name,
		       (uintptr_t)p % PG ? "no" : "yes");
	return p;
}

/* Do len bytes at p all equal c? */
static int all(const void *p, int c, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i] != (unsigned char)c)
			return 0;
	return 1;
}

static void *anon(size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void anonymous(void)
{
	char *p = mm("anon 3 pages", anon(3 * PG));

	if (p == MAP_FAILED)
		return;
	printf("anon zeroed: %d\n", all(p, 0, 3 * PG));
	memset(p, 'a', 3 * PG);
	printf("anon written: %d\n", all(p, 'a', 3 * PG));
	rc("munmap whole", munmap(p, 3 * PG));

	/* A length that is not a multiple of the page size is rounded up. */
	p = mm("anon 100 bytes", anon(100));
	if (p != MAP_FAILED) {
		printf("anon 100 zeroed to the page end: %d\n", all(p, 0, PG));
		rc("munmap 100 bytes", munmap(p, 100));
	}

	p = mm("anon shared", mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	if (p != MAP_FAILED) {
		printf("anon shared zeroed: %d\n", all(p, 0, 2 * PG));
		rc("munmap shared", munmap(p, 2 * PG));
	}

	/* A hint is only a hint. */
	p = mm("anon with a hint",
	       mmap((void *)(uintptr_t)0x10000000, PG, PROT_READ,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	if (p != MAP_FAILED)
		rc("munmap hinted", munmap(p, PG));

	size_t big = 16 << 20;

	p = mm("anon 16 MiB", anon(big));
	if (p != MAP_FAILED) {
		printf("16 MiB zeroed: %d\n", all(p, 0, big));
		p[big - 1] = 1;
		rc("munmap 16 MiB", munmap(p, big));
	}
}

static void mmap_errors(void)
{
	mm("length 0", anon(0));
	mm("neither shared nor private",
	   mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0));
	mm("unaligned offset",
	   mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1));
	mm("file mapping of fd -1",
	   mmap(NULL, PG, PROT_READ, MAP_PRIVATE, -1, 0));
	mm("file mapping of a closed fd",
	   mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 999, 0));
	mm("length past the address space", anon(SIZE_MAX - PG));
	mm("fixed at an unaligned address",
	   mmap((void *)(uintptr_t)0x10000001, PG, PROT_READ,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
}

static void partial(void)
{
	char *p = mm("anon 4 pages", anon(4 * PG));

	if (p == MAP_FAILED)
		return;
	for (int i = 0; i < 4; i++)
		memset(p + i * PG, '0' + i, PG);
	rc("munmap unaligned", munmap(p + 1, PG));
	rc("munmap length 0", munmap(p, 0));
	rc("munmap second page", munmap(p + PG, PG));
	printf("pages 1, 3, 4 kept: %d %d %d\n", all(p, '0', PG),
	       all(p + 2 * PG, '2', PG), all(p + 3 * PG, '3', PG));
	rc("mprotect the hole", mprotect(p + PG, PG, PROT_READ));
	rc("mprotect across the hole", mprotect(p, 3 * PG, PROT_READ));
	rc("msync the hole", msync(p + PG, PG, MS_SYNC));
	rc("madvise the hole", madvise(p + PG, PG, MADV_NORMAL));
	rc("munmap the hole again", munmap(p + PG, PG));
	mm("fixed inside the mapping, unaligned",
	   mmap(p + PG + 1, PG, PROT_READ,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));

	/* MAP_FIXED into the hole: fresh zeroed memory at that address. */
	char *f = mmap(p + PG, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	printf("fixed into the hole: %s\n", f == MAP_FAILED ? errname(errno)
					    : f == p + PG   ? "at the address"
							    : "elsewhere");
	if (f != MAP_FAILED)
		printf("fixed page zeroed: %d\n", all(f, 0, PG));
	rc("mprotect all four", mprotect(p, 4 * PG, PROT_READ | PROT_WRITE));

	/* MAP_FIXED over mapped pages replaces them. */
	f = mmap(p + 2 * PG, 2 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("fixed over pages 3-4: %s, zeroed %d, page 1 kept %d\n",
	       f == p + 2 * PG ? "at the address" : "elsewhere",
	       all(p + 2 * PG, 0, 2 * PG), all(p, '0', PG));

	/* The last page, then the first, then what is left in one call
	 * across ranges that are already gone. */
	rc("munmap last page", munmap(p + 3 * PG, PG));
	rc("munmap first page", munmap(p, PG));
	rc("munmap the rest and beyond", munmap(p, 4 * PG));
}

static void protect_advise_sync(void)
{
	char *p = mm("anon 2 pages", anon(2 * PG));

	if (p == MAP_FAILED)
		return;
	rc("mprotect read", mprotect(p, 2 * PG, PROT_READ));
	rc("mprotect none", mprotect(p, PG, PROT_NONE));
	rc("mprotect read write", mprotect(p, 2 * PG, PROT_READ | PROT_WRITE));
	rc("mprotect length 0", mprotect(p, 0, PROT_READ));
	rc("mprotect unaligned", mprotect(p + 1, PG, PROT_READ));
	rc("mprotect unknown bit", mprotect(p, PG, PROT_READ | 0x100));
	rc("mprotect part of a page", mprotect(p, 10, PROT_READ | PROT_WRITE));

	memset(p, 'x', 2 * PG);
	rc("madvise normal", madvise(p, 2 * PG, MADV_NORMAL));
	rc("madvise random", madvise(p, 2 * PG, MADV_RANDOM));
	rc("madvise sequential", madvise(p, 2 * PG, MADV_SEQUENTIAL));
	rc("madvise willneed", madvise(p, 2 * PG, MADV_WILLNEED));
	printf("untouched by advice: %d\n", all(p, 'x', 2 * PG));
	rc("madvise dontneed page 2", madvise(p + PG, PG, MADV_DONTNEED));
	printf("after dontneed: page 1 kept %d, page 2 zeroed %d\n",
	       all(p, 'x', PG), all(p + PG, 0, PG));
	rc("madvise unknown advice", madvise(p, PG, 9999));
	rc("madvise unaligned", madvise(p + 1, PG, MADV_NORMAL));
	rc("madvise length 0", madvise(p, 0, MADV_NORMAL));
	rc("posix_madvise unknown (returned)",
	   posix_madvise(p, PG, 9999) == EINVAL ? 22 : -1);

	rc("msync sync", msync(p, 2 * PG, MS_SYNC));
	rc("msync async", msync(p, PG, MS_ASYNC));
	rc("msync invalidate", msync(p, PG, MS_INVALIDATE));
	rc("msync sync and async", msync(p, PG, MS_SYNC | MS_ASYNC));
	rc("msync unknown flag", msync(p, PG, 0x100));
	rc("msync unaligned", msync(p + 1, PG, MS_SYNC));
	rc("msync length 0", msync(p, 0, MS_SYNC));
	rc("mlock", mlock(p, PG));
	rc("munlock", munlock(p, PG));
	rc("munmap", munmap(p, 2 * PG));
}

static void file_mappings(void)
{
	static char bytes[5000];
	char *p;
	int fd;

	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (char)('A' + i % 26);
	fd = open("/tmp/mmap.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, bytes, sizeof(bytes)) != sizeof(bytes)) {
		printf("setup failed: %s\n", errname(errno));
		return;
	}
	close(fd);

	fd = open("/tmp/mmap.dat", O_RDONLY);
	p = mm("private file, 2 pages",
	       mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	if (p != MAP_FAILED) {
		printf("the file's bytes: %d, then zeros: %d\n",
		       memcmp(p, bytes, sizeof(bytes)) == 0,
		       all(p + sizeof(bytes), 0, 2 * PG - sizeof(bytes)));
		memset(p, 'z', 10);
		char back[10];

		printf("a private write stays private: %d\n",
		       pread(fd, back, 10, 0) == 10 &&
			       memcmp(back, bytes, 10) == 0);
		rc("madvise dontneed a file page",
		   madvise(p, PG, MADV_DONTNEED));
		printf("after dontneed the file's bytes again: %d\n",
		       memcmp(p, bytes, PG) == 0);
	}
	char *q = mm("private file at offset 4096",
		     mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, PG));

	if (q != MAP_FAILED)
		printf("bytes from 4096: %d, then zeros: %d\n",
		       memcmp(q, bytes + PG, sizeof(bytes) - PG) == 0,
		       all(q + sizeof(bytes) - PG, 0, 2 * PG - sizeof(bytes)));
	mm("private file, unaligned offset",
	   mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 100));

	/* The mapping outlives the descriptor and the name. */
	close(fd);
	unlink("/tmp/mmap.dat");
	if (p != MAP_FAILED) {
		printf("after close and unlink: %d\n",
		       memcmp(p + 10, bytes + 10, sizeof(bytes) - 10) == 0);
		rc("madvise dontneed after close",
		   madvise(p + PG, PG, MADV_DONTNEED));
		printf("the closed file's bytes again: %d\n",
		       memcmp(p + PG, bytes + PG, sizeof(bytes) - PG) == 0);
		rc("munmap file", munmap(p, 2 * PG));
	}
	if (q != MAP_FAILED)
		rc("munmap file at offset", munmap(q, PG));

	fd = open("/tmp/mmap.wo", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	mm("private file opened write-only",
	   mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0));
	close(fd);
	unlink("/tmp/mmap.wo");

	fd = open("/tmp", O_RDONLY);
	mm("a directory", mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0));
	close(fd);

	int pfd[2];

	if (pipe(pfd) == 0) {
		mm("a pipe", mmap(NULL, PG, PROT_READ, MAP_PRIVATE, pfd[0], 0));
		close(pfd[0]);
		close(pfd[1]);
	}

	fd = open("/dev/zero", O_RDWR);
	p = mm("/dev/zero private",
	       mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	if (p != MAP_FAILED) {
		printf("/dev/zero zeroed: %d\n", all(p, 0, PG));
		munmap(p, PG);
	}
	close(fd);
}

int main(void)
{
	printf("page size %ld\n", sysconf(_SC_PAGESIZE));
	anonymous();
	mmap_errors();
	partial();
	protect_advise_sync();
	file_mappings();
	return 0;
}
