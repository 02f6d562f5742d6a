/*
 * stubs.h - what the host stand-ins in stubs.c expose to the test cases:
 * a record of printk calls, so a case can check that a warning was given,
 * the wall clock's reading, and how many mutexes are held.
 */
#ifndef TESTS_HOST_STUBS_H
#define TESTS_HOST_STUBS_H

#include <stdint.h>

extern int stub_printk_calls;	   /* printk calls so far */
extern char stub_printk_last[256]; /* text of the latest one */
extern uint64_t stub_wall_ns;	   /* what time_wall_ns() returns */
extern int stub_mutex_held;	   /* sched mutexes held now */

#endif
