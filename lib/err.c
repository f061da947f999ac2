// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "text.h"

const char *kt_prog = "ktbox";
const char *kt_help_hint;

/*
 * One line, escaped and written at once: the arguments are often user input
 * (file names, option values) whose control bytes would otherwise forge
 * lines or drive the terminal; a line written in one piece does not
 * interleave with another process's.
 */
static void vreport(int errnum, const char *prefix, const char *fmt, va_list ap)
{
	char small[512], *msg = small;
	struct kt_buf b = {0};
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(small, sizeof(small), fmt, aq);
	va_end(aq);
	if (n >= (int)sizeof(small)) {
		msg = malloc((size_t)n + 1);
		if (msg)
			vsnprintf(msg, (size_t)n + 1, fmt, ap);
		else
			msg = small; /* cut, but said */
	}
	fflush(stdout);
	kt_buf_put_esc(&b, kt_prog, strlen(kt_prog));
	kt_buf_puts(&b, ": ");
	kt_buf_puts(&b, prefix);
	kt_buf_put_esc(&b, msg, n < 0 ? 0 : strlen(msg));
	if (errnum) {
		kt_buf_puts(&b, ": ");
		kt_buf_puts(&b, strerror(errnum));
	}
	kt_buf_putc(&b, '\n');
	if (b.oom || !b.p) { /* no memory: the same in pieces */
		kt_fputs_esc(stderr, kt_prog);
		fprintf(stderr, ": %s", prefix);
		kt_fputs_esc(stderr, msg);
		if (errnum)
			fprintf(stderr, ": %s", strerror(errnum));
		fputc('\n', stderr);
	} else {
		fwrite(b.p, 1, b.len, stderr);
	}
	kt_buf_free(&b);
	if (msg != small)
		free(msg);
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
