/*
 * test_ramfs_model.c - ramfs against a reference model: thousands of
 * random operations (fixed seeds) on a small tree, each checked against
 * what a plain model of the same rules predicts: results and errors,
 * file bytes, attributes, directory listings and the capacity used.
 *
 * The model is deliberately naive: a file's pages are an unsorted list,
 * a directory's entries an array searched by name, and the memory a
 * file's page tree costs is counted from the set of its page numbers.
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

#define PAGE   RAMFS_PAGE_SIZE
#define MNODES 96   /* model nodes at once */
#define MENTS  16   /* entries a directory */
#define MPAGES 64   /* pages a file */
#define MAXIO  9000 /* bytes a read or write */
#define MSTALE 512  /* freed handles remembered */

struct mpage {
	uint64_t idx;
	unsigned char data[PAGE];
};

struct ment {
	char name[16];
	int node;
};

struct mnode {
	int used;
	int dir;
	fs_node_t h;
	uint32_t mode;
	uint32_t nlink, opens;
	/* files */
	uint64_t size;
	struct mpage *pages[MPAGES];
	int npages;
	/* directories */
	int parent;
	struct ment ents[MENTS];
	int nents;
};

static struct model {
	struct mnode n[MNODES];
	uint64_t used, max;
	fs_node_t stale[MSTALE];
	int nstale;
	uint64_t rng;
	int ops, checks;
} m;

static const char *const names[] = {"a", "bb",		"ccc",
				    "d", "longer-name", "e.txt"};
#define NNAMES (int)(sizeof(names) / sizeof(names[0]))

/* Offsets: near 0, near 8 GiB, near 1 TiB, just under the size limit. */
static const uint64_t regions[] = {0, 1ull << 33, 1ull << 40,
				   RAMFS_MAX_FILE_SIZE - 3 * PAGE};

