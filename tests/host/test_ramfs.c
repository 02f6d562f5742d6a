/*
 * test_ramfs.c - the in-memory file system (fs/ramfs/) on the host: its
 * handles, sparse files, directories, rename, open-but-unlinked nodes,
 * times and capacity, one rule a case. Each case starts from a fresh
 * mount (ramfs_reset), and the stub mutex checks that every call lets go
 * of ramfs's lock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bulkhead/fs.h>
#include "../../fs/ramfs/ramfs_impl.h"
#include "ktest.h"
#include "stubs.h"

#define PAGE RAMFS_PAGE_SIZE
#define NODE RAMFS_NODE_CHARGE
#define DENT RAMFS_DENT_CHARGE
#define TiB  (1ull << 40)
#define T0   1000000000ll

/* A fresh ramfs of max bytes (0: no limit), its clock at T0. */
static fs_node_t setup(uint64_t max)
{
	ramfs_reset();
	stub_wall_ns = T0;
	return ramfs_mount(max);
}

static struct ramfs_usage usage(void)
{
	struct ramfs_usage u;

	ramfs_usage(&u);
	return u;
}

static struct fs_attr attr(fs_node_t n)
{
	struct fs_attr a;

	memset(&a, 0xee, sizeof(a));
	if (ramfs_getattr(n, &a) != 0)
		memset(&a, 0, sizeof(a));
	return a;
}

static long mkfile(fs_node_t d, const char *name)
{
	return ramfs_create(d, name, S_IFREG | 0644);
}

static long mkdir_(fs_node_t d, const char *name)
{
	return ramfs_create(d, name, S_IFDIR | 0755);
}

/* Write a string; its length on success. */
static long put(fs_node_t f, const char *s, uint64_t off)
{
	return ramfs_write(f, s, strlen(s), off);
}

/* Whether len bytes at off of file f all read as c (and are all there). */
static int reads_as(fs_node_t f, uint64_t off, size_t len, char c)
{
	char *buf = malloc(len ? len : 1);
	int ok;

	memset(buf, c ^ 0x5a, len);
	ok = ramfs_read(f, buf, len, off) == (long)len;
	for (size_t i = 0; ok && i < len; i++)
		ok = buf[i] == c;
	free(buf);
	return ok;
}

/* The lock is free again after every call. */
#define KT_UNLOCKED() KT_EXPECT_EQ(stub_mutex_held, 0)

/* --- mount and handles ------------------------------------------------------ */

TEST(ramfs, mount_once_gives_the_root)
{
	fs_node_t root = setup(0);
	struct fs_attr a;

	KT_ASSERT((int64_t)root > 0);
	KT_EXPECT_EQ((int64_t)ramfs_mount(0), -EBUSY);
	a = attr(root);
	KT_EXPECT_EQ(a.mode, S_IFDIR | 0755);
	KT_EXPECT_EQ(a.nlink, 2);
	KT_EXPECT_EQ(a.size, 0);
	KT_EXPECT_EQ(a.rdev, 0);
	KT_EXPECT_EQ(a.dev, 0);
	KT_EXPECT_EQ(a.atime_ns, T0);
	KT_EXPECT_EQ(ramfs_lookup(root, "."), (long)root);
	KT_EXPECT_EQ(ramfs_lookup(root, ".."), (long)root);
	KT_UNLOCKED();
}

TEST(ramfs, calls_before_the_mount_find_nothing)
{
	char buf[8];
	struct fs_attr a;
	struct fs_dirent e;

	ramfs_reset();
	KT_EXPECT_EQ(ramfs_lookup(1ull << 32, "x"), -ESTALE);
	KT_EXPECT_EQ(ramfs_create(1ull << 32, "x", S_IFREG), -ESTALE);
	KT_EXPECT_EQ(ramfs_read(1ull << 32, buf, 8, 0), -ESTALE);
	KT_EXPECT_EQ(ramfs_getattr(1ull << 32, &a), -ESTALE);
	KT_EXPECT_EQ(ramfs_readdir(1ull << 32, 0, &e), -ESTALE);
	KT_EXPECT_EQ(ramfs_hold(1ull << 32), -ESTALE);
	KT_UNLOCKED();
}

TEST(ramfs, mount_too_small_for_the_root_fails_and_may_be_retried)
{
	ramfs_reset();
	KT_EXPECT_EQ((int64_t)ramfs_mount(NODE - 1), -ENOSPC);
	KT_EXPECT_EQ(usage().allocs, 0);
	KT_ASSERT((int64_t)ramfs_mount(NODE) > 0);
	KT_EXPECT_EQ(usage().used, NODE);
	KT_EXPECT_EQ(mkfile(ramfs_lookup(1ull << 32, "."), "f"), -ENOSPC);
	KT_UNLOCKED();
}

/* Every function given h answers -ESTALE. */
static int all_stale(fs_node_t h)
{
	char buf[8] = "abc";
	struct fs_attr a;
	struct fs_dirent e;

	return ramfs_lookup(h, "a") == -ESTALE &&
	       ramfs_create(h, "a", S_IFREG) == -ESTALE &&
	       ramfs_unlink(h, "a") == -ESTALE &&
	       ramfs_rmdir(h, "a") == -ESTALE &&
	       ramfs_rename(h, "a", h, "b") == -ESTALE &&
	       ramfs_read(h, buf, 8, 0) == -ESTALE &&
	       ramfs_write(h, buf, 3, 0) == -ESTALE &&
	       ramfs_truncate(h, 0) == -ESTALE &&
	       ramfs_getattr(h, &a) == -ESTALE &&
	       ramfs_chmod(h, 0600) == -ESTALE &&
	       ramfs_utimes(h, 1, 1) == -ESTALE &&
	       ramfs_readdir(h, 0, &e) == -ESTALE && ramfs_hold(h) == -ESTALE &&
	       ramfs_release(h) == -ESTALE && stub_mutex_held == 0;
}

TEST(ramfs, made_up_handles_are_stale)
{
	fs_node_t root = setup(0);
	uint32_t index = (uint32_t)root, gen = (uint32_t)(root >> 32);

	KT_ASSERT(all_stale(0));
	KT_ASSERT(all_stale(index));		   /* generation 0 */
	KT_ASSERT(all_stale(root + (1ull << 32))); /* the next one */
	KT_ASSERT(all_stale(root + 1));		   /* no such slot */
	KT_ASSERT(all_stale(root + 1000000));
	KT_ASSERT(all_stale(0xffffffffull | (uint64_t)gen << 32));
	KT_ASSERT(all_stale((uint64_t)(RAMFS_GEN_MAX + 1u) << 32 | index));
	KT_ASSERT(all_stale(UINT64_MAX));
	KT_ASSERT(all_stale((fs_node_t)-EBUSY));
	KT_EXPECT_EQ(attr(root).nlink, 2); /* nothing touched */
}

