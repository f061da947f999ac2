// SPDX-License-Identifier: MIT
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "buf.h"
#include "text.h"

/* a hex digit's value + 1 (the zero fill: not a digit) */
const unsigned char kt_hex1[256] = {
	['0'] = 1,  ['1'] = 2,	['2'] = 3,  ['3'] = 4,	['4'] = 5,  ['5'] = 6,
	['6'] = 7,  ['7'] = 8,	['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
	['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

int kt_u8_step(struct kt_u8 *st, unsigned char c)
{
	if (st->need) {
		if (c < st->lo || c > st->hi)
			return -1;
		st->lo = 0x80;
		st->hi = 0xbf;
		return --st->need ? 1 : 0;
	}
	st->lo = 0x80;
	st->hi = 0xbf;
	if (c < 0x80)
		return 0;
	if (c >= 0xc2 && c <= 0xdf)
		st->need = 1;
	else if (c >= 0xe0 && c <= 0xef)
		st->need = 2;
	else if (c >= 0xf0 && c <= 0xf4)
		st->need = 3;
	else
		return -1;
	if (c == 0xe0)
		st->lo = 0xa0; /* no overlongs */
	else if (c == 0xed)
		st->hi = 0x9f; /* no surrogates */
	else if (c == 0xf0)
		st->lo = 0x90;
	else if (c == 0xf4)
		st->hi = 0x8f; /* <= U+10FFFF */
	return 1;
}

size_t kt_utf8_seq_len(const char *s, size_t n)
{
	struct kt_u8 st = {0};

	for (size_t i = 0; i < n && i < 4; i++) {
		int r = kt_u8_step(&st, (unsigned char)s[i]);

		if (r < 0)
			return 0;
		if (r == 0)
			return i + 1;
	}
	return 0;
}

size_t kt_hex(char *d, uint64_t v, int width)
{
	char t[16];
	int n = 0;

	do {
		t[15 - n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n < width && n < 16)
		t[15 - n++] = '0';
	memcpy(d, t + 16 - n, (size_t)n);
	return (size_t)n;
}

bool kt_scan_dec(const char *s, size_t n, size_t *i, uint64_t *v)
{
	size_t j = *i;
	uint64_t x = 0;

	while (j < n && kt_is_digit(s[j]) && j - *i < 19)
		x = x * 10 + (uint64_t)(s[j++] - '0');
	if (j == *i || (j < n && kt_is_digit(s[j])))
		return false;
	*i = j;
	*v = x;
	return true;
}

char *kt_trim(char *s)
{
	size_t n;

	while (kt_is_space(*s))
		s++;
	n = strlen(s);
	while (n && kt_is_space(s[n - 1]))
		s[--n] = '\0';
	return s;
}

size_t kt_rtrim_len(const char *s, size_t n)
{
	while (n && (kt_is_space(s[n - 1]) || !s[n - 1]))
		n--;
	return n;
}

/* The escape rule of the two below: the plain run's length, and one
 * byte's "\xNN" (4 bytes into E). */
static size_t esc_plain(const char *s, size_t n)
{
	size_t j = 0;

	while (j < n && (unsigned char)s[j] >= 0x20 && s[j] != 0x7f)
		j++;
	return j;
}

static void esc_byte(char e[4], unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	e[0] = '\\';
	e[1] = 'x';
	e[2] = hex[c >> 4];
	e[3] = hex[c & 15];
}

void kt_buf_put_esc(struct kt_buf *b, const char *s, size_t n)
{
	char e[4];

	for (size_t i = 0, j; i < n; i = j + 1) {
		j = i + esc_plain(s + i, n - i);
		kt_buf_put(b, s + i, j - i);
		if (j == n)
			break;
		esc_byte(e, (unsigned char)s[j]);
		kt_buf_put(b, e, 4);
	}
}

void kt_fput_esc(FILE *fp, const char *s, size_t n)
{
	char e[4];

	for (size_t i = 0, j; i < n; i = j + 1) {
		j = i + esc_plain(s + i, n - i);
		fwrite(s + i, 1, j - i, fp);
		if (j == n)
			break;
		esc_byte(e, (unsigned char)s[j]);
		fwrite(e, 1, 4, fp);
	}
}

const char *kt_memchr2(const char *s, size_t n, char a, char b)
{
	size_t i = 0;

#ifdef __SSE2__
	/* sixteen at a time: libc's memchr twice over short lines cost more */
	const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b);

	for (; i + 16 <= n; i += 16) {
		__m128i x = _mm_loadu_si128((const void *)(s + i));
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)));

		if (m)
			return s + i + (unsigned)__builtin_ctz(m);
	}
#endif
	for (; i < n; i++)
		if (s[i] == a || s[i] == b)
			return s + i;
	return NULL;
}
