/*
 * mman.c - mmap, munmap, mprotect, madvise, msync and the mlock family,
 * with Linux's checks and errors, on memory private to the compartment.
 *
 * Memory comes from this compartment's own heap (libc/malloc.c), as
 * page-aligned blocks ("chunks") zeroed before they are handed out: under
 * mpk its pages carry the compartment's key, under ept they lie in its
 * VM's part, so a mapping is as private as the rest of the compartment's
 * data. Pages with the compartment's key straight from the kernel would
 * be no more private, and could never be given back (mm_page_free is the
 * core's alone).
 *
 * Mappings (struct vma) are kept as Linux keeps them, sorted ranges of
 * pages, so that munmap of part of one splits it and MAP_FIXED can put a
 * new mapping over pages of an old chunk. A chunk goes back to the heap
 * when the last of its pages is unmapped. Pages of a chunk that no
 * mapping covers are unmapped for mprotect, madvise and msync (ENOMEM),
 * as on Linux; memory mmap did not give (the heap, stacks, static data)
 * counts as mapped, since it is. Nothing is enforced by the page tables:
 * protections are checked and accepted, never applied, and an unmapped
 * page still reads and writes until its chunk is reused.
 *
 * A private file mapping is the file's bytes copied into fresh zeroed
 * memory; it keeps the open file description (as Linux keeps the file),
 * so MADV_DONTNEED can copy them again. A shared file mapping is made
 * the same way, and its bytes go back to the file (never past the file's
 * end, as Linux's pages past it are not the file's) when it is unmapped,
 * by msync, and before MADV_DONTNEED reads them again: what a program
 * writes through its mapping reaches the file, which is what SQLite's
 * WAL index needs. The memory is not the file's page cache, so read()
 * and write() of the file meanwhile, or a second shared mapping of the
 * same bytes, would not see each other's changes: a second one is refused
 * with ENODEV ("this file system cannot map these bytes shared again")
 * rather than made incoherent. Shared anonymous memory is private memory:
 * there is no other process.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <bulkhead/sched.h>
#include "fd.h"

#define PG	    4096UL
#define ROUND_UP(x) (((x) + PG - 1) & ~(PG - 1))
#define MAP_MAX_LEN (1UL << 47)	 /* the lower half of the address space */
#define DEV_ZERO    (1 << 8 | 5) /* /dev/zero's rdev: anonymous memory */
#define KNOWN_FLAGS                                                            \
	(MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_32BIT | MAP_GROWSDOWN |    \
	 MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE |         \
	 MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB |               \
	 MAP_FIXED_NOREPLACE)

/* A page-aligned heap block that mappings are made of. */
struct chunk {
	char *base;  /* memalign'd, PG-aligned */
	size_t len;  /* bytes, a multiple of PG */
	size_t live; /* bytes some mapping still covers */
	struct chunk *next;
};

/* A mapping: pages [start, end) of one chunk. */
struct vma {
	uintptr_t start, end;
	struct chunk *chunk;
	struct ofd *file;  /* a file mapping's file, held; or NULL */
	uint64_t off;	   /* the file offset of start */
	int shared;	   /* MAP_SHARED */
	int writes_back;   /* shared, of a file open for writing */
	uint64_t dev, ino; /* a shared file mapping's file */
	struct vma *next;  /* by start address */
};

static struct chunk *chunks;
static struct vma *vmas;
static sched_mutex_t lock;

static void take_lock(void)
{
	if (!lock)
		lock = sched_mutex_new(0);
	sched_mutex_lock(lock);
}

static void drop_lock(void)
{
	sched_mutex_unlock(lock);
}

static void *fail(int e)
{
	errno = e;
	return MAP_FAILED;
}

/* The chunk holding all of [a, b), or NULL. */
static struct chunk *chunk_of(uintptr_t a, uintptr_t b)
{
	for (struct chunk *c = chunks; c; c = c->next)
		if (a >= (uintptr_t)c->base && b <= (uintptr_t)c->base + c->len)
			return c;
	return NULL;
}

/* Is any page of [a, b) in a chunk but in no mapping? */
static int has_hole(uintptr_t a, uintptr_t b)
{
	for (struct chunk *c = chunks; c; c = c->next) {
		uintptr_t x = a > (uintptr_t)c->base ? a : (uintptr_t)c->base;
		uintptr_t y = (uintptr_t)c->base + c->len;

		y = b < y ? b : y;
		for (struct vma *v = vmas; v && x < y; v = v->next) {
			if (v->end <= x || v->start >= y)
				continue;
			if (v->start > x)
				return 1;
			x = v->end;
		}
		if (x < y)
			return 1;
	}
	return 0;
}

