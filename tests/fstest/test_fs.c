/*
 * The file system from inside: the devices, /tmp, a full ramfs, and, in
 * images that isolate the vfs, its boundary: another compartment's open
 * file, made-up handles and memory no caller may hand over are refused.
 * ("isolated_*" suites run only in images that isolate the vfs from the
 * application, "mpk_*" ones in those that do it with MPK; "fs_full"
 * boots with ramfs_max=2, two MiB.)
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bulkhead/comp.h>
#include <bulkhead/fs.h>
#include <bulkhead/kernel.h>
#include "ktest.h"

long fsvictim_open(void) __attribute__((weak));
long fsvictim_read(fs_file_t h) __attribute__((weak));

/* Whether the vfs is in another compartment than this code: its calls
 * then go through a gate, which checks them and says who called (an
 * image may isolate other libraries and keep the vfs with the app). */
static const struct comp_desc *code_of(uintptr_t a)
{
	for (unsigned i = 0; i < comp_config.count; i++) {
		const struct comp_desc *c = &comp_config.comps[i];

		if (a >= c->text.start && a < c->text.end)
			return c;
	}
	return NULL; /* a gate's */
}

static int vfs_apart(void)
{
	return comp_has(COMP_KEYS | COMP_VMS) &&
	       code_of((uintptr_t)&vfs_read) != code_of((uintptr_t)&code_of);
}

int ktest_suite_enabled(const char *suite)
{
	if (strncmp(suite, "mpk", 3) == 0)
		return comp_has(COMP_KEYS) && vfs_apart();
	return strncmp(suite, "isolated", 8) != 0 || vfs_apart();
}

