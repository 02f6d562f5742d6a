/*
 * netdb.c - names and addresses without a name server: getaddrinfo for
 * numeric IPv4 addresses, "localhost" and the wildcard, numeric ports and
 * a few service names; getnameinfo back; inet_pton, inet_ntop, inet_addr,
 * inet_aton, inet_ntoa and the byte-order macros.
 *
 * Every lookup asks for AF_INET: with AF_UNSPEC Linux may add IPv6
 * answers, which Bulkhead's IPv4-only network has none of. Error codes
 * print as names (gai_strerror's text is the library's own).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "posix.h"

#define N(x)                                                                   \
	{                                                                      \
		x, #x                                                          \
	}

static const char *gainame(int e)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {N(EAI_BADFLAGS), N(EAI_NONAME), N(EAI_AGAIN),
		     N(EAI_FAIL),     N(EAI_FAMILY), N(EAI_SOCKTYPE),
		     N(EAI_SERVICE),  N(EAI_MEMORY), N(EAI_SYSTEM),
		     N(EAI_OVERFLOW)};
	static char b[16];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	snprintf(b, sizeof(b), "%d", e);
	return b;
}

static const char *typename(int t)
{
	return t == SOCK_STREAM	 ? "STREAM"
	       : t == SOCK_DGRAM ? "DGRAM"
	       : t == SOCK_RAW	 ? "RAW"
				 : "?";
}

/* getaddrinfo, printing each answer or the error's name. */
static void gai(const char *node, const char *serv, int family, int type,
		int proto, int flags)
{
	struct addrinfo hints, *res, *ai;
	char addr[INET_ADDRSTRLEN];

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = type;
	hints.ai_protocol = proto;
	hints.ai_flags = flags;
	int r = getaddrinfo(node, serv, &hints, &res);

	printf("getaddrinfo(%s, %s, type %s, proto %d, flags %#x):",
	       node ? node : "NULL", serv ? serv : "NULL", typename(type),
	       proto, flags);
	if (r) {
		printf(" %s (message %s)\n", gainame(r),
		       gai_strerror(r) ? "set" : "missing");
		return;
	}
	printf("\n");
	for (ai = res; ai; ai = ai->ai_next) {
		const struct sockaddr_in *sin =
			(const struct sockaddr_in *)ai->ai_addr;

		printf("  family %s type %s proto %d len-ok %d %s:%u canon "
		       "%s\n",
		       ai->ai_family == AF_INET ? "INET" : "?",
		       typename(ai->ai_socktype), ai->ai_protocol,
		       ai->ai_addrlen == sizeof(struct sockaddr_in),
		       inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr)),
		       ntohs(sin->sin_port),
		       ai->ai_canonname ? ai->ai_canonname : "NULL");
	}
	freeaddrinfo(res);
}

