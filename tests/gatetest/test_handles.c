/*
 * Attacks from the application compartment on the scheduler, which sits
 * in the kernel core's compartment (tests/configs/gates-mpk.toml and
 * gates-mpkfull.toml). The scheduler used to take pointers: a forged
 * mutex, thread or wait-queue entry in shared memory made it write, and
 * later run, what the attacker chose with the core's rights, and a
 * thread's name was read from wherever the caller said. Now objects are
 * named by handles (sched/handle.c) and names are read only from memory
 * every compartment may read; each attack must end in the scheduler's
 * exact refusal. Suite mpk_handles runs only where keys exist
 * (ktest_suite_enabled, test_attacks.c).
 */
#include <stdint.h>
#include <bulkhead/kernel.h>
#include <bulkhead/sched.h>
#include <bulkhead/comp.h>
#include "ktest.h"

/* The old interface's mutex and thread, as an attacker would forge them
 * in shared memory: a mutex whose first waiter is a "thread" with a
 * chosen saved stack pointer and queue links into the core's memory. */
struct forged_thread {
	uint64_t rsp;
	uint64_t id;
	void *q_next, *q_prev;
};

struct forged_mutex {
	void *owner;
	unsigned depth;
	int recursive;
	struct forged_thread *head, *tail;
};

static struct forged_thread fake_thread __shared;
static struct forged_mutex fake_mutex __shared;

/* Passing the forged mutex's address: no type, no handle, refused. */
TEST_ALONE(mpk_handles, forged_mutex_in_shared_memory_is_refused)
{
	uint64_t core = ksyms_lookup_name("mm_phys");
	uint64_t h = (uintptr_t)&fake_mutex;

	fake_thread.rsp = core;
	fake_thread.q_next = fake_thread.q_prev = (void *)(uintptr_t)core;
	fake_mutex.owner = (void *)sched_mutex_unlock; /* anything */
	fake_mutex.depth = 1;
	fake_mutex.head = fake_mutex.tail = &fake_thread;
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: sched: sched_mutex_unlock: bad mutex handle "
		     "0x%016lx: not a handle (type 0) (thread \"main\")",
		     (unsigned long)h);
	sched_mutex_unlock(h);
}

/*
 * The old write-anywhere path (sched_set_libc_state(t, v) wrote v at
 * t + offset): a mutex handle whose index lies far past the table, where
 * an unchecked lookup would take a core word as its entry and write the
 * mutex's owner through it. Refused before anything at that index is
 * read.
 */
TEST_ALONE(mpk_handles, handle_index_past_the_table_is_refused)
{
	uint64_t h = (uint64_t)3 << SCHED_HANDLE_TYPE_SHIFT |
		     (uint64_t)1 << SCHED_HANDLE_GEN_SHIFT |
		     ((1u << SCHED_HANDLE_INDEX_BITS) - 1);

	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: sched: sched_mutex_unlock: bad mutex handle "
		     "0x%016lx: index 16777215 is outside the table (thread "
		     "\"main\")",
		     (unsigned long)h);
	sched_mutex_unlock(h);
}

static void *nothing(void *arg)
{
	return arg;
}

/* A thread named by the kernel core's data: the scheduler would copy
 * the core's bytes into the name every compartment may read. The gate
 * refuses the string before the scheduler runs (its contract, str[32]). */
TEST_ALONE(mpk_handles, thread_name_in_core_memory_is_refused)
{
	uint64_t core = ksyms_lookup_name("mm_phys");

	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: gate: app -> core: sched_create(str[32]?, fn, "
		     "addr, val): argument 1 = 0x%016lx (32 bytes): not "
		     "memory the caller may hand over (thread \"main\")",
		     (unsigned long)core);
	sched_create((const char *)(uintptr_t)core, nothing, NULL, 0);
}
