/*
 * netdb.c - getaddrinfo, getnameinfo and the inet_* conversions, in
 * every compartment's libc, without a name server.
 *
 * Names are what this system can know without asking the network: a
 * numeric IPv4 address, "localhost", the wildcard or loopback address for
 * no name at all, port numbers and a few service names (libc/inet.c).
 * Anything else is EAI_NONAME, as for a name the resolver does not know.
 * Answers are built in this compartment's heap and nothing here calls
 * lwIP, so the calls work with lwIP in another compartment and in images
 * without it. The results follow glibc's: with no socket type asked for,
 * a number gives a stream, a datagram and a raw answer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "inet.h"

#define AI_KNOWN                                                               \
	(AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL |   \
	 AI_ADDRCONFIG | AI_NUMERICSERV)
#define NI_KNOWN                                                               \
	(NI_NUMERICHOST | NI_NUMERICSERV | NI_NOFQDN | NI_NAMEREQD | NI_DGRAM)

/* Linux's AF_INET6. lwIP's headers, with IPv6 off, make AF_INET6 the same
 * number as AF_UNSPEC, which inet_pton and inet_ntop take as IPv6. */
#define LINUX_AF_INET6 10

/* One answer and what it points to, in one block. */
struct answer {
	struct addrinfo ai;
	struct sockaddr_in sin;
	char canon[];
};

/* The socket types an answer may have, and their protocols. */
static const struct {
	int type;
	int proto;
	int inet; /* INET_TCP, INET_UDP, or 0 for raw */
} kinds[] = {
	{SOCK_STREAM, IPPROTO_TCP, INET_TCP},
	{SOCK_DGRAM, IPPROTO_UDP, INET_UDP},
	{SOCK_RAW, 0, 0},
};

/* The address node names, in network order: 1, or 0 if unknown. */
static int host_address(const char *node, int flags, uint8_t a[4])
{
	static const uint8_t loopback[4] = {127, 0, 0, 1};

	if (!node) {
		if (flags & AI_PASSIVE)
			memset(a, 0, 4);
		else
			memcpy(a, loopback, 4);
		return 1;
	}
	if (inet_parse_legacy(node, a, 1))
		return 1;
	if (!(flags & AI_NUMERICHOST) && strcasecmp(node, "localhost") == 0) {
		memcpy(a, loopback, 4);
		return 1;
	}
	return 0;
}

/*
 * The answer's port for kind i, in host order: >= 0, or -1 if there is no
 * such answer. A raw socket has no services: a number stays on its answer
 * only when neither a socket type nor a protocol was asked for (glibc's
 * way), and a name never does.
 */
static long kind_port(size_t i, const char *service, long number, int type,
		      int proto)
{
	int raw = kinds[i].type == SOCK_RAW;

	if (type && kinds[i].type != type)
		return -1;
	if (!type && proto &&
	    (raw ? proto == IPPROTO_TCP || proto == IPPROTO_UDP
		 : kinds[i].proto != proto))
		return -1;
	if (!service)
		return 0;
	if (raw)
		return number >= 0 && !type && !proto ? number : -1;
	return number >= 0 ? number : inet_service_port(service, kinds[i].inet);
}

static void free_answers(struct addrinfo *ai)
{
	while (ai) {
		struct addrinfo *next = ai->ai_next;

		free(ai);
		ai = next;
	}
}

int getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo none = {0};
	uint8_t addr[4];
	long number = -1;

	if (!hints)
		hints = &none;
	/* "*" is the wildcard, as no name; "" and "*" are no service. */
	if (node && strcmp(node, "*") == 0)
		node = NULL;
	if (service && (!*service || strcmp(service, "*") == 0))
		service = NULL;
	if (hints->ai_flags & ~AI_KNOWN)
		return EAI_BADFLAGS;
	if ((hints->ai_flags & AI_CANONNAME) && !node)
		return EAI_BADFLAGS;
	if (hints->ai_family != AF_UNSPEC && hints->ai_family != AF_INET)
		return EAI_FAMILY;
	int type = hints->ai_socktype, proto = hints->ai_protocol;

	if (type != 0 && type != SOCK_STREAM && type != SOCK_DGRAM &&
	    type != SOCK_RAW)
		return EAI_SOCKTYPE;
	if ((type == SOCK_STREAM && proto && proto != IPPROTO_TCP) ||
	    (type == SOCK_DGRAM && proto && proto != IPPROTO_UDP))
		return EAI_SOCKTYPE;
	if (!node && !service)
		return EAI_NONAME;
	if (service) {
		number = inet_port(service);
		if (number == -2)
			return EAI_SERVICE;
		if (number == -1 && (hints->ai_flags & AI_NUMERICSERV))
			return EAI_NONAME;
	}
	if (!host_address(node, hints->ai_flags, addr))
		return EAI_NONAME;

	struct addrinfo *first = NULL, **link = &first;
	const char *canon = hints->ai_flags & AI_CANONNAME
				    ? strcasecmp(node, "localhost") == 0
					      ? "localhost"
					      : node
				    : NULL;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		long port = kind_port(i, service, number, type, proto);

		if (port < 0)
			continue;
		size_t extra = canon && !first ? strlen(canon) + 1 : 0;
		struct answer *a = calloc(1, sizeof(*a) + extra);

		if (!a) {
			free_answers(first);
			return EAI_MEMORY;
		}
		a->sin.sin_len = sizeof(a->sin);
		a->sin.sin_family = AF_INET;
		a->sin.sin_port = htons((uint16_t)port);
		memcpy(&a->sin.sin_addr, addr, 4);
		a->ai.ai_family = AF_INET;
		a->ai.ai_socktype = kinds[i].type;
		a->ai.ai_protocol =
			kinds[i].type == SOCK_RAW ? proto : kinds[i].proto;
		a->ai.ai_addrlen = sizeof(a->sin);
		a->ai.ai_addr = (struct sockaddr *)&a->sin;
		if (extra) {
			memcpy(a->canon, canon, extra);
			a->ai.ai_canonname = a->canon;
		}
		*link = &a->ai;
		link = &a->ai.ai_next;
	}
	if (!first)
		return EAI_SERVICE;
	*res = first;
	return 0;
}

