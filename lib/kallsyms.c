// SPDX-License-Identifier: MIT
/*
 * The kernel symbol table: parse, sort, size, index, resolve, format.
 * See kallsyms.h for the rules (regions, sizes, %pS).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "kallsyms.h"
#include "stacksym.h"
#include "text.h"

/* 16 bytes: address, name offset in the pool, module id, type, flags. */
struct ent {
	uint64_t addr;
	uint32_t name;
	uint16_t mod; /* 0: vmlinux; else index into mods[] */
	uint8_t type;
	uint8_t flags;
};

enum {
	ENT_MAPPING = 1, /* module mapping symbol: never resolved to */
	ENT_LAST = 2,	 /* last address of its region */
	ENT_EXACT = 4,	 /* size from an exact source (bpf() prog info) */
};

#define MAX_SYMS (1u << 24) /* hash slots hold a 24-bit index */
#define MAX_MODS 65535
#define TOP_STEP 32 /* entries per block of the search index */

struct kt_ksyms {
	struct ent *ents;
	uint32_t *size; /* per entry; 0: unknown */
	size_t n;
	char *pool; /* names and module names, NUL-terminated */
	size_t pool_len;
	uint64_t range_lo[2]; /* where the kernel looks vmlinux symbols up */
	uint64_t range_hi[2];
	int nranges;   /* 0: no section markers, no limit */
	uint64_t *top; /* address of every TOP_STEP-th entry */
	size_t ntop;
	uint32_t *hash; /* (index + 1) | tag << 24; 0: empty */
	uint32_t *dup;	/* index + 1 of the next entry of the same name */
	size_t hash_cap;
	uint32_t *mods; /* pool offset of module names, [1..nmods] */
	size_t nmods;
	uint16_t bpf_mod;   /* id of "bpf", or 0 */
	uint32_t *mod_hash; /* parse-time module index */
	size_t mod_hash_cap;
	bool oom; /* an allocation failed while parsing */
	struct kt_ksyms_stats st;
};

static uint32_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

	while (n >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		s += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return (uint32_t)h;
}

static size_t slot_of(uint32_t h, size_t cap)
{
	return (size_t)(((uint64_t)h * cap) >> 32);
}

/* Slots come from the high bits of the hash, tags from the low ones. */
static uint32_t tag_of(uint32_t h)
{
	return h << 24;
}

static bool is_text_type(uint8_t t)
{
	return t == 't' || t == 'T' || t == 'w' || t == 'W';
}

static bool is_mapping_name(const char *s)
{
	return s[0] == '$' || (s[0] == '.' && s[1] == 'L') || (s[0] == 'L' && s[1] == '0');
}

/* ---- parsing ------------------------------------------------------------ */

static int mod_hash_grow(struct kt_ksyms *t)
{
	size_t cap = t->mod_hash_cap ? t->mod_hash_cap * 2 : 64, i;
	uint32_t *h = calloc(cap, sizeof(*h));

	if (!h)
		return -1;
	for (i = 1; i <= t->nmods; i++) {
		const char *m = t->pool + t->mods[i];
		size_t s = slot_of(hash_bytes(m, strlen(m)), cap);

		while (h[s])
			s = s + 1 == cap ? 0 : s + 1;
		h[s] = (uint32_t)i;
	}
	free(t->mod_hash);
	t->mod_hash = h;
	t->mod_hash_cap = cap;
	return 0;
}

/* The slot of module NAME (LEN bytes) in mod_hash, or the empty one. */
static size_t mod_slot(const struct kt_ksyms *t, const char *name, size_t len)
{
	size_t s = slot_of(hash_bytes(name, len), t->mod_hash_cap);

	for (; t->mod_hash[s]; s = s + 1 == t->mod_hash_cap ? 0 : s + 1) {
		const char *m = t->pool + t->mods[t->mod_hash[s]];

		if (!strncmp(m, name, len) && !m[len])
			break;
	}
	return s;
}

/* The id of module NAME (LEN bytes), adding it; 0 when full or out of
 * memory (then t->oom is set). */