TEST(ramfs, a_freed_nodes_handle_stays_stale_when_its_slot_is_reused)
{
	fs_node_t root = setup(0);
	long f = mkfile(root, "f"), g;

	KT_ASSERT(f > 0);
	KT_EXPECT_EQ(put(f, "old", 0), 3);
	KT_EXPECT_EQ(ramfs_unlink(root, "f"), 0);
	KT_ASSERT(all_stale(f));
	g = mkfile(root, "g");
	KT_ASSERT(g > 0);
	/* The same slot, the next generation. */
	KT_EXPECT_EQ((uint32_t)g, (uint32_t)f);
	KT_EXPECT_EQ(g >> 32, (f >> 32) + 1);
	KT_ASSERT(all_stale(f));
	KT_EXPECT_EQ(attr(g).size, 0);
	KT_ASSERT(attr(g).ino != 0);
}

TEST(ramfs, a_slot_out_of_generations_is_retired)
{
	fs_node_t root = setup(0);
	long f = mkfile(root, "f"), g, last;

	KT_ASSERT(f > 0);
	last = (long)ramfs_set_generation(f, RAMFS_GEN_MAX);
	KT_ASSERT(last > 0); /* still a positive long */
	KT_ASSERT(all_stale(f));
	KT_EXPECT_EQ(ramfs_lookup(root, "f"), last);
	KT_EXPECT_EQ(ramfs_unlink(root, "f"), 0);
	KT_ASSERT(all_stale(last));
	g = mkfile(root, "g");
	KT_ASSERT(g > 0);
	KT_ASSERT((uint32_t)g != (uint32_t)last);
	KT_ASSERT(all_stale(last));
	KT_ASSERT(all_stale((uint32_t)last | 1ull << 32));
}

TEST(ramfs, inode_numbers_are_never_reused)
{
	fs_node_t root = setup(0);
	long f = mkfile(root, "f"), g;
	uint64_t ino = attr(f).ino;

	KT_EXPECT_EQ(ramfs_unlink(root, "f"), 0);
	g = mkfile(root, "f");
	KT_ASSERT(attr(g).ino != ino);
	KT_ASSERT(attr(g).ino != attr(root).ino);
}

/* --- regular files ---------------------------------------------------------- */

TEST(ramfs, write_then_read_back)
{
	fs_node_t root = setup(0);
	long f = mkfile(root, "f");
	char buf[32];

	KT_EXPECT_EQ(put(f, "hello, world", 0), 12);
	KT_EXPECT_EQ(attr(f).size, 12);
	KT_EXPECT_EQ(attr(f).blocks, PAGE / 512);
	memset(buf, 0, sizeof(buf));
	KT_EXPECT_EQ(ramfs_read(f, buf, sizeof(buf), 0), 12);
	KT_EXPECT_STR(buf, "hello, world");
	/* From the middle, to the end only; at and past the end, 0. */
	memset(buf, 0, sizeof(buf));
	KT_EXPECT_EQ(ramfs_read(f, buf, 100, 7), 5);
	KT_EXPECT_STR(buf, "world");
	KT_EXPECT_EQ(ramfs_read(f, buf, 10, 12), 0);
	KT_EXPECT_EQ(ramfs_read(f, buf, 10, 1ull << 40), 0);
	KT_EXPECT_EQ(ramfs_read(f, buf, 0, 0), 0);
	KT_EXPECT_EQ(ramfs_write(f, buf, 0, 100), 0);
	KT_EXPECT_EQ(attr(f).size, 12);
	/* Overwrite inside, across a page boundary. */
	KT_EXPECT_EQ(put(f, "HELLO", 0), 5);
	KT_EXPECT_EQ(put(f, "boundary", PAGE - 4), 8);
	KT_EXPECT_EQ(attr(f).size, PAGE + 4);
	memset(buf, 0, sizeof(buf));
	KT_EXPECT_EQ(ramfs_read(f, buf, 8, PAGE - 4), 8);
	KT_EXPECT_STR(buf, "boundary");
	KT_EXPECT_EQ(ramfs_read(f, buf, 5, 0), 5);
	KT_ASSERT(memcmp(buf, "HELLO", 5) == 0);
	KT_UNLOCKED();
}

TEST(ramfs, holes_read_as_zeros_and_hold_no_memory)
{
	fs_node_t root = setup(0);
	long f = mkfile(root, "f");
	uint64_t before;

	before = usage().used;
	KT_EXPECT_EQ(put(f, "x", 10 * PAGE + 100), 1);
	KT_EXPECT_EQ(attr(f).size, 10 * PAGE + 101);
	/* One page and the one interior node over it. */
	KT_EXPECT_EQ(attr(f).blocks, PAGE / 512);
	KT_EXPECT_EQ(usage().used - before, 2 * PAGE);
	KT_ASSERT(reads_as(f, 0, 10 * PAGE + 100, 0));
	KT_ASSERT(reads_as(f, 10 * PAGE + 100, 1, 'x'));
	KT_UNLOCKED();
}

TEST(ramfs, truncate_down_then_up_reads_zeros)
{
	fs_node_t root = setup(0);
	long f = mkfile(root, "f");
	char *buf = malloc(3 * PAGE);
	uint64_t base = usage().used;

	memset(buf, 'a', 3 * PAGE);
	KT_EXPECT_EQ(ramfs_write(f, buf, 3 * PAGE, 0), 3 * PAGE);
	free(buf);
	KT_EXPECT_EQ(attr(f).blocks, 3 * PAGE / 512);
	KT_EXPECT_EQ(ramfs_truncate(f, PAGE + 100), 0);
	KT_EXPECT_EQ(attr(f).size, PAGE + 100);
	KT_EXPECT_EQ(attr(f).blocks, 2 * PAGE / 512);
	KT_EXPECT_EQ(usage().used - base, 3 * PAGE);
	/* Up again: a hole, no memory; the cut-off tail reads zeros. */
	KT_EXPECT_EQ(ramfs_truncate(f, 3 * PAGE), 0);
	KT_EXPECT_EQ(attr(f).blocks, 2 * PAGE / 512);
	KT_ASSERT(reads_as(f, 0, PAGE + 100, 'a'));
	KT_ASSERT(reads_as(f, PAGE + 100, 2 * PAGE - 100, 0));
	/* Extending by a write past the old end reads zeros between. */
	KT_EXPECT_EQ(ramfs_truncate(f, 50), 0);
	KT_EXPECT_EQ(put(f, "z", PAGE - 1), 1);
	KT_ASSERT(reads_as(f, 0, 50, 'a'));
	KT_ASSERT(reads_as(f, 50, PAGE - 51, 0));
	KT_ASSERT(reads_as(f, PAGE - 1, 1, 'z'));
	/* To 0: every page goes. */
	KT_EXPECT_EQ(ramfs_truncate(f, 0), 0);
	KT_EXPECT_EQ(attr(f).blocks, 0);
	KT_EXPECT_EQ(usage().used, base);
	KT_UNLOCKED();
}

