// SPDX-License-Identifier: MIT
/* The BTF value renderer (see btfdump.h). */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "btfdump.h"

#define MAX_HOPS 32 /* typedef/modifier chains */
#ifndef BTF_KIND_TYPE_TAG
#define BTF_KIND_TYPE_TAG 18
#endif
#ifndef BTF_KIND_ENUM64
#define BTF_KIND_ENUM64 19
#endif

struct r {
	struct jw *w;	  /* JSON, or */
	struct kt_buf *b; /* text */
	const struct btf *btf;
	const unsigned char *base;
	size_t len;
	int rc;
};

typedef unsigned __int128 u128;

size_t kt_fmt_i64(char *out, int64_t v)
{
	if (v < 0) {
		out[0] = '-';
		return 1 + jw_fmt_u64(out + 1, (uint64_t)0 - (uint64_t)v);
	}
	return jw_fmt_u64(out, (uint64_t)v);
}

static void raw(struct r *r, const char *s, size_t n)
{
	if (r->w)
		jw_raw(r->w, s, n);
	else
		kt_buf_put(r->b, s, n);
}

static void put_u64(struct r *r, uint64_t v)
{
	char t[24];

	raw(r, t, jw_fmt_u64(t, v));
}

static void put_i64(struct r *r, int64_t v)
{
	char t[24];

	raw(r, t, kt_fmt_i64(t, v));
}

static void put_str(struct r *r, const char *s, size_t n)
{
	if (r->w) {
		jw_strn(r->w, s, n);
		return;
	}
	kt_buf_putc(r->b, '"');
	jw_escape(r->b, s, n);
	kt_buf_putc(r->b, '"');
}

static void marker(struct r *r, const char *what)
{
	char t[96];
	int n = snprintf(t, sizeof(t), "<%s>", what);

	r->rc = -1;
	put_str(r, t, (size_t)n);
}

static void indent(struct r *r, int d)
{
	static const char sp[] = "                                                ";

	kt_buf_putc(r->b, '\n');
	for (d *= 2; d > 0; d -= 48)
		kt_buf_put(r->b, sp, (size_t)(d < 48 ? d : 48));
}

/* Follow typedefs and modifiers; 0 when the chain is broken or too long. */
static uint32_t skip_mods(const struct btf *btf, uint32_t id, bool typedefs)
{
	for (int i = 0; i < MAX_HOPS; i++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t)
			return 0;
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
			if (!typedefs)
				return id;
			/* fallthrough */
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			break;
		default:
			return id;
		}
	}
	return 0;
}

static bool fits(const struct r *r, size_t off, uint64_t size)
{
	return off <= r->len && size <= r->len - off;
}

/* NBITS (1..128) at bit BITOFF of the bytes at OFF, little-endian. */
static u128 get_bits(const struct r *r, size_t off, uint32_t bitoff, uint32_t nbits)
{
	const unsigned char *p = r->base + off + bitoff / 8;
	uint32_t shift = bitoff % 8, nbytes = (shift + nbits + 7) / 8;
	u128 v = 0;

	for (uint32_t i = 0; i < nbytes; i++) {
		int pos = (int)(8 * i) - (int)shift;

		if (pos < 0)
			v |= (u128)(p[i] >> shift);
		else if (pos < 128)
			v |= (u128)p[i] << pos;
	}
	if (nbits < 128)
		v &= ((u128)1 << nbits) - 1;
	return v;
}

static void put_hex128(struct r *r, u128 v)
{
	uint64_t hi = (uint64_t)(v >> 64), lo = (uint64_t)v;
	char t[48];
	int n;

	if (hi)
		n = snprintf(t, sizeof(t), "0x%llx%016llx", (unsigned long long)hi,
			     (unsigned long long)lo);
	else
		n = snprintf(t, sizeof(t), "0x%llx", (unsigned long long)lo);
	if (r->w)
		put_str(r, t, (size_t)n);
	else
		raw(r, t, (size_t)n);
}

