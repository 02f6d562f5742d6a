/*
 * rpc.c - the EPT backend's mailboxes: making a call, serving one, and
 * waiting between the two. Portable: the kernel links it into every EPT
 * image, the host gate harness into a Linux program.
 *
 * Every VM writes only its own part of the shared region, so a message
 * is from the VM whose part holds it. On one logical thread `id`:
 *   caller:  writes CALL(to = callee, fn, args) in its own slot, numbered
 *            s (its slot's seq), and waits;
 *   callee:  runs fn (its own calls out are CALLs in its own slot, and it
 *            waits like any caller), then writes RET(to = caller,
 *            echo = s, ret, where its out-buffers are) in its own slot;
 *   caller:  takes ret from the callee's slot only, and only if it
 *            answers call s. While waiting it serves any CALL to itself
 *            on the same thread, which is how A -> B -> A comes back to
 *            the same thread.
 *   home:    writes DEAD when the thread ends; mirrors elsewhere leave.
 * A waiter judges every message that is new to it on its thread (from
 * any VM) and rejects what no honest VM would have written: a reply to a
 * call never made to that VM, a reply to another call than the one
 * waiting, an end written by a VM that is not the thread's home, a
 * message number that went back. Rejections are reported; one from the
 * VM whose reply the thread waits for stops it (platform fail).
 * Each message is copied out whole (seqlock) before it is looked at.
 * Pointer arguments are the platform's (copy_in, check_call, copy_out:
 * in the kernel, copy.c), which checks and copies them on both sides.
 */
#include <stddef.h>
#include "ept.h"

static struct ept_part *parts[EPT_VMS];
static unsigned self;
static const struct ept_table *tables;
static unsigned ncomps;
static const struct ept_platform *plat;
static uint64_t spin_ns; /* spin this long before blocking */

/* Kept in this VM's private memory, per logical thread. */
static uint32_t seen[EPT_IDS][EPT_VMS]; /* seq of the last message judged */
static uint8_t here[EPT_IDS];		/* a thread of this VM is on it */
static uint8_t taken[EPT_THREADS];	/* this VM's own numbers in use */

void ept_init(void *shared, unsigned me, const struct ept_table *t, unsigned n,
	      const struct ept_platform *p, uint64_t spin)
{
	for (unsigned c = 0; c < EPT_VMS; c++)
		parts[c] = (struct ept_part *)((char *)shared +
					       (size_t)c * EPT_PART_SIZE);
	self = me;
	tables = t;
	ncomps = n;
	plat = p;
	spin_ns = spin;
	__atomic_store_n(&parts[self]->up, 1, __ATOMIC_RELEASE);
}

unsigned ept_id(const struct ept_msg *m)
{
	return (unsigned)(m - parts[self]->msgs);
}