static uint64_t rnd(void)
{
	m.rng ^= m.rng << 13;
	m.rng ^= m.rng >> 7;
	m.rng ^= m.rng << 17;
	return m.rng;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* --- the model's memory accounting ------------------------------------------ */

/* The model's page idx of file f, or NULL for a hole. */
static struct mpage *page_of(const struct mnode *f, uint64_t idx)
{
	for (int i = 0; i < f->npages; i++)
		if (f->pages[i]->idx == idx)
			return f->pages[i];
	return NULL;
}

/* Interior nodes of a minimal radix tree over the given page numbers:
 * at each level, one per distinct page number >> 9 * level. */
static uint64_t interior(const uint64_t *idx, int n)
{
	uint64_t max = 0, total = 0;
	int h = 1;

	if (n == 0)
		return 0;
	for (int i = 0; i < n; i++)
		if (idx[i] > max)
			max = idx[i];
	while (h < 6 && max >= 1ull << (9 * h))
		h++;
	for (int l = 1; l <= h; l++) {
		for (int i = 0; i < n; i++) {
			int seen = 0;

			for (int j = 0; j < i && !seen; j++)
				seen = idx[j] >> (9 * l) == idx[i] >> (9 * l);
			total += !seen;
		}
	}
	return total;
}

/* Bytes a file's pages cost, with page `extra` added unless it is ~0. */
static uint64_t pages_cost(const struct mnode *f, uint64_t extra)
{
	uint64_t idx[MPAGES + 1];
	int n = 0;

	for (int i = 0; i < f->npages; i++)
		idx[n++] = f->pages[i]->idx;
	if (extra != ~0ull)
		idx[n++] = extra;
	return (n + interior(idx, n)) * (uint64_t)PAGE;
}

/* --- the model's nodes --------------------------------------------------------- */

static int node_new(int dir, uint32_t mode, fs_node_t h, int parent)
{
	for (int i = 0; i < MNODES; i++) {
		struct mnode *n = &m.n[i];

		if (n->used)
			continue;
		memset(n, 0, sizeof(*n));
		n->used = 1;
		n->dir = dir;
		n->mode = mode;
		n->h = h;
		n->nlink = dir ? 2 : 1;
		n->parent = parent;
		m.used += RAMFS_NODE_CHARGE;
		return i;
	}
	return -1;
}

static void file_cut(struct mnode *f, uint64_t first)
{
	for (int i = 0; i < f->npages;) {
		if (f->pages[i]->idx >= first) {
			free(f->pages[i]);
			f->pages[i] = f->pages[--f->npages];
		} else {
			i++;
		}
	}
}

/* Free a node nothing names or holds; its handle becomes stale. */
static void node_put(int i)
{
	struct mnode *n = &m.n[i];

	if (n->nlink > 0 || n->opens > 0)
		return;
	m.used -= pages_cost(n, ~0ull);
	file_cut(n, 0);
	m.used -= RAMFS_NODE_CHARGE;
	if (m.nstale < MSTALE)
		m.stale[m.nstale++] = n->h;
	else
		m.stale[below(MSTALE)] = n->h;
	n->used = 0;
}

static int ent_find(const struct mnode *d, const char *name)
{
	for (int i = 0; i < d->nents; i++)
		if (strcmp(d->ents[i].name, name) == 0)
			return i;
	return -1;
}

static void ent_remove(struct mnode *d, int e)
{
	if (m.n[d->ents[e].node].dir)
		d->nlink--;
	m.used -= RAMFS_DENT_CHARGE(strlen(d->ents[e].name));
	memmove(&d->ents[e], &d->ents[e + 1],
		(d->nents - e - 1) * sizeof(d->ents[0]));
	d->nents--;
}

static void ent_add(struct mnode *d, const char *name, int node)
{
	snprintf(d->ents[d->nents].name, sizeof(d->ents[0].name), "%s", name);
	d->ents[d->nents++].node = node;
	if (m.n[node].dir)
		d->nlink++;
	m.used += RAMFS_DENT_CHARGE(strlen(name));
}

/* A random model node of the kind asked for (live or only held), or -1. */
static int pick(int dir)
{
	int c[MNODES], n = 0;

	for (int i = 0; i < MNODES; i++)
		if (m.n[i].used && m.n[i].dir == dir)
			c[n++] = i;
	return n ? c[below(n)] : -1;
}

static int model_full(void)
{
	for (int i = 0; i < MNODES; i++)
		if (!m.n[i].used)
			return 0;
	return 1;
}

static int room(uint64_t n)
{
	return n <= m.max - m.used;
}

/* --- the operations: each calls ramfs and checks it against the model --------- */

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long x_ = (long long)(a), y_ = (long long)(b);            \
		m.checks++;                                                    \
		if (x_ != y_) {                                                \
			ktest_fail(__FILE__, __LINE__,                         \
				   "op %d: %s == %s: %lld != %lld", m.ops, #a, \
				   #b, x_, y_);                                \
			return 0;                                              \
		}                                                              \
	} while (0)

static int op_create(void)
{
	int di = pick(1), dir = below(3) == 0, ni;
	const char *name = names[below(NNAMES)];
	uint32_t mode = (dir ? S_IFDIR : S_IFREG) | (uint32_t)below(01000);
	struct mnode *d;
	long r;

	if (di < 0 || model_full())
		return 1;
	d = &m.n[di];
	r = ramfs_create(d->h, name, mode);
	if (d->nlink == 0) {
		CHECK_EQ(r, -ENOENT);
	} else if (ent_find(d, name) >= 0) {
		CHECK_EQ(r, -EEXIST);
	} else if (!room(RAMFS_NODE_CHARGE + RAMFS_DENT_CHARGE(strlen(name)))) {
		CHECK_EQ(r, -ENOSPC);
	} else {
		CHECK_EQ(r > 0, 1);
		ni = node_new(dir, mode, (fs_node_t)r, di);
		CHECK_EQ(ni >= 0, 1);
		CHECK_EQ(d->nents < MENTS, 1);
		ent_add(d, name, ni);
	}
	return 1;
}

static int op_remove(int want_dir)
{
	int di = pick(1), e;
	const char *name = names[below(NNAMES)];
	struct mnode *d, *n;
	long r;

	if (di < 0)
		return 1;
	d = &m.n[di];
	r = want_dir ? ramfs_rmdir(d->h, name) : ramfs_unlink(d->h, name);
	e = d->nlink ? ent_find(d, name) : -1;
	if (e < 0) {
		CHECK_EQ(r, -ENOENT);
		return 1;
	}
	n = &m.n[d->ents[e].node];
	if (!want_dir && n->dir) {
		CHECK_EQ(r, -EISDIR);
	} else if (want_dir && !n->dir) {
		CHECK_EQ(r, -ENOTDIR);
	} else if (want_dir && n->nents > 0) {
		CHECK_EQ(r, -ENOTEMPTY);
	} else {
		int ni = d->ents[e].node;

		CHECK_EQ(r, 0);
		ent_remove(d, e);
		n->nlink = want_dir ? 0 : n->nlink - 1;
		node_put(ni);
	}
	return 1;
}

/* Whether model directory d is n or lies under it. */
static int under(int d, int n)
{
	for (;;) {
		if (d == n)
			return 1;
		if (m.n[d].parent == d)
			return 0;
		d = m.n[d].parent;
	}
}

static int op_rename(void)
{
	int odi = pick(1), ndi = pick(1), oe, ne, si, ti;
	const char *on = names[below(NNAMES)], *nn = names[below(NNAMES)];
	struct mnode *od, *nd, *src, *dst;
	long r;

	if (odi < 0)
		return 1;
	od = &m.n[odi];
	nd = &m.n[ndi];
	r = ramfs_rename(od->h, on, nd->h, nn);
	oe = od->nlink ? ent_find(od, on) : -1;
	if (oe < 0 || nd->nlink == 0) {
		CHECK_EQ(r, -ENOENT);
		return 1;
	}
	si = od->ents[oe].node;
	src = &m.n[si];
	ne = ent_find(nd, nn);
	ti = ne >= 0 ? nd->ents[ne].node : -1;
	dst = ti >= 0 ? &m.n[ti] : NULL;
	if (ti == si) {
		CHECK_EQ(r, 0);
	} else if (src->dir && under(ndi, si)) {
		CHECK_EQ(r, -EINVAL);
	} else if (dst && src->dir && !dst->dir) {
		CHECK_EQ(r, -ENOTDIR);
	} else if (dst && !src->dir && dst->dir) {
		CHECK_EQ(r, -EISDIR);
	} else if (dst && dst->dir && dst->nents > 0) {
		CHECK_EQ(r, -ENOTEMPTY);
	} else if (!dst &&
		   RAMFS_DENT_CHARGE(strlen(nn)) >
			   RAMFS_DENT_CHARGE(strlen(on)) &&
		   !room(RAMFS_DENT_CHARGE(strlen(nn)) -
			 RAMFS_DENT_CHARGE(strlen(on)))) {
		CHECK_EQ(r, -ENOSPC);
	} else {
		CHECK_EQ(r, 0);
		if (dst) {
			if (dst->dir) {
				dst->nlink = 0;
				nd->nlink--;
			} else {
				dst->nlink--;
			}
			nd->ents[ne].node = si;
			if (src->dir)
				nd->nlink++;
			ent_remove(od, oe);
			node_put(ti);
		} else {
			CHECK_EQ(nd->nents < MENTS, 1);
			ent_add(nd, nn, si);
			ent_remove(od, oe);
		}
		if (src->dir)
			src->parent = ndi;
	}
	return 1;
}

static uint64_t rand_offset(void)
{
	return regions[below(4)] + below(12 * PAGE);
}

static int op_write(void)
{
	int fi = pick(0);
	uint64_t off = rand_offset(), done = 0;
	size_t len = below(MAXIO + 1);
	unsigned char buf[MAXIO];
	struct mnode *f;
	long r, want;

	if (fi < 0)
		return 1;
	f = &m.n[fi];
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)rnd();
	r = ramfs_write(f->h, buf, len, off);
	if (len == 0) {
		CHECK_EQ(r, 0);
		return 1;
	}
	if (off >= RAMFS_MAX_FILE_SIZE) {
		CHECK_EQ(r, -EFBIG);
		return 1;
	}
	if (len > RAMFS_MAX_FILE_SIZE - off)
		len = RAMFS_MAX_FILE_SIZE - off;
	while (done < len) {
		uint64_t at = off + done, idx = at / PAGE, in = at % PAGE;
		uint64_t k = PAGE - in < len - done ? PAGE - in : len - done;
		struct mpage *p = page_of(f, idx);

		if (!p) {
			uint64_t cost =
				pages_cost(f, idx) - pages_cost(f, ~0ull);

			if (!room(cost))
				break;
			CHECK_EQ(f->npages < MPAGES, 1);
			p = calloc(1, sizeof(*p));
			p->idx = idx;
			f->pages[f->npages++] = p;
			m.used += cost;
		}
		memcpy(p->data + in, buf + done, k);
		done += k;
	}
	want = done ? (long)done : -ENOSPC;
	CHECK_EQ(r, want);
	if (done && off + done > f->size)
		f->size = off + done;
	return 1;
}

