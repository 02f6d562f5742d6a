/*
 * inet.c - Internet addresses and ports to and from text (libc/inet.h).
 *
 * The rules are glibc's, since programs are written against them: strict
 * dotted quads for inet_pton, the old one-to-four-part forms for
 * inet_aton and for getaddrinfo's numeric hosts, RFC 5952's shortest
 * IPv6 text. Pure code: no errno, no allocation, built for the host
 * tests too.
 */
#include <string.h>
#include "inet.h"

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int is_space(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

int inet_parse4(const char *s, uint8_t out[4])
{
	uint8_t a[4];
	int part = 0;

	for (;;) {
		unsigned v = 0;
		int digits = 0;

		for (; is_digit(*s); s++, digits++) {
			if (digits == 1 && v == 0)
				return 0; /* a leading zero */
			v = v * 10 + (unsigned)(*s - '0');
			if (v > 255)
				return 0;
		}
		if (!digits)
			return 0;
		a[part++] = (uint8_t)v;
		if (part == 4)
			break;
		if (*s++ != '.')
			return 0;
	}
	if (*s)
		return 0;
	memcpy(out, a, 4);
	return 1;
}

/* One part of an old-style address: its value (at most 32 bits) and
 * where it ends, or NULL. */
static const char *legacy_part(const char *s, uint32_t *val)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (!is_digit(*s))
		return NULL;
	if (*s == '0') {
		base = 8;
		s++;
		if (*s == 'x' || *s == 'X') {
			base = 16;
			if (hex_value(*++s) < 0)
				return NULL; /* "0x" and nothing */
		}
	}
	for (;; s++) {
		int d = base == 16     ? hex_value(*s)
			: is_digit(*s) ? *s - '0'
				       : -1;

		if (d < 0)
			break;
		if (base == 8 && d > 7)
			return NULL;
		v = v * base + (unsigned)d;
		if (v > 0xffffffffu)
			return NULL;
	}
	*val = (uint32_t)v;
	return s;
}

int inet_parse_legacy(const char *s, uint8_t out[4], int exact)
{
	uint32_t part[4];
	int n = 0;

	for (;;) {
		s = legacy_part(s, &part[n]);
		if (!s)
			return 0;
		n++;
		if (*s != '.')
			break;
		if (n == 4)
			return 0;
		s++;
	}
	if (*s && (exact || !is_space(*s)))
		return 0;
	/* Every part but the last is one byte; the last fills the rest. */
	static const uint32_t last_max[] = {0xffffffffu, 0xffffffu, 0xffffu,
					    0xffu};
	uint32_t v = 0;

	for (int i = 0; i < n - 1; i++) {
		if (part[i] > 0xff)
			return 0;
		v |= part[i] << (24 - 8 * i);
	}
	if (part[n - 1] > last_max[n - 1])
		return 0;
	v |= part[n - 1];
	for (int i = 0; i < 4; i++)
		out[i] = (uint8_t)(v >> (24 - 8 * i));
	return 1;
}

int inet_parse6(const char *s, uint8_t out[16])
{
	uint8_t a[16] = {0};
	int len = 0;	/* bytes filled */
	int gap = -1;	/* where "::" stands, in bytes */
	int groups = 0; /* hex digits seen in the current group */
	unsigned v = 0;

	if (*s == ':' && *++s != ':')
		return 0; /* one leading colon */
	const char *group = s;

	for (; *s; s++) {
		int d = hex_value(*s);

		if (d >= 0) {
			if (++groups > 4)
				return 0;
			v = v << 4 | (unsigned)d;
			continue;
		}
		if (*s == ':') {
			group = s + 1;
			if (!groups) {
				if (gap >= 0)
					return 0; /* a second "::" */
				gap = len;
				continue;
			}
			if (!s[1] || len + 2 > 16)
				return 0; /* a trailing colon, or too long */
			a[len++] = (uint8_t)(v >> 8);
			a[len++] = (uint8_t)v;
			groups = 0;
			v = 0;
			continue;
		}
		if (*s == '.' && len + 4 <= 16 && inet_parse4(group, a + len)) {
			len += 4;
			groups = 0;
			break;
		}
		return 0;
	}
	if (groups) {
		if (len + 2 > 16)
			return 0;
		a[len++] = (uint8_t)(v >> 8);
		a[len++] = (uint8_t)v;
	}
	if (gap >= 0) {
		if (len == 16)
			return 0; /* "::" must stand for at least one group */
		int tail = len - gap;

		memmove(a + 16 - tail, a + gap, (size_t)tail);
		memset(a + gap, 0, (size_t)(16 - len));
	} else if (len != 16) {
		return 0;
	}
	memcpy(out, a, 16);
	return 1;
}

/* Append the decimal n at buf[*at] (room for it is known). */
static void put_dec(char *buf, int *at, unsigned n)
{
	char d[10];
	int k = 0;

	do
		d[k++] = (char)('0' + n % 10);
	while ((n /= 10) != 0);
	while (k)
		buf[(*at)++] = d[--k];
}

int inet_format4(const uint8_t a[4], char *buf, size_t len)
{
	char t[16];
	int at = 0;

	for (int i = 0; i < 4; i++) {
		if (i)
			t[at++] = '.';
		put_dec(t, &at, a[i]);
	}
	if ((size_t)at + 1 > len)
		return -1;
	memcpy(buf, t, (size_t)at);
	buf[at] = 0;
	return at;
}

int inet_format6(const uint8_t a[16], char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char t[48];
	unsigned w[8];
	int best = -1, best_len = 0, at = 0;

	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (int i = 0; i < 8;) {
		int j = i;

		while (j < 8 && w[j] == 0)
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			t[at++] = ':';
			if (i + best_len == 8)
				t[at++] = ':';
			i += best_len - 1;
			continue;
		}
		/* ::a.b.c.d and ::ffff:a.b.c.d keep the IPv4 part dotted */
		if (i == 6 && best == 0 &&
		    (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
			if (i)
				t[at++] = ':';
			at += inet_format4(a + 12, t + at,
					   sizeof(t) - (size_t)at);
			break;
		}
		if (i)
			t[at++] = ':';
		int started = 0;

		for (int sh = 12; sh >= 0; sh -= 4) {
			unsigned d = w[i] >> sh & 0xf;

			if (d || started || sh == 0) {
				t[at++] = hex[d];
				started = 1;
			}
		}
	}
	if ((size_t)at + 1 > len)
		return -1;
	memcpy(buf, t, (size_t)at);
	buf[at] = 0;
	return at;
}

long inet_port(const char *s)
{
	int negative = 0;
	unsigned long v = 0;

	while (is_space(*s))
		s++;
	if (*s == '+' || *s == '-')
		negative = *s++ == '-';
	if (!is_digit(*s))
		return -1;
	for (; is_digit(*s); s++)
		if (v <= 65535)
			v = v * 10 + (unsigned long)(*s - '0');
	if (*s)
		return -1;
	if (v > 65535 || (negative && v))
		return -2;
	return (long)v;
}

static const struct service {
	const char *name;
	unsigned port;
	int protos;
} services[] = {
	{"http", 80, INET_TCP},
	{"www", 80, INET_TCP},
	{"https", 443, INET_TCP | INET_UDP},
	{"redis", 6379, INET_TCP},
};

long inet_service_port(const char *name, int proto)
{
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if ((services[i].protos & proto) &&
		    strcmp(services[i].name, name) == 0)
			return services[i].port;
	return -1;
}

const char *inet_service_name(unsigned port, int proto)
{
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if ((services[i].protos & proto) && services[i].port == port)
			return services[i].name;
	return NULL;
}