TEST(ramfs, truncate_up_takes_no_memory)
{
	fs_node_t root = setup(0);
	long f = mkfile(root, "f");
	uint64_t base = usage().used;

	KT_EXPECT_EQ(ramfs_truncate(f, 1ull << 30), 0);
	KT_EXPECT_EQ(attr(f).size, 1ull << 30);
	KT_EXPECT_EQ(usage().used, base);
	KT_ASSERT(reads_as(f, (1ull << 30) - 3000, 3000, 0));
	KT_EXPECT_EQ(ramfs_read(f, &base, 8, 1ull << 30), 0);
}

TEST(ramfs, big_sparse_file_costs_only_its_touched_pages)
{
	fs_node_t root = setup(0);
	struct ramfs_usage start = usage();
	long f = mkfile(root, "f");
	uint64_t base = usage().used;

	KT_EXPECT_EQ(put(f, "far", TiB), 3);
	KT_EXPECT_EQ(attr(f).size, TiB + 3);
	KT_EXPECT_EQ(attr(f).blocks, PAGE / 512);
	/* Page 2^28: four levels of interior nodes, one page. */
	KT_EXPECT_EQ(usage().used - base, 5 * PAGE);
	KT_EXPECT_EQ(put(f, "near", 0), 4);
	KT_EXPECT_EQ(usage().used - base, 9 * PAGE);
	KT_ASSERT(reads_as(f, TiB - 5000, 5000, 0));
	KT_ASSERT(reads_as(f, 4, 8000, 0));
	KT_ASSERT(reads_as(f, TiB + 1, 1, 'a'));
	/* Down to the first page: the far branch and three levels go. */
	KT_EXPECT_EQ(ramfs_truncate(f, 4), 0);
	KT_EXPECT_EQ(usage().used - base, 2 * PAGE);
	KT_EXPECT_EQ(ramfs_unlink(root, "f"), 0);
	KT_EXPECT_EQ(usage().used, start.used);
	KT_EXPECT_EQ(usage().allocs, start.allocs);
	KT_UNLOCKED();
}

TEST(ramfs, size_limits_and_offset_overflow)
{
	fs_node_t root = setup(0);
	long f = mkfile(root, "f");
	char buf[16] = "0123456789abcdef";
	const uint64_t max = RAMFS_MAX_FILE_SIZE;

	KT_EXPECT_EQ(ramfs_write(f, buf, 1, max), -EFBIG);
	KT_EXPECT_EQ(ramfs_write(f, buf, 1, max + 12345), -EFBIG);
	/* A write across the limit stops at it. */
	KT_EXPECT_EQ(ramfs_write(f, buf, 16, max - 6), 6);
	KT_EXPECT_EQ(attr(f).size, max);
	KT_EXPECT_EQ(ramfs_truncate(f, max + 1), -EFBIG);
	KT_EXPECT_EQ(ramfs_truncate(f, max), 0);
	/* off + len past INT64_MAX, or off itself: -EINVAL. */
	KT_EXPECT_EQ(ramfs_write(f, buf, 16, INT64_MAX - 8), -EINVAL);
	KT_EXPECT_EQ(ramfs_read(f, buf, 16, INT64_MAX - 8), -EINVAL);
	KT_EXPECT_EQ(ramfs_write(f, buf, 1, UINT64_MAX), -EINVAL);
	KT_EXPECT_EQ(ramfs_read(f, buf, 1, UINT64_MAX), -EINVAL);
	KT_EXPECT_EQ(ramfs_read(f, buf, SIZE_MAX, 1), -EINVAL);
	KT_EXPECT_EQ(ramfs_write(f, buf, SIZE_MAX, 0), -EINVAL);
	KT_EXPECT_EQ(ramfs_write(f, buf, 0, (uint64_t)INT64_MAX + 1), -EINVAL);
	KT_EXPECT_EQ(ramfs_truncate(f, (uint64_t)INT64_MAX + 1), -EINVAL);
	KT_EXPECT_EQ(ramfs_truncate(f, UINT64_MAX), -EINVAL);
	KT_EXPECT_EQ(attr(f).size, max);
	KT_UNLOCKED();
}

TEST(ramfs, files_and_directories_refuse_each_others_calls)
{
	fs_node_t root = setup(0);
	long f = mkfile(root, "f"), d = mkdir_(root, "d");
	char buf[4];
	struct fs_dirent e;

	KT_EXPECT_EQ(ramfs_read(d, buf, 4, 0), -EISDIR);
	KT_EXPECT_EQ(ramfs_write(d, buf, 4, 0), -EISDIR);
	KT_EXPECT_EQ(ramfs_truncate(d, 0), -EISDIR);
	KT_EXPECT_EQ(ramfs_lookup(f, "x"), -ENOTDIR);
	KT_EXPECT_EQ(ramfs_lookup(f, "."), -ENOTDIR);
	KT_EXPECT_EQ(mkfile(f, "x"), -ENOTDIR);
	KT_EXPECT_EQ(ramfs_unlink(f, "x"), -ENOTDIR);
	KT_EXPECT_EQ(ramfs_rmdir(f, "x"), -ENOTDIR);
	KT_EXPECT_EQ(ramfs_rename(f, "x", root, "y"), -ENOTDIR);
	KT_EXPECT_EQ(ramfs_rename(root, "f", f, "y"), -ENOTDIR);
	KT_EXPECT_EQ(ramfs_readdir(f, 0, &e), -ENOTDIR);
	KT_EXPECT_EQ(ramfs_unlink(root, "d"), -EISDIR);
	KT_EXPECT_EQ(ramfs_rmdir(root, "f"), -ENOTDIR);
	KT_EXPECT_EQ(ramfs_lookup(root, "d"), d);
	KT_EXPECT_EQ(ramfs_lookup(root, "f"), f);
	KT_UNLOCKED();
}

/* --- directories ------------------------------------------------------------ */