/* A bitfield (or an int whose bits are not whole bytes) as a number. */
static void put_bits(struct r *r, size_t off, uint32_t bitoff, uint32_t nbits, bool sign)
{
	u128 v;

	if (!nbits || nbits > 128 || !fits(r, off, (bitoff + nbits + 7) / 8)) {
		marker(r, "truncated");
		return;
	}
	v = get_bits(r, off, bitoff, nbits);
	if (nbits > 64) {
		put_hex128(r, v);
		return;
	}
	if (sign && nbits < 64 && (v >> (nbits - 1)) & 1)
		v |= ~(u128)0 << nbits;
	if (sign)
		put_i64(r, (int64_t)(uint64_t)v);
	else
		put_u64(r, (uint64_t)v);
}

static void put_char(struct r *r, unsigned char c)
{
	char t[16];
	int n;

	if (isprint(c)) {
		put_str(r, (const char *)&c, 1);
		return;
	}
	if (r->w)
		n = snprintf(t, sizeof(t), "\"\\u00%02x\"", c);
	else
		n = snprintf(t, sizeof(t), "'\\x%02x'", c);
	raw(r, t, (size_t)n);
}

static uint64_t load_le(const unsigned char *p, uint32_t size)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < size && i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static int64_t sext(uint64_t v, uint32_t size)
{
	if (size >= 8)
		return (int64_t)v;
	if ((v >> (8 * size - 1)) & 1)
		v |= ~(uint64_t)0 << (8 * size);
	return (int64_t)v;
}

static void do_int(struct r *r, const struct btf_type *t, size_t off, uint32_t bitoff)
{
	uint32_t info = *(const uint32_t *)(t + 1);
	uint32_t enc = BTF_INT_ENCODING(info), nbits = BTF_INT_BITS(info);
	uint32_t ioff = BTF_INT_OFFSET(info) + bitoff;
	bool sign = enc & BTF_INT_SIGNED;
	const unsigned char *p;
	uint64_t v;

	if (ioff || nbits % 8 || nbits > 128 || nbits / 8 > t->size) {
		put_bits(r, off, ioff, nbits, sign);
		return;
	}
	if (!nbits || !fits(r, off, nbits / 8)) {
		marker(r, "truncated");
		return;
	}
	p = r->base + off;
	if (nbits == 128) {
		put_hex128(r, get_bits(r, off, 0, 128));
		return;
	}
	v = load_le(p, nbits / 8);
	if (enc & BTF_INT_BOOL)
		raw(r, v ? "true" : "false", v ? 4 : 5);
	else if ((enc & BTF_INT_CHAR) && nbits == 8)
		put_char(r, (unsigned char)v);
	else if (sign)
		put_i64(r, sext(v, nbits / 8));
	else
		put_u64(r, v);
}

static void do_enum(struct r *r, const struct btf_type *t, size_t off)
{
	uint32_t size = t->size, n = btf_vlen(t);
	bool sign = btf_kflag(t), e64 = btf_kind(t) == BTF_KIND_ENUM64;
	uint64_t mask, v;

	if (!size || size > 8 || (size & (size - 1)) || !fits(r, off, size)) {
		marker(r, size && size <= 8 ? "truncated" : "bad enum size");
		return;
	}
	v = load_le(r->base + off, size);
	mask = size == 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * size)) - 1;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t ev;
		uint32_t name_off;

		if (e64) {
			const struct btf_enum64 *e = btf_enum64(t) + i;

			ev = (uint64_t)e->val_hi32 << 32 | e->val_lo32;
			name_off = e->name_off;
		} else {
			const struct btf_enum *e = btf_enum(t) + i;

			ev = (uint64_t)(int64_t)e->val;
			name_off = e->name_off;
		}
		if ((ev & mask) == v) {
			const char *s = btf__name_by_offset(r->btf, name_off);

			if (s && *s) {
				if (r->w)
					put_str(r, s, strlen(s));
				else
					kt_buf_puts(r->b, s);
				return;
			}
		}
	}
	if (sign)
		put_i64(r, sext(v, size));
	else
		put_u64(r, v);
}