static uint32_t load(const volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store(volatile uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Write a message on thread id in this VM's slot: kind, to, echo, plus
 * fn, argc, args and ret from body. Returns its seq. */
static uint32_t send(unsigned id, uint32_t kind, unsigned to, uint32_t echo,
		     const struct ept_msg *body)
{
	volatile struct ept_msg *m = &parts[self]->msgs[id];
	uint32_t s = m->seq;

	__atomic_fetch_or(&parts[self]->used[id / 64], 1ULL << (id % 64),
			  __ATOMIC_RELEASE);
	store(&m->seq, s + 1);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	m->kind = kind;
	m->to = to;
	m->echo = echo;
	m->fn = body->fn;
	m->argc = body->argc;
	for (int i = 0; i < 6; i++)
		m->args[i] = body->args[i];
	m->ret = body->ret;
	for (int i = 0; i < 6; i++)
		m->bounce[i] = body->bounce[i];
	store(&m->seq, s + 2);
	return s + 2;
}

/* Copy VM v's message on thread id into *out; 0 while v is rewriting
 * it (or rewrote it as we read). */
static int peek(unsigned v, unsigned id, struct ept_msg *out)
{
	const volatile struct ept_msg *m = &parts[v]->msgs[id];
	uint32_t s = load(&m->seq);

	if (s & 1)
		return 0;
	out->kind = m->kind;
	out->to = m->to;
	out->echo = m->echo;
	out->fn = m->fn;
	out->argc = m->argc;
	for (int i = 0; i < 6; i++)
		out->args[i] = m->args[i];
	out->ret = m->ret;
	for (int i = 0; i < 6; i++)
		out->bounce[i] = m->bounce[i];
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	out->seq = s;
	return load(&m->seq) == s;
}

/* A report built without a C library: text and decimal numbers. */
struct text {
	char buf[240];
	unsigned len;
};

static void put(struct text *t, const char *s)
{
	while (*s && t->len < sizeof(t->buf) - 1)
		t->buf[t->len++] = *s++;
	t->buf[t->len] = 0;
}

static void put_num(struct text *t, uint32_t v)
{
	char digits[11];
	int n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n--) {
		char one[2] = {digits[n], 0};

		put(t, one);
	}
}

static void put_vm(struct text *t, unsigned c)
{
	if (c < ncomps) {
		put(t, plat->name(c));
	} else {
		put(t, "VM ");
		put_num(t, c);
	}
}

/* "ept: <self> rejects <v>'s message in mailbox <id> (a thread of
 * <home>): " */
static void start_reject(struct text *t, unsigned v, unsigned id)
{
	t->len = 0;
	put(t, "ept: ");
	put_vm(t, self);
	put(t, " rejects ");
	put_vm(t, v);
	put(t, "'s message in mailbox ");
	put_num(t, id);
	put(t, " (a thread of ");
	put_vm(t, EPT_HOME(id));
	put(t, "): ");
}

/* Report t; stop if the thread cannot go on without the message. */
static void reject(struct text *t, int fatal)
{
	if (fatal)
		plat->fail(t->buf);
	plat->report(t->buf);
}

/* What a thread on a logical thread waits for. */
struct waiting {
	unsigned id;	 /* the logical thread */
	int calling;	 /* a call of ours is outstanding... */
	unsigned callee; /* ... to this VM ... */
	uint32_t call;	 /* ... with this seq */
};

/* Run the call m from VM v (for this compartment) and answer it. */
static void serve_one(unsigned v, unsigned id, const struct ept_msg *m)
{
	const struct ept_table *t = &tables[self];
	unsigned fn = m->fn, argc = m->argc;
	struct ept_msg r = {0};

	if (fn >= t->count || argc != t->exports[fn].argc) {
		plat->report("ept: malformed call rejected (bad function or "
			     "argument count)");
		send(id, EPT_REJECT, v, m->seq, &r);
		return;
	}
	long (*f)(long, long, long, long, long, long) = t->exports[fn].fn;
	struct ept_copies bounced = {0};
	uint64_t a[6];
	long refused = 0;

	for (int i = 0; i < 6; i++)
		a[i] = m->args[i];
	/* Pointers must keep their contract, judged by who sent them; out
	 * and inout buffers are served in this VM's own part. */
	if (plat->check_call)
		refused = plat->check_call(v, fn, a, r.bounce, &bounced);
	/* A `caller` function learns who asks from the part the call sits
	 * in, not from the caller's arguments. */
	if (t->exports[fn].vouched)
		a[argc - 1] = v;
	if (refused)
		r.ret = (uint64_t)refused;
	else
		r.ret = (uint64_t)f((long)a[0], (long)a[1], (long)a[2],
				    (long)a[3], (long)a[4], (long)a[5]);
	send(id, EPT_RET, v, m->seq, &r);
	/* v copies the bounce buffers after this reply: keep them until v
	 * says something new on this thread. */
	if (plat->hold)
		plat->hold(id, v, &bounced);
}

/*
 * Judge VM v's message m on w's thread, new to this VM. Returns the kind
 * to act on (CALL: serve it; RET/REJECT: our reply; DEAD: the thread
 * ended), or EPT_NONE to go on waiting.
 */
static uint32_t judge(const struct waiting *w, unsigned v,
		      const struct ept_msg *m, uint32_t last)
{
	int fatal = w->calling && v == w->callee;
	struct text t;

	start_reject(&t, v, w->id);
	if (m->seq < last) {
		put(&t, "its message number went back from ");
		put_num(&t, last / 2);
		put(&t, " to ");
		put_num(&t, m->seq / 2);
		reject(&t, fatal);
		return EPT_NONE;
	}
	switch (m->kind) {
	case EPT_CALL:
		return m->to == self ? EPT_CALL : EPT_NONE;
	case EPT_RET:
	case EPT_REJECT:
		if (m->to != self)
			return EPT_NONE;
		if (!fatal) {
			put(&t, "a reply to a call ");
			put_vm(&t, self);
			put(&t, " never made to it");
			reject(&t, 0);
			return EPT_NONE;
		}
		if (m->echo != w->call) {
			put(&t, "it answers call ");
			put_num(&t, m->echo / 2);
			put(&t, ", but the call waiting is ");
			put_num(&t, w->call / 2);
			reject(&t, 1);
		}
		return m->kind;
	case EPT_DEAD:
		if (v != EPT_HOME(w->id)) {
			put(&t, "only its home may end a thread");
			reject(&t, fatal);
			return EPT_NONE;
		}
		if (w->calling) {
			put(&t, "its home ended it while a call on it waits");
			reject(&t, fatal);
			return EPT_NONE;
		}
		return EPT_DEAD;
	default:
		put(&t, "kind ");
		put_num(&t, m->kind);
		put(&t, " is no message");
		reject(&t, fatal);
		return EPT_NONE;
	}
}

/*
 * Wait on w's thread: spin for spin_ns, then block for growing intervals
 * (so VMs sharing a core do not starve each other). Serves calls made to
 * us meanwhile; returns our call's reply (RET or REJECT, copied into
 * *reply), or DEAD when not calling.
 */
static uint32_t wait_turn(const struct waiting *w, struct ept_msg *reply)
{
	uint64_t start = plat->now_ns(), nap = 20000;
	unsigned spins = 0;

	for (;;) {
		for (unsigned v = 0; v < ncomps; v++) {
			struct ept_msg m;

			if (v == self || !peek(v, w->id, &m) ||
			    m.seq == seen[w->id][v])
				continue;
			uint32_t last = seen[w->id][v];

			seen[w->id][v] = m.seq;
			if (plat->release)
				plat->release(w->id, v);
			switch (judge(w, v, &m, last)) {
			case EPT_CALL:
				serve_one(v, w->id, &m);
				start = plat->now_ns();
				nap = 20000;
				break;
			case EPT_RET:
			case EPT_REJECT:
				*reply = m;
				return m.kind;
			case EPT_DEAD:
				return EPT_DEAD;
			}
		}
		if (plat->now_ns() - start < spin_ns) {
			/* Spin, letting this VM's other threads run now and
			 * then: the reply may depend on one of them (a mirror
			 * to start, a nested call to serve). */
			if (++spins % 64 == 0)
				plat->yield();
			else
				plat->pause();
			continue;
		}
		plat->block(nap);
		if (nap < 1000000)
			nap *= 2;
	}
}

/* A number of this VM's own for a new logical thread. */
static struct ept_msg *claim_thread(void)
{
	for (unsigned i = 0; i < EPT_THREADS; i++) {
		unsigned id = self * EPT_THREADS + i;

		if (taken[i])
			continue;
		taken[i] = 1;
		here[id] = 1;
		return &parts[self]->msgs[id];
	}
	plat->fail("ept: all of this VM's logical threads are in use");
}

long ept_call(unsigned to, unsigned fn, unsigned argc, long a0, long a1,
	      long a2, long a3, long a4, long a5)
{
	struct ept_msg *mine = plat->my_box(), body = {0}, reply;
	struct ept_copies copied = {0};

	if (!mine) {
		mine = claim_thread();
		plat->set_my_box(mine);
	}
	body.fn = fn;
	body.argc = argc;
	body.args[0] = (uint64_t)a0;
	body.args[1] = (uint64_t)a1;
	body.args[2] = (uint64_t)a2;
	body.args[3] = (uint64_t)a3;
	body.args[4] = (uint64_t)a4;
	body.args[5] = (uint64_t)a5;
	/* Buffers the callee cannot read where they are go into this VM's
	 * part first; a refused one may end the call here. */
	if (plat->copy_in) {
		long refused = plat->copy_in(to, fn, argc, body.args, &copied);

		if (refused)
			return refused;
	}

	struct waiting w = {ept_id(mine), 1, to, 0};

	w.call = send(w.id, EPT_CALL, to, 0, &body);
	if (wait_turn(&w, &reply) == EPT_REJECT)
		plat->fail("ept: the callee rejected a call as malformed");
	if (plat->copy_out)
		plat->copy_out(to, reply.bounce, &copied);
	return (long)reply.ret;
}

void ept_serve(struct ept_msg *mine)
{
	struct waiting w = {ept_id(mine), 0, 0, 0};
	struct ept_msg unused;

	plat->set_my_box(mine);
	while (wait_turn(&w, &unused) != EPT_DEAD)
		;
	if (plat->release)
		plat->release(w.id, EPT_VMS);
	here[w.id] = 0;
}

/* Whether thread id may get a mirror here: its home is another VM of
 * the configuration (this VM's own threads serve their calls back
 * themselves, and one that ended takes none). */
static int live(unsigned id)
{
	return EPT_HOME(id) != self && EPT_HOME(id) < ncomps;
}

/* A call on a thread that cannot be one: reported, never served. */
static void refuse_call(unsigned v, unsigned id)
{
	struct text t;

	start_reject(&t, v, id);
	put(&t, EPT_HOME(id) == self ? "a call on a thread that has ended"
				     : "a call on a thread of no VM");
	reject(&t, 0);
}

struct ept_msg *ept_new_call(void)
{
	for (unsigned v = 0; v < ncomps; v++) {
		for (unsigned word = 0; v != self && word < EPT_IDS / 64;
		     word++) {
			uint64_t used = __atomic_load_n(&parts[v]->used[word],
							__ATOMIC_ACQUIRE);

			while (used) {
				unsigned id = word * 64 +
					      (unsigned)__builtin_ctzll(used);
				struct ept_msg m;
				struct waiting w = {id, 0, 0, 0};

				used &= used - 1;
				if (here[id] || !peek(v, id, &m) ||
				    m.seq == seen[id][v])
					continue;
				if (m.kind == EPT_CALL && m.to == self &&
				    m.seq > seen[id][v] && live(id)) {
					here[id] = 1;
					return &parts[self]->msgs[id];
				}
				/* Nobody here waits on it: judge it now. */
				uint32_t last = seen[id][v];

				seen[id][v] = m.seq;
				if (judge(&w, v, &m, last) == EPT_CALL)
					refuse_call(v, id);
			}
		}
	}
	return NULL;
}

void ept_thread_exit(void)
{
	struct ept_msg *mine = plat->my_box(), none = {0};

	if (!mine)
		return;
	unsigned id = ept_id(mine);

	/* Bounces of calls served back to this thread were copied before
	 * the thread's own call returned. */
	if (plat->release)
		plat->release(id, EPT_VMS);
	if (EPT_HOME(id) == self) {
		send(id, EPT_DEAD, self, 0, &none);
		here[id] = 0;
		taken[id % EPT_THREADS] = 0;
	}
}