static uint16_t mod_intern(struct kt_ksyms *t, const char *name, size_t len)
{
	uint32_t *nm;
	size_t s;

	if (t->mod_hash_cap && t->mod_hash[s = mod_slot(t, name, len)])
		return (uint16_t)t->mod_hash[s];
	if (t->nmods == MAX_MODS)
		return 0;
	if ((t->nmods + 1) * 2 > t->mod_hash_cap && mod_hash_grow(t))
		goto oom;
	nm = realloc(t->mods, (t->nmods + 2) * sizeof(*nm));
	if (!nm)
		goto oom;
	t->mods = nm;
	t->mods[++t->nmods] = (uint32_t)t->pool_len;
	memcpy(t->pool + t->pool_len, name, len);
	t->pool[t->pool_len + len] = '\0';
	t->pool_len += len + 1;
	if (len == 3 && !memcmp(name, "bpf", 3))
		t->bpf_mod = (uint16_t)t->nmods;
	t->mod_hash[mod_slot(t, name, len)] = (uint32_t)t->nmods;
	return (uint16_t)t->nmods;
oom:
	t->oom = true;
	return 0;
}

struct parse_state {
	uint16_t last_mod;
	const unsigned char *last_mod_name;
	size_t last_mod_len;
};

/* "[MODULE]" at *Q: the module id (advancing *Q past "]"), or -1. */
static int parse_module(struct kt_ksyms *t, struct parse_state *ps, const unsigned char **qp,
			const unsigned char *e)
{
	const unsigned char *m = *qp + 1, *q;
	size_t len;

	if (**qp != '[')
		return -1;
	for (q = m; q < e && *q != ']' && *q > 0x20; q++)
		;
	if (q == m || q == e || *q != ']' || q - m > KT_KSYMS_MODULE_MAX)
		return -1;
	*qp = q + 1;
	len = (size_t)(q - m);
	if (ps->last_mod && len == ps->last_mod_len && !memcmp(m, ps->last_mod_name, len))
		return ps->last_mod;
	ps->last_mod = mod_intern(t, (const char *)m, len);
	ps->last_mod_name = m;
	ps->last_mod_len = len;
	return ps->last_mod ? ps->last_mod : -1;
}

static const unsigned char *skip_blanks(const unsigned char *q, const unsigned char *e)
{
	while (q < e && (*q == ' ' || *q == '\t' || *q == '\r'))
		q++;
	return q;
}

/* Append the entry for a well-formed line. */
static void add_entry(struct kt_ksyms *t, uint64_t addr, unsigned nd, uint8_t type, int mod,
		      const unsigned char *name, const unsigned char *name_end)
{
	struct ent *en = &t->ents[t->n++];
	size_t len = (size_t)(name_end - name);

	en->addr = addr;
	en->type = type;
	en->mod = (uint16_t)mod;
	en->flags = 0;
	en->name = (uint32_t)t->pool_len;
	memcpy(t->pool + t->pool_len, name, len);
	t->pool[t->pool_len + len] = '\0';
	t->pool_len += len + 1;
	if (mod && mod != t->bpf_mod && is_mapping_name(t->pool + en->name))
		en->flags = ENT_MAPPING;
	if (nd > t->st.addr_digits)
		t->st.addr_digits = nd > 8 ? 16 : 8;
}

/*
 * Parse the non-empty line at Q ("ADDR TYPE NAME[\t[MODULE]]", up to '\n'
 * or E) without a separate search for its end; returns the next line.
 */
