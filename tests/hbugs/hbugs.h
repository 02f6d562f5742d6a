/*
 * hbugs.h - the planted bugs of tests/hbugs/hbugs.c, by number, and what
 * the hardening tests (tests/hardtest/) expect of each.
 */
#ifndef TESTS_HBUGS_H
#define TESTS_HBUGS_H

enum hbug {
	HBUG_STACK_SMASH,     /* stack-protector */
	HBUG_SIGNED_OVERFLOW, /* ubsan */
	HBUG_SHIFT,	      /* ubsan */
	HBUG_MISALIGNED,      /* ubsan */
	HBUG_HEAP_OVERFLOW,   /* kasan */
	HBUG_USE_AFTER_FREE,  /* kasan */
	HBUG_GLOBAL_OVERFLOW, /* kasan */
	HBUG_LOCAL_OVERFLOW,  /* kasan */
	HBUG_MEMCPY_OVERFLOW, /* kasan */
	HBUG_COUNT
};

/* The address the bug will touch (its heap block, global or nothing: 0),
 * set up for hbugs_run; and the bug itself, whose return means it went
 * unreported. */
long hbugs_prepare(long bug);
long hbugs_run(long bug);
/* The UBSan reports the library's compartment made (0 without UBSan). */
long hbugs_ubsan_reports(void);
/* Whether a block freed is handed out again by the next malloc of its
 * size (KASan's quarantine keeps it). */
long hbugs_reuse(void);

#endif
