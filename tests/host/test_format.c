/*
 * test_format.c - kfmt_snprintf(), the kernel's formatter. Where its
 * conversions mean what C99 says they mean, the result is compared with
 * the host's snprintf(); kernel-specific behaviour (NULL strings, what a
 * full buffer gets) is checked against fixed strings.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <bulkhead/kernel.h>
#include "ktest.h"
#include "isolate.h"

/* Format with both formatters; the text and the length must agree. */
#define SAME_AS_LIBC(...)                                                      \
	do {                                                                   \
		char kout_[160], lout_[160];                                   \
		int kn_ = kfmt_snprintf(kout_, sizeof(kout_), __VA_ARGS__);    \
		int ln_ = snprintf(lout_, sizeof(lout_), __VA_ARGS__);         \
		KT_EXPECT_STR(kout_, lout_);                                   \
		KT_EXPECT_EQ(kn_, ln_);                                        \
	} while (0)

/* Format with kfmt only and expect this exact text. */
#define FORMATS_AS(want, ...)                                                  \
	do {                                                                   \
		char kout_[160];                                               \
		int kn_ = kfmt_snprintf(kout_, sizeof(kout_), __VA_ARGS__);    \
		KT_EXPECT_STR(kout_, want);                                    \
		KT_EXPECT_EQ(kn_, strlen(want));                               \
	} while (0)

TEST(format, signed_decimal)
{
	static const int vals[] = {0, 1, -1, 7, -42, 1000000, INT_MAX, INT_MIN};

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		SAME_AS_LIBC("%d", vals[i]);
		SAME_AS_LIBC("[%i]", vals[i]);
	}
	SAME_AS_LIBC("%d%d%d", 1, -2, 3);
	FORMATS_AS("-2147483648", "%d", INT_MIN);
}

TEST(format, unsigned_and_hex)
{
	static const unsigned vals[] = {
		0, 1, 9, 10, 15, 16, 255, 0xdeadbeef, 0x80000000u, UINT_MAX};
	int local;

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		SAME_AS_LIBC("%u", vals[i]);
		SAME_AS_LIBC("%x", vals[i]);
		SAME_AS_LIBC("%X", vals[i]);
	}
	SAME_AS_LIBC("%x", -1);
	/* A non-NULL pointer prints as glibc does: 0x and lower-case hex. */
	SAME_AS_LIBC("%p", (void *)&local);
	SAME_AS_LIBC("%p", (void *)0xffffffff80000000ull);
	FORMATS_AS("0xdeadbeef", "%p", (void *)0xdeadbeef);
}

TEST(format, length_modifiers)
{
	SAME_AS_LIBC("%ld", LONG_MIN);
	SAME_AS_LIBC("%ld", LONG_MAX);
	SAME_AS_LIBC("%lu %lx", ULONG_MAX, ULONG_MAX);
	SAME_AS_LIBC("%lld", LLONG_MIN);
	SAME_AS_LIBC("%lld", LLONG_MAX);
	SAME_AS_LIBC("%llu", ULLONG_MAX);
	SAME_AS_LIBC("%llx %llX", 0x0123456789abcdefULL, 0xfedcba9876543210ULL);
	SAME_AS_LIBC("%zu %zx", SIZE_MAX, (size_t)0x1000);
	SAME_AS_LIBC("%zd", (ssize_t)-5);
	/* A long argument must not be read as an int, nor the other way. */
	SAME_AS_LIBC("%d %ld %d", 1, 1L << 40, 2);
	FORMATS_AS("-9223372036854775808", "%lld", LLONG_MIN);
}

TEST(format, chars_strings_percent)
{
	SAME_AS_LIBC("%c", 'A');
	SAME_AS_LIBC("%c%c%c", 'x', 'y', 'z');
	SAME_AS_LIBC("%s", "hello");
	SAME_AS_LIBC("[%s]", "");
	SAME_AS_LIBC("%s=%d", "key", 12);
	SAME_AS_LIBC("%%");
	SAME_AS_LIBC("100%% sure, %d%%", 50);
	SAME_AS_LIBC("no conversions at all");
}

