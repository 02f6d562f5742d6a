/*
 * comp.c - questions about the compartment table that every backend and
 * every fault report asks.
 */
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>

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
