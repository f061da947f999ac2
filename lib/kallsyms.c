// SPDX-License-Identifier: MIT
/*
 * The kernel symbol table: parse, sort, size, index, resolve, format.
 * See kallsyms.h for the rules (regions, sizes, %pS).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "kallsyms.h"
#include "stacksym.h"

/* 16 bytes: address, name offset in the pool, module id, type, flags. */
struct ent {
	uint64_t addr;
	uint32_t name;
	uint16_t mod;		/* 0: vmlinux; else index into mods[] */
	uint8_t type;
	uint8_t flags;
};

enum {
	ENT_MAPPING = 1,	/* module mapping symbol: never resolved to */
	ENT_LAST = 2,		/* last address of its region */
};

#define MAX_SYMS (1u << 24)	/* hash slots hold a 24-bit index */
#define MAX_MODS 65535
#define TOP_STEP 32		/* entries per block of the search index */

struct kt_ksyms {
	struct ent *ents;
	uint32_t *size;		/* per entry; 0: unknown */
	size_t n;
	char *pool;		/* names and module names, NUL-terminated */
	size_t pool_len;
	uint64_t *top;		/* address of every TOP_STEP-th entry */
	size_t ntop;
	uint32_t *hash;		/* (index + 1) | tag << 24; 0: empty */
	size_t hash_cap;
	uint32_t *mods;		/* pool offset of module names, [1..nmods] */
	size_t nmods;
	uint16_t bpf_mod;	/* id of "bpf", or 0 */
	uint32_t *mod_hash;	/* parse-time module index */
	size_t mod_hash_cap;
	struct kt_ksyms_stats st;
};

