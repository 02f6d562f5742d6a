/*
 * The gate runtime attacked from the application compartment, and what
 * gates clean. The runtime's functions switch domains, so each may be
 * entered only from where it is meant to be (the interrupt entry, the
 * scheduler, boot): called by the application, each must stop the machine
 * with a gate violation naming it and the application's domain. A stub
 * made for one compartment must refuse a call from another. And whatever
 * the other side of a gate leaves in the direction flag (every gate) or
 * in the vector and x87 state (full gates) must not reach this side.
 * mpk_* suites run only under mpk, mpkfull_* only with full gates
 * (ktest_suite_enabled, test_attacks.c).
 */
#include <stdint.h>
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/gate.h>
#include <bulkhead/kernel.h>
#include <bulkhead/x86.h>
#include "ktest.h"
#include "../victim/victim.h"

/* The PKRU of the compartment called `name`. */
static uint32_t pkru_of(const char *name)
{
	for (unsigned i = 0; i < comp_config.count; i++)
		if (strcmp(comp_config.comps[i].name, name) == 0)
			return comp_config.comps[i].pkru;
	return 0;
}

/* The address of runtime function `name`: no compartment but the core
 * and the scheduler may link against the runtime, so an attacker finds it
 * in the symbol table. */
static void *runtime(const char *name)
{
	return (void *)ksyms_lookup_name(name);
}

/* Where the nth check of runtime function `fn` reports from: the return
 * address of its nth `call gate_mpk_violation`. */
static uintptr_t check_site(const char *fn, int nth)
{
	const uint8_t *p = runtime(fn);
	uintptr_t target = ksyms_lookup_name("gate_mpk_violation");

	for (int i = 0; p && i < 256; i++) {
		int32_t rel;

		memcpy(&rel, p + i + 1, sizeof(rel));
		if (p[i] == 0xe8 && (uintptr_t)(p + i + 5) + rel == target &&
		    --nth == 0)
			return (uintptr_t)(p + i + 5);
	}
	return 0;
}

/* Announce the gate violation of check `site` of `fn`, with PKRU holding
 * the domain of `domain`: which check refused, exactly. */
static void expect_refused_at(const char *fn, uintptr_t site,
			      const char *domain)
{
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: gate violation at 0x%lx <%s+0x%lx>: PKRU 0x%08x "
		     "(domain of %s) is not what this gate allows",
		     (unsigned long)site, fn,
		     (unsigned long)(site - ksyms_lookup_name(fn)),
		     pkru_of(domain), domain);
}

/* Announce the gate violation a call into runtime function `fn` from the
 * application's domain must end in. */
static void expect_refused(const char *fn)
{
	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: gate violation at 0x");
	ktest_expect("<%s+0x", fn);
	ktest_expect(": PKRU 0x%08x (domain of app) is not what this gate "
		     "allows",
		     pkru_of("app"));
}

/* Before: any compartment could switch itself into the kernel core's
 * domain by asking the scheduler's restore for it. */
TEST_ALONE(mpk_runtime, restore_the_core_pkru_from_the_app)
{
	void (*restore)(uint32_t) = runtime("gate_pkru_restore");

	KT_ASSERT(restore != NULL);
	expect_refused("gate_pkru_restore");
	restore(pkru_of("core"));
}

/* The interrupt entry switches to the core's domain: only for
 * kernel/vectors.asm's trap_common. */
TEST_ALONE(mpk_runtime, interrupt_entry_called_by_the_app)
{
	uint32_t (*enter)(void) = runtime("gate_trap_enter");

	KT_ASSERT(enter != NULL);
	expect_refused("gate_trap_enter");
	enter();
}

/* The interrupt exit restores what the entry saved in core memory, and
 * only at trap_common's exit. */
TEST_ALONE(mpk_runtime, interrupt_exit_called_by_the_app)
{
	static const uint8_t check[] = {
		0x48, 0x39, 0x04, 0x24, /* cmp [rsp], rax */
		0x74, 0x05,		/* je past the call */
		0xe8,			/* call gate_mpk_violation */
	};
	void (*leave)(void) = runtime("gate_trap_exit");
	const uint8_t *p = (const uint8_t *)leave, *lea = NULL;
	uintptr_t exit_site = ksyms_lookup_name("trap_exit_site");
	int32_t rel;

	/* The site check: `lea rax, [rel trap_exit_site]` and, right after
	 * it, the compare and its call of the violation report. */
	for (int i = 0; p && i < 64 && !lea; i++) {
		memcpy(&rel, p + i + 3, sizeof(rel));
		if (p[i] == 0x48 && p[i + 1] == 0x8d && p[i + 2] == 0x05 &&
		    (uintptr_t)(p + i + 7) + rel == exit_site)
			lea = p + i;
	}
	KT_ASSERT(lea != NULL);
	KT_ASSERT(memcmp(lea + 7, check, sizeof(check)) == 0);
	uintptr_t site = (uintptr_t)(lea + 7 + sizeof(check) + 4);

	/* Refused by that check, not by the ones after it. */
	expect_refused_at("gate_trap_exit", site, "app");
	leave();
}