static const unsigned char *parse_line(struct kt_ksyms *t, struct parse_state *ps,
				       const unsigned char *q, const unsigned char *e)
{
	const unsigned char *name, *name_end, *nl;
	uint64_t a = 0;
	unsigned nd = 0;
	int d, mod = 0;
	uint8_t type;

	while (q < e && (d = kt_hexval(*q)) >= 0) {
		if (++nd > 16)
			goto bad;
		a = a << 4 | (uint64_t)d;
		q++;
	}
	if (!nd || e - q < 4 || q[0] != ' ' || q[2] != ' ' || t->n == MAX_SYMS)
		goto bad;
	type = q[1];
	if (!(((type | 0x20) >= 'a' && (type | 0x20) <= 'z') || type == '?'))
		goto bad;
	name = q += 3;
	while (q<e && * q> 0x20)
		q++;
	if (q == name || q - name > KT_KSYMS_NAME_MAX)
		goto bad;
	name_end = q;
	q = skip_blanks(q, e);
	if (q < e && *q != '\n') {
		if ((mod = parse_module(t, ps, &q, e)) < 0)
			goto bad;
		q = skip_blanks(q, e);
		if (q < e && *q != '\n')
			goto bad;
	}
	add_entry(t, a, nd, type, mod, name, name_end);
	return q < e ? q + 1 : e;
bad:
	t->st.malformed++;
	nl = memchr(q, '\n', (size_t)(e - q));
	return nl ? nl + 1 : e;
}

static void parse_text(struct kt_ksyms *t, const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf, *e = p + len;
	struct parse_state ps = {0};

	while (p < e) {
		if (*p == '\n') {
			p++;
			continue;
		}
		if (*p == '\r' && (p + 1 == e || p[1] == '\n')) {
			p += 1 + (p + 1 < e);
			continue;
		}
		t->st.lines++;
		p = parse_line(t, &ps, p, e);
	}
}

/* ---- sorting (stable natural merge sort by address) ------------------- */

static void merge(const struct ent *a, size_t na, const struct ent *b, size_t nb, struct ent *out)
{
	size_t i = 0, j = 0, k = 0;

	while (i < na && j < nb)
		out[k++] = b[j].addr < a[i].addr ? b[j++] : a[i++];
	memcpy(out + k, a + i, (na - i) * sizeof(*a));
	k += na - i;
	memcpy(out + k, b + j, (nb - j) * sizeof(*b));
}

static size_t run_end(const struct ent *e, size_t i, size_t n)
{
	while (i + 1 < n && e[i + 1].addr >= e[i].addr)
		i++;
	return i + 1;
}

/* Reverse strictly descending stretches (stable: no equal keys in them). */
static void reverse_runs(struct ent *e, size_t n)
{
	size_t i = 0;

	while (i + 1 < n) {
		size_t j = i + 1, lo, hi;

		while (j < n && e[j].addr < e[j - 1].addr)
			j++;
		for (lo = i, hi = j - 1; lo < hi; lo++, hi--) {
			struct ent x = e[lo];

			e[lo] = e[hi];
			e[hi] = x;
		}
		i = j;
	}
}

/* Natural merge sort of E[0..n) with TMP (n entries); the result ends in E. */
static void merge_sort(struct ent *e, struct ent *tmp, size_t n)
{
	struct ent *src = e, *dst = tmp, *x;
	size_t runs;

	reverse_runs(e, n);
	do {
		size_t i = 0;

		for (runs = 0; i < n; runs++) {
			size_t m = run_end(src, i, n), end = m < n ? run_end(src, m, n) : n;

			merge(src + i, m - i, src + m, end - m, dst + i);
			i = end;
		}
		x = src;
		src = dst;
		dst = x;
	} while (runs > 1);
	if (src != e)
		memcpy(e, src, n * sizeof(*e));
}

/*
 * Stable sort by address.  /proc/kallsyms lists vmlinux sorted and then
 * modules in symbol-table order: sort only what follows the sorted
 * prefix, then merge the two once.
 */
static int sort_entries(struct kt_ksyms *t)
{
	size_t n = t->n, p = run_end(t->ents, 0, n);
	struct ent *tmp;

	if (p >= n)
		return 0;
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return -1;
	merge_sort(t->ents + p, tmp, n - p);
	merge(t->ents, p, t->ents + p, n - p, tmp);
	memcpy(t->ents, tmp, n * sizeof(*tmp));
	free(tmp);
	return 0;
}

/* ---- sizes ------------------------------------------------------------- */

static size_t region_of(const struct kt_ksyms *t, const struct ent *e)
{
	if (!e->mod)
		return 0;
	if (e->mod == t->bpf_mod)
		return (size_t)e->mod * 2;
	return (size_t)e->mod * 2 + !is_text_type(e->type);
}

