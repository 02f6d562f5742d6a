/*
 * The BSD socket calls applications use, over lwIP's loopback interface:
 * addresses handed back by accept and getsockname, poll and select
 * (readiness, time-outs, bad descriptors, descriptors past newlib's
 * default FD_SETSIZE), non-blocking sockets, a transfer larger than
 * one bounce buffer, and sends that cannot go (EPIPE and SIGPIPE). The same cases run with lwIP in the application's
 * compartment (fcall) and in a compartment of its own (mpk), where every
 * buffer, address, fd set and pollfd array is copied through shared
 * memory (tests/configs/sockets-*.toml).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <bulkhead/netstack.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>
#include "ktest.h"

/* The stack, started once for the whole suite (the runner gives the
 * guest a NIC and a static address). */
static int net_up(void)
{
	static int state;

	if (!state)
		state = net_start() == 0 ? 1 : -1;
	return state == 1;
}

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* A socket of `type` bound to 127.0.0.1 on a port lwIP picks; its address
 * in *a. -1 on failure. */
static int bound(int type, struct sockaddr_in *a)
{
	int s = socket(AF_INET, type, 0);
	socklen_t len = sizeof(*a);

	*a = loopback(0);
	if (s < 0 || bind(s, (struct sockaddr *)a, sizeof(*a)) != 0 ||
	    getsockname(s, (struct sockaddr *)a, &len) != 0 ||
	    len != sizeof(*a) || a->sin_port == 0) {
		if (s >= 0)
			close(s);
		return -1;
	}
	return s;
}

static uint64_t ms_since(uint64_t t0)
{
	return (time_now_ns() - t0) / 1000000;
}

