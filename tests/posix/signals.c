/*
 * signals.c - signals a process sends itself: signal sets, handlers and
 * their flags (SA_SIGINFO, SA_RESETHAND, SA_NODEFER, sa_mask), the mask
 * and pending signals, ignored and default-ignored signals, SIGPIPE from
 * write and send, alarm with pause, sleep and sigsuspend, sigwait.
 *
 * Handlers only note what happened (in `seen`); main prints it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "posix.h"

static char seen[512];

static void note(const char *s)
{
	strncat(seen, s, sizeof(seen) - strlen(seen) - 1);
}

#define N(x)                                                                   \
	{                                                                      \
		x, #x                                                          \
	}

static const char *signame(int sig)
{
	static const struct {
		int sig;
		const char *name;
	} names[] = {N(SIGUSR1), N(SIGUSR2), N(SIGPIPE),  N(SIGALRM),
		     N(SIGCHLD), N(SIGURG),  N(SIGWINCH), N(SIGTERM),
		     N(SIGKILL), N(SIGSTOP)};
	static char b[16];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].sig == sig)
			return names[i].name;
	snprintf(b, sizeof(b), "signal %d", sig);
	return b;
}

/* Print and clear what the handlers saw. */
static void show(const char *what)
{
	printf("%s: [%s]\n", what, seen);
	seen[0] = 0;
}

static void rc(const char *name, int r)
{
	if (r < 0)
		printf("%s: %d %s\n", name, r, errname(errno));
	else
		printf("%s: %d\n", name, r);
}

static void on_signal(int sig)
{
	note(signame(sig));
	note(" ");
}

static void sets(void)
{
	sigset_t s;

	rc("sigemptyset", sigemptyset(&s));
	rc("sigaddset SIGUSR1", sigaddset(&s, SIGUSR1));
	printf("member SIGUSR1 %d, SIGUSR2 %d\n", sigismember(&s, SIGUSR1),
	       sigismember(&s, SIGUSR2));
	rc("sigdelset SIGUSR1", sigdelset(&s, SIGUSR1));
	printf("member SIGUSR1 after delete: %d\n", sigismember(&s, SIGUSR1));
	rc("sigfillset", sigfillset(&s));
	printf("filled has SIGUSR2, SIGKILL: %d %d\n", sigismember(&s, SIGUSR2),
	       sigismember(&s, SIGKILL));
	rc("sigaddset 0", sigaddset(&s, 0));
	rc("sigaddset NSIG", sigaddset(&s, NSIG));
	rc("sigdelset -1", sigdelset(&s, -1));
	rc("sigismember NSIG", sigismember(&s, NSIG));
}

static void handlers(void)
{
	void (*old)(int) = signal(SIGUSR1, on_signal);

	printf("first signal() returns SIG_DFL: %d\n", old == SIG_DFL);
	rc("raise SIGUSR1", raise(SIGUSR1));
	rc("kill self SIGUSR1", kill(getpid(), SIGUSR1));
	show("handled");
	old = signal(SIGUSR1, SIG_IGN);
	printf("signal() returns the handler: %d\n", old == on_signal);
	rc("raise ignored", raise(SIGUSR1));
	show("ignored");
	printf("signal(SIGKILL) is SIG_ERR: %d %s\n",
	       signal(SIGKILL, on_signal) == SIG_ERR, errname(errno));
	signal(SIGUSR1, SIG_DFL);

	/* Signals whose default is to be ignored. */
	rc("raise SIGCHLD (default)", raise(SIGCHLD));
	rc("raise SIGURG (default)", raise(SIGURG));
	rc("raise SIGWINCH (default)", raise(SIGWINCH));
}

static void on_info(int sig, siginfo_t *si, void *uc)
{
	char b[96];

	(void)uc;
	snprintf(b, sizeof(b), "%s signo-ok %d code %s pid-ok %d ",
		 signame(sig), si->si_signo == sig,
		 si->si_code == SI_USER	   ? "SI_USER"
		 : si->si_code == SI_TKILL ? "SI_TKILL"
					   : "other",
		 si->si_code != SI_USER || si->si_pid == getpid());
	note(b);
}

static int depth;

/* SIGUSR1's handler: raises SIGUSR2 (runs inside) and SIGUSR1 again
 * (blocked while it runs, so after it, unless SA_NODEFER). */
