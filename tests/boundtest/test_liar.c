/*
 * Socket calls against a network stack that lies about lengths
 * (tests/liar/, in a compartment of its own): whatever it claims, libc
 * writes no byte past the caller's buffers and reports no more than
 * their size.
 */
#include <string.h>
#include <sys/socket.h>
#include <bulkhead/comp.h>
#include <bulkhead/kernel.h>
#include <bulkhead/x86.h>
#include "ktest.h"
#include "../../gates/ept/ept.h"

/* ept_*: only where compartments are VMs. */
int ktest_suite_enabled(const char *suite)
{
	return strncmp(suite, "ept_", 4) != 0 || comp_has(COMP_VMS);
}

/* A descriptor of the liar's one socket, made on first use. */
static int liar(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = socket(AF_INET, SOCK_STREAM, 0);
	return fd;
}

/* A buffer with a guard zone after it that must stay untouched. */
struct guarded {
	char buf[8];
	char guard[256];
};

static void guard_init(struct guarded *g)
{
	memset(g->buf, 0, sizeof(g->buf));
	memset(g->guard, 0x5a, sizeof(g->guard));
}

static int guard_intact(const struct guarded *g)
{
	for (size_t i = 0; i < sizeof(g->guard); i++)
		if (g->guard[i] != 0x5a)
			return 0;
	return 1;
}

TEST(liar, recv_is_clamped_to_the_buffer)
{
	static struct guarded g;

	guard_init(&g);
	KT_EXPECT_EQ(recv(liar(), g.buf, sizeof(g.buf), 0), sizeof(g.buf));
	KT_EXPECT_EQ(g.buf[7], 'L');
	KT_ASSERT(guard_intact(&g));
}

TEST(liar, recvfrom_address_is_clamped)
{
	static struct guarded data, addr;
	socklen_t len = sizeof(addr.buf);

	guard_init(&data);
	guard_init(&addr);
	KT_EXPECT_EQ(recvfrom(liar(), data.buf, sizeof(data.buf), 0,
			      (struct sockaddr *)addr.buf, &len),
		     sizeof(data.buf));
	KT_ASSERT(guard_intact(&data));
	KT_ASSERT(guard_intact(&addr));
	KT_EXPECT_EQ(addr.buf[7], 'F');
	KT_ASSERT(len <= 256);
}

TEST(liar, send_reports_at_most_what_was_sent)
{
	static const char msg[] = "twelve bytes";

	KT_EXPECT_EQ(send(liar(), msg, 12, 0), 12);
}

TEST(liar, getsockname_is_clamped)
{
	static struct guarded addr;
	socklen_t len = sizeof(addr.buf);

	guard_init(&addr);
	KT_EXPECT_EQ(getsockname(liar(), (struct sockaddr *)addr.buf, &len), 0);
	KT_ASSERT(guard_intact(&addr));
	KT_EXPECT_EQ(addr.buf[7], 'A');
	KT_ASSERT(len <= 256);
}

TEST(liar, getsockopt_is_clamped)
{
	static struct guarded val;
	socklen_t len = sizeof(val.buf);

	guard_init(&val);
	KT_EXPECT_EQ(getsockopt(liar(), SOL_SOCKET, SO_RCVBUF, val.buf, &len),
		     0);
	KT_ASSERT(guard_intact(&val));
	KT_EXPECT_EQ(len, sizeof(val.buf));
}

/*
 * ept: the liar's VM answers getpeername with a forged reply whose
 * address bytes lie outside its part of the shared region (in the
 * caller's own part). The caller's gate refuses to copy them and stops.
 */
TEST_ALONE(ept_liar, reply_with_bytes_outside_the_net_vms_part_is_refused)
{
	static char addr[16];
	socklen_t len = sizeof(addr);
	int fd = liar();

	ktest_expect_exit(EXIT_PANIC);
	ktest_expect("PANIC: ept: net's reply puts argument 2's bytes "
		     "(0x%lx) outside its part of the shared region",
		     (unsigned long)(EPT_SHARED_BASE + EPT_ARENA_AT));
	getpeername(fd, (struct sockaddr *)addr, &len);
}