TEST(sockets, poll_sees_a_connection_its_data_and_its_end)
{
	struct sockaddr_in la, ca, peer;
	socklen_t len = sizeof(peer);
	char buf[16];

	KT_ASSERT(net_up());
	int l = bound(SOCK_STREAM, &la);

	KT_ASSERT(l >= 3);
	KT_EXPECT_EQ(listen(l, 4), 0);
	struct pollfd p[2] = {{.fd = l, .events = POLLIN}};

	KT_EXPECT_EQ(poll(p, 1, 0), 0); /* nobody has connected */
	KT_EXPECT_EQ(p[0].revents, 0);

	int c = socket(AF_INET, SOCK_STREAM, 0);

	KT_ASSERT(c >= 3);
	KT_EXPECT_EQ(connect(c, (struct sockaddr *)&la, sizeof(la)), 0);
	KT_EXPECT_EQ(poll(p, 1, 1000), 1);
	KT_ASSERT(p[0].revents & POLLIN);

	int s = accept(l, (struct sockaddr *)&peer, &len);

	KT_ASSERT(s >= 3);
	len = sizeof(ca);
	KT_EXPECT_EQ(getsockname(c, (struct sockaddr *)&ca, &len), 0);
	KT_EXPECT_EQ(peer.sin_family, AF_INET);
	KT_EXPECT_EQ(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	KT_EXPECT_EQ(peer.sin_port, ca.sin_port); /* the client's port */

	/* Nothing to read yet; the client can write. */
	p[0] = (struct pollfd){.fd = s, .events = POLLIN};
	p[1] = (struct pollfd){.fd = c, .events = POLLOUT};
	KT_EXPECT_EQ(poll(p, 2, 0), 1);
	KT_EXPECT_EQ(p[0].revents, 0);
	KT_EXPECT_EQ(p[1].revents, POLLOUT);

	KT_EXPECT_EQ(send(c, "ping", 4, 0), 4);
	KT_EXPECT_EQ(poll(p, 1, 1000), 1);
	KT_ASSERT(p[0].revents & POLLIN);
	KT_EXPECT_EQ(recv(s, buf, sizeof(buf), 0), 4);
	KT_ASSERT(memcmp(buf, "ping", 4) == 0);

	/* The client closes: readable, and recv says end of stream. */
	KT_EXPECT_EQ(close(c), 0);
	KT_EXPECT_EQ(poll(p, 1, 1000), 1);
	KT_ASSERT(p[0].revents & POLLIN);
	KT_EXPECT_EQ(recv(s, buf, sizeof(buf), 0), 0);
	KT_EXPECT_EQ(close(s), 0);
	KT_EXPECT_EQ(close(l), 0);
}

TEST(sockets, poll_times_out_and_flags_bad_descriptors)
{
	struct sockaddr_in a;

	KT_ASSERT(net_up());
	int u = bound(SOCK_DGRAM, &a);

	KT_ASSERT(u >= 3);
	struct pollfd p[3] = {
		{.fd = u, .events = POLLIN},
		{.fd = -1, .events = POLLIN}, /* ignored (POSIX) */
	};
	uint64_t t0 = time_now_ns();

	KT_EXPECT_EQ(poll(p, 2, 50), 0);
	KT_ASSERT(ms_since(t0) >= 49); /* 1 ms tick granularity */
	KT_EXPECT_EQ(p[0].revents, 0);
	KT_EXPECT_EQ(p[1].revents, 0);

	/* A descriptor that is not open: POLLNVAL, counted as ready. */
	p[2] = (struct pollfd){.fd = 900, .events = POLLIN};
	KT_EXPECT_EQ(poll(p, 3, 1000), 1);
	KT_EXPECT_EQ(p[2].revents, POLLNVAL);
	KT_EXPECT_EQ(p[0].revents, 0);
	KT_EXPECT_EQ(close(u), 0);
}

TEST(sockets, select_past_newlib_default_fd_setsize)
{
	enum { N = 70 }; /* descriptors 3..72: beyond newlib's 64 */
	static int fd[N];
	struct sockaddr_in a[N], from;
	socklen_t len = sizeof(from);
	fd_set r, w;
	struct timeval tv = {.tv_sec = 1};
	char buf[8];
	int top = 0, ok = 1;

	KT_ASSERT(net_up());
	for (int i = 0; i < N; i++) {
		fd[i] = bound(SOCK_DGRAM, &a[i]);
		ok &= fd[i] >= 3;
		if (fd[i] > top)
			top = fd[i];
	}
	KT_ASSERT(ok);
	KT_ASSERT(top >= 64);

	/* Every UDP socket is writable. */
	FD_ZERO(&w);
	for (int i = 0; i < N; i++)
		FD_SET(fd[i], &w);
	KT_EXPECT_EQ(select(top + 1, NULL, &w, NULL, &tv), N);

	/* One datagram, to the highest descriptor: only it is readable. */
	KT_EXPECT_EQ(sendto(fd[0], "hi", 2, 0, (struct sockaddr *)&a[N - 1],
			    sizeof(a[N - 1])),
		     2);
	FD_ZERO(&r);
	for (int i = 0; i < N; i++)
		FD_SET(fd[i], &r);
	tv = (struct timeval){.tv_sec = 1};
	KT_EXPECT_EQ(select(top + 1, &r, NULL, NULL, &tv), 1);
	for (int i = 0; i < N; i++)
		KT_EXPECT_EQ(FD_ISSET(fd[i], &r) != 0, i == N - 1);
	KT_EXPECT_EQ(recvfrom(fd[N - 1], buf, sizeof(buf), 0,
			      (struct sockaddr *)&from, &len),
		     2);
	KT_ASSERT(memcmp(buf, "hi", 2) == 0);
	KT_EXPECT_EQ(from.sin_port, a[0].sin_port); /* the sender */
	for (int i = 0; i < N; i++)
		KT_EXPECT_EQ(close(fd[i]), 0);
}

TEST(sockets, select_times_out_and_rejects_a_closed_descriptor)
{
	struct sockaddr_in a;
	fd_set r;
	struct timeval tv = {.tv_usec = 50000};

	KT_ASSERT(net_up());
	int u = bound(SOCK_DGRAM, &a);

	KT_ASSERT(u >= 3);
	FD_ZERO(&r);
	FD_SET(u, &r);
	uint64_t t0 = time_now_ns();

	KT_EXPECT_EQ(select(u + 1, &r, NULL, NULL, &tv), 0);
	KT_ASSERT(ms_since(t0) >= 49);
	KT_EXPECT_EQ(FD_ISSET(u, &r), 0); /* cleared: not ready */

	KT_EXPECT_EQ(close(u), 0);
	FD_ZERO(&r);
	FD_SET(u, &r);
	tv = (struct timeval){.tv_sec = 1};
	errno = 0;
	KT_EXPECT_EQ(select(u + 1, &r, NULL, NULL, &tv), -1);
	KT_EXPECT_EQ(errno, EBADF);
}

TEST(sockets, nonblocking_calls_say_they_would_block)
{
	struct sockaddr_in la;
	char c;

	KT_ASSERT(net_up());
	int l = bound(SOCK_STREAM, &la);

	KT_ASSERT(l >= 3);
	KT_EXPECT_EQ(listen(l, 4), 0);
	KT_EXPECT_EQ(fcntl(l, F_GETFL, 0) & O_NONBLOCK, 0);
	KT_EXPECT_EQ(fcntl(l, F_SETFL, O_NONBLOCK), 0);
	KT_EXPECT_EQ(fcntl(l, F_GETFL, 0) & O_NONBLOCK, O_NONBLOCK);
	errno = 0;
	KT_EXPECT_EQ(accept(l, NULL, NULL), -1);
	KT_EXPECT_EQ(errno, EWOULDBLOCK);

	int cl = socket(AF_INET, SOCK_STREAM, 0);

	KT_EXPECT_EQ(connect(cl, (struct sockaddr *)&la, sizeof(la)), 0);
	struct pollfd p = {.fd = l, .events = POLLIN};

	KT_EXPECT_EQ(poll(&p, 1, 1000), 1);
	int s = accept(l, NULL, NULL);

	KT_ASSERT(s >= 3);
	errno = 0;
	KT_EXPECT_EQ(recv(s, &c, 1, MSG_DONTWAIT), -1);
	KT_EXPECT_EQ(errno, EWOULDBLOCK);

	/* ioctl: FIONBIO makes every call non-blocking, FIONREAD counts. */
	int one = 1, avail = -1;

	KT_EXPECT_EQ(ioctl(s, FIONBIO, &one), 0);
	errno = 0;
	KT_EXPECT_EQ(recv(s, &c, 1, 0), -1);
	KT_EXPECT_EQ(errno, EWOULDBLOCK);
	KT_EXPECT_EQ(ioctl(s, FIONREAD, &avail), 0);
	KT_EXPECT_EQ(avail, 0);
	KT_EXPECT_EQ(send(cl, "12345", 5, 0), 5);
	p = (struct pollfd){.fd = s, .events = POLLIN};
	KT_EXPECT_EQ(poll(&p, 1, 1000), 1);
	KT_EXPECT_EQ(ioctl(s, FIONREAD, &avail), 0);
	KT_EXPECT_EQ(avail, 5);
	KT_EXPECT_EQ(close(cl), 0);
	KT_EXPECT_EQ(close(s), 0);
	KT_EXPECT_EQ(close(l), 0);
}

/* 200 KB: a dozen bounce buffers' worth, and several TCP windows. */
#define BULK (200 * 1000)

static unsigned char pattern(size_t i)
{
	return (unsigned char)((i * 7 + i / 251) & 0xff);
}

void *socktest_sender(void *arg);

/* A thread entry (declared in socktest.api): sends BULK bytes, closes. */
void *socktest_sender(void *arg)
{
	int s = (int)(long)arg;
	static unsigned char chunk[5000];
	size_t sent = 0;

	while (sent < BULK) {
		size_t n = BULK - sent < sizeof(chunk) ? BULK - sent
						       : sizeof(chunk);

		for (size_t i = 0; i < n; i++)
			chunk[i] = pattern(sent + i);
		for (size_t off = 0; off < n;) {
			ssize_t k = send(s, chunk + off, n - off, 0);

			if (k <= 0) {
				close(s);
				return (void *)(long)sent;
			}
			off += (size_t)k;
		}
		sent += n;
	}
	close(s);
	return (void *)(long)sent;
}

TEST(sockets, bulk_transfer_arrives_byte_for_byte)
{
	struct sockaddr_in la;
	static unsigned char buf[20000];
	size_t got = 0;
	int bad = -1;

	KT_ASSERT(net_up());
	int l = bound(SOCK_STREAM, &la);

	KT_ASSERT(l >= 3);
	KT_EXPECT_EQ(listen(l, 4), 0);
	int c = socket(AF_INET, SOCK_STREAM, 0);

	KT_EXPECT_EQ(connect(c, (struct sockaddr *)&la, sizeof(la)), 0);
	int s = accept(l, NULL, NULL);

	KT_ASSERT(s >= 3);
	sched_thread_t t =
		sched_create("sender", socktest_sender, (void *)(long)c, 0);

	KT_ASSERT(t);
	for (;;) {
		ssize_t n = recv(s, buf, sizeof(buf), 0);

		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n && bad < 0; i++)
			if (buf[i] != pattern(got + (size_t)i))
				bad = (int)(got + (size_t)i);
		got += (size_t)n;
	}
	KT_EXPECT_EQ((long)sched_join(t), BULK);
	KT_EXPECT_EQ(got, BULK);
	KT_EXPECT_EQ(bad, -1); /* else the first wrong byte */
	KT_EXPECT_EQ(close(s), 0);
	KT_EXPECT_EQ(close(l), 0);
}

