/*
 * args.h - what the argument checks (gates/args.c) share with the
 * generated wrappers and with the backend that links them.
 */
#ifndef GATES_ARGS_H
#define GATES_ARGS_H

#include <stdint.h>
#include <bulkhead/gate.h>

#define GATE_PAGE 4096

/*
 * Have the kernel core report a refused argument (gate_arg_violation);
 * returns -EFAULT if the site's contract says efault, else does not
 * return. The backend's, per caller domain (mpk: gate.inc's
 * GATE_ARG_REPORT).
 */
typedef long (*gate_arg_report_fn)(unsigned site, unsigned arg, uintptr_t addr,
				   uint64_t len, unsigned why);

/* What a call site's wrapper hands the checks. */
struct gate_site {
	unsigned site;			 /* index in gate_checks[] */
	unsigned n;			 /* arguments */
	const struct gate_arg *contract; /* n of them */
	const uintptr_t *callbacks;	 /* the caller's declared callbacks */
	unsigned ncallbacks;
	gate_arg_report_fn report;
};

/*
 * Check the arguments of a call at site s against its contract. Returns
 * 0 if they keep it, -EFAULT if not and the site's contract says efault
 * (after the report); otherwise does not return.
 */
long gate_check_args(const struct gate_site *s, const long *args);

/*
 * The length in bytes of buffer argument a (one of s's contract) with
 * arguments args, into *len; 0, or what s->report returned for a length
 * that overflows or whose length word the caller may not hand over. A
 * length word (`*N`) that is NULL gives 0.
 */
long gate_arg_length(const struct gate_site *s, const struct gate_arg *a,
		     const long *args, uint64_t *len);

/* Whether a string of at most max bytes starts at p in memory the caller
 * may hand over; if not, why not (GATE_WHY_*). */
int gate_string_ok(uintptr_t p, uint32_t max, unsigned *why);

/* The backend's: whether [p, p + len) (len > 0, not wrapping) is memory
 * a caller may hand over, writable by the callee with `write`. */
int gate_range_ok(uintptr_t p, uint64_t len, int write);

#endif
