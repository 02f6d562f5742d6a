/*
 * test_inet.c - the text forms of addresses and ports (libc/inet.c) that
 * getaddrinfo, getnameinfo, inet_pton and friends are built on: glibc's
 * rules, one rule a case, checked against the answers glibc gives.
 */
#include <stdint.h>
#include <string.h>
#include "../../libc/inet.h"
#include "ktest.h"

/* inet_parse4 of s as "a.b.c.d", or "no". */
static const char *p4(const char *s)
{
	static char out[16];
	uint8_t a[4];

	if (!inet_parse4(s, a))
		return "no";
	inet_format4(a, out, sizeof(out));
	return out;
}

/* inet_parse_legacy of s as "a.b.c.d", or "no". */
static const char *legacy(const char *s, int exact)
{
	static char out[16];
	uint8_t a[4];

	if (!inet_parse_legacy(s, a, exact))
		return "no";
	inet_format4(a, out, sizeof(out));
	return out;
}

/* inet_parse6 of s, formatted back, or "no". */
static const char *p6(const char *s)
{
	static char out[64];
	uint8_t a[16];

	if (!inet_parse6(s, a))
		return "no";
	if (inet_format6(a, out, sizeof(out)) < 0)
		return "overflow";
	return out;
}

TEST(inet, pton4_takes_four_decimal_bytes)
{
	KT_EXPECT_STR(p4("1.2.3.4"), "1.2.3.4");
	KT_EXPECT_STR(p4("0.0.0.0"), "0.0.0.0");
	KT_EXPECT_STR(p4("255.255.255.255"), "255.255.255.255");
	KT_EXPECT_STR(p4("10.0.200.1"), "10.0.200.1");
}

TEST(inet, pton4_refuses_everything_else)
{
	KT_EXPECT_STR(p4("1.2.3"), "no");
	KT_EXPECT_STR(p4("1.2.3.4.5"), "no");
	KT_EXPECT_STR(p4("256.0.0.1"), "no");
	KT_EXPECT_STR(p4("1.2.3.1000"), "no");
	KT_EXPECT_STR(p4("01.2.3.4"), "no"); /* a leading zero */
	KT_EXPECT_STR(p4("1..3.4"), "no");
	KT_EXPECT_STR(p4("1.2.3.4 "), "no");
	KT_EXPECT_STR(p4(" 1.2.3.4"), "no");
	KT_EXPECT_STR(p4("0x1.2.3.4"), "no");
	KT_EXPECT_STR(p4(""), "no");
	KT_EXPECT_STR(p4("1.2.3."), "no");
}

TEST(inet, legacy_forms_fill_the_last_part)
{
	KT_EXPECT_STR(legacy("10.1.2.3", 1), "10.1.2.3");
	KT_EXPECT_STR(legacy("10.1", 1), "10.0.0.1");
	KT_EXPECT_STR(legacy("127.1", 1), "127.0.0.1");
	KT_EXPECT_STR(legacy("10.1.2", 1), "10.1.0.2");
	KT_EXPECT_STR(legacy("10.1.65535", 1), "10.1.255.255");
	KT_EXPECT_STR(legacy("4294967295", 1), "255.255.255.255");
	KT_EXPECT_STR(legacy("16909060", 1), "1.2.3.4");
}

TEST(inet, legacy_parts_are_decimal_octal_or_hex)
{
	KT_EXPECT_STR(legacy("0x7f.1", 1), "127.0.0.1");
	KT_EXPECT_STR(legacy("0X7F.0.0.1", 1), "127.0.0.1");
	KT_EXPECT_STR(legacy("017.0.0.1", 1), "15.0.0.1");
	KT_EXPECT_STR(legacy("0", 1), "0.0.0.0");
	KT_EXPECT_STR(legacy("08.0.0.1", 1), "no"); /* 8 is not octal */
	KT_EXPECT_STR(legacy("0xg", 1), "no");
	KT_EXPECT_STR(legacy("0x", 1), "no");
	KT_EXPECT_STR(legacy("0x.1", 1), "no");
}

TEST(inet, legacy_refuses_parts_too_big)
{
	KT_EXPECT_STR(legacy("1.2.3.256", 1), "no");
	KT_EXPECT_STR(legacy("256.1", 1), "no");
	KT_EXPECT_STR(legacy("1.16777216", 1), "no");
	KT_EXPECT_STR(legacy("1.2.65536", 1), "no");
	KT_EXPECT_STR(legacy("4294967296", 1), "no");
	KT_EXPECT_STR(legacy("99999999999999999999", 1), "no");
	KT_EXPECT_STR(legacy("1.2.3.4.5", 1), "no");
	KT_EXPECT_STR(legacy("", 1), "no");
	KT_EXPECT_STR(legacy("1.", 1), "no");
	KT_EXPECT_STR(legacy(".1", 1), "no");
	KT_EXPECT_STR(legacy("junk", 1), "no");
}

TEST(inet, legacy_trailing_text_only_for_inet_aton)
{
	/* inet_aton stops at white space; getaddrinfo wants all of it. */
	KT_EXPECT_STR(legacy("1.2.3.4 trailing", 0), "1.2.3.4");
	KT_EXPECT_STR(legacy("1.2.3.4\tx", 0), "1.2.3.4");
	KT_EXPECT_STR(legacy("1.2.3.4 trailing", 1), "no");
	KT_EXPECT_STR(legacy("1.2.3.4x", 0), "no");
}

