/*
 * harden.c - the kernel core's part of per-compartment hardening
 * (docs/design.md, "Hardening"): at boot, before any compartment's code
 * runs, each stack-protector compartment's canary gets a random value of
 * its own, written into that compartment's memory; and the command line's
 * ubsan=warn is published for every compartment's UBSan runtime. The
 * runtimes themselves are in each hardened compartment's copy of libc
 * (libc/harden.c, libc/ubsan.c, libc/kasan.c), the KASan shadow's pages
 * in mm/kasan.c.
 */
#include <string.h>
#include <bulkhead/arch.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>

/* CPUID.1:ECX.RDRAND and CPUID.7.0:EBX.RDSEED. */
#define CPUID1_ECX_RDRAND (1u << 30)
#define CPUID7_EBX_RDSEED (1u << 18)

static int has_rdseed, has_rdrand;

/* One random word: RDSEED, else RDRAND (each retried a few times, as
 * Intel advises), else the TSC stirred with a multiply. Where it came
 * from goes to *how. */
static uint64_t random_word(const char **how)
{
	uint64_t v;
	unsigned char ok;

	for (int i = 0; has_rdseed && i < 16; i++) {
		__asm__ volatile("rdseed %0; setc %1" : "=r"(v), "=qm"(ok));
		if (ok) {
			*how = "rdseed";
			return v;
		}
	}
	for (int i = 0; has_rdrand && i < 16; i++) {
		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
		if (ok) {
			*how = "rdrand";
			return v;
		}
	}
	*how = "tsc";
	v = rdtsc() * 0x9e3779b97f4a7c15ULL;
	return v ^ (v >> 29);
}

/*
 * Seed every stack-protector compartment's canary, distinct per
 * compartment, its low byte zero (a string copy stops there). This very
 * function is never protected, and its caller (kmain) never returns, so
 * no frame checks a canary read before the seeding against one after.
 */
__attribute__((no_stack_protector)) void harden_init(void)
{
	uint32_t r[4];
	const char *how = "none";
	const char *mode = cmdline_get("ubsan");

	cpuid(0, 0, r);
	unsigned max_leaf = r[0];

	cpuid(1, 0, r);
	has_rdrand = (r[2] & CPUID1_ECX_RDRAND) != 0;
	if (max_leaf >= 7) {
		cpuid(7, 0, r);
		has_rdseed = (r[1] & CPUID7_EBX_RDSEED) != 0;
	}
	for (unsigned i = 0; i < comp_config.count; i++) {
		const struct comp_desc *c = &comp_config.comps[i];

		if (!c->stack_guard)
			continue;
		uint64_t v;

		do
			v = random_word(&how) & ~0xffULL;
		while (v == 0);
		*c->stack_guard = v;
	}
	harden_state.ubsan_warn = mode && strcmp(mode, "warn") == 0;
	for (unsigned i = 0; i < comp_config.count; i++)
		if (comp_config.comps[i].harden)
			pr_info("hardening: compartment %s: %s%s%s\n",
				comp_config.comps[i].name,
				comp_config.comps[i].hardening,
				comp_config.comps[i].stack_guard
					? ", canary from "
					: "",
				comp_config.comps[i].stack_guard ? how : "");
}
