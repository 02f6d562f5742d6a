/*
 * sig.h - libc's signals (libc/signal.c), inside libc: what the rest of
 * libc needs to raise them, to wait with the alarm in mind, and the seam
 * for per-thread masks.
 */
#ifndef LIBC_SIG_H
#define LIBC_SIG_H

#include <signal.h>
#include <stdint.h>

/*
 * Send sig to this process from the system (si_code SI_KERNEL), as a
 * failed write raises SIGPIPE: delivered now unless blocked, its default
 * action if it has no handler. 1 if a handler ran.
 */
int sig_send(int sig);

/*
 * The calling thread's signal mask (its record's in libc/thread.c; the
 * process's before there is a thread); sigprocmask and pthread_sigmask
 * change it through sig_change_mask, which delivers what the change
 * unblocks.
 */
sigset_t *sig_mask(void);
/* sigprocmask's work on sig_mask(): 0 or an errno value (EINVAL). */
int sig_change_mask(int how, const sigset_t *set, sigset_t *old);

/*
 * The alarm (alarm, setitimer): when it is due, on the monotonic clock
 * (0: not armed); and sig_alarm_check, which sends SIGALRM if it is due,
 * returning 1 if a handler ran. Every libc wait (sleeps, pause, poll,
 * pipes) ends by the deadline and calls the check: SIGALRM is delivered
 * in a thread that waits in libc.
 */
uint64_t sig_alarm_deadline(void);
int sig_alarm_check(void);

#endif
