/*
 * ubsan.c - Bulkhead's own runtime for gcc's -fsanitize=undefined, in a
 * UBSan compartment's copy of libc (docs/design.md, "Hardening"). No host
 * libubsan: each __ubsan_handle_* gcc calls gets the check's static data
 * (source location, types) and the values involved, and reports
 *
 *   UBSan: <what, with the values> at FILE:LINE:COLUMN, compartment NAME
 *
 * then stops the machine; with ubsan=warn on the command line (the kernel
 * publishes it, kernel/harden.c) it prints the report, counts it, and the
 * program goes on. A site reports once: its location is marked (the
 * column's top bit), as Linux does.
 */
#include <stdio.h>
#include <string.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include "harden.h"

#ifdef BULKHEAD_UBSAN

/* gcc declares the entry points it calls as built-ins taking void
 * pointers; these take what gcc passes, typed. */
#pragma GCC diagnostic ignored "-Wbuiltin-declaration-mismatch"
#pragma GCC diagnostic ignored "-Wattributes"

struct src_loc {
	const char *file;
	uint32_t line;
	uint32_t column;
};

/* gcc's type descriptor: kind 0 = integer (info: bit 0 signed, the rest
 * log2 of the width in bits), 1 = float; then the name, quoted ('int'). */
struct type_desc {
	uint16_t kind;
	uint16_t info;
	char name[];
};

struct overflow_data {
	struct src_loc loc;
	const struct type_desc *type;
};

struct shift_data {
	struct src_loc loc;
	const struct type_desc *lhs;
	const struct type_desc *rhs;
};

struct bounds_data {
	struct src_loc loc;
	const struct type_desc *array;
	const struct type_desc *index;
};

struct mismatch_data {
	struct src_loc loc;
	const struct type_desc *type;
	unsigned char log_align;
	unsigned char check_kind;
};

struct loc_data {
	struct src_loc loc;
};

struct value_data {
	struct src_loc loc;
	const struct type_desc *type;
};

struct nonnull_arg_data {
	struct src_loc loc;
	struct src_loc attr;
	int arg;
};

struct builtin_data {
	struct src_loc loc;
	unsigned char kind;
};

#define REPORTED 0x80000000u

/* Reports this compartment made (ubsan=warn goes on after each). */
static unsigned long ubsan_reports;

/* How many reports this compartment made (tests/hbugs/). */
unsigned long libc_ubsan_reports(void)
{
	return ubsan_reports;
}

static int is_signed(const struct type_desc *t)
{
	return t->kind == 0 && (t->info & 1);
}

static unsigned bits(const struct type_desc *t)
{
	return 1u << (t->info >> 1);
}

/* An integer of type t as the handler got it: inline when it fits in a
 * pointer, else a pointer to it (128-bit values: their low 64 bits),
 * sign-extended when signed. */
static uint64_t raw_value(const struct type_desc *t, uintptr_t v)
{
	unsigned n = bits(t);
	uint64_t raw = n <= 64 ? (uint64_t)v : *(const uint64_t *)v;

	if (n < 64) {
		raw &= (1ULL << n) - 1;
		if (is_signed(t) && (raw >> (n - 1)))
			raw |= ~0ULL << n;
	}
	return raw;
}

/* The value in decimal (a float's only by its type). */
static void value(char *buf, size_t size, const struct type_desc *t,
		  uintptr_t v)
{
	if (t->kind != 0) {
		snprintf(buf, size, "<%s value>", t->name);
		return;
	}
	uint64_t raw = raw_value(t, v);

	if (is_signed(t))
		snprintf(buf, size, "%lld", (long long)raw);
	else
		snprintf(buf, size, "%llu", (unsigned long long)raw);
}

/* Whether to report at loc (a site reports once); if so the report has
 * begun: what the handler calls to format it is not checked again. */
static int begin(struct src_loc *loc)
{
	if (loc->column & REPORTED)
		return 0;
	harden_reporting++;
	return 1;
}

/* Report `what` at loc, begun; stop unless ubsan=warn (or `fatal`:
 * there is no going on). */
