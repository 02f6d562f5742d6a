/*
 * dev.c - the devices under /dev: null, zero, random and urandom, and
 * console (the serial line and screen of the kernel core).
 *
 * random and urandom are one generator, as on Linux since 5.6: ChaCha20
 * keyed from the CPU's RDSEED or RDRAND when it has them, otherwise from
 * the jitter of the time-stamp counter, re-keyed from its own output after
 * every request so that a later look at the generator's memory cannot
 * give back bytes already handed out.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <bulkhead/arch.h>
#include <bulkhead/kernel.h>
#include <bulkhead/sched.h>
#include "vfs_impl.h"

#define DEV_MAJOR_MEM	 1 /* Linux's numbers: null 1:3, zero 1:5, ... */
#define DEV_MAJOR_TTY	 5
#define DEV_RDEV(ma, mi) ((uint32_t)((ma) << 8 | (mi)))

/* The devices, in readdir's order. */
static const struct {
	const char *name;
	uint32_t rdev;
} devices[DEV_COUNT] = {
	[DEV_NULL] = {"null", DEV_RDEV(DEV_MAJOR_MEM, 3)},
	[DEV_ZERO] = {"zero", DEV_RDEV(DEV_MAJOR_MEM, 5)},
	[DEV_RANDOM] = {"random", DEV_RDEV(DEV_MAJOR_MEM, 8)},
	[DEV_URANDOM] = {"urandom", DEV_RDEV(DEV_MAJOR_MEM, 9)},
	[DEV_CONSOLE] = {"console", DEV_RDEV(DEV_MAJOR_TTY, 1)},
};

long vfs_dev_lookup(fs_node_t dir, const char *name)
{
	if (dir != DEV_ROOT)
		return -ENOTDIR;
	if (strcmp(name, ".") == 0)
		return DEV_ROOT;
	for (int i = DEV_NULL; i < DEV_COUNT; i++)
		if (strcmp(name, devices[i].name) == 0)
			return i;
	return -ENOENT;
}

long vfs_dev_attr(fs_node_t node, struct fs_attr *attr)
{
	if (node < DEV_ROOT || node >= DEV_COUNT)
		return -ESTALE;
	*attr = (struct fs_attr){
		.ino = node,
		.mode = node == DEV_ROOT ? S_IFDIR | 0755 : S_IFCHR | 0666,
		.nlink = node == DEV_ROOT ? 2 : 1,
		.rdev = node == DEV_ROOT ? 0 : devices[node].rdev,
	};
	if (node == DEV_CONSOLE)
		attr->mode = S_IFCHR | 0600;
	return 0;
}

long vfs_dev_readdir(fs_node_t dir, uint64_t index, struct fs_dirent *ent)
{
	uint64_t node = index + DEV_NULL;

	if (dir != DEV_ROOT)
		return -ENOTDIR;
	if (node >= DEV_COUNT)
		return 0;
	*ent = (struct fs_dirent){.ino = node, .type = DT_CHR};
	strcpy(ent->name, devices[node].name);
	ent->namelen = (uint32_t)strlen(ent->name);
	return (long)index + 1;
}

/* --- the generator --------------------------------------------------------- */

static uint32_t key[8];	 /* ChaCha20's key: the generator's whole secret */
static uint64_t counter; /* block counter, never reused under one key */

static uint32_t rotl(uint32_t v, int n)
{
	return v << n | v >> (32 - n);
}

#define QUARTER(a, b, c, d)                                                    \
	do {                                                                   \
		a += b, d = rotl(d ^ a, 16);                                   \
		c += d, b = rotl(b ^ c, 12);                                   \
		a += b, d = rotl(d ^ a, 8);                                    \
		c += d, b = rotl(b ^ c, 7);                                    \
	} while (0)