static int op_read(void)
{
	int fi = pick(0);
	uint64_t off = rand_offset();
	size_t len = below(MAXIO + 1);
	unsigned char buf[MAXIO];
	struct mnode *f;
	uint64_t end;
	long r;

	if (fi < 0)
		return 1;
	f = &m.n[fi];
	memset(buf, 0xa5, sizeof(buf));
	r = ramfs_read(f->h, buf, len, off);
	end = off + len < f->size ? off + len : f->size;
	CHECK_EQ(r, off < end ? (long)(end - off) : 0);
	for (uint64_t at = off; at < end; at++) {
		struct mpage *p = page_of(f, at / PAGE);

		/* The byte's offset, were it wrong. */
		if (buf[at - off] != (p ? p->data[at % PAGE] : 0))
			CHECK_EQ(at, ~0ull);
	}
	return 1;
}

static int op_truncate(void)
{
	int fi = pick(0);
	uint64_t size = below(4) ? rand_offset() : below(3 * PAGE);
	struct mnode *f;
	long r;

	if (fi < 0)
		return 1;
	f = &m.n[fi];
	if (below(8) == 0)
		size = RAMFS_MAX_FILE_SIZE + below(2);
	r = ramfs_truncate(f->h, size);
	if (size > RAMFS_MAX_FILE_SIZE) {
		CHECK_EQ(r, -EFBIG);
		return 1;
	}
	CHECK_EQ(r, 0);
	if (size < f->size) {
		m.used -= pages_cost(f, ~0ull);
		file_cut(f, (size + PAGE - 1) / PAGE);
		m.used += pages_cost(f, ~0ull);
		struct mpage *p = page_of(f, size / PAGE);

		if (p)
			memset(p->data + size % PAGE, 0, PAGE - size % PAGE);
	}
	f->size = size;
	return 1;
}

