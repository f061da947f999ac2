// SPDX-License-Identifier: MIT
/* Reading BPF maps: walker, ring buffer reader, dump writer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "bpfarena.h"
#include "bpfdump.h"
#include "bpfmap.h"
#include "btfdump.h"
#include "file.h"
#include "hostctx.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

#define BATCH_BYTES (4u << 20) /* keys + values held per batch */
#define BATCH_MAX 16384u
#define FLUSH_AT (256u << 10)

int kt_possible_cpus_parse(const char *text, size_t n, uint32_t **ids, size_t *count)
{
	uint64_t *v;
	size_t c;
	uint32_t *out;

	if (hc_parse_cpulist(text, n, &v, &c))
		return -1;
	out = malloc(c * sizeof(*out));
	if (!out) {
		free(v);
		return -1;
	}
	for (size_t i = 0; i < c; i++)
		out[i] = (uint32_t)v[i];
	free(v);
	*ids = out;
	*count = c;
	return 0;
}

size_t kt_possible_cpus(const uint32_t **ids)
{
	static uint32_t *cpus;
	static size_t n;
	static bool done;

	if (!done) {
		size_t len;
		char *s = kt_read_small(NULL, "/sys/devices/system/cpu/possible", 65536, &len);

		done = true;
		if (s && kt_possible_cpus_parse(s, len, &cpus, &n))
			n = 0;
		free(s);
	}
	*ids = cpus;
	return n;
}

size_t kt_map_value_bytes(const struct bpf_map_info *info, size_t ncpus)
{
	if (kt_bpf_map_percpu(info->type))
		return kt_percpu_stride(info->value_size) * ncpus;
	return info->value_size;
}

/* ---- the walker ----------------------------------------------------- */

static size_t batch_size(const struct kt_walk *w)
{
	size_t per = w->info->key_size + w->vbytes, n;

	if (w->batch)
		return w->batch;
	n = BATCH_BYTES / (per ? per : 1);
	if (n > BATCH_MAX)
		n = BATCH_MAX;
	if (n > w->info->max_entries && w->info->max_entries)
		n = w->info->max_entries;
	return n ? n : 1;
}

static bool no_batch_errno(int e)
{
	return e == EINVAL || e == ENOTSUPP || e == EOPNOTSUPP || e == ENOSYS;
}

/* 1: batch not supported (fall back, nothing delivered yet). */
static int walk_batch(struct kt_walk *w)
{
	size_t ks = w->info->key_size, n = batch_size(w), tok = ks > 8 ? ks : 8;
	unsigned char *keys = NULL, *vals = NULL, *in = calloc(1, tok), *out = calloc(1, tok);
	bool first = true;
	int r = 0;

	for (;;) {
		uint32_t count;
		int e;

		if (!keys) {
			keys = malloc(n * (ks ? ks : 1));
			vals = malloc(n * (w->vbytes ? w->vbytes : 1));
		}
		if (!keys || !vals || !in || !out) {
			r = -ENOMEM;
			break;
		}
		count = (uint32_t)n;
		e = bpf_map_lookup_batch(w->fd, first ? NULL : in, out, keys, vals, &count, NULL);
		e = e ? errno : 0;
		if (e == ENOSPC && !count && n < BATCH_MAX * 4) { /* a bucket is bigger */
			n *= 2;
			free(keys);
			free(vals);
			keys = vals = NULL;
			continue;
		}
		if (e && e != ENOENT) {
			r = first && no_batch_errno(e) ? 1 : -e;
			break;
		}
		w->batched = true;
		first = false;
		if (count) {
			w->entries += count;
			r = w->cb(w->arg, keys, vals, count);
			if (r)
				break;
		}
		if (e == ENOENT)
			break;
		memcpy(in, out, tok);
	}
	free(keys);
	free(vals);
	free(in);
	free(out);
	return r;
}

static int walk_keys(struct kt_walk *w)
{
	size_t ks = w->info->key_size, n = batch_size(w), held = 0;
	uint64_t steps = 0, bound = (uint64_t)w->info->max_entries + 1;
	unsigned char *keys, *vals;
	bool have_prev = false;
	int r = 0;

	if (!ks)
		return -EINVAL;
	if (n > 1024)
		n = 1024;
	keys = malloc(n * ks + ks);
	vals = malloc(n * (w->vbytes ? w->vbytes : 1));
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (;;) {
		unsigned char *prev = have_prev ? keys + n * ks : NULL;
		unsigned char *k = keys + held * ks;

		if (bpf_map_get_next_key(w->fd, prev, k)) {
			if (errno != ENOENT)
				r = -errno;
			break;
		}
		memcpy(keys + n * ks, k, ks);
		have_prev = true;
		if (++steps > bound) { /* restarted from the start: the map changed */
			w->truncated = true;
			break;
		}
		if (bpf_map_lookup_elem(w->fd, k, vals + held * w->vbytes)) {
			if (errno == ENOENT) { /* deleted meanwhile, or an empty slot */
				if (!kt_bpf_map_of_maps(w->info->type) &&
				    w->info->type != KT_MAP_PROG_ARRAY)
					w->vanished++;
				continue;
			}
			r = -errno;
			break;
		}
		if (++held == n) {
			w->entries += held;
			r = w->cb(w->arg, keys, vals, held);
			held = 0;
			if (r)
				break;
		}
	}
	if (held && r >= 0) {
		w->entries += held;
		int c = w->cb(w->arg, keys, vals, held);

		if (c)
			r = c;
	}
	free(keys);
	free(vals);
	return r;
}

int kt_map_walk(struct kt_walk *w)
{
	int r;

	w->entries = w->vanished = 0;
	w->batched = w->truncated = false;
	if (!w->no_batch && !getenv(KT_ENV_NO_BATCH)) {
		r = walk_batch(w);
		if (r != 1)
			return r;
	}
	return walk_keys(w);
}

/* ---- ring buffers ---------------------------------------------------- */

#define RB_BUSY (1u << 31)
#define RB_DISCARD (1u << 30)
#define RB_HDR 8