TEST(fs, devices_and_tmp_exist)
{
	struct stat st;
	char buf[64];
	int fd;

	KT_EXPECT_EQ(stat("/tmp", &st), 0);
	KT_EXPECT_EQ(st.st_mode, S_IFDIR | 01777);
	KT_EXPECT_EQ(stat("/dev/null", &st), 0);
	KT_EXPECT_EQ(!!(S_ISCHR(st.st_mode)), 1);
	KT_EXPECT_EQ(st.st_rdev, 1 << 8 | 3);
	fd = open("/dev/null", O_RDWR);
	KT_EXPECT_EQ(write(fd, "gone", 4), 4);
	KT_EXPECT_EQ(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	memset(buf, 1, sizeof(buf));
	KT_EXPECT_EQ(read(fd, buf, sizeof(buf)), (long)sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		KT_EXPECT_EQ(buf[i], 0);
	close(fd);
	KT_EXPECT_EQ(open("/dev/nothing", O_RDONLY), -1);
	KT_EXPECT_EQ(errno, ENOENT);
	KT_EXPECT_EQ(open("/dev/newfile", O_CREAT | O_WRONLY, 0644), -1);
	KT_EXPECT_EQ(errno, EACCES);
	KT_EXPECT_EQ(unlink("/dev/null"), -1);
	KT_EXPECT_EQ(errno, EPERM);
	KT_EXPECT_EQ(rmdir("/dev"), -1);
	KT_EXPECT_EQ(errno, EBUSY);
	KT_EXPECT_EQ(rename("/dev/zero", "/tmp/zero"), -1);
	KT_EXPECT_EQ(errno, EXDEV);
}

TEST(fs, urandom_gives_different_bytes_each_read)
{
	unsigned char a[32], b[32], c[32];
	int fd = open("/dev/urandom", O_RDONLY);

	KT_ASSERT(fd >= 0);
	KT_EXPECT_EQ(read(fd, a, sizeof(a)), (long)sizeof(a));
	KT_EXPECT_EQ(read(fd, b, sizeof(b)), (long)sizeof(b));
	close(fd);
	KT_EXPECT_EQ(getentropy(c, sizeof(c)), 0);
	KT_EXPECT_EQ(!!(memcmp(a, b, sizeof(a)) != 0), 1);
	KT_EXPECT_EQ(!!(memcmp(a, c, sizeof(a)) != 0), 1);
	KT_EXPECT_EQ(getentropy(c, 257), -1);
	KT_EXPECT_EQ(errno, EIO);
	/* not all zero, not one byte repeated */
	int same = 0;

	for (size_t i = 1; i < sizeof(a); i++)
		same += a[i] == a[0];
	KT_EXPECT_EQ(!!(same < 8), 1);
}

TEST(fs, cwd_is_per_compartment_root_at_start)
{
	char buf[64];

	KT_ASSERT(getcwd(buf, sizeof(buf)) != NULL);
	KT_EXPECT_STR(buf, "/");
	KT_EXPECT_EQ(chdir("/dev"), 0);
	KT_ASSERT(getcwd(buf, sizeof(buf)) != NULL);
	KT_EXPECT_STR(buf, "/dev");
	KT_EXPECT_EQ(access("null", F_OK), 0);
	KT_EXPECT_EQ(chdir(".."), 0);
	KT_ASSERT(getcwd(buf, sizeof(buf)) != NULL);
	KT_EXPECT_STR(buf, "/");
}

/* A full file system says ENOSPC, keeps what it holds, and takes writes
 * again once something is removed. */
TEST(fs_full, a_full_ramfs_says_enospc_and_recovers)
{
	static char block[64 * 1024];
	long total = 0, r;
	int fd = open("/tmp/big", O_CREAT | O_RDWR | O_TRUNC, 0644);

	KT_ASSERT(fd >= 0);
	memset(block, 'b', sizeof(block));
	while ((r = write(fd, block, sizeof(block))) == (long)sizeof(block))
		total += r;
	/* the last write may be short; the next one fails */
	if (r > 0) {
		total += r;
		r = write(fd, block, sizeof(block));
	}
	KT_EXPECT_EQ(r, -1);
	KT_EXPECT_EQ(errno, ENOSPC);
	KT_EXPECT_EQ(!!(total > 1024 * 1024 && total < 2 * 1024 * 1024), 1);
	/* less than a page is left: a new file's first page does not fit */
	int more = open("/tmp/more", O_CREAT | O_WRONLY, 0644);

	if (more >= 0) {
		KT_EXPECT_EQ(write(more, block, 4096), -1);
		KT_EXPECT_EQ(errno, ENOSPC);
		close(more);
	} else
		KT_EXPECT_EQ(errno, ENOSPC);
	/* what was written is all there */
	struct stat st;

	KT_EXPECT_EQ(fstat(fd, &st), 0);
	KT_EXPECT_EQ(st.st_size, total);
	char c = 0;

	KT_EXPECT_EQ(pread(fd, &c, 1, total - 1), 1);
	KT_EXPECT_EQ(c, 'b');
	close(fd);
	KT_EXPECT_EQ(unlink("/tmp/big"), 0);
	fd = open("/tmp/more", O_CREAT | O_WRONLY, 0644);
	KT_EXPECT_EQ(!!(fd >= 0), 1);
	KT_EXPECT_EQ(write(fd, block, sizeof(block)), (long)sizeof(block));
	close(fd);
	unlink("/tmp/more");
}

/* Memory for well-behaved calls, and memory of this compartment's own. */
static char shared_buf[64] __shared;
static char shared_path[FS_PATH_MAX + 64] __shared;
static struct fs_attr shared_attr __shared;
static char mine[64];

TEST(isolated_fs, another_compartments_file_is_refused)
{
	KT_ASSERT(fsvictim_open != NULL);
	long h = fsvictim_open();

	KT_ASSERT(h > 0);
	/* its handle, used from here, names nothing */
	KT_EXPECT_EQ(vfs_read((fs_file_t)h, shared_buf, 8, 0), -EBADF);
	KT_EXPECT_EQ(vfs_pwrite((fs_file_t)h, shared_buf, 8, 0, 0), -EBADF);
	KT_EXPECT_EQ(vfs_fstat((fs_file_t)h, &shared_attr, 0), -EBADF);
	KT_EXPECT_EQ(vfs_ftruncate((fs_file_t)h, 0, 0), -EBADF);
	KT_EXPECT_EQ(vfs_close((fs_file_t)h, 0), -EBADF);
	/* claiming to be its compartment does not help: the gate says who
	 * called */
	for (int c = 0; c < 8; c++)
		KT_EXPECT_EQ(vfs_read((fs_file_t)h, shared_buf, 8, c), -EBADF);
	/* and the file is still its owner's, untouched */
	KT_EXPECT_EQ(fsvictim_read((fs_file_t)h), 8);
}

TEST(isolated_fs, made_up_handles_find_nothing)
{
	uint64_t real;

	/* a handle of this compartment's, and its neighbours: other slots
	 * (free, or another compartment's), other generations */
	real = (uint64_t)vfs_openat(FS_CWD, strcpy(shared_path, "/tmp/mine"),
				    O_CREAT | O_RDWR, 0600, 0);
	KT_ASSERT((long)real > 0);
	KT_EXPECT_EQ(vfs_read(real, shared_buf, 1, 0), 0);
	const uint64_t guesses[] = {0,
				    1,
				    real + 1,
				    real - 1,
				    real + (1ull << 32),
				    real - (1ull << 32),
				    real ^ (1ull << 63),
				    (uint32_t)real,
				    UINT64_MAX};

	for (size_t i = 0; i < sizeof(guesses) / sizeof(*guesses); i++)
		if (guesses[i] != real)
			KT_EXPECT_EQ(vfs_read(guesses[i], shared_buf, 1, 0),
				     -EBADF);
	/* closed, it names nothing, even to its owner */
	KT_EXPECT_EQ(vfs_close(real, 0), 0);
	KT_EXPECT_EQ(vfs_read(real, shared_buf, 1, 0), -EBADF);
	unlink("/tmp/mine");
}

TEST(isolated_fs, unterminated_and_wrapping_arguments_are_refused)
{
	long h = vfs_openat(FS_CWD, strcpy(shared_path, "/tmp/refused"),
			    O_CREAT | O_RDWR, 0600, 0);

	KT_ASSERT(h > 0);
	/* a length that wraps around the address space */
	KT_EXPECT_EQ(vfs_write((fs_file_t)h, shared_buf, (size_t)-8, 0),
		     -EFAULT);
	/* a path with no end within its limit */
	memset(shared_path, 'p', sizeof(shared_path));
	KT_EXPECT_EQ(vfs_openat(FS_CWD, shared_path, O_RDONLY, 0, 0), -EFAULT);
	KT_EXPECT_EQ(vfs_close((fs_file_t)h, 0), 0);
}

/* Under MPK the vfs runs in the caller's address space: a pointer into
 * the caller's own memory, the core's or the vfs's must be refused before
 * the vfs reads or writes through it. (Under ept arguments cross by copy,
 * so a caller's own memory is its to hand over.) */
TEST(mpk_fs, memory_no_caller_may_hand_over_is_refused)
{
	void *core = (void *)ksyms_lookup_name("mm_phys");
	/* the vfs's own data: /dev/urandom's key (fs/vfs/dev.c) */
	void *vfs = (void *)ksyms_lookup_name("key");
	long h = vfs_openat(FS_CWD, strcpy(shared_path, "/tmp/refused"),
			    O_CREAT | O_RDWR, 0600, 0);

	KT_ASSERT(core && vfs && h > 0);
	/* reading into this compartment's own memory, or the core's */
	KT_EXPECT_EQ(vfs_read((fs_file_t)h, mine, sizeof(mine), 0), -EFAULT);
	KT_EXPECT_EQ(vfs_read((fs_file_t)h, core, 8, 0), -EFAULT);
	/* writing out the vfs's secret or the core's data */
	KT_EXPECT_EQ(vfs_write((fs_file_t)h, vfs, 16, 0), -EFAULT);
	KT_EXPECT_EQ(vfs_write((fs_file_t)h, core, 16, 0), -EFAULT);
	/* a path in private memory */
	strcpy(mine, "/tmp/x");
	KT_EXPECT_EQ(vfs_openat(FS_CWD, mine, O_RDONLY, 0, 0), -EFAULT);
	/* a stat buffer in the core or the vfs */
	KT_EXPECT_EQ(vfs_fstat((fs_file_t)h, core, 0), -EFAULT);
	KT_EXPECT_EQ(vfs_fstat((fs_file_t)h, vfs, 0), -EFAULT);
	/* nothing was written through the refused calls */
	KT_EXPECT_EQ(vfs_fstat((fs_file_t)h, &shared_attr, 0), 0);
	KT_EXPECT_EQ(shared_attr.size, 0);
	KT_EXPECT_EQ(vfs_close((fs_file_t)h, 0), 0);
}