/* Walk down the sorted table keeping, per region, the lowest address seen
 * and the next higher one. */
static int compute_sizes(struct kt_ksyms *t)
{
	size_t nr = (t->nmods + 1) * 2, i;
	uint64_t *low = calloc(nr, sizeof(*low)), *next = calloc(nr, sizeof(*next));
	unsigned char *seen = calloc(nr, 1);
	int ret = -1;

	t->size = calloc(t->n ? t->n : 1, sizeof(*t->size));
	if (!low || !next || !seen || !t->size)
		goto out;
	for (i = t->n; i-- > 0;) {
		struct ent *e = &t->ents[i];
		size_t r = region_of(t, e);
		uint64_t gap;

		t->size[i] = 0;
		if (e->flags & ENT_MAPPING)
			continue;
		if (seen[r] && e->addr < low[r]) {
			next[r] = low[r];
			seen[r] = 2;
		}
		if (!seen[r])
			seen[r] = 1;
		low[r] = e->addr;
		if (seen[r] == 1) {
			e->flags |= ENT_LAST;
			continue;
		}
		gap = next[r] - e->addr;
		if (gap <= UINT32_MAX)
			t->size[i] = (uint32_t)gap;
	}
	ret = 0;
out:
	free(low);
	free(next);
	free(seen);
	return ret;
}

/* ---- name index -------------------------------------------------------- */

static uint32_t name_hash(const char *s)
{
	return hash_bytes(s, strlen(s));
}

/* The slot holding NAME (hash H), or the empty slot where it would go. */
static size_t find_slot(const struct kt_ksyms *t, const char *name, uint32_t h)
{
	uint32_t tag = tag_of(h), v;
	size_t s = slot_of(h, t->hash_cap);

	while ((v = t->hash[s])) {
		if ((v & 0xff000000u) == tag &&
		    !strcmp(t->pool + t->ents[(v & 0xffffff) - 1].name, name))
			break;
		s = s + 1 == t->hash_cap ? 0 : s + 1;
	}
	return s;
}

/* One slot per distinct name (its lowest-address entry); the others with
 * that name are chained in address order through dup[]. */
static void index_one(struct kt_ksyms *t, uint32_t *tail, size_t i, uint32_t h)
{
	const char *nm = t->pool + t->ents[i].name;
	size_t s = find_slot(t, nm, h);
	uint32_t head;

	if (!t->hash[s]) {
		t->hash[s] = (uint32_t)(i + 1) | tag_of(h);
		tail[i] = (uint32_t)i;
		t->st.names++;
		return;
	}
	head = (t->hash[s] & 0xffffff) - 1;
	if (tail[head] == head)
		t->st.duplicate_names++;
	t->dup[tail[head]] = (uint32_t)(i + 1);
	tail[head] = (uint32_t)i;
}

#define INDEX_BATCH 16

static int build_index(struct kt_ksyms *t)
{
	uint32_t *tail = malloc((t->n ? t->n : 1) * sizeof(*tail)), h[INDEX_BATCH];
	size_t i, k, m;

	t->hash_cap = t->n + t->n / 2 + 1;
	t->hash = calloc(t->hash_cap, sizeof(*t->hash));
	t->dup = calloc(t->n ? t->n : 1, sizeof(*t->dup));
	if (!tail || !t->hash || !t->dup) {
		free(tail);
		return -1;
	}
	/* hash a batch and prefetch its slots, then insert: the table is
	 * larger than the caches, so this overlaps the misses */
	for (i = 0; i < t->n; i += m) {
		m = t->n - i < INDEX_BATCH ? t->n - i : INDEX_BATCH;
		for (k = 0; k < m; k++) {
			h[k] = name_hash(t->pool + t->ents[i + k].name);
			__builtin_prefetch(&t->hash[slot_of(h[k], t->hash_cap)], 1);
		}
		for (k = 0; k < m; k++)
			index_one(t, tail, i + k, h[k]);
	}
	free(tail);
	return 0;
}

/* ---- vmlinux lookup ranges ----------------------------------------------- */

