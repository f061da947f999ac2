// SPDX-License-Identifier: MIT
/* The strict JSON reader: accepted documents, rejections with offsets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonr.h"
#include "tap.h"

static void good(const char *s, const char *what)
{
	struct jr_val v;
	struct jr_err e = {0};
	int r = jr_parse(s, strlen(s), &v, &e);

	ok(!r, "accepts %s", what);
	if (r)
		printf("#   at %zu: %s\n", e.off, e.msg);
	else
		jr_free(&v);
}

static void bad(const char *s, size_t len, long off, const char *what)
{
	struct jr_val v;
	struct jr_err e = {0};
	int r = jr_parse(s, len, &v, &e);

	ok(r == -1 && (off < 0 || e.off == (size_t)off), "rejects %s (at %zu: %s)", what, e.off,
	   e.msg);
}

#define BAD(s, off, what) bad(s, sizeof(s) - 1, off, what)

static void test_values(void)
{
	struct jr_val v;
	struct jr_err e;
	const char *s =
		" {\"a\":[1,-2,3.5e1,true,false,null,\"\\u00e9\\ud83d\\ude00\\n\"],\"b\":{}} ";

	ok(!jr_parse(s, strlen(s), &v, &e), "parses a mixed document");
	ok(v.type == JR_OBJECT && v.obj.n == 2 && !strcmp(v.obj.m[0].key, "a"),
	   "object members in order");
	ok(v.obj.m[0].val.type == JR_ARRAY && v.obj.m[0].val.arr.n == 7, "array of 7");
	ok(v.obj.m[0].val.arr.v[0].num.is_u64 && v.obj.m[0].val.arr.v[0].num.u == 1, "1 is a u64");
	ok(!v.obj.m[0].val.arr.v[1].num.is_u64, "-2 is not a u64");
	ok(!v.obj.m[0].val.arr.v[2].num.is_u64 && v.obj.m[0].val.arr.v[2].num.d == 35.0,
	   "3.5e1 = 35.0");
	is_str(v.obj.m[0].val.arr.v[6].str.s, "\xc3\xa9\xf0\x9f\x98\x80\n",
	       "escapes and surrogate pairs decode");
	ok(v.obj.m[1].val.off == 62, "value offsets recorded (%zu)", v.obj.m[1].val.off);
	ok(jr_get(&v, "b") == &v.obj.m[1].val && !jr_get(&v, "c") && !jr_get(&v.obj.m[0].val, "a"),
	   "jr_get: member, absent, not an object");
	jr_free(&v);
	s = "18446744073709551615";
	ok(!jr_parse(s, strlen(s), &v, &e) && v.num.is_u64 && v.num.u == UINT64_MAX, "u64 max");
	s = "18446744073709551616";
	ok(!jr_parse(s, strlen(s), &v, &e) && !v.num.is_u64, "u64 overflow is a number, not a u64");
}

static void test_strict(void)
{
	char deep[300];

	good("0", "a bare number");
	good("\"\xe2\x86\x92\"", "raw UTF-8 in strings");
	good("[ ]", "empty array with space");
	BAD("", 0, "empty input");
	BAD("   ", 3, "whitespace only");
	BAD("{\"a\":1,}", 7, "trailing comma in object");
	BAD("[1,]", 3, "trailing comma in array");
	BAD("{'a':1}", 1, "single quotes");
	BAD("{a:1}", 1, "bare key");
	BAD("01", 1, "leading zero");
	BAD("-", 1, "lone minus");
	BAD("1.", 2, "no digit after the point");
	BAD("1e", 2, "no exponent digits");
	BAD("+1", 0, "plus sign");
	BAD("NaN", 0, "NaN");
	BAD("tru", 0, "truncated literal");
	BAD("\"abc", 0, "unterminated string");
	BAD("\"a\tb\"", 2, "raw tab in string");
	BAD("\"\\x\"", 1, "unknown escape");
	BAD("\"\\u12G4\"", 5, "bad hex digit");
	BAD("\"\\ud800\"", 1, "lone leading surrogate");
	BAD("\"\\udc00\"", 1, "lone trailing surrogate");
	BAD("\"\\ud800\\u0041\"", 1, "leading surrogate + non-surrogate");
	BAD("\"\\u0000\"", 1, "escaped NUL (values are C strings)");
	BAD("\"\xff\"", 1, "invalid UTF-8");
	BAD("\"\xc0\xaf\"", 1, "overlong UTF-8");
	BAD("\"\xed\xa0\x80\"", 1, "UTF-8 surrogate");
	BAD("\"\xe2\x86\"", 1, "truncated UTF-8");
	BAD("{} x", 3, "trailing characters");
	BAD("{}{}", 2, "two documents");
	BAD("[1 2]", 3, "missing comma");
	BAD("{\"a\" 1}", 5, "missing colon");
	BAD("/*c*/{}", 0, "comments");
	BAD("{\"a\":1", 6, "unterminated object");
	memset(deep, '[', sizeof(deep));
	bad(deep, 200, 128, "nesting deeper than 128");
	memset(deep, '[', 128);
	memset(deep + 128, ']', 128);
	deep[256] = '\0';
	good(deep, "nesting of exactly 128");
}

int main(void)
{
	test_values();
	test_strict();
	return tap_done();
}
