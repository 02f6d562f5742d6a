/*
 * signal.c - signals within the one process: actions, the mask, pending
 * signals, kill and raise of itself, the alarm, abort, and the names.
 *
 * There is no other process and no asynchronous delivery. A signal is
 * sent by kill or raise (to this process), by a failed write (SIGPIPE),
 * or by the alarm; it is delivered at once, in the thread that sends it,
 * unless it is blocked: then it waits, one of each at most (as Linux's
 * standard signals), until the mask lets it through, lowest number first.
 * While a thread waits in pause, sigsuspend or sigwait, signals are left
 * for it instead, and it is woken. A handler runs with the mask Linux
 * gives it (sa_mask, and the signal itself unless SA_NODEFER), SA_SIGINFO
 * handlers get si_signo, si_code (SI_USER from kill, SI_TKILL from raise,
 * SI_KERNEL from the system) and si_pid, and a NULL context.
 *
 * Default actions are Linux's, except that stopping is ignoring (nothing
 * could continue the process): SIGCHLD, SIGURG, SIGWINCH, SIGCONT and the
 * stop signals are ignored, every other signal ends the machine with exit
 * status 128 + its number, leaving a note that says which (printed at the
 * exit).
 *
 * Faults are not signals: a bad access stops the machine with a report
 * (kernel/trap.c), and no SIGSEGV handler ever runs.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <bulkhead/kernel.h>
#include <bulkhead/mm.h>
#include <bulkhead/time.h>
#include "fd.h"
#include "sig.h"
#include "thread.h"

#define BIT(sig)    (1UL << ((sig)-1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))
/* 32 and 33: glibc's own, which it does not let programs touch. */
#define INTERNAL    (BIT(32) | BIT(33))

static struct sigaction actions[NSIG];
static sigset_t process_mask;
static sigset_t pending;
static int codes[NSIG]; /* si_code of each pending signal */
static int waiters;	/* threads in pause, sigsuspend, sigwait */
static uint64_t alarm_at, alarm_every; /* ns, monotonic; 0: none */
static stack_t altstack = {.ss_flags = SS_DISABLE};

static int fail(int e)
{
	errno = e;
	return -1;
}

sigset_t *sig_mask(void)
{
	struct libc_thread *th = libc_thread_self();

	return th ? &th->sigmask : &process_mask;
}