/* The app enters trap_common's own call of the interrupt exit, so the
 * call site is right: the exit's next check, that the core's domain is in
 * force, refuses it. */
TEST_ALONE(mpk_runtime, interrupt_exit_entered_at_its_call_site)
{
	const uint8_t *after = runtime("trap_exit_site");
	uintptr_t exit_fn = ksyms_lookup_name("gate_trap_exit");
	uintptr_t site = check_site("gate_trap_exit", 2);
	int32_t rel;

	KT_ASSERT(after != NULL && site != 0);
	memcpy(&rel, after - 4, sizeof(rel));
	/* trap_common: `call gate_trap_exit` ends at trap_exit_site. */
	KT_ASSERT(after[-5] == 0xe8 && (uintptr_t)after + rel == exit_fn);
	expect_refused_at("gate_trap_exit", site, "app");
	__asm__ volatile("cli\n\t"
			 "call *%0"
			 :
			 : "r"(after - 5)
			 : "rax", "rcx", "rdx", "memory");
}

/* Called from the core's domain, which may call it, the scheduler's
 * restore still refuses a value that is no domain (0: every key open),
 * by its check before the WRPKRU. */
extern void corehook_pkru_restore(uint32_t pkru) __attribute__((weak));

TEST_ALONE(mpk_runtime, restore_no_domain_from_the_core)
{
	uintptr_t site = check_site("gate_pkru_restore", 2);

	KT_ASSERT(corehook_pkru_restore != NULL && site != 0);
	expect_refused_at("gate_pkru_restore", site, "core");
	corehook_pkru_restore(0);
}

/* Boot's one switch into the core's domain, after boot. */
TEST_ALONE(mpk_runtime, enter_core_called_by_the_app)
{
	void (*enter_core)(void) = runtime("gate_enter_core");

	KT_ASSERT(enter_core != NULL);
	expect_refused("gate_enter_core");
	enter_core();
}

/* The victim's stub into the kernel core, called by the application: it
 * would ask the core for pages as if it were the victim (with the
 * victim's key, say). */
TEST_ALONE(mpk_runtime, call_another_compartments_stub)
{
	long (*stub)(long, long) = (long (*)(long, long))ksyms_lookup_name(
		"__gate_victim__mm_page_alloc_key");

	KT_ASSERT(stub != NULL);
	expect_refused("__gate_victim__mm_page_alloc_key");
	stub(1, 1);
}

/* DF is clear in the callee whatever the caller set, and in the caller
 * whatever the callee left. */
TEST(mpk_hygiene, direction_flag_clear_both_ways)
{
	long in_callee, after;

	__asm__ volatile("std\n\t"
			 "call victim_df_on_entry\n\t"
			 "cld"
			 : "=a"(in_callee)
			 :
			 : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
			   "memory", "cc");
	__asm__ volatile("call victim_leave_df\n\t"
			 "pushfq\n\t"
			 "pop %%rax\n\t"
			 "cld"
			 : "=a"(after)
			 :
			 : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
			   "memory", "cc");
	KT_EXPECT_EQ(in_callee, 0);
	KT_EXPECT_EQ((after >> 10) & 1, 0);
}

/* Where the victim reports what it found: memory both sides may use. */
static long seen[4] __shared;

/* A secret in xmm0 and xmm15, and non-default MXCSR and x87 control
 * words, do not cross a full gate in either direction. */
