// SPDX-License-Identifier: MIT
/* JSON writer: escaping table, nesting, integers, pretty form, bad UTF-8. */
#include <inttypes.h>
#include <stdint.h>

#include "json.h"
#include "tap.h"

static const char *esc(const char *s, size_t n)
{
	static struct kt_buf b;

	kt_buf_reset(&b);
	jw_escape(&b, s, n);
	return b.p ? b.p : "";
}

static void test_escaping(void)
{
	static const struct {
		const char *in;
		size_t n;
		const char *out;
	} t[] = {
		{"plain", 5, "plain"},
		{"q\"b\\", 4, "q\\\"b\\\\"},
		{"\b\f\n\r\t", 5, "\\b\\f\\n\\r\\t"},
		{"\x01\x1f", 2, "\\u0001\\u001f"},
		{"nul\0x", 5, "nul\\u0000x"},
		{"\x7f", 1, "\x7f"},
		{"/", 1, "/"},
		{"caf\xc3\xa9", 5, "caf\xc3\xa9"},			 /* valid 2-byte */
		{"\xe2\x86\x92", 3, "\xe2\x86\x92"},			 /* → */
		{"\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80"},		 /* 4-byte */
		{"\xff", 1, "\\ufffd"},					 /* invalid byte */
		{"a\xc3", 2, "a\\ufffd"},				 /* truncated seq */
		{"\xc0\xaf", 2, "\\ufffd\\ufffd"},			 /* overlong */
		{"\xed\xa0\x80", 3, "\\ufffd\\ufffd\\ufffd"},		 /* surrogate */
		{"\xf4\x90\x80\x80", 4, "\\ufffd\\ufffd\\ufffd\\ufffd"}, /* > U+10FFFF */
		{"\xe2\x28\xa1", 3, "\\ufffd(\\ufffd"},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		is_str(esc(t[i].in, t[i].n), t[i].out, "escape case %zu", i);

	/* every control character is escaped */
	int all = 1;
	for (int c = 0; c < 0x20; c++) {
		char in = (char)c;
		const char *o = esc(&in, 1);

		if (o[0] != '\\' || strlen(o) < 2)
			all = 0;
	}
	ok(all, "all 32 control characters escaped");
}

static void test_nesting(void)
{
	struct kt_buf b = {0};
	struct jw w;

	jw_init_buf(&w, &b, 0);
	jw_obj_open(&w);
	jw_kstr(&w, "a", "x");
	jw_key(&w, "arr");
	jw_arr_open(&w);
	jw_u64(&w, 1);
	jw_obj_open(&w);
	jw_obj_close(&w);
	jw_arr_open(&w);
	jw_arr_close(&w);
	jw_bool(&w, true);
	jw_null(&w);
	jw_arr_close(&w);
	jw_key(&w, "o");
	jw_obj_open(&w);
	jw_ki64(&w, "neg", -5);
	jw_obj_close(&w);
	jw_obj_close(&w);
	is_str(b.p, "{\"a\":\"x\",\"arr\":[1,{},[],true,null],\"o\":{\"neg\":-5}}",
	       "compact nesting, no trailing commas");

	kt_buf_reset(&b);
	jw_init_buf(&w, &b, 1);
	jw_obj_open(&w);
	jw_kstr(&w, "k", "v");
	jw_key(&w, "m");
	jw_obj_open(&w);
	jw_ku64(&w, "x", 2);
	jw_obj_close(&w);
	jw_key(&w, "e");
	jw_arr_open(&w);
	jw_arr_close(&w);
	jw_obj_close(&w);
	is_str(b.p, "{\n  \"k\": \"v\",\n  \"m\": {\n    \"x\": 2\n  },\n  \"e\": []\n}",
	       "pretty form indents by two");
	kt_buf_free(&b);
}

static void test_numbers(void)
{
	struct kt_buf b = {0};
	struct jw w;

	jw_init_buf(&w, &b, 0);
	jw_arr_open(&w);
	jw_u64(&w, UINT64_MAX);
	jw_i64(&w, INT64_MIN);
	jw_i64(&w, INT64_MAX);
	jw_u64(&w, 0);
	jw_double(&w, 1.5);
	jw_double(&w, 3.0);
	jw_double(&w, 0.1);
	jw_double(&w, 1234.567890);
	jw_double(&w, 1.0 / 0.0);
	jw_arr_close(&w);
	is_str(b.p,
	       "[18446744073709551615,-9223372036854775808,9223372036854775807,0,"
	       "1.5,3.0,0.1,1234.56789,null]",
	       "u64/i64 extremes without loss; doubles shortest round-trip; inf -> null");
	kt_buf_free(&b);
}

static void test_file_sink(void)
{
	char *out = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&out, &n);
	struct jw w;

	jw_init_file(&w, fp, 0);
	jw_obj_open(&w);
	jw_kstr(&w, "k\n", "\xff");
	jw_obj_close(&w);
	jw_newline(&w);
	fclose(fp);
	is_str(out, "{\"k\\n\":\"\\ufffd\"}\n", "FILE sink, keys escaped too");
	free(out);
}