static void lookups(void)
{
	gai("127.0.0.1", "80", AF_INET, SOCK_STREAM, 0, 0);
	gai("10.1.2.3", "53", AF_INET, SOCK_DGRAM, 0, 0);
	gai("192.168.0.1", "8080", AF_INET, 0, 0, 0);
	gai("192.168.0.1", NULL, AF_INET, 0, 0, 0);
	gai("127.0.0.1", "80", AF_INET, SOCK_STREAM, IPPROTO_TCP, 0);
	gai("localhost", "6379", AF_INET, SOCK_STREAM, 0, 0);
	gai(NULL, "8080", AF_INET, SOCK_STREAM, 0, AI_PASSIVE);
	gai(NULL, "8080", AF_INET, SOCK_STREAM, 0, 0);
	gai(NULL, "0", AF_INET, SOCK_STREAM, 0, AI_PASSIVE);
	gai(NULL, NULL, AF_INET, SOCK_STREAM, 0, AI_PASSIVE);
	gai("127.0.0.1", "http", AF_INET, SOCK_STREAM, 0, 0);
	gai("127.0.0.1", "https", AF_INET, SOCK_STREAM, 0, 0);
	gai("127.0.0.1", "redis", AF_INET, SOCK_STREAM, 0, 0);
	gai("127.0.0.1", "no-such-service", AF_INET, SOCK_STREAM, 0, 0);
	gai("127.0.0.1", "http", AF_INET, SOCK_STREAM, 0, AI_NUMERICSERV);
	gai("127.0.0.1", "65535", AF_INET, SOCK_STREAM, 0, 0);
	gai("127.0.0.1", "-1", AF_INET, SOCK_STREAM, 0, 0);
	gai("127.0.0.1", "", AF_INET, SOCK_STREAM, 0, 0);
	gai("127.0.0.1", "http", AF_INET, 0, 0, 0);
	gai("127.0.0.1", "https", AF_INET, 0, 0, 0);
	gai("127.0.0.1", "http", AF_INET, SOCK_DGRAM, 0, 0);
	gai("127.0.0.1", "80", AF_INET, 0, IPPROTO_TCP, 0);
	gai("127.0.0.1", "80", AF_INET, 0, IPPROTO_UDP, 0);
	gai("127.0.0.1", "80", AF_INET, SOCK_DGRAM, IPPROTO_TCP, 0);
	gai("127.0.0.1", "80", AF_INET, SOCK_STREAM, 99, 0);
	gai("127.0.0.1", NULL, AF_INET, SOCK_RAW, IPPROTO_TCP, 0);
	gai("127.0.0.1", "80", AF_INET, SOCK_STREAM, 0, AI_ADDRCONFIG);
	gai("", "80", AF_INET, SOCK_STREAM, 0, 0);
	gai("1.2.3.4 ", "80", AF_INET, SOCK_STREAM, 0, 0);
	gai("127.0.0.1", "80x", AF_INET, SOCK_STREAM, 0, 0);
	gai("localhost", NULL, AF_INET, SOCK_STREAM, 0, AI_NUMERICHOST);
	gai("127.1", "1", AF_INET, SOCK_STREAM, 0, 0);
	gai("0x7f.0.0.1", "1", AF_INET, SOCK_STREAM, 0, AI_NUMERICHOST);
	gai("1.2.3.4.5", "1", AF_INET, SOCK_STREAM, 0, AI_NUMERICHOST);
	gai("256.0.0.1", "1", AF_INET, SOCK_STREAM, 0, AI_NUMERICHOST);
	gai("127.0.0.1", "80", AF_INET, SOCK_STREAM, 0, AI_CANONNAME);
	gai("localhost", "80", AF_INET, SOCK_STREAM, 0, AI_CANONNAME);
	gai(NULL, "80", AF_INET, SOCK_STREAM, 0, AI_CANONNAME);
	gai(NULL, NULL, AF_INET, SOCK_STREAM, 0, 0);
	gai("127.0.0.1", "80", 12345, SOCK_STREAM, 0, 0);
	gai("127.0.0.1", "80", AF_INET, 12345, 0, 0);
	gai("127.0.0.1", "80", AF_INET, SOCK_STREAM, 0, 0x10000);
	gai("127.0.0.1", "80", AF_INET, SOCK_RAW, 0, 0);
	gai("127.0.0.1", NULL, AF_INET, SOCK_RAW, 0, 0);
	gai("127.0.0.1", "80", AF_INET, SOCK_STREAM, IPPROTO_UDP, 0);

	/* No hints at all. */
	struct addrinfo *res;
	int r = getaddrinfo("127.0.0.1", "80", NULL, &res);
	int n = 0;

	if (r == 0) {
		for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
			n++;
		freeaddrinfo(res);
	}
	printf("no hints: %s, %d answers\n", r ? gainame(r) : "ok", n);
}

/* getnameinfo of addr:port. */
static void gni(const char *addr, int port, int flags, int hostlen)
{
	struct sockaddr_in sin;
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	inet_pton(AF_INET, addr, &sin.sin_addr);
	int r = getnameinfo((struct sockaddr *)&sin, sizeof(sin), host, hostlen,
			    serv, sizeof(serv), flags);

	printf("getnameinfo(%s:%d, flags %#x): ", addr, port, flags);
	if (r)
		printf("%s\n", gainame(r));
	else
		printf("%s %s\n", host, serv);
}

