/*
 * Attacks from the application compartment on the victim compartment and
 * on the kernel core. Under mpk each must stop the machine with the exact
 * report: the fault, the address and its symbol, which compartment's
 * domain touched whose memory, and whose code was running. These suites
 * ("mpk_*") exist only in images whose backend is mpk.
 */
#include <stdint.h>
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include "ktest.h"
#include "../victim/victim.h"

/* mpk_* suites need protection keys, mpkfull_* also private stacks. */
int ktest_suite_enabled(const char *suite)
{
	if (strncmp(suite, "ept", 3) == 0)
		return comp_has(COMP_VMS);
	if (strncmp(suite, "mpkfull", 7) == 0)
		return comp_has(COMP_PRIVATE_STACKS);
	return strncmp(suite, "mpk", 3) != 0 || comp_has(COMP_KEYS);
}

static const struct comp_desc *named(const char *name)
{
	for (unsigned i = 0; i < comp_config.count; i++)
		if (strcmp(comp_config.comps[i].name, name) == 0)
			return &comp_config.comps[i];
	return NULL;
}

/* Where the victim reports registers: memory both compartments may use. */
static long shared_regs[6] __shared;

/* Announce the report of a protection-key fault by the app on `owner`. */
static void expect_pk(uintptr_t addr, const char *sym, const char *owner,
		      int write, const char *running)
{
	const struct comp_desc *app = named("app"), *own = named(owner);

	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("FAULT: #PF page fault (vector 14) in thread \"main\"");
	ktest_expect("error 0x%x: present %s supervisor data protection-key",
		     write ? 0x23 : 0x21, write ? "write" : "read");
	if (sym)
		ktest_expect("cr2 0x%016lx <%s+0x0>", (unsigned long)addr, sym);
	else
		ktest_expect("cr2 0x%016lx", (unsigned long)addr);
	ktest_expect("protection key: compartment app (PKRU 0x%08x) %s memory "
		     "of compartment %s (key %d), running code of %s",
		     app->pkru, write ? "wrote" : "read", owner, own->pkey,
		     running);
}

TEST_ALONE(mpk_attack, read_victim_data)
{
	volatile long *p = victim_leak(VICTIM_DATA);

	expect_pk((uintptr_t)p, "victim_data_secret", "victim", 0, "app");
	(void)*p;
}

TEST_ALONE(mpk_attack, write_victim_data)
{
	volatile long *p = victim_leak(VICTIM_DATA);

	expect_pk((uintptr_t)p, "victim_data_secret", "victim", 1, "app");
	*p = 0;
}

TEST_ALONE(mpk_attack, read_victim_bss)
{
	volatile long *p = victim_leak(VICTIM_BSS);

	expect_pk((uintptr_t)p, "victim_bss_secret", "victim", 0, "app");
	(void)*p;
}

TEST_ALONE(mpk_attack, write_victim_bss)
{
	volatile long *p = victim_leak(VICTIM_BSS);

	expect_pk((uintptr_t)p, "victim_bss_secret", "victim", 1, "app");
	*p = 0;
}

TEST_ALONE(mpk_attack, read_victim_heap)
{
	volatile long *p = victim_leak(VICTIM_HEAP);

	expect_pk((uintptr_t)p, NULL, "victim", 0, "app");
	(void)*p;
}

TEST_ALONE(mpk_attack, write_victim_heap)
{
	volatile long *p = victim_leak(VICTIM_HEAP);

	expect_pk((uintptr_t)p, NULL, "victim", 1, "app");
	*p = 0;
}

TEST_ALONE(mpk_attack, write_kernel_core_data)
{
	volatile long *p = (volatile long *)ksyms_lookup_name("mm_phys");

	expect_pk((uintptr_t)p, "mm_phys", "core", 1, "app");
	*p = 0;
}

/* Not exported, so not reachable through a gate: called by address, it
 * runs in the caller's domain and cannot touch its own data. */
TEST_ALONE(mpk_attack, call_victim_private_function)
{
	void (*fn)(void) =
		(void (*)(void))ksyms_lookup_name("victim_private_set");
	uintptr_t bss = (uintptr_t)victim_leak(VICTIM_BSS);

	expect_pk(bss, "victim_bss_secret", "victim", 1, "victim");
	ktest_expect("<victim_private_set+0x");
	fn();
}

/* Jump straight to the WRPKRU inside a gate with eax = 0 (every key
 * open): the check after the write catches it. Interrupts are held off
 * (the attacker runs in ring 0 and may) so the report is always the
 * gate's own: a timer interrupt between the write and the check would be
 * caught on the interrupt's way out instead, by gate_trap_exit. */
