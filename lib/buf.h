/* SPDX-License-Identifier: MIT */
/* A growable byte buffer, always NUL-terminated. */
#ifndef KT_BUF_H
#define KT_BUF_H

#include <stddef.h>

struct kt_buf {
	char *p;
	size_t len;
	size_t cap;
	int oom; /* an allocation failed: contents are truncated */
};

void kt_buf_put(struct kt_buf *b, const void *data, size_t n);
void kt_buf_putc(struct kt_buf *b, char c);
void kt_buf_puts(struct kt_buf *b, const char *s);
void kt_buf_printf(struct kt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kt_buf_reset(struct kt_buf *b);
void kt_buf_free(struct kt_buf *b);

#endif
