// SPDX-License-Identifier: MIT
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "text.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static void emit(struct jw *w, const char *s, size_t n)
{
	if (w->fp)
		fwrite(s, 1, n, w->fp);
	else if (!kt_buf_put_fits(w->buf, s, n))
		kt_buf_put(w->buf, s, n);
}

/* out of line: its &c would put a stack canary into every caller */
static __attribute__((noinline)) void emitc_slow(struct jw *w, char c)
{
	if (w->fp)
		fputc(c, w->fp);
	else
		kt_buf_put(w->buf, &c, 1);
}

static inline __attribute__((always_inline)) void emitc(struct jw *w, char c)
{
	if (!w->buf || !kt_buf_putc_fits(w->buf, c))
		emitc_slow(w, c);
}

static void emits(struct jw *w, const char *s)
{
	emit(w, s, strlen(s));
}

void jw_init_file(struct jw *w, FILE *fp, int pretty)
{
	memset(w, 0, sizeof(*w));
	w->fp = fp;
	w->pretty = pretty;
}

void jw_init_buf(struct jw *w, struct kt_buf *b, int pretty)
{
	memset(w, 0, sizeof(*w));
	w->buf = b;
	w->pretty = pretty;
}

static void indent(struct jw *w)
{
	static const char spaces[] = "                                ";
	int n = w->depth * 2;

	emit(w, "\n", 1);
	while (n > 0) {
		int k = n < 32 ? n : 32;

		emit(w, spaces, (size_t)k);
		n -= k;
	}
}

/* Called before every value and every key. */
static inline void sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0)
		return;
	if (w->need_comma[w->depth])
		emitc(w, ',');
	w->need_comma[w->depth] = true;
	if (w->pretty)
		indent(w);
}