static void on_nest(int sig)
{
	sigset_t now;

	sigprocmask(SIG_BLOCK, NULL, &now);
	note(signame(sig));
	note(sigismember(&now, sig) ? "(blocked) " : "(open) ");
	if (sig == SIGUSR1 && depth++ == 0) {
		note("{ ");
		raise(SIGUSR2);
		raise(SIGUSR1);
		note("} ");
	}
}

static void actions(void)
{
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	rc("sigaction SA_SIGINFO", sigaction(SIGUSR2, &sa, NULL));
	kill(getpid(), SIGUSR2);
	raise(SIGUSR2);
	show("siginfo");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	rc("sigaction SA_RESETHAND", sigaction(SIGUSR2, &sa, &old));
	printf("old action had SA_SIGINFO and on_info: %d %d\n",
	       (old.sa_flags & SA_SIGINFO) != 0, old.sa_sigaction == on_info);
	raise(SIGUSR2);
	sigaction(SIGUSR2, NULL, &old);
	printf("after one delivery SIG_DFL: %d\n", old.sa_handler == SIG_DFL);
	show("reset");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_nest;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	depth = 0;
	raise(SIGUSR1);
	show("nested, deferred");

	sa.sa_flags = SA_NODEFER;
	sigaction(SIGUSR1, &sa, NULL);
	depth = 0;
	raise(SIGUSR1);
	show("nested, SA_NODEFER");

	/* sa_mask: SIGUSR2 waits while SIGUSR1's handler runs. */
	sa.sa_flags = 0;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	depth = 0;
	raise(SIGUSR1);
	show("sa_mask holds SIGUSR2");

	sigset_t now;

	sigprocmask(SIG_BLOCK, NULL, &now);
	printf("mask restored after handlers: %d %d\n",
	       sigismember(&now, SIGUSR1), sigismember(&now, SIGUSR2));

	rc("sigaction SIGKILL", sigaction(SIGKILL, &sa, NULL));
	rc("sigaction SIGSTOP", sigaction(SIGSTOP, &sa, NULL));
	rc("sigaction 0", sigaction(0, &sa, NULL));
	rc("sigaction NSIG", sigaction(NSIG, &sa, NULL));
	rc("sigaction SIGKILL query", sigaction(SIGKILL, NULL, &old));
	printf("SIGKILL is SIG_DFL: %d\n", old.sa_handler == SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

static void masks(void)
{
	sigset_t s, old, pend;

	signal(SIGUSR1, on_signal);
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	rc("block SIGUSR1", sigprocmask(SIG_BLOCK, &s, &old));
	printf("old mask empty of SIGUSR1: %d\n", !sigismember(&old, SIGUSR1));
	/* Only raise: Linux keeps a process's pending signals (kill) apart
	 * from a thread's (raise), and would deliver one of each. */
	raise(SIGUSR1);
	raise(SIGUSR1);
	show("while blocked");
	sigpending(&pend);
	printf("pending SIGUSR1 %d, SIGUSR2 %d\n", sigismember(&pend, SIGUSR1),
	       sigismember(&pend, SIGUSR2));
	rc("unblock SIGUSR1", sigprocmask(SIG_UNBLOCK, &s, NULL));
	show("once on unblock");
	sigpending(&pend);
	printf("pending after: %d\n", sigismember(&pend, SIGUSR1));

	/* Ignoring a pending signal discards it. */
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGUSR1);
	signal(SIGUSR1, SIG_IGN);
	sigpending(&pend);
	printf("pending after SIG_IGN: %d\n", sigismember(&pend, SIGUSR1));
	signal(SIGUSR1, on_signal);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	show("nothing left");

	/* SIGKILL and SIGSTOP cannot be blocked: silently left out. */
	sigemptyset(&s);
	sigaddset(&s, SIGKILL);
	sigaddset(&s, SIGSTOP);
	rc("block SIGKILL, SIGSTOP", sigprocmask(SIG_BLOCK, &s, NULL));
	sigprocmask(SIG_BLOCK, NULL, &old);
	printf("blocked SIGKILL %d, SIGSTOP %d\n", sigismember(&old, SIGKILL),
	       sigismember(&old, SIGSTOP));
	rc("sigprocmask bad how", sigprocmask(99, &s, NULL));
	rc("sigprocmask bad how, no set", sigprocmask(99, NULL, &old));
	rc("sigprocmask SETMASK empty",
	   sigprocmask(SIG_SETMASK, (sigemptyset(&s), &s), NULL));

	rc("kill self 0", kill(getpid(), 0));
	rc("kill a stranger", kill(1 << 30, SIGUSR1));
	rc("kill bad signal", kill(getpid(), -1));
	rc("kill signal NSIG", kill(getpid(), NSIG));
	rc("raise bad signal", raise(-1));
	rc("raise 0", raise(0));

	/* sigwait takes a blocked pending signal without its handler. */
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGUSR1);
	int got = 0, r = sigwait(&s, &got);

	printf("sigwait returns %d, signal %s\n", r, signame(got));
	sigpending(&pend);
	printf("pending after sigwait: %d\n", sigismember(&pend, SIGUSR1));
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	show("handler not run");
	signal(SIGUSR1, SIG_DFL);
}

