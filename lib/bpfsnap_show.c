// SPDX-License-Identifier: MIT
/*
 * Reading a written snapshot ring (bpfdump show DIR): per map, every key
 * that changed within the ring with its values over the snapshots, and
 * the final state's entry count.  Values render by the saved BTF when
 * there is one, as hex otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "bpfdump.h"
#include "bpfmap.h"
#include "bpfsnap.h"
#include "btfdump.h"
#include "err.h"
#include "file.h"
#include "json.h"
#include "jsonr.h"
#include "text.h"

#define MAX_FILE (4ull << 30)
#define MAX_KEY 4096

struct hist {
	uint64_t snap;
	const char *val; /* hex in the parsed tree; NULL: deleted */
};

struct keyhist {
	const char *key; /* hex */
	struct hist *h;
	size_t n, cap;
};

struct showmap {
	const struct jr_val *meta;
	uint32_t id, ks, vs, vsize, type, ktype, vtype;
	struct btf *btf;
	struct kt_kvtab idx;	 /* key -> keyhist index */
	struct kt_kvtab present; /* every key of the current state */
	struct keyhist *keys;
	size_t nkeys, capkeys;
	char *text;
	struct jr_val *lines;
	size_t nlines;
};

static int unhex(const char *s, size_t slen, unsigned char *out, size_t n)
{
	if (slen != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = kt_hexval((unsigned char)s[2 * i]),
		    lo = kt_hexval((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static uint64_t num(const struct jr_val *o, const char *k)
{
	const struct jr_val *v = jr_get(o, k);

	return v && v->type == JR_NUMBER && v->num.is_u64 ? v->num.u : 0;
}

static const char *str(const struct jr_val *o, const char *k)
{
	const struct jr_val *v = jr_get(o, k);

	return v && v->type == JR_STRING ? v->str.s : NULL;
}

static int load_lines(struct showmap *m, const char *dir)
{
	char p[4400];
	size_t len, cap = 0;
	char *s, *e;

	snprintf(p, sizeof(p), "%s/map-%u.jsonl", dir, m->id);
	m->text = kt_read_file(NULL, p, MAX_FILE, &len);
	if (!m->text)
		return kt_err("cannot read '%s'", p), -EINVAL;
	for (s = m->text; s < m->text + len; s = e + 1) {
		struct jr_err err = {0};

		e = memchr(s, '\n', (size_t)(m->text + len - s));
		if (!e)
			e = m->text + len;
		if (e == s)
			continue;
		if (m->nlines == cap) {
			struct jr_val *nl;

			cap = cap ? cap * 2 : 64;
			nl = realloc(m->lines, cap * sizeof(*nl));
			if (!nl)
				return -ENOMEM;
			m->lines = nl;
		}
		if (jr_parse(s, (size_t)(e - s), &m->lines[m->nlines], &err)) {
			kt_errx("'%s': line %zu: %s", p, m->nlines + 1, err.msg);
			return -EINVAL;
		}
		m->nlines++;
	}
	snprintf(p, sizeof(p), "%s/map-%u.btf", dir, m->id);
	{
		size_t bl;
		char *raw = kt_read_file(NULL, p, 64 << 20, &bl);

		if (raw) {
			m->btf = btf__new(raw, (uint32_t)bl);
			if (!m->btf)
				m->btf = NULL;
			free(raw);
		}
	}
	return 0;
}

static struct keyhist *key_get(struct showmap *m, const char *hex, size_t hl, bool add)
{
	unsigned char k[MAX_KEY];
	unsigned char *v;
	uint32_t i;

	if (m->ks > sizeof(k) || unhex(hex, hl, k, m->ks))
		return NULL;
	v = kt_kvtab_get(&m->idx, k);
	if (v) {
		memcpy(&i, v, 4);
		return &m->keys[i];
	}
	if (!add)
		return NULL;
	if (m->nkeys == m->capkeys) {
		size_t c = m->capkeys ? m->capkeys * 2 : 16;
		struct keyhist *nk = realloc(m->keys, c * sizeof(*nk));

		if (!nk)
			return NULL;
		m->keys = nk;
		m->capkeys = c;
	}
	i = (uint32_t)m->nkeys;
	if (kt_kvtab_upsert(&m->idx, k, (unsigned char *)&i, 0) < 0)
		return NULL;
	m->keys[m->nkeys] = (struct keyhist){.key = hex};
	return &m->keys[m->nkeys++];
}

static int hist_add(struct keyhist *kh, uint64_t snap, const char *val)
{
	if (kh->n == kh->cap) {
		size_t c = kh->cap ? kh->cap * 2 : 4;
		struct hist *nh = realloc(kh->h, c * sizeof(*nh));

		if (!nh)
			return -ENOMEM;
		kh->h = nh;
		kh->cap = c;
	}
	kh->h[kh->n++] = (struct hist){snap, val};
	return 0;
}

static void track(struct showmap *m, const char *hex, size_t hl, bool set)
{
	unsigned char k[MAX_KEY];

	if (m->ks > sizeof(k) || unhex(hex, hl, k, m->ks))
		return;
	if (set)
		kt_kvtab_upsert(&m->present, k, k, 0);
	else
		kt_kvtab_del(&m->present, k);
}

/* The two passes: which keys change, then their histories. */
static int histories(struct showmap *m)
{
	for (size_t l = 1; l < m->nlines; l++) {
		const struct jr_val *set = jr_get(&m->lines[l], "set"),
				    *del = jr_get(&m->lines[l], "del");

		for (size_t i = 0; set && set->type == JR_ARRAY && i < set->arr.n; i++) {
			const struct jr_val *kv = &set->arr.v[i];

			if (kv->type == JR_ARRAY && kv->arr.n == 2 &&
			    kv->arr.v[0].type == JR_STRING)
				key_get(m, kv->arr.v[0].str.s, kv->arr.v[0].str.len, true);
		}
		for (size_t i = 0; del && del->type == JR_ARRAY && i < del->arr.n; i++)
			if (del->arr.v[i].type == JR_STRING)
				key_get(m, del->arr.v[i].str.s, del->arr.v[i].str.len, true);
	}
	for (size_t l = 0; l < m->nlines; l++) {
		const struct jr_val *line = &m->lines[l];
		const struct jr_val *base = jr_get(line, "base"), *set = jr_get(line, "set");
		const struct jr_val *del = jr_get(line, "del");
		uint64_t snap = num(line, "snap");

		if (base)
			set = base;
		for (size_t i = 0; set && set->type == JR_ARRAY && i < set->arr.n; i++) {
			const struct jr_val *kv = &set->arr.v[i];
			struct keyhist *kh;

			if (kv->type != JR_ARRAY || kv->arr.n != 2 ||
			    kv->arr.v[0].type != JR_STRING || kv->arr.v[1].type != JR_STRING)
				continue;
			track(m, kv->arr.v[0].str.s, kv->arr.v[0].str.len, true);
			kh = key_get(m, kv->arr.v[0].str.s, kv->arr.v[0].str.len, false);
			if (kh && hist_add(kh, snap, kv->arr.v[1].str.s))
				return -ENOMEM;
		}
		for (size_t i = 0; del && del->type == JR_ARRAY && i < del->arr.n; i++) {
			const struct jr_val *k = &del->arr.v[i];
			struct keyhist *kh;

			if (k->type != JR_STRING)
				continue;
			track(m, k->str.s, k->str.len, false);
			kh = key_get(m, k->str.s, k->str.len, false);
			if (kh && hist_add(kh, snap, NULL))
				return -ENOMEM;
		}
	}
	return 0;
}

/* KEY or VALUE bytes (hex) rendered into text or JSON. */
static void render(struct showmap *m, const char *hex, bool key, struct kt_buf *b, struct jw *w)
{
	size_t n = key ? m->ks : m->vsize, hl = strlen(hex);
	unsigned char *p = malloc(n ? n : 1);
	uint32_t t = key ? m->ktype : m->vtype;
	size_t stride = kt_percpu_stride(m->vs);

	if (!p || unhex(hex, hl, p, n) || !m->btf || !t) {
		if (w)
			jw_str(w, hex);
		else
			kt_buf_puts(b, hex);
		free(p);
		return;
	}
	if (!key && kt_bpf_map_percpu(m->type) && stride) {
		if (w)
			jw_arr_open(w);
		for (size_t c = 0; c * stride < n; c++) {
			if (w) {
				kt_btf_json(w, m->btf, t, p + c * stride, m->vs);
			} else {
				kt_buf_printf(b, "%scpu %zu: ", c ? "  " : "", c);
				kt_btf_text(b, m->btf, t, p + c * stride, m->vs, 3);
			}
		}
		if (w)
			jw_arr_close(w);
	} else if (w) {
		kt_btf_json(w, m->btf, t, p, key ? m->ks : m->vs);
	} else {
		kt_btf_text(b, m->btf, t, p, key ? m->ks : m->vs, 3);
	}
	free(p);
}

static int64_t snap_rel_ms(const struct jr_val *snaps, uint64_t seq, uint64_t final_mono)
{
	for (size_t i = 0; snaps && i < snaps->arr.n; i++)
		if (num(&snaps->arr.v[i], "seq") == seq)
			return ((int64_t)num(&snaps->arr.v[i], "mono_ns") - (int64_t)final_mono) /
			       1000000;
	return 0;
}

static void show_map(struct showmap *m, const struct jr_val *snaps, uint64_t final_mono,
		     struct kt_buf *b, struct jw *w)
{
	const char *name = str(m->meta, "name"), *type = str(m->meta, "type");

	if (w) {
		jw_obj_open(w);
		jw_ku64(w, "id", m->id);
		if (name)
			jw_kstr(w, "name", name);
		if (type)
			jw_kstr(w, "type", type);
		jw_ku64(w, "final_entries", m->present.nlive);
		jw_key(w, "changed");
		jw_arr_open(w);
	} else {
		kt_buf_printf(
			b,
			"map %u %s (%s): %zu entries at the end, %zu key%s changed in the ring\n",
			m->id, name ? name : "", type ? type : "?", m->present.nlive, m->nkeys,
			m->nkeys == 1 ? "" : "s");
	}
	for (size_t i = 0; i < m->nkeys; i++) {
		struct keyhist *kh = &m->keys[i];

		if (w) {
			jw_obj_open(w);
			jw_key(w, "key");
			render(m, kh->key, true, b, w);
			jw_key(w, "history");
			jw_arr_open(w);
		} else {
			kt_buf_puts(b, "  key ");
			render(m, kh->key, true, b, w);
			kt_buf_puts(b, ":\n");
		}
		for (size_t h = 0; h < kh->n; h++) {
			int64_t rel = snap_rel_ms(snaps, kh->h[h].snap, final_mono);

			if (w) {
				jw_obj_open(w);
				jw_ku64(w, "snap", kh->h[h].snap);
				jw_ki64(w, "ms_before_final", -rel);
				if (kh->h[h].val) {
					jw_key(w, "value");
					render(m, kh->h[h].val, false, b, w);
				} else {
					jw_kbool(w, "deleted", true);
				}
				jw_obj_close(w);
			} else {
				kt_buf_printf(b, "    snap %llu (%+lld ms): ",
					      (unsigned long long)kh->h[h].snap, (long long)rel);
				if (kh->h[h].val)
					render(m, kh->h[h].val, false, b, w);
				else
					kt_buf_puts(b, "deleted");
				kt_buf_putc(b, '\n');
			}
		}
		if (w) {
			jw_arr_close(w);
			jw_obj_close(w);
		}
	}
	if (w) {
		jw_arr_close(w);
		jw_obj_close(w);
	}
}

static void showmap_free(struct showmap *m)
{
	for (size_t i = 0; i < m->nkeys; i++)
		free(m->keys[i].h);
	free(m->keys);
	for (size_t l = 0; l < m->nlines; l++)
		jr_free(&m->lines[l]);
	free(m->lines);
	free(m->text);
	btf__free(m->btf);
	kt_kvtab_free(&m->idx);
	kt_kvtab_free(&m->present);
}

int kt_snapring_show(const char *dir, struct kt_buf *b, struct jw *w)
{
	char p[4400];
	size_t len;
	char *text;
	struct jr_val man;
	struct jr_err err = {0};
	const struct jr_val *maps, *snaps;
	uint64_t final_mono = 0;
	int r = 0;

	snprintf(p, sizeof(p), "%s/manifest.json", dir);
	text = kt_read_file(NULL, p, 64 << 20, &len);
	if (!text)
		return kt_err("cannot read '%s'", p), -EINVAL;
	if (jr_parse(text, len, &man, &err)) {
		free(text);
		return kt_errx("'%s': offset %zu: %s", p, err.off, err.msg), -EINVAL;
	}
	maps = jr_get(&man, "maps");
	snaps = jr_get(&man, "snapshots");
	if (!maps || maps->type != JR_ARRAY || !snaps || snaps->type != JR_ARRAY ||
	    !str(&man, "schema") || strcmp(str(&man, "schema"), "ktbox-bpfdump-ring/1")) {
		jr_free(&man);
		free(text);
		return kt_errx("'%s': not a bpfdump ring (schema ktbox-bpfdump-ring/1)", p),
		       -EINVAL;
	}
	if (snaps->arr.n)
		final_mono = num(&snaps->arr.v[snaps->arr.n - 1], "mono_ns");
	if (w) {
		jw_obj_open(w);
		jw_kstr(w, "trigger", str(&man, "trigger") ?: "");
		jw_ku64(w, "snapshots", snaps->arr.n);
		jw_key(w, "maps");
		jw_arr_open(w);
	} else {
		kt_buf_printf(b, "ring %s: %zu snapshot%s, trigger %s", dir, snaps->arr.n,
			      snaps->arr.n == 1 ? "" : "s", str(&man, "trigger") ?: "?");
		if (jr_get(&man, "trigger_to_final_ns"))
			kt_buf_printf(b, ", final snapshot %.3f ms after the trigger",
				      (double)num(&man, "trigger_to_final_ns") / 1e6);
		kt_buf_printf(b, "; %llu dropped\n\n", (unsigned long long)num(&man, "dropped"));
	}
	for (size_t i = 0; i < maps->arr.n && !r; i++) {
		const struct jr_val *mm = &maps->arr.v[i];
		struct showmap m = {.meta = mm};

		if (jr_get(mm, "not_snapshotted"))
			continue;
		m.id = (uint32_t)num(mm, "id");
		m.ks = (uint32_t)num(mm, "bytes_key");
		m.vs = (uint32_t)num(mm, "bytes_value");
		m.vsize = (uint32_t)num(mm, "value_stride");
		m.ktype = (uint32_t)num(mm, "btf_key_type_id");
		m.vtype = (uint32_t)num(mm, "btf_value_type_id");
		m.type = str(mm, "type") ? (uint32_t)kt_bpf_map_type_parse(str(mm, "type")) : 0;
		if (!m.ks || m.ks > MAX_KEY || kt_kvtab_init(&m.idx, m.ks, 4) ||
		    kt_kvtab_init(&m.present, m.ks, 0)) {
			showmap_free(&m);
			continue;
		}
		r = load_lines(&m, dir);
		if (!r)
			r = histories(&m);
		if (!r)
			show_map(&m, snaps, final_mono, b, w);
		if (!w && !r)
			kt_buf_putc(b, '\n');
		showmap_free(&m);
	}
	if (w) {
		jw_arr_close(w);
		jw_obj_close(w);
		jw_newline(w);
	}
	jr_free(&man);
	free(text);
	return r;
}
