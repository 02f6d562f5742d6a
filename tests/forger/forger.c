/*
 * forger - an attacker library for the ept backend's tests. It runs in a
 * VM of its own (tests/configs/forge-ept.toml) and writes mailbox
 * messages no honest VM would: replies to calls never made to it, a
 * reply to an old call, a thread's end that only its home may write, a
 * message number that goes back, a call on a thread that has ended. It
 * writes them where it can: in its own part of the shared region,
 * straight into the slots rpc.c reads, bypassing rpc.c. The tests check
 * that the other VMs reject each.
 */
#include <stdint.h>
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>
#include <bulkhead/x86.h>
#include "../../gates/ept/ept.h"
#include "forger.h"

static struct ept_part *part_of(unsigned c)
{
	return (struct ept_part *)(EPT_SHARED_BASE +
				   (uintptr_t)c * EPT_PART_SIZE);
}

static unsigned me(void)
{
	for (unsigned i = 0; i < comp_config.count; i++)
		if (strcmp(comp_config.comps[i].name, "forger") == 0)
			return i;
	return 0;
}

/* The seq of VM c's message on thread id. */
static uint32_t seq_of(unsigned c, unsigned id)
{
	return __atomic_load_n(&part_of(c)->msgs[id].seq, __ATOMIC_ACQUIRE);
}

/* Write a message in the forger's own slot on thread id, numbered by
 * seq (even), the way rpc.c writes one. */
static void forge(unsigned id, uint32_t seq, uint32_t kind, uint32_t echo)
{
	struct ept_part *p = part_of(me());
	volatile struct ept_msg *m = &p->msgs[id];

	__atomic_fetch_or(&p->used[id / 64], 1ULL << (id % 64),
			  __ATOMIC_RELEASE);
	__atomic_store_n(&m->seq, seq | 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	m->kind = kind;
	m->to = EPT_HOME(id);
	m->echo = echo;
	m->ret = FORGER_LIE;
	__atomic_store_n(&m->seq, seq, __ATOMIC_RELEASE);
}

/* Keep the mirror serving this call from answering it honestly. */
__attribute__((noreturn)) static void hang(void)
{
	for (;;)
		sched_sleep_ns(1000000000ULL);
}

long forger_block(void)
{
	long *b = mm_shared_alloc(64);

	if (b)
		*b = FORGER_MARK;
	return (long)b;
}

long forger_peek(long addr)
{
	return *(volatile long *)addr;
}

long forger_reply_for(long id)
{
	unsigned u = (unsigned)id;

	/* The right call number, from the wrong VM. */
	forge(u, seq_of(me(), u) + 2, EPT_RET, seq_of(EPT_HOME(u), u));
	return 0;
}

long forger_end(long id)
{
	unsigned u = (unsigned)id;

	forge(u, seq_of(me(), u) + 2, EPT_DEAD, 0);
	return 0;
}

long forger_call_ended(long id)
{
	unsigned u = (unsigned)id;

	forge(u, seq_of(me(), u) + 2, EPT_CALL, 0);
	return 0;
}

long forger_stale_reply(long id)
{
	unsigned u = (unsigned)id;

	forge(u, seq_of(me(), u) + 2, EPT_RET, seq_of(EPT_HOME(u), u) - 2);
	hang();
}

long forger_replay(long id)
{
	unsigned u = (unsigned)id;

	/* The call waiting, answered under message number 1. */
	forge(u, 2, EPT_RET, seq_of(EPT_HOME(u), u));
	hang();
}

static unsigned index_of(const char *name)
{
	for (unsigned i = 0; i < comp_config.count; i++)
		if (strcmp(comp_config.comps[i].name, name) == 0)
			return i;
	return 0;
}

/* A number of the forger's own that its mailbox code never hands out
 * in these tests (it numbers from the bottom). */
static unsigned next_own_thread(void)
{
	static unsigned used;

	return me() * EPT_THREADS + EPT_THREADS - 1 - used++;
}

/* Write CALL(to = victim, its export fn, a1..a3) on a new thread of the
 * forger's own, the way rpc.c writes one; returns the thread. */
static unsigned call_victim(const char *fn, long a1, long a2, long a3)
{
	const struct ept_table *tables =
		(const struct ept_table *)ksyms_lookup_name("ept_tables");
	unsigned victim = index_of("victim"), id = next_own_thread(), k;
	const struct ept_table *t = &tables[victim];
	struct ept_part *p = part_of(me());
	volatile struct ept_msg *m = &p->msgs[id];
	uint32_t seq = m->seq + 2;

	for (k = 0; k < t->count && strcmp(t->exports[k].name, fn) != 0; k++)
		;
	__atomic_fetch_or(&p->used[id / 64], 1ULL << (id % 64),
			  __ATOMIC_RELEASE);
	__atomic_store_n(&m->seq, seq | 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	m->kind = EPT_CALL;
	m->to = victim;
	m->echo = 0;
	m->fn = k;
	m->argc = t->exports[k].argc;
	m->args[0] = (uint64_t)a1;
	m->args[1] = (uint64_t)a2;
	m->args[2] = (uint64_t)a3;
	__atomic_store_n(&m->seq, seq, __ATOMIC_RELEASE);
	return id;
}

/* The victim's reply to the forger's call on thread id; then the thread
 * ends, and the victim's mirror of it leaves. */
static long victim_reply(unsigned id)
{
	const volatile struct ept_msg *r =
		&part_of(index_of("victim"))->msgs[id];
	uint32_t seq = seq_of(me(), id);

	while (!(__atomic_load_n(&r->seq, __ATOMIC_ACQUIRE) % 2 == 0 &&
		 r->kind == EPT_RET && r->echo == seq))
		sched_sleep_ns(1000000);
	long ret = (long)r->ret;

	forge(id, seq + 2, EPT_DEAD, 0);
	return ret;
}

long forger_call_victim(const char *fn, long a1, long a2)
{
	return victim_reply(call_victim(fn, a1, a2, 0));
}

long forger_change_during_call(long ms)
{
	unsigned char *block = mm_shared_alloc(16);
	unsigned id;

	if (!block)
		return -1;
	for (int i = 0; i < 16; i++)
		block[i] = 1;
	id = call_victim("victim_sum_after", (long)block, 16, ms);
	/* Half the export's sleep: time enough for the victim's VM to take
	 * the call (and its copy of the buffer) first, even on a loaded
	 * host, before the buffer changes. */
	sched_sleep_ns((uint64_t)ms * 1000000 / 2);
	for (int i = 0; i < 16; i++)
		block[i] = 2;
	return victim_reply(id);
}

long forger_bounce_elsewhere(long id, long *out, long at)
{
	unsigned u = (unsigned)id;
	struct ept_part *p = part_of(me());
	volatile struct ept_msg *m = &p->msgs[u];
	uint32_t seq = seq_of(me(), u) + 2;

	(void)out; /* the forger's own bounce: the lie is where it is */
	__atomic_store_n(&m->seq, seq | 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	m->kind = EPT_RET;
	m->to = EPT_HOME(u);
	m->echo = seq_of(EPT_HOME(u), u);
	m->ret = FORGER_LIE;
	for (int i = 0; i < 6; i++)
		m->bounce[i] = 0;
	m->bounce[1] = (uint64_t)at;
	__atomic_store_n(&m->seq, seq, __ATOMIC_RELEASE);
	hang();
}