/* Refill [a, b) of v as a fresh mapping has it: zeros, then the file's
 * bytes (up to its end). 0, or -errno from reading the file. */
static long fill(struct vma *v, uintptr_t a, uintptr_t b)
{
	memset((void *)a, 0, b - a);
	if (!v->file)
		return 0;
	long r = file_pread_ofd(v->file, (void *)a, b - a,
				v->off + (a - v->start));

	return r < 0 ? r : 0;
}

/* Write [a, b) of shared file mapping v back to its file, up to the
 * file's end. 0, or -errno. */
static long write_back(struct vma *v, uintptr_t a, uintptr_t b)
{
	struct stat st;

	if (!v->writes_back)
		return 0;
	long r = file_stat_ofd(v->file, &st);

	if (r < 0)
		return r;
	uint64_t from = v->off + (a - v->start);
	uint64_t size = st.st_size > 0 ? (uint64_t)st.st_size : 0;

	if (from >= size)
		return 0;
	size_t n = b - a < size - from ? b - a : (size_t)(size - from);

	r = file_pwrite_ofd(v->file, (void *)a, n, from);
	return r < 0 ? r : 0;
}

/* Does a shared mapping other than skip map bytes [off, off + len) of
 * file (dev, ino)? */
static int shared_elsewhere(uint64_t dev, uint64_t ino, uint64_t off,
			    uint64_t len)
{
	for (struct vma *v = vmas; v; v = v->next)
		if (v->shared && v->file && v->dev == dev && v->ino == ino &&
		    v->off < off + len && off < v->off + (v->end - v->start))
			return 1;
	return 0;
}

static void vma_free(struct vma *v)
{
	if (v->file)
		ofd_put(v->file);
	free(v);
}

/* Unmap every page of [a, b) that a mapping covers; chunks left without
 * any go back to the heap. 0, or -ENOMEM (splitting a mapping needs a
 * new one), with nothing changed. */
static int unmap(uintptr_t a, uintptr_t b)
{
	struct vma **link = &vmas, *spare = NULL;

	for (struct vma *v = vmas; v; v = v->next)
		if (v->start < a && v->end > b) { /* a hole in the middle */
			if (!(spare = malloc(sizeof(*spare))))
				return -ENOMEM;
			break;
		}
	while (*link) {
		struct vma *v = *link;

		if (v->end <= a || v->start >= b) {
			link = &v->next;
			continue;
		}
		uintptr_t x = v->start > a ? v->start : a;
		uintptr_t y = v->end < b ? v->end : b;

		/* munmap has no way to tell of a failed write: Linux's
		 * writes back later and says nothing either. */
		write_back(v, x, y);
		v->chunk->live -= y - x;
		if (v->start < x && v->end > y) {
			*spare = *v;
			spare->start = y;
			spare->off = v->off + (y - v->start);
			if (spare->file)
				spare->file->refs++;
			v->end = x;
			v->next = spare;
			link = &spare->next;
		} else if (v->start < x) {
			v->end = x;
			link = &v->next;
		} else if (v->end > y) {
			v->off += y - v->start;
			v->start = y;
			link = &v->next;
		} else {
			*link = v->next;
			vma_free(v);
		}
	}
	for (struct chunk **cl = &chunks; *cl;) {
		struct chunk *c = *cl;

		if (c->live) {
			cl = &c->next;
			continue;
		}
		*cl = c->next;
		free(c->base);
		free(c);
	}
	return 0;
}

/* Put v in the list, by address. */
static void insert(struct vma *v)
{
	struct vma **link = &vmas;

	while (*link && (*link)->start < v->start)
		link = &(*link)->next;
	v->next = *link;
	*link = v;
}

/*
 * What fd may be mapped as: 0 with *file set to its description for a
 * regular file (NULL for /dev/zero, which maps as anonymous memory) and
 * *st_out its attributes, or an errno value, checked in Linux's order:
 * EBADF, EACCES for a file not open for reading (or for writing, shared
 * and writable), ENODEV for what cannot be mapped.
 */
