/*
 * stubs.h - what the host stand-ins in stubs.c expose to the test cases:
 * a record of printk calls, so a case can check that a warning was given.
 */
#ifndef TESTS_HOST_STUBS_H
#define TESTS_HOST_STUBS_H

extern int stub_printk_calls;	   /* printk calls so far */
extern char stub_printk_last[256]; /* text of the latest one */

#endif