static void open_(struct jw *w, char c)
{
	sep(w);
	emitc(w, c);
	if (w->depth < KT_JSON_MAX_DEPTH - 1)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void close_(struct jw *w, char c)
{
	bool had = w->need_comma[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (w->pretty && had)
		indent(w);
	emitc(w, c);
}

void jw_obj_open(struct jw *w)
{
	open_(w, '{');
}
void jw_obj_close(struct jw *w)
{
	close_(w, '}');
}
void jw_arr_open(struct jw *w)
{
	open_(w, '[');
}
void jw_arr_close(struct jw *w)
{
	close_(w, ']');
}

/* Eight bytes none of which needs escaping (< 0x20, >= 0x80, '"', '\\'). */
static inline bool plain8(const char *s)
{
	uint64_t x, ones = 0x0101010101010101ULL, hi = 0x8080808080808080ULL;

	memcpy(&x, s, 8);
	return !(((x - ones * 0x20) | ((x ^ (ones * '"')) - ones) | ((x ^ (ones * '\\')) - ones) |
		  x) &
		 hi);
}

static inline bool plain1(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

static size_t escape_one(char *d, const char *s, size_t n, size_t *used);

/* Write escaped content through a sink. */
typedef void (*sink_fn)(void *ctx, const char *s, size_t n);

static void escape_to(sink_fn put, void *ctx, const char *str, size_t n)
{
	size_t i = 0, run = 0, l, used;
	char esc[8];

	while (i < n) {
		while (i + 8 <= n && plain8(str + i))
			i += 8;
		if (i >= n)
			break;
		if (plain1((unsigned char)str[i])) {
			i++;
			continue;
		}
		/* valid UTF-8 stays in the run */
		if ((unsigned char)str[i] >= 0x80 && (l = kt_utf8_seq_len(str + i, n - i))) {
			i += l;
			continue;
		}
		if (i > run)
			put(ctx, str + run, i - run);
		put(ctx, esc, escape_one(esc, str + i, n - i, &used));
		i += used;
		run = i;
	}
	if (n > run)
		put(ctx, str + run, n - run);
}

static void put_jw(void *ctx, const char *s, size_t n)
{
	emit(ctx, s, n);
}
static void put_buf(void *ctx, const char *s, size_t n)
{
	kt_buf_put(ctx, s, n);
}

void jw_escape(struct kt_buf *out, const char *s, size_t n)
{
	escape_to(put_buf, out, s, n);
}

/*
 * The length of the prefix of S that needs no escaping (no control
 * character, quote, backslash or byte >= 0x80), copied to D as it is
 * scanned: most strings are plain, and copying while checking saves
 * the second pass and the piecewise puts of escape_to().  D has room
 * for N bytes.
 */
static size_t plain_copy(char *d, const char *s, size_t n)
{
	size_t i = 0;

#ifdef __SSE2__
	if (n >= 16) {
		const __m128i sp = _mm_set1_epi8(0x20), q = _mm_set1_epi8('"'),
			      bs = _mm_set1_epi8('\\');

		for (;;) {
			/* the last block overlaps the one before: bytes
			 * checked twice are plain, so they set no bit */
			size_t at = i + 16 <= n ? i : n - 16;
			__m128i x = _mm_loadu_si128((const void *)(s + at));
			/* signed: bytes >= 0x80 compare below 0x20 too */
			unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
				_mm_cmplt_epi8(x, sp),
				_mm_or_si128(_mm_cmpeq_epi8(x, q), _mm_cmpeq_epi8(x, bs))));

			_mm_storeu_si128((void *)(d + at), x);
			if (m)
				return at + (size_t)__builtin_ctz(m);
			if (at + 16 == n)
				return n;
			i = at + 16;
		}
	}
#endif
	for (; i + 8 <= n && plain8(s + i); i += 8)
		memcpy(d + i, s + i, 8);
	for (; i < n && plain1((unsigned char)s[i]); i++)
		d[i] = s[i];
	return i;
}

/* The escape of S[0] (N > 0 bytes left, S[0] not plain) at D, which has
 * room for 6 bytes; *USED gets the bytes of S it stands for (a valid UTF-8
 * sequence is copied as it is).  Every JSON string escape goes through
 * here. */
static size_t escape_one(char *d, const char *s, size_t n, size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	unsigned c = (unsigned char)s[0];
	size_t l;

	*used = 1;
	if (c >= 0x80) {
		l = kt_utf8_seq_len(s, n);
		if (l) {
			memcpy(d, s, l);
			*used = l;
			return l;
		}
		memcpy(d, "\\ufffd", 6);
		return 6;
	}
	d[0] = '\\';
	switch (c) {
	case '"':
	case '\\':
		d[1] = (char)c;
		return 2;
	case '\b':
		d[1] = 'b';
		return 2;
	case '\f':
		d[1] = 'f';
		return 2;
	case '\n':
		d[1] = 'n';
		return 2;
	case '\r':
		d[1] = 'r';
		return 2;
	case '\t':
		d[1] = 't';
		return 2;
	default:
		memcpy(d, "\\u00", 4);
		d[4] = hex[c >> 4];
		d[5] = hex[c & 15];
		return 6;
	}
}

static void quoted(struct jw *w, const char *s, size_t n)
{
	struct kt_buf *b = w->buf;
	char *d;
	size_t i = 0;

	if (!b) {
		emitc(w, '"');
		escape_to(put_jw, w, s, n);
		emitc(w, '"');
		return;
	}
	/* straight into the buffer: plain runs copied as they are checked,
	 * each escape at most 6 bytes for at least one byte of S, so room
	 * for what is left plus 8 always holds the next run, escape, quote */
	d = kt_buf_room(b, n + 8);
	if (!d)
		return;
	*d++ = '"';
	for (;;) {
		size_t k = plain_copy(d, s + i, n - i), used;

		d += k;
		i += k;
		if (i == n)
			break;
		d += escape_one(d, s + i, n - i, &used);
		i += used;
		kt_buf_done(b, d);
		d = kt_buf_room(b, n - i + 8);
		if (!d)
			return;
	}
	*d++ = '"';
	kt_buf_done(b, d);
}

/* A short key with nothing to escape: one write for "key": */
static bool plain_key(struct jw *w, const char *key)
{
	char t[68];
	size_t n = 0;

	for (; key[n]; n++) {
		unsigned char c = (unsigned char)key[n];

		if (n >= 64 || c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
			return false;
		t[n + 1] = (char)c;
	}
	t[0] = '"';
	t[n + 1] = '"';
	t[n + 2] = ':';
	t[n + 3] = ' ';
	emit(w, t, n + 3 + (w->pretty ? 1 : 0));
	return true;
}

void jw_key_lit(struct jw *w, const char *quoted_key, size_t n)
{
	sep(w);
	emit(w, quoted_key, n + 3 + (w->pretty ? 1 : 0));
	w->after_key = true;
}

void jw_key(struct jw *w, const char *key)
{
	sep(w);
	if (!plain_key(w, key)) {
		quoted(w, key, strlen(key));
		emits(w, w->pretty ? ": " : ":");
	}
	w->after_key = true;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	sep(w);
	quoted(w, s, n);
}

void jw_str(struct jw *w, const char *s)
{
	jw_strn(w, s, strlen(s));
}

static const char digit_pairs[201] = "00010203040506070809"
				     "10111213141516171819"
				     "20212223242526272829"
				     "30313233343536373839"
				     "40414243444546474849"
				     "50515253545556575859"
				     "60616263646566676869"
				     "70717273747576777879"
				     "80818283848586878889"
				     "90919293949596979899";

/*
 * Decimal digits without a divide instruction: -Os compiles a division by
 * a constant to "div" (tens of cycles; most of the export's time went to
 * the two per number), so the quotients are the multiply-and-shift the
 * compiler would use at -O2, written out (exact over the whole range;
 * test_json checks them against division).
 */
static inline __attribute__((always_inline)) uint32_t quot100(uint32_t v)
{
	return (uint32_t)(((uint64_t)v * 1374389535u) >> 37);
}

static inline __attribute__((always_inline)) uint64_t quot1e8(uint64_t v)
{
	return (uint64_t)(((unsigned __int128)v * 0xabcc77118461cefdull) >> 90);
}

/* V below 2^32 in decimal, ending just before P; returns where it starts. */
static inline __attribute__((always_inline)) char *dec32_back(char *p, uint32_t v)
{
	while (v >= 100) {
		uint32_t q = quot100(v);

		p -= 2;
		memcpy(p, digit_pairs + 2 * (v - q * 100), 2);
		v = q;
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * v, 2);
	} else {
		*--p = (char)('0' + v);
	}
	return p;
}

/* Exactly 8 digits of V (below 10^8), ending just before P. */
static inline __attribute__((always_inline)) void dec8_back(char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		uint32_t q = quot100(v);

		p -= 2;
		memcpy(p, digit_pairs + 2 * (v - q * 100), 2);
		v = q;
	}
}

