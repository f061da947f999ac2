/* SPDX-License-Identifier: MIT */
/*
 * A BTF built in-process with libbpf's btf__add_* for the renderer's unit
 * tests, the bpfdump host helper and the fuzzer, with a C struct of the
 * same layout to fill values from.  Header-only.
 */
#ifndef KT_BTF_FIXTURE_H
#define KT_BTF_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <bpf/btf.h>

enum fx_color { FX_RED = 0, FX_GREEN = 1, FX_BLUE = 2 };

struct fx_inner {
	int x;
	unsigned short y;
};

union fx_u {
	unsigned int i;
	float f;
};

struct fx_val {
	int s32;
	long long s64;
	unsigned int u32;
	enum fx_color c;
	struct fx_inner in;
	unsigned int arr[3];
	unsigned int bf1 : 3, bf2 : 5;
	int bf3 : 4;
	float f;
	double d;
	char name[16];
	union fx_u un;
	_Bool flag;
	void *ptr;
	signed char sc;
	short ss;
};

struct fx_triple {
	unsigned int a, b, c;
};

/* Type ids of the fixture, filled by fx_btf_new. */
struct fx_ids {
	int s32, s64, u32, color, u16, inner, arr3, f32, f64, chr, name16, un, boolean, ptr, schar,
		s16, val, val_t, u64, triple, data_var_a, data_var_b, data_sec;
};

/* The .data DATASEC layout: int counter; char tag[8]; */
struct fx_data {
	int counter;
	char tag[8];
};

static inline struct btf *fx_btf_new(struct fx_ids *t)
{
	struct btf *b = btf__new_empty();

	if (!b)
		return NULL;
	t->s32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	t->s64 = btf__add_int(b, "long long", 8, BTF_INT_SIGNED);
	t->u32 = btf__add_int(b, "unsigned int", 4, 0);
	t->color = btf__add_enum(b, "fx_color", 4);
	btf__add_enum_value(b, "FX_RED", 0);
	btf__add_enum_value(b, "FX_GREEN", 1);
	btf__add_enum_value(b, "FX_BLUE", 2);
	t->u16 = btf__add_int(b, "unsigned short", 2, 0);
	t->inner = btf__add_struct(b, "fx_inner", sizeof(struct fx_inner));
	btf__add_field(b, "x", t->s32, 0, 0);
	btf__add_field(b, "y", t->u16, 32, 0);
	t->arr3 = btf__add_array(b, t->u32, t->u32, 3);
	t->f32 = btf__add_float(b, "float", 4);
	t->f64 = btf__add_float(b, "double", 8);
	t->chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	t->name16 = btf__add_array(b, t->u32, t->chr, 16);
	t->un = btf__add_union(b, "fx_u", 4);
	btf__add_field(b, "i", t->u32, 0, 0);
	btf__add_field(b, "f", t->f32, 0, 0);
	t->boolean = btf__add_int(b, "_Bool", 1, BTF_INT_BOOL);
	t->ptr = btf__add_ptr(b, 0);
	t->schar = btf__add_int(b, "signed char", 1, BTF_INT_SIGNED);
	t->s16 = btf__add_int(b, "short", 2, BTF_INT_SIGNED);
	t->val = btf__add_struct(b, "fx_val", sizeof(struct fx_val));
#define FX_F(name, type) btf__add_field(b, #name, t->type, offsetof(struct fx_val, name) * 8, 0)
	FX_F(s32, s32);
	FX_F(s64, s64);
	FX_F(u32, u32);
	FX_F(c, color);
	FX_F(in, inner);
	FX_F(arr, arr3);
	btf__add_field(b, "bf1", t->u32, 44 * 8, 3);
	btf__add_field(b, "bf2", t->u32, 44 * 8 + 3, 5);
	btf__add_field(b, "bf3", t->s32, 44 * 8 + 8, 4);
	FX_F(f, f32);
	FX_F(d, f64);
	FX_F(name, name16);
	FX_F(un, un);
	FX_F(flag, boolean);
	FX_F(ptr, ptr);
	FX_F(sc, schar);
	FX_F(ss, s16);
#undef FX_F
	t->val_t = btf__add_typedef(b, "fx_val_t", t->val);
	t->u64 = btf__add_int(b, "unsigned long long", 8, 0);
	t->triple = btf__add_struct(b, "fx_triple", sizeof(struct fx_triple));
	btf__add_field(b, "a", t->u32, 0, 0);
	btf__add_field(b, "b", t->u32, 32, 0);
	btf__add_field(b, "c", t->u32, 64, 0);
	t->data_var_a = btf__add_var(b, "counter", BTF_VAR_GLOBAL_ALLOCATED, t->s32);
	t->data_var_b = btf__add_var(b, "tag", BTF_VAR_GLOBAL_ALLOCATED,
				     btf__add_array(b, t->u32, t->chr, 8));
	t->data_sec = btf__add_datasec(b, ".data", sizeof(struct fx_data));
	btf__add_datasec_var_info(b, t->data_var_a, 0, 4);
	btf__add_datasec_var_info(b, t->data_var_b, 4, 8);
	return b;
}

/* The value the tests fill (VARIANT changes a few fields). */
static inline void fx_val_fill(struct fx_val *v, int variant)
{
	memset(v, 0, sizeof(*v));
	v->s32 = -5 - variant;
	v->s64 = -1234567890123LL;
	v->u32 = 4000000000u;
	v->c = (enum fx_color)(variant % 3);
	v->in.x = -7;
	v->in.y = 65535;
	v->arr[0] = 1;
	v->arr[1] = 2;
	v->arr[2] = (unsigned)(3 + variant);
	v->bf1 = 5;
	v->bf2 = 17;
	v->bf3 = -3;
	v->f = 1.5f;
	v->d = -0.25;
	strcpy(v->name, variant ? "bob" : "alice");
	v->un.i = 0x3fc00000u; /* 1.5f */
	v->flag = 1;
	v->ptr = (void *)(uintptr_t)0xffff888012345678ull;
	v->sc = -128;
	v->ss = -300;
}

/* The JSON kt_btf_json gives for fx_val_fill(v, VARIANT) (see the unit test). */
static inline const char *fx_val_json(int variant)
{
	static const char *const want[] = {
		"{\"s32\":-5,\"s64\":-1234567890123,\"u32\":4000000000,\"c\":\"FX_RED\","
		"\"in\":{\"x\":-7,\"y\":65535},\"arr\":[1,2,3],\"bf1\":5,\"bf2\":17,\"bf3\":-3,"
		"\"f\":1.5,\"d\":-0.25,\"name\":\"alice\",\"un\":{\"i\":1069547520,\"f\":1.5},"
		"\"flag\":true,\"ptr\":18446612682375452280,\"sc\":-128,\"ss\":-300}",
		"{\"s32\":-6,\"s64\":-1234567890123,\"u32\":4000000000,\"c\":\"FX_GREEN\","
		"\"in\":{\"x\":-7,\"y\":65535},\"arr\":[1,2,4],\"bf1\":5,\"bf2\":17,\"bf3\":-3,"
		"\"f\":1.5,\"d\":-0.25,\"name\":\"bob\",\"un\":{\"i\":1069547520,\"f\":1.5},"
		"\"flag\":true,\"ptr\":18446612682375452280,\"sc\":-128,\"ss\":-300}",
	};
	return want[variant ? 1 : 0];
}

#endif
