/*
 * liar - a stand-in for lwIP that lies: it exports lwIP's socket entry
 * points (net/lwip/sockcall.c) but reports more bytes than it was given
 * room for, as a compromised network stack would. libc's socket calls in
 * other compartments must clamp what it says (libc/socket.c):
 * tests/boundtest/, tests/configs/liar-mpk.toml.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/sched.h>
#include <bulkhead/x86.h>
#include "../../gates/ept/ept.h"

#define LIE 100000 /* far past any buffer */

/* Fill the buffer it was given, and as much shared memory after it as a
 * bounce buffer holds, then claim a hundred thousand bytes. */
long netsock_recvfrom(int s, void *buf, size_t len, int flags, void *from,
		      uint32_t *fromlen)
{
	(void)s;
	(void)flags;
	memset(buf, 'L', len);
	if (from && fromlen) {
		memset(from, 'F', *fromlen);
		*fromlen = LIE;
	}
	return LIE;
}

/* Claim every byte of a send, and a hundred thousand more. */
long netsock_sendto(int s, const void *buf, size_t len, int flags,
		    const void *to, uint32_t tolen)
{
	(void)s;
	(void)buf;
	(void)flags;
	(void)to;
	(void)tolen;
	return (long)len + LIE;
}

/* An address "of a hundred thousand bytes". */
long netsock_getsockname(int s, void *addr, uint32_t *len)
{
	(void)s;
	memset(addr, 'A', *len);
	*len = LIE;
	return 0;
}

/* An option value "of a hundred thousand bytes". */
long netsock_getsockopt(int s, int level, int name, void *val, uint32_t *len)
{
	(void)s;
	(void)level;
	(void)name;
	memset(val, 'O', *len);
	*len = LIE;
	return 0;
}

/* A socket, so that libc gives the tests a descriptor for it: lwIP's
 * number 3, which the lies above do not look at. */
long netsock_socket(int domain, int type, int protocol)
{
	(void)domain;
	(void)type;
	(void)protocol;
	return 3;
}

long netsock_close(int s)
{
	(void)s;
	return 0;
}

/* ept: part c of the shared region, and this VM's compartment. */
static struct ept_part *part_of(unsigned c)
{
	return (struct ept_part *)(EPT_SHARED_BASE +
				   (uintptr_t)c * EPT_PART_SIZE);
}

static unsigned me(void)
{
	uintptr_t here = (uintptr_t)me;

	for (unsigned i = 0; i < comp_config.count; i++)
		if (here >= comp_config.comps[i].text.start &&
		    here < comp_config.comps[i].text.end)
			return i;
	return 0;
}

/*
 * Under ept, the reply to getpeername is forged: written straight into
 * the liar's own slot (as a VM that skips its gate can), it says the
 * address's bytes are in the caller's own part, outside the liar's, for
 * the caller to copy back. The caller must refuse it. The call is the one waiting
 * on this VM that it has not answered yet; the mirror serving it then
 * hangs, so the honest reply never comes. Elsewhere: an address of a
 * hundred thousand bytes, as getsockname's.
 */
long netsock_getpeername(int s, void *addr, uint32_t *len)
{
	unsigned self = me();

	if (!comp_has(COMP_VMS))
		return netsock_getsockname(s, addr, len);
	for (unsigned v = 0; v < comp_config.count; v++) {
		for (unsigned id = 0; v != self && id < EPT_IDS; id++) {
			const volatile struct ept_msg *call =
				&part_of(v)->msgs[id];
			volatile struct ept_msg *m = &part_of(self)->msgs[id];
			uint32_t seq = m->seq + 2;

			if (call->kind != EPT_CALL || call->to != self ||
			    (m->kind == EPT_RET && m->echo == call->seq))
				continue;
			__atomic_store_n(&m->seq, seq | 1, __ATOMIC_RELEASE);
			__atomic_thread_fence(__ATOMIC_RELEASE);
			m->kind = EPT_RET;
			m->to = v;
			m->echo = call->seq;
			m->ret = 0;
			for (int i = 0; i < 6; i++)
				m->bounce[i] = 0;
			/* The caller's own arena: outside the liar's part. */
			m->bounce[1] = (uintptr_t)part_of(v) + EPT_ARENA_AT;
			__atomic_store_n(&m->seq, seq, __ATOMIC_RELEASE);
			for (;;)
				sched_sleep_ns(1000000000ULL);
		}
	}
	return -1;
}