TEST(sockets, errors_arrive_in_the_callers_errno)
{
	struct sockaddr_in a;
	char c = 0;

	KT_ASSERT(net_up());
	/* A port nobody listens on: the stack answers with a reset. */
	int u = bound(SOCK_STREAM, &a);

	KT_ASSERT(u >= 3);
	KT_EXPECT_EQ(close(u), 0);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	KT_ASSERT(s >= 3);
	errno = 0;
	KT_EXPECT_EQ(connect(s, (struct sockaddr *)&a, sizeof(a)), -1);
	KT_EXPECT_EQ(errno, ECONNREFUSED);
	KT_EXPECT_EQ(close(s), 0);

	errno = 0;
	KT_EXPECT_EQ(send(s, &c, 1, 0), -1); /* closed */
	KT_EXPECT_EQ(errno, EBADF);
	errno = 0;
	KT_EXPECT_EQ(close(s), -1);
	KT_EXPECT_EQ(errno, EBADF);
	errno = 0;
	KT_EXPECT_EQ(socket(AF_INET, 42, 0), -1); /* no such type */
	KT_EXPECT_EQ(errno, EINVAL);
	/* lwIP carries IPv4 only: other families are refused, not taken
	 * for it. */
	errno = 0;
	KT_EXPECT_EQ(socket(AF_UNIX, SOCK_STREAM, 0), -1);
	KT_EXPECT_EQ(errno, EAFNOSUPPORT);
	errno = 0;
	KT_EXPECT_EQ(socket(AF_INET6, SOCK_STREAM, 0), -1);
	KT_EXPECT_EQ(errno, EAFNOSUPPORT);
	errno = 0;
	KT_EXPECT_EQ(setsockopt(3 + 1000, SOL_SOCKET, SO_REUSEADDR, &c, 1), -1);
	KT_EXPECT_EQ(errno, EBADF);
}

