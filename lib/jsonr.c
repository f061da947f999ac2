// SPDX-License-Identifier: MIT
/* Strict JSON reader (see jsonr.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonr.h"
#include "text.h"

#define JR_MAX_DEPTH 128

struct jp {
	const unsigned char *s;
	size_t n, i;
	int depth;
	struct jr_err *err;
};

int jr_fail(struct jr_err *err, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->off = off;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

const char *jr_type_name(enum jr_type t)
{
	static const char *const names[] = {"null",   "boolean", "number",
					    "string", "array",	 "object"};

	return (unsigned)t < 6 ? names[t] : "?";
}

static void skip_ws(struct jp *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' ||
			       p->s[p->i] == '\r'))
		p->i++;
}

static int fail_here(struct jp *p, const char *what)
{
	if (p->i >= p->n)
		return jr_fail(p->err, p->i, "unexpected end of input, expected %s", what);
	return jr_fail(p->err, p->i, "expected %s", what);
}

static int parse_value(struct jp *p, struct jr_val *v);

static int lit(struct jp *p, const char *word)
{
	size_t k = strlen(word);

	if (p->n - p->i < k || memcmp(p->s + p->i, word, k))
		return fail_here(p, "a value");
	p->i += k;
	return 0;
}

static bool digit(struct jp *p)
{
	return p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9';
}

static int parse_number(struct jp *p, struct jr_val *v)
{
	size_t start = p->i;
	bool plain = true, ovf = false;
	uint64_t u = 0;
	char tmp[64];

	v->type = JR_NUMBER;
	if (p->s[p->i] == '-') {
		plain = false;
		p->i++;
	}
	if (!digit(p))
		return fail_here(p, "a digit");
	if (p->s[p->i] == '0') {
		p->i++;
		if (digit(p))
			return jr_fail(p->err, p->i, "leading zero in number");
	} else {
		while (digit(p)) {
			unsigned d = p->s[p->i++] - '0';

			ovf |= u > (UINT64_MAX - d) / 10;
			u = u * 10 + d;
		}
	}
	if (p->i < p->n && p->s[p->i] == '.') {
		plain = false;
		p->i++;
		if (!digit(p))
			return fail_here(p, "a digit after '.'");
		while (digit(p))
			p->i++;
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		plain = false;
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		if (!digit(p))
			return fail_here(p, "a digit in the exponent");
		while (digit(p))
			p->i++;
	}
	v->num.is_u64 = plain && !ovf;
	v->num.u = v->num.is_u64 ? u : 0;
	snprintf(tmp, sizeof(tmp), "%.*s", (int)(p->i - start), (const char *)p->s + start);
	v->num.d = strtod(tmp, NULL);
	return 0;
}

static int hex4(struct jp *p, unsigned *out)
{
	unsigned v = 0;

	if (p->n - p->i < 4)
		return jr_fail(p->err, p->i, "truncated \\u escape");
	for (int k = 0; k < 4; k++) {
		int d = kt_hexval(p->s[p->i + k]);

		if (d < 0)
			return jr_fail(p->err, p->i + k, "invalid hex digit in \\u escape");
		v = v << 4 | (unsigned)d;
	}
	p->i += 4;
	*out = v;
	return 0;
}

static void put_utf8(char *o, size_t *k, unsigned cp)
{
	if (cp < 0x80) {
		o[(*k)++] = (char)cp;
	} else if (cp < 0x800) {
		o[(*k)++] = (char)(0xc0 | cp >> 6);
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		o[(*k)++] = (char)(0xe0 | cp >> 12);
		o[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		o[(*k)++] = (char)(0xf0 | cp >> 18);
		o[(*k)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	}
}

static int parse_escape(struct jp *p, char *o, size_t *k)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	size_t at = p->i - 1;
	unsigned cp, lo;
	const char *e;

	if (p->i >= p->n)
		return fail_here(p, "an escape");
	e = memchr(from, p->s[p->i], sizeof(from) - 1);
	if (e) {
		o[(*k)++] = to[e - from];
		p->i++;
		return 0;
	}
	if (p->s[p->i++] != 'u')
		return jr_fail(p->err, at, "invalid escape");
	if (hex4(p, &cp))
		return -1;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return jr_fail(p->err, at, "lone trailing surrogate");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (p->n - p->i < 2 || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u')
			return jr_fail(p->err, at, "lone leading surrogate");
		p->i += 2;
		if (hex4(p, &lo))
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return jr_fail(p->err, at, "invalid surrogate pair");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (!cp)
		return jr_fail(p->err, at, "NUL character in string not supported");
	put_utf8(o, k, cp);
	return 0;
}

/* Raw UTF-8 sequence at p->i: copy it, or fail. */
static int copy_utf8(struct jp *p, char *o, size_t *k)
{
	size_t len = kt_utf8_seq_len((const char *)p->s + p->i, p->n - p->i);

	if (!len)
		return jr_fail(p->err, p->i, "invalid UTF-8");
	memcpy(o + *k, p->s + p->i, len);
	*k += len;
	p->i += len;
	return 0;
}

