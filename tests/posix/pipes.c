/*
 * pipes.c - pipes and socketpairs, non-blocking I/O, and poll and select
 * over pipes and files together.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "posix.h"

static void pipes(void)
{
	int p[2];
	char buf[128] = {0};
	struct stat st;

	CALL("pipe", pipe(p));
	CALL("ends are 3 and 4", p[0] == 3 && p[1] == 4);
	CALL("fstat is fifo", fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode));
	CALL("write", write(p[1], "hello", 5));
	CALL("read", read(p[0], buf, sizeof(buf)));
	printf("got '%s'\n", buf);
	CALL("write to read end", write(p[0], "x", 1));
	CALL("read from write end", read(p[1], buf, 1));
	CALL("lseek on pipe", lseek(p[0], 0, SEEK_SET));
	CALL("pread on pipe", pread(p[0], buf, 1, 0));
	CALL("F_GETFL read end", fcntl(p[0], F_GETFL) & O_ACCMODE);
	CALL("F_GETFL write end", fcntl(p[1], F_GETFL) & O_ACCMODE);

	/* non-blocking: an empty pipe says EAGAIN */
	CALL("set O_NONBLOCK", fcntl(p[0], F_SETFL, O_NONBLOCK));
	CALL("read empty", read(p[0], buf, 1));
	CALL("nonblock is set", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);

	/* fill it: 64 KiB, then EAGAIN */
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	long total = 0, r;
	char chunk[4096];

	memset(chunk, 'z', sizeof(chunk));
	while ((r = write(p[1], chunk, sizeof(chunk))) > 0)
		total += r;
	printf("filled with %ld bytes, then %s\n", total, errno_name(errno));

	/* poll: the read end is readable, the write end is not writable */
	struct pollfd fds[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};

	CALL("poll full pipe", poll(fds, 2, 0));
	printf("revents in=%d out=%d\n", (fds[0].revents & POLLIN) != 0,
	       (fds[1].revents & POLLOUT) != 0);
	while (read(p[0], chunk, sizeof(chunk)) > 0)
		;
	CALL("drained, then", read(p[0], buf, 1));

	/* end of file when the last writer closes */
	int w2 = dup(p[1]);

	close(p[1]);
	CALL("write via dup", write(w2, "ab", 2));
	close(w2);
	CALL("read rest", read(p[0], buf, 10));
	CALL("read at eof", read(p[0], buf, 10));
	fds[0] = (struct pollfd){p[0], POLLIN, 0};
	CALL("poll at eof", poll(fds, 1, 0));
	printf("hup=%d\n", (fds[0].revents & POLLHUP) != 0);
	close(p[0]);

	/* EPIPE when no reader is left */
	pipe(p);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	CALL("write without reader", write(p[1], "x", 1));
	close(p[1]);

	CALL("pipe2 bad flags", pipe2(p, 12345678));
	CALL("pipe2 cloexec", pipe2(p, O_CLOEXEC));
	CALL("cloexec set", fcntl(p[0], F_GETFD) & FD_CLOEXEC);
	close(p[0]);
	close(p[1]);
}

static void pairs(void)
{
	int s[2];
	char buf[16] = {0};
	struct stat st;

	CALL("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, s));
	CALL("fstat is socket", fstat(s[0], &st) == 0 && S_ISSOCK(st.st_mode));
	CALL("send one way", write(s[0], "ping", 4));
	CALL("read", read(s[1], buf, sizeof(buf)));
	CALL("send back", write(s[1], "pong", 4));
	CALL("read", read(s[0], buf, sizeof(buf)));
	printf("got '%s'\n", buf);
	close(s[1]);
	CALL("read after peer closed", read(s[0], buf, 4));
	close(s[0]);
	CALL("socketpair inet", socketpair(AF_INET, SOCK_STREAM, 0, s));
}

static void mixed(void)
{
	int p[2], fd = open("/tmp/posix-pipes-file", O_CREAT | O_RDWR, 0600);
	fd_set r, w;
	struct timeval tv = {0, 0};

	pipe(p);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(fd, &r);
	FD_SET(p[1], &w);
	CALL("select file+pipe",
	     select(p[1] + 1 > fd + 1 ? p[1] + 1 : fd + 1, &r, &w, NULL, &tv));
	printf("file readable %d, empty pipe readable %d, pipe writable %d\n",
	       !!FD_ISSET(fd, &r), !!FD_ISSET(p[0], &r), !!FD_ISSET(p[1], &w));
	write(p[1], "x", 1);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){1, 0};
	CALL("select readable pipe", select(p[0] + 1, &r, NULL, NULL, &tv));
	FD_ZERO(&r);
	FD_SET(50, &r);
	tv = (struct timeval){0, 0};
	CALL("select bad fd", select(51, &r, NULL, NULL, &tv));
	struct pollfd fds[3] = {
		{fd, POLLIN | POLLOUT, 0}, {p[0], POLLIN, 0}, {99, POLLIN, 0}};

	CALL("poll mixed", poll(fds, 3, 100));
	printf("file %d, pipe %d, bad %d\n",
	       fds[0].revents == (POLLIN | POLLOUT), fds[1].revents == POLLIN,
	       fds[2].revents == POLLNVAL);
	read(p[0], fds, 1);
	fds[0] = (struct pollfd){p[0], POLLIN, 0};
	CALL("poll times out", poll(fds, 1, 20));
	close(p[0]);
	close(p[1]);
	close(fd);
	unlink("/tmp/posix-pipes-file");
}

int main(void)
{
	pipes();
	pairs();
	mixed();
	return 0;
}