static void report_at(struct src_loc *loc, const char *what, int fatal)
{
	char line[320];

	loc->column |= REPORTED;
	ubsan_reports++;
	snprintf(line, sizeof(line), "UBSan: %s at %s:%u:%u, compartment %s",
		 what, loc->file ? loc->file : "?", (unsigned)loc->line,
		 (unsigned)(loc->column & ~REPORTED), libc_comp_name);
	if (fatal || !harden_state.ubsan_warn)
		panic("%s", line);
	printk(LOG_ERR, "%s (report %lu, going on: ubsan=warn)\n", line,
	       ubsan_reports);
	harden_reporting--;
}

static void report(struct src_loc *loc, const char *what)
{
	report_at(loc, what, 0);
}

static void overflow(struct overflow_data *d, uintptr_t a, uintptr_t b, char op)
{
	char x[32], y[32], what[160];

	if (!begin(&d->loc))
		return;
	value(x, sizeof(x), d->type, a);
	value(y, sizeof(y), d->type, b);
	snprintf(what, sizeof(what),
		 "%s integer overflow: %s %c %s cannot be represented in "
		 "type %s",
		 is_signed(d->type) ? "signed" : "unsigned", x, op, y,
		 d->type->name);
	report(&d->loc, what);
}

void __ubsan_handle_add_overflow(struct overflow_data *d, uintptr_t a,
				 uintptr_t b)
{
	overflow(d, a, b, '+');
}

void __ubsan_handle_sub_overflow(struct overflow_data *d, uintptr_t a,
				 uintptr_t b)
{
	overflow(d, a, b, '-');
}

void __ubsan_handle_mul_overflow(struct overflow_data *d, uintptr_t a,
				 uintptr_t b)
{
	overflow(d, a, b, '*');
}

void __ubsan_handle_negate_overflow(struct overflow_data *d, uintptr_t a)
{
	if (!begin(&d->loc))
		return;
	char x[32], what[160];

	value(x, sizeof(x), d->type, a);
	snprintf(what, sizeof(what),
		 "negation of %s cannot be represented in type %s", x,
		 d->type->name);
	report(&d->loc, what);
}

void __ubsan_handle_divrem_overflow(struct overflow_data *d, uintptr_t a,
				    uintptr_t b)
{
	if (!begin(&d->loc))
		return;
	char x[32], y[32], what[160];

	value(x, sizeof(x), d->type, a);
	value(y, sizeof(y), d->type, b);
	if (strcmp(y, "0") == 0)
		snprintf(what, sizeof(what), "division of %s by zero", x);
	else
		snprintf(what, sizeof(what),
			 "division of %s by %s cannot be represented in "
			 "type %s",
			 x, y, d->type->name);
	report(&d->loc, what);
}

void __ubsan_handle_shift_out_of_bounds(struct shift_data *d, uintptr_t a,
					uintptr_t b)
{
	if (!begin(&d->loc))
		return;
	char x[32], y[32], what[200];

	value(x, sizeof(x), d->lhs, a);
	value(y, sizeof(y), d->rhs, b);
	if (is_signed(d->rhs) && y[0] == '-')
		snprintf(what, sizeof(what), "shift exponent %s is negative",
			 y);
	else if (d->rhs->kind == 0 && raw_value(d->rhs, b) >= bits(d->lhs))
		snprintf(what, sizeof(what),
			 "shift exponent %s is too large for %u-bit type %s", y,
			 bits(d->lhs), d->lhs->name);
	else if (is_signed(d->lhs) && x[0] == '-')
		snprintf(what, sizeof(what), "left shift of negative value %s",
			 x);
	else
		snprintf(what, sizeof(what),
			 "left shift of %s by %s places cannot be represented "
			 "in type %s",
			 x, y, d->lhs->name);
	report(&d->loc, what);
}

void __ubsan_handle_out_of_bounds(struct bounds_data *d, uintptr_t index)
{
	if (!begin(&d->loc))
		return;
	char x[32], what[160];

	value(x, sizeof(x), d->index, index);
	snprintf(what, sizeof(what), "index %s out of bounds for type %s", x,
		 d->array->name);
	report(&d->loc, what);
}

