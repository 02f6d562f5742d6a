/* victim.h - the gate-test library's functions (tests/victim/victim.c). */
#ifndef TESTS_VICTIM_H
#define TESTS_VICTIM_H

enum { VICTIM_DATA, VICTIM_BSS, VICTIM_HEAP, VICTIM_STACK };

long victim_args0(void);
long victim_args1(long a);
long victim_args2(long a, long b);
long victim_args3(long a, long b, long c);
long victim_args4(long a, long b, long c, long d);
long victim_args5(long a, long b, long c, long d, long e);
long victim_args6(long a, long b, long c, long d, long e, long f);
long victim_nested(long depth);
long victim_sleep_mul(long ms, long x);
void *victim_leak(int which);
long victim_bss_value(void);
void victim_bss_set(long value);
void victim_private_set(void);
void victim_callee_saved(long out[6]);
void *victim_shared_block(void);
long victim_fill(char *out, long n);
long victim_sum(const unsigned char *in, long n);
long victim_sum_after(const unsigned char *in, long n, long ms);
long victim_add(long *x, long v);
long victim_tsc_khz(void);
/* State a gate must clean (hygiene.c). */
long victim_df_on_entry(void);
long victim_leave_df(void);
long victim_leave_vector_state(void);
long victim_vector_state_on_entry(long out[4]);

/* Exported by the gate-test application, called back by victim_nested. */
long gatetest_bounce(long depth);

#endif