static int op_hold(void)
{
	int ni = pick(below(2));
	struct mnode *n;

	if (ni < 0)
		return 1;
	n = &m.n[ni];
	if (n->opens == 0 || below(3) == 0) {
		CHECK_EQ(ramfs_hold(n->h), 0);
		n->opens++;
	} else {
		CHECK_EQ(ramfs_release(n->h), 0);
		n->opens--;
		node_put(ni);
	}
	return 1;
}

static int op_getattr(void)
{
	int ni = pick(below(2));
	struct mnode *n;
	struct fs_attr a;

	if (ni < 0)
		return 1;
	n = &m.n[ni];
	CHECK_EQ(ramfs_getattr(n->h, &a), 0);
	CHECK_EQ(a.mode, (n->dir ? S_IFDIR : S_IFREG) | (n->mode & 07777));
	CHECK_EQ(a.nlink, n->nlink);
	CHECK_EQ(a.size, n->dir ? (uint64_t)n->nents : n->size);
	CHECK_EQ(a.blocks, n->dir ? 0 : n->npages * (PAGE / 512));
	return 1;
}

static int op_list(void)
{
	int di = pick(1);
	struct mnode *d;
	struct fs_dirent e;

	if (di < 0)
		return 1;
	d = &m.n[di];
	uint64_t pos = 0;

	for (int i = 0; i <= d->nents; i++) {
		long r = ramfs_readdir(d->h, pos, &e);

		if (i == d->nents) {
			CHECK_EQ(r, 0);
			break;
		}
		CHECK_EQ(r > 0, 1);
		pos = (uint64_t)r;
		CHECK_EQ(strcmp(e.name, d->ents[i].name), 0);
		CHECK_EQ(e.type, m.n[d->ents[i].node].dir ? RAMFS_DT_DIR
							  : RAMFS_DT_REG);
	}
	return 1;
}

