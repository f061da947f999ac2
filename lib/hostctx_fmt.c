// SPDX-License-Identifier: MIT
/*
 * Host context output: serde-shaped JSON (declaration order, absent keys
 * omitted), format_human, and diff, as ktstr renders them.
 */
#include <inttypes.h>
#include <string.h>

#include "hostctx.h"
#include "text.h"

const char *hc_delayacct_str(enum hc_delayacct d)
{
	switch (d) {
	case HC_DA_CONFIG_OFF:
		return "config-off";
	case HC_DA_RUNTIME_OFF:
		return "runtime-off";
	case HC_DA_ON:
		return "on";
	default:
		return NULL;
	}
}

const char *hc_delayacct_json(enum hc_delayacct d)
{
	switch (d) {
	case HC_DA_CONFIG_OFF:
		return "config_off";
	case HC_DA_RUNTIME_OFF:
		return "runtime_off";
	case HC_DA_ON:
		return "on";
	default:
		return NULL;
	}
}

const char *hc_xacct_str(enum hc_xacct x)
{
	switch (x) {
	case HC_XA_ON:
		return "on";
	case HC_XA_OFF:
		return "off";
	case HC_XA_UNKNOWN:
		return "unknown";
	default:
		return NULL;
	}
}

/* ---- JSON ------------------------------------------------------------------ */

static void j_str(struct jw *w, const char *k, const char *v)
{
	if (v)
		jw_kstr(w, k, v);
}

static void j_u64(struct jw *w, unsigned has, unsigned bit, const char *k, uint64_t v)
{
	if (has & bit)
		jw_ku64(w, k, v);
}

static void heap_json(struct jw *w, const struct hc_heap *h)
{
	jw_obj_open(w);
	j_u64(w, h->has, HC_HEAP_ACTIVE, "active_bytes", h->active_bytes);
	j_u64(w, h->has, HC_HEAP_ALLOCATED, "allocated_bytes", h->allocated_bytes);
	j_u64(w, h->has, HC_HEAP_RESIDENT, "resident_bytes", h->resident_bytes);
	j_u64(w, h->has, HC_HEAP_MAPPED, "mapped_bytes", h->mapped_bytes);
	j_u64(w, h->has, HC_HEAP_NARENAS, "narenas", h->narenas);
	jw_obj_close(w);
}

void hc_json(struct jw *w, const struct hostctx *c)
{
	char id[24];

	jw_obj_open(w);
	j_str(w, "cpu_model", c->cpu_model);
	j_str(w, "cpu_vendor", c->cpu_vendor);
	j_u64(w, c->has, HC_TOTAL_MEMORY, "total_memory_kib", c->total_memory_kib);
	j_u64(w, c->has, HC_HP_TOTAL, "hugepages_total", c->hugepages_total);
	j_u64(w, c->has, HC_HP_FREE, "hugepages_free", c->hugepages_free);
	j_u64(w, c->has, HC_HP_SIZE, "hugepages_size_kib", c->hugepages_size_kib);
	j_str(w, "thp_enabled", c->thp_enabled);
	j_str(w, "thp_defrag", c->thp_defrag);
	if (c->has & HC_TUNABLES) {
		jw_key(w, "sched_tunables");
		jw_obj_open(w);
		for (size_t i = 0; i < c->ntunables; i++)
			jw_kstr(w, c->tunables[i].key, c->tunables[i].val);
		jw_obj_close(w);
	}
	j_u64(w, c->has, HC_ONLINE_CPUS, "online_cpus", c->online_cpus);
	j_u64(w, c->has, HC_NUMA_NODES, "numa_nodes", c->numa_nodes);
	if (c->ngov) {
		jw_key(w, "cpufreq_governor");
		jw_obj_open(w);
		for (size_t i = 0; i < c->ngov; i++) {
			snprintf(id, sizeof(id), "%" PRIu64, c->gov[i].cpu);
			jw_kstr(w, id, c->gov[i].gov);
		}
		jw_obj_close(w);
	}
	j_str(w, "kernel_name", c->kernel_name);
	j_str(w, "kernel_release", c->kernel_release);
	j_str(w, "arch", c->arch);
	j_str(w, "kernel_cmdline", c->kernel_cmdline);
	j_str(w, "task_delayacct", hc_delayacct_json(c->task_delayacct));
	j_str(w, "config_task_xacct", hc_xacct_str(c->config_task_xacct));
	if (c->has & HC_HEAP) {
		jw_key(w, "heap_state");
		heap_json(w, &c->heap);
	}
	jw_obj_close(w);
}

