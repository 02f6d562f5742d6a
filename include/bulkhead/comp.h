/*
 * comp.h - the compartment table: which compartments an image has, what
 * each holds, and where its sections lie. Generated per configuration by
 * scripts/gen-image.py (build/<config>/comp_table.c) and read at boot to
 * set up isolation.
 */
#ifndef BULKHEAD_COMP_H
#define BULKHEAD_COMP_H

#include <stdint.h>

#define COMP_MAX 64

/*
 * What the image's backend does, as the kernel needs to know it: the
 * kernel asks what a backend does, never which backend it is, so a new
 * backend changes no code outside its folder (gates/<name>/backend.py
 * declares its features).
 */
enum comp_feature {
	COMP_KEYS = 1 << 0,	      /* pages carry protection keys (MPK) */
	COMP_VMS = 1 << 1,	      /* one VM per compartment */
	COMP_PRIVATE_STACKS = 1 << 2, /* each compartment on its own stack */
};

/* A compartment's hardening options (docs/design.md, "Hardening"). */
enum comp_harden {
	HARDEN_STACK_PROTECTOR = 1 << 0,
	HARDEN_UBSAN = 1 << 1,
	HARDEN_KASAN = 1 << 2,
};

/* What the kernel core sets at boot for every compartment's hardening
 * runtime (kernel/harden.c); shared memory, read by all. */
struct harden_state {
	int ubsan_warn; /* ubsan=warn: report and go on */
};
extern struct harden_state harden_state;

/* A page-aligned address range [start, end). */
struct comp_range {
	uintptr_t start;
	uintptr_t end;
};

struct comp_desc {
	const char *name; /* from the configuration */
	int index;	  /* 0.. in configuration order */
	int pkey;	  /* protection key (mpk), else -1 */
	uint32_t pkru;	  /* PKRU of its domain (mpk), else 0 */
	int is_default;	  /* takes the libraries nobody named */
	int runs_app;	  /* holds the application (ept: its VM runs main) */
	const char *libraries;	    /* space-separated, for reports */
	const char *hardening;	    /* space-separated, for reports */
	unsigned harden;	    /* enum comp_harden */
	unsigned long *stack_guard; /* stack-protector: its canary */
	struct comp_range text;	    /* code */
	struct comp_range rodata;   /* constants */
	struct comp_range data;	    /* initialised data */
	struct comp_range bss;	    /* zeroed data */
};

/* The image's configuration. */
struct comp_config {
	const char *name;	  /* configs/<name>.toml */
	const char *backend;	  /* its name, for reports */
	const char *gate;	  /* its gate kind, for reports */
	unsigned features;	  /* enum comp_feature */
	const char *app;	  /* the application library */
	unsigned long main_stack; /* bytes for the app's main thread */
	unsigned count;		  /* compartments */
	const struct comp_desc *comps;
	struct comp_range shared;     /* data every compartment may use */
	struct comp_range shared_bss; /* the same, zeroed */
	struct comp_range gates;      /* the gate trampolines' code */
	struct comp_range cpu_tables; /* GDT, IDT, TSS */
	int core_index; /* the compartment holding the kernel core */
	struct comp_range gate_slot;	  /* full gates: the slot word's page */
	struct comp_range running_thread; /* the running thread's word */
};

extern const struct comp_config comp_config;

/* The compartment whose sections hold addr, or NULL. */
const struct comp_desc *comp_of_addr(uintptr_t addr);
/* Print the layout (one line per compartment) at boot. */
void comp_print_layout(void);
/* The name of compartment `index` (a vouched caller, an owner), or "?". */
const char *comp_name(int index);
/* The compartment whose domain is this PKRU value, or NULL. */
const struct comp_desc *comp_of_pkru(uint32_t pkru);
/* The compartment with protection key `pkey`, or NULL (15 is shared). */
const struct comp_desc *comp_of_pkey(int pkey);
/* Does the image's backend do this (enum comp_feature)? */
static inline int comp_has(unsigned feature)
{
	return (comp_config.features & feature) != 0;
}
/* Key of memory every compartment may use: SHARED_PKEY with keys, else 0. */
int comp_shared_pkey(void);
/* Key for new guarded stacks (mm_stack_alloc): the shared key, since a
 * thread's stack is used by every compartment it calls into. */
int comp_stack_pkey(void);

/* Place a variable in the shared section: every compartment may use it. */
#define __shared __attribute__((section(".shared.data")))

#endif
