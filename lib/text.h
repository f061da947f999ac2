/* SPDX-License-Identifier: MIT */
/*
 * Byte-level text helpers shared by the parsers: UTF-8, digits, blanks.
 *
 * Where a parser needs other rules on purpose, they live with it and say
 * why: hc_trim() is Rust's str::trim (Unicode White_Space, for ktstr
 * parity), hc_parse_u64() Rust's u64::from_str (a leading '+' allowed),
 * kt_parse_u64() reads option values (decimal or 0x hex, whole string),
 * and JSON's whitespace is its own four characters (jsonr.c).
 */
#ifndef KT_TEXT_H
#define KT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Streaming UTF-8 validator (RFC 3629: no overlongs, no surrogates, at
 * most U+10FFFF).  Start from a zeroed state; kt_u8_step returns 0 when a
 * character is complete, 1 when more bytes are needed, -1 on an invalid
 * byte.  A stream ends valid when st.need is 0.
 */
struct kt_u8 {
	unsigned need;
	unsigned char lo, hi;
};
int kt_u8_step(struct kt_u8 *st, unsigned char c);

/* Length of the valid UTF-8 sequence starting at S (N bytes left), or 0
 * when the bytes there are not one. */
size_t kt_utf8_seq_len(const char *s, size_t n);

static inline bool kt_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ASCII whitespace: space, \t \n \v \f \r (C's isspace in the C locale). */
static inline bool kt_is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/*
 * The decimal number at S[*I] (N bytes in all), at most 19 digits, so it
 * cannot overflow: false when there is none or it is longer.  *I moves
 * past it.
 */
bool kt_scan_dec(const char *s, size_t n, size_t *i, uint64_t *v);

/*
 * The first byte of S[0..N) that is A or B, or NULL: memchr for two bytes
 * in one pass (a line's end and a NUL inside it, say), or for one (A ==
 * B) where spans are short: musl's memchr costs more there.  Reads
 * nothing outside S[0..N).
 */
const char *kt_memchr2(const char *s, size_t n, char a, char b);

/* Trim ASCII whitespace in place (a NUL-terminated string). */
char *kt_trim(char *s);
/* Length of S[0..N) without trailing ASCII whitespace and NUL bytes. */
size_t kt_rtrim_len(const char *s, size_t n);

/* Value of a hex digit, -1 for anything else: one table load (the
 * address digits of kallsyms and of every stack frame go through it). */
extern const unsigned char kt_hex1[256];
static inline int kt_hexval(unsigned char c)
{
	return (int)kt_hex1[c] - 1;
}

/*
 * V in lowercase hex, no prefix, at least WIDTH (1..16) digits, into D
 * (16 bytes, not terminated); returns the digit count.
 */
size_t kt_hex(char *d, uint64_t v, int width);

/*
 * Write S (N bytes) for a terminal: control bytes (< 0x20, 0x7f) as \xNN,
 * so input text cannot forge lines or fields in human output.
 */
#include <stdio.h>
void kt_fput_esc(FILE *fp, const char *s, size_t n);
static inline void kt_fputs_esc(FILE *fp, const char *s)
{
	kt_fput_esc(fp, s, __builtin_strlen(s));
}
/* The same into a buffer. */
struct kt_buf;
void kt_buf_put_esc(struct kt_buf *b, const char *s, size_t n);

#endif
