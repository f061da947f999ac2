// SPDX-License-Identifier: MIT
/* The BTF value renderer on a BTF built in-process (tests/unit/btf_fixture.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfdump.h"
#include "bpfmap.h"
#include "btf_fixture.h"
#include "btfdump.h"
#include "json.h"
#include "jsonr.h"
#include "tap.h"

static struct btf *btf;
static struct fx_ids id;

/* JSON of type T over DATA (LEN bytes) into a static string; RC out. */
static const char *js(int t, const void *data, size_t len, int *rc)
{
	static struct kt_buf b;
	struct jw w;

	kt_buf_reset(&b);
	jw_init_buf(&w, &b, 0);
	*rc = kt_btf_json(&w, btf, (uint32_t)t, data, len);
	return b.p ? b.p : "";
}

static const char *tx(int t, const void *data, size_t len)
{
	static struct kt_buf b;

	kt_buf_reset(&b);
	kt_btf_text(&b, btf, (uint32_t)t, data, len, 0);
	return b.p ? b.p : "";
}

static void test_struct(void)
{
	struct fx_val v;
	int rc;

	fx_val_fill(&v, 0);
	is_str(js(id.val_t, &v, sizeof(v), &rc), fx_val_json(0),
	       "struct: every kind (nested, array, enum, bitfields, float, char name, union, bool, "
	       "ptr, signed)");
	is_int(rc, 0, "struct: rendered fully");
	fx_val_fill(&v, 1);
	is_str(js(id.val, &v, sizeof(v), &rc), fx_val_json(1),
	       "struct: second variant, no typedef");
	js(id.val, &v, sizeof(v) - 1, &rc);
	is_int(rc, -1, "struct: short data is reported");
	ok(strstr(js(id.val, &v, 10, &rc), "<truncated>") != NULL,
	   "struct: short data says truncated");
}