/* hex digit values, -1 for anything else */
static const signed char hexv[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, -1, -1, -1, -1, -1, -1,
	-1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
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

/* The id of module NAME (LEN bytes), adding it; 0 when full or OOM. */
static uint16_t mod_intern(struct kt_ksyms *t, const char *name, size_t len)
{
	uint32_t *nm;
	size_t s;

	if (t->mod_hash_cap)
		for (s = slot_of(hash_bytes(name, len), t->mod_hash_cap); t->mod_hash[s];
		     s = s + 1 == t->mod_hash_cap ? 0 : s + 1) {
			const char *m = t->pool + t->mods[t->mod_hash[s]];

			if (!strncmp(m, name, len) && !m[len])
				return (uint16_t)t->mod_hash[s];
		}
	if (t->nmods == MAX_MODS)
		return 0;
	if ((t->nmods + 1) * 2 > t->mod_hash_cap && mod_hash_grow(t))
		return 0;
	nm = realloc(t->mods, (t->nmods + 2) * sizeof(*nm));
	if (!nm)
		return 0;
	t->mods = nm;
	t->mods[++t->nmods] = (uint32_t)t->pool_len;
	memcpy(t->pool + t->pool_len, name, len);
	t->pool[t->pool_len + len] = '\0';
	t->pool_len += len + 1;
	if (len == 3 && !memcmp(name, "bpf", 3))
		t->bpf_mod = (uint16_t)t->nmods;
	for (s = slot_of(hash_bytes(name, len), t->mod_hash_cap); t->mod_hash[s];
	     s = s + 1 == t->mod_hash_cap ? 0 : s + 1)
		;
	t->mod_hash[s] = (uint32_t)t->nmods;
	return (uint16_t)t->nmods;
}

/* "[MODULE]" plus optional blanks in [p, e): the module id, or -1. */
static int parse_module(struct kt_ksyms *t, const char *p, const char *e, uint16_t *last,
			const char **last_name, size_t *last_len)
{
	const char *m = p + 1, *q;
	size_t len;

	if (*p != '[')
		return -1;
	for (q = m; q < e && *q != ']' && (unsigned char)*q > 0x20; q++)
		;
	if (q == m || q == e || *q != ']')
		return -1;
	len = (size_t)(q - m);
	for (q++; q < e; q++)
		if (*q != ' ' && *q != '\t')
			return -1;
	if (*last && len == *last_len && !memcmp(m, *last_name, len))
		return *last;
	*last = mod_intern(t, m, len);
	*last_name = m;
	*last_len = len;
	return *last ? *last : -1;
}

struct parse_state {
	uint16_t last_mod;
	const char *last_mod_name;
	size_t last_mod_len;
};

/* One line [p, e) without its newline: append an entry or return -1. */
static int parse_line(struct kt_ksyms *t, struct parse_state *ps, const char *p, const char *e)
{
	const unsigned char *q = (const unsigned char *)p;
	const unsigned char *ue = (const unsigned char *)e;
	const unsigned char *name;
	struct ent *en = &t->ents[t->n];
	uint64_t a = 0;
	unsigned nd = 0;
	int d, mod = 0;

	while (q < ue && (d = hexv[*q]) >= 0) {
		if (++nd > 16)
			return -1;
		a = a << 4 | (uint64_t)d;
		q++;
	}
	if (!nd || ue - q < 4 || q[0] != ' ' || q[2] != ' ')
		return -1;
	if (!(((q[1] | 0x20) >= 'a' && (q[1] | 0x20) <= 'z') || q[1] == '?'))
		return -1;
	en->type = q[1];
	name = q += 3;
	while (q < ue && *q > 0x20)
		q++;
	if (q == name)
		return -1;
	while (q < ue && (*q == ' ' || *q == '\t'))
		q++;
	if (q < ue) {
		mod = parse_module(t, (const char *)q, e, &ps->last_mod, &ps->last_mod_name,
				   &ps->last_mod_len);
		if (mod < 0)
			return -1;
	}
	en->addr = a;
	en->mod = (uint16_t)mod;
	en->flags = 0;
	en->name = (uint32_t)t->pool_len;
	while (name < ue && *name > 0x20)
		t->pool[t->pool_len++] = (char)*name++;
	t->pool[t->pool_len++] = '\0';
	if (mod && mod != t->bpf_mod && is_mapping_name(t->pool + en->name))
		en->flags = ENT_MAPPING;
	if (nd > t->st.addr_digits)
		t->st.addr_digits = nd > 8 ? 16 : 8;
	t->n++;
	return 0;
}

static int parse_text(struct kt_ksyms *t, const char *buf, size_t len)
{
	struct parse_state ps = { 0 };
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if (le > p && le[-1] == '\r')
			le--;
		if (le > p) {
			t->st.lines++;
			if (parse_line(t, &ps, p, le))
				t->st.malformed++;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
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

static int sort_entries(struct kt_ksyms *t)
{
	struct ent *src = t->ents, *dst, *tmp;
	size_t n = t->n;

	if (run_end(src, 0, n) >= n)
		return 0;
	tmp = dst = malloc(n * sizeof(*dst));
	if (!dst)
		return -1;
	for (;;) {
		size_t i = 0, runs = 0;

		while (i < n) {
			size_t m = run_end(src, i, n), e = m < n ? run_end(src, m, n) : n;

			merge(src + i, m - i, src + m, e - m, dst + i);
			i = e;
			runs++;
		}
		tmp = src;
		src = dst;
		dst = tmp;
		if (runs == 1)
			break;
	}
	if (src != t->ents) {
		memcpy(t->ents, src, n * sizeof(*src));
		free(src);
	} else {
		free(dst);
	}
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

static int build_index(struct kt_ksyms *t)
{
	size_t i;

	t->hash_cap = t->n * 2 + 1;
	t->hash = calloc(t->hash_cap, sizeof(*t->hash));
	if (!t->hash)
		return -1;
	for (i = 0; i < t->n; i++) {
		const char *nm = t->pool + t->ents[i].name;
		uint32_t h = name_hash(nm), tag = tag_of(h), v;
		size_t s = slot_of(h, t->hash_cap), same = 0;

		while ((v = t->hash[s])) {
			if ((v & 0xff000000u) == tag &&
			    !strcmp(t->pool + t->ents[(v & 0xffffff) - 1].name, nm))
				same++;
			s = s + 1 == t->hash_cap ? 0 : s + 1;
		}
		t->hash[s] = (uint32_t)(i + 1) | tag;
		if (!same)
			t->st.names++;
		else if (same == 1)
			t->st.duplicate_names++;
	}
	return 0;
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
	t->st.mem_bytes = sizeof(*t) + t->pool_len + t->n * (sizeof(*t->ents) + sizeof(*t->size)) +
			  t->hash_cap * sizeof(*t->hash) + (t->nmods + 1) * sizeof(*t->mods) +
			  t->ntop * sizeof(*t->top);
}

static size_t count_lines(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	size_t n = 1;

	while ((p = memchr(p, '\n', (size_t)(end - p)))) {
		n++;
		p++;
	}
	return n;
}

struct kt_ksyms *kt_ksyms_parse(const char *buf, size_t len)
{
	struct kt_ksyms *t;
	size_t lines;

	if (len >= UINT32_MAX) {
		errno = EFBIG;
		return NULL;
	}
	lines = count_lines(buf, len);
	if (lines > MAX_SYMS) {
		errno = EFBIG;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->st.text_bytes = len;
	t->pool = malloc(len + 2);
	t->ents = malloc(lines * sizeof(*t->ents));
	if (!t->pool || !t->ents)
		goto fail;
	t->mods = calloc(1, sizeof(*t->mods));
	if (!t->mods || parse_text(t, buf, len) || sort_entries(t) || compute_sizes(t) ||
	    build_index(t) || build_top(t))
		goto fail;
	count_kinds(t);
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
	else if (!strcmp(path, "-"))
		path = "/dev/stdin";
	buf = kt_read_file(NULL, path, KT_KSYMS_MAX_FILE, &len);
	if (!buf)
		return NULL;
	t = kt_ksyms_parse(buf, len);
	e = errno;
	free(buf);
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

size_t kt_ksyms_lookup(const struct kt_ksyms *t, const char *name, struct kt_ksym *out,
		       size_t max)
{
	uint32_t h, tag, v;
	size_t s, n = 0;

	if (!t->n)
		return 0;
	h = name_hash(name);
	tag = tag_of(h);
	for (s = slot_of(h, t->hash_cap); (v = t->hash[s]); s = s + 1 == t->hash_cap ? 0 : s + 1) {
		size_t i = (v & 0xffffff) - 1;

		if ((v & 0xff000000u) != tag || strcmp(t->pool + t->ents[i].name, name))
			continue;
		if (n < max)
			fill(t, i, &out[n]);
		n++;
	}
	return n;
}

int kt_ksyms_addr_of(const struct kt_ksyms *t, const char *name, uint64_t *addr)
{
	struct kt_ksym s;

	if (!kt_ksyms_lookup(t, name, &s, 1))
		return -1;
	*addr = s.addr;
	return 0;
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
	if (!t->size[i]) {
		if (!t->ents[i].mod && (t->ents[i].flags & ENT_LAST) && off)
			return -1;
		if (off >= KT_KSYMS_MAX_UNSIZED)
			return -1;
	}
	fill(t, (size_t)i, &res->sym);
	res->off = off;
	return 0;
}

int kt_ksyms_resolve_bt(const struct kt_ksyms *t, uint64_t addr, struct kt_ksym_res *res)
{
	if (!addr || kt_ksyms_resolve(t, addr - 1, res))
		return -1;
	res->off++;
	return 0;
}

/* snprintf-style appender: counts everything, stores what fits. */
struct sbuf {
	char *p;
	size_t size, len;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->len < b->size) {
		size_t room = b->size - 1 - b->len;

		memcpy(b->p + b->len, s, n < room ? n : room);
	}
	b->len += n;
}

static void sb_hex(struct sbuf *b, const char *pfx, uint64_t v)
{
	char d[20];
	int i = 20;

	do {
		d[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	sb_put(b, pfx, strlen(pfx));
	sb_put(b, d + i, (size_t)(20 - i));
}

int kt_ksym_res_format(const struct kt_ksym_res *res, char *buf, size_t size)
{
	const struct kt_ksym *s = &res->sym;
	struct sbuf b = { buf, size, 0 };

	sb_put(&b, s->name, strlen(s->name));
	sb_hex(&b, "+0x", res->off);
	if (s->size)
		sb_hex(&b, "/0x", s->size);
	if (s->module && !s->bpf) {
		sb_put(&b, " [", 2);
		sb_put(&b, s->module, strlen(s->module));
		sb_put(&b, "]", 1);
	}
	if (size)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return (int)b.len;
}

typedef int (*resolve_fn)(const struct kt_ksyms *t, uint64_t addr, struct kt_ksym_res *res);

static int format_with(const struct kt_ksyms *t, resolve_fn fn, uint64_t addr, char *buf,
		       size_t size)
{
	struct kt_ksym_res r;

	if (fn(t, addr, &r))
		return snprintf(buf, size, "0x%llx", (unsigned long long)addr);
	return kt_ksym_res_format(&r, buf, size);
}

int kt_ksyms_format(const struct kt_ksyms *t, uint64_t addr, char *buf, size_t size)
{
	return format_with(t, kt_ksyms_resolve, addr, buf, size);
}

int kt_ksyms_format_bt(const struct kt_ksyms *t, uint64_t addr, char *buf, size_t size)
{
	return format_with(t, kt_ksyms_resolve_bt, addr, buf, size);
}

/* Does a func+0xoff/0xsz token start right after POS (blanks skipped)? */
static bool symbol_follows(const char *line, size_t len, size_t pos)
{
	struct kt_stacksym s;
	size_t p = pos;

	while (p < len && (line[p] == ' ' || line[p] == '\t' || line[p] == '?'))
		p++;
	return kt_stacksym_next(line, len, &pos, &s) && s.start == p;
}

static size_t symbolize_with(const struct kt_ksyms *t, resolve_fn fn, const char *line,
			     size_t len, struct kt_buf *out)
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