void hc_json_pair(struct jw *w, const struct hostctx *pre, const struct hostctx *post)
{
	jw_obj_open(w);
	jw_key(w, "pre");
	hc_json(w, pre);
	jw_key(w, "post");
	hc_json(w, post);
	jw_obj_close(w);
}

/* ---- format_human ---------------------------------------------------------- */

/* "KEY: VALUE": control bytes of VALUE as \xNN (a cmdline holding
 * "\nFAKE: x" must not print as a field of its own) */
static void row_str(struct kt_buf *b, const char *k, const char *v)
{
	kt_buf_puts(b, k);
	kt_buf_put(b, ": ", 2);
	if (v)
		kt_buf_put_esc(b, v, strlen(v));
	else
		kt_buf_puts(b, "(unknown)");
	kt_buf_putc(b, '\n');
}

static void row_u64(struct kt_buf *b, const char *k, bool has, uint64_t v)
{
	if (has)
		kt_buf_printf(b, "%s: %" PRIu64 "\n", k, v);
	else
		row_str(b, k, NULL);
}

void hc_heap_human(struct kt_buf *b, const struct hc_heap *h)
{
	row_u64(b, "allocated_bytes", h->has & HC_HEAP_ALLOCATED, h->allocated_bytes);
	row_u64(b, "active_bytes", h->has & HC_HEAP_ACTIVE, h->active_bytes);
	row_u64(b, "resident_bytes", h->has & HC_HEAP_RESIDENT, h->resident_bytes);
	row_u64(b, "mapped_bytes", h->has & HC_HEAP_MAPPED, h->mapped_bytes);
	row_u64(b, "narenas", h->has & HC_HEAP_NARENAS, h->narenas);
}

/* Append every line of TEXT (Rust str::lines) prefixed with PFX. */
static void put_lines(struct kt_buf *b, const char *pfx, const char *text, size_t n)
{
	const char *l = text, *nl;
	size_t len;

	while (l < text + n) {
		nl = memchr(l, '\n', (size_t)(text + n - l));
		len = nl ? (size_t)(nl - l) : (size_t)(text + n - l);
		kt_buf_puts(b, pfx);
		kt_buf_put(b, l, nl && len && l[len - 1] == '\r' ? len - 1 : len);
		kt_buf_putc(b, '\n');
		l += len + 1;
	}
}

static void human_maps(struct kt_buf *b, const struct hostctx *c)
{
	struct kt_buf hb = {0};

	if (!c->ngov)
		kt_buf_puts(b, "cpufreq_governor: (empty)\n");
	else
		kt_buf_puts(b, "cpufreq_governor:\n");
	for (size_t i = 0; i < c->ngov; i++)
		kt_buf_printf(b, "  cpu%" PRIu64 " = %s\n", c->gov[i].cpu, c->gov[i].gov);
	if (!(c->has & HC_TUNABLES))
		kt_buf_puts(b, "sched_tunables: (unknown)\n");
	else if (!c->ntunables)
		kt_buf_puts(b, "sched_tunables: (empty)\n");
	else
		kt_buf_puts(b, "sched_tunables:\n");
	for (size_t i = 0; i < c->ntunables; i++)
		kt_buf_printf(b, "  %s = %s\n", c->tunables[i].key, c->tunables[i].val);
	if (!(c->has & HC_HEAP)) {
		kt_buf_puts(b, "heap_state: (unknown)\n");
		return;
	}
	kt_buf_puts(b, "heap_state:\n");
	hc_heap_human(&hb, &c->heap);
	put_lines(b, "  ", hb.p, hb.len);
	kt_buf_free(&hb);
}

