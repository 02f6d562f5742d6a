/*
 * forger.h - an attacker VM for the ept backend's tests (forger.c).
 * Each function runs in the forger's VM; `id` names a logical thread
 * (gates/ept/ept.h) of another VM.
 */
#ifndef TESTS_FORGER_H
#define TESTS_FORGER_H

/* A block of the forger's shared-heap arena holding FORGER_MARK. */
long forger_block(void);
/* The word at addr, as the forger's VM reads it. */
long forger_peek(long addr);
/* A reply to thread id's waiting call, from a VM it did not call. */
long forger_reply_for(long id);
/* The end of thread id, written by a VM that is not its home. */
long forger_end(long id);
/* A call to thread id's home on it, after the thread ended. */
long forger_call_ended(long id);
/* As the callee of thread id: a reply to the call before this one. */
long forger_stale_reply(long id);
/* As the callee of thread id: a reply whose message number went back. */
long forger_replay(long id);
/* Call the victim's export `fn` (by name) with a1, a2 as they are, on a
 * thread of the forger's own, skipping the caller's side of the gate;
 * returns the victim's reply. */
long forger_call_victim(const char *fn, long a1, long a2);
/* Called on thread id with an out-buffer: a reply whose bytes for it
 * are said to be at `at`, outside the forger's part. */
long forger_bounce_elsewhere(long id, long *out, long at);
/* Call victim_sum_after(16 bytes of 1s in the forger's part, 16, ms) on
 * a thread of its own, set the bytes to 2 while the victim waits, and
 * return the victim's reply. */
long forger_change_during_call(long ms);

#define FORGER_MARK 0x5afe5afeL /* what forger_block holds */
#define FORGER_LIE  666		/* the result every forged reply gives */

#endif