static bool vmlinux_addr(const struct kt_ksyms *t, const char *name, uint64_t *addr)
{
	uint32_t v = t->hash[find_slot(t, name, name_hash(name))] & 0xffffff;

	for (; v; v = t->dup[v - 1])
		if (!t->ents[v - 1].mod) {
			*addr = t->ents[v - 1].addr;
			return true;
		}
	return false;
}

static void add_range(struct kt_ksyms *t, uint64_t lo, uint64_t hi)
{
	if (hi > lo) {
		t->range_lo[t->nranges] = lo;
		t->range_hi[t->nranges++] = hi;
	}
}

/*
 * The kernel resolves a vmlinux address only inside is_ksym_addr(): with
 * CONFIG_KALLSYMS_ALL (the table then lists _end) [_stext, _end), else
 * [_stext, _etext) and [_sinittext, _einittext).
 */
static void build_ranges(struct kt_ksyms *t)
{
	uint64_t stext, end, sinit, einit;

	if (!t->n || !vmlinux_addr(t, "_stext", &stext))
		return;
	if (vmlinux_addr(t, "_end", &end)) {
		add_range(t, stext, end);
		return;
	}
	if (!vmlinux_addr(t, "_etext", &end))
		return;
	add_range(t, stext, end);
	if (t->nranges && vmlinux_addr(t, "_sinittext", &sinit) &&
	    vmlinux_addr(t, "_einittext", &einit))
		add_range(t, sinit, einit);
}

static bool in_vmlinux_ranges(const struct kt_ksyms *t, uint64_t addr)
{
	int i;

	for (i = 0; i < t->nranges; i++)
		if (addr >= t->range_lo[i] && addr < t->range_hi[i])
			return true;
	return !t->nranges;
}

/* ---- construction ------------------------------------------------------ */

static int build_top(struct kt_ksyms *t)
{
	size_t i;

	t->ntop = (t->n + TOP_STEP - 1) / TOP_STEP;
	t->top = malloc((t->ntop ? t->ntop : 1) * sizeof(*t->top));
	if (!t->top)
		return -1;
	for (i = 0; i < t->ntop; i++)
		t->top[i] = t->ents[i * TOP_STEP].addr;
	return 0;
}

static void count_kinds(struct kt_ksyms *t)
{
	size_t i, nonzero = 0;

	for (i = 0; i < t->n; i++) {
		const struct ent *e = &t->ents[i];

		if (e->type < 128)
			t->st.types[e->type]++;
		if (!e->mod)
			t->st.vmlinux_symbols++;
		else if (e->mod == t->bpf_mod)
			t->st.bpf_symbols++;
		else
			t->st.module_symbols++;
		nonzero |= e->addr != 0;
	}
	t->st.symbols = t->n;
	t->st.modules = t->nmods - (t->bpf_mod != 0);
	t->st.hidden = t->n && !nonzero;
}

static void shrink(struct kt_ksyms *t)
{
	void *p;

	if ((p = realloc(t->pool, t->pool_len ? t->pool_len : 1)))
		t->pool = p;
	if (t->n && (p = realloc(t->ents, t->n * sizeof(*t->ents))))
		t->ents = p;
	free(t->mod_hash);
	t->mod_hash = NULL;
	t->st.mem_bytes = sizeof(*t) + t->pool_len +
			  t->n * (sizeof(*t->ents) + sizeof(*t->size) + sizeof(*t->dup)) +
			  t->hash_cap * sizeof(*t->hash) + (t->nmods + 1) * sizeof(*t->mods) +
			  t->ntop * sizeof(*t->top);
}

struct kt_ksyms *kt_ksyms_parse(const char *buf, size_t len)
{
	struct kt_ksyms *t;

