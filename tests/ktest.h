/*
 * ktest.h - test cases for host unit tests and in-QEMU test kernels.
 *
 * TEST(suite, name) registers a case in the `ktests` section; the runner
 * (tests/ktest.c) prints KTAP. A failed check prints its file, line and
 * values and ends the case. TEST_ALONE cases end the machine themselves
 * (a fault, a panic, exit()): they run alone (test=suite.name) and
 * announce the exit status they expect (ktest_expect_exit) and text the
 * output must contain after that (ktest_expect); the host-side runner
 * (scripts/run-tests.py) checks both.
 */
#ifndef TESTS_KTEST_H
#define TESTS_KTEST_H

#include <stdint.h>

struct ktest {
	const char *suite; /* group booted together */
	const char *name;  /* case name within the suite */
	void (*fn)(void);  /* the case */
	int alone;	   /* ends the machine itself: runs alone */
};

#define KTEST_DEFINE(s, n, fault)                                              \
	static void ktest_fn_##s##_##n(void);                                  \
	static const struct ktest ktest_##s##_##n                              \
		__attribute__((used, section("ktests"), aligned(8))) = {       \
			#s, #n, ktest_fn_##s##_##n, fault};                    \
	static void ktest_fn_##s##_##n(void)

#define TEST(s, n)	 KTEST_DEFINE(s, n, 0)
#define TEST_ALONE(s, n) KTEST_DEFINE(s, n, 1)

void ktest_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ktest_expect(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ktest_expect_exit(int status);
int ktest_failed(void);			    /* the current case has failed */
int ktest_suite_enabled(const char *suite); /* weak: 1 unless overridden */
/* In-QEMU test kernels (tests/kernel/main.c): the compartment called
 * `name` in the image's table, or NULL. */
struct comp_desc;
const struct comp_desc *ktest_comp(const char *name);

#define KT_ASSERT(c)                                                           \
	do {                                                                   \
		if (!(c)) {                                                    \
			ktest_fail(__FILE__, __LINE__, "%s", #c);              \
			return;                                                \
		}                                                              \
	} while (0)

#define KT_EXPECT_EQ(a, b)                                                     \
	do {                                                                   \
		long long ka_ = (long long)(a), kb_ = (long long)(b);          \
		if (ka_ != kb_) {                                              \
			ktest_fail(__FILE__, __LINE__,                         \
				   "%s == %s: %lld != %lld", #a, #b, ka_,      \
				   kb_);                                       \
			return;                                                \
		}                                                              \
	} while (0)

#define KT_EXPECT_STR(a, b)                                                    \
	do {                                                                   \
		const char *ka_ = (a), *kb_ = (b);                             \
		if (strcmp(ka_, kb_) != 0) {                                   \
			ktest_fail(__FILE__, __LINE__, "%s: \"%s\" != \"%s\"", \
				   #a, ka_, kb_);                              \
			return;                                                \
		}                                                              \
	} while (0)

/* Run the cases selected by `filter`: "all", a suite, "suite.name", or
 * "list" (prints every case and whether it runs alone; see list() in
 * ktest.c). Returns the failure count. */
int ktest_run(const char *filter);

#endif