static int op_lookup(void)
{
	int di = pick(1), k = below(NNAMES + 2), e;
	const char *name = k < NNAMES ? names[k] : k == NNAMES ? "." : "..";
	struct mnode *d;
	long r;

	if (di < 0)
		return 1;
	d = &m.n[di];
	r = ramfs_lookup(d->h, name);
	if (k == NNAMES)
		CHECK_EQ(r, (long)d->h);
	else if (d->nlink == 0)
		CHECK_EQ(r, -ENOENT);
	else if (k == NNAMES + 1)
		CHECK_EQ(r, (long)m.n[d->parent].h);
	else if ((e = ent_find(d, name)) >= 0)
		CHECK_EQ(r, (long)m.n[d->ents[e].node].h);
	else
		CHECK_EQ(r, -ENOENT);
	return 1;
}

static int op_stale(void)
{
	fs_node_t h;
	struct fs_attr a;
	char buf[4] = "xyz";

	if (m.nstale == 0)
		return 1;
	h = m.stale[below(m.nstale)];
	CHECK_EQ(ramfs_getattr(h, &a), -ESTALE);
	CHECK_EQ(ramfs_write(h, buf, 3, 0), -ESTALE);
	CHECK_EQ(ramfs_create(h, "a", S_IFREG), -ESTALE);
	CHECK_EQ(ramfs_hold(h), -ESTALE);
	return 1;
}

/* The capacity used and the nodes held agree with the model. */
static int check_usage(void)
{
	struct ramfs_usage u;
	uint64_t nodes = 0;

	for (int i = 0; i < MNODES; i++)
		nodes += m.n[i].used;
	ramfs_usage(&u);
	CHECK_EQ(u.used, m.used);
	CHECK_EQ(u.nodes, nodes);
	CHECK_EQ(stub_mutex_held, 0);
	return 1;
}

/* One random operation, weighted towards file bytes and names. */
static int step(void)
{
	switch (below(16)) {
	case 0:
	case 1:
		return op_create();
	case 2:
		return op_remove(0);
	case 3:
		return op_remove(1);
	case 4:
	case 5:
		return op_rename();
	case 6:
	case 7:
	case 8:
		return op_write();
	case 9:
	case 10:
		return op_read();
	case 11:
		return op_truncate();
	case 12:
		return op_hold();
	case 13:
		return op_getattr();
	case 14:
		return below(2) ? op_list() : op_stale();
	default:
		return op_lookup();
	}
}

/* Run `ops` random operations on a ramfs of `max` bytes from `seed`. */
static void run_model(uint64_t seed, uint64_t max, int ops)
{
	fs_node_t root;
	int ok = 1;

	for (int i = 0; i < MNODES; i++)
		file_cut(&m.n[i], 0);
	memset(&m, 0, sizeof(m));
	m.rng = seed;
	m.max = max;
	ramfs_reset();
	stub_wall_ns = 1;
	root = ramfs_mount(max);
	KT_ASSERT((int64_t)root > 0);
	node_new(1, 0755, root, 0);
	for (m.ops = 0; ok && m.ops < ops; m.ops++)
		ok = step() && check_usage();
	for (int i = 0; i < MNODES; i++)
		file_cut(&m.n[i], 0);
	ramfs_reset();
	/* Enough happened to mean something. */
	KT_ASSERT(ok);
	KT_ASSERT(m.checks > ops);
}

TEST(ramfs_model, random_operations_with_room_to_spare)
{
	run_model(0x9e3779b97f4a7c15ull, 64ull << 20, 4000);
}

TEST(ramfs_model, random_operations_near_the_capacity)
{
	run_model(0x2545f4914f6cdd1dull, 160 * 1024, 4000);
}
