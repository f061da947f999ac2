/* SPDX-License-Identifier: MIT */
/* One error-reporting helper for every applet: "APPLET: what: why". */
#ifndef KT_ERR_H
#define KT_ERR_H

/* Exit codes shared by every applet. */
enum {
	KT_EXIT_OK = 0,
	KT_EXIT_FAIL = 1,  /* runtime failure */
	KT_EXIT_USAGE = 2, /* bad arguments */
};

/* Name printed before every message; set by the dispatcher. */
extern const char *kt_prog;
/* What usage errors tell to run with --help ("APPLET SUBCMD"); NULL: kt_prog. */
extern const char *kt_help_hint;

/* "prog: MSG: strerror(errno)" on stderr; returns KT_EXIT_FAIL. */
int kt_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, with an explicit errno value (for APIs that return -errno). */
int kt_errn(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "prog: MSG" on stderr; returns KT_EXIT_FAIL. */
int kt_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: MSG" + "Try 'HINT --help'." on stderr; returns KT_EXIT_USAGE. */
int kt_usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Warning that does not change the exit code: "prog: warning: MSG". */
void kt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