int kt_ringbuf_walk(const unsigned char *data, size_t size, uint64_t cons, uint64_t prod,
		    unsigned char *scratch, int (*cb)(void *, const struct kt_rb_rec *), void *arg,
		    struct kt_rb_stats *st)
{
	uint64_t pos = cons, mask = size - 1;
	int r = 0;

	memset(st, 0, sizeof(*st));
	st->cons = cons;
	st->prod = prod;
	st->pending = prod - cons;
	if (!size || (size & mask) || prod < cons || prod - cons > size) {
		st->corrupt = true;
		return 0;
	}
	while (pos < prod) {
		struct kt_rb_rec rec = {.pos = pos};
		uint32_t hdr, off = (uint32_t)(pos & mask), len;
		uint64_t total;

		if (prod - pos < RB_HDR || (pos & 7) || off + RB_HDR > size) {
			st->corrupt = true;
			break;
		}
		memcpy(&hdr, data + off, 4);
		len = hdr & ~(RB_BUSY | RB_DISCARD);
		rec.len = len;
		if (hdr & RB_BUSY) {
			rec.busy = true;
			st->busy = true;
			r = cb(arg, &rec);
			break;
		}
		total = ((uint64_t)len + RB_HDR + 7) & ~(uint64_t)7;
		if (total > prod - pos) {
			st->corrupt = true;
			break;
		}
		rec.discarded = hdr & RB_DISCARD;
		off = (uint32_t)((pos + RB_HDR) & mask);
		if ((uint64_t)off + len <= size) {
			rec.data = data + off;
		} else {
			size_t first = size - off;

			memcpy(scratch, data + off, first);
			memcpy(scratch + first, data, len - first);
			rec.data = scratch;
		}
		if (rec.discarded)
			st->discarded++;
		else
			st->records++;
		r = cb(arg, &rec);
		if (r)
			break;
		pos += total;
	}
	return r;
}

int kt_ringbuf_read(int fd, const struct bpf_map_info *info,
		    int (*cb)(void *, const struct kt_rb_rec *), void *arg, struct kt_rb_stats *st)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), size = info->max_entries;
	unsigned char *scratch = NULL;
	void *cons_pg, *prod_pg;
	uint64_t cons, prod;
	int r;

	memset(st, 0, sizeof(*st));
	cons_pg = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	if (cons_pg == MAP_FAILED && errno == EINVAL && info->id) {
		/* a BPF_F_RDONLY fd cannot be mapped at all: map a plain one, still
		 * read-only (PROT_READ), so the consumer position cannot move */
		int rw = bpf_map_get_fd_by_id(info->id);

		if (rw < 0)
			return -errno;
		r = kt_ringbuf_read(rw, &(struct bpf_map_info){.max_entries = info->max_entries},
				    cb, arg, st);
		close(rw);
		return r;
	}
	if (cons_pg == MAP_FAILED)
		return -errno;
	/* producer page, then the data pages mapped twice (read-only) */
	prod_pg = mmap(NULL, page + 2 * size, PROT_READ, MAP_SHARED, fd, (off_t)page);
	if (prod_pg == MAP_FAILED) {
		r = -errno;
		munmap(cons_pg, page);
		return r;
	}
	cons = __atomic_load_n((uint64_t *)cons_pg, __ATOMIC_ACQUIRE);
	prod = __atomic_load_n((uint64_t *)prod_pg, __ATOMIC_ACQUIRE);
	scratch = malloc(size ? size : 1);
	if (!scratch) {
		r = -ENOMEM;
		goto out;
	}
	r = kt_ringbuf_walk((unsigned char *)prod_pg + page, size, cons, prod, scratch, cb, arg,
			    st);
out:
	free(scratch);
	munmap(prod_pg, page + 2 * size);
	munmap(cons_pg, page);
	return r;
}

/* ---- formatting ------------------------------------------------------ */

static const char hexd[] = "0123456789abcdef";

/* "0xNN", for every byte value, 8 bytes apart: one 8-byte copy per byte,
 * 7 of them kept (the 8th is overwritten).  Built on first use. */
static char hex8[256][8];

static void hex8_init(void)
{
	if (hex8[255][0])
		return;
	for (int i = 0; i < 256; i++)
		memcpy(hex8[i],
		       (const char[8]){'"', '0', 'x', hexd[i >> 4], hexd[i & 15], '"', ','}, 8);
}

/* ["0x01","0x02",...] (bpftool's print_hex_data_json) at O: 7 N + 1 bytes,
 * 7 N + 2 touched. */
static char *hex_arr(char *o, const unsigned char *p, size_t n)
{
	size_t i = 0;

	*o++ = '[';
	for (; i + 2 <= n; i += 2, o += 14) {
		memcpy(o, hex8[p[i]], 8);
		memcpy(o + 7, hex8[p[i + 1]], 8);
	}
	if (i < n) {
		memcpy(o, hex8[p[i]], 8);
		o += 7;
	}
	if (n)
		o--; /* the last comma */
	*o++ = ']';
	return o;
}

/* PFX then the byte array at O. */
static char *hex_put(char *o, const char *pfx, const unsigned char *p, size_t n)
{
	size_t l = strlen(pfx);

	hex8_init();
	memcpy(o, pfx, l);
	return hex_arr(o + l, p, n);
}

static void hex_json(struct jw *w, const unsigned char *p, size_t n)
{
	char t[7 * 160 + 2];

	if (w->pretty || n > 160) {
		char e[6] = {'"', '0', 'x', 0, 0, '"'};

		jw_arr_open(w);
		for (size_t i = 0; i < n; i++) {
			e[3] = hexd[p[i] >> 4];
			e[4] = hexd[p[i] & 15];
			jw_raw(w, e, 6);
		}
		jw_arr_close(w);
		return;
	}
	jw_raw(w, t, (size_t)(hex_put(t, "", p, n) - t));
}

static void hex_text(struct kt_buf *b, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char t[3] = {hexd[p[i] >> 4], hexd[p[i] & 15], ' '};

		kt_buf_put(b, t, i + 1 < n ? 3 : 2);
	}
}

/* "cpu": I without printf (per CPU of every entry) */
static void cpu_key(struct jw *w, size_t i)
{
	char t[24];

	jw_key(w, "cpu");
	jw_raw(w, t, jw_fmt_u64(t, i));
}