static int mappable(int fd, int type, int prot, struct ofd **file,
		    struct stat *st_out)
{
	struct ofd *o = fd_get(fd);
	struct stat st;

	if (!o)
		return EBADF;
	int acc = fcntl(fd, F_GETFL) & O_ACCMODE;

	if (type != MAP_PRIVATE && (prot & PROT_WRITE) && acc != O_RDWR &&
	    acc != O_WRONLY)
		return EACCES;
	if (acc == O_WRONLY)
		return EACCES;
	if (fstat(fd, &st) < 0)
		return ENODEV;
	if (S_ISCHR(st.st_mode) && st.st_rdev == DEV_ZERO) {
		*file = NULL;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return ENODEV;
	*file = o;
	*st_out = st;
	return 0;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	int type = flags & MAP_TYPE;
	int fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	struct ofd *file = NULL;
	struct stat st = {0};
	uintptr_t a = (uintptr_t)addr;

	if (off < 0 || (off & (PG - 1)))
		return fail(EINVAL);
	if (!(flags & MAP_ANONYMOUS) && !fd_get(fd))
		return fail(EBADF);
	if (!len)
		return fail(EINVAL);
	if (len > MAP_MAX_LEN)
		return fail(ENOMEM);
	size_t size = ROUND_UP(len);

	if (fixed && ((a & (PG - 1)) || a + size < a))
		return fail(EINVAL);
	if (type != MAP_SHARED && type != MAP_PRIVATE &&
	    type != MAP_SHARED_VALIDATE)
		return fail(EINVAL);
	if (type == MAP_SHARED_VALIDATE && (flags & ~KNOWN_FLAGS))
		return fail(EOPNOTSUPP);
	if (type == MAP_SHARED_VALIDATE)
		type = MAP_SHARED;
	if (!(flags & MAP_ANONYMOUS)) {
		int e = mappable(fd, type, prot, &file, &st);

		if (e)
			return fail(e);
	}
	struct vma *v = calloc(1, sizeof(*v));
	struct chunk *c = NULL;

	if (!v)
		return fail(ENOMEM);
	*v = (struct vma){.file = file,
			  .off = (uint64_t)off,
			  .shared = type == MAP_SHARED,
			  .dev = (uint64_t)st.st_dev,
			  .ino = (uint64_t)st.st_ino};
	if (file && type == MAP_SHARED)
		v->writes_back = (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR;
	take_lock();
	if (file && type == MAP_SHARED &&
	    shared_elsewhere(v->dev, v->ino, v->off, size)) {
		drop_lock();
		free(v);
		return fail(ENODEV);
	}
	if (fixed)
		c = chunk_of(a, a + size);
	if (c && (flags & MAP_FIXED_NOREPLACE)) {
		for (struct vma *o = vmas; o; o = o->next)
			if (o->start < a + size && o->end > a) {
				drop_lock();
				free(v);
				return fail(EEXIST);
			}
	}
	if (c) {
		/* New pages over old ones of the same chunk. */
		c->live += size;
		if (unmap(a, a + size) < 0) {
			c->live -= size;
			drop_lock();
			free(v);
			return fail(ENOMEM);
		}
	} else if (fixed && !(flags & MAP_FIXED_NOREPLACE)) {
		/* Only what mmap gave can be mapped over. */
		drop_lock();
		free(v);
		return fail(EINVAL);
	} else {
		/* A new chunk (MAP_FIXED_NOREPLACE elsewhere: a hint, as
		 * kernels before it knew the flag took it). */
		c = calloc(1, sizeof(*c));
		a = (uintptr_t)(c ? memalign(PG, size) : NULL);
		if (!a) {
			drop_lock();
			free(c);
			free(v);
			return fail(ENOMEM);
		}
		*c = (struct chunk){(char *)a, size, size, chunks};
		chunks = c;
	}
	v->start = a;
	v->end = a + size;
	v->chunk = c;
	if (file)
		file->refs++;
	insert(v);
	long r = fill(v, a, a + size);

	if (r < 0) {
		unmap(a, a + size);
		drop_lock();
		return fail((int)-r);
	}
	drop_lock();
	return (void *)a;
}

int munmap(void *addr, size_t len)
{
	uintptr_t a = (uintptr_t)addr;

	if ((a & (PG - 1)) || len > MAP_MAX_LEN || a > MAP_MAX_LEN - len ||
	    !len) {
		errno = EINVAL;
		return -1;
	}
	take_lock();
	int r = unmap(a, a + ROUND_UP(len));

	drop_lock();
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

/* ENOMEM if [a, a + len) has a page no mapping covers, else 0. */
static int mapped(uintptr_t a, size_t len)
{
	take_lock();
	int hole = has_hole(a, a + len);

	drop_lock();
	if (hole) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int mprotect(void *addr, size_t len, int prot)
{
	uintptr_t a = (uintptr_t)addr;

	if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP)) {
		errno = EINVAL;
		return -1;
	}
	prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
	if (a & (PG - 1)) {
		errno = EINVAL;
		return -1;
	}
	if (!len)
		return 0;
	size_t size = ROUND_UP(len);

	if (!size || a + size <= a) {
		errno = ENOMEM;
		return -1;
	}
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) {
		errno = EINVAL;
		return -1;
	}
	return mapped(a, size);
}

/* Advice Linux knows (some of its kernels refuse a few when built
 * without the feature; all are taken here). */
static int known_advice(int advice)
{
	return (advice >= MADV_NORMAL && advice <= MADV_DONTNEED) ||
	       (advice >= MADV_FREE && advice <= 25);
}

/* MADV_DONTNEED and MADV_REMOVE: the pages of [a, b) read as a fresh
 * mapping's would. EINVAL for MADV_REMOVE of private memory. */
static int forget(uintptr_t a, uintptr_t b, int advice)
{
	for (struct vma *v = vmas; v; v = v->next) {
		if (v->end <= a || v->start >= b)
			continue;
		if (advice == MADV_REMOVE && !v->shared)
			return EINVAL;
		uintptr_t x = v->start > a ? v->start : a;
		uintptr_t y = v->end < b ? v->end : b;
		/* A shared file mapping's bytes are the file's: kept. */
		long r = write_back(v, x, y);

		if (r == 0)
			r = fill(v, x, y);

		if (r < 0)
			return (int)-r;
	}
	return 0;
}

int madvise(void *addr, size_t len, int advice)
{
	uintptr_t a = (uintptr_t)addr;

	if (!known_advice(advice) || (a & (PG - 1))) {
		errno = EINVAL;
		return -1;
	}
	size_t size = ROUND_UP(len);

	if ((len && !size) || a + size < a) {
		errno = EINVAL;
		return -1;
	}
	if (!size)
		return 0;
	int e = 0;

	take_lock();
	if (advice == MADV_DONTNEED || advice == MADV_REMOVE)
		e = forget(a, a + size, advice);
	if (!e && has_hole(a, a + size))
		e = ENOMEM;
	drop_lock();
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

/* As glibc's: POSIX_MADV_DONTNEED may not destroy data, so it does
 * nothing; the rest is madvise's. An error number is returned, errno is
 * left alone. */
int posix_madvise(void *addr, size_t len, int advice)
{
	int saved = errno, r = 0;

	if (advice != POSIX_MADV_DONTNEED && madvise(addr, len, advice) < 0)
		r = errno;
	errno = saved;
	return r;
}

/* Shared file mappings of [addr, addr + len) go back to their files;
 * private memory has nothing to write back: only the checks. */
int msync(void *addr, size_t len, int flags)
{
	uintptr_t a = (uintptr_t)addr;

	if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) || (a & (PG - 1)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC))) {
		errno = EINVAL;
		return -1;
	}
	size_t size = ROUND_UP(len);

	if (a + size < a) {
		errno = ENOMEM;
		return -1;
	}
	if (!size)
		return 0;
	if (mapped(a, size) < 0)
		return -1;
	long r = 0;

	take_lock();
	for (struct vma *v = vmas; v && r == 0; v = v->next) {
		if (v->end <= a || v->start >= a + size)
			continue;
		r = write_back(v, v->start > a ? v->start : a,
			       v->end < a + size ? v->end : a + size);
	}
	drop_lock();
	return r < 0 ? (int)libc_sys(r) : 0;
}

/* Memory is never paged out: locking it is already true. */
int mlock(const void *addr, size_t len)
{
	(void)addr;
	(void)len;
	return 0;
}

int munlock(const void *addr, size_t len)
{
	(void)addr;
	(void)len;
	return 0;
}

int mlockall(int flags)
{
	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int munlockall(void)
{
	return 0;
}