TEST_ALONE(mpk_attack, jump_into_a_gate_to_reuse_its_wrpkru)
{
	const uint8_t *p =
		(const uint8_t *)ksyms_lookup_name("__gate_app__console_write");
	const uint8_t *wrpkru = NULL;

	for (int i = 0; p && i < 128 && !wrpkru; i++)
		if (p[i] == 0x0f && p[i + 1] == 0x01 && p[i + 2] == 0xef)
			wrpkru = p + i;
	KT_ASSERT(wrpkru != NULL);
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: gate violation at 0x");
	ktest_expect("<__gate_app__console_write+0x");
	ktest_expect(
		": PKRU 0x00000000 (no domain) is not what this gate allows");
	__asm__ volatile("cli\n\t"
			 "xor %%eax, %%eax\n\t"
			 "xor %%ecx, %%ecx\n\t"
			 "xor %%edx, %%edx\n\t"
			 "call *%0"
			 :
			 : "r"(wrpkru)
			 : "rax", "rcx", "rdx", "memory");
}

/* With full gates each compartment has its own stack: the victim's
 * frames are out of the application's reach. */
TEST_ALONE(mpkfull_attack, read_victim_stack)
{
	volatile long *p = victim_leak(VICTIM_STACK);

	expect_pk((uintptr_t)p, NULL, "victim", 0, "app");
	(void)*p;
}

TEST_ALONE(mpkfull_attack, write_victim_stack)
{
	volatile long *p = victim_leak(VICTIM_STACK);

	expect_pk((uintptr_t)p, NULL, "victim", 1, "app");
	*p = 0;
}

/* The gate clears every register that is not an argument on the way in:
 * the callee cannot read the caller's callee-saved registers. */
TEST(mpkfull_gates, callee_sees_no_caller_registers)
{
	long seen[6];

	/* Put a recognisable value in every callee-saved register, cross a
	 * gate, and have the callee report what it found there. */
	__asm__ volatile("mov %0, %%rdi\n\t"
			 "push %%rbx\n\t"
			 "push %%rbp\n\t"
			 "push %%r12\n\t"
			 "push %%r13\n\t"
			 "push %%r14\n\t"
			 "push %%r15\n\t"
			 "mov $0x5ec2e7, %%rbx\n\t"
			 "mov %%rbx, %%rbp\n\t"
			 "mov %%rbx, %%r12\n\t"
			 "mov %%rbx, %%r13\n\t"
			 "mov %%rbx, %%r14\n\t"
			 "mov %%rbx, %%r15\n\t"
			 "call victim_callee_saved\n\t"
			 "pop %%r15\n\t"
			 "pop %%r14\n\t"
			 "pop %%r13\n\t"
			 "pop %%r12\n\t"
			 "pop %%rbp\n\t"
			 "pop %%rbx"
			 :
			 : "r"(shared_regs)
			 : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10",
			   "r11", "memory");
	memcpy(seen, (const void *)shared_regs, sizeof(seen));
	for (int i = 0; i < 6; i++)
		KT_EXPECT_EQ(seen[i], 0);
}

/* The interrupt exit and the scheduler restore saved PKRU values only if
 * they are one of the image's domains: 0 (every key open) is refused. */
void gate_pkru_restore(uint32_t pkru);

TEST_ALONE(mpk_attack, restore_a_pkru_that_is_no_domain)
{
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: gate violation at 0x");
	ktest_expect("<gate_pkru_restore+0x");
	ktest_expect(
		": PKRU 0x%08x (domain of app) is not what this gate allows",
		named("app")->pkru);
	gate_pkru_restore(0);
}

/* ept: the victim's data lives only in the victim's VM; here its address
 * is not even mapped. */
TEST_ALONE(ept_isolation, read_victim_data_from_another_vm)
{
	volatile long *p = victim_leak(VICTIM_DATA);

	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("FAULT: #PF page fault (vector 14) in thread \"main\"");
	ktest_expect("error 0x0: not-present read supervisor data");
	ktest_expect("cr2 0x%016lx <victim_data_secret+0x0>", (unsigned long)p);
	ktest_expect("cr2 is memory of compartment victim, which runs in a VM "
		     "of its own: not mapped here");
	(void)*p;
}

/* The ept gate runtime (gates/ept/rpc.c); absent from other images. */
long ept_call(unsigned to, unsigned fn, unsigned argc, long a0, long a1,
	      long a2, long a3, long a4, long a5) __attribute__((weak));

/* A mailbox naming a function the victim does not have is rejected by
 * the victim (and reported there), not executed. */
TEST_ALONE(ept_isolation, malformed_call_bad_function)
{
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("ept: malformed call rejected (bad function, argument "
		     "count or caller) (in compartment victim)");
	ktest_expect("PANIC: ept: the callee rejected a call as malformed");
	ept_call((unsigned)named("victim")->index, 9999, 0, 0, 0, 0, 0, 0, 0);
}

/* The right function with the wrong argument count: rejected as well. */
TEST_ALONE(ept_isolation, malformed_call_bad_argument_count)
{
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("ept: malformed call rejected (bad function, argument "
		     "count or caller) (in compartment victim)");
	ktest_expect("PANIC: ept: the callee rejected a call as malformed");
	ept_call((unsigned)named("victim")->index, 0, 5, 1, 2, 3, 4, 5, 0);
}