static const char *const check_kinds[] = {
	"load of",
	"store to",
	"reference binding to",
	"member access within",
	"member call on",
	"constructor call on",
	"downcast of",
	"downcast of",
	"upcast of",
	"cast to virtual base of",
	"_Nonnull binding to",
	"dynamic operation on",
};

void __ubsan_handle_type_mismatch_v1(struct mismatch_data *d, uintptr_t ptr)
{
	if (!begin(&d->loc))
		return;
	char what[200];
	const char *kind =
		d->check_kind < sizeof(check_kinds) / sizeof(check_kinds[0])
			? check_kinds[d->check_kind]
			: "access to";
	unsigned long align = 1UL << d->log_align;

	if (!ptr)
		snprintf(what, sizeof(what), "%s null pointer of type %s", kind,
			 d->type->name);
	else if (d->log_align && (ptr & (align - 1)))
		snprintf(what, sizeof(what),
			 "%s misaligned address 0x%lx for type %s, which "
			 "requires %lu byte alignment",
			 kind, (unsigned long)ptr, d->type->name, align);
	else
		snprintf(what, sizeof(what),
			 "%s address 0x%lx with insufficient space for an "
			 "object of type %s",
			 kind, (unsigned long)ptr, d->type->name);
	report(&d->loc, what);
}

void __ubsan_handle_pointer_overflow(struct loc_data *d, uintptr_t base,
				     uintptr_t result)
{
	if (!begin(&d->loc))
		return;
	char what[160];

	snprintf(what, sizeof(what),
		 "pointer arithmetic on 0x%lx overflowed to 0x%lx",
		 (unsigned long)base, (unsigned long)result);
	report(&d->loc, what);
}

void __ubsan_handle_load_invalid_value(struct value_data *d, uintptr_t v)
{
	if (!begin(&d->loc))
		return;
	char x[32], what[160];

	value(x, sizeof(x), d->type, v);
	snprintf(what, sizeof(what),
		 "load of value %s, which is not a valid value for type %s", x,
		 d->type->name);
	report(&d->loc, what);
}

void __ubsan_handle_vla_bound_not_positive(struct value_data *d, uintptr_t v)
{
	if (!begin(&d->loc))
		return;
	char x[32], what[160];

	value(x, sizeof(x), d->type, v);
	snprintf(what, sizeof(what),
		 "variable length array bound evaluates to non-positive "
		 "value %s",
		 x);
	report(&d->loc, what);
}

void __ubsan_handle_nonnull_arg(struct nonnull_arg_data *d)
{
	if (!begin(&d->loc))
		return;
	char what[160];

	snprintf(what, sizeof(what),
		 "null pointer passed as argument %d, which is declared to "
		 "never be null",
		 d->arg);
	report(&d->loc, what);
}

void __ubsan_handle_nonnull_return_v1(struct loc_data *d, struct src_loc *loc)
{
	(void)d;
	if (!begin(loc))
		return;
	report(loc, "null pointer returned from function declared to never "
		    "return null");
}

void __ubsan_handle_invalid_builtin(struct builtin_data *d)
{
	if (!begin(&d->loc))
		return;
	report(&d->loc, d->kind == 0 ? "passing zero to ctz(), which is not "
				       "a valid argument"
				     : "passing zero to clz(), which is not "
				       "a valid argument");
}

/* These two cannot go on: the code after them does not exist. */
__attribute__((noreturn)) void
__ubsan_handle_builtin_unreachable(struct loc_data *d)
{
	harden_reporting++;
	report_at(&d->loc, "execution reached an unreachable program point", 1);
	panic("UBSan: unreachable");
}

__attribute__((noreturn)) void __ubsan_handle_missing_return(struct loc_data *d)
{
	harden_reporting++;
	report_at(&d->loc,
		  "execution reached the end of a value-returning function "
		  "without returning a value",
		  1);
	panic("UBSan: missing return");
}

#endif