static uint32_t value_type(const struct bpf_map_info *info)
{
	return info->btf_vmlinux_value_type_id ? info->btf_vmlinux_value_type_id
					       : info->btf_value_type_id;
}

/* One BTF value: by the map's precompiled plan when there is one. */
static void btf_val(struct jw *w, const struct btf *btf, struct kt_btf_plan *plan, uint32_t id,
		    const unsigned char *p, size_t len)
{
	if (plan)
		kt_btf_plan_json(w, plan, p);
	else
		kt_btf_json(w, btf, id, p, len);
}

/* {"cpu":I,"value":[hex]} as one piece (compact, value <= 160 bytes) */
static void cpu_hex(struct jw *w, size_t i, const unsigned char *p, size_t n)
{
	char t[7 * 160 + 48], *o = t;

	memcpy(o, "{\"cpu\":", 7);
	o += 7;
	o += jw_fmt_u64(o, i);
	o = hex_put(o, ",\"value\":", p, n);
	*o++ = '}';
	jw_raw(w, t, (size_t)(o - t));
}

static void entry_json(struct jw *w, const struct bpf_map_info *info, const struct btf *btf,
		       struct kt_btf_plan *kplan, struct kt_btf_plan *vplan,
		       const unsigned char *key, const unsigned char *val, size_t ncpus)
{
	bool percpu = kt_bpf_map_percpu(info->type);
	bool compact = !w->pretty && info->key_size <= 160 && info->value_size <= 160;
	size_t step = kt_percpu_stride(info->value_size);

	jw_obj_open(w);
	if (!percpu && compact) {
		/* compact: both byte arrays as one piece (the hot path of big dumps) */
		char t[2 * (7 * 160 + 2) + 20], *o = t;

		o = hex_put(o, "\"key\":", key, info->key_size);
		o = hex_put(o, ",\"value\":", val, info->value_size);
		jw_raw(w, t, (size_t)(o - t));
	} else {
		jw_key(w, "key");
		hex_json(w, key, info->key_size);
		if (!percpu) {
			jw_key(w, "value");
			hex_json(w, val, info->value_size);
		}
	}
	if (!percpu) {
		if (kt_bpf_map_of_maps(info->type) && info->value_size >= 4) {
			uint32_t id;

			memcpy(&id, val, 4);
			jw_ku64(w, "inner_map_id", id);
		}
	} else {
		jw_key(w, "values");
		jw_arr_open(w);
		for (size_t i = 0; i < ncpus; i++) {
			if (compact) {
				cpu_hex(w, i, val + i * step, info->value_size);
				continue;
			}
			jw_obj_open(w);
			cpu_key(w, i);
			jw_key(w, "value");
			hex_json(w, val + i * step, info->value_size);
			jw_obj_close(w);
		}
		jw_arr_close(w);
	}
	if (btf) {
		jw_key(w, "formatted");
		jw_obj_open(w);
		if (info->btf_key_type_id) {
			jw_key(w, "key");
			btf_val(w, btf, kplan, info->btf_key_type_id, key, info->key_size);
		}
		if (!percpu) {
			jw_key(w, "value");
			btf_val(w, btf, vplan, value_type(info), val, info->value_size);
		} else {
			jw_key(w, "values");
			jw_arr_open(w);
			for (size_t i = 0; i < ncpus; i++) {
				jw_obj_open(w);
				cpu_key(w, i);
				jw_key(w, "value");
				btf_val(w, btf, vplan, value_type(info), val + i * step,
					info->value_size);
				jw_obj_close(w);
			}
			jw_arr_close(w);
		}
		jw_obj_close(w);
	}
	jw_obj_close(w);
}

void kt_dump_entry_json(struct jw *w, const struct bpf_map_info *info, const struct btf *btf,
			const unsigned char *key, const unsigned char *val, size_t ncpus,
			const uint32_t *cpus)
{
	(void)cpus;
	entry_json(w, info, btf, NULL, NULL, key, val, ncpus);
}

/* ---- the JSON entry plan (see bpfdump.h) ------------------------------ */

struct kt_entry_plan {
	struct kt_btf_plan *kplan, *vplan; /* the caller's */
	size_t ks, vs, step, ncpus;
	bool percpu, of_maps, fmt, fkey;
	struct kt_buf pool; /* per CPU: {"cpu":I,"value": (a comma first after CPU 0) */
	uint32_t *off;	    /* where each CPU's piece starts in the pool; one more: the end */
	size_t fixed;	    /* bytes up to "formatted":{"key": at most */
};

void kt_entry_plan_free(struct kt_entry_plan *p)
{
	if (!p)
		return;
	kt_buf_free(&p->pool);
	free(p->off);
	free(p);
}

static void cpu_piece(struct kt_entry_plan *p, size_t i)
{
	char t[48], *o = t;

	if (i)
		*o++ = ',';
	memcpy(o, "{\"cpu\":", 7);
	o += 7;
	o += jw_fmt_u64(o, i);
	memcpy(o, ",\"value\":", 9);
	o += 9;
	kt_buf_put(&p->pool, t, (size_t)(o - t));
}

struct kt_entry_plan *kt_entry_plan_new(const struct bpf_map_info *info, bool formatted,
					struct kt_btf_plan *kplan, struct kt_btf_plan *vplan,
					size_t ncpus)
{
	struct kt_entry_plan *p;

	if (formatted && (!vplan || (info->btf_key_type_id && !kplan)))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	hex8_init();
	p->kplan = kplan;
	p->vplan = vplan;
	p->ks = info->key_size;
	p->vs = info->value_size;
	p->step = kt_percpu_stride(info->value_size);
	p->percpu = kt_bpf_map_percpu(info->type);
	p->of_maps = kt_bpf_map_of_maps(info->type) && info->value_size >= 4;
	p->fmt = formatted;
	p->fkey = formatted && info->btf_key_type_id;
	p->ncpus = p->percpu ? ncpus : 1;
	p->off = calloc(p->ncpus + 1, sizeof(*p->off));
	if (!p->off)
		goto oom;
	for (size_t i = 0; p->percpu && i < p->ncpus; i++) {
		p->off[i] = (uint32_t)p->pool.len;
		cpu_piece(p, i);
	}
	p->off[p->ncpus] = (uint32_t)p->pool.len;
	if (p->pool.oom || p->pool.len > UINT32_MAX)
		goto oom;
	/* pieces, both byte arrays (every CPU's), inner_map_id: 64 covers the rest */
	p->fixed = 64 + 7 * p->ks + p->pool.len + p->ncpus * (7 * p->vs + 8);
	return p;
oom:
	kt_entry_plan_free(p);
	return NULL;
}