static const char *const abbrevs[32] = {
	[SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",
	[SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
	[SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",
	[SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1",
	[SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",
	[SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT",
	[SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
	[SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
	[SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",
	[SIGURG] = "SIGURG",   [SIGXCPU] = "SIGXCPU",
	[SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM",
	[SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
	[SIGIO] = "SIGIO",     [SIGPWR] = "SIGPWR",
	[SIGSYS] = "SIGSYS",
};

static int default_ignored(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
	case SIGCONT:
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return 1;
	}
	return 0;
}

static int ignored(int sig)
{
	return actions[sig].sa_handler == SIG_IGN ||
	       (actions[sig].sa_handler == SIG_DFL && default_ignored(sig));
}

/* The default action of a terminating signal: the machine stops. */
__attribute__((noreturn)) static void terminate(int sig)
{
	char *note = mm_shared_alloc(KERNEL_NOTE_MAX);

	if (note) {
		if (sig < 32 && abbrevs[sig])
			snprintf(note, KERNEL_NOTE_MAX,
				 "terminated by signal %d (%s)", sig,
				 abbrevs[sig]);
		else
			snprintf(note, KERNEL_NOTE_MAX,
				 "terminated by signal %d", sig);
		kernel_note(note);
	}
	kernel_exit(128 + sig);
}

static int deliver(void);

/* Deliver sig now: its handler, or its default action. 1 if a handler
 * ran. */
static int run(int sig, int code)
{
	struct sigaction act = actions[sig];

	if (act.sa_handler == SIG_IGN)
		return 0;
	if (act.sa_handler == SIG_DFL) {
		if (!default_ignored(sig))
			terminate(sig);
		return 0;
	}
	sigset_t *mask = sig_mask(), saved = *mask;

	*mask |= act.sa_mask & ~UNBLOCKABLE;
	if (!(act.sa_flags & SA_NODEFER))
		*mask |= BIT(sig);
	if (act.sa_flags & SA_RESETHAND)
		actions[sig].sa_handler = SIG_DFL;
	if (act.sa_flags & SA_SIGINFO) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		si.si_signo = sig;
		si.si_code = code;
		if (code != SI_KERNEL)
			si.si_pid = getpid();
		act.sa_sigaction(sig, &si, NULL);
	} else {
		act.sa_handler(sig);
	}
	*mask = saved; /* what the handler did to the mask is undone */
	deliver();
	return 1;
}

/* Deliver every pending signal the mask lets through, lowest first. 1 if
 * a handler ran. */
static int deliver(void)
{
	int ran = 0;
	sigset_t ready;

	while ((ready = pending & ~*sig_mask()) != 0) {
		int sig = __builtin_ctzl(ready) + 1;

		pending &= ~BIT(sig);
		ran |= run(sig, codes[sig]);
	}
	return ran;
}

/* sig is sent: delivered, left pending, or discarded. 1 if a handler
 * ran now. */
static int generate(int sig, int code)
{
	int blocked = (*sig_mask() & BIT(sig)) != 0;

	if (sig == SIGKILL)
		terminate(sig);
	/* Linux keeps a blocked signal even when ignored: its action may
	 * change before it is unblocked. */
	if (!blocked && ignored(sig))
		return 0;
	if (blocked || waiters) {
		if (!(pending & BIT(sig)))
			codes[sig] = code;
		pending |= BIT(sig);
		if (waiters)
			libc_wake();
		return 0;
	}
	return run(sig, code);
}

int sig_send(int sig)
{
	return generate(sig, SI_KERNEL);
}

/* --- sending ------------------------------------------------------------- */

int kill(pid_t pid, int sig)
{
	if (sig < 0 || sig >= NSIG)
		return fail(EINVAL);
	/* This process is 1 and its own group; -1 means every process but
	 * init and the caller: none. */
	if (pid != getpid() && pid != 0)
		return fail(ESRCH);
	if (sig)
		generate(sig, SI_USER);
	return 0;
}

int killpg(pid_t pgrp, int sig)
{
	if (pgrp < 0)
		return fail(EINVAL);
	return kill(pgrp == 0 ? 0 : pgrp == getpid() ? getpid() : -pgrp, sig);
}

int raise(int sig)
{
	if (sig < 0 || sig >= NSIG)
		return fail(EINVAL);
	if (sig)
		generate(sig, SI_TKILL);
	return 0;
}

/* Linux's abort: SIGABRT is unblocked and raised; if its handler
 * returns, the default action follows. */
void abort(void)
{
	sigset_t s = BIT(SIGABRT);

	sig_change_mask(SIG_UNBLOCK, &s, NULL);
	raise(SIGABRT);
	actions[SIGABRT] = (struct sigaction){.sa_handler = SIG_DFL};
	terminate(SIGABRT);
}

/* --- actions ------------------------------------------------------------- */

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (sig < 1 || sig >= NSIG || (BIT(sig) & INTERNAL) ||
	    (act && (BIT(sig) & UNBLOCKABLE)))
		return fail(EINVAL);
	struct sigaction prev = actions[sig];

	if (act) {
		actions[sig] = *act;
		actions[sig].sa_mask &= ~UNBLOCKABLE;
		/* A pending signal that is now ignored is discarded. */
		if (ignored(sig))
			pending &= ~BIT(sig);
	}
	if (old)
		*old = prev;
	return 0;
}

/* glibc's signal(): BSD's semantics, the handler stays and calls restart. */
_sig_func_ptr signal(int sig, _sig_func_ptr handler)
{
	struct sigaction act, old;

	memset(&act, 0, sizeof(act));
	act.sa_handler = handler;
	act.sa_flags = SA_RESTART;
	if (sig > 0 && sig < NSIG)
		act.sa_mask = BIT(sig);
	if (sigaction(sig, &act, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}

int siginterrupt(int sig, int flag)
{
	struct sigaction act;

	if (sigaction(sig, NULL, &act) < 0)
		return -1;
	if (flag)
		act.sa_flags &= ~SA_RESTART;
	else
		act.sa_flags |= SA_RESTART;
	return sigaction(sig, &act, NULL);
}

/*
 * Handlers run on the stack of the thread that takes the signal, so an
 * alternate stack is only kept and reported. Linux's rules for setting
 * one: flags SS_DISABLE or none, and at least MINSIGSTKSZ bytes.
 */
int sigaltstack(const stack_t *ss, stack_t *old)
{
	stack_t prev = altstack;

	if (ss) {
		if (ss->ss_flags & ~SS_DISABLE)
			return fail(EINVAL);
		if (ss->ss_flags & SS_DISABLE)
			altstack = (stack_t){.ss_flags = SS_DISABLE};
		else if (ss->ss_size < MINSIGSTKSZ)
			return fail(ENOMEM);
		else
			altstack = (stack_t){ss->ss_sp, 0, ss->ss_size};
	}
	if (old)
		*old = prev;
	return 0;
}

/* --- masks and sets ------------------------------------------------------ */

int sig_change_mask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t *mask = sig_mask(), prev = *mask;

	if (set) {
		sigset_t s = *set & ~UNBLOCKABLE;

		switch (how) {
		case SIG_BLOCK:
			*mask |= s;
			break;
		case SIG_UNBLOCK:
			*mask &= ~s;
			break;
		case SIG_SETMASK:
			*mask = s;
			break;
		default:
			return EINVAL;
		}
	}
	if (old)
		*old = prev;
	deliver();
	return 0;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	int e = sig_change_mask(how, set, old);

	return e ? fail(e) : 0;
}

int sigpending(sigset_t *set)
{
	*set = pending;
	return 0;
}

int sigemptyset(sigset_t *set)
{
	*set = 0;
	return 0;
}

int sigfillset(sigset_t *set)
{
	*set = ~0UL & ~INTERNAL;
	return 0;
}

int sigaddset(sigset_t *set, int sig)
{
	if (sig < 1 || sig >= NSIG || (BIT(sig) & INTERNAL))
		return fail(EINVAL);
	*set |= BIT(sig);
	return 0;
}

int sigdelset(sigset_t *set, int sig)
{
	if (sig < 1 || sig >= NSIG || (BIT(sig) & INTERNAL))
		return fail(EINVAL);
	*set &= ~BIT(sig);
	return 0;
}

int sigismember(const sigset_t *set, int sig)
{
	if (sig < 1 || sig >= NSIG)
		return fail(EINVAL);
	return (*set & BIT(sig)) != 0;
}

/* --- waiting ------------------------------------------------------------- */

int sigsuspend(const sigset_t *mask)
{
	sigset_t *m = sig_mask(), saved = *m;

	*m = *mask & ~UNBLOCKABLE;
	waiters++;
	while (!deliver())
		libc_wait(0);
	waiters--;
	*m = saved;
	deliver();
	return fail(EINTR);
}

int pause(void)
{
	sigset_t now = *sig_mask();

	return sigsuspend(&now);
}

/* Take a pending signal of set (blocked, as the caller must have them)
 * without running its handler; others are delivered meanwhile. */
int sigwait(const sigset_t *set, int *sig)
{
	sigset_t got;

	waiters++;
	while (deliver(), !(got = pending & *set))
		libc_wait(0);
	waiters--;
	*sig = __builtin_ctzl(got) + 1;
	pending &= ~BIT(*sig);
	return 0;
}

/* --- the alarm ----------------------------------------------------------- */

uint64_t sig_alarm_deadline(void)
{
	return alarm_at;
}

int sig_alarm_check(void)
{
	uint64_t now;

	if (!alarm_at || (now = time_now_ns()) < alarm_at)
		return 0;
	alarm_at = alarm_every ? now + alarm_every : 0;
	return generate(SIGALRM, SI_KERNEL);
}

static uint64_t tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * NSEC_PER_SEC +
	       (uint64_t)tv->tv_usec * 1000;
}

static void ns_tv(uint64_t ns, struct timeval *tv)
{
	tv->tv_sec = (time_t)(ns / NSEC_PER_SEC);
	tv->tv_usec = (suseconds_t)(ns % NSEC_PER_SEC / 1000);
}

/* ITIMER_REAL only: the others count CPU time, which is not kept. */
int getitimer(int which, struct itimerval *v)
{
	uint64_t now = time_now_ns();

	if (which != ITIMER_REAL)
		return fail(EINVAL);
	ns_tv(alarm_every, &v->it_interval);
	ns_tv(alarm_at > now ? alarm_at - now
	      : alarm_at     ? 1000
			     : 0,
	      &v->it_value);
	return 0;
}

int setitimer(int which, const struct itimerval *v, struct itimerval *old)
{
	if (which != ITIMER_REAL)
		return fail(EINVAL);
	if (v &&
	    (v->it_value.tv_sec < 0 || v->it_value.tv_usec < 0 ||
	     v->it_value.tv_usec >= 1000000 || v->it_interval.tv_sec < 0 ||
	     v->it_interval.tv_usec < 0 || v->it_interval.tv_usec >= 1000000))
		return fail(EINVAL);
	if (old)
		getitimer(ITIMER_REAL, old);
	if (v) {
		uint64_t value = tv_ns(&v->it_value);

		alarm_at = value ? time_now_ns() + value : 0;
		alarm_every = value ? tv_ns(&v->it_interval) : 0;
	}
	return 0;
}

/* The seconds left of the previous alarm, rounded as Linux does. */
unsigned alarm(unsigned seconds)
{
	struct itimerval v = {{0, 0}, {(time_t)seconds, 0}}, old;

	setitimer(ITIMER_REAL, &v, &old);
	unsigned left = (unsigned)old.it_value.tv_sec;

	if ((!left && old.it_value.tv_usec) || old.it_value.tv_usec >= 500000)
		left++;
	return left;
}

/* --- names --------------------------------------------------------------- */

static const char *const descriptions[32] = {
	[SIGHUP] = "Hangup",
	[SIGINT] = "Interrupt",
	[SIGQUIT] = "Quit",
	[SIGILL] = "Illegal instruction",
	[SIGTRAP] = "Trace/breakpoint trap",
	[SIGABRT] = "Aborted",
	[SIGBUS] = "Bus error",
	[SIGFPE] = "Floating point exception",
	[SIGKILL] = "Killed",
	[SIGUSR1] = "User defined signal 1",
	[SIGSEGV] = "Segmentation fault",
	[SIGUSR2] = "User defined signal 2",
	[SIGPIPE] = "Broken pipe",
	[SIGALRM] = "Alarm clock",
	[SIGTERM] = "Terminated",
	[SIGSTKFLT] = "Stack fault",
	[SIGCHLD] = "Child exited",
	[SIGCONT] = "Continued",
	[SIGSTOP] = "Stopped (signal)",
	[SIGTSTP] = "Stopped",
	[SIGTTIN] = "Stopped (tty input)",
	[SIGTTOU] = "Stopped (tty output)",
	[SIGURG] = "Urgent I/O condition",
	[SIGXCPU] = "CPU time limit exceeded",
	[SIGXFSZ] = "File size limit exceeded",
	[SIGVTALRM] = "Virtual timer expired",
	[SIGPROF] = "Profiling timer expired",
	[SIGWINCH] = "Window changed",
	[SIGIO] = "I/O possible",
	[SIGPWR] = "Power failure",
	[SIGSYS] = "Bad system call",
};

/* Linux's descriptions (newlib's table numbers signals otherwise). */
char *strsignal(int sig)
{
	static char buf[32];

	if (sig > 0 && sig < 32 && descriptions[sig])
		return (char *)descriptions[sig];
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, sizeof(buf), "Real-time signal %d",
			 sig - SIGRTMIN);
	else
		snprintf(buf, sizeof(buf), "Unknown signal %d", sig);
	return buf;
}

void psignal(int sig, const char *s)
{
	if (s && *s)
		fprintf(stderr, "%s: %s\n", s, strsignal(sig));
	else
		fprintf(stderr, "%s\n", strsignal(sig));
}
