/* SPDX-License-Identifier: MIT */
/* A growable byte buffer, always NUL-terminated. */
#ifndef KT_BUF_H
#define KT_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct kt_buf {
	char *p;
	size_t len;
	size_t cap;
	int oom; /* an allocation failed: contents are truncated */
};

void kt_buf_put(struct kt_buf *b, const void *data, size_t n);
/*
 * Writing in place: room for N more bytes (and the NUL) at the end of B,
 * where the caller writes, then kt_buf_done() at the end of what it wrote.
 * NULL when out of memory.  For hot formatters that bound an item's size.
 */
char *kt_buf_room_grow(struct kt_buf *b, size_t n);
static inline char *kt_buf_room(struct kt_buf *b, size_t n)
{
	if (n < b->cap - b->len && !b->oom)
		return b->p + b->len;
	return kt_buf_room_grow(b, n);
}
static inline void kt_buf_done(struct kt_buf *b, char *end)
{
	b->len = (size_t)(end - b->p);
	*end = '\0';
}
void kt_buf_putc(struct kt_buf *b, char c);
void kt_buf_puts(struct kt_buf *b, const char *s);
void kt_buf_printf(struct kt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kt_buf_reset(struct kt_buf *b);
void kt_buf_free(struct kt_buf *b);

/* memcpy for the many short pieces of formatted output: -Os turns memcpy
 * into "rep movsb", whose start-up cost dominates copies of a few bytes. */
static inline void kt_copy_short(char *d, const char *s, size_t n)
{
	if (n >= 8 && n <= 16) {
		memcpy(d, s, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4 && n < 8) {
		memcpy(d, s, 4);
		memcpy(d + n - 4, s + n - 4, 4);
	} else if (n < 4) {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else if (n <= 256) {
		size_t i = 0;

		for (; i + 8 <= n; i += 8)
			memcpy(d + i, s + i, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else {
		memcpy(d, s, n);
	}
}

/* kt_buf_put where it fits without growing: false (nothing written)
 * otherwise.  Inlined by hot writers of many short pieces (the JSON
 * writer), whose calls to kt_buf_put were a tenth of kmsgscx's time. */
static inline bool kt_buf_put_fits(struct kt_buf *b, const void *data, size_t n)
{
	if (n >= b->cap - b->len || b->oom)
		return false;
	kt_copy_short(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return true;
}

/* kt_buf_put_fits for one byte. */
static inline bool kt_buf_putc_fits(struct kt_buf *b, char c)
{
	if (b->len + 1 >= b->cap || b->oom)
		return false;
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
	return true;
}

#endif
