/* SPDX-License-Identifier: MIT */
/*
 * The one JSON writer.  Streams to a FILE or a kt_buf; compact or pretty
 * (two-space indent); commas and nesting are tracked for the caller, so
 * output is always well-formed when opens and closes balance.  Strings
 * are escaped completely: quote, backslash, every control character, and
 * invalid UTF-8 (as kernel strings may hold) replaced by U+FFFD.
 */
#ifndef KT_JSON_H
#define KT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"

#define KT_JSON_MAX_DEPTH 64

struct jw {
	FILE *fp;
	struct kt_buf *buf;
	int pretty;
	int depth;
	bool need_comma[KT_JSON_MAX_DEPTH];
	bool after_key;
};

void jw_init_file(struct jw *w, FILE *fp, int pretty);
void jw_init_buf(struct jw *w, struct kt_buf *b, int pretty);

void jw_obj_open(struct jw *w);
void jw_obj_close(struct jw *w);
void jw_arr_open(struct jw *w);
void jw_arr_close(struct jw *w);
void jw_key(struct jw *w, const char *key);
/*
 * A key given as a string literal that needs no escaping (snake_case):
 * written as the one literal '"KEY": ' built at compile time, where
 * jw_key() checks and copies it byte by byte.
 */
#define jw_klit(w, key) jw_key_lit_((w), "\"" key "\": ", sizeof(key) - 1)
/* A literal key and its value, as jw_kstr() and friends with jw_klit(). */
#define jw_klit_str(w, key, v) (jw_klit(w, key), jw_str(w, v))
#define jw_klit_u64(w, key, v) (jw_klit(w, key), jw_u64(w, v))
#define jw_klit_i64(w, key, v) (jw_klit(w, key), jw_i64(w, v))
#define jw_klit_bool(w, key, v) (jw_klit(w, key), jw_bool(w, v))
/* jw_klit's writer, for any case (jw_key_lit_ inlines the common one) */
void jw_key_lit(struct jw *w, const char *quoted_key, size_t n);
/* jw_key_lit's common case inline (a compact buffer writer inside an
 * object, room there): with N known, comma and key are two moves */
static inline __attribute__((always_inline)) void jw_key_lit_(struct jw *w, const char *quoted_key,
							      size_t n)
{
	struct kt_buf *b = w->buf;
	char *d;

	if (b && !w->pretty && !w->after_key && w->depth && (d = kt_buf_room(b, n + 4))) {
		bool comma = w->need_comma[w->depth];

		w->need_comma[w->depth] = true;
		*d = ',';
		d += comma;
		kt_copy_short(d, quoted_key, n + 3);
		kt_buf_done(b, d + n + 3);
		w->after_key = true;
		return;
	}
	jw_key_lit(w, quoted_key, n);
}

void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_u64(struct jw *w, uint64_t v);
void jw_i64(struct jw *w, int64_t v);
void jw_double(struct jw *w, double v); /* NaN/inf -> null */
/* V / 10^FRAC with exactly FRAC decimals (ns as "12.345" us: FRAC 3). */
void jw_udec(struct jw *w, uint64_t v, unsigned frac);
/* V / 10^FRAC exactly as jw_double() writes it (shortest form, ".0" when
 * whole), without its printf/scanf round trips where that is exact. */
void jw_udec_g(struct jw *w, uint64_t v, unsigned frac);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* A value the caller formatted as valid JSON already (numbers, literals). */
void jw_raw(struct jw *w, const char *s, size_t n);
/*
 * The number formats, into the caller's buffer (for writers that put whole
 * precomputed objects through jw_raw): the digits of jw_u64 (at most 20
 * bytes) and of jw_udec (at most 40); each returns the length written.
 */
size_t jw_fmt_u64(char *dst, uint64_t v);
size_t jw_fmt_udec(char *dst, uint64_t v, unsigned frac);
/* Exactly N digits (N <= 9) of V below 10^N, zero-padded: N. */
size_t jw_fmt_fixed(char *dst, uint32_t v, unsigned n);
/*
 * For formatters that write a big value straight into a compact buffer
 * writer's memory (kt_buf_room): the separator the value needs, then the
 * buffer to append the value to.  NULL (and nothing written) for FILE and
 * pretty writers: use jw_raw there.
 */
struct kt_buf *jw_raw_buf(struct jw *w);
/*
 * The same in one step, for values written by the million: the separator
 * put, then room for N bytes at the end of the buffer (write there, then
 * kt_buf_done(w->buf, end)).  NULL for FILE and pretty writers and when
 * out of memory (the buffer is then marked).
 */
char *jw_raw_room(struct jw *w, size_t n);
/* End of one top-level document: newline (for JSON Lines). */
void jw_newline(struct jw *w);

/* key + value shorthands */
static inline void jw_kstr(struct jw *w, const char *k, const char *s)
{
	jw_key(w, k);
	jw_str(w, s);
}
static inline void jw_ku64(struct jw *w, const char *k, uint64_t v)
{
	jw_key(w, k);
	jw_u64(w, v);
}
static inline void jw_ki64(struct jw *w, const char *k, int64_t v)
{
	jw_key(w, k);
	jw_i64(w, v);
}
static inline void jw_kdouble(struct jw *w, const char *k, double v)
{
	jw_key(w, k);
	jw_double(w, v);
}
static inline void jw_kudec_g(struct jw *w, const char *k, uint64_t v, unsigned frac)
{
	jw_key(w, k);
	jw_udec_g(w, v, frac);
}
/* "0x..." lowercase hex string (addresses, flags). */
void jw_khex(struct jw *w, const char *k, uint64_t v);
static inline void jw_kbool(struct jw *w, const char *k, bool v)
{
	jw_key(w, k);
	jw_bool(w, v);
}

/* Escape S (N bytes) as JSON string content (no quotes) into OUT. */
void jw_escape(struct kt_buf *out, const char *s, size_t n);

#endif
