/*
 * comp.c - the compartment table at run time: the questions every backend
 * and fault report asks. The backend's own boot-time set-up is in its
 * folder (gates/<backend>/).
 */
#include <bulkhead/arch.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/gate.h>

static int in(const struct comp_range *r, uintptr_t a)
{
	return a >= r->start && a < r->end;
}

const struct comp_desc *comp_of_addr(uintptr_t addr)
{
	for (unsigned i = 0; i < comp_config.count; i++) {
		const struct comp_desc *c = &comp_config.comps[i];

		if (in(&c->text, addr) || in(&c->rodata, addr) ||
		    in(&c->data, addr) || in(&c->bss, addr))
			return c;
	}
	return NULL;
}

void comp_print_layout(void)
{
	for (unsigned i = 0; i < comp_config.count; i++) {
		const struct comp_desc *c = &comp_config.comps[i];

		pr_info("  compartment %s%s: %s%s%s\n", c->name,
			c->is_default ? " (default)" : "", c->libraries,
			c->hardening[0] ? ", hardening " : "", c->hardening);
		pr_debug("    text %lx-%lx rodata %lx-%lx data %lx-%lx "
			 "bss %lx-%lx\n",
			 c->text.start, c->text.end, c->rodata.start,
			 c->rodata.end, c->data.start, c->data.end,
			 c->bss.start, c->bss.end);
	}
}

const char *comp_name(int index)
{
	return index >= 0 && (unsigned)index < comp_config.count
		       ? comp_config.comps[index].name
		       : "?";
}

const struct comp_desc *comp_of_pkru(uint32_t pkru)
{
	for (unsigned i = 0; i < comp_config.count; i++)
		if (comp_has(COMP_KEYS) && comp_config.comps[i].pkru == pkru)
			return &comp_config.comps[i];
	return NULL;
}

const struct comp_desc *comp_of_pkey(int pkey)
{
	for (unsigned i = 0; i < comp_config.count; i++)
		if (comp_config.comps[i].pkey == pkey)
			return &comp_config.comps[i];
	return NULL;
}

int comp_shared_pkey(void)
{
	return comp_has(COMP_KEYS) ? SHARED_PKEY : 0;
}

int comp_stack_pkey(void)
{
	return comp_shared_pkey();
}

/* A gate's check failed: someone wrote PKRU outside a gate's own value,
 * or a gate was entered or left from the wrong place. */
void gate_violation(uint32_t pkru, uintptr_t where)
{
	char sym[96];
	const struct comp_desc *now = comp_of_pkru(pkru);
	const struct comp_desc *code = comp_of_addr(where);

	ksyms_format(where, sym, sizeof(sym));
	panic("gate violation at 0x%lx %s: PKRU 0x%08x (%s%s) is not what this "
	      "gate allows; code of compartment %s jumped into or out of a "
	      "gate",
	      (unsigned long)where, sym, pkru, now ? "domain of " : "no domain",
	      now ? now->name : "",
	      code ? code->name : "(gate or common code)");
}

static const char *const why_text[] = {
	[GATE_WHY_RANGE] = "not memory the caller may hand over",
	[GATE_WHY_WRAPS] = "the range wraps around",
	[GATE_WHY_NULL] = "a null pointer",
	[GATE_WHY_UNTERM] = "no NUL within the string's maximum",
	[GATE_WHY_CALLBACK] = "not a declared callback",
	[GATE_WHY_TOO_LONG] = "more than a gate copies",
};

void gate_arg_violation(unsigned check, unsigned arg, uintptr_t addr,
			uint64_t len, unsigned why)
{
	const struct gate_check *c;
	const char *what;

	if (check >= gate_check_count ||
	    why >= sizeof(why_text) / sizeof(*why_text))
		panic("gate: argument report with no such call site (%u) or "
		      "reason (%u)",
		      check, why);
	c = &gate_checks[check];
	what = why_text[why];
	if (!c->efault)
		panic("gate: %s -> %s: %s(%s): argument %u = 0x%016lx (%lu "
		      "bytes): "
		      "%s",
		      c->caller, c->callee, c->fn, c->contract, arg,
		      (unsigned long)addr, (unsigned long)len, what);
	pr_err("gate: %s -> %s: %s(%s): argument %u = 0x%016lx (%lu bytes): "
	       "%s; "
	       "returns -EFAULT\n",
	       c->caller, c->callee, c->fn, c->contract, arg,
	       (unsigned long)addr, (unsigned long)len, what);
}
