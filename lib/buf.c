// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static int grow(struct kt_buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->oom)
		return -1;
	if (need < b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap <= need) {
		if (cap > ((size_t)-1) / 2)
			goto oom;
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p)
		goto oom;
	b->p = p;
	b->cap = cap;
	return 0;
oom:
	b->oom = 1;
	return -1;
}

/* kt_buf_room's slow side: grow B to hold N more bytes and the NUL. */
char *kt_buf_room_grow(struct kt_buf *b, size_t n)
{
	if (n > ((size_t)-1) - b->len - 1 || grow(b, b->len + n + 1))
		return NULL;
	return b->p + b->len;
}

void kt_buf_put(struct kt_buf *b, const void *data, size_t n)
{
	if (kt_buf_put_fits(b, data, n)) /* the common case */
		return;
	if (n > ((size_t)-1) - b->len - 1 || grow(b, b->len + n + 1))
		return;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void kt_buf_putc(struct kt_buf *b, char c)
{
	kt_buf_put(b, &c, 1);
}

void kt_buf_puts(struct kt_buf *b, const char *s)
{
	kt_buf_put(b, s, strlen(s));
}

void kt_buf_printf(struct kt_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, b->len + (size_t)n + 1))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void kt_buf_reset(struct kt_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void kt_buf_free(struct kt_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}
