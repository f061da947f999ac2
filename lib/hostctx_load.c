// SPDX-License-Identifier: MIT
/*
 * HostContext from JSON with serde's rules: unknown keys ignored, a
 * missing or null optional field is absent, a repeated known field is an
 * error ("duplicate field"), types and enum variants checked; inside the
 * maps a repeated key overwrites (BTreeMap insert).
 */
#include <stdlib.h>
#include <string.h>

#include "hostctx.h"
#include "jsonr.h"

static int type_err(struct jr_err *e, const struct jr_val *v, const char *field, const char *want)
{
	return jr_fail(e, v->off, "field '%s': expected %s, found %s", field, want,
		       jr_type_name(v->type));
}

static int get_str(const struct jr_val *v, const char *f, char **out, struct jr_err *e)
{
	if (v->type == JR_NULL)
		return 0;
	if (v->type != JR_STRING)
		return type_err(e, v, f, "a string");
	*out = strdup(v->str.s);
	return *out ? 0 : jr_fail(e, v->off, "out of memory");
}

static int get_u64(const struct jr_val *v, const char *f, unsigned *has, unsigned bit,
		   uint64_t *out, struct jr_err *e)
{
	if (v->type == JR_NULL)
		return 0;
	if (v->type != JR_NUMBER || !v->num.is_u64)
		return v->type == JR_NUMBER
			       ? jr_fail(e, v->off,
					 "field '%s': expected an unsigned 64-bit integer", f)
			       : type_err(e, v, f, "an unsigned integer");
	*out = v->num.u;
	*has |= bit;
	return 0;
}

static int get_enum(const struct jr_val *v, const char *f, const char *const *names, int n,
		    int *out, struct jr_err *e)
{
	if (v->type == JR_NULL)
		return 0;
	if (v->type != JR_STRING)
		return type_err(e, v, f, "a string");
	for (int i = 0; i < n; i++)
		if (!strcmp(v->str.s, names[i])) {
			*out = i + 1;
			return 0;
		}
	return jr_fail(e, v->off, "field '%s': unknown variant '%s'", f, v->str.s);
}

/* cpufreq_governor keys: a JSON integer inside the quotes, >= 0 */
static int cpu_key(const char *s, uint64_t *cpu)
{
	if (!*s || (s[0] == '0' && s[1]))
		return -1;
	return hc_parse_u64(s, strlen(s), cpu) || s[0] == '+' ? -1 : 0;
}

static int cmp_gov(const void *a, const void *b)
{
	uint64_t x = ((const struct hc_gov *)a)->cpu, y = ((const struct hc_gov *)b)->cpu;

	return x < y ? -1 : x > y;
}

/* Sort by key and keep the LAST of equal keys (stable order needed). */
static void dedup_gov(struct hostctx *c)
{
	size_t o = 0;

	for (size_t i = 0; i < c->ngov; i++) {
		if (o && c->gov[o - 1].cpu == c->gov[i].cpu) {
			free(c->gov[o - 1].gov);
			c->gov[o - 1] = c->gov[i];
			continue;
		}
		c->gov[o++] = c->gov[i];
	}
	c->ngov = o;
}

/* qsort is not stable: break ties on the original index, kept in cpu
 * order by a two-field sort key */
struct idx_gov {
	struct hc_gov g;
	size_t i;
};