static void do_float(struct r *r, const struct btf_type *t, size_t off)
{
	char s[64];
	double d;

	if (!fits(r, off, t->size)) {
		marker(r, "truncated");
		return;
	}
	if (t->size == 4) {
		float f;

		memcpy(&f, r->base + off, 4);
		d = f;
	} else if (t->size == 8) {
		memcpy(&d, r->base + off, 8);
	} else if (t->size == 16 && sizeof(long double) == 16) {
		long double ld;

		memcpy(&ld, r->base + off, 16);
		d = (double)ld;
	} else {
		put_hex128(r, get_bits(r, off, 0, t->size * 8 > 128 ? 128 : t->size * 8));
		return;
	}
	if (r->w) {
		jw_double(r->w, d);
		return;
	}
	snprintf(s, sizeof(s), "%.17g", d);
	kt_buf_puts(r->b, s);
}

static void do_ptr(struct r *r, size_t off)
{
	size_t ps = btf__pointer_size(r->btf);

	if (ps != 4 && ps != 8)
		ps = sizeof(void *);
	if (!fits(r, off, ps)) {
		marker(r, "truncated");
		return;
	}
	if (r->w) {
		put_u64(r, load_le(r->base + off, (uint32_t)ps));
	} else {
		char t[24];

		raw(r, t,
		    (size_t)snprintf(t, sizeof(t), "0x%llx",
				     (unsigned long long)load_le(r->base + off, (uint32_t)ps)));
	}
}

static void do_type(struct r *r, uint32_t id, size_t off, uint32_t bitoff, int depth);

/* bpftool's is_str_array: 1-byte char elements, NUL before the end, printable. */
static bool str_array(const struct r *r, const struct btf_array *a, size_t off)
{
	const struct btf_type *e;
	uint32_t eid = skip_mods(r->btf, a->type, false);
	const char *name;

	if (!a->nelems || !eid || !(e = btf__type_by_id(r->btf, eid)))
		return false;
	if (!btf_is_int(e) || e->size != 1)
		return false;
	name = btf__name_by_offset(r->btf, e->name_off);
	if (btf_int_encoding(e) != BTF_INT_CHAR && (!name || strcmp(name, "char")))
		return false;
	if (!fits(r, off, a->nelems))
		return false;
	for (uint32_t i = 0; i < a->nelems; i++) {
		unsigned char c = r->base[off + i];

		if (!c)
			return true;
		if (c <= 0x1f || c >= 0x7f)
			return false;
	}
	return false;
}

static bool scalar_type(const struct btf *btf, uint32_t id)
{
	const struct btf_type *t;

	id = skip_mods(btf, id, true);
	if (!id || !(t = btf__type_by_id(btf, id)))
		return true;
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ARRAY:
	case BTF_KIND_DATASEC:
		return false;
	}
	return true;
}

static void do_array(struct r *r, const struct btf_type *t, size_t off, int depth)
{
	const struct btf_array *a = btf_array(t);
	long long es = btf__resolve_size(r->btf, a->type);
	bool inline_ = !r->w && scalar_type(r->btf, a->type);

	if (str_array(r, a, off)) {
		const char *s = (const char *)r->base + off;

		put_str(r, s, strnlen(s, a->nelems));
		return;
	}
	if (es < 0) {
		marker(r, "bad array element type");
		return;
	}
	if (!fits(r, off, (uint64_t)es * a->nelems)) {
		marker(r, "truncated");
		return;
	}
	if (r->w)
		jw_arr_open(r->w);
	else
		kt_buf_putc(r->b, '[');
	for (uint32_t i = 0; i < a->nelems && (es || !i); i++) {
		if (!r->w) {
			if (inline_ && i)
				kt_buf_puts(r->b, ", ");
			else if (!inline_)
				indent(r, depth + 1);
		}
		if (!es)
			break; /* zero-sized elements: nothing to show */
		do_type(r, a->type, off + (size_t)es * i, 0, depth + 1);
		if (!r->w && !inline_)
			kt_buf_putc(r->b, ',');
	}
	if (r->w) {
		jw_arr_close(r->w);
		return;
	}
	if (!inline_ && a->nelems && es)
		indent(r, depth);
	kt_buf_putc(r->b, ']');
}

static void key(struct r *r, const char *name, int depth)
{
	if (r->w) {
		jw_key(r->w, name ? name : "");
		return;
	}
	indent(r, depth);
	kt_buf_puts(r->b, name && *name ? name : "(anon)");
	kt_buf_puts(r->b, ": ");
}

