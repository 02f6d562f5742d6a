/*
 * inet.h - the text forms of Internet addresses and ports, as pure
 * functions on bytes (libc/inet.c): libc/netdb.c builds inet_pton,
 * getaddrinfo and the rest on them, and the host tests check them.
 *
 * Addresses are bytes in network order; nothing here knows a socket type.
 */
#ifndef LIBC_INET_H
#define LIBC_INET_H

#include <stddef.h>
#include <stdint.h>

/* inet_pton's IPv4: four decimal parts of 0-255, no leading zeros, the
 * whole string. 1, or 0 if s is not one. */
int inet_parse4(const char *s, uint8_t out[4]);

/*
 * inet_aton's IPv4: one to four parts, each decimal, octal (leading 0)
 * or hex (0x); the last part fills the bytes the others left ("10.1" is
 * 10.0.0.1). With `exact` the string must end there (getaddrinfo's
 * numeric hosts); without, whitespace and anything after it may follow.
 * 1, or 0 if s is not one.
 */
int inet_parse_legacy(const char *s, uint8_t out[4], int exact);

/* inet_pton's IPv6: hex groups, one "::", an IPv4 tail. 1 or 0. */
int inet_parse6(const char *s, uint8_t out[16]);

/* The dotted quad, or IPv6 text with the longest run of two or more zero
 * groups as "::" (and IPv4-mapped addresses with a dotted tail), into
 * buf of len bytes: the length without the NUL, or -1 if it does not fit. */
int inet_format4(const uint8_t a[4], char *buf, size_t len);
int inet_format6(const uint8_t a[16], char *buf, size_t len);

/* Protocols of a service, for the two functions below. */
#define INET_TCP 1
#define INET_UDP 2

/*
 * A service given as a number: its port; -1 if s is not a number (a
 * name, then); -2 for a number that is no port (negative, or above
 * 65535). As strtoul reads it: blanks and a sign may lead.
 */
long inet_port(const char *s);

/* The port of the service called name over proto (INET_TCP or INET_UDP),
 * or -1; and the name of port over proto, or NULL. The few services
 * known are Debian's /etc/services entries for http, https and redis. */
long inet_service_port(const char *name, int proto);
const char *inet_service_name(unsigned port, int proto);

#endif