/* One 64-byte ChaCha20 block (RFC 8439's layout, a zero nonce). */
static void chacha_block(uint32_t out[16])
{
	uint32_t in[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};

	memcpy(in + 4, key, sizeof(key));
	in[12] = (uint32_t)counter;
	in[13] = (uint32_t)(counter >> 32);
	counter++;
	memcpy(out, in, sizeof(in));
	for (int i = 0; i < 10; i++) {
		QUARTER(out[0], out[4], out[8], out[12]);
		QUARTER(out[1], out[5], out[9], out[13]);
		QUARTER(out[2], out[6], out[10], out[14]);
		QUARTER(out[3], out[7], out[11], out[15]);
		QUARTER(out[0], out[5], out[10], out[15]);
		QUARTER(out[1], out[6], out[11], out[12]);
		QUARTER(out[2], out[7], out[8], out[13]);
		QUARTER(out[3], out[4], out[9], out[14]);
	}
	for (int i = 0; i < 16; i++)
		out[i] += in[i];
}

/* RDSEED (rdseed) or RDRAND into *v, retried while the CPU has none ready:
 * true when it gave one. */
static bool hw_random(bool rdseed, uint64_t *v)
{
	unsigned char ok;

	for (int tries = 0; tries < 100; tries++) {
		if (rdseed)
			__asm__ volatile("rdseed %0; setc %1"
					 : "=r"(*v), "=qm"(ok));
		else
			__asm__ volatile("rdrand %0; setc %1"
					 : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

/* A 64-bit seed word from RDSEED, else RDRAND, else the TSC's jitter;
 * *source says which. */
static uint64_t seed_word(const char **source)
{
	uint32_t r[4];
	uint64_t v;

	cpuid(7, 0, r);
	if ((r[1] & (1u << 18)) && hw_random(true, &v)) { /* EBX.RDSEED */
		*source = "RDSEED";
		return v;
	}
	cpuid(1, 0, r);
	if ((r[2] & (1u << 30)) && hw_random(false, &v)) { /* ECX.RDRAND */
		*source = "RDRAND";
		return v;
	}
	/* The low bits of the TSC around a yield: how long other threads,
	 * interrupts and the host took. Many samples, folded. */
	v = 0;
	for (int i = 0; i < 64; i++) {
		uint64_t t = rdtsc();

		sched_yield();
		v = rotl((uint32_t)v, 5) ^ (v << 7) ^ (rdtsc() - t);
	}
	*source = "TSC jitter";
	return v;
}

void vfs_random_init(void)
{
	const char *source = "";

	for (int i = 0; i < 8; i += 2) {
		uint64_t w = seed_word(&source);

		key[i] ^= (uint32_t)w;
		key[i + 1] ^= (uint32_t)(w >> 32);
	}
	pr_info("vfs: /dev/urandom seeded from %s\n", source);
}

/* len bytes from the generator, then a new key from its next block. */
long vfs_random(void *buf, size_t len)
{
	uint32_t block[16];
	unsigned char *p = buf;

	for (size_t done = 0; done < len;) {
		size_t n =
			len - done < sizeof(block) ? len - done : sizeof(block);

		chacha_block(block);
		memcpy(p + done, block, n);
		done += n;
	}
	chacha_block(block);
	memcpy(key, block, sizeof(key));
	memset(block, 0, sizeof(block));
	return (long)len;
}

/* --- reading and writing --------------------------------------------------- */

long vfs_dev_read(fs_node_t node, void *buf, size_t len)
{
	char *p = buf;
	size_t n = 0;

	switch (node) {
	case DEV_NULL:
		return 0;
	case DEV_ZERO:
		memset(buf, 0, len);
		return (long)len;
	case DEV_RANDOM:
	case DEV_URANDOM:
		return vfs_random(buf, len);
	case DEV_CONSOLE:
		/* What is waiting, at least one byte, up to a line. */
		while (n < len) {
			int c = console_read_char();

			if (c < 0) {
				if (n)
					break;
				sched_sleep_ns(1000000);
				continue;
			}
			p[n++] = (char)(c == '\r' ? '\n' : c);
			if (c == '\r' || c == '\n')
				break;
		}
		return (long)n;
	}
	return -EISDIR;
}

long vfs_dev_write(fs_node_t node, const void *buf, size_t len)
{
	switch (node) {
	case DEV_NULL:
	case DEV_ZERO:
	case DEV_RANDOM:
	case DEV_URANDOM:
		return (long)len; /* random: Linux mixes it in; we drop it */
	case DEV_CONSOLE:
		console_write(buf, len);
		return (long)len;
	}
	return -EISDIR;
}