static int cmp_idx_gov(const void *a, const void *b)
{
	const struct idx_gov *x = a, *y = b;
	int c = cmp_gov(&x->g, &y->g);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int get_gov(const struct jr_val *v, struct hostctx *c, struct jr_err *e)
{
	struct idx_gov *t;
	uint64_t cpu = 0;

	if (v->type != JR_OBJECT)
		return type_err(e, v, "cpufreq_governor", "an object");
	if (!v->obj.n)
		return 0;
	t = calloc(v->obj.n, sizeof(*t));
	c->gov = calloc(v->obj.n, sizeof(*c->gov));
	if (!t || !c->gov) {
		free(t);
		return jr_fail(e, v->off, "out of memory");
	}
	for (size_t i = 0; i < v->obj.n; i++) {
		const struct jr_member *m = &v->obj.m[i];

		if (cpu_key(m->key, &cpu)) {
			free(t);
			return jr_fail(e, m->key_off, "cpufreq_governor: invalid CPU id '%s'",
				       m->key);
		}
		if (m->val.type != JR_STRING) {
			free(t);
			return type_err(e, &m->val, "cpufreq_governor", "a string");
		}
		t[i].g.cpu = cpu;
		t[i].g.gov = (char *)m->val.str.s;
		t[i].i = i;
	}
	qsort(t, v->obj.n, sizeof(*t), cmp_idx_gov);
	for (size_t i = 0; i < v->obj.n; i++, c->ngov++) {
		c->gov[i].cpu = t[i].g.cpu;
		c->gov[i].gov = strdup(t[i].g.gov);
		if (!c->gov[i].gov) {
			free(t);
			return jr_fail(e, v->off, "out of memory");
		}
	}
	free(t);
	dedup_gov(c);
	return 0;
}

struct idx_kv {
	const char *k, *v;
	size_t i;
};

static int cmp_idx_kv(const void *a, const void *b)
{
	const struct idx_kv *x = a, *y = b;
	int c = strcmp(x->k, y->k);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int get_tunables(const struct jr_val *v, struct hostctx *c, struct jr_err *e)
{
	struct idx_kv *t;
	size_t n = v->obj.n;
	int r = 0;

	if (v->type == JR_NULL)
		return 0;
	if (v->type != JR_OBJECT)
		return type_err(e, v, "sched_tunables", "an object");
	c->has |= HC_TUNABLES;
	if (!n)
		return 0;
	t = calloc(n, sizeof(*t));
	c->tunables = calloc(n, sizeof(*c->tunables));
	if (!t || !c->tunables) {
		free(t);
		return jr_fail(e, v->off, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		if (v->obj.m[i].val.type != JR_STRING) {
			free(t);
			return type_err(e, &v->obj.m[i].val, "sched_tunables", "a string");
		}
		t[i] = (struct idx_kv){v->obj.m[i].key, v->obj.m[i].val.str.s, i};
	}
	qsort(t, n, sizeof(*t), cmp_idx_kv);
	for (size_t i = 0; i < n && !r; i++) {
		struct hc_kv *kv = &c->tunables[c->ntunables];

		if (i + 1 < n && !strcmp(t[i].k, t[i + 1].k))
			continue; /* a later duplicate wins */
		kv->key = strdup(t[i].k);
		kv->val = strdup(t[i].v);
		c->ntunables++;
		if (!kv->key || !kv->val)
			r = jr_fail(e, v->off, "out of memory");
	}
	free(t);
	return r;
}

static int get_heap(const struct jr_val *v, struct hc_heap *h, unsigned *has, struct jr_err *e)
{
	static const char *const keys[] = {"active_bytes", "allocated_bytes", "resident_bytes",
					   "mapped_bytes", "narenas"};
	uint64_t *dst[] = {&h->active_bytes, &h->allocated_bytes, &h->resident_bytes,
			   &h->mapped_bytes, &h->narenas};
	unsigned seen = 0;

	if (v->type == JR_NULL)
		return 0;
	if (v->type != JR_OBJECT)
		return type_err(e, v, "heap_state", "an object");
	*has |= HC_HEAP;
	for (size_t i = 0; i < v->obj.n; i++) {
		const struct jr_member *m = &v->obj.m[i];

		for (unsigned k = 0; k < 5; k++) {
			if (strcmp(m->key, keys[k]))
				continue;
			if (seen & (1u << k))
				return jr_fail(e, m->key_off, "duplicate field '%s'", keys[k]);
			seen |= 1u << k;
			if (get_u64(&m->val, keys[k], &h->has, 1u << k, dst[k], e))
				return -1;
		}
	}
	return 0;
}

enum {
	F_CPU_MODEL,
	F_CPU_VENDOR,
	F_TOTAL_MEM,
	F_HP_TOTAL,
	F_HP_FREE,
	F_HP_SIZE,
	F_THP_ENABLED,
	F_THP_DEFRAG,
	F_TUNABLES,
	F_ONLINE,
	F_NUMA,
	F_GOV,
	F_KNAME,
	F_KRELEASE,
	F_ARCH,
	F_CMDLINE,
	F_DELAYACCT,
	F_XACCT,
	F_HEAP,
	F_NFIELDS
};

static const char *const fields[F_NFIELDS] = {
	"cpu_model",	   "cpu_vendor",     "total_memory_kib",
	"hugepages_total", "hugepages_free", "hugepages_size_kib",
	"thp_enabled",	   "thp_defrag",     "sched_tunables",
	"online_cpus",	   "numa_nodes",     "cpufreq_governor",
	"kernel_name",	   "kernel_release", "arch",
	"kernel_cmdline",  "task_delayacct", "config_task_xacct",
	"heap_state",
};

static int get_field(int f, const struct jr_val *v, struct hostctx *c, struct jr_err *e)
{
	static const char *const da[] = {"config_off", "runtime_off", "on"};
	static const char *const xa[] = {"on", "off", "unknown"};
	char **strs[F_NFIELDS] = {
		[F_CPU_MODEL] = &c->cpu_model,
		[F_CPU_VENDOR] = &c->cpu_vendor,
		[F_THP_ENABLED] = &c->thp_enabled,
		[F_THP_DEFRAG] = &c->thp_defrag,
		[F_KNAME] = &c->kernel_name,
		[F_KRELEASE] = &c->kernel_release,
		[F_ARCH] = &c->arch,
		[F_CMDLINE] = &c->kernel_cmdline,
	};
	const char *k = fields[f];
	int x = 0, r;

	if (strs[f])
		return get_str(v, k, strs[f], e);
	switch (f) {
	case F_TOTAL_MEM:
		return get_u64(v, k, &c->has, HC_TOTAL_MEMORY, &c->total_memory_kib, e);
	case F_HP_TOTAL:
		return get_u64(v, k, &c->has, HC_HP_TOTAL, &c->hugepages_total, e);
	case F_HP_FREE:
		return get_u64(v, k, &c->has, HC_HP_FREE, &c->hugepages_free, e);
	case F_HP_SIZE:
		return get_u64(v, k, &c->has, HC_HP_SIZE, &c->hugepages_size_kib, e);
	case F_ONLINE:
		return get_u64(v, k, &c->has, HC_ONLINE_CPUS, &c->online_cpus, e);
	case F_NUMA:
		return get_u64(v, k, &c->has, HC_NUMA_NODES, &c->numa_nodes, e);
	case F_TUNABLES:
		return get_tunables(v, c, e);
	case F_GOV:
		return get_gov(v, c, e);
	case F_HEAP:
		return get_heap(v, &c->heap, &c->has, e);
	case F_DELAYACCT:
		r = get_enum(v, k, da, 3, &x, e);
		c->task_delayacct = (enum hc_delayacct)x; /* 1..3 match the enum */
		return r;
	default:
		r = get_enum(v, k, xa, 3, &x, e);
		c->config_task_xacct = (enum hc_xacct)x;
		return r;
	}
}

static int from_val(const struct jr_val *v, struct hostctx *c, struct jr_err *e)
{
	unsigned long seen = 0;

	memset(c, 0, sizeof(*c));
	if (v->type != JR_OBJECT)
		return type_err(e, v, "host context", "an object");
	for (size_t i = 0; i < v->obj.n; i++) {
		const struct jr_member *m = &v->obj.m[i];

		for (int f = 0; f < F_NFIELDS; f++) {
			if (strcmp(m->key, fields[f]))
				continue;
			if (seen & (1ul << f)) {
				jr_fail(e, m->key_off, "duplicate field '%s'", fields[f]);
				goto fail;
			}
			seen |= 1ul << f;
			if (get_field(f, &m->val, c, e))
				goto fail;
		}
	}
	return 0;
fail:
	hc_free(c);
	return -1;
}

int hc_from_json(const char *s, size_t n, struct hostctx *c, struct jr_err *e)
{
	struct jr_val root;
	int r;

	memset(c, 0, sizeof(*c));
	if (jr_parse(s, n, &root, e))
		return -1;
	r = from_val(&root, c, e);
	jr_free(&root);
	return r;
}

int hc_pair_from_json(const char *s, size_t n, struct hostctx *pre, struct hostctx *post,
		      struct jr_err *e)
{
	const struct jr_val *pv = NULL, *qv = NULL;
	struct jr_val root;
	int r = -1;

	memset(pre, 0, sizeof(*pre));
	memset(post, 0, sizeof(*post));
	if (jr_parse(s, n, &root, e))
		return -1;
	if (root.type != JR_OBJECT) {
		type_err(e, &root, "pair", "an object");
		goto out;
	}
	for (size_t i = 0; i < root.obj.n; i++) {
		const struct jr_member *m = &root.obj.m[i];
		const struct jr_val **slot = !strcmp(m->key, "pre")    ? &pv
					     : !strcmp(m->key, "post") ? &qv
								       : NULL;

		if (!slot)
			continue;
		if (*slot) {
			jr_fail(e, m->key_off, "duplicate field '%s'", m->key);
			goto out;
		}
		*slot = &m->val;
	}
	if (!pv || !qv) {
		jr_fail(e, 0, "missing field '%s'", pv ? "post" : "pre");
		goto out;
	}
	if (from_val(pv, pre, e))
		goto out;
	if (from_val(qv, post, e)) {
		hc_free(pre);
		goto out;
	}
	r = 0;
out:
	jr_free(&root);
	return r;
}