TEST(ramfs, directories_count_their_links)
{
	fs_node_t root = setup(0);
	long a = mkdir_(root, "a"), b, f;

	KT_ASSERT(a > 0);
	KT_EXPECT_EQ(attr(root).nlink, 3);
	KT_EXPECT_EQ(attr(a).nlink, 2);
	KT_EXPECT_EQ(attr(a).mode, S_IFDIR | 0755);
	b = mkdir_(a, "b");
	f = mkfile(a, "f");
	KT_EXPECT_EQ(attr(a).nlink, 3);
	KT_EXPECT_EQ(attr(f).nlink, 1);
	KT_EXPECT_EQ(attr(a).size, 2);
	KT_EXPECT_EQ(ramfs_lookup(a, ".."), (long)root);
	KT_EXPECT_EQ(ramfs_lookup(b, ".."), a);
	KT_EXPECT_EQ(ramfs_lookup(b, "."), b);
	KT_EXPECT_EQ(mkdir_(a, "b"), -EEXIST);
	KT_EXPECT_EQ(mkfile(a, "b"), -EEXIST);
	KT_EXPECT_EQ(mkdir_(a, "f"), -EEXIST);
	KT_EXPECT_EQ(ramfs_lookup(a, "nope"), -ENOENT);
	KT_EXPECT_EQ(ramfs_unlink(a, "nope"), -ENOENT);
	KT_EXPECT_EQ(ramfs_rmdir(a, "nope"), -ENOENT);
	KT_EXPECT_EQ(ramfs_rmdir(root, "a"), -ENOTEMPTY);
	KT_EXPECT_EQ(ramfs_rmdir(a, "b"), 0);
	KT_EXPECT_EQ(attr(a).nlink, 2);
	KT_ASSERT(all_stale(b));
	KT_EXPECT_EQ(ramfs_rmdir(root, "a"), -ENOTEMPTY);
	KT_EXPECT_EQ(ramfs_unlink(a, "f"), 0);
	KT_EXPECT_EQ(ramfs_rmdir(root, "a"), 0);
	KT_EXPECT_EQ(attr(root).nlink, 2);
	KT_EXPECT_EQ(attr(root).size, 0);
	KT_UNLOCKED();
}

TEST(ramfs, names_are_checked)
{
	fs_node_t root = setup(0);
	char name[FS_NAME_MAX + 8];
	const char *bad[] = {"", ".", "..", "a/b", "/", "a/"};
	struct fs_dirent e;
	long f;

	KT_ASSERT(mkfile(root, "x") > 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		KT_EXPECT_EQ(mkfile(root, bad[i]), -EINVAL);
		KT_EXPECT_EQ(mkdir_(root, bad[i]), -EINVAL);
		KT_EXPECT_EQ(ramfs_unlink(root, bad[i]), -EINVAL);
		KT_EXPECT_EQ(ramfs_rmdir(root, bad[i]), -EINVAL);
		KT_EXPECT_EQ(ramfs_rename(root, bad[i], root, "y"), -EINVAL);
		KT_EXPECT_EQ(ramfs_rename(root, "x", root, bad[i]), -EINVAL);
	}
	KT_EXPECT_EQ(ramfs_lookup(root, ""), -EINVAL);
	KT_EXPECT_EQ(ramfs_lookup(root, "x/"), -EINVAL);
	/* The longest name: FS_NAME_MAX - 1 bytes. */
	memset(name, 'n', FS_NAME_MAX - 1);
	name[FS_NAME_MAX - 1] = '\0';
	f = mkfile(root, name);
	KT_ASSERT(f > 0);
	KT_EXPECT_EQ(ramfs_lookup(root, name), f);
	KT_ASSERT(ramfs_readdir(root, 1, &e) > 0);
	KT_EXPECT_EQ(e.namelen, FS_NAME_MAX - 1);
	KT_EXPECT_STR(e.name, name);
	KT_EXPECT_EQ(ramfs_rename(root, name, root, "short"), 0);
	KT_EXPECT_EQ(ramfs_rename(root, "short", root, name), 0);
	/* One more byte is too long, wherever the name goes. */
	name[FS_NAME_MAX - 1] = 'n';
	name[FS_NAME_MAX] = '\0';
	KT_EXPECT_EQ(mkfile(root, name), -ENAMETOOLONG);
	KT_EXPECT_EQ(mkdir_(root, name), -ENAMETOOLONG);
	KT_EXPECT_EQ(ramfs_lookup(root, name), -ENAMETOOLONG);
	KT_EXPECT_EQ(ramfs_unlink(root, name), -ENAMETOOLONG);
	KT_EXPECT_EQ(ramfs_rmdir(root, name), -ENAMETOOLONG);
	KT_EXPECT_EQ(ramfs_rename(root, "x", root, name), -ENAMETOOLONG);
	KT_EXPECT_EQ(ramfs_rename(root, name, root, "y"), -ENAMETOOLONG);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	KT_EXPECT_EQ(mkfile(root, name), -ENAMETOOLONG);
	KT_EXPECT_EQ(attr(root).size, 2);
	KT_UNLOCKED();
}

TEST(ramfs, modes_are_checked_and_kept)
{
	fs_node_t root = setup(0);
	long f;

	KT_EXPECT_EQ(ramfs_create(root, "c", S_IFCHR | 0644), -EINVAL);
	KT_EXPECT_EQ(ramfs_create(root, "l", S_IFLNK | 0777), -EINVAL);
	KT_EXPECT_EQ(ramfs_create(root, "n", 0644), -EINVAL);
	KT_EXPECT_EQ(ramfs_create(root, "x", S_IFREG | 0644 | 1u << 20),
		     -EINVAL);
	KT_EXPECT_EQ(attr(root).size, 0);
	f = ramfs_create(root, "f", S_IFREG | 04751);
	KT_EXPECT_EQ(attr(f).mode, S_IFREG | 04751);
	stub_wall_ns = T0 + 5;
	KT_EXPECT_EQ(ramfs_chmod(f, 0600), 0);
	KT_EXPECT_EQ(attr(f).mode, S_IFREG | 0600);
	KT_EXPECT_EQ(attr(f).ctime_ns, T0 + 5);
	KT_EXPECT_EQ(attr(f).mtime_ns, T0);
	/* Only permission bits change: a type given is ignored. */
	KT_EXPECT_EQ(ramfs_chmod(f, S_IFDIR | 07777), 0);
	KT_EXPECT_EQ(attr(f).mode, S_IFREG | 07777);
	KT_EXPECT_EQ(ramfs_chmod(root, 0700), 0);
	KT_EXPECT_EQ(attr(root).mode, S_IFDIR | 0700);
	KT_UNLOCKED();
}