static void test_scalars(void)
{
	unsigned char raw8[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	int rc, color = 7;
	char name[16] = {'a', 'b', 1, 0};
	char full[16];

	is_str(js(id.s32, raw8, 4, &rc), "-1", "int: signed");
	is_str(js(id.u32, raw8, 4, &rc), "4294967295", "int: unsigned");
	is_str(js(id.s64, raw8, 8, &rc), "-1", "long long: signed");
	is_str(js(id.u64, raw8, 8, &rc), "18446744073709551615", "u64: unsigned");
	is_str(js(id.color, &color, 4, &rc), "7", "enum: no enumerator: the number");
	color = 2;
	is_str(js(id.color, &color, 4, &rc), "\"FX_BLUE\"", "enum: by name");
	is_str(js(id.name16, name, 16, &rc), "[97,98,1,0,0,0,0,0,0,0,0,0,0,0,0,0]",
	       "char array with a control byte: numbers (bpftool's rule)");
	memset(full, 'x', sizeof(full));
	ok(js(id.name16, full, 16, &rc)[0] == '[', "char array without NUL: numbers");
	strcpy(full, "q\"uote");
	is_str(js(id.name16, full, 16, &rc), "\"q\\\"uote\"", "char array: escaped string");
	is_str(js(id.s32, raw8, 3, &rc), "\"<truncated>\"", "int: short data");
	is_int(rc, -1, "int: short data is an error");
	is_str(js(9999, raw8, 8, &rc), "\"<bad type>\"", "bad type id");
	is_str(tx(id.s32, raw8, 4), "-1", "text: int");
	{
		char hey[16] = "hey";

		is_str(tx(id.name16, hey, 16), "\"hey\"", "text: string");
	}
	is_str(tx(id.arr3, (unsigned[]){1, 2, 3}, 12), "[1, 2, 3]", "text: scalar array inline");
}

static void test_text_struct(void)
{
	struct fx_inner in = {-7, 9};

	is_str(tx(id.inner, &in, sizeof(in)), "{\n  x: -7\n  y: 9\n}",
	       "text: struct, one member per line");
}

static void test_datasec(void)
{
	struct fx_data d = {42, "hi"};
	int rc;

	is_str(js(id.data_sec, &d, sizeof(d), &rc),
	       "{\".data\":[{\"counter\":42},{\"tag\":\"hi\"}]}",
	       "DATASEC: one object per variable (bpftool)");
	is_str(tx(id.data_sec, &d, sizeof(d)), ".data {\n  counter: 42\n  tag: \"hi\"\n}",
	       "text: DATASEC by variable");
}

static void test_json_valid(void)
{
	struct fx_val v;
	struct kt_buf b = {0};
	struct jw w;
	unsigned char junk[sizeof(v)];
	int bad = 0;

	srand(1);
	for (int i = 0; i < 2000; i++) {
		for (size_t k = 0; k < sizeof(junk); k++)
			junk[k] = (unsigned char)rand();
		kt_buf_reset(&b);
		jw_init_buf(&w, &b, 0);
		kt_btf_json(&w, btf, (uint32_t)id.val, junk, sizeof(junk));
		struct jr_val doc;
		struct jr_err err;

		if (jr_parse(b.p, b.len, &doc, &err)) {
			bad++;
			if (bad == 1)
				printf("# invalid: %s\n", b.p);
			continue;
		}
		jr_free(&doc);
	}
	is_int(bad, 0, "random bytes: always valid JSON (bitfields, floats, chars included)");
	kt_buf_free(&b);
}

/* The precompiled plan writes exactly what the renderer writes. */
static int plan_same(uint32_t t, const unsigned char *d, size_t len)
{
	struct kt_btf_plan *p = kt_btf_plan_new(btf, t, len);
	struct kt_buf a = {0}, b = {0};
	struct jw wa, wb;
	int ra, rb, same;

	if (!p)
		return 0;
	jw_init_buf(&wa, &a, 0);
	jw_init_buf(&wb, &b, 0);
	jw_arr_open(&wa); /* a second value after a first: the comma is the writer's */
	jw_arr_open(&wb);
	jw_u64(&wa, 1);
	jw_u64(&wb, 1);
	ra = kt_btf_json(&wa, btf, t, d, len);
	rb = kt_btf_plan_json(&wb, p, d);
	jw_arr_close(&wa);
	jw_arr_close(&wb);
	same = ra == rb && a.len == b.len && !memcmp(a.p, b.p, a.len);
	if (!same)
		printf("# type %u len %zu\n# renderer: %s\n# plan:     %s\n", t, len, a.p, b.p);
	kt_btf_plan_free(p);
	for (int ind = 0; ind < 2 && same; ind++) {
		p = kt_btf_plan_new_text(btf, t, len, ind);
		if (!p)
			return 0;
		kt_buf_reset(&a);
		kt_buf_reset(&b);
		kt_buf_puts(&a, "x");
		kt_buf_puts(&b, "x");
		ra = kt_btf_text(&a, btf, t, d, len, ind);
		rb = kt_btf_plan_text(&b, p, d);
		same = ra == rb && a.len == b.len && !memcmp(a.p, b.p, a.len);
		if (!same)
			printf("# text type %u len %zu indent %d\n# renderer: %s\n# plan:     %s\n",
			       t, len, ind, a.p, b.p);
		kt_btf_plan_free(p);
	}
	kt_buf_free(&a);
	kt_buf_free(&b);
	return same;
}

static void test_plan(void)
{
	struct fx_val v;
	unsigned char junk[sizeof(v) + 8];
	uint32_t n = btf__type_cnt(btf);
	int bad = 0, runs = 0;

	fx_val_fill(&v, 0);
	ok(plan_same((uint32_t)id.val_t, (unsigned char *)&v, sizeof(v)),
	   "plan: struct of every kind");
	fx_val_fill(&v, 1);
	ok(plan_same((uint32_t)id.val, (unsigned char *)&v, sizeof(v)), "plan: second variant");
	ok(plan_same((uint32_t)id.val, (unsigned char *)&v, 10), "plan: short data, same markers");
	srand(2);
	for (int i = 0; i < 300; i++) {
		for (size_t k = 0; k < sizeof(junk); k++)
			junk[k] =
				(unsigned char)(i & 1 ? rand()
						      : rand() % 96 + 32 - (rand() % 8 == 0) * 32);
		for (uint32_t t = 1; t < n; t++, runs++)
			bad += !plan_same(t, junk, (size_t)rand() % sizeof(junk));
	}
	is_int(bad, 0,
	       "plan: every fixture type, random bytes and lengths: same bytes, same rc (JSON, "
	       "text)");
	ok(runs > 1000, "plan: the comparison ran");
}

static void test_entry(void)
{
	struct bpf_map_info info = {.type = KT_MAP_PERCPU_ARRAY,
				    .key_size = 4,
				    .value_size = 12,
				    .btf_id = 1,
				    .btf_key_type_id = (uint32_t)id.u32,
				    .btf_value_type_id = (uint32_t)id.triple};
	unsigned char val[32] = {0};
	uint32_t key = 1;
	struct kt_buf b = {0};
	struct jw w;

	is_int(kt_percpu_stride(12), 16, "per-CPU stride: 12 rounds up to 16");
	is_int(kt_percpu_stride(8), 8, "per-CPU stride: 8 stays 8");
	is_int(kt_map_value_bytes(&info, 2), 32, "per-CPU value bytes: 2 CPUs x 16");
	val[0] = 1;
	val[16] = 2; /* CPU 1's value starts at the stride, not at 12 */
	jw_init_buf(&w, &b, 0);
	kt_dump_entry_json(&w, &info, btf, (unsigned char *)&key, val, 2, NULL);
	is_str(b.p,
	       "{\"key\":[\"0x01\",\"0x00\",\"0x00\",\"0x00\"],\"values\":[{\"cpu\":0,\"value\":"
	       "[\"0x01\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\","
	       "\"0x00\",\"0x00\",\"0x00\"]},{\"cpu\":1,\"value\":[\"0x02\",\"0x00\",\"0x00\","
	       "\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\",\"0x00\"]}]"
	       ","
	       "\"formatted\":{\"key\":1,\"values\":[{\"cpu\":0,\"value\":{\"a\":1,\"b\":0,\"c\":0}"
	       "},"
	       "{\"cpu\":1,\"value\":{\"a\":2,\"b\":0,\"c\":0}}]}}",
	       "per-CPU entry: bpftool's layout, values at the 8-byte stride");
	kt_buf_free(&b);
}

/* Entry plans write exactly what kt_dump_entry_json writes, after a first
 * entry (the comma is the writer's). */
static int entry_same(const struct bpf_map_info *info, bool fmt, const unsigned char *key,
		      const unsigned char *val, size_t ncpus)
{
	struct kt_btf_plan *kp = NULL, *vp = NULL;
	struct kt_entry_plan *ep;
	struct kt_buf a = {0}, b = {0};
	struct jw wa, wb;
	int same = 0, r;

	if (fmt && info->btf_key_type_id)
		kp = kt_btf_plan_new(btf, info->btf_key_type_id, info->key_size);
	if (fmt)
		vp = kt_btf_plan_new(btf, info->btf_value_type_id, info->value_size);
	ep = kt_entry_plan_new(info, fmt, kp, vp, ncpus);
	if (!ep)
		goto out;
	jw_init_buf(&wa, &a, 0);
	jw_init_buf(&wb, &b, 0);
	jw_arr_open(&wa);
	jw_arr_open(&wb);
	for (int i = 0; i < 2; i++) {
		kt_dump_entry_json(&wa, info, fmt ? btf : NULL, key, val, ncpus, NULL);
		r = kt_entry_plan_json(&wb, ep, key, val);
		if (r == 1)
			goto out;
	}
	jw_arr_close(&wa);
	jw_arr_close(&wb);
	same = a.len == b.len && !memcmp(a.p, b.p, a.len);
	if (!same)
		printf("# type %u value %u ncpus %zu\n# entry_json: %s\n# plan:       %s\n",
		       info->type, info->value_size, ncpus, a.p, b.p);
out:
	kt_entry_plan_free(ep);
	kt_btf_plan_free(kp);
	kt_btf_plan_free(vp);
	kt_buf_free(&a);
	kt_buf_free(&b);
	return same;
}

static void test_entry_plan(void)
{
	static const uint32_t types[] = {KT_MAP_HASH, KT_MAP_ARRAY, KT_MAP_PERCPU_ARRAY,
					 KT_MAP_LRU_PERCPU_HASH, KT_MAP_HASH_OF_MAPS};
	struct fx_val v;
	unsigned char key[8], val[4 * (sizeof(v) + 8)];
	uint32_t n = btf__type_cnt(btf);
	struct kt_buf b = {0};
	struct jw w;
	int bad = 0, runs = 0;

	fx_val_fill(&v, 0);
	memcpy(val, &v, sizeof(v));
	fx_val_fill(&v, 1);
	memcpy(val + kt_percpu_stride(sizeof(v)), &v, sizeof(v));
	memcpy(key, "\x07\0\0\0\xff\xfe\xfd\xfc", 8);
	struct bpf_map_info info = {.type = KT_MAP_PERCPU_HASH,
				    .key_size = 4,
				    .value_size = sizeof(v),
				    .btf_key_type_id = (uint32_t)id.u32,
				    .btf_value_type_id = (uint32_t)id.val_t};
	ok(entry_same(&info, true, key, val, 2), "entry plan: per-CPU struct of every kind");
	info.type = KT_MAP_HASH;
	ok(entry_same(&info, true, key, val, 2), "entry plan: hash, struct of every kind");
	info.btf_key_type_id = 0;
	ok(entry_same(&info, true, key, val, 2), "entry plan: no key type: formatted value only");
	ok(entry_same(&info, false, key, val, 2), "entry plan: no BTF: the byte arrays only");
	info.type = KT_MAP_ARRAY_OF_MAPS;
	info.value_size = 4;
	ok(entry_same(&info, false, key, val, 1), "entry plan: map of maps: inner_map_id");
	info.value_size = 0;
	info.type = KT_MAP_HASH;
	ok(entry_same(&info, false, key, val, 1), "entry plan: empty value: []");
	info.value_size = sizeof(v);
	ok(!kt_entry_plan_new(&info, true, NULL, NULL, 1), "entry plan: BTF without a plan: none");
	{
		struct kt_entry_plan *ep = kt_entry_plan_new(&info, false, NULL, NULL, 1);

		jw_init_buf(&w, &b, 1);
		is_int(kt_entry_plan_json(&w, ep, key, val), 1,
		       "entry plan: pretty writer declined");
		is_int((int)b.len, 0, "entry plan: declined, nothing written");
		kt_entry_plan_free(ep);
		kt_buf_free(&b);
	}
	srand(3);
	for (int i = 0; i < 200; i++) {
		for (size_t k = 0; k < sizeof(val); k++)
			val[k] = (unsigned char)(i & 1 ? rand() : rand() % 96 + 32);
		for (size_t k = 0; k < sizeof(key); k++)
			key[k] = (unsigned char)rand();
		for (uint32_t t = 1; t < n; t++, runs++) {
			long long sz = btf__resolve_size(btf, t);

			if (sz < 0 || sz > (long long)sizeof(v) + 8)
				continue;
			info = (struct bpf_map_info){.type = types[rand() % 5],
						     .key_size = 4 + (uint32_t)(rand() % 2) * 4,
						     .value_size = (uint32_t)sz,
						     .btf_value_type_id = t};
			if (info.key_size == 4 && rand() % 2)
				info.btf_key_type_id = (uint32_t)id.u32;
			bad += !entry_same(&info, rand() % 4 != 0, key, val,
					   1 + (size_t)rand() % 4);
		}
	}
	is_int(bad, 0,
	       "entry plan: every fixture type as the value, random bytes, 1-4 CPUs: same bytes");
	ok(runs > 1000, "entry plan: the comparison ran");
}

/* jw_fmt_u64/_i64 against printf: every power of ten and its neighbours,
 * the extremes, random values of every bit length. */
static void test_fmt(void)
{
	char a[32], b[32];
	int bad = 0;
	uint64_t p = 1;

	for (int i = 0; i < 20; i++, p *= 10)
		for (int d = -1; d <= 1; d++) {
			uint64_t v = p + (uint64_t)(int64_t)d;

			b[jw_fmt_u64(b, v)] = 0;
			snprintf(a, sizeof(a), "%llu", (unsigned long long)v);
			bad += strcmp(a, b) != 0;
		}
	srand(4);
	for (int i = 0; i < 20000; i++) {
		uint64_t v = ((uint64_t)rand() << 42 ^ (uint64_t)rand() << 21 ^ (uint64_t)rand()) >>
			     (i % 64);
		int64_t sv = (int64_t)v * (i & 1 ? -1 : 1);

		b[jw_fmt_u64(b, v)] = 0;
		snprintf(a, sizeof(a), "%llu", (unsigned long long)v);
		bad += strcmp(a, b) != 0;
		b[kt_fmt_i64(b, sv)] = 0;
		snprintf(a, sizeof(a), "%lld", (long long)sv);
		bad += strcmp(a, b) != 0;
	}
	b[jw_fmt_u64(b, UINT64_MAX)] = 0;
	bad += strcmp(b, "18446744073709551615") != 0;
	b[kt_fmt_i64(b, INT64_MIN)] = 0;
	bad += strcmp(b, "-9223372036854775808") != 0;
	b[jw_fmt_u64(b, 0)] = 0;
	bad += strcmp(b, "0") != 0;
	is_int(bad, 0, "jw_fmt_u64/_i64: as printf writes them (powers of ten, extremes, random)");
}

static void test_cpus(void)
{
	uint32_t *ids;
	size_t n;

	ok(!kt_possible_cpus_parse("0-3\n", 4, &ids, &n) && n == 4 && ids[3] == 3, "possible: 0-3");
	free(ids);
	ok(!kt_possible_cpus_parse("0,2-3", 5, &ids, &n) && n == 3 && ids[1] == 2,
	   "possible: holes");
	free(ids);
	ok(kt_possible_cpus_parse("x", 1, &ids, &n), "possible: malformed");
}

static void test_fdinfo(void)
{
	const char s[] = "pos:\t0\nflags:\t02000002\nmap_type:\t1\nmemlock:\t1234\nfrozen:\t1\nmap_"
			 "id:\t77\n";
	uint64_t v;

	ok(!kt_fdinfo_u64(s, sizeof(s) - 1, "memlock", &v) && v == 1234, "fdinfo: memlock");
	ok(!kt_fdinfo_u64(s, sizeof(s) - 1, "map_id", &v) && v == 77, "fdinfo: map_id");
	ok(kt_fdinfo_u64(s, sizeof(s) - 1, "map", &v), "fdinfo: no prefix match");
	is_int(kt_bpf_map_type_parse("PERCPU_ARRAY"), KT_MAP_PERCPU_ARRAY,
	       "type names: upper case");
	is_int(kt_bpf_map_type_parse("BPF_MAP_TYPE_ringbuf"), KT_MAP_RINGBUF, "type names: prefix");
	is_int(kt_bpf_map_type_parse("nope"), -1, "type names: unknown");
	ok(kt_bpf_not_dumpable(KT_MAP_QUEUE) != NULL, "queue: not dumpable, with a reason");
	ok(kt_bpf_not_dumpable(KT_MAP_HASH) == NULL, "hash: dumpable");
}

static int rbcount;
static int rb_cb(void *arg, const struct kt_rb_rec *r)
{
	(void)arg;
	if (r->data && r->len == 12 && !memcmp(r->data, "hello world!", 12))
		rbcount++;
	return 0;
}

static void test_ringbuf(void)
{
	unsigned char ring[64] = {0}, scratch[64];
	struct kt_rb_stats st;
	uint32_t hdr = 12;

	/* one record at 48 whose payload wraps to the start */
	memcpy(ring + 48, &hdr, 4);
	memcpy(ring + 56, "hello wo", 8);
	memcpy(ring, "rld!", 4);
	rbcount = 0;
	kt_ringbuf_walk(ring, 64, 48, 48 + 24, scratch, rb_cb, NULL, &st);
	is_int(rbcount, 1, "ringbuf: a wrapped record is reassembled");
	is_int(st.pending, 24, "ringbuf: pending bytes");
	ok(!st.corrupt, "ringbuf: consistent");
	kt_ringbuf_walk(ring, 64, 0, 128, scratch, rb_cb, NULL, &st);
	ok(st.corrupt, "ringbuf: more pending than the ring holds: corrupt");
	hdr = 1u << 31;
	memcpy(ring + 48, &hdr, 4);
	kt_ringbuf_walk(ring, 64, 48, 48 + 24, scratch, rb_cb, NULL, &st);
	ok(st.busy && !st.records, "ringbuf: uncommitted record stops the walk");
}

int main(void)
{
	btf = fx_btf_new(&id);
	if (!ok(btf != NULL, "fixture BTF built"))
		return tap_done();
	test_struct();
	test_scalars();
	test_text_struct();
	test_datasec();
	test_json_valid();
	test_plan();
	test_entry();
	test_entry_plan();
	test_fmt();
	test_cpus();
	test_fdinfo();
	test_ringbuf();
	btf__free(btf);
	return tap_done();
}
