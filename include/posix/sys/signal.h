/*
 * sys/signal.h - signals as Linux numbers and lays them out, in place of
 * newlib's (whose generic target numbers them as BSD does, and whose
 * struct sigaction has no sa_sigaction). libc/signal.c implements the
 * calls; newlib's own signal() and raise() are never linked.
 *
 * A signal set is newlib's sigset_t (64 bits): signal n is bit n - 1.
 * How sigprocmask's `how` is numbered is newlib's (its compiled code
 * passes those values); every other number here is Linux's.
 */
#ifndef _SYS_SIGNAL_H
#define _SYS_SIGNAL_H

#include <sys/cdefs.h>
#include <sys/features.h>
#include <sys/types.h>
#include <sys/_sigset.h>
#include <sys/_timespec.h>

#ifdef __cplusplus
extern "C" {
#endif

#if !defined(_SIGSET_T_DECLARED)
#define _SIGSET_T_DECLARED
typedef __sigset_t sigset_t;
#endif

typedef void (*_sig_func_ptr)(int);

#define SIGHUP	  1
#define SIGINT	  2
#define SIGQUIT	  3
#define SIGILL	  4
#define SIGTRAP	  5
#define SIGABRT	  6
#define SIGIOT	  SIGABRT
#define SIGBUS	  7
#define SIGFPE	  8
#define SIGKILL	  9
#define SIGUSR1	  10
#define SIGSEGV	  11
#define SIGUSR2	  12
#define SIGPIPE	  13
#define SIGALRM	  14
#define SIGTERM	  15
#define SIGSTKFLT 16
#define SIGCHLD	  17
#define SIGCLD	  SIGCHLD
#define SIGCONT	  18
#define SIGSTOP	  19
#define SIGTSTP	  20
#define SIGTTIN	  21
#define SIGTTOU	  22
#define SIGURG	  23
#define SIGXCPU	  24
#define SIGXFSZ	  25
#define SIGVTALRM 26
#define SIGPROF	  27
#define SIGWINCH  28
#define SIGIO	  29
#define SIGPOLL	  SIGIO
#define SIGPWR	  30
#define SIGSYS	  31
/* 32 and 33 are the C library's own on Linux, as here: refused. */
#define SIGRTMIN  34
#define SIGRTMAX  64
#define NSIG	  65 /* one past the highest signal */
#define _NSIG	  NSIG

union sigval {
	int sival_int;
	void *sival_ptr;
};

#define SIGEV_SIGNAL 0
#define SIGEV_NONE   1
#define SIGEV_THREAD 2

struct sigevent {
	union sigval sigev_value;
	int sigev_signo;
	int sigev_notify;
	void (*sigev_notify_function)(union sigval);
	void *sigev_notify_attributes; /* a pthread_attr_t */
};

/* What si_code says of a signal's origin. */
#define SI_USER	    0	 /* kill() */
#define SI_KERNEL   0x80 /* the system: SIGPIPE, SIGALRM */
#define SI_QUEUE    (-1)
#define SI_TIMER    (-2)
#define SI_MESGQ    (-3)
#define SI_ASYNCIO  (-4)
#define SI_SIGIO    (-5)
#define SI_TKILL    (-6) /* raise() */

#define ILL_ILLOPC  1
#define FPE_INTDIV  1
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN  1
#define BUS_ADRERR  2
#define BUS_OBJERR  3
#define CLD_EXITED  1
#define CLD_KILLED  2
#define CLD_DUMPED  3
#define POLL_IN	    1
#define POLL_OUT    2

typedef struct {
	int si_signo;
	int si_errno;
	int si_code;
	union {
		int _pad[28];
		struct {
			pid_t si_pid;
			uid_t si_uid;
			union sigval si_sigval;
		} _rt; /* kill, raise, sigqueue */
		struct {
			pid_t si_pid;
			uid_t si_uid;
			int si_status;
			clock_t si_utime;
			clock_t si_stime;
		} _sigchld;
		struct {
			void *si_addr;
		} _sigfault;
		struct {
			long si_band;
			int si_fd;
		} _sigpoll;
	} _sifields;
} siginfo_t;

#define si_pid	     _sifields._rt.si_pid
#define si_uid	     _sifields._rt.si_uid
#define si_value     _sifields._rt.si_sigval
#define si_int	     _sifields._rt.si_sigval.sival_int
#define si_ptr	     _sifields._rt.si_sigval.sival_ptr
#define si_status    _sifields._sigchld.si_status
#define si_addr	     _sifields._sigfault.si_addr
#define si_band	     _sifields._sigpoll.si_band
#define si_fd	     _sifields._sigpoll.si_fd

#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO   0x00000004
#define SA_ONSTACK   0x08000000
#define SA_RESTART   0x10000000
#define SA_NODEFER   0x40000000
#define SA_RESETHAND 0x80000000
#define SA_NOMASK    SA_NODEFER
#define SA_ONESHOT   SA_RESETHAND

struct sigaction {
	union {
		_sig_func_ptr sa_handler;
		void (*sa_sigaction)(int, siginfo_t *, void *);
	} __sigaction_handler;
	sigset_t sa_mask; /* blocked while the handler runs */
	int sa_flags;	  /* SA_* */
	void (*sa_restorer)(void);
};
#define sa_handler   __sigaction_handler.sa_handler
#define sa_sigaction __sigaction_handler.sa_sigaction

#define MINSIGSTKSZ  2048
#define SIGSTKSZ     8192
#define SS_ONSTACK   1
#define SS_DISABLE   2

typedef struct sigaltstack {
	void *ss_sp;
	int ss_flags;
	size_t ss_size;
} stack_t;

#define SIG_SETMASK 0
#define SIG_BLOCK   1
#define SIG_UNBLOCK 2

int sigprocmask(int how, const sigset_t *set, sigset_t *old);
int pthread_sigmask(int how, const sigset_t *set, sigset_t *old);
int kill(pid_t pid, int sig);
int killpg(pid_t pgrp, int sig);
int sigaction(int sig, const struct sigaction *act, struct sigaction *old);
int sigaddset(sigset_t *set, int sig);
int sigdelset(sigset_t *set, int sig);
int sigismember(const sigset_t *set, int sig);
int sigfillset(sigset_t *set);
int sigemptyset(sigset_t *set);
int sigpending(sigset_t *set);
int sigsuspend(const sigset_t *mask);
int sigwait(const sigset_t *set, int *sig);
int siginterrupt(int sig, int flag);
int sigaltstack(const stack_t *__restrict ss, stack_t *__restrict old);
int pthread_kill(pthread_t thread, int sig);

#ifdef __cplusplus
}
#endif

#endif