TEST(ramfs, times_follow_linux)
{
	fs_node_t root = setup(0);
	long f, d;
	char buf[4];
	struct fs_attr a;
	struct fs_dirent e;

	stub_wall_ns = T0 + 1;
	f = mkfile(root, "f");
	a = attr(f);
	KT_EXPECT_EQ(a.atime_ns, T0 + 1);
	KT_EXPECT_EQ(a.mtime_ns, T0 + 1);
	KT_EXPECT_EQ(a.ctime_ns, T0 + 1);
	KT_EXPECT_EQ(attr(root).mtime_ns, T0 + 1);
	KT_EXPECT_EQ(attr(root).ctime_ns, T0 + 1);
	KT_EXPECT_EQ(attr(root).atime_ns, T0);
	stub_wall_ns = T0 + 2;
	KT_EXPECT_EQ(put(f, "abc", 0), 3);
	a = attr(f);
	KT_EXPECT_EQ(a.atime_ns, T0 + 1);
	KT_EXPECT_EQ(a.mtime_ns, T0 + 2);
	KT_EXPECT_EQ(a.ctime_ns, T0 + 2);
	stub_wall_ns = T0 + 3;
	KT_EXPECT_EQ(ramfs_read(f, buf, 4, 0), 3);
	a = attr(f);
	KT_EXPECT_EQ(a.atime_ns, T0 + 3);
	KT_EXPECT_EQ(a.mtime_ns, T0 + 2);
	stub_wall_ns = T0 + 4;
	KT_EXPECT_EQ(ramfs_truncate(f, 1), 0);
	KT_EXPECT_EQ(attr(f).mtime_ns, T0 + 4);
	KT_EXPECT_EQ(attr(f).ctime_ns, T0 + 4);
	/* utimes: each time unless omitted; ctime now unless both are. */
	stub_wall_ns = T0 + 5;
	KT_EXPECT_EQ(ramfs_utimes(f, FS_TIME_OMIT, -7), 0);
	a = attr(f);
	KT_EXPECT_EQ(a.atime_ns, T0 + 3);
	KT_EXPECT_EQ(a.mtime_ns, -7);
	KT_EXPECT_EQ(a.ctime_ns, T0 + 5);
	stub_wall_ns = T0 + 6;
	KT_EXPECT_EQ(ramfs_utimes(f, 42, FS_TIME_OMIT), 0);
	a = attr(f);
	KT_EXPECT_EQ(a.atime_ns, 42);
	KT_EXPECT_EQ(a.mtime_ns, -7);
	KT_EXPECT_EQ(a.ctime_ns, T0 + 6);
	stub_wall_ns = T0 + 7;
	KT_EXPECT_EQ(ramfs_utimes(f, FS_TIME_OMIT, FS_TIME_OMIT), 0);
	KT_EXPECT_EQ(attr(f).ctime_ns, T0 + 6);
	KT_EXPECT_EQ(ramfs_utimes(f, INT64_MAX, INT64_MIN + 1), 0);
	KT_EXPECT_EQ(attr(f).atime_ns, INT64_MAX);
	KT_EXPECT_EQ(attr(f).mtime_ns, INT64_MIN + 1);
	/* Directory changes: the directory's mtime and ctime, the moved or
	 * removed node's ctime; a listing: its atime. */
	stub_wall_ns = T0 + 8;
	d = mkdir_(root, "d");
	stub_wall_ns = T0 + 9;
	KT_EXPECT_EQ(ramfs_rename(root, "f", d, "g"), 0);
	KT_EXPECT_EQ(attr(f).ctime_ns, T0 + 9);
	KT_EXPECT_EQ(attr(f).mtime_ns, INT64_MIN + 1);
	KT_EXPECT_EQ(attr(root).mtime_ns, T0 + 9);
	KT_EXPECT_EQ(attr(d).mtime_ns, T0 + 9);
	KT_EXPECT_EQ(attr(d).ctime_ns, T0 + 9);
	stub_wall_ns = T0 + 10;
	KT_EXPECT_EQ(ramfs_readdir(d, 0, &e), 1);
	KT_EXPECT_EQ(attr(d).atime_ns, T0 + 10);
	KT_EXPECT_EQ(attr(d).mtime_ns, T0 + 9);
	stub_wall_ns = T0 + 11;
	KT_EXPECT_EQ(ramfs_hold(f), 0);
	KT_EXPECT_EQ(ramfs_unlink(d, "g"), 0);
	KT_EXPECT_EQ(attr(f).ctime_ns, T0 + 11);
	KT_EXPECT_EQ(attr(d).mtime_ns, T0 + 11);
	KT_EXPECT_EQ(ramfs_release(f), 0);
	KT_UNLOCKED();
}

TEST(ramfs, readdir_lists_entries_in_creation_order)
{
	fs_node_t root = setup(0);
	const char *names[] = {"one", "two", "three", "four"};
	long n[4];
	struct fs_dirent e;

	for (int i = 0; i < 4; i++) {
		n[i] = i == 2 ? mkdir_(root, names[i]) : mkfile(root, names[i]);
		KT_ASSERT(n[i] > 0);
	}
	for (int i = 0; i < 4; i++) {
		memset(&e, 0xaa, sizeof(e));
		KT_EXPECT_EQ(ramfs_readdir(root, i, &e), i + 1);
		KT_EXPECT_STR(e.name, names[i]);
		KT_EXPECT_EQ(e.namelen, strlen(names[i]));
		KT_EXPECT_EQ(e.ino, attr(n[i]).ino);
		KT_EXPECT_EQ(e.type, i == 2 ? RAMFS_DT_DIR : RAMFS_DT_REG);
		/* Nothing of ramfs's memory past the name. */
		for (size_t k = e.namelen; k < sizeof(e.name); k++)
			KT_EXPECT_EQ(e.name[k], 0);
	}
	KT_EXPECT_EQ(ramfs_readdir(root, 4, &e), 0);
	KT_EXPECT_EQ(ramfs_readdir(root, UINT64_MAX, &e), 0);
	/* Removing one leaves the others where they were: a reader at
	 * "two"'s position goes on with "three", one at "three"'s is not
	 * moved past it. */
	KT_EXPECT_EQ(ramfs_unlink(root, "two"), 0);
	KT_EXPECT_EQ(ramfs_readdir(root, 1, &e), 3);
	KT_EXPECT_STR(e.name, "three");
	KT_EXPECT_EQ(ramfs_readdir(root, 2, &e), 3);
	KT_EXPECT_STR(e.name, "three");
	KT_EXPECT_EQ(ramfs_readdir(root, 3, &e), 4);
	KT_EXPECT_STR(e.name, "four");
	KT_EXPECT_EQ(ramfs_readdir(root, 4, &e), 0);
	/* A new entry comes after every position handed out. */
	KT_ASSERT(mkfile(root, "five") > 0);
	KT_EXPECT_EQ(ramfs_readdir(root, 4, &e), 5);
	KT_EXPECT_STR(e.name, "five");
	KT_EXPECT_EQ(ramfs_readdir(n[2], 0, &e), 0);
	KT_UNLOCKED();
}