#define PUT(o, lit) (memcpy(o, lit, sizeof(lit) - 1), (o) + sizeof(lit) - 1)

/* The bytes of entry_json, written in place: one room check for the hex
 * part, each BTF plan's own, one for the framing after each. */
static int entry_plan_put(struct kt_buf *b, const struct kt_entry_plan *p, const unsigned char *key,
			  const unsigned char *val)
{
	char *o = kt_buf_room(b, p->fixed);
	int rc = 0;

	if (!o)
		return -1;
	o = hex_arr(PUT(o, "{\"key\":"), key, p->ks);
	if (!p->percpu) {
		o = hex_arr(PUT(o, ",\"value\":"), val, p->vs);
		if (p->of_maps) {
			uint32_t id;

			memcpy(&id, val, 4);
			o = PUT(o, ",\"inner_map_id\":");
			o += jw_fmt_u64(o, id);
		}
	} else {
		o = PUT(o, ",\"values\":[");
		for (size_t i = 0; i < p->ncpus; i++) {
			size_t n = p->off[i + 1] - p->off[i];

			kt_copy_short(o, p->pool.p + p->off[i], n);
			o = hex_arr(o + n, val + i * p->step, p->vs);
			*o++ = '}';
		}
		*o++ = ']';
	}
	if (!p->fmt) {
		*o++ = '}';
		kt_buf_done(b, o);
		return 0;
	}
	o = PUT(o, ",\"formatted\":{");
	if (p->fkey) {
		o = PUT(o, "\"key\":");
		kt_buf_done(b, o);
		rc |= kt_btf_plan_put(b, p->kplan, key);
		if (!(o = kt_buf_room(b, 64)))
			return -1;
		*o++ = ',';
	}
	if (!p->percpu) {
		o = PUT(o, "\"value\":");
		kt_buf_done(b, o);
		rc |= kt_btf_plan_put(b, p->vplan, val);
		if (!(o = kt_buf_room(b, 64)))
			return -1;
		o = PUT(o, "}}");
		kt_buf_done(b, o);
		return rc;
	}
	o = PUT(o, "\"values\":[");
	for (size_t i = 0; i < p->ncpus; i++) {
		size_t n = p->off[i + 1] - p->off[i];

		kt_copy_short(o, p->pool.p + p->off[i], n);
		kt_buf_done(b, o + n);
		rc |= kt_btf_plan_put(b, p->vplan, val + i * p->step);
		if (!(o = kt_buf_room(b, 64)))
			return -1;
		*o++ = '}';
	}
	o = PUT(o, "]}}");
	kt_buf_done(b, o);
	return rc;
}

int kt_entry_plan_json(struct jw *w, const struct kt_entry_plan *p, const unsigned char *key,
		       const unsigned char *val)
{
	struct kt_buf *b = jw_raw_buf(w);

	if (!b)
		return 1;
	return entry_plan_put(b, p, key, val) ? -1 : 0;
}

static bool array_kind(uint32_t t)
{
	return t == KT_MAP_ARRAY || t == KT_MAP_PERCPU_ARRAY || t == KT_MAP_ARRAY_OF_MAPS ||
	       t == KT_MAP_PROG_ARRAY || t == KT_MAP_STRUCT_OPS;
}

static void key_text(struct kt_buf *b, const struct bpf_map_info *info, const struct btf *btf,
		     struct kt_btf_plan *plan, const unsigned char *key)
{
	kt_buf_puts(b, "key: ");
	if (btf && info->btf_key_type_id && plan) {
		kt_btf_plan_text(b, plan, key);
	} else if (btf && info->btf_key_type_id) {
		kt_btf_text(b, btf, info->btf_key_type_id, key, info->key_size, 0);
	} else if (array_kind(info->type) && info->key_size == 4) {
		char t[24];
		uint32_t k;

		memcpy(&k, key, 4);
		kt_buf_put(b, t, jw_fmt_u64(t, k));
	} else {
		hex_text(b, key, info->key_size);
	}
}

static void val_text(struct kt_buf *b, const struct bpf_map_info *info, const struct btf *btf,
		     struct kt_btf_plan *plan, const unsigned char *val, int ind)
{
	if (btf && plan)
		kt_btf_plan_text(b, plan, val);
	else if (btf)
		kt_btf_text(b, btf, value_type(info), val, info->value_size, ind);
	else
		hex_text(b, val, info->value_size);
}

static void entry_text(struct kt_buf *b, const struct bpf_map_info *info, const struct btf *btf,
		       struct kt_btf_plan *kplan, struct kt_btf_plan *vplan,
		       const unsigned char *key, const unsigned char *val, size_t ncpus,
		       const uint32_t *cpus)
{
	size_t step = kt_percpu_stride(info->value_size);

	key_text(b, info, btf, kplan, key);
	if (kt_bpf_map_of_maps(info->type) && info->value_size >= 4) {
		uint32_t id;

		memcpy(&id, val, 4);
		kt_buf_printf(b, "  inner_map_id: %u\n", id);
		return;
	}
	if (info->type == KT_MAP_PROG_ARRAY && info->value_size >= 4) {
		uint32_t id;

		memcpy(&id, val, 4);
		kt_buf_printf(b, "  prog_id: %u\n", id);
		return;
	}
	if (!kt_bpf_map_percpu(info->type)) {
		kt_buf_puts(b, "  value: ");
		val_text(b, info, btf, vplan, val, 0);
		kt_buf_putc(b, '\n');
		return;
	}
	kt_buf_putc(b, '\n');
	for (size_t i = 0; i < ncpus; i++) {
		char t[24];

		kt_buf_puts(b, "  cpu ");
		kt_buf_put(b, t, jw_fmt_u64(t, cpus ? cpus[i] : i));
		kt_buf_puts(b, ": ");
		val_text(b, info, btf, vplan, val + i * step, 1);
		kt_buf_putc(b, '\n');
	}
}

