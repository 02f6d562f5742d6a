/*
 * args.c - the argument checks of the generated gates (gate.h, "Argument
 * contracts"), for the backends that isolate memory.
 *
 * Each checked call site gets a generated wrapper (build/<config>/gates.c)
 * that runs in the callee's domain before the callee, hands this file the
 * site's contract and the arguments, and calls the callee only if they
 * keep it. What memory a caller may hand over is the backend's
 * gate_range_ok; a refusal goes to the backend's gate_arg_report, which
 * has the kernel core report it. Linked outside every compartment, it
 * reads only its arguments, the contract (constants) and what
 * gate_range_ok lets it read.
 */
#include <stdint.h>
#include <bulkhead/gate.h>
#include "args.h"

long gate_arg_length(const struct gate_site *s, const struct gate_arg *a,
		     const long *args, uint64_t *len)
{
	uint64_t n;

	if (!a->len) {
		*len = a->size;
		return 0;
	}
	if (a->flags & GATE_ARG_LEN_AT) {
		uintptr_t at = (uintptr_t)args[a->len - 1];

		/* The length word is an argument of its own, checked with
		 * its contract; here only read if the caller may hand it. */
		if (!at) {
			*len = 0;
			return 0;
		}
		if (!gate_range_ok(at, 4, 0))
			return s->report(s->site, a->len, at, 4,
					 GATE_WHY_RANGE);
		*len = *(const volatile uint32_t *)at;
		return 0;
	}
	n = (uint64_t)args[a->len - 1];
	if (a->scale > 1 && n > UINT64_MAX / a->scale)
		return s->report(s->site, a->len, n, n, GATE_WHY_WRAPS);
	*len = n * (a->scale ? a->scale : 1);
	return 0;
}

long gate_check_args(const struct gate_site *s, const long *args)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct gate_arg *a = &s->contract[i];
		uintptr_t p = (uintptr_t)args[i];
		uint64_t len = 0;
		unsigned why;
		long err;

		switch (a->kind) {
		case GATE_ARG_IN:
		case GATE_ARG_OUT:
		case GATE_ARG_INOUT:
			err = gate_arg_length(s, a, args, &len);
			if (err)
				return err;
			if (!p && (len == 0 || (a->flags & GATE_ARG_NULL_OK)))
				break;
			if (!p)
				return s->report(s->site, i + 1, p, len,
						 GATE_WHY_NULL);
			if (p + len < p)
				return s->report(s->site, i + 1, p, len,
						 GATE_WHY_WRAPS);
			if (!gate_range_ok(p, len, a->kind != GATE_ARG_IN))
				return s->report(s->site, i + 1, p, len,
						 GATE_WHY_RANGE);
			break;
		case GATE_ARG_STR:
			if (!p && (a->flags & GATE_ARG_NULL_OK))
				break;
			if (!p)
				return s->report(s->site, i + 1, p, 0,
						 GATE_WHY_NULL);
			if (!gate_string_ok(p, a->size, &why))
				return s->report(s->site, i + 1, p, a->size,
						 why);
			break;
		case GATE_ARG_FN: {
			unsigned k = 0;

			while (k < s->ncallbacks && s->callbacks[k] != p)
				k++;
			if (k == s->ncallbacks)
				return s->report(s->site, i + 1, p, 0,
						 GATE_WHY_CALLBACK);
			break;
		}
		default:
			break;
		}
	}
	return 0;
}

/*
 * Whether the string at p ends within max bytes, all of them memory the
 * caller may hand over; if not, why not (GATE_WHY_*). Checked a page at
 * a time, before the bytes are read.
 */
int gate_string_ok(uintptr_t p, uint32_t max, unsigned *why)
{
	uintptr_t end = p + max;

	if (end < p)
		end = UINTPTR_MAX;
	while (p < end) {
		uintptr_t page_end = (p | (GATE_PAGE - 1)) + 1;
		uintptr_t stop = page_end && page_end < end ? page_end : end;

		if (!gate_range_ok(p, stop - p, 0)) {
			*why = GATE_WHY_RANGE;
			return 0;
		}
		for (; p < stop; p++)
			if (!*(const volatile char *)p)
				return 1;
	}
	*why = GATE_WHY_UNTERM;
	return 0;
}