static void do_struct(struct r *r, const struct btf_type *t, size_t off, int depth)
{
	const struct btf_member *m = btf_members(t);
	uint32_t n = btf_vlen(t);

	if (!fits(r, off, t->size)) {
		marker(r, "truncated");
		return;
	}
	if (r->w)
		jw_obj_open(r->w);
	else
		kt_buf_putc(r->b, '{');
	for (uint32_t i = 0; i < n; i++) {
		uint32_t bo = btf_member_bit_offset(t, i);
		uint32_t bsz = btf_member_bitfield_size(t, i);

		key(r, btf__name_by_offset(r->btf, m[i].name_off), depth + 1);
		if ((bo + bsz + 7) / 8 > t->size) {
			marker(r, "member outside its struct");
			continue;
		}
		if (bsz) {
			uint32_t bid = skip_mods(r->btf, m[i].type, true);
			const struct btf_type *bt = bid ? btf__type_by_id(r->btf, bid) : NULL;
			bool sign = bt && btf_is_int(bt) && (btf_int_encoding(bt) & BTF_INT_SIGNED);

			if (bt && btf_is_enum(bt))
				sign = btf_kflag(bt);
			put_bits(r, off + bo / 8, bo % 8, bsz, sign);
		} else {
			do_type(r, m[i].type, off + bo / 8, bo % 8, depth + 1);
		}
	}
	if (r->w) {
		jw_obj_close(r->w);
		return;
	}
	if (n)
		indent(r, depth);
	kt_buf_putc(r->b, '}');
}

static void do_datasec(struct r *r, const struct btf_type *t, size_t off, int depth)
{
	const struct btf_var_secinfo *v = btf_var_secinfos(t);
	const char *sec = btf__name_by_offset(r->btf, t->name_off);
	uint32_t n = btf_vlen(t);

	if (r->w) {
		jw_obj_open(r->w);
		jw_key(r->w, sec ? sec : "");
		jw_arr_open(r->w);
	} else {
		kt_buf_puts(r->b, sec && *sec ? sec : "(section)");
		kt_buf_puts(r->b, " {");
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct btf_type *vt = btf__type_by_id(r->btf, v[i].type);
		const char *name = vt ? btf__name_by_offset(r->btf, vt->name_off) : NULL;

		if (r->w)
			jw_obj_open(r->w);
		key(r, name, depth + 1);
		if (!vt || !btf_is_var(vt))
			marker(r, "not a variable");
		else if (!fits(r, off + v[i].offset, v[i].size) || v[i].offset > r->len)
			marker(r, "truncated");
		else
			do_type(r, vt->type, off + v[i].offset, 0, depth + 1);
		if (r->w)
			jw_obj_close(r->w);
	}
	if (r->w) {
		jw_arr_close(r->w);
		jw_obj_close(r->w);
		return;
	}
	if (n)
		indent(r, depth);
	kt_buf_putc(r->b, '}');
}

static void do_type(struct r *r, uint32_t id, size_t off, uint32_t bitoff, int depth)
{
	const struct btf_type *t;
	uint32_t rid;

	if (depth > KT_BTFD_MAX_DEPTH) {
		marker(r, "depth limit");
		return;
	}
	rid = skip_mods(r->btf, id, true);
	t = rid ? btf__type_by_id(r->btf, rid) : NULL;
	if (!t) {
		marker(r, id ? "bad type" : "void");
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		do_int(r, t, off, bitoff);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		do_enum(r, t, off);
		break;
	case BTF_KIND_FLOAT:
		do_float(r, t, off);
		break;
	case BTF_KIND_PTR:
		do_ptr(r, off);
		break;
	case BTF_KIND_ARRAY:
		do_array(r, t, off, depth);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		do_struct(r, t, off, depth);
		break;
	case BTF_KIND_VAR:
		if (r->w)
			jw_obj_open(r->w);
		else
			kt_buf_putc(r->b, '{');
		key(r, btf__name_by_offset(r->btf, t->name_off), depth + 1);
		do_type(r, t->type, off, bitoff, depth + 1);
		if (r->w) {
			jw_obj_close(r->w);
		} else {
			indent(r, depth);
			kt_buf_putc(r->b, '}');
		}
		break;
	case BTF_KIND_DATASEC:
		do_datasec(r, t, off, depth);
		break;
	case BTF_KIND_FWD:
		marker(r, "forward declaration");
		break;
	default:
		marker(r, "unsupported kind");
	}
}