static int parse_string(struct jp *p, char **out, size_t *outlen)
{
	size_t start = p->i, k = 0, end;
	char *o;

	p->i++; /* opening quote */
	/* decoded text is never longer than the raw text */
	for (end = p->i; end < p->n && p->s[end] != '"'; end++)
		if (p->s[end] == '\\')
			end++;
	o = malloc(end - p->i + 1);
	if (!o)
		return jr_fail(p->err, start, "out of memory");
	for (;;) {
		unsigned char c;

		if (p->i >= p->n) {
			jr_fail(p->err, start, "unterminated string");
			goto fail;
		}
		c = p->s[p->i];
		if (c == '"')
			break;
		if (c < 0x20) {
			jr_fail(p->err, p->i, "control character in string");
			goto fail;
		}
		if (c == '\\') {
			p->i++;
			if (parse_escape(p, o, &k))
				goto fail;
		} else if (c < 0x80) {
			o[k++] = (char)c;
			p->i++;
		} else if (copy_utf8(p, o, &k)) {
			goto fail;
		}
	}
	p->i++;
	o[k] = '\0';
	*out = o;
	*outlen = k;
	return 0;
fail:
	free(o);
	return -1;
}

static void *grow(void *v, size_t n, size_t *cap, size_t sz)
{
	void *nv;

	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 4;
	nv = realloc(v, *cap * sz);
	if (!nv)
		*cap = n;
	return nv;
}

static int expect(struct jp *p, char c, const char *what)
{
	skip_ws(p);
	if (p->i < p->n && p->s[p->i] == c) {
		p->i++;
		return 0;
	}
	return fail_here(p, what);
}

/* After an element: ',' (more) or CLOSE (done).  1 more, 0 done, -1. */
static int next_or_close(struct jp *p, char close)
{
	skip_ws(p);
	if (p->i < p->n && p->s[p->i] == ',') {
		p->i++;
		return 1;
	}
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
		return 0;
	}
	return fail_here(p, close == ']' ? "',' or ']'" : "',' or '}'");
}

static int parse_member(struct jp *p, struct jr_member *m)
{
	size_t len;

	skip_ws(p);
	if (p->i >= p->n || p->s[p->i] != '"')
		return fail_here(p, "a string key");
	m->key_off = p->i;
	if (parse_string(p, &m->key, &len))
		return -1;
	if (expect(p, ':', "':'"))
		return -1;
	return parse_value(p, &m->val);
}

/* '[' elements ']' or '{' members '}': one loop for both. */
static int parse_container(struct jp *p, struct jr_val *v)
{
	bool obj = p->s[p->i] == '{';
	char close = obj ? '}' : ']';
	size_t cap = 0, *n = obj ? &v->obj.n : &v->arr.n;
	void **items = obj ? (void **)&v->obj.m : (void **)&v->arr.v;
	size_t sz = obj ? sizeof(*v->obj.m) : sizeof(*v->arr.v);
	char *slot;
	void *nv;
	int r;

	v->type = obj ? JR_OBJECT : JR_ARRAY;
	p->i++;
	skip_ws(p);
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
		return 0;
	}
	do {
		nv = grow(*items, *n, &cap, sz);
		if (!nv)
			return jr_fail(p->err, p->i, "out of memory");
		*items = nv;
		slot = (char *)nv + *n * sz;
		memset(slot, 0, sz);
		r = obj ? parse_member(p, (struct jr_member *)slot)
			: parse_value(p, (struct jr_val *)slot);
		(*n)++; /* count it so jr_free sees partial items */
		if (r)
			return -1;
	} while ((r = next_or_close(p, close)) == 1);
	return r;
}

static int parse_value(struct jp *p, struct jr_val *v)
{
	int r;

	memset(v, 0, sizeof(*v));
	skip_ws(p);
	v->off = p->i;
	if (p->i >= p->n)
		return fail_here(p, "a value");
	switch (p->s[p->i]) {
	case '{':
	case '[':
		if (++p->depth > JR_MAX_DEPTH)
			return jr_fail(p->err, p->i, "nesting deeper than %d", JR_MAX_DEPTH);
		r = parse_container(p, v);
		p->depth--;
		return r;
	case '"':
		v->type = JR_STRING;
		return parse_string(p, &v->str.s, &v->str.len);
	case 't':
		v->type = JR_BOOL;
		v->b = true;
		return lit(p, "true");
	case 'f':
		v->type = JR_BOOL;
		return lit(p, "false");
	case 'n':
		return lit(p, "null");
	default:
		if (p->s[p->i] == '-' || digit(p))
			return parse_number(p, v);
		return fail_here(p, "a value");
	}
}

int jr_parse(const char *s, size_t n, struct jr_val *root, struct jr_err *err)
{
	struct jp p = {(const unsigned char *)s, n, 0, 0, err};

	if (parse_value(&p, root))
		goto fail;
	skip_ws(&p);
	if (p.i < n) {
		jr_fail(err, p.i, "trailing characters after the document");
		goto fail;
	}
	return 0;
fail:
	jr_free(root);
	return -1;
}

const struct jr_val *jr_get(const struct jr_val *obj, const char *key)
{
	const struct jr_val *found = NULL;

	if (!obj || obj->type != JR_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->obj.n; i++)
		if (!strcmp(obj->obj.m[i].key, key))
			found = &obj->obj.m[i].val;
	return found;
}

void jr_free(struct jr_val *v)
{
	switch (v->type) {
	case JR_STRING:
		free(v->str.s);
		break;
	case JR_ARRAY:
		for (size_t i = 0; i < v->arr.n; i++)
			jr_free(&v->arr.v[i]);
		free(v->arr.v);
		break;
	case JR_OBJECT:
		for (size_t i = 0; i < v->obj.n; i++) {
			free(v->obj.m[i].key);
			jr_free(&v->obj.m[i].val);
		}
		free(v->obj.m);
		break;
	default:
		break;
	}
	memset(v, 0, sizeof(*v));
}
