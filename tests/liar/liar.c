/*
 * liar - a stand-in for lwIP that lies: it exports lwIP's socket entry
 * points (net/lwip/sockcall.c) but reports more bytes than it was given
 * room for, as a compromised network stack would. libc's socket calls in
 * other compartments must clamp what it says (libc/socket.c):
 * tests/boundtest/, tests/configs/liar-mpk.toml.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LIE 100000 /* far past any buffer */

/* Fill the buffer it was given, and as much shared memory after it as a
 * bounce buffer holds, then claim a hundred thousand bytes. */
long netsock_recvfrom(int s, void *buf, size_t len, int flags, void *from,
		      uint32_t *fromlen)
{
	(void)s;
	(void)flags;
	memset(buf, 'L', len);
	if (from && fromlen) {
		memset(from, 'F', *fromlen);
		*fromlen = LIE;
	}
	return LIE;
}

/* Claim every byte of a send, and a hundred thousand more. */
long netsock_sendto(int s, const void *buf, size_t len, int flags,
		    const void *to, uint32_t tolen)
{
	(void)s;
	(void)buf;
	(void)flags;
	(void)to;
	(void)tolen;
	return (long)len + LIE;
}

/* An address "of a hundred thousand bytes". */
long netsock_getsockname(int s, void *addr, uint32_t *len)
{
	(void)s;
	memset(addr, 'A', *len);
	*len = LIE;
	return 0;
}

/* An option value "of a hundred thousand bytes". */
long netsock_getsockopt(int s, int level, int name, void *val, uint32_t *len)
{
	(void)s;
	(void)level;
	(void)name;
	memset(val, 'O', *len);
	*len = LIE;
	return 0;
}

/* A socket, so that libc gives the tests a descriptor for it: lwIP's
 * number 3, which the lies above do not look at. */
long netsock_socket(int domain, int type, int protocol)
{
	(void)domain;
	(void)type;
	(void)protocol;
	return 3;
}

long netsock_close(int s)
{
	(void)s;
	return 0;
}
