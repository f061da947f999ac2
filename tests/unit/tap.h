/* SPDX-License-Identifier: MIT */
/* Minimal TAP producer for the C unit tests (header-only). */
#ifndef KT_TAP_H
#define KT_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __VA_ARGS__)

/* string equality with a diagnostic on mismatch */
#define is_str(got, want, ...)                                                         \
	do {                                                                           \
		const char *g_ = (got), *w_ = (want);                                  \
		if (!ok(g_ && w_ ? !strcmp(g_, w_) : g_ == w_, __VA_ARGS__))           \
			printf("#   got:  '%s'\n#   want: '%s'\n", g_ ? g_ : "(null)", \
			       w_ ? w_ : "(null)");                                    \
	} while (0)

#define is_int(got, want, ...)                                              \
	do {                                                                \
		long long g_ = (long long)(got), w_ = (long long)(want);    \
		if (!ok(g_ == w_, __VA_ARGS__))                             \
			printf("#   got:  %lld\n#   want: %lld\n", g_, w_); \
	} while (0)

static inline void tap_skip(const char *why)
{
	printf("ok %d # skip %s\n", ++tap_n, why);
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