TEST(mpkfull_hygiene, vector_state_does_not_cross)
{
	uint64_t x0, x15, mxcsr = 0, fpucw = 0;

	__asm__ volatile("movabs $0x5ec2e7da7a, %%rax\n\t"
			 "movq %%rax, %%xmm0\n\t"
			 "movq %%rax, %%xmm15\n\t"
			 "push $0x7f80\n\t"
			 "ldmxcsr (%%rsp)\n\t"
			 "movw $0x047f, (%%rsp)\n\t"
			 "fldcw (%%rsp)\n\t"
			 "add $8, %%rsp\n\t"
			 "mov %0, %%rdi\n\t"
			 "call victim_vector_state_on_entry"
			 :
			 : "r"(seen)
			 : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10",
			   "r11", "xmm0", "xmm15", "memory", "cc");
	KT_EXPECT_EQ(seen[0], 0);
	KT_EXPECT_EQ(seen[1], 0);
	KT_EXPECT_EQ(seen[2], 0x1f80);
	KT_EXPECT_EQ(seen[3], 0x037f);
	__asm__ volatile("call victim_leave_vector_state\n\t"
			 "movq %%xmm0, %0\n\t"
			 "movq %%xmm15, %1\n\t"
			 "stmxcsr %2\n\t"
			 "fnstcw %3"
			 : "=r"(x0), "=r"(x15), "=m"(mxcsr), "=m"(fpucw)
			 :
			 : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10",
			   "r11", "xmm0", "xmm15", "memory", "cc");
	KT_EXPECT_EQ(x0, 0);
	KT_EXPECT_EQ(x15, 0);
	KT_EXPECT_EQ(mxcsr, 0x1f80);
	KT_EXPECT_EQ(fpucw, 0x037f);
}

/* Where the TSS keeps interrupt stack slot `slot`'s top (kernel/gdt.c:
 * 4 reserved bytes, three rsp words, a reserved word, then ist[7]). */
#define TSS_IST(slot) (4 + 3 * 8 + 8 + ((slot)-1) * 8)

/* The interrupt stacks are memory every domain may read. An interrupt
 * that stops the application saves its registers there; once it
 * returns, nothing of them may remain for another compartment to read.
 * The application holds a pattern in every register it can while timer
 * interrupts come, then looks for it on the IRQ stack. */
TEST(mpk_istack, interrupted_registers_do_not_stay)
{
	const uint8_t *tss = (const uint8_t *)ksyms_lookup_name("tss");
	uint64_t top, pattern = 0x5ec2e7da7a5ec2e7;

	KT_ASSERT(tss != NULL);
	memcpy(&top, tss + TSS_IST(IST_IRQ), sizeof(top));
	KT_ASSERT(top != 0);
	__asm__ volatile("push %%rbx\n\t"
			 "push %%rbp\n\t"
			 "mov %0, %%rax\n\t"
			 "mov %%rax, %%rbx\n\t"
			 "mov %%rax, %%rbp\n\t"
			 "mov %%rax, %%rdx\n\t"
			 "mov %%rax, %%rsi\n\t"
			 "mov %%rax, %%rdi\n\t"
			 "mov %%rax, %%r8\n\t"
			 "mov %%rax, %%r9\n\t"
			 "mov %%rax, %%r10\n\t"
			 "mov %%rax, %%r11\n\t"
			 "mov %%rax, %%r12\n\t"
			 "mov %%rax, %%r13\n\t"
			 "mov %%rax, %%r14\n\t"
			 "mov %%rax, %%r15\n\t"
			 "mov $20000000, %%ecx\n"
			 "1:\n\t"
			 "dec %%rcx\n\t"
			 "jnz 1b\n\t"
			 "pop %%rbp\n\t"
			 "pop %%rbx"
			 :
			 : "r"(pattern)
			 : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10",
			   "r11", "r12", "r13", "r14", "r15", "memory", "cc");
	const uint64_t *w = (const uint64_t *)(top - 16 * 1024);
	int found = 0;

	for (int i = 0; i < 16 * 1024 / 8; i++)
		found += w[i] == pattern;
	KT_EXPECT_EQ(found, 0);
}

/* The report stub of the core's domain (an argument check refused an
 * argument of a call into the core), called from the application's. */
TEST_ALONE(mpk_runtime, argument_report_from_another_domain)
{
	long (*report)(unsigned, unsigned, uintptr_t, uint64_t, unsigned) =
		runtime("__argrep_core");
	uintptr_t site = check_site("__argrep_core", 1);

	KT_ASSERT(report != NULL && site != 0);
	expect_refused_at("__argrep_core", site, "app");
	report(0, 1, 0, 0, 0);
}

/* The application's own report stub, with a call site whose contract
 * says efault (so the report returns): it goes back only into the common
 * code that checks arguments, not to the application's. */
TEST_ALONE(mpk_runtime, argument_report_returns_only_to_common_code)
{
	long (*report)(unsigned, unsigned, uintptr_t, uint64_t, unsigned) =
		runtime("__argrep_app");
	/* CHECK_CALLER, two SWITCH_PKRUs, then CHECK_RETURN. */
	uintptr_t site = check_site("__argrep_app", 4);
	unsigned i = 0;

	while (i < gate_check_count && !gate_checks[i].efault)
		i++;
	KT_ASSERT(report != NULL && site != 0 && i < gate_check_count);
	expect_refused_at("__argrep_app", site, "app");
	report(i, 1, 0, 0, GATE_WHY_RANGE);
}