/* V in decimal, ending just before P; returns where it starts. */
static inline __attribute__((always_inline)) char *dec64_back(char *p, uint64_t v)
{
	uint64_t hi;

	if (!(v >> 32))
		return dec32_back(p, (uint32_t)v);
	hi = quot1e8(v);
	dec8_back(p, (uint32_t)(v - hi * 100000000));
	p -= 8;
	if (hi >> 32) {
		uint64_t top = quot1e8(hi);

		dec8_back(p, (uint32_t)(hi - top * 100000000));
		p -= 8;
		hi = top;
	}
	return dec32_back(p, (uint32_t)hi);
}

/* V in decimal at the end of B[24]; returns where the digits start. */
static char *u64_dec(char *b, uint64_t v)
{
	/* one past the end, where the digits are written back from */
	// cppcheck-suppress ctuPointerArith
	return dec64_back(b + 24, v);
}

static const uint64_t pow10_tab[20] = {
	1ull,
	10ull,
	100ull,
	1000ull,
	10000ull,
	100000ull,
	1000000ull,
	10000000ull,
	100000000ull,
	1000000000ull,
	10000000000ull,
	100000000000ull,
	1000000000000ull,
	10000000000000ull,
	100000000000000ull,
	1000000000000000ull,
	10000000000000000ull,
	100000000000000000ull,
	1000000000000000000ull,
	10000000000000000000ull,
};

/* Digits of V: from its bit length (log10 2 ~ 1233 / 4096), corrected by
 * one compare. */
static inline __attribute__((always_inline)) unsigned dec_len(uint64_t v)
{
	uint64_t x = v | 1;
	unsigned t = ((64 - (unsigned)__builtin_clzll(x)) * 1233) >> 12;

	return t - (x < pow10_tab[t]) + 1;
}

size_t jw_fmt_u64(char *dst, uint64_t v)
{
	unsigned n = dec_len(v);

	/* straight into DST from its end */
	dec64_back(dst + n, v);
	return n;
}

size_t jw_fmt_fixed(char *dst, uint32_t v, unsigned n)
{
	char *p = dst + n;
	unsigned k = n;

	/* the lengths of the export's times (below a millisecond: three;
	 * below ten milliseconds: four) */
	if (n == 3 || n == 4) {
		uint32_t d = quot100(v);

		if (n == 3)
			dst[0] = (char)('0' + d);
		else
			memcpy(dst, digit_pairs + 2 * d, 2);
		memcpy(dst + n - 2, digit_pairs + 2 * (v - d * 100), 2);
		return n;
	}

	/* two digits at a time, a last odd one */
	for (; k >= 2; k -= 2) {
		uint32_t d = quot100(v);

		p -= 2;
		memcpy(p, digit_pairs + 2 * (v - d * 100), 2);
		v = d;
	}
	if (k)
		p[-1] = (char)('0' + v);
	return n;
}

size_t jw_fmt_udec(char *dst, uint64_t v, unsigned frac)
{
	uint64_t q, f;
	size_t n;

	if (frac > 18)
		frac = 18;
	if (!frac)
		return jw_fmt_u64(dst, v);
	/* integer part, then exactly FRAC digits */
	q = frac == 3 ? (uint64_t)(((unsigned __int128)(v >> 3) * 0x20c49ba5e353f7cfull) >> 68)
		      : v / pow10_tab[frac];
	f = v - q * pow10_tab[frac];
	n = jw_fmt_u64(dst, q);
	dst[n++] = '.';
	if (frac <= 9) {
		jw_fmt_fixed(dst + n, (uint32_t)f, frac);
	} else {
		for (unsigned i = frac; i > 0; i--) {
			dst[n + i - 1] = (char)('0' + f % 10);
			f /= 10;
		}
	}
	return n + frac;
}

