/* SPDX-License-Identifier: MIT */
/* Byte-level text helpers shared by the parsers: UTF-8 and hex digits. */
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

/* Value of a hex digit, -1 for anything else. */
static inline int kt_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * V in lowercase hex, no prefix, at least WIDTH (1..16) digits, into D
 * (16 bytes, not terminated); returns the digit count.
 */
size_t kt_hex(char *d, uint64_t v, int width);

#endif
