/*
 * socket.c - the BSD socket calls, in every compartment's libc, on lwIP.
 *
 * lwIP may live in another compartment (mpk) or another VM (ept), where
 * it cannot read or write this compartment's memory. So when the image
 * isolates anything, every buffer, address, option value, fd set and
 * pollfd array goes through a bounce buffer in shared memory: copied in
 * before the call crosses the gate, copied back after. With fcall the
 * calls go straight through, with no copy.
 *
 * The lwIP functions are weak references: an image without lwIP links,
 * and a socket call there fails with ENOSYS.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/types.h>
#include <bulkhead/comp.h>
#include <bulkhead/mm.h>

#define BOUNCE		16384	/* bytes per bounce buffer */
#define POOL		64	/* bounce buffers kept for reuse */
#define ADDR_AT		(BOUNCE - 256)	/* room for a socket address... */
#define LEN_AT		(BOUNCE - 16)	/* ...and its length */

/* A pollfd, laid out as lwIP's (and POSIX's). */
struct pfd {
	int fd;
	short events;
	short revents;
};

extern int lwip_socket(int, int, int) __attribute__((weak));
extern int lwip_bind(int, const void *, uint32_t) __attribute__((weak));
extern int lwip_listen(int, int) __attribute__((weak));
extern int lwip_accept(int, void *, uint32_t *) __attribute__((weak));
extern int lwip_connect(int, const void *, uint32_t) __attribute__((weak));
extern ssize_t lwip_recv(int, void *, size_t, int) __attribute__((weak));
extern ssize_t lwip_recvfrom(int, void *, size_t, int, void *, uint32_t *)
	__attribute__((weak));
extern ssize_t lwip_send(int, const void *, size_t, int) __attribute__((weak));
extern ssize_t lwip_sendto(int, const void *, size_t, int, const void *,
			   uint32_t) __attribute__((weak));
extern int lwip_shutdown(int, int) __attribute__((weak));
extern int lwip_setsockopt(int, int, int, const void *, uint32_t)
	__attribute__((weak));
extern int lwip_getsockopt(int, int, int, void *, uint32_t *)
	__attribute__((weak));
extern int lwip_getsockname(int, void *, uint32_t *) __attribute__((weak));
extern int lwip_getpeername(int, void *, uint32_t *) __attribute__((weak));
extern int lwip_select(int, fd_set *, fd_set *, fd_set *, struct timeval *)
	__attribute__((weak));
extern int lwip_poll(struct pfd *, unsigned, int) __attribute__((weak));

/* Free bounce buffers. The list is in this compartment's own memory:
 * links kept inside shared buffers could be rewritten by others. */
static char *pool[POOL];
static int pooled;

static int isolated(void)
{
	return comp_config.mpk || comp_config.ept;
}

static char *take(void)
{
	return pooled ? pool[--pooled] : mm_shared_alloc(BOUNCE);
}

static void give(char *b)
{
	if (pooled < POOL)
		pool[pooled++] = b;
	else
		mm_shared_free(b);
}

static int no_stack(void)
{
	errno = ENOSYS;
	return -1;
}

static int no_memory(void)
{
	errno = ENOMEM;
	return -1;
}

int socket(int domain, int type, int protocol)
{
	return lwip_socket ? lwip_socket(domain, type, protocol) : no_stack();
}

int listen(int s, int backlog)
{
	return lwip_listen ? lwip_listen(s, backlog) : no_stack();
}

int shutdown(int s, int how)
{
	return lwip_shutdown ? lwip_shutdown(s, how) : no_stack();
}

/* bind and connect: an address in. */
static int addr_in(int (*fn)(int, const void *, uint32_t), int s,
		   const void *addr, uint32_t len)
{
	if (!fn)
		return no_stack();
	if (!isolated())
		return fn(s, addr, len);
	char *b = take();

	if (!b || len > BOUNCE)
		return no_memory();
	memcpy(b, addr, len);
	int r = fn(s, b, len);

	give(b);
	return r;
}

int bind(int s, const void *addr, uint32_t len)
{
	return addr_in(lwip_bind, s, addr, len);
}

int connect(int s, const void *addr, uint32_t len)
{
	return addr_in(lwip_connect, s, addr, len);
}

/* accept, getsockname, getpeername: an address out. */
static int addr_out(int (*fn)(int, void *, uint32_t *), int s, void *addr,
		    uint32_t *len)
{
	if (!fn)
		return no_stack();
	if (!isolated())
		return fn(s, addr, len);
	char *b = take();

	if (!b)
		return no_memory();
	uint32_t *blen = (uint32_t *)(b + LEN_AT);

	if (len)
		*blen = *len < 256 ? *len : 256;
	int r = fn(s, addr ? b + ADDR_AT : NULL, len ? blen : NULL);

	if (r >= 0 && addr && len)
		memcpy(addr, b + ADDR_AT, *blen < *len ? *blen : *len);
	if (r >= 0 && len)
		*len = *blen;
	give(b);
	return r;
}

int accept(int s, void *addr, uint32_t *len)
{
	return addr_out(lwip_accept, s, addr, len);
}

int getsockname(int s, void *addr, uint32_t *len)
{
	return addr_out(lwip_getsockname, s, addr, len);
}

