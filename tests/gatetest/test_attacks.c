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
#include <bulkhead/time.h>
#include "ktest.h"
#include "../victim/victim.h"

/* mpk_* suites need protection keys, mpkfull_* also private stacks,
 * mpklight_* light gates (shared stacks, return addresses checked).
 * ept_auth needs the forger's VM, and an image with one runs only it. */
int ktest_suite_enabled(const char *suite)
{
	if (strcmp(suite, "ept_auth") == 0 || ktest_comp("forger"))
		return strcmp(suite, "ept_auth") == 0 && ktest_comp("forger");
	if (strncmp(suite, "ept", 3) == 0)
		return comp_has(COMP_VMS);
	if (strncmp(suite, "mpkfull", 7) == 0)
		return comp_has(COMP_PRIVATE_STACKS);
	if (strncmp(suite, "mpklight", 8) == 0)
		return comp_has(COMP_KEYS) && !comp_has(COMP_PRIVATE_STACKS);
	return strncmp(suite, "mpk", 3) != 0 || comp_has(COMP_KEYS);
}

/* Where the victim reports registers: memory both compartments may use. */
static long shared_regs[6] __shared;

/* Announce the report of a protection-key fault by the app on `owner`. */
static void expect_pk(uintptr_t addr, const char *sym, const char *owner,
		      int write, const char *running)
{
	const struct comp_desc *app = ktest_comp("app"),
			       *own = ktest_comp(owner);

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

/*
 * Gate code is public (key 15), so an attacker can find the WRPKRU of any
 * SWITCH_PKRU (gates/mpk/gate.inc): `mov eax, imm32; wrpkru`. Returns the
 * WRPKRU of the nth one in the stub named `stub` (1: the switch into the
 * callee's domain, 2: the switch back on the return path), or NULL.
 */
static const uint8_t *stub_wrpkru(const char *stub, int nth)
{
	const uint8_t *p = (const uint8_t *)ksyms_lookup_name(stub);

	for (int i = 5; p && i < 512; i++)
		if (p[i - 5] == 0xb8 && p[i] == 0x0f && p[i + 1] == 0x01 &&
		    p[i + 2] == 0xef && --nth == 0)
			return p + i;
	return NULL;
}

/* The return address of a `call gate_mpk_violation` that starts in
 * [p, p + window): the address a gate violation report names, or 0. */
static uintptr_t check_after(const uint8_t *p, int window)
{
	uintptr_t target = ksyms_lookup_name("gate_mpk_violation");

	for (int i = 0; p && i < window; i++) {
		int32_t rel;

		memcpy(&rel, p + i + 1, sizeof(rel));
		if (p[i] == 0xe8 && (uintptr_t)(p + i + 5) + rel == target)
			return (uintptr_t)(p + i + 5);
	}
	return 0;
}

/* The check right after a WRPKRU (`cmp eax, imm32; je ok; call
 * gate_mpk_violation`): where its report comes from. */
static uintptr_t wrpkru_check(const uint8_t *wrpkru)
{
	return wrpkru ? check_after(wrpkru + 3, 8) : 0;
}

/* Announce the panic of a failed gate check at `where`, inside `stub`,
 * with PKRU holding the domain of `domain` (NULL: 0, no domain). */
static void expect_violation(const char *stub, uintptr_t where,
			     const char *domain)
{
	uintptr_t base = ksyms_lookup_name(stub);

	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: gate violation at 0x%lx <%s+0x%lx>: PKRU 0x%08x "
		     "(%s%s) is not what this gate allows; code of compartment "
		     "(gate or common code) jumped into or out of a gate "
		     "(thread \"main\")",
		     (unsigned long)where, stub, (unsigned long)(where - base),
		     domain ? ktest_comp(domain)->pkru : 0,
		     domain ? "domain of " : "no domain", domain ? domain : "");
}

/* Call the WRPKRU at `wrpkru` with eax = 0 (every key open). Interrupts
 * are held off (the attacker runs in ring 0 and may) so the report is
 * always the gate's own: a timer interrupt between the write and the
 * check would be caught on the interrupt's way out instead, by
 * gate_trap_exit. */
static void call_wrpkru_with_eax_0(const uint8_t *wrpkru)
{
	__asm__ volatile("cli\n\t"
			 "xor %%eax, %%eax\n\t"
			 "xor %%ecx, %%ecx\n\t"
			 "xor %%edx, %%edx\n\t"
			 "call *%0"
			 :
			 : "r"(wrpkru)
			 : "rax", "rcx", "rdx", "memory");
}

