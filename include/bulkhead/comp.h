/*
 * comp.h - the compartment table: which compartments an image has, what
 * each holds, and where its sections lie. Generated per configuration by
 * scripts/gen-image.py (build/<config>/comp_table.c) and read at boot to
 * set up isolation.
 */
#ifndef BULKHEAD_COMP_H
#define BULKHEAD_COMP_H

#include <stdint.h>

#define COMP_MAX	    64
#define FULL_GATES_SLOT_KEY 14 /* key of the slot word (full gates) */

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
	const char *libraries;	  /* space-separated, for reports */
	const char *hardening;	  /* space-separated, for reports */
	struct comp_range text;	  /* code */
	struct comp_range rodata; /* constants */
	struct comp_range data;	  /* initialised data */
	struct comp_range bss;	  /* zeroed data */
};

/* The image's configuration. */
struct comp_config {
	const char *name;	  /* configs/<name>.toml */
	const char *backend;	  /* "fcall", "mpk" or "ept" */
	const char *gate;	  /* "light" or "full" */
	const char *app;	  /* the application library */
	unsigned long main_stack; /* bytes for the app's main thread */
	unsigned count;		  /* compartments */
	const struct comp_desc *comps;
	struct comp_range shared;     /* data every compartment may use */
	struct comp_range shared_bss; /* the same, zeroed */
	struct comp_range gates;      /* the gate trampolines' code */
	struct comp_range cpu_tables; /* GDT, IDT, TSS */
	int mpk;		      /* backend mpk: pages carry keys */
	int ept;		      /* backend ept: one VM per compartment */
	int full_gates; /* mpk full: private stacks per compartment */
	int core_index; /* the compartment holding the kernel core */
	struct comp_range gate_slot; /* full gates: the slot word's page */
	int shared_pkey; /* key of shared memory (15), 0 without mpk */
	/* mpk: callback stubs by [caller * count + callee] (gates/callback.c). */
	void *(*const *cb_stubs)(void *(*)(void *), void *);
};

extern const struct comp_config comp_config;

/* The compartment whose sections hold addr, or NULL. */
const struct comp_desc *comp_of_addr(uintptr_t addr);
/* Print the layout (one line per compartment) at boot. */
void comp_print_layout(void);
/* The compartment whose domain is this PKRU value, or NULL. */
const struct comp_desc *comp_of_pkru(uint32_t pkru);
/* The compartment with protection key `pkey`, or NULL (15 is shared). */
const struct comp_desc *comp_of_pkey(int pkey);
/* mpk: tag every page with its key, lock the CPU tables, enable keys and
 * enter the kernel core's domain. Nothing to do for other backends. */
void comp_protect(void);
/* Key for new stacks: shared with light gates, 0 without mpk. */
int comp_stack_pkey(void);

/* Place a variable in the shared section: every compartment may use it. */
#define __shared __attribute__((section(".shared.data")))

#endif
