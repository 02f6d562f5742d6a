/*
 * iperf - an iPerf 2 TCP server on the BSD socket API: it accepts the
 * host's `iperf -c` and reads until the client closes, then prints what
 * it received:
 *
 *     iperf: 10.0.2.2:45678 sent 1048576 bytes in 53 ms (158.2 Mbit/s)
 *
 * iperf 2's TCP test needs nothing back from the server; its first
 * bytes (the client's settings) are counted like the rest, as iperf does.
 * One thread per connection, so parallel clients (-P) work.
 *
 * With `echo` after the port, every byte received is sent back on the
 * same connection before the next read (the tests' byte-for-byte
 * transfers both ways through the network stack and the NIC).
 *
 * usage (boot command line): ... -- [port [echo]]    (default 5001)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <bulkhead/netstack.h>
#include <bulkhead/sched.h>
#include <bulkhead/time.h>

#define CHUNK (64 * 1024)

static int echo; /* send back what comes in */

/* Send all n bytes of buf: 0, or -1 when the connection fails. */
static int send_all(int s, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = send(s, buf, n, 0);

		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

void *iperf_conn(void *arg);

/* One client: count bytes until it closes. A thread entry (iperf.api). */
void *iperf_conn(void *arg)
{
	int s = (int)(long)arg;
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	char *buf = malloc(CHUNK);
	unsigned long long bytes = 0;
	uint64_t t0 = time_now_ns();

	getpeername(s, (struct sockaddr *)&peer, &len);
	while (buf) {
		ssize_t n = recv(s, buf, CHUNK, 0);

		if (n <= 0)
			break;
		bytes += (unsigned long long)n;
		if (echo && send_all(s, buf, (size_t)n) != 0)
			break;
	}
	uint64_t ns = time_now_ns() - t0;
	unsigned long long kbit = ns ? bytes * 8ULL * 1000000ULL / ns : 0;

	printf("iperf: %s:%u sent %llu bytes in %llu ms (%llu.%llu Mbit/s)\n",
	       inet_ntoa(peer.sin_addr), ntohs(peer.sin_port), bytes,
	       (unsigned long long)(ns / 1000000), kbit / 1000,
	       kbit % 1000 / 100);
	fflush(stdout);
	free(buf);
	close(s);
	return NULL;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 5001;
	struct sockaddr_in addr = {.sin_family = AF_INET};
	int one = 1;

	if (argc > 2 && strcmp(argv[2], "echo") == 0) {
		echo = 1;
	} else if (argc > 2) {
		printf("iperf: unknown mode '%s' (only 'echo')\n", argv[2]);
		return 1;
	}
	if (net_start() != 0)
		return 1;
	int ls = socket(AF_INET, SOCK_STREAM, 0);

	addr.sin_port = htons((uint16_t)port);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ls < 0 || bind(ls, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    listen(ls, 8) != 0) {
		printf("iperf: cannot listen on port %d (errno %d)\n", port,
		       errno);
		return 1;
	}
	printf("iperf: listening on port %d%s\n", port, echo ? " (echo)" : "");
	fflush(stdout);
	for (;;) {
		int s = accept(ls, NULL, NULL);

		if (s < 0)
			continue;
		sched_thread_t t =
			sched_create("iperf", iperf_conn, (void *)(long)s, 0);

		if (!t) {
			close(s);
			continue;
		}
		sched_detach(t);
	}
}