TEST(ramfs, ten_thousand_files_in_one_directory)
{
	fs_node_t root = setup(0);
	struct ramfs_usage start = usage();
	enum { N = 10000 };
	static long h[N];
	char name[32];
	struct fs_dirent e;
	long d = mkdir_(root, "big");

	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "file-%05d", i);
		h[i] = mkfile(d, name);
		KT_ASSERT(h[i] > 0);
	}
	KT_EXPECT_EQ(attr(d).size, N);
	for (int i = N - 1; i >= 0; i--) {
		snprintf(name, sizeof(name), "file-%05d", i);
		KT_EXPECT_EQ(ramfs_lookup(d, name), h[i]);
	}
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "file-%05d", i);
		KT_EXPECT_EQ(ramfs_readdir(d, i, &e), i + 1);
		KT_EXPECT_STR(e.name, name);
	}
	KT_EXPECT_EQ(ramfs_readdir(d, N, &e), 0);
	KT_EXPECT_EQ(mkfile(d, "file-05000"), -EEXIST);
	/* In creation order: each removal moves all the rest. */
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "file-%05d", i);
		KT_EXPECT_EQ(ramfs_unlink(d, name), 0);
	}
	KT_EXPECT_EQ(attr(d).size, 0);
	KT_EXPECT_EQ(ramfs_rmdir(root, "big"), 0);
	KT_EXPECT_EQ(usage().used, start.used);
	KT_EXPECT_EQ(usage().nodes, start.nodes);
	KT_EXPECT_EQ(usage().allocs, start.allocs);
	KT_UNLOCKED();
}

/* --- rename ------------------------------------------------------------------ */

TEST(ramfs, rename_moves_a_file)
{
	fs_node_t root = setup(0);
	long f = mkfile(root, "f"), d = mkdir_(root, "d");
	char buf[8] = {0};

	KT_EXPECT_EQ(put(f, "data", 0), 4);
	KT_EXPECT_EQ(ramfs_rename(root, "f", root, "g"), 0);
	KT_EXPECT_EQ(ramfs_lookup(root, "f"), -ENOENT);
	KT_EXPECT_EQ(ramfs_lookup(root, "g"), f);
	KT_EXPECT_EQ(ramfs_rename(root, "g", d, "h"), 0);
	KT_EXPECT_EQ(ramfs_lookup(root, "g"), -ENOENT);
	KT_EXPECT_EQ(ramfs_lookup(d, "h"), f);
	KT_EXPECT_EQ(ramfs_read(f, buf, 8, 0), 4);
	KT_EXPECT_STR(buf, "data");
	KT_EXPECT_EQ(attr(f).nlink, 1);
	KT_EXPECT_EQ(attr(root).size, 1);
	KT_EXPECT_EQ(attr(root).nlink, 3);
	KT_EXPECT_EQ(ramfs_rename(root, "nope", d, "x"), -ENOENT);
	KT_EXPECT_EQ(ramfs_rename(d, "h", d, "h"), 0);
	KT_UNLOCKED();
}

TEST(ramfs, rename_file_over_file_replaces_it)
{
	fs_node_t root = setup(0);
	long a = mkfile(root, "a"), b = mkfile(root, "b");
	struct ramfs_usage u;

	KT_EXPECT_EQ(put(a, "A", 0), 1);
	KT_EXPECT_EQ(put(b, "BB", 0), 2);
	u = usage();
	KT_EXPECT_EQ(ramfs_rename(root, "a", root, "b"), 0);
	KT_EXPECT_EQ(ramfs_lookup(root, "a"), -ENOENT);
	KT_EXPECT_EQ(ramfs_lookup(root, "b"), a);
	KT_ASSERT(all_stale(b));
	KT_EXPECT_EQ(attr(root).size, 1);
	KT_EXPECT_EQ(usage().nodes, u.nodes - 1);
	KT_EXPECT_EQ(usage().used, u.used - NODE - DENT(1) - 2 * PAGE);
	KT_UNLOCKED();
}

TEST(ramfs, rename_over_a_held_file_keeps_it_open)
{
	fs_node_t root = setup(0);
	long a = mkfile(root, "a"), b = mkfile(root, "b");

	KT_EXPECT_EQ(put(b, "still here", 0), 10);
	KT_EXPECT_EQ(ramfs_hold(b), 0);
	KT_EXPECT_EQ(ramfs_rename(root, "a", root, "b"), 0);
	KT_EXPECT_EQ(attr(b).nlink, 0);
	KT_ASSERT(reads_as(b, 0, 1, 's'));
	KT_EXPECT_EQ(ramfs_release(b), 0);
	KT_ASSERT(all_stale(b));
	KT_EXPECT_EQ(ramfs_lookup(root, "b"), a);
}

TEST(ramfs, rename_directory_over_empty_directory)
{
	fs_node_t root = setup(0);
	long p = mkdir_(root, "p"), q = mkdir_(root, "q");
	long a = mkdir_(p, "a"), b = mkdir_(q, "b"), f = mkfile(a, "f");

	KT_ASSERT(f > 0);
	KT_EXPECT_EQ(attr(p).nlink, 3);
	KT_EXPECT_EQ(attr(q).nlink, 3);
	KT_EXPECT_EQ(ramfs_rename(p, "a", q, "b"), 0);
	KT_ASSERT(all_stale(b));
	KT_EXPECT_EQ(ramfs_lookup(q, "b"), a);
	KT_EXPECT_EQ(ramfs_lookup(a, ".."), q);
	KT_EXPECT_EQ(ramfs_lookup(a, "f"), f);
	KT_EXPECT_EQ(attr(p).nlink, 2);
	KT_EXPECT_EQ(attr(q).nlink, 3);
	KT_EXPECT_EQ(attr(root).nlink, 4);
	/* Moving a directory to a new name in another directory. */
	KT_EXPECT_EQ(ramfs_rename(q, "b", p, "c"), 0);
	KT_EXPECT_EQ(attr(p).nlink, 3);
	KT_EXPECT_EQ(attr(q).nlink, 2);
	KT_EXPECT_EQ(ramfs_lookup(a, ".."), p);
	KT_UNLOCKED();
}