void kt_dump_entry_text(struct kt_buf *b, const struct bpf_map_info *info, const struct btf *btf,
			const unsigned char *key, const unsigned char *val, size_t ncpus,
			const uint32_t *cpus)
{
	entry_text(b, info, btf, NULL, NULL, key, val, ncpus, cpus);
}

/* ---- the dump writer ------------------------------------------------- */

int kt_idlist_add(struct kt_idlist *l, uint32_t id)
{
	uint32_t *nv;

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == id)
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;

		nv = realloc(l->v, cap * sizeof(*nv));
		if (!nv)
			return -1;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = id;
	return 0;
}

static void flush(struct kt_dump *d, bool force)
{
	if (!d->buf.len || (!force && d->buf.len < FLUSH_AT))
		return;
	/* big chunks straight to the fd: stdio would copy them once more */
	if (fflush(d->fp) && !d->err)
		d->err = errno ? -errno : -EIO;
	for (size_t off = 0; off < d->buf.len && !d->err;) {
		ssize_t n = write(fileno(d->fp), d->buf.p + off, d->buf.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			d->err = n < 0 ? -errno : -EIO;
		else
			off += (size_t)n;
	}
	kt_buf_reset(&d->buf);
}

void kt_dump_begin(struct kt_dump *d)
{
	memset(&d->buf, 0, sizeof(d->buf));
	jw_init_buf(&d->w, &d->buf, d->pretty);
	d->ncpus = kt_possible_cpus(&d->cpus);
	d->maps = 0;
	d->err = 0;
	if (d->json && d->multi)
		jw_arr_open(&d->w);
}

struct emit {
	struct kt_dump *d;
	const struct bpf_map_info *info;
	const struct btf *btf;
	struct kt_idlist *inner;
	struct kt_btf_plan *kplan, *vplan; /* JSON: compiled once per map */
	struct kt_entry_plan *eplan;	   /* compact JSON */
};

static int emit_entries(void *arg, const unsigned char *keys, const unsigned char *vals, size_t n)
{
	struct emit *e = arg;
	struct kt_dump *d = e->d;
	const struct bpf_map_info *info = e->info;
	size_t vb = kt_map_value_bytes(info, d->ncpus);

	for (size_t i = 0; i < n; i++) {
		const unsigned char *k = keys + i * info->key_size, *v = vals + i * vb;

		if (e->inner && kt_bpf_map_of_maps(info->type) && info->value_size >= 4) {
			uint32_t id;

			memcpy(&id, v, 4);
			kt_idlist_add(e->inner, id);
		}
		if (e->eplan && kt_entry_plan_json(&d->w, e->eplan, k, v) <= 0)
			; /* written by the map's plan */
		else if (d->json)
			entry_json(&d->w, info, e->btf, e->kplan, e->vplan, k, v, d->ncpus);
		else
			entry_text(&d->buf, info, e->btf, e->kplan, e->vplan, k, v, d->ncpus,
				   d->cpus);
		flush(d, false);
	}
	return d->err;
}

static void map_head_text(struct kt_buf *b, const struct bpf_map_info *i)
{
	const char *t = kt_bpf_map_type_name(i->type);

	kt_buf_printf(b, "map %u: ", i->id);
	if (t)
		kt_buf_puts(b, t);
	else
		kt_buf_printf(b, "type %u", i->type);
	if (i->name[0])
		kt_buf_printf(b, "  name %.*s", (int)sizeof(i->name), i->name);
	kt_buf_printf(b, "  key %uB  value %uB  max_entries %u\n", i->key_size, i->value_size,
		      i->max_entries);
}

static struct btf *map_btf(struct kt_dump *d, const struct bpf_map_info *info, bool *owned)
{
	*owned = false;
	if (d->raw)
		return NULL;
	if (info->btf_vmlinux_value_type_id) {
		if (!d->vmlinux_tried) {
			d->vmlinux_tried = true;
			d->vmlinux = btf__load_vmlinux_btf();
		}
		return d->vmlinux;
	}
	if (!info->btf_value_type_id || !info->btf_id)
		return NULL;
	*owned = true;
	return btf__load_from_kernel_by_id(info->btf_id);
}

struct rbemit {
	struct kt_dump *d;
};

static int emit_rec(void *arg, const struct kt_rb_rec *r)
{
	struct kt_dump *d = ((struct rbemit *)arg)->d;

	if (d->json) {
		jw_obj_open(&d->w);
		jw_ku64(&d->w, "pos", r->pos);
		jw_ku64(&d->w, "len", r->len);
		if (r->busy)
			jw_kbool(&d->w, "busy", true);
		if (r->discarded)
			jw_kbool(&d->w, "discarded", true);
		if (r->data) {
			jw_key(&d->w, "data");
			hex_json(&d->w, r->data, r->len);
		}
		jw_obj_close(&d->w);
	} else {
		kt_buf_printf(&d->buf, "record pos %llu len %u%s%s", (unsigned long long)r->pos,
			      r->len, r->busy ? " busy (not committed)" : "",
			      r->discarded ? " discarded" : "");
		if (r->data) {
			kt_buf_puts(&d->buf, ": ");
			hex_text(&d->buf, r->data, r->len);
		}
		kt_buf_putc(&d->buf, '\n');
	}
	flush(d, false);
	return d->err;
}

static int dump_ringbuf(struct kt_dump *d, int fd, const struct bpf_map_info *info)
{
	struct rbemit e = {d};
	struct kt_rb_stats st;
	int r;

	if (d->json) {
		jw_key(&d->w, "records");
		jw_arr_open(&d->w);
	}
	r = kt_ringbuf_read(fd, info, emit_rec, &e, &st);
	if (d->json) {
		jw_arr_close(&d->w);
		jw_ku64(&d->w, "consumer_pos", st.cons);
		jw_ku64(&d->w, "producer_pos", st.prod);
		jw_ku64(&d->w, "pending_bytes", st.pending);
		jw_ku64(&d->w, "size", info->max_entries);
		if (st.corrupt)
			jw_kstr(&d->w, "partial",
				"a record header was inconsistent: the rest is not shown");
		if (r < 0)
			jw_kstr(&d->w, "error", strerror(-r));
	} else {
		kt_buf_printf(
			&d->buf,
			"consumer_pos %llu  producer_pos %llu  pending %llu bytes  %zu record%s"
			"%s%s\n",
			(unsigned long long)st.cons, (unsigned long long)st.prod,
			(unsigned long long)st.pending, st.records, st.records == 1 ? "" : "s",
			st.busy ? "  (stopped at an uncommitted record)" : "",
			st.corrupt ? "  (partial: inconsistent header)" : "");
	}
	if (r < 0)
		return r;
	return st.corrupt ? 1 : 0;
}

/* One place the globals may be at: its bytes as the present pages show them. */
struct gcand {
	uint64_t base; /* arena offset, a page multiple */
	unsigned char *g;
	size_t seen; /* pages of it present */
};

struct arena_emit {
	struct kt_dump *d;
	uint64_t start;
	/* globals: the .addr_space.1 DATASEC of a program using the arena */
	struct btf *btf;
	uint32_t sec, prog_id;
	size_t gsz, gpages;
	enum kt_arena_gplace place;
	char why[160];	   /* how the placement was decided */
	struct gcand c[2]; /* start, end (both when unknown) */
	size_t nc;
};

#define ARENA_SEC ".addr_space.1"
#define ARENA_PROG_MAPS 64
#define ARENA_OFFS 256

/* Does program ID use map MAP_ID?  Its fd (and BTF id in *BTF_ID) when it does, else -1. */
static int prog_uses(uint32_t id, uint32_t map_id, uint32_t *btf_id)
{
	uint32_t maps[ARENA_PROG_MAPS] = {0};
	struct bpf_prog_info pi;
	uint32_t len = sizeof(pi);
	bool hit = false;
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd < 0)
		return -1;
	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = ARENA_PROG_MAPS;
	pi.map_ids = (uint64_t)(uintptr_t)maps;
	if (!bpf_obj_get_info_by_fd(fd, &pi, &len)) {
		for (uint32_t i = 0; i < pi.nr_map_ids && i < ARENA_PROG_MAPS; i++)
			hit |= maps[i] == map_id;
		*btf_id = pi.btf_id;
	}
	if (!hit)
		close(fd);
	return hit ? fd : -1;
}