void jw_u64(struct jw *w, uint64_t v)
{
	char b[24], *p, *d;

	sep(w);
	if (w->buf && (d = kt_buf_room(w->buf, 20))) {
		kt_buf_done(w->buf, d + jw_fmt_u64(d, v));
		return;
	}
	p = u64_dec(b, v);
	emit(w, p, (size_t)(b + 24 - p));
}

void jw_i64(struct jw *w, int64_t v)
{
	char b[25], *p = u64_dec(b + 1, v < 0 ? -(uint64_t)v : (uint64_t)v);

	if (v < 0)
		*--p = '-';
	sep(w);
	emit(w, p, (size_t)(b + 25 - p));
}

void jw_udec(struct jw *w, uint64_t v, unsigned frac)
{
	char b[48];

	sep(w);
	emit(w, b, jw_fmt_udec(b, v, frac));
}

void jw_double(struct jw *w, double v)
{
	char b[40];
	int n;

	sep(w);
	if (!isfinite(v)) {
		emit(w, "null", 4);
		return;
	}
	/* shortest form that round-trips, always with a fraction or exponent */
	for (int prec = 6; prec <= 17; prec++) {
		n = snprintf(b, sizeof(b), "%.*g", prec, v);
		double back;

		if (sscanf(b, "%lf", &back) == 1 && back == v)
			break;
	}
	if (!strpbrk(b, ".eEn"))
		n += snprintf(b + n, sizeof(b) - (size_t)n, ".0");
	emit(w, b, (size_t)n);
}

/*
 * V / 10^FRAC as jw_double() writes it (the shortest form that reads back,
 * ".0" when whole), without its printf/scanf round trips: within
 * [1e-4, 1e6) %g never takes an exponent and a decimal of at most 15
 * significant digits is the shortest that reads back as itself, so the
 * digits of V with the fraction's trailing zeros cut are exactly that
 * form.  Outside that range: jw_double().  (test_scxexit checks both agree.)
 */
void jw_udec_g(struct jw *w, uint64_t v, unsigned frac)
{
	uint64_t scale = 1;
	char d[48];
	size_t n = 0, i;

	for (i = 0; i < frac; i++)
		scale *= 10;
	if (frac > 9 || v < (scale >= 10000 ? scale / 10000 : 1) || v >= scale * 1000000) {
		jw_double(w, (double)v / (double)scale);
		return;
	}
	/* integer part, '.', the fraction without trailing zeros (at least one digit) */
	{
		char t[24], *p = t + sizeof(t);
		/* the callers' fractions as constants: no divide instruction */
		uint64_t ip = frac == 6 ? v / 1000000 : frac == 3 ? v / 1000 : v / scale;
		uint64_t fp = v - ip * scale;

		do
			*--p = (char)('0' + ip % 10);
		while (ip /= 10);
		n = (size_t)(t + sizeof(t) - p);
		memcpy(d, p, n);
		d[n++] = '.';
		for (i = frac; i > 0; i--) {
			d[n + i - 1] = (char)('0' + fp % 10);
			fp /= 10;
		}
		n += frac ? frac : 1;
		if (!frac)
			d[n - 1] = '0';
		while (d[n - 1] == '0' && d[n - 2] != '.')
			n--;
	}
	jw_raw(w, d, n);
}

void jw_bool(struct jw *w, bool v)
{
	sep(w);
	emits(w, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	sep(w);
	emit(w, "null", 4);
}

void jw_raw(struct jw *w, const char *s, size_t n)
{
	sep(w);
	emit(w, s, n);
}

struct kt_buf *jw_raw_buf(struct jw *w)
{
	if (!w->buf || w->pretty)
		return NULL;
	sep(w);
	return w->buf;
}

char *jw_raw_room(struct jw *w, size_t n)
{
	bool comma = false;
	char *p;

	if (!w->buf || w->pretty)
		return NULL;
	/* sep(), the comma put here rather than emitted */
	if (w->after_key) {
		w->after_key = false;
	} else if (w->depth) {
		comma = w->need_comma[w->depth];
		w->need_comma[w->depth] = true;
	}
	p = kt_buf_room(w->buf, n + 1);
	if (!p)
		return NULL;
	if (comma) {
		*p++ = ',';
		w->buf->len++;
	}
	return p;
}

void jw_newline(struct jw *w)
{
	emit(w, "\n", 1);
}

void jw_khex(struct jw *w, const char *k, uint64_t v)
{
	char b[18] = "0x";

	jw_key(w, k);
	jw_strn(w, b, 2 + kt_hex(b + 2, v, 1));
}
