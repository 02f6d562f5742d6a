/*
 * httpd - a small HTTP/1.1 static file server on the BSD socket API.
 *
 * Serves an in-memory document set:
 * /index.html (and /), /hello.txt, and /large.bin, 1 MiB whose byte i is
 * (i * 131 + 7) mod 256, so clients can check every byte. One thread per
 * connection; connections are kept alive (HTTP/1.1 by default,
 * "Connection: close" ends one). A request that is not
 * "GET|HEAD <path> HTTP/1.x" with headers ending in an empty line (or
 * one with a NUL byte anywhere in it) gets 400 and the connection closes; an unknown path gets 404.
 *
 * usage (boot command line): ... -- [port]    (default 80)
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <bulkhead/netstack.h>
#include <bulkhead/sched.h>

#define REQUEST_MAX 8192
#define LARGE_SIZE  (1 << 20)

struct doc {
	const char *path;
	const char *type;
	const char *body;
	size_t len;
};

static const char index_html[] =
	"<!DOCTYPE html>\n<html><head><title>Bulkhead</title></head>\n"
	"<body><h1>Served by Bulkhead</h1>\n"
	"<p>A library OS whose isolation is chosen at build time.</p>\n"
	"</body></html>\n";
static const char hello_txt[] = "hello from Bulkhead's httpd\n";
static char *large;

static struct doc docs[] = {
	{"/", "text/html", index_html, sizeof(index_html) - 1},
	{"/index.html", "text/html", index_html, sizeof(index_html) - 1},
	{"/hello.txt", "text/plain", hello_txt, sizeof(hello_txt) - 1},
	{"/large.bin", "application/octet-stream", NULL, LARGE_SIZE},
};

static unsigned long served, bad_requests;

static int send_all(int s, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(s, p, len, 0);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int respond(int s, int code, const char *reason, const char *type,
		   const char *body, size_t len, int head_only, int keep)
{
	char hdr[256];
	int n = snprintf(hdr, sizeof(hdr),
			 "HTTP/1.1 %d %s\r\nServer: Bulkhead-httpd\r\n"
			 "Content-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: %s\r\n\r\n",
			 code, reason, type, len,
			 keep ? "keep-alive" : "close");

	if (send_all(s, hdr, (size_t)n) != 0)
		return -1;
	return head_only ? 0 : send_all(s, body, len);
}

/* Whether the header block asks for `value` in its Connection header. */
static int connection_is(const char *headers, const char *value)
{
	for (const char *p = headers; (p = strstr(p, "\r\n")); p += 2) {
		if (strncasecmp(p + 2, "Connection:", 11) != 0)
			continue;
		const char *v = p + 13;

		while (*v == ' ')
			v++;
		return strncasecmp(v, value, strlen(value)) == 0;
	}
	return 0;
}

/* Handle one request in req (NUL-terminated, headers complete).
 * Returns 1 to keep the connection, 0 to close it. */
static int handle(int s, char *req)
{
	char method[8], path[256], version[16];

	if (sscanf(req, "%7s %255s %15s", method, path, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7) != 0 ||
	    (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) ||
	    path[0] != '/') {
		bad_requests++;
		respond(s, 400, "Bad Request", "text/plain", "bad request\n",
			12, 0, 0);
		return 0;
	}
	int keep = strcmp(version, "HTTP/1.1") == 0
			   ? !connection_is(req, "close")
			   : connection_is(req, "keep-alive");
	int head = strcmp(method, "HEAD") == 0;

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		if (strcmp(docs[i].path, path) != 0)
			continue;
		served++;
		return respond(s, 200, "OK", docs[i].type, docs[i].body,
			       docs[i].len, head, keep) == 0 &&
		       keep;
	}
	return respond(s, 404, "Not Found", "text/plain", "not found\n", 10,
		       head, keep) == 0 &&
	       keep;
}

void *httpd_conn(void *arg);

/* One connection: requests until the client closes or asks to. */
void *httpd_conn(void *arg)
{
	int s = (int)(long)arg;
	char *buf = malloc(REQUEST_MAX + 1);
	size_t have = 0;
	int one = 1;

	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	while (buf) {
		char *end;

		/* The header block ends at the first empty line, looked for in
		 * every byte received: a NUL in it must not hide its end. */
		while (!(end = memmem(buf, have, "\r\n\r\n", 4))) {
			if (have == REQUEST_MAX) {
				bad_requests++;
				respond(s, 400, "Bad Request", "text/plain",
					"request too large\n", 18, 0, 0);
				goto out;
			}
			ssize_t n = recv(s, buf + have, REQUEST_MAX - have, 0);

			if (n <= 0)
				goto out; /* closed, or cut mid-request */
			have += (size_t)n;
		}
		end[2] = '\0'; /* the request line and headers */
		size_t used = (size_t)(end + 4 - buf);

		/* A NUL is no part of HTTP: the request is refused whole. */
		if (memchr(buf, '\0', used - 2)) {
			bad_requests++;
			respond(s, 400, "Bad Request", "text/plain",
				"bad request\n", 12, 0, 0);
			break;
		}
		if (!handle(s, buf))
			break;
		memmove(buf, buf + used, have - used);
		have -= used;
	}
out:
	free(buf);
	close(s);
	return NULL;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 80;
	struct sockaddr_in addr = {.sin_family = AF_INET};
	int one = 1;

	large = malloc(LARGE_SIZE);
	if (!large || net_start() != 0)
		return 1;
	for (size_t i = 0; i < LARGE_SIZE; i++)
		large[i] = (char)((i * 131 + 7) & 0xff);
	docs[3].body = large;

	int ls = socket(AF_INET, SOCK_STREAM, 0);

	addr.sin_port = htons((uint16_t)port);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ls < 0 || bind(ls, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    listen(ls, 32) != 0) {
		printf("httpd: cannot listen on port %d (errno %d)\n", port,
		       errno);
		return 1;
	}
	printf("httpd: listening on port %d\n", port);
	fflush(stdout);
	for (;;) {
		int s = accept(ls, NULL, NULL);

		if (s < 0)
			continue;
		sched_thread_t t =
			sched_create("http", httpd_conn, (void *)(long)s, 0);

		if (!t) {
			close(s);
			continue;
		}
		sched_detach(t);
	}
}