/* The arena offsets program FD's xlated instructions load (raw for root). */
static size_t prog_arena_offsets(int fd, uint64_t start, uint64_t len, uint64_t *out, size_t max)
{
	struct bpf_prog_info pi;
	uint32_t l = sizeof(pi), n;
	unsigned char *ins;
	size_t found = 0;

	memset(&pi, 0, sizeof(pi));
	if (bpf_obj_get_info_by_fd(fd, &pi, &l) || !pi.xlated_prog_len ||
	    pi.xlated_prog_len > (64u << 20))
		return 0;
	n = pi.xlated_prog_len;
	ins = malloc(n);
	if (!ins)
		return 0;
	memset(&pi, 0, sizeof(pi));
	l = sizeof(pi);
	pi.xlated_prog_len = n;
	pi.xlated_prog_insns = (uint64_t)(uintptr_t)ins;
	if (!bpf_obj_get_info_by_fd(fd, &pi, &l))
		found = kt_arena_insn_offsets(ins,
					      (pi.xlated_prog_len < n ? pi.xlated_prog_len : n) / 8,
					      start, len, out, max);
	free(ins);
	return found;
}

/* The globals' placement by the rule of bpfarena.h; the candidates to render. */
static void arena_globals_place(struct arena_emit *a, uint64_t arena_len, const uint64_t *offs,
				size_t n, uint32_t evidence_prog)
{
	uint64_t end = kt_arena_globals_end(arena_len, a->gsz, 4096);
	int full;

	a->place = kt_arena_globals_place(arena_len, a->gsz, 4096, offs, n);
	if (a->place != KT_ARENA_G_UNKNOWN && !end) {
		snprintf(a->why, sizeof(a->why),
			 "they fill the arena's last pages: start and end agree");
	} else if (a->place != KT_ARENA_G_UNKNOWN) {
		snprintf(a->why, sizeof(a->why),
			 "at the %s: where program %u's instructions load them from",
			 a->place == KT_ARENA_G_END ? "end (libbpf >= 1.7)"
						    : "start (libbpf < 1.7)",
			 evidence_prog);
	} else if (!(full = kt_arena_probe_full_range())) {
		a->place = KT_ARENA_G_START;
		snprintf(a->why, sizeof(a->why),
			 "at the start: this kernel limits ld_imm64 offsets, so every libbpf puts "
			 "them there");
	} else {
		snprintf(a->why, sizeof(a->why),
			 "globals at the start assumed (libbpf < 1.7); libbpf >= 1.7 puts them at "
			 "offset %llu%s",
			 (unsigned long long)end, full > 0 ? "" : " (kernel support unknown)");
	}
	if (a->place != KT_ARENA_G_END)
		a->c[a->nc++].base = 0;
	if (a->place != KT_ARENA_G_START)
		a->c[a->nc++].base = end;
}

/*
 * The programs using arena MAP_ID: the first whose BTF has an
 * .addr_space.1 DATASEC gives the globals' types; every one's
 * instructions, the arena offsets they load (for the placement).
 */