static void names(void)
{
	gni("127.0.0.1", 80, NI_NUMERICHOST | NI_NUMERICSERV, NI_MAXHOST);
	gni("127.0.0.1", 80, 0, NI_MAXHOST);
	gni("127.0.0.1", 443, NI_NUMERICHOST, NI_MAXHOST);
	gni("127.0.0.1", 6379, NI_NUMERICHOST, NI_MAXHOST);
	gni("127.0.0.1", 12345, NI_NUMERICHOST, NI_MAXHOST);
	gni("127.0.0.1", 80, NI_NUMERICHOST | NI_DGRAM, NI_MAXHOST);
	gni("10.1.2.3", 8080, NI_NUMERICHOST | NI_NUMERICSERV, NI_MAXHOST);
	gni("10.1.2.3", 8080, NI_NUMERICHOST | NI_NUMERICSERV, 8);
	gni("10.1.2.3", 8080, NI_NUMERICHOST | NI_NUMERICSERV, 9);

	struct sockaddr_in sin;
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	printf("getnameinfo, short length: %s\n",
	       gainame(getnameinfo((struct sockaddr *)&sin, 4, host,
				   sizeof(host), serv, sizeof(serv),
				   NI_NUMERICHOST)));
	sin.sin_family = 99; /* no family, and fits lwIP's one byte */
	printf("getnameinfo, unknown family: %s\n",
	       gainame(getnameinfo((struct sockaddr *)&sin, sizeof(sin), host,
				   sizeof(host), serv, sizeof(serv),
				   NI_NUMERICHOST)));
}

static void pton(const char *s)
{
	struct in_addr a;
	char back[INET_ADDRSTRLEN];
	int r = inet_pton(AF_INET, s, &a);

	printf("inet_pton(\"%s\"): %d", s, r);
	if (r == 1)
		printf(" -> %s", inet_ntop(AF_INET, &a, back, sizeof(back)));
	printf("\n");
}

static void aton(const char *s)
{
	struct in_addr a = {0};
	int r = inet_aton(s, &a);

	printf("inet_aton(\"%s\"): %d %08x, inet_addr %08x\n", s, r,
	       (unsigned)ntohl(a.s_addr), (unsigned)ntohl(inet_addr(s)));
}

static void conversions(void)
{
	struct in_addr a;
	char small[8], buf[INET_ADDRSTRLEN];

	pton("1.2.3.4");
	pton("255.255.255.255");
	pton("0.0.0.0");
	pton("1.2.3");
	pton("01.2.3.4");
	pton("256.0.0.1");
	pton("1.2.3.4 ");
	pton("1..3.4");
	pton("");
	int r = inet_pton(12345, "1.2.3.4", &a);

	printf("inet_pton unknown family: %d %s\n", r, errname(errno));
	inet_pton(AF_INET, "255.255.255.255", &a);
	const char *s = inet_ntop(AF_INET, &a, small, sizeof(small));

	printf("inet_ntop into 8 bytes: %s %s\n", s ? "ok" : "NULL",
	       errname(errno));
	s = inet_ntop(12345, &a, buf, sizeof(buf));
	printf("inet_ntop unknown family: %s %s\n", s ? "ok" : "NULL",
	       errname(errno));
	printf("INET_ADDRSTRLEN %d\n", INET_ADDRSTRLEN);

	aton("10.1.2.3");
	aton("10.1");
	aton("10.1.2");
	aton("0x7f.1");
	aton("017.0.0.1");
	aton("4294967295");
	aton("1.2.3.4 trailing");
	aton("1.2.3.256");
	aton("junk");
	aton("");
	a.s_addr = htonl(0xc0a80001);
	printf("inet_ntoa: %s\n", inet_ntoa(a));
	printf("htons %04x ntohs %04x htonl %08x ntohl %08x\n", htons(0x1234),
	       ntohs(htons(0x1234)), (unsigned)htonl(0x12345678),
	       (unsigned)ntohl(htonl(0x12345678)));
}

int main(void)
{
	lookups();
	names();
	conversions();
	return 0;
}