TEST(ramfs, rename_refuses_what_linux_refuses)
{
	fs_node_t root = setup(0);
	long a = mkdir_(root, "a"), b = mkdir_(a, "b"), c = mkdir_(b, "c");
	long e = mkdir_(root, "e"), f = mkfile(root, "f");
	struct ramfs_usage u;

	KT_ASSERT(c > 0 && e > 0 && f > 0);
	KT_EXPECT_EQ(mkfile(e, "x"), ramfs_lookup(e, "x"));
	u = usage();
	/* A directory into itself or below it. */
	KT_EXPECT_EQ(ramfs_rename(root, "a", c, "a"), -EINVAL);
	KT_EXPECT_EQ(ramfs_rename(root, "a", b, "z"), -EINVAL);
	KT_EXPECT_EQ(ramfs_rename(root, "a", a, "z"), -EINVAL);
	KT_EXPECT_EQ(ramfs_rename(a, "b", c, "z"), -EINVAL);
	/* Over a non-empty directory, a file over a directory and back. */
	KT_EXPECT_EQ(ramfs_rename(root, "a", root, "e"), -ENOTEMPTY);
	KT_EXPECT_EQ(ramfs_rename(b, "c", root, "a"), -ENOTEMPTY);
	KT_EXPECT_EQ(ramfs_rename(root, "f", a, "b"), -EISDIR);
	KT_EXPECT_EQ(ramfs_rename(a, "b", root, "f"), -ENOTDIR);
	KT_EXPECT_EQ(ramfs_rename(root, "f", root, "nope/x"), -EINVAL);
	/* Nothing moved, nothing was charged. */
	KT_EXPECT_EQ(ramfs_lookup(root, "a"), a);
	KT_EXPECT_EQ(ramfs_lookup(a, "b"), b);
	KT_EXPECT_EQ(ramfs_lookup(b, "c"), c);
	KT_EXPECT_EQ(ramfs_lookup(root, "f"), f);
	KT_EXPECT_EQ(usage().used, u.used);
	KT_EXPECT_EQ(usage().allocs, u.allocs);
	/* A file may move down a directory's tree. */
	KT_EXPECT_EQ(ramfs_rename(root, "f", c, "f"), 0);
	KT_EXPECT_EQ(ramfs_rename(c, "f", root, "f"), 0);
	/* A directory may move up its own tree, and sideways. */
	KT_EXPECT_EQ(ramfs_rename(b, "c", root, "c"), 0);
	KT_EXPECT_EQ(ramfs_lookup(c, ".."), (long)root);
	KT_UNLOCKED();
}

TEST(ramfs, rename_of_a_node_onto_itself_changes_nothing)
{
	fs_node_t root = setup(0);
	long f = mkfile(root, "f"), d = mkdir_(root, "d");
	struct fs_attr a;

	stub_wall_ns = T0 + 100;
	KT_EXPECT_EQ(ramfs_rename(root, "f", root, "f"), 0);
	KT_EXPECT_EQ(ramfs_rename(root, "d", root, "d"), 0);
	a = attr(f);
	KT_EXPECT_EQ(a.ctime_ns, T0);
	KT_EXPECT_EQ(attr(d).ctime_ns, T0);
	KT_EXPECT_EQ(attr(root).mtime_ns, T0);
	KT_EXPECT_EQ(ramfs_lookup(root, "f"), f);
	KT_EXPECT_EQ(attr(root).size, 2);
	KT_UNLOCKED();
}

/* --- open nodes -------------------------------------------------------------- */

TEST(ramfs, an_unlinked_file_lives_while_held)
{
	fs_node_t root = setup(0);
	struct ramfs_usage start = usage();
	long f = mkfile(root, "f");
	char buf[16] = {0};

	KT_EXPECT_EQ(put(f, "kept", 0), 4);
	KT_EXPECT_EQ(ramfs_hold(f), 0);
	KT_EXPECT_EQ(ramfs_hold(f), 0);
	KT_EXPECT_EQ(ramfs_unlink(root, "f"), 0);
	KT_EXPECT_EQ(ramfs_lookup(root, "f"), -ENOENT);
	KT_EXPECT_EQ(attr(f).nlink, 0);
	KT_EXPECT_EQ(ramfs_read(f, buf, 16, 0), 4);
	KT_EXPECT_STR(buf, "kept");
	KT_EXPECT_EQ(put(f, "more", 2 * PAGE), 4);
	KT_EXPECT_EQ(attr(f).size, 2 * PAGE + 4);
	KT_EXPECT_EQ(ramfs_release(f), 0);
	KT_EXPECT_EQ(ramfs_read(f, buf, 4, 2 * PAGE), 4);
	KT_EXPECT_EQ(ramfs_release(f), 0);
	KT_ASSERT(all_stale(f));
	KT_EXPECT_EQ(usage().used, start.used);
	KT_EXPECT_EQ(usage().allocs, start.allocs);
	KT_UNLOCKED();
}

TEST(ramfs, a_release_without_a_hold_is_refused)
{
	fs_node_t root = setup(0);
	long f = mkfile(root, "f");

	KT_EXPECT_EQ(ramfs_release(f), -EINVAL);
	KT_EXPECT_EQ(ramfs_hold(f), 0);
	KT_EXPECT_EQ(ramfs_release(f), 0);
	KT_EXPECT_EQ(ramfs_release(f), -EINVAL);
	/* Held and released while named: still there. */
	KT_EXPECT_EQ(ramfs_lookup(root, "f"), f);
	KT_EXPECT_EQ(attr(f).nlink, 1);
	KT_UNLOCKED();
}

TEST(ramfs, a_removed_directory_held_open_is_empty_and_closed)
{
	fs_node_t root = setup(0);
	long d = mkdir_(root, "d");
	struct fs_dirent e;

	KT_EXPECT_EQ(ramfs_hold(d), 0);
	KT_EXPECT_EQ(ramfs_rmdir(root, "d"), 0);
	KT_EXPECT_EQ(attr(d).nlink, 0);
	KT_EXPECT_EQ(attr(root).nlink, 2);
	KT_EXPECT_EQ(mkfile(d, "x"), -ENOENT);
	KT_EXPECT_EQ(mkdir_(d, "x"), -ENOENT);
	KT_EXPECT_EQ(ramfs_lookup(d, "x"), -ENOENT);
	KT_EXPECT_EQ(ramfs_lookup(d, ".."), -ENOENT);
	KT_EXPECT_EQ(ramfs_lookup(d, "."), d);
	KT_EXPECT_EQ(ramfs_readdir(d, 0, &e), 0);
	KT_EXPECT_EQ(ramfs_rename(d, "x", root, "y"), -ENOENT);
	KT_EXPECT_EQ(mkfile(root, "f"), ramfs_lookup(root, "f"));
	KT_EXPECT_EQ(ramfs_rename(root, "f", d, "f"), -ENOENT);
	KT_EXPECT_EQ(ramfs_release(d), 0);
	KT_ASSERT(all_stale(d));
	KT_UNLOCKED();
}

/* --- capacity ------------------------------------------------------------------ */

