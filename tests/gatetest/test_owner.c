/*
 * Ownership across the boundary, attacked from the application
 * compartment: memory the kernel core hands out records the compartment
 * it was handed to (the gate vouches for who asks: API flag `caller`),
 * and nothing lets one compartment free another's memory or take pages
 * under another's key. (mpk_* suites run only under mpk.)
 */
#include <stdint.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include "ktest.h"
#include "../victim/victim.h"

/* Pages under the victim's key would be the victim's memory, counted as
 * the application's. */
TEST_ALONE(mpk_owner, take_pages_with_the_victims_key)
{
	int key = ktest_comp("victim")->pkey;

	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: mm_page_alloc_key(1, %d): compartment app may not "
		     "take pages with key %d (compartment victim)",
		     key, key);
	mm_page_alloc_key(1, key);
}

/* A shared block the victim allocated and handed over to be read: freed
 * by the application, it would be handed out again while the victim
 * still uses it. */
TEST_ALONE(mpk_owner, free_a_shared_block_of_the_victim)
{
	void *block = victim_shared_block();

	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: mm_shared_free(0x%lx): compartment app frees a "
		     "block of compartment victim",
		     (unsigned long)block);
	mm_shared_free(block);
}

/* Passing the victim's index as the caller changes nothing: the gate
 * puts the real caller's there. */
TEST_ALONE(mpk_owner, claim_to_be_the_owner_when_freeing)
{
	void *block = victim_shared_block();

	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: mm_shared_free(0x%lx): compartment app frees a "
		     "block of compartment victim",
		     (unsigned long)block);
	(mm_shared_free)(block, ktest_comp("victim")->index);
}

/* The application's own blocks are its to free. */
TEST(mpk_owner, own_shared_blocks_are_freed)
{
	for (int i = 0; i < 100; i++) {
		void *p = mm_shared_alloc(100 + i * 40);

		KT_ASSERT(p != NULL);
		mm_shared_free(p);
	}
}