void freeaddrinfo(struct addrinfo *res)
{
	free_answers(res);
}

const char *gai_strerror(int err)
{
	switch (err) {
	case 0:
		return "Success";
	case EAI_BADFLAGS:
		return "Bad value for ai_flags";
	case EAI_NONAME:
		return "Name or service not known";
	case EAI_AGAIN:
		return "Temporary failure in name resolution";
	case EAI_FAIL:
		return "Non-recoverable failure in name resolution";
	case EAI_NODATA:
		return "No address associated with hostname";
	case EAI_FAMILY:
		return "ai_family not supported";
	case EAI_SOCKTYPE:
		return "ai_socktype not supported";
	case EAI_SERVICE:
		return "Servname not supported for ai_socktype";
	case EAI_ADDRFAMILY:
		return "Address family for hostname not supported";
	case EAI_MEMORY:
		return "Memory allocation failure";
	case EAI_SYSTEM:
		return "System error";
	case EAI_OVERFLOW:
		return "Argument buffer overflow";
	}
	return "Unknown error";
}

/* s into buf of len bytes, or EAI_OVERFLOW. */
static int put(char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (n + 1 > len)
		return EAI_OVERFLOW;
	memcpy(buf, s, n + 1);
	return 0;
}

int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
		socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	char text[16];

	if (flags & ~NI_KNOWN)
		return EAI_BADFLAGS;
	if (!sa || salen < sizeof(*sin) || sa->sa_family != AF_INET)
		return EAI_FAMILY;
	if (!(host && hostlen) && !(serv && servlen))
		return EAI_NONAME;
	if (host && hostlen) {
		const uint8_t *a = (const uint8_t *)&sin->sin_addr;
		int loopback =
			a[0] == 127 && a[1] == 0 && a[2] == 0 && a[3] == 1;
		int r;

		if (!(flags & NI_NUMERICHOST) && loopback)
			r = put(host, hostlen, "localhost");
		else if (!(flags & NI_NUMERICHOST) && (flags & NI_NAMEREQD))
			return EAI_NONAME;
		else
			r = inet_format4(a, host, hostlen) < 0 ? EAI_OVERFLOW
							       : 0;
		if (r)
			return r;
	}
	if (serv && servlen) {
		unsigned port = ntohs(sin->sin_port);
		const char *name =
			flags & NI_NUMERICSERV
				? NULL
				: inet_service_name(port, flags & NI_DGRAM
								  ? INET_UDP
								  : INET_TCP);
		char *p = text + sizeof(text);

		if (!name) {
			*--p = 0;
			do
				*--p = (char)('0' + port % 10);
			while ((port /= 10) != 0);
			name = p;
		}
		return put(serv, servlen, name);
	}
	return 0;
}

/* --- conversions ------------------------------------------------------- */

int inet_pton(int af, const char *src, void *dst)
{
	if (af == AF_INET)
		return inet_parse4(src, dst);
	if (af == AF_INET6 || af == LINUX_AF_INET6)
		return inet_parse6(src, dst);
	errno = EAFNOSUPPORT;
	return -1;
}

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size)
{
	int n;

	if (af == AF_INET)
		n = inet_format4(src, dst, size);
	else if (af == AF_INET6 || af == LINUX_AF_INET6)
		n = inet_format6(src, dst, size);
	else {
		errno = EAFNOSUPPORT;
		return NULL;
	}
	if (n < 0) {
		errno = ENOSPC;
		return NULL;
	}
	return dst;
}

int inet_aton(const char *s, struct in_addr *a)
{
	uint8_t b[4];

	if (!inet_parse_legacy(s, b, 0))
		return 0;
	if (a)
		memcpy(&a->s_addr, b, 4);
	return 1;
}

in_addr_t inet_addr(const char *s)
{
	struct in_addr a;

	return inet_aton(s, &a) ? a.s_addr : INADDR_NONE;
}

/* Formatted here, in this caller's memory (lwIP's would hand back a
 * buffer in its own). */
char *inet_ntoa(struct in_addr in)
{
	static char buf[16];

	inet_format4((const uint8_t *)&in.s_addr, buf, sizeof(buf));
	return buf;
}
