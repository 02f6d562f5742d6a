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