/* The number formatters against printf: every power of ten and its
 * neighbours, the 32-bit and 64-bit edges, and pseudo-random values of
 * every length (the quotients are multiply-and-shift, not division). */
static int fmt_matches(uint64_t v, char *why, size_t whyn)
{
	char got[48], want[48];
	size_t n;
	struct kt_buf b = {0};
	struct jw w;

	n = jw_fmt_u64(got, v);
	got[n] = '\0';
	snprintf(want, sizeof(want), "%" PRIu64, v);
	if (strcmp(got, want)) {
		snprintf(why, whyn, "jw_fmt_u64 %s, not %s", got, want);
		return 0;
	}
	jw_init_buf(&w, &b, 0);
	jw_u64(&w, v);
	if (!b.p || strcmp(b.p, want)) {
		snprintf(why, whyn, "jw_u64 %s, not %s", b.p ? b.p : "", want);
		kt_buf_free(&b);
		return 0;
	}
	kt_buf_free(&b);
	for (unsigned frac = 1; frac <= 12; frac++) {
		uint64_t scale = 1;

		for (unsigned i = 0; i < frac; i++)
			scale *= 10;
		n = jw_fmt_udec(got, v, frac);
		got[n] = '\0';
		snprintf(want, sizeof(want), "%" PRIu64 ".%0*" PRIu64, v / scale, (int)frac,
			 v % scale);
		if (strcmp(got, want)) {
			snprintf(why, whyn, "jw_fmt_udec(%u) %s, not %s", frac, got, want);
			return 0;
		}
	}
	return 1;
}

static void test_number_formats(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull, p = 1, bad = 0;
	char why[160] = "";
	size_t checked = 0;

	for (int e = 0; e < 20 && !bad; e++, p *= 10)
		for (int d = -2; d <= 2 && !bad; d++, checked++)
			if (!fmt_matches(p + (uint64_t)(int64_t)d, why, sizeof(why)))
				bad = 1;
	{
		static const uint64_t edges[] = {0,
						 1,
						 99,
						 100,
						 UINT32_MAX - 1,
						 UINT32_MAX,
						 (uint64_t)UINT32_MAX + 1,
						 99999999999999999ull,
						 UINT64_MAX - 1,
						 UINT64_MAX};

		for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]) && !bad; i++, checked++)
			if (!fmt_matches(edges[i], why, sizeof(why)))
				bad = 1;
	}
	for (int i = 0; i < 200000 && !bad; i++, checked++) {
		/* xorshift, then a random number of significant bits */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (!fmt_matches(x >> (x % 64), why, sizeof(why)))
			bad = 1;
	}
	ok(!bad, "jw_fmt_u64, jw_u64 and jw_fmt_udec write what printf does (%zu values)%s%s",
	   checked, bad ? ": " : "", why);
}

/*
 * A string value written into a buffer (plain runs copied as they are
 * checked, escapes in place) is what jw_escape() makes of it: strings of
 * every length to 70 from a small alphabet of plain bytes, every escape,
 * valid and broken UTF-8, with the bytes that need care at every offset
 * (the 16-byte blocks, their overlapping last block, the 8-byte steps).
 */
static void test_string_paths(void)
{
	static const char alpha[] = {'a',    ' ',    '"',    '\\',   '\n',   '\x01', '\x1f', '\x7f',
				     '\xc3', '\xa9', '\xe2', '\x86', '\x92', '\xff', '\0',   'Z'};
	uint64_t x = 0x2545f4914f6cdd1dull;
	size_t bad = 0, checked = 0;
	char s[70], want[512];
	struct kt_buf e = {0}, b = {0};
	struct jw w;

	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)round % sizeof(s);
		/* mostly plain: one in 2^(round % 5) bytes from the whole alphabet */
		unsigned sparse = (unsigned)(round / (int)sizeof(s)) % 5;

		for (size_t i = 0; i < n; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			s[i] = (x >> 40) & ((1u << sparse) - 1) ? (char)('a' + (x >> 8) % 26)
								: alpha[(x >> 20) % sizeof(alpha)];
		}
		kt_buf_reset(&e);
		jw_escape(&e, s, n);
		snprintf(want, sizeof(want), "\"%s\"", e.p ? e.p : "");
		kt_buf_reset(&b);
		jw_init_buf(&w, &b, 0);
		jw_strn(&w, s, n);
		checked++;
		if (!b.p || strcmp(b.p, want) || b.len != strlen(want)) {
			if (!bad)
				printf("#   length %zu: %s, not %s\n", n, b.p ? b.p : "(null)",
				       want);
			bad++;
		}
	}
	ok(!bad, "buffer strings == jw_escape (%zu strings, %zu differ)", checked, bad);
	kt_buf_free(&e);
	kt_buf_free(&b);
}

int main(void)
{
	test_escaping();
	test_nesting();
	test_numbers();
	test_file_sink();
	test_string_paths();
	test_number_formats();
	return tap_done();
}