/* Connections that arrive faster than the server accepts them wait in the
 * listen backlog; none is reset (lwIP resets those it cannot queue). */
TEST(sockets, a_full_backlog_is_accepted_without_resets)
{
	enum { N = 40 };
	static int c[N];
	struct sockaddr_in la;
	int ok = 1;

	KT_ASSERT(net_up());
	int l = bound(SOCK_STREAM, &la);

	KT_ASSERT(l >= 3);
	KT_EXPECT_EQ(listen(l, N), 0);
	for (int i = 0; i < N; i++) {
		c[i] = socket(AF_INET, SOCK_STREAM, 0);
		ok &= connect(c[i], (struct sockaddr *)&la, sizeof(la)) == 0;
		ok &= send(c[i], &i, 1, 0) == 1;
	}
	KT_ASSERT(ok);
	sched_sleep_ns(100 * 1000000ULL); /* let every handshake end */
	for (int i = 0; i < N; i++) {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		int s = accept(l, (struct sockaddr *)&peer, &len);
		unsigned char b = 0xff;

		KT_ASSERT(s >= 3);
		KT_EXPECT_EQ(recv(s, &b, 1, 0), 1); /* not reset */
		KT_EXPECT_EQ(b, i);		    /* in arrival order */
		KT_EXPECT_EQ(close(s), 0);
	}
	for (int i = 0; i < N; i++)
		KT_EXPECT_EQ(close(c[i]), 0);
	KT_EXPECT_EQ(close(l), 0);
}

/* One poll and one select over a socket, a pipe and a file together: each
 * wakes the wait when it becomes ready, whatever the others do. */