/* Jump straight to the entry WRPKRU of a gate with eax = 0: the check
 * after the write catches it. */
TEST_ALONE(mpk_attack, jump_into_a_gate_to_reuse_its_wrpkru)
{
	const char *stub = "__gate_app__console_write";
	const uint8_t *wrpkru = stub_wrpkru(stub, 1);

	KT_ASSERT(wrpkru != NULL);
	expect_violation(stub, wrpkru_check(wrpkru), NULL);
	call_wrpkru_with_eax_0(wrpkru);
}

/* The same with the WRPKRU of a stub's return path (GATE_LIGHT, or
 * GATE_FULL under full gates), which switches back to the caller's
 * domain: it is checked as closely as the entry's. */
TEST_ALONE(mpk_attack, jump_into_a_gates_return_path_wrpkru)
{
	const char *stub = "__gate_app__victim_args0";
	const uint8_t *wrpkru = stub_wrpkru(stub, 2);

	KT_ASSERT(wrpkru != NULL);
	expect_violation(stub, wrpkru_check(wrpkru), NULL);
	call_wrpkru_with_eax_0(wrpkru);
}

/* And with the return path of a callback stub (GATE_CALLBACK, or
 * GATE_CALLBACK_FULL): the app's callbacks into the victim. */
TEST_ALONE(mpk_attack, jump_into_a_callback_stubs_return_path_wrpkru)
{
	const char *stub = "__cb_app__victim";
	const uint8_t *wrpkru = stub_wrpkru(stub, 2);

	KT_ASSERT(wrpkru != NULL);
	expect_violation(stub, wrpkru_check(wrpkru), NULL);
	call_wrpkru_with_eax_0(wrpkru);
}

/*
 * Light gates check where a return path returns to (CHECK_RETURN). The
 * app enters the return path of a stub that brings the victim back from
 * a call into the app: its own checked WRPKRU switches, rightly, to the
 * victim's domain. Were it to return to the app's code, the app would
 * run in the victim's domain; the return address must lie in the
 * victim's text or right after a call inside the gate section.
 */
static const char victim_return_stub[] = "__gate_victim__gatetest_bounce";

/* The first instruction of the return path's SWITCH_PKRU (`xor ecx, ecx;
 * xor edx, edx; mov eax, imm32`, then the WRPKRU) of `stub`. */
static const uint8_t *return_switch(const char *stub)
{
	static const uint8_t head[] = {0x31, 0xc9, 0x31, 0xd2, 0xb8};
	const uint8_t *wrpkru = stub_wrpkru(stub, 2);

	if (!wrpkru || memcmp(wrpkru - 9, head, sizeof(head)) != 0)
		return NULL;
	return wrpkru - 9;
}

/* Where CHECK_RETURN reports from: the first check after the one of the
 * return path's SWITCH_PKRU, which starts at `path`. */
static uintptr_t check_return_site(const uint8_t *path)
{
	uintptr_t after_switch = wrpkru_check(path + 9);

	return after_switch ? check_after((const uint8_t *)after_switch, 64)
			    : 0;
}

/* Run the return path starting at `path` with `ret` as the address it
 * returns to (0: the address after the call, in the app's text). */
static void run_return_path(const uint8_t *path, uintptr_t ret)
{
	if (!ret)
		__asm__ volatile("cli\n\t"
				 "call *%0"
				 :
				 : "r"(path)
				 : "rax", "rcx", "rdx", "r10", "r11", "memory");
	else
		__asm__ volatile("cli\n\t"
				 "push %1\n\t"
				 "jmp *%0"
				 :
				 : "r"(path), "r"(ret)
				 : "rax", "rcx", "rdx", "r10", "r11", "memory");
}

TEST_ALONE(mpklight_attack, return_path_into_code_outside_the_caller)
{
	const uint8_t *path = return_switch(victim_return_stub);

	KT_ASSERT(path != NULL);
	expect_violation(victim_return_stub, check_return_site(path), "victim");
	run_return_path(path, 0);
}

/* Inside the gate section only return sites (right after a call) are
 * accepted: a stub's first instruction is not one. */