static void broken_pipes(void)
{
	int p[2], sv[2];
	sigset_t s, pend;

	signal(SIGPIPE, on_signal);
	pipe(p);
	close(p[0]);
	rc("write to a pipe without reader", (int)write(p[1], "x", 1));
	show("SIGPIPE from write");

	signal(SIGPIPE, SIG_IGN);
	rc("write, SIGPIPE ignored", (int)write(p[1], "x", 1));
	show("ignored");

	signal(SIGPIPE, on_signal);
	sigemptyset(&s);
	sigaddset(&s, SIGPIPE);
	sigprocmask(SIG_BLOCK, &s, NULL);
	rc("write, SIGPIPE blocked", (int)write(p[1], "x", 1));
	sigpending(&pend);
	printf("SIGPIPE pending: %d\n", sigismember(&pend, SIGPIPE));
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	show("delivered on unblock");
	close(p[1]);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[1]);
	rc("send to a closed peer", (int)send(sv[0], "x", 1, 0));
	show("SIGPIPE from send");
	rc("send MSG_NOSIGNAL", (int)send(sv[0], "x", 1, MSG_NOSIGNAL));
	show("MSG_NOSIGNAL");
	close(sv[0]);
	signal(SIGPIPE, SIG_DFL);
}

static void alarms(void)
{
	sigset_t s, now;
	struct timespec ts = {5, 0}, rem = {0, 0};

	signal(SIGALRM, on_signal);
	printf("alarm(5) returns %u\n", alarm(5));
	printf("alarm(0) returns %u\n", alarm(0));
	printf("alarm(1) returns %u\n", alarm(1));
	rc("pause", pause());
	show("alarm during pause");

	alarm(1);
	rc("nanosleep 5 s", nanosleep(&ts, &rem));
	printf("remaining between 3 and 5 s: %d\n",
	       rem.tv_sec >= 3 && rem.tv_sec < 5);
	show("alarm during nanosleep");

	alarm(1);
	unsigned left = sleep(5);

	printf("sleep(5) cut short, 3 to 4 s left: %d\n",
	       left >= 3 && left <= 4);
	show("alarm during sleep");

	sigemptyset(&s);
	sigaddset(&s, SIGALRM);
	sigprocmask(SIG_BLOCK, &s, NULL);
	alarm(1);
	sigemptyset(&now);
	rc("sigsuspend", sigsuspend(&now));
	show("alarm during sigsuspend");
	sigprocmask(SIG_BLOCK, NULL, &now);
	printf("SIGALRM blocked again: %d\n", sigismember(&now, SIGALRM));
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	signal(SIGALRM, SIG_DFL);
}

static void altstack(void)
{
	static char stack[65536];
	stack_t ss = {.ss_sp = stack, .ss_size = sizeof(stack)}, old;

	rc("sigaltstack", sigaltstack(&ss, NULL));
	rc("sigaltstack query", sigaltstack(NULL, &old));
	printf("kept: size %d, flags %d\n", old.ss_size == sizeof(stack),
	       old.ss_flags);
	ss.ss_size = 1024;
	rc("sigaltstack too small", sigaltstack(&ss, NULL));
	ss.ss_flags = SS_DISABLE;
	rc("sigaltstack disable", sigaltstack(&ss, NULL));
	sigaltstack(NULL, &old);
	printf("disabled: %d\n", old.ss_flags == SS_DISABLE);
}

int main(void)
{
	sets();
	handlers();
	actions();
	masks();
	broken_pipes();
	alarms();
	altstack();
	return 0;
}