	if (len >= UINT32_MAX || len / 6 + 1 > SIZE_MAX / sizeof(struct ent)) {
		errno = EFBIG;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->st.text_bytes = len;
	t->pool = malloc(len + 2);
	/* a symbol line takes at least 6 bytes ("0 T x\n"); untouched
	 * capacity costs address space only and is given back by shrink() */
	t->ents = malloc((len / 6 + 1) * sizeof(*t->ents));
	if (!t->pool || !t->ents)
		goto fail;
	t->mods = calloc(1, sizeof(*t->mods));
	if (!t->mods)
		goto fail;
	parse_text(t, buf, len);
	if (t->oom || sort_entries(t) || compute_sizes(t) || build_index(t) || build_top(t))
		goto fail;
	count_kinds(t);
	build_ranges(t);
	shrink(t);
	return t;
fail:
	kt_ksyms_free(t);
	errno = ENOMEM;
	return NULL;
}

struct kt_ksyms *kt_ksyms_load(const char *path)
{
	struct kt_ksyms *t;
	size_t len;
	char *buf;
	int e;

	if (!path || !strcmp(path, "live"))
		path = KT_KALLSYMS_PATH;
	buf = kt_read_arg(path, KT_KSYMS_MAX_FILE, &len);
	if (!buf)
		return NULL;
	t = kt_ksyms_parse(buf, len);
	e = errno;
	free(buf);
	/* this kernel's own table: JITed BPF programs can be sized exactly */
	if (t && !strcmp(path, KT_KALLSYMS_PATH) && t->st.bpf_symbols && !t->st.hidden)
		kt_ksyms_bpf_sizes(t); /* best effort: no bpf() rights, no sizes */
	errno = e;
	return t;
}

void kt_ksyms_free(struct kt_ksyms *t)
{
	if (!t)
		return;
	free(t->ents);
	free(t->size);
	free(t->pool);
	free(t->hash);
	free(t->dup);
	free(t->top);
	free(t->mods);
	free(t->mod_hash);
	free(t);
}

/* ---- queries ------------------------------------------------------------ */

const struct kt_ksyms_stats *kt_ksyms_stats(const struct kt_ksyms *t)
{
	return &t->st;
}

bool kt_ksyms_hidden(const struct kt_ksyms *t)
{
	return t->st.hidden;
}

size_t kt_ksyms_count(const struct kt_ksyms *t)
{
	return t->n;
}

const char *kt_ksyms_module_name(const struct kt_ksyms *t, size_t n)
{
	return n >= 1 && n <= t->nmods ? t->pool + t->mods[n] : NULL;
}

static void fill(const struct kt_ksyms *t, size_t i, struct kt_ksym *out)
{
	const struct ent *e = &t->ents[i];

	out->addr = e->addr;
	out->size = t->size[i];
	/* a [bpf] gap is only a bound (JIT images are padded): not a size */
	if (e->mod && e->mod == t->bpf_mod && !(e->flags & ENT_EXACT))
		out->size = 0;
	out->name = t->pool + e->name;
	out->module = e->mod ? t->pool + t->mods[e->mod] : NULL;
	out->type = (char)e->type;
	out->bpf = e->mod && e->mod == t->bpf_mod;
}

int kt_ksyms_get(const struct kt_ksyms *t, size_t i, struct kt_ksym *out)
{
	if (i >= t->n)
		return -1;
	fill(t, i, out);
	return 0;
}

size_t kt_ksyms_lookup(const struct kt_ksyms *t, const char *name, struct kt_ksym *out, size_t max)
{
	uint32_t v;
	size_t n = 0;

	if (!t->n)
		return 0;
	v = t->hash[find_slot(t, name, name_hash(name))];
	for (v &= 0xffffff; v; v = t->dup[v - 1]) {
		if (n < max)
			fill(t, v - 1, &out[n]);
		n++;
	}
	return n;
}

/* Index of the last entry with address <= ADDR, or -1. */
static long upper(const struct kt_ksyms *t, uint64_t addr)
{
	size_t lo = 0, hi = t->ntop, blk;

	/* the block: last top[] entry <= addr (top[] is small and hot) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->top[mid] <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -1;
	blk = lo - 1;
	lo = blk * TOP_STEP;
	hi = lo + TOP_STEP < t->n ? lo + TOP_STEP : t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->ents[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

/* First non-mapping alias of the address group ending at I, searching
 * lower groups when a group holds only mapping symbols; -1 if none. */
static long pick_alias(const struct kt_ksyms *t, long i)
{
	while (i >= 0) {
		uint64_t a = t->ents[i].addr;
		long first = i, best = -1;

		while (first > 0 && t->ents[first - 1].addr == a)
			first--;
		for (; first <= i; first++)
			if (!(t->ents[first].flags & ENT_MAPPING)) {
				best = first;
				break;
			}
		if (best >= 0)
			return best;
		while (i >= 0 && t->ents[i].addr == a)
			i--;
	}
	return -1;
}

int kt_ksyms_resolve(const struct kt_ksyms *t, uint64_t addr, struct kt_ksym_res *res)
{
	long i;
	uint64_t off;

	if (t->st.hidden)
		return -1;
	i = pick_alias(t, upper(t, addr));
	if (i < 0)
		return -1;
	off = addr - t->ents[i].addr;
	if (!t->ents[i].mod && !in_vmlinux_ranges(t, addr))
		return -1;
	if (!t->size[i]) {
		if (!t->ents[i].mod && (t->ents[i].flags & ENT_LAST) && off)
			return -1;
		if (off >= KT_KSYMS_MAX_UNSIZED)
			return -1;
	}
	if ((t->ents[i].flags & ENT_EXACT) && off >= t->size[i])
		return -1; /* past the end of the JITed program */
	fill(t, (size_t)i, &res->sym);
	res->off = off;
	return 0;
}

int kt_ksyms_set_bpf_size(struct kt_ksyms *t, uint64_t addr, uint32_t size)
{
	long i = upper(t, addr);
	int n = 0;

	for (; i >= 0 && t->ents[i].addr == addr; i--) {
		if (!t->ents[i].mod || t->ents[i].mod != t->bpf_mod || !size)
			continue;
		t->size[i] = size;
		t->ents[i].flags |= ENT_EXACT;
		n++;
	}
	return n;
}

int kt_ksyms_resolve_bt(const struct kt_ksyms *t, uint64_t addr, struct kt_ksym_res *res)
{
	if (!addr || kt_ksyms_resolve(t, addr - 1, res))
		return -1;
	res->off++;
	return 0;
}

typedef int (*resolve_fn)(const struct kt_ksyms *t, uint64_t addr, struct kt_ksym_res *res);

/* Does a func+0xoff/0xsz token start right after POS (blanks skipped)? */
static bool symbol_follows(const char *line, size_t len, size_t pos)
{
	struct kt_stacksym s;
	size_t p = pos;

	while (p < len && (line[p] == ' ' || line[p] == '\t' || line[p] == '?'))
		p++;
	return kt_stacksym_next(line, len, &pos, &s) && s.start == p;
}

static size_t symbolize_with(const struct kt_ksyms *t, resolve_fn fn, const char *line, size_t len,
			     struct kt_buf *out)
{
	unsigned width = t->st.addr_digits ? t->st.addr_digits : 16;
	struct kt_addrtok tok;
	size_t pos = 0, done = 0, n = 0;

	while (kt_addrtok_next(line, len, &pos, &tok)) {
		struct kt_ksym_res r;
		char sym[KT_KSYMS_FMT_MAX];

		if ((unsigned)tok.digits != width || fn(t, tok.addr, &r) ||
		    symbol_follows(line, len, tok.end))
			continue;
		kt_ksym_res_format(&r, sym, sizeof(sym));
		kt_buf_put(out, line + done, tok.end - done);
		kt_buf_putc(out, ' ');
		kt_buf_puts(out, sym);
		done = tok.end;
		n++;
	}
	kt_buf_put(out, line + done, len - done);
	return n;
}

size_t kt_ksyms_symbolize(const struct kt_ksyms *t, const char *line, size_t len,
			  struct kt_buf *out)
{
	return symbolize_with(t, kt_ksyms_resolve, line, len, out);
}

size_t kt_ksyms_symbolize_bt(const struct kt_ksyms *t, const char *line, size_t len,
			     struct kt_buf *out)
{
	return symbolize_with(t, kt_ksyms_resolve_bt, line, len, out);
}