int kt_btf_json(struct jw *w, const struct btf *btf, uint32_t id, const void *data, size_t len)
{
	struct r r = {.w = w, .btf = btf, .base = data, .len = len};

	do_type(&r, id, 0, 0, 0);
	return r.rc;
}

int kt_btf_text(struct kt_buf *b, const struct btf *btf, uint32_t id, const void *data, size_t len,
		int ind)
{
	struct r r = {.b = b, .btf = btf, .base = data, .len = len};

	do_type(&r, id, 0, 0, ind);
	return r.rc;
}

/* ---- precompiled JSON plans (see btfdump.h) --------------------------- */

enum { OP_LIT, OP_U, OP_I, OP_BOOL, OP_BITS, OP_SLOW };

struct op {
	uint8_t kind;
	uint8_t size;	/* OP_U/I/BOOL: bytes; OP_BITS: nbits */
	uint8_t sign;	/* OP_BITS */
	uint8_t bitoff; /* OP_BITS, OP_SLOW */
	uint32_t off;	/* data offset; OP_LIT: pool offset */
	uint32_t arg;	/* OP_LIT: length; OP_SLOW: type id */
	uint32_t depth; /* OP_SLOW */
};

struct kt_btf_plan {
	const struct btf *btf;
	uint32_t id;
	size_t len;
	int text, indent; /* kt_btf_text's layout at INDENT, else compact JSON */
	struct op *ops;
	size_t nops, cap;
	struct kt_buf pool; /* literal bytes: keys pre-escaped, brackets, commas */
	struct kt_buf out;  /* scratch for FILE writers */
	size_t max;	    /* bytes the fast ops write at most */
	int oom;
};

#define PLAN_MAX_OPS 65536

static struct op *plan_op(struct kt_btf_plan *p, uint8_t kind)
{
	struct op *o;