int getpeername(int s, void *addr, uint32_t *len)
{
	return addr_out(lwip_getpeername, s, addr, len);
}

ssize_t recvfrom(int s, void *buf, size_t len, int flags, void *from,
		 uint32_t *fromlen)
{
	if (!lwip_recvfrom)
		return no_stack();
	if (!isolated())
		return lwip_recvfrom(s, buf, len, flags, from, fromlen);
	char *b = take();

	if (!b)
		return no_memory();
	uint32_t *blen = (uint32_t *)(b + LEN_AT);
	size_t n = len < ADDR_AT ? len : ADDR_AT;

	if (fromlen)
		*blen = *fromlen < 256 ? *fromlen : 256;
	ssize_t r = lwip_recvfrom(s, b, n, flags, from ? b + ADDR_AT : NULL,
				  fromlen ? blen : NULL);

	if (r > 0)
		memcpy(buf, b, (size_t)r);
	if (r >= 0 && from && fromlen) {
		memcpy(from, b + ADDR_AT, *blen < *fromlen ? *blen : *fromlen);
		*fromlen = *blen;
	}
	give(b);
	return r;
}

ssize_t recv(int s, void *buf, size_t len, int flags)
{
	return recvfrom(s, buf, len, flags, NULL, NULL);
}

ssize_t sendto(int s, const void *buf, size_t len, int flags, const void *to,
	       uint32_t tolen)
{
	if (!lwip_sendto)
		return no_stack();
	if (!isolated())
		return lwip_sendto(s, buf, len, flags, to, tolen);
	char *b = take();
	ssize_t sent = 0;

	if (!b || tolen > 256)
		return no_memory();
	if (to)
		memcpy(b + ADDR_AT, to, tolen);
	/* A stream goes in chunks; a datagram must fit in one. */
	do {
		size_t n = len - (size_t)sent < ADDR_AT ? len - (size_t)sent
							: ADDR_AT;

		memcpy(b, (const char *)buf + sent, n);
		ssize_t r = lwip_sendto(s, b, n, flags, to ? b + ADDR_AT : NULL,
					tolen);

		if (r < 0) {
			sent = sent ? sent : r;
			break;
		}
		sent += r;
		if ((size_t)r < n)
			break;
	} while ((size_t)sent < len);
	give(b);
	return sent;
}

ssize_t send(int s, const void *buf, size_t len, int flags)
{
	return sendto(s, buf, len, flags, NULL, 0);
}

int setsockopt(int s, int level, int name, const void *val, uint32_t len)
{
	if (!lwip_setsockopt)
		return no_stack();
	if (!isolated())
		return lwip_setsockopt(s, level, name, val, len);
	char *b = take();

	if (!b || len > BOUNCE)
		return no_memory();
	memcpy(b, val, len);
	int r = lwip_setsockopt(s, level, name, b, len);

	give(b);
	return r;
}

int getsockopt(int s, int level, int name, void *val, uint32_t *len)
{
	if (!lwip_getsockopt)
		return no_stack();
	if (!isolated())
		return lwip_getsockopt(s, level, name, val, len);
	char *b = take();

	if (!b)
		return no_memory();
	uint32_t *blen = (uint32_t *)(b + LEN_AT);

	*blen = *len < ADDR_AT ? *len : ADDR_AT;
	int r = lwip_getsockopt(s, level, name, b, blen);

	if (r == 0) {
		memcpy(val, b, *blen < *len ? *blen : *len);
		*len = *blen;
	}
	give(b);
	return r;
}

int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	if (!lwip_select)
		return no_stack();
	if (!isolated())
		return lwip_select(n, r, w, e, tv);
	char *b = take();
	fd_set *sets[3] = { r, w, e }, *shared[3];

	if (!b)
		return no_memory();
	for (int i = 0; i < 3; i++) {
		shared[i] = sets[i] ? (fd_set *)(b + i * sizeof(fd_set)) : NULL;
		if (sets[i])
			*shared[i] = *sets[i];
	}
	struct timeval *btv = tv ? (struct timeval *)(b + 3 * sizeof(fd_set))
				 : NULL;

	if (tv)
		*btv = *tv;
	int ret = lwip_select(n, shared[0], shared[1], shared[2], btv);

	for (int i = 0; i < 3; i++)
		if (sets[i])
			*sets[i] = *shared[i];
	give(b);
	return ret;
}

int poll(struct pfd *fds, unsigned nfds, int timeout)
{
	if (!lwip_poll)
		return no_stack();
	if (!isolated())
		return lwip_poll(fds, nfds, timeout);
	char *b = take();

	if (!b || nfds * sizeof(*fds) > BOUNCE)
		return no_memory();
	memcpy(b, fds, nfds * sizeof(*fds));
	int r = lwip_poll((struct pfd *)b, nfds, timeout);

	memcpy(fds, b, nfds * sizeof(*fds));
	give(b);
	return r;
}

/* Dotted quad of an address in network order, formatted here (lwIP's
 * would hand back a buffer in its own memory). */
char *inet_ntoa(uint32_t in)	/* struct in_addr by value: one register */
{
	static char buf[16];
	const uint8_t *p = (const uint8_t *)&in;

	snprintf(buf, sizeof(buf), "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
	return buf;
}