TEST(inet, pton6_and_its_shortest_text)
{
	KT_EXPECT_STR(p6("::"), "::");
	KT_EXPECT_STR(p6("::1"), "::1");
	KT_EXPECT_STR(p6("1::"), "1::");
	KT_EXPECT_STR(p6("2001:db8::1"), "2001:db8::1");
	KT_EXPECT_STR(p6("2001:0DB8:0000:0000:0000:0000:0000:0001"),
		      "2001:db8::1");
	KT_EXPECT_STR(p6("1:0:0:2:0:0:0:3"), "1:0:0:2::3");
	KT_EXPECT_STR(p6("1:0:2:3:4:5:6:7"), "1:0:2:3:4:5:6:7");
	KT_EXPECT_STR(p6("1:0:0:2:3:0:0:4"), "1::2:3:0:0:4");
	KT_EXPECT_STR(p6("fe80::a:b"), "fe80::a:b");
	/* "::" may stand for a single group */
	KT_EXPECT_STR(p6("1:2:3:4:5:6:7::"), "1:2:3:4:5:6:7:0");
}

TEST(inet, pton6_ipv4_tails)
{
	KT_EXPECT_STR(p6("::ffff:1.2.3.4"), "::ffff:1.2.3.4");
	KT_EXPECT_STR(p6("::1.2.3.4"), "::1.2.3.4");
	KT_EXPECT_STR(p6("1::1.2.3.4"), "1::102:304");
	KT_EXPECT_STR(p6("1:2:3:4:5:6:1.2.3.4"), "1:2:3:4:5:6:102:304");
	KT_EXPECT_STR(p6("::ffff:1.2.3"), "no");
	KT_EXPECT_STR(p6("::1.2.3.4:5"), "no");
	KT_EXPECT_STR(p6("::01.2.3.4"), "no");
	KT_EXPECT_STR(p6("1:2:3:4:5:6:7:1.2.3.4"), "no");
}

TEST(inet, pton6_refuses_malformed_text)
{
	KT_EXPECT_STR(p6(""), "no");
	KT_EXPECT_STR(p6(":"), "no");
	KT_EXPECT_STR(p6(":1::"), "no");
	KT_EXPECT_STR(p6("1:"), "no");
	KT_EXPECT_STR(p6("1::2:"), "no");
	KT_EXPECT_STR(p6("1:::2"), "no");
	KT_EXPECT_STR(p6("1::2::3"), "no");
	KT_EXPECT_STR(p6("12345::"), "no");
	KT_EXPECT_STR(p6("1:2:3:4:5:6:7"), "no");
	KT_EXPECT_STR(p6("1:2:3:4:5:6:7:8:9"), "no");
	KT_EXPECT_STR(p6("1:2:3:4:5:6:7:8::"), "no");
	KT_EXPECT_STR(p6("g::"), "no");
	KT_EXPECT_STR(p6("1.2.3.4"), "no");
}

TEST(inet, format_needs_room_for_the_nul)
{
	uint8_t a[4] = {255, 255, 255, 255}, b[16] = {0};
	char buf[64];

	KT_EXPECT_EQ(inet_format4(a, buf, 16), 15);
	KT_EXPECT_EQ(inet_format4(a, buf, 15), -1);
	KT_EXPECT_EQ(inet_format6(b, buf, 3), 2);
	KT_EXPECT_EQ(inet_format6(b, buf, 2), -1);
	memset(b, 0xff, sizeof(b));
	KT_EXPECT_EQ(inet_format6(b, buf, 40), 39);
	KT_EXPECT_STR(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	KT_EXPECT_EQ(inet_format6(b, buf, 39), -1);
}

TEST(inet, ports_as_strtoul_reads_them)
{
	KT_EXPECT_EQ(inet_port("80"), 80);
	KT_EXPECT_EQ(inet_port("0"), 0);
	KT_EXPECT_EQ(inet_port("65535"), 65535);
	KT_EXPECT_EQ(inet_port(" 80"), 80);
	KT_EXPECT_EQ(inet_port("+80"), 80);
	KT_EXPECT_EQ(inet_port("080"), 80); /* decimal, always */
	KT_EXPECT_EQ(inet_port("-0"), 0);
}

TEST(inet, ports_that_are_names_or_out_of_range)
{
	KT_EXPECT_EQ(inet_port("http"), -1);
	KT_EXPECT_EQ(inet_port("80x"), -1);
	KT_EXPECT_EQ(inet_port("80 "), -1);
	KT_EXPECT_EQ(inet_port(""), -1);
	KT_EXPECT_EQ(inet_port(" "), -1);
	KT_EXPECT_EQ(inet_port("+"), -1);
	KT_EXPECT_EQ(inet_port("65536"), -2);
	KT_EXPECT_EQ(inet_port("99999999999999999999999"), -2);
	KT_EXPECT_EQ(inet_port("-1"), -2);
}

TEST(inet, services_by_name_and_protocol)
{
	KT_EXPECT_EQ(inet_service_port("http", INET_TCP), 80);
	KT_EXPECT_EQ(inet_service_port("www", INET_TCP), 80);
	KT_EXPECT_EQ(inet_service_port("http", INET_UDP), -1);
	KT_EXPECT_EQ(inet_service_port("https", INET_TCP), 443);
	KT_EXPECT_EQ(inet_service_port("https", INET_UDP), 443);
	KT_EXPECT_EQ(inet_service_port("redis", INET_TCP), 6379);
	KT_EXPECT_EQ(inet_service_port("HTTP", INET_TCP), -1);
	KT_EXPECT_EQ(inet_service_port("gopher", INET_TCP), -1);
	KT_EXPECT_STR(inet_service_name(80, INET_TCP), "http");
	KT_EXPECT_STR(inet_service_name(443, INET_UDP), "https");
	KT_EXPECT_STR(inet_service_name(6379, INET_TCP), "redis");
	KT_ASSERT(inet_service_name(80, INET_UDP) == NULL);
	KT_ASSERT(inet_service_name(8080, INET_TCP) == NULL);
}