TEST(sockets, poll_and_select_take_sockets_pipes_and_files_together)
{
	struct sockaddr_in la;
	int p[2];

	KT_ASSERT(net_up());
	int l = bound(SOCK_STREAM, &la);

	KT_ASSERT(l >= 3);
	KT_EXPECT_EQ(listen(l, 4), 0);
	KT_EXPECT_EQ(pipe(p), 0);
	int f = open("/tmp/polled", O_CREAT | O_RDWR, 0600);

	KT_ASSERT(f >= 3);
	struct pollfd fds[3] = {{.fd = l, .events = POLLIN},
				{.fd = p[0], .events = POLLIN},
				{.fd = f, .events = POLLOUT}};

	/* only the file is ready */
	KT_EXPECT_EQ(poll(fds, 3, 0), 1);
	KT_EXPECT_EQ(fds[0].revents, 0);
	KT_EXPECT_EQ(fds[1].revents, 0);
	KT_EXPECT_EQ(fds[2].revents, POLLOUT);
	/* without the file, a pipe write wakes a poll that also waits on a
	 * socket */
	KT_EXPECT_EQ(write(p[1], "x", 1), 1);
	uint64_t t0 = time_now_ns();

	KT_EXPECT_EQ(poll(fds, 2, 5000), 1);
	KT_EXPECT_EQ(fds[1].revents, POLLIN);
	KT_EXPECT_EQ(ms_since(t0) < 1000, 1);
	char c;

	KT_EXPECT_EQ(read(p[0], &c, 1), 1);
	/* and a connection wakes one that also waits on the pipe */
	int s = socket(AF_INET, SOCK_STREAM, 0);

	KT_ASSERT(s >= 3);
	KT_EXPECT_EQ(connect(s, (struct sockaddr *)&la, sizeof(la)), 0);
	KT_EXPECT_EQ(poll(fds, 2, 5000), 1);
	KT_EXPECT_EQ(fds[0].revents, POLLIN);
	KT_EXPECT_EQ(fds[1].revents, 0);
	/* select sees the same */
	fd_set r;
	struct timeval tv = {1, 0};

	FD_ZERO(&r);
	FD_SET(l, &r);
	FD_SET(p[0], &r);
	KT_EXPECT_EQ(select((l > p[0] ? l : p[0]) + 1, &r, NULL, NULL, &tv), 1);
	KT_EXPECT_EQ(!!FD_ISSET(l, &r), 1);
	KT_EXPECT_EQ(!!FD_ISSET(p[0], &r), 0);
	close(s);
	close(l);
	close(p[0]);
	close(p[1]);
	close(f);
	unlink("/tmp/polled");
}

static int pipes;

static void count_sigpipe(int sig)
{
	pipes += sig == SIGPIPE;
}

/* A stream socket that cannot send says EPIPE, as Linux's does (lwIP
 * says ENOTCONN), and raises SIGPIPE unless MSG_NOSIGNAL or SIG_IGN. */
TEST(sockets, a_send_that_cannot_go_is_epipe_and_sigpipe)
{
	struct sockaddr_in la;

	KT_ASSERT(net_up());
	int l = bound(SOCK_STREAM, &la);

	KT_ASSERT(l >= 3);
	KT_EXPECT_EQ(listen(l, 4), 0);
	int c = socket(AF_INET, SOCK_STREAM, 0);

	KT_ASSERT(c >= 3);
	KT_EXPECT_EQ(connect(c, (struct sockaddr *)&la, sizeof(la)), 0);
	int s = accept(l, NULL, NULL);

	KT_ASSERT(s >= 3);
	KT_EXPECT_EQ(send(c, "x", 1, 0), 1);
	KT_EXPECT_EQ(shutdown(c, SHUT_WR), 0);

	pipes = 0;
	signal(SIGPIPE, count_sigpipe);
	errno = 0;
	KT_EXPECT_EQ(send(c, "x", 1, 0), -1);
	KT_EXPECT_EQ(errno, EPIPE);
	KT_EXPECT_EQ(pipes, 1);
	errno = 0;
	KT_EXPECT_EQ(write(c, "x", 1), -1);
	KT_EXPECT_EQ(errno, EPIPE);
	KT_EXPECT_EQ(pipes, 2);
	errno = 0;
	KT_EXPECT_EQ(send(c, "x", 1, MSG_NOSIGNAL), -1);
	KT_EXPECT_EQ(errno, EPIPE);
	KT_EXPECT_EQ(pipes, 2);
	signal(SIGPIPE, SIG_IGN);
	errno = 0;
	KT_EXPECT_EQ(send(c, "x", 1, 0), -1);
	KT_EXPECT_EQ(errno, EPIPE);
	KT_EXPECT_EQ(pipes, 2);

	/* Never connected: EPIPE too. */
	int n = socket(AF_INET, SOCK_STREAM, 0);

	KT_ASSERT(n >= 3);
	errno = 0;
	KT_EXPECT_EQ(send(n, "x", 1, MSG_NOSIGNAL), -1);
	KT_EXPECT_EQ(errno, EPIPE);
	signal(SIGPIPE, SIG_DFL);
	KT_EXPECT_EQ(close(n), 0);
	KT_EXPECT_EQ(close(c), 0);
	KT_EXPECT_EQ(close(s), 0);
	KT_EXPECT_EQ(close(l), 0);
}