TEST_ALONE(mpklight_attack, return_path_into_gate_code_not_after_a_call)
{
	const uint8_t *path = return_switch(victim_return_stub);
	const uint8_t *to =
		(const uint8_t *)ksyms_lookup_name("__gate_app__victim_args1");
	uint16_t before;

	KT_ASSERT(path != NULL && to != NULL);
	memcpy(&before, to - 2, sizeof(before));
	KT_ASSERT(to[-5] != 0xe8 && before != 0xd2ff);
	expect_violation(victim_return_stub, check_return_site(path), "victim");
	run_return_path(path, (uintptr_t)to);
}

/* A callback stub returns to gate_callback, in the common text: not to
 * the app's code, though the victim's domain is now in force. */
TEST_ALONE(mpklight_attack, callback_return_path_into_code_outside_common)
{
	const char *stub = "__cb_victim__app";
	const uint8_t *path = return_switch(stub);

	KT_ASSERT(path != NULL);
	expect_violation(stub, check_return_site(path), "victim");
	run_return_path(path, 0);
}

/*
 * Full gates have no return-address check: the return path takes the
 * stack pointer of the compartment it returns to from that compartment's
 * link word, which only it can have written. So when the app enters the
 * return path of the victim's stub while the victim has no call
 * outstanding (its link is 0), the switch to the victim's domain is
 * followed by a pop from address 0, in the stub, and never by a return
 * to the app.
 */
TEST_ALONE(mpkfull_attack, return_path_with_no_call_outstanding)
{
	static const uint8_t slot[] = {0x48, 0x8b, 0x1d}; /* mov rbx, [rip] */
	static const uint8_t link[] = {0x48, 0x8b, 0xa3}; /* mov rsp, [rbx] */
	static const uint8_t pop[] = {0x8f, 0x83};	  /* pop [rbx + ..] */
	const uint8_t *path = return_switch(victim_return_stub);
	const uint8_t *after = (const uint8_t *)wrpkru_check(path + 9);
	uintptr_t base = ksyms_lookup_name(victim_return_stub);

	KT_ASSERT(after != NULL);
	/* The registers are cleared first; then the caller's stack is taken
	 * from its link (RESTORE_CALLER_STATE). */
	for (int i = 0; i < 160 && memcmp(after, slot, 3) != 0; i++)
		after++;
	KT_ASSERT(memcmp(after, slot, 3) == 0 &&
		  memcmp(after + 7, link, 3) == 0 &&
		  memcmp(after + 14, pop, 2) == 0);
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("FAULT: #PF page fault (vector 14) in thread \"main\"");
	ktest_expect("error 0x0: not-present read supervisor data");
	ktest_expect("rip 0x%016lx <%s+0x%lx>", (unsigned long)(after + 14),
		     victim_return_stub, (unsigned long)(after + 14) - base);
	ktest_expect("cr2 0x0000000000000000");
	ktest_expect("rsp 0x0000000000000000 ");
	run_return_path(path, 0);
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

TEST_ALONE(mpk_attack, restore_a_pkru_that_is_no_domain)
{
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: gate violation at 0x");
	ktest_expect("<gate_pkru_restore+0x");
	ktest_expect(
		": PKRU 0x%08x (domain of app) is not what this gate allows",
		ktest_comp("app")->pkru);
	((void (*)(uint32_t))ksyms_lookup_name("gate_pkru_restore"))(0);
}

/* ept: every VM counts time at the rate the default compartment's VM
 * measured (gates/ept/vm.c), not at its own measurement, so a timeout
 * measured in one VM and waited in another agrees. Two measurements
 * under TCG are never equal to the kHz. */
TEST(ept_isolation, every_vm_counts_time_at_one_rate)
{
	KT_EXPECT_EQ(victim_tsc_khz(), (long)(time_tsc_hz() / 1000));
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
	ktest_expect("ept: malformed call rejected (bad function or "
		     "argument count) (in compartment victim)");
	ktest_expect("PANIC: ept: the callee rejected a call as malformed");
	ept_call((unsigned)ktest_comp("victim")->index, 9999, 0, 0, 0, 0, 0, 0,
		 0);
}

/* The right function with the wrong argument count: rejected as well. */
TEST_ALONE(ept_isolation, malformed_call_bad_argument_count)
{
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("ept: malformed call rejected (bad function or "
		     "argument count) (in compartment victim)");
	ktest_expect("PANIC: ept: the callee rejected a call as malformed");
	ept_call((unsigned)ktest_comp("victim")->index, 0, 5, 1, 2, 3, 4, 5, 0);
}