static void arena_globals_find(struct arena_emit *a, uint32_t map_id, uint64_t start,
			       uint64_t arena_len)
{
	uint64_t offs[ARENA_OFFS];
	uint32_t id = 0, btf_id, ev = 0;
	size_t n = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		const struct btf_type *t;
		int sec, fd = prog_uses(id, map_id, &btf_id);
		size_t got;

		if (fd < 0)
			continue;
		got = prog_arena_offsets(fd, start, arena_len, offs + n, ARENA_OFFS - n);
		close(fd);
		if (got && !ev)
			ev = id;
		n += got < ARENA_OFFS - n ? got : ARENA_OFFS - n;
		if (a->btf || !btf_id)
			continue;
		a->btf = btf__load_from_kernel_by_id(btf_id);
		sec = a->btf ? btf__find_by_name_kind(a->btf, ARENA_SEC, BTF_KIND_DATASEC) : -1;
		t = sec > 0 ? btf__type_by_id(a->btf, (uint32_t)sec) : NULL;
		if (!t || !t->size || t->size > arena_len) {
			btf__free(a->btf);
			a->btf = NULL;
			continue;
		}
		a->sec = (uint32_t)sec;
		a->prog_id = id;
		a->gsz = t->size;
		a->gpages = (a->gsz + 4095) / 4096;
	}
	if (!a->btf)
		return;
	arena_globals_place(a, arena_len, offs, n, ev);
	for (size_t i = 0; i < a->nc; i++) {
		a->c[i].g = calloc(1, a->gpages * 4096);
		if (!a->c[i].g) {
			btf__free(a->btf);
			a->btf = NULL;
			return;
		}
	}
}

static void globals_json(struct arena_emit *a, const struct gcand *c, int pid)
{
	struct jw *w = &a->d->w;

	jw_ku64(w, "offset", c->base);
	if (c->seen < a->gpages) {
		char why[128];

		snprintf(
			why, sizeof(why),
			"%zu of the %zu pages holding them are not present in pid %d's page tables",
			a->gpages - c->seen, a->gpages, pid);
		jw_kstr(w, "unavailable", why);
		return;
	}
	jw_key(w, "value");
	kt_btf_json(w, a->btf, a->sec, c->g, a->gsz);
}

static void globals_text(struct arena_emit *a, const struct gcand *c, int pid, const char *what)
{
	struct kt_buf *b = &a->d->buf;

	kt_buf_printf(b,
		      "globals (prog %u's BTF, %zu bytes at arena offset %llu, %s): ", a->prog_id,
		      a->gsz, (unsigned long long)c->base, what);
	if (c->seen < a->gpages) {
		kt_buf_printf(b,
			      "unavailable: %zu of the %zu pages holding them are not present in "
			      "pid %d's page tables\n",
			      a->gpages - c->seen, a->gpages, pid);
		return;
	}
	kt_btf_text(b, a->btf, a->sec, c->g, a->gsz, 0);
	kt_buf_putc(b, '\n');
}

static void arena_globals_emit(struct arena_emit *a, const struct kt_arena_where *where)
{
	static const char *const pl[] = {"unknown", "start", "end"};
	struct kt_dump *d = a->d;

	if (!a->btf)
		return;
	if (d->json) {
		jw_key(&d->w, "globals");
		jw_obj_open(&d->w);
		jw_ku64(&d->w, "prog_id", a->prog_id);
		jw_ku64(&d->w, "size", a->gsz);
		jw_kstr(&d->w, "placement", pl[a->place]);
		jw_kstr(&d->w, a->place == KT_ARENA_G_UNKNOWN ? "assumed" : "placement_from",
			a->why);
		globals_json(a, &a->c[0], where->pid);
		if (a->nc > 1) {
			jw_key(&d->w, "at_end");
			jw_obj_open(&d->w);
			globals_json(a, &a->c[1], where->pid);
			jw_obj_close(&d->w);
		}
		jw_obj_close(&d->w);
		return;
	}
	globals_text(a, &a->c[0], where->pid, a->why);
	if (a->nc > 1)
		globals_text(a, &a->c[1], where->pid, "if libbpf >= 1.7 placed them");
}

static int emit_page(void *arg, uint64_t page, const unsigned char *bytes, size_t len)
{
	struct arena_emit *a = arg;
	struct kt_dump *d = a->d;
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < a->nc && len == 4096; i++) {
		uint64_t first = a->c[i].base / 4096;

		if (a->c[i].g && page >= first && page - first < a->gpages) {
			memcpy(a->c[i].g + (page - first) * 4096, bytes, len);
			a->c[i].seen++;
		}
	}

	if (d->json) {
		jw_obj_open(&d->w);
		jw_ku64(&d->w, "page", page);
		jw_khex(&d->w, "address", a->start + page * len);
		kt_buf_reset(&d->tmp);
		for (size_t i = 0; i < len; i++) {
			kt_buf_putc(&d->tmp, hx[bytes[i] >> 4]);
			kt_buf_putc(&d->tmp, hx[bytes[i] & 15]);
		}
		jw_key(&d->w, "bytes");
		jw_strn(&d->w, d->tmp.p, d->tmp.len);
		jw_obj_close(&d->w);
	} else {
		kt_buf_printf(&d->buf, "page %llu at 0x%llx:\n", (unsigned long long)page,
			      (unsigned long long)(a->start + page * len));
		for (size_t o = 0; o < len; o += 16) {
			size_t z = o;

			while (z < len && !bytes[z])
				z++;
			if (z - o >= 16 && o) /* zero lines after the first: elided */
				continue;
			kt_buf_printf(&d->buf, "  %04zx:", o);
			for (size_t i = o; i < o + 16; i++)
				kt_buf_printf(&d->buf, " %02x", bytes[i]);
			kt_buf_putc(&d->buf, '\n');
		}
	}
	flush(d, false);
	return d->err;
}