void hc_human(struct kt_buf *b, const struct hostctx *c)
{
	row_str(b, "kernel_name", c->kernel_name);
	row_str(b, "kernel_release", c->kernel_release);
	row_str(b, "arch", c->arch);
	row_str(b, "cpu_model", c->cpu_model);
	row_str(b, "cpu_vendor", c->cpu_vendor);
	row_u64(b, "total_memory_kib", c->has & HC_TOTAL_MEMORY, c->total_memory_kib);
	row_u64(b, "hugepages_total", c->has & HC_HP_TOTAL, c->hugepages_total);
	row_u64(b, "hugepages_free", c->has & HC_HP_FREE, c->hugepages_free);
	row_u64(b, "hugepages_size_kib", c->has & HC_HP_SIZE, c->hugepages_size_kib);
	row_u64(b, "online_cpus", c->has & HC_ONLINE_CPUS, c->online_cpus);
	row_u64(b, "numa_nodes", c->has & HC_NUMA_NODES, c->numa_nodes);
	row_str(b, "thp_enabled", c->thp_enabled);
	row_str(b, "thp_defrag", c->thp_defrag);
	row_str(b, "kernel_cmdline", c->kernel_cmdline);
	row_str(b, "task_delayacct", hc_delayacct_str(c->task_delayacct));
	row_str(b, "config_task_xacct", hc_xacct_str(c->config_task_xacct));
	human_maps(b, c);
}

/* ---- diff -------------------------------------------------------------------- */

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool diff_str(struct kt_buf *b, const char *pfx, const char *k, const char *x, const char *y)
{
	if (str_eq(x, y))
		return false;
	kt_buf_printf(b, "%s%s: %s \u2192 %s\n", pfx, k, x ? x : "(unknown)", y ? y : "(unknown)");
	return true;
}

static bool diff_u64(struct kt_buf *b, const char *pfx, const char *k, bool hx, uint64_t x, bool hy,
		     uint64_t y)
{
	char sx[24], sy[24];

	if (hx == hy && (!hx || x == y))
		return false;
	snprintf(sx, sizeof(sx), "%" PRIu64, x);
	snprintf(sy, sizeof(sy), "%" PRIu64, y);
	return diff_str(b, pfx, k, hx ? sx : NULL, hy ? sy : NULL);
}

bool hc_heap_diff(struct kt_buf *b, const struct hc_heap *a, const struct hc_heap *x)
{
	bool d = false;

#define HD(bit, f) d |= diff_u64(b, "", #f, a->has & bit, a->f, x->has & bit, x->f)
	HD(HC_HEAP_ALLOCATED, allocated_bytes);
	HD(HC_HEAP_ACTIVE, active_bytes);
	HD(HC_HEAP_RESIDENT, resident_bytes);
	HD(HC_HEAP_MAPPED, mapped_bytes);
	HD(HC_HEAP_NARENAS, narenas);
#undef HD
	return d;
}

static bool diff_gov(struct kt_buf *b, const struct hostctx *a, const struct hostctx *x)
{
	size_t i = 0, j = 0;
	const char *ga, *gx;
	uint64_t cpu;
	char key[48];
	bool d = false;

	while (i < a->ngov || j < x->ngov) {
		if (j >= x->ngov || (i < a->ngov && a->gov[i].cpu < x->gov[j].cpu))
			cpu = a->gov[i].cpu;
		else
			cpu = x->gov[j].cpu;
		ga = i < a->ngov && a->gov[i].cpu == cpu ? a->gov[i++].gov : NULL;
		gx = j < x->ngov && x->gov[j].cpu == cpu ? x->gov[j++].gov : NULL;
		if (str_eq(ga, gx))
			continue;
		snprintf(key, sizeof(key), "cpufreq_governor.cpu%" PRIu64, cpu);
		kt_buf_printf(b, "  %s: %s \u2192 %s\n", key, ga ? ga : "(absent)",
			      gx ? gx : "(absent)");
		d = true;
	}
	return d;
}