	if (p->nops == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;

		if (cap > PLAN_MAX_OPS || !(o = realloc(p->ops, cap * sizeof(*o)))) {
			p->oom = 1;
			return NULL;
		}
		p->ops = o;
		p->cap = cap;
	}
	o = &p->ops[p->nops++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	return o;
}

static void plan_lit(struct kt_btf_plan *p, const char *s, size_t n)
{
	struct op *last = p->nops ? &p->ops[p->nops - 1] : NULL;
	size_t at = p->pool.len;

	kt_buf_put(&p->pool, s, n);
	if (p->pool.oom) {
		p->oom = 1;
		return;
	}
	if (last && last->kind == OP_LIT && last->off + last->arg == at) {
		last->arg += (uint32_t)n;
		return;
	}
	last = plan_op(p, OP_LIT);
	if (last) {
		last->off = (uint32_t)at;
		last->arg = (uint32_t)n;
	}
}

static void plan_slow(struct kt_btf_plan *p, uint32_t id, size_t off, uint32_t bitoff, int depth)
{
	struct op *o = plan_op(p, OP_SLOW);

	if (!o)
		return;
	o->arg = id;
	o->off = (uint32_t)off;
	o->bitoff = (uint8_t)bitoff;
	o->depth = (uint32_t)depth;
}

static void plan_num(struct kt_btf_plan *p, uint8_t kind, size_t off, uint32_t size)
{
	struct op *o = plan_op(p, kind);

	if (o) {
		o->off = (uint32_t)off;
		o->size = (uint8_t)size;
	}
}

/* Text: newline and two spaces per level, as indent() writes them. */
static void plan_indent(struct kt_btf_plan *p, int depth)
{
	static const char sp[] = "                                                ";

	plan_lit(p, "\n", 1);
	for (int d = depth * 2; d > 0; d -= 48)
		plan_lit(p, sp, (size_t)(d < 48 ? d : 48));
}

/* `"name":` exactly as lib/json's jw_key writes it (compact), or key()'s text. */
static void plan_key(struct kt_btf_plan *p, const char *name, bool comma, int depth)
{
	struct kt_buf t = {0};
	struct jw w;

	if (p->text) {
		plan_indent(p, depth);
		name = name && *name ? name : "(anon)";
		plan_lit(p, name, strlen(name));
		plan_lit(p, ": ", 2);
		return;
	}
	jw_init_buf(&w, &t, 0);
	jw_obj_open(&w);
	jw_key(&w, name ? name : "");
	if (t.oom || t.len < 1) {
		p->oom = 1;
	} else {
		if (comma)
			plan_lit(p, ",", 1);
		plan_lit(p, t.p + 1, t.len - 1);
	}
	kt_buf_free(&t);
}

static void plan_type(struct kt_btf_plan *p, uint32_t id, size_t off, uint32_t bitoff, int depth);

static void plan_int(struct kt_btf_plan *p, const struct btf_type *t, uint32_t id, size_t off,
		     uint32_t bitoff, int depth)
{
	uint32_t info = *(const uint32_t *)(t + 1);
	uint32_t enc = BTF_INT_ENCODING(info), nbits = BTF_INT_BITS(info);
	uint32_t ioff = BTF_INT_OFFSET(info) + bitoff;

	/* what do_int renders by data alone: bitfields, 128-bit, chars, truncation */
	if (ioff || nbits % 8 || nbits > 64 || nbits / 8 > t->size || !nbits || off > p->len ||
	    nbits / 8 > p->len - off || ((enc & BTF_INT_CHAR) && nbits == 8)) {
		plan_slow(p, id, off, bitoff, depth);
		return;
	}
	if (enc & BTF_INT_BOOL)
		plan_num(p, OP_BOOL, off, nbits / 8);
	else
		plan_num(p, (enc & BTF_INT_SIGNED) ? OP_I : OP_U, off, nbits / 8);
}

static bool plan_fits(const struct kt_btf_plan *p, size_t off, uint64_t size)
{
	return off <= p->len && size <= p->len - off;
}

static void plan_array(struct kt_btf_plan *p, const struct btf_type *t, uint32_t id, size_t off,
		       int depth)
{
	const struct btf_array *a = btf_array(t);
	long long es = btf__resolve_size(p->btf, a->type);
	uint32_t eid = skip_mods(p->btf, a->type, false);
	const struct btf_type *e = eid ? btf__type_by_id(p->btf, eid) : NULL;
	const char *en = e ? btf__name_by_offset(p->btf, e->name_off) : NULL;
	bool chars = a->nelems && e && btf_is_int(e) && e->size == 1 &&
		     (btf_int_encoding(e) == BTF_INT_CHAR || (en && !strcmp(en, "char")));

	/* char arrays are strings or not by their bytes (str_array): the renderer decides */
	if (chars || es < 0 || (p->text && !es) || !plan_fits(p, off, (uint64_t)es * a->nelems) ||
	    (uint64_t)a->nelems * 2 > PLAN_MAX_OPS) {
		plan_slow(p, id, off, 0, depth);
		return;
	}
	bool inl = scalar_type(p->btf, a->type);

	plan_lit(p, "[", 1);
	for (uint32_t i = 0; i < a->nelems && es; i++) {
		if (!p->text && i)
			plan_lit(p, ",", 1);
		else if (p->text && inl && i)
			plan_lit(p, ", ", 2);
		else if (p->text && !inl)
			plan_indent(p, depth + 1);
		plan_type(p, a->type, off + (size_t)es * i, 0, depth + 1);
		if (p->oom)
			return;
		if (p->text && !inl)
			plan_lit(p, ",", 1);
	}
	if (p->text && !inl && a->nelems && es)
		plan_indent(p, depth);
	plan_lit(p, "]", 1);
}

static void plan_struct(struct kt_btf_plan *p, const struct btf_type *t, uint32_t id, size_t off,
			int depth)
{
	const struct btf_member *m = btf_members(t);
	uint32_t n = btf_vlen(t);

	if (!plan_fits(p, off, t->size)) {
		plan_slow(p, id, off, 0, depth);
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		if ((btf_member_bit_offset(t, i) + btf_member_bitfield_size(t, i) + 7) / 8 >
		    t->size) {
			plan_slow(p, id, off, 0, depth); /* the renderer's marker */
			return;
		}
	plan_lit(p, "{", 1);
	for (uint32_t i = 0; i < n && !p->oom; i++) {
		uint32_t bo = btf_member_bit_offset(t, i);
		uint32_t bsz = btf_member_bitfield_size(t, i);

		plan_key(p, btf__name_by_offset(p->btf, m[i].name_off), i > 0, depth + 1);
		if (bsz) {
			uint32_t bid = skip_mods(p->btf, m[i].type, true);
			const struct btf_type *bt = bid ? btf__type_by_id(p->btf, bid) : NULL;
			bool sign = bt && btf_is_int(bt) && (btf_int_encoding(bt) & BTF_INT_SIGNED);
			struct op *o;

			if (bt && btf_is_enum(bt))
				sign = btf_kflag(bt);
			o = plan_op(p, OP_BITS);
			if (o) {
				o->off = (uint32_t)(off + bo / 8);
				o->bitoff = (uint8_t)(bo % 8);
				o->size = (uint8_t)(bsz > 255 ? 255 : bsz);
				o->arg = bsz;
				o->sign = sign;
			}
		} else {
			plan_type(p, m[i].type, off + bo / 8, bo % 8, depth + 1);
		}
	}
	if (p->text && n)
		plan_indent(p, depth);
	plan_lit(p, "}", 1);
}

static void plan_type(struct kt_btf_plan *p, uint32_t id, size_t off, uint32_t bitoff, int depth)
{
	const struct btf_type *t;
	uint32_t rid;

	if (depth > KT_BTFD_MAX_DEPTH || off > UINT32_MAX) {
		plan_slow(p, id, off, bitoff, depth);
		return;
	}
	rid = skip_mods(p->btf, id, true);
	t = rid ? btf__type_by_id(p->btf, rid) : NULL;
	if (!t) {
		plan_slow(p, id, off, bitoff, depth);
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		plan_int(p, t, id, off, bitoff, depth);
		break;
	case BTF_KIND_PTR: {
		size_t ps = btf__pointer_size(p->btf);

		if (ps != 4 && ps != 8)
			ps = sizeof(void *);
		if (!p->text && plan_fits(p, off, ps)) /* text: hex */
			plan_num(p, OP_U, off, (uint32_t)ps);
		else
			plan_slow(p, id, off, bitoff, depth);
		break;
	}
	case BTF_KIND_ARRAY:
		plan_array(p, t, id, off, depth);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		plan_struct(p, t, id, off, depth);
		break;
	default: /* enums (by name), floats, VAR, DATASEC, markers */
		plan_slow(p, id, off, bitoff, depth);
	}
}

void kt_btf_plan_free(struct kt_btf_plan *p)
{
	if (!p)
		return;
	free(p->ops);
	kt_buf_free(&p->pool);
	kt_buf_free(&p->out);
	free(p);
}

/* bytes the fast ops write at most (20 digits and a sign, "false") */
static size_t plan_max(const struct kt_btf_plan *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nops; i++)
		n += p->ops[i].kind == OP_LIT ? p->ops[i].arg : 21;
	return n;
}

static struct kt_btf_plan *plan_new(const struct btf *btf, uint32_t id, size_t len, int text,
				    int indent)
{
	struct kt_btf_plan *p = calloc(1, sizeof(*p));

	if (!p || !btf || len > UINT32_MAX) {
		free(p);
		return NULL;
	}
	p->btf = btf;
	p->id = id;
	p->len = len;
	p->text = text;
	p->indent = indent;
	plan_type(p, id, 0, 0, indent);
	p->max = plan_max(p);
	if (p->oom) {
		kt_btf_plan_free(p);
		return NULL;
	}
	return p;
}

struct kt_btf_plan *kt_btf_plan_new(const struct btf *btf, uint32_t id, size_t len)
{
	return plan_new(btf, id, len, 0, 0);
}

struct kt_btf_plan *kt_btf_plan_new_text(const struct btf *btf, uint32_t id, size_t len, int indent)
{
	return plan_new(btf, id, len, 1, indent);
}

/* An op the fast loop does not take: the renderer, appending to B. */
static int plan_slow_run(struct kt_buf *b, struct kt_btf_plan *p, const struct op *o,
			 const void *data)
{
	struct jw w;
	struct r r = {.btf = p->btf, .base = data, .len = p->len};

	jw_init_buf(&w, b, 0); /* a fresh writer: the value alone, no separator */
	if (p->text)
		r.b = b;
	else
		r.w = &w;
	if (o->kind == OP_BITS)
		put_bits(&r, o->off, o->bitoff, o->arg, o->sign);
	else
		do_type(&r, o->arg, o->off, o->bitoff, (int)o->depth);
	return r.rc;
}

/* A bitfield of at most 64 bits (put_bits' number; the plan checked it fits). */
static char *bits_fast(char *o, const struct op *op, const unsigned char *d, size_t len)
{
	struct r r = {.base = d, .len = len};
	uint32_t nbits = op->arg;
	u128 v = get_bits(&r, op->off, op->bitoff, nbits);

	if (!op->sign)
		return o + jw_fmt_u64(o, (uint64_t)v);
	if (nbits < 64 && (v >> (nbits - 1)) & 1)
		v |= ~(u128)0 << nbits;
	return o + kt_fmt_i64(o, (int64_t)(uint64_t)v);
}

static uint64_t load_n(const unsigned char *q, uint32_t size)
{
	uint64_t v;

	switch (size) {
	case 8:
		memcpy(&v, q, 8);
		return v;
	case 4: {
		uint32_t x;

		memcpy(&x, q, 4);
		return x;
	}
	case 2: {
		uint16_t x;

		memcpy(&x, q, 2);
		return x;
	}
	case 1:
		return q[0];
	}
	return load_le(q, size);
}

/*
 * The plan's output appended to B in place: room for every fast op at
 * once (p->max), pieces copied, numbers formatted into it; a slow op
 * renders through the renderer and the room is taken again after it.
 */
int kt_btf_plan_put(struct kt_buf *b, struct kt_btf_plan *p, const void *data)
{
	const unsigned char *d = data;
	char *o = kt_buf_room(b, p->max);
	int rc = 0;

	if (!o)
		return -1;
	for (size_t i = 0; i < p->nops; i++) {
		const struct op *op = &p->ops[i];
		uint64_t v;

		switch (op->kind) {
		case OP_LIT:
			kt_copy_short(o, p->pool.p + op->off, op->arg);
			o += op->arg;
			break;
		case OP_U:
			o += jw_fmt_u64(o, load_n(d + op->off, op->size));
			break;
		case OP_I:
			v = load_n(d + op->off, op->size);
			o += kt_fmt_i64(o, sext(v, op->size));
			break;
		case OP_BOOL:
			v = load_n(d + op->off, op->size);
			memcpy(o, v ? "true" : "false", v ? 4 : 5);
			o += v ? 4 : 5;
			break;
		case OP_BITS:
			if (op->arg <= 64) {
				o = bits_fast(o, op, d, p->len);
				break;
			}
			/* fallthrough */
		default:
			kt_buf_done(b, o);
			if (plan_slow_run(b, p, op, data))
				rc = -1;
			o = kt_buf_room(b, p->max);
			if (!o)
				return -1;
		}
	}
	kt_buf_done(b, o);
	return rc;
}

int kt_btf_plan_json(struct jw *w, struct kt_btf_plan *p, const void *data)
{
	struct kt_buf *b;
	int rc;

	if (w->pretty || p->text)
		return kt_btf_json(w, p->btf, p->id, data, p->len);
	b = jw_raw_buf(w);
	if (b)
		return kt_btf_plan_put(b, p, data);
	kt_buf_reset(&p->out); /* a FILE writer: through the scratch buffer */
	rc = kt_btf_plan_put(&p->out, p, data);
	jw_raw(w, p->out.p ? p->out.p : "", p->out.len);
	return p->out.oom ? -1 : rc;
}

int kt_btf_plan_text(struct kt_buf *b, struct kt_btf_plan *p, const void *data)
{
	if (!p->text)
		return kt_btf_text(b, p->btf, p->id, data, p->len, 0);
	return kt_btf_plan_put(b, p, data);
}