static int dump_arena(struct kt_dump *d, const struct bpf_map_info *info)
{
	uint64_t budget = d->budget ? d->budget : KT_DUMP_BUDGET;
	struct kt_arena_where where;
	struct arena_emit a = {.d = d};
	bool cut = false;
	long n;
	int r;

	r = kt_arena_find(info->id, (uint64_t)info->max_entries * 4096, info->map_extra, &where);
	if (r) {
		const char *why = r == -ENOENT ? "no process maps this arena and holds its fd: its "
						 "pages cannot be read"
						 " without making the kernel allocate them"
					       : strerror(-r);

		if (d->json)
			jw_kstr(&d->w, "unavailable", why);
		else
			kt_buf_printf(&d->buf, "unavailable: %s\n", why);
		return r == -ENOENT ? 1 : r;
	}
	a.start = where.start;
	if (!d->raw)
		arena_globals_find(&a, info->id, where.start, where.len);
	if (d->json) {
		jw_ku64(&d->w, "pid", (uint64_t)where.pid);
		jw_khex(&d->w, "user_vm_start", where.start);
		jw_ku64(&d->w, "pages", where.len / 4096);
		if (!where.confirmed)
			jw_ku64(&d->w, "ambiguous_mappings", (uint64_t)where.candidates);
		jw_key(&d->w, "present");
		jw_arr_open(&d->w);
	} else {
		kt_buf_printf(&d->buf, "mapped by pid %d at 0x%llx, %llu pages%s\n", where.pid,
			      (unsigned long long)where.start,
			      (unsigned long long)(where.len / 4096),
			      where.confirmed ? "" : " (one of several mappings of this size)");
	}
	n = kt_arena_read(&where, budget, emit_page, &a, &cut);
	if (d->json) {
		jw_arr_close(&d->w);
		if (n >= 0)
			jw_ku64(&d->w, "present_pages", (uint64_t)n);
		jw_kstr(&d->w, "not_shown",
			"pages the BPF side allocated that the mapping process"
			" never touched (not in its page tables)");
		if (cut)
			jw_kstr(&d->w, "partial", "the byte budget was reached");
		if (n < 0)
			jw_kstr(&d->w, "error", strerror((int)-n));
	} else if (n >= 0) {
		kt_buf_printf(&d->buf,
			      "%ld present page%s shown%s (pages only the BPF side touched"
			      " are not visible)\n",
			      n, n == 1 ? "" : "s",
			      cut ? "; partial: the byte budget was reached" : "");
	}
	if (n >= 0)
		arena_globals_emit(&a, &where);
	btf__free(a.btf);
	free(a.c[0].g);
	free(a.c[1].g);
	if (n < 0)
		return (int)n;
	return cut ? 1 : 0;
}

int kt_dump_map(struct kt_dump *d, int fd, const struct bpf_map_info *info, struct kt_idlist *inner)
{
	enum kt_dump_kind kind = kt_bpf_dump_kind(info->type);
	const char *why = kt_bpf_not_dumpable(info->type);
	bool owned = false, objhead = d->json && (d->multi || kind != KT_DUMP_WALK);
	struct btf *btf = NULL;
	struct kt_walk w = {0};
	struct emit e = {0};
	int r = 0;

	if (kt_bpf_map_percpu(info->type) && !d->ncpus)
		return -ENODEV; /* no /sys/devices/system/cpu/possible */
	if (objhead) {
		jw_obj_open(&d->w);
		kt_bpf_map_header_json(&d->w, info);
	} else if (!d->json) {
		if (d->maps)
			kt_buf_putc(&d->buf, '\n');
		map_head_text(&d->buf, info);
	}
	d->maps++;
	if (kind == KT_DUMP_NONE) {
		if (d->json)
			jw_kstr(&d->w, "not_dumpable", why);
		else
			kt_buf_printf(&d->buf, "not dumpable: %s (%s)\n",
				      kt_bpf_map_type_name(info->type) ?: "unknown", why);
		goto out;
	}
	if (kind == KT_DUMP_RINGBUF) {
		r = dump_ringbuf(d, fd, info);
		goto out;
	}
	if (kind == KT_DUMP_ARENA) {
		r = dump_arena(d, info);
		goto out;
	}
	btf = map_btf(d, info, &owned);
	if (objhead) {
		jw_key(&d->w, "elements");
	}
	if (d->json)
		jw_arr_open(&d->w);
	e = (struct emit){d, info, btf, inner, NULL, NULL, NULL};
	if (d->json && btf && !d->pretty) {
		if (info->btf_key_type_id)
			e.kplan = kt_btf_plan_new(btf, info->btf_key_type_id, info->key_size);
		e.vplan = kt_btf_plan_new(btf, value_type(info), info->value_size);
	}
	if (d->json && !d->pretty)
		e.eplan = kt_entry_plan_new(info, btf != NULL, e.kplan, e.vplan, d->ncpus);
	if (!d->json && btf) {
		if (info->btf_key_type_id)
			e.kplan =
				kt_btf_plan_new_text(btf, info->btf_key_type_id, info->key_size, 0);
		e.vplan = kt_btf_plan_new_text(btf, value_type(info), info->value_size,
					       kt_bpf_map_percpu(info->type) ? 1 : 0);
	}
	w = (struct kt_walk){.fd = fd,
			     .info = info,
			     .vbytes = kt_map_value_bytes(info, d->ncpus),
			     .batch = d->batch,
			     .no_batch = d->no_batch,
			     .cb = emit_entries,
			     .arg = &e};
	r = kt_map_walk(&w);
	if (d->json)
		jw_arr_close(&d->w);
	if (w.truncated || w.vanished) {
		char note[160];

		snprintf(note, sizeof(note),
			 w.truncated ? "the map changed while walked: stopped after %zu keys, some "
				       "may repeat"
				     : "%zu keys were deleted while walked",
			 w.truncated ? w.entries : w.vanished);
		if (objhead)
			jw_kstr(&d->w, "partial", note);
		else if (!d->json)
			kt_buf_printf(&d->buf, "partial: %s\n", note);
		if (w.truncated)
			r = r ? r : 1;
	}
	if (!d->json && r >= 0)
		kt_buf_printf(&d->buf, "%zu entr%s (%s)\n", w.entries, w.entries == 1 ? "y" : "ies",
			      w.batched ? "batch lookup" : "get_next_key");
	if (r < 0 && objhead)
		jw_kstr(&d->w, "error", strerror(-r));
out:
	if (objhead)
		jw_obj_close(&d->w);
	kt_entry_plan_free(e.eplan);
	kt_btf_plan_free(e.kplan);
	kt_btf_plan_free(e.vplan);
	if (owned)
		btf__free(btf);
	flush(d, false);
	return d->err ? d->err : r;
}

int kt_dump_end(struct kt_dump *d)
{
	if (d->json && d->multi)
		jw_arr_close(&d->w);
	if (d->json)
		jw_newline(&d->w);
	flush(d, true);
	return d->err;
}

void kt_dump_free(struct kt_dump *d)
{
	kt_buf_free(&d->buf);
	kt_buf_free(&d->tmp);
	btf__free(d->vmlinux);
	d->vmlinux = NULL;
}