static void summarize(char *s, size_t n, const struct hostctx *c)
{
	if (!(c->has & HC_TUNABLES))
		snprintf(s, n, "(unknown)");
	else if (!c->ntunables)
		snprintf(s, n, "(empty)");
	else if (c->ntunables == 1)
		snprintf(s, n, "(1 entry)");
	else
		snprintf(s, n, "(%zu entries)", c->ntunables);
}

static bool diff_tunables(struct kt_buf *b, const struct hostctx *a, const struct hostctx *x)
{
	const struct hc_kv *ka, *kx;
	char sa[32], sx[32];
	size_t i = 0, j = 0;
	bool d = false;
	int c;

	if ((a->has & HC_TUNABLES) != (x->has & HC_TUNABLES)) {
		summarize(sa, sizeof(sa), a);
		summarize(sx, sizeof(sx), x);
		kt_buf_printf(b, "  sched_tunables: %s \u2192 %s\n", sa, sx);
		return true;
	}
	if (!(a->has & HC_TUNABLES))
		return false;
	while (i < a->ntunables || j < x->ntunables) {
		ka = i < a->ntunables ? &a->tunables[i] : NULL;
		kx = j < x->ntunables ? &x->tunables[j] : NULL;
		c = !ka ? 1 : !kx ? -1 : strcmp(ka->key, kx->key);
		if (c < 0)
			kx = NULL, i++;
		else if (c > 0)
			ka = NULL, j++;
		else
			i++, j++;
		if (ka && kx && !strcmp(ka->val, kx->val))
			continue;
		kt_buf_printf(b, "  sched_tunables.%s: %s \u2192 %s\n", ka ? ka->key : kx->key,
			      ka ? ka->val : "(absent)", kx ? kx->val : "(absent)");
		d = true;
	}
	return d;
}

static bool diff_heap(struct kt_buf *b, const struct hostctx *a, const struct hostctx *x)
{
	struct kt_buf inner = {0};
	bool ha = a->has & HC_HEAP, hx = x->has & HC_HEAP, d;

	if (ha != hx) {
		kt_buf_printf(b, "  heap_state: %s \u2192 %s\n", ha ? "(present)" : "(unknown)",
			      hx ? "(present)" : "(unknown)");
		return true;
	}
	if (!ha)
		return false;
	d = hc_heap_diff(&inner, &a->heap, &x->heap);
	if (d) {
		kt_buf_puts(b, "  heap_state:\n");
		put_lines(b, "    ", inner.p, inner.len);
	}
	kt_buf_free(&inner);
	return d;
}

bool hc_diff(struct kt_buf *b, const struct hostctx *a, const struct hostctx *x)
{
	bool d = false;

#define DS(f) d |= diff_str(b, "  ", #f, a->f, x->f)
#define DU(bit, f) d |= diff_u64(b, "  ", #f, a->has & bit, a->f, x->has & bit, x->f)
	DS(kernel_name);
	DS(kernel_release);
	DS(arch);
	DS(cpu_model);
	DS(cpu_vendor);
	DU(HC_TOTAL_MEMORY, total_memory_kib);
	DU(HC_HP_TOTAL, hugepages_total);
	DU(HC_HP_FREE, hugepages_free);
	DU(HC_HP_SIZE, hugepages_size_kib);
	DU(HC_ONLINE_CPUS, online_cpus);
	DU(HC_NUMA_NODES, numa_nodes);
	DS(thp_enabled);
	DS(thp_defrag);
	DS(kernel_cmdline);
#undef DS
#undef DU
	d |= diff_str(b, "  ", "task_delayacct", hc_delayacct_str(a->task_delayacct),
		      hc_delayacct_str(x->task_delayacct));
	d |= diff_str(b, "  ", "config_task_xacct", hc_xacct_str(a->config_task_xacct),
		      hc_xacct_str(x->config_task_xacct));
	d |= diff_gov(b, a, x);
	d |= diff_tunables(b, a, x);
	d |= diff_heap(b, a, x);
	return d;
}
