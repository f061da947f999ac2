// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

const char *kt_prog = "ktbox";
const char *kt_help_hint;

static void vreport(int errnum, const char *prefix, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: %s", kt_prog, prefix);
	vfprintf(stderr, fmt, ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
}

int kt_err(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vreport(e, "", fmt, ap);
	va_end(ap);
	return KT_EXIT_FAIL;
}

int kt_errn(int errnum, const char *fmt, ...)
{
	va_list ap;

	if (errnum < 0)
		errnum = -errnum;
	va_start(ap, fmt);
	vreport(errnum, "", fmt, ap);
	va_end(ap);
	return KT_EXIT_FAIL;
}

int kt_errx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(0, "", fmt, ap);
	va_end(ap);
	return KT_EXIT_FAIL;
}

int kt_usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(0, "", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n",
		kt_help_hint ? kt_help_hint : kt_prog);
	return KT_EXIT_USAGE;
}

void kt_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(0, "warning: ", fmt, ap);
	va_end(ap);
}