TEST(ramfs, create_fails_past_capacity_exactly)
{
	fs_node_t root = setup(NODE + NODE + DENT(1) + NODE + DENT(3));
	struct ramfs_usage u;

	KT_ASSERT(mkfile(root, "a") > 0);
	u = usage();
	/* A name of 9 bytes is charged 8 bytes more than one of 3. */
	KT_EXPECT_EQ(mkfile(root, "bbbbbbbbb"), -ENOSPC);
	KT_EXPECT_EQ(mkdir_(root, "bbbbbbbbb"), -ENOSPC);
	KT_EXPECT_EQ(usage().used, u.used);
	KT_EXPECT_EQ(usage().allocs, u.allocs);
	KT_EXPECT_EQ(usage().nodes, u.nodes);
	KT_EXPECT_EQ(attr(root).size, 1);
	KT_EXPECT_EQ(attr(root).nlink, 2);
	/* Exactly what is left: taken. */
	KT_ASSERT(mkdir_(root, "ccc") > 0);
	KT_EXPECT_EQ(usage().used, usage().max);
	KT_EXPECT_EQ(mkfile(root, "d"), -ENOSPC);
	KT_EXPECT_EQ(ramfs_unlink(root, "a"), 0);
	KT_ASSERT(mkfile(root, "e") > 0);
	KT_UNLOCKED();
}

TEST(ramfs, writes_fail_past_capacity_and_leave_things_as_they_were)
{
	/* The root, a file "f", and three pages: the page tree's root node
	 * and two data pages. */
	fs_node_t root = setup(NODE + NODE + DENT(1) + 3 * PAGE);
	long f = mkfile(root, "f");
	char *buf = malloc(2 * PAGE);
	struct ramfs_usage u;

	memset(buf, 'w', 2 * PAGE);
	KT_EXPECT_EQ(ramfs_write(f, buf, 2 * PAGE, 0), 2 * PAGE);
	u = usage();
	KT_EXPECT_EQ(u.used, u.max);
	KT_EXPECT_EQ(ramfs_write(f, buf, 1, 2 * PAGE), -ENOSPC);
	KT_EXPECT_EQ(ramfs_write(f, buf, 1, TiB), -ENOSPC);
	KT_EXPECT_EQ(attr(f).size, 2 * PAGE);
	KT_EXPECT_EQ(usage().used, u.used);
	KT_EXPECT_EQ(usage().allocs, u.allocs);
	/* Bytes already held can be overwritten. */
	KT_EXPECT_EQ(ramfs_write(f, buf, 2 * PAGE, 0), 2 * PAGE);
	/* Truncating up needs no memory. */
	KT_EXPECT_EQ(ramfs_truncate(f, 5 * PAGE), 0);
	KT_EXPECT_EQ(ramfs_truncate(f, PAGE), 0);
	/* One page free: a two-page write writes one, and says so. */
	KT_EXPECT_EQ(ramfs_write(f, buf, 2 * PAGE, PAGE), PAGE);
	KT_EXPECT_EQ(attr(f).size, 2 * PAGE);
	KT_EXPECT_EQ(usage().used, u.max);
	free(buf);
	KT_ASSERT(reads_as(f, 0, 2 * PAGE, 'w'));
	KT_UNLOCKED();
}

TEST(ramfs, a_page_tree_that_cannot_grow_is_left_as_it_was)
{
	/* A file with page 0 (root node + page) and room for three more
	 * pages: page 2^28 needs seven (three levels more, three interior
	 * nodes under the new root, itself). */
	fs_node_t root = setup(NODE + NODE + DENT(1) + 5 * PAGE);
	long f = mkfile(root, "f");
	struct ramfs_usage u;

	KT_EXPECT_EQ(put(f, "a", 0), 1);
	u = usage();
	KT_EXPECT_EQ(put(f, "b", TiB), -ENOSPC);
	KT_EXPECT_EQ(usage().used, u.used);
	KT_EXPECT_EQ(usage().allocs, u.allocs);
	/* Page 512 needs three: a level more, an interior node, itself. */
	KT_EXPECT_EQ(put(f, "c", 512ull * PAGE), 1);
	KT_EXPECT_EQ(usage().used, usage().max);
	KT_ASSERT(reads_as(f, 0, 1, 'a'));
	KT_ASSERT(reads_as(f, 512ull * PAGE, 1, 'c'));
	KT_EXPECT_EQ(put(f, "d", PAGE), -ENOSPC);
	/* Back to page 0 alone: the tree shrinks to one level again. */
	KT_EXPECT_EQ(ramfs_truncate(f, 1), 0);
	KT_EXPECT_EQ(usage().used, u.used);
	KT_EXPECT_EQ(usage().allocs, u.allocs);
	KT_ASSERT(reads_as(f, 0, 1, 'a'));
	KT_UNLOCKED();
}

TEST(ramfs, rename_to_a_longer_name_needs_room)
{
	fs_node_t root = setup(NODE + NODE + DENT(1));
	long f = mkfile(root, "f");

	KT_ASSERT(f > 0);
	KT_EXPECT_EQ(ramfs_rename(root, "f", root, "longer-name"), -ENOSPC);
	KT_EXPECT_EQ(ramfs_lookup(root, "f"), f);
	KT_EXPECT_EQ(ramfs_rename(root, "f", root, "g"), 0);
	KT_EXPECT_EQ(usage().used, usage().max);
	KT_UNLOCKED();
}

TEST(ramfs, memory_comes_back_after_deleting_everything)
{
	fs_node_t root = setup(0);
	struct ramfs_usage start = usage();
	char name[16], *buf = malloc(3 * PAGE);
	long d[8];

	memset(buf, 'm', 3 * PAGE);
	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "dir%d", i);
		d[i] = mkdir_(i ? d[i / 2] : (long)root, name);
		KT_ASSERT(d[i] > 0);
		for (int j = 0; j < 20; j++) {
			long f;

			snprintf(name, sizeof(name), "f%d", j);
			f = mkfile(d[i], name);
			KT_EXPECT_EQ(ramfs_write(f, buf, j * 300, j * j * PAGE),
				     j * 300);
			if (j % 5 == 0)
				KT_EXPECT_EQ(put(f, "far", (uint64_t)j * TiB),
					     3);
		}
	}
	free(buf);
	KT_ASSERT(usage().used > start.used + 8 * 20 * NODE);
	for (int i = 7; i >= 0; i--) {
		for (int j = 0; j < 20; j++) {
			snprintf(name, sizeof(name), "f%d", j);
			KT_EXPECT_EQ(ramfs_unlink(d[i], name), 0);
		}
		snprintf(name, sizeof(name), "dir%d", i);
		KT_EXPECT_EQ(ramfs_rmdir(i ? d[i / 2] : (long)root, name), 0);
	}
	KT_EXPECT_EQ(usage().used, start.used);
	KT_EXPECT_EQ(usage().nodes, start.nodes);
	KT_EXPECT_EQ(usage().allocs, start.allocs);
	KT_EXPECT_EQ(attr(root).nlink, 2);
	KT_UNLOCKED();
}