TEST(format, width_and_flags)
{
	SAME_AS_LIBC("[%5d]", 42);
	SAME_AS_LIBC("[%-5d]", 42);
	SAME_AS_LIBC("[%05d]", 42);
	SAME_AS_LIBC("[%05d]", -42);
	SAME_AS_LIBC("[%-6d]", -42);
	SAME_AS_LIBC("[%3d]", 12345);
	SAME_AS_LIBC("[%06ld]", -123456789L);
	SAME_AS_LIBC("[%8x] [%08x] [%-8X]", 0xbeefu, 0xbeefu, 0xbeefu);
	SAME_AS_LIBC("[%016llx]", 0x1234ULL);
	SAME_AS_LIBC("[%10s] [%-10s] [%2s]", "abc", "abc", "hello");
	SAME_AS_LIBC("[%5c] [%-3c]", 'q', 'r');
	SAME_AS_LIBC("[%20p]", (void *)0x1000);
	SAME_AS_LIBC("[%-20p]", (void *)0x1000);
	/* The width from an argument; a negative one means '-'. */
	SAME_AS_LIBC("[%*d]", 6, 42);
	SAME_AS_LIBC("[%*d]", -6, 42);
	SAME_AS_LIBC("[%-*d]", 6, 42);
	SAME_AS_LIBC("[%*s]", 7, "ab");
	SAME_AS_LIBC("[%*x|%*u]", 4, 0xau, 3, 7u);
	SAME_AS_LIBC("[%0*d]", 5, -3);
	SAME_AS_LIBC("[%*.*s]", 6, 2, "abcdef");
}

TEST(format, string_precision)
{
	SAME_AS_LIBC("[%.3s]", "abcdef");
	SAME_AS_LIBC("[%.0s]", "abcdef");
	SAME_AS_LIBC("[%.10s]", "abc");
	SAME_AS_LIBC("[%6.2s] [%-6.2s]", "abcdef", "abcdef");
	SAME_AS_LIBC("[%.*s]", 4, "abcdef");
	/* A negative precision from '*' counts as none at all. */
	SAME_AS_LIBC("[%.*s]", -1, "abcdef");
}

/* Four characters and no NUL: ASan guards the bytes after a global. */
static const char field[4] = "ABCD";

struct unterminated {
	char out[16]; /* out: what kfmt made of `field` */
	int n;
};

static void format_unterminated(void *ctx)
{
	struct unterminated *u = ctx;

	u->n = kfmt_snprintf(u->out, sizeof(u->out), "%.4s", field);
}

/*
 * With a precision, %s may be given an array without a NUL (C99
 * 7.19.6.1): no byte past the precision may be read. The formatting runs
 * in a child, so that an ASan report fails this case only.
 */
TEST(format, precision_reads_no_further)
{
	struct unterminated u = {0};

	KT_ISOLATED(format_unterminated, &u);
	KT_EXPECT_STR(u.out, "ABCD");
	KT_EXPECT_EQ(u.n, 4);
}

TEST(format, null_string)
{
	/* Through a volatile so the compiler cannot see the NULL. */
	const char *volatile nul = NULL;

	FORMATS_AS("(null)", "%s", nul);
	FORMATS_AS("[  (null)]", "[%8s]", nul);
	FORMATS_AS("[(null)  ]", "[%-8s]", nul);
	FORMATS_AS("[(nu]", "[%.3s]", nul);
}

TEST(format, truncation)
{
	char buf[16];
	int n;

	/* The return value is the full length; the buffer holds a prefix. */
	memset(buf, 'x', sizeof(buf));
	n = kfmt_snprintf(buf, 6, "hello world %d", 12345);
	KT_EXPECT_EQ(n, 17);
	KT_EXPECT_STR(buf, "hello");
	KT_EXPECT_EQ(buf[6], 'x');

	/* Cut inside a padded number. */
	n = kfmt_snprintf(buf, 4, "%08x", 0xabu);
	KT_EXPECT_EQ(n, 8);
	KT_EXPECT_STR(buf, "000");

	/* Exactly fitting: the NUL takes the last byte. */
	n = kfmt_snprintf(buf, 4, "abc");
	KT_EXPECT_EQ(n, 3);
	KT_EXPECT_STR(buf, "abc");
	n = kfmt_snprintf(buf, 3, "abc");
	KT_EXPECT_EQ(n, 3);
	KT_EXPECT_STR(buf, "ab");

	/* Size 1: only the NUL. Size 0: nothing written at all. */
	memset(buf, 'x', sizeof(buf));
	n = kfmt_snprintf(buf, 1, "abc");
	KT_EXPECT_EQ(n, 3);
	KT_EXPECT_EQ(buf[0], '\0');
	KT_EXPECT_EQ(buf[1], 'x');
	memset(buf, 'x', sizeof(buf));
	n = kfmt_snprintf(buf, 0, "%s-%d", "abc", -7);
	KT_EXPECT_EQ(n, 6);
	KT_EXPECT_EQ(buf[0], 'x');
	/* The snprintf(NULL, 0, ...) idiom measures the output. */
	KT_EXPECT_EQ(kfmt_snprintf(NULL, 0, "%lld", LLONG_MIN), 20);
}
