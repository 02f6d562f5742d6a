/*
 * fsvictim - a compartment with a file of its own open, for the tests
 * that another compartment cannot use it (tests/fstest/, in
 * tests/configs/fs-mpk.toml). It calls the vfs directly, as libc does,
 * and hands out the raw vfs handle, as a leak or a guess would.
 */
#include <fcntl.h>
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/fs.h>
#include <bulkhead/mm.h>

static char path[32] __shared = "/tmp/victim";
static char buf[16] __shared;

/* Open /tmp/victim (made holding "victim's"): the vfs handle, or -errno. */
long fsvictim_open(void)
{
	long h = vfs_openat(FS_CWD, path, O_CREAT | O_RDWR | O_TRUNC, 0600,
			    libc_comp_index);

	if (h > 0 &&
	    vfs_write((fs_file_t)h, "victim's", 8, libc_comp_index) != 8)
		return -1;
	return h;
}

/* The first bytes of the file behind h, read by its owner: a count, or
 * -errno. */
long fsvictim_read(fs_file_t h)
{
	memset(buf, 0, sizeof(buf));
	return vfs_pread(h, buf, 8, 0, libc_comp_index);
}
