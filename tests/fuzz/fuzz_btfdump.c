// SPDX-License-Identifier: MIT
/*
 * The BTF value renderer and the ring buffer reader.  The first byte picks
 * the mode: 0-3 render the fixture BTF's types (tests/unit/btf_fixture.h)
 * over the rest as bytes (JSON and text; the JSON must parse); 4 treats
 * the rest as a BTF blob and renders each of its types over itself (the
 * precompiled plans, of a value and of a whole map entry, must write the
 * renderer's very bytes); 5
 * walks the rest as a ring buffer with positions from its first 16 bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpfdump.h"
#include "bpfmap.h"
#include "../unit/btf_fixture.h"
#include "btfdump.h"
#include "json.h"
#include "jsonr.h"

static struct btf *fx;
static struct fx_ids id;

/* A map entry with value type T over D: the entry plan writes exactly
 * what kt_dump_entry_json writes (hash and per-CPU, 2 CPUs). */
static void entry(const struct btf *btf, uint32_t t, const uint8_t *d, size_t n)
{
	struct bpf_map_info info = { .key_size = 4, .value_size = (uint32_t)n,
				     .btf_value_type_id = t };
	size_t step = kt_percpu_stride(n), ncpus = n & 1 ? 2 : 1;
	unsigned char *val;
	struct kt_btf_plan *vp;
	struct kt_entry_plan *ep;
	struct kt_buf a = { 0 }, b = { 0 };
	struct jw wa, wb;

	if (n < 4 || n > 4096)
		return;
	info.type = n & 1 ? KT_MAP_PERCPU_HASH : KT_MAP_HASH;
	val = calloc(2, step);
	vp = kt_btf_plan_new(btf, t, n);
	ep = vp ? kt_entry_plan_new(&info, true, NULL, vp, ncpus) : NULL;
	if (!val || !ep)
		goto out;
	memcpy(val, d, n);
	memcpy(val + step, d, n);
	jw_init_buf(&wa, &a, 0);
	jw_init_buf(&wb, &b, 0);
	kt_dump_entry_json(&wa, &info, btf, d, val, ncpus, NULL);
	if (kt_entry_plan_json(&wb, ep, d, val) == 1)
		abort();
	if (a.len != b.len || (a.len && memcmp(a.p, b.p, a.len)))
		abort();
out:
	kt_entry_plan_free(ep);
	kt_btf_plan_free(vp);
	free(val);
	kt_buf_free(&a);
	kt_buf_free(&b);
}

static void render(const struct btf *btf, uint32_t t, const uint8_t *d, size_t n, int check)
{
	struct kt_buf b = { 0 };
	struct jw w;
	struct jr_val v;
	struct jr_err e;

	jw_init_buf(&w, &b, 0);
	kt_btf_json(&w, btf, t, d, n);
	if (check && w.depth)
		abort();
	if (check && b.p) {
		if (jr_parse(b.p, b.len, &v, &e))
			abort();
		jr_free(&v);
	}
	/* the precompiled plan must write the very same bytes */
	struct kt_btf_plan *p = kt_btf_plan_new(btf, t, n);
	if (p) {
		struct kt_buf b2 = { 0 };
		struct jw w2;

		jw_init_buf(&w2, &b2, 0);
		kt_btf_plan_json(&w2, p, d);
		if (b.len != b2.len || (b.len && memcmp(b.p, b2.p, b.len)))
			abort();
		kt_btf_plan_free(p);
		kt_buf_free(&b2);
	}
	kt_buf_reset(&b);
	kt_btf_text(&b, btf, t, d, n, 0);
	kt_buf_free(&b);
	entry(btf, t, d, n);
}

static int rb_cb(void *arg, const struct kt_rb_rec *r)
{
	volatile unsigned char s = 0;

	(void)arg;
	for (uint32_t i = 0; r->data && i < r->len; i++)
		s ^= r->data[i];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int *types[] = { &id.val_t, &id.data_sec, &id.name16, &id.un };

	if (!fx)
		fx = fx_btf_new(&id);
	if (size < 1)
		return 0;
	switch (data[0] % 6) {
	case 0: case 1: case 2: case 3:
		render(fx, (uint32_t)*types[data[0] % 4], data + 1, size - 1, 1);
		break;
	case 4: {
		struct btf *b = btf__new(data + 1, (uint32_t)(size - 1));

		if (!b)
			break;
		for (uint32_t t = 1; t < btf__type_cnt(b) && t < 64; t++)
			render(b, t, data + 1, size - 1, 0);
		btf__free(b);
		break;
	}
	default: {
		uint64_t cons, prod;
		unsigned char *scratch;
		size_t ring = 64;
		struct kt_rb_stats st;

		if (size < 17 + ring)
			break;
		memcpy(&cons, data + 1, 8);
		memcpy(&prod, data + 9, 8);
		scratch = malloc(ring);
		kt_ringbuf_walk(data + 17, ring, cons % 4096, prod % 4096, scratch, rb_cb, NULL, &st);
		free(scratch);
	}
	}
	return 0;
}
