// SPDX-License-Identifier: MIT
/*
 * Pure parsers of the host context: no I/O, buffers in, values out.
 * Text rules follow the Rust reference: Rust's str::lines (split on
 * '\n', drop one trailing '\r'), str::trim (Unicode White_Space),
 * u64::from_str, and read_to_string's "must be UTF-8".
 */
#include <stdlib.h>
#include <string.h>

#include "hostctx.h"

/* ---- numbers and text -------------------------------------------------- */

int hc_parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n && s[0] == '+') {
		s++;
		n--;
	}
	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9)
			return -1;
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

bool hc_utf8_valid(const char *s, size_t n)
{
	struct kt_u8 st = {0};

	for (size_t i = 0; i < n; i++)
		if (!s[i] || kt_u8_step(&st, (unsigned char)s[i]) < 0)
			return false;
	return st.need == 0;
}

/* Length of the White_Space character starting at S, or 0. */
static size_t ws_fwd(const unsigned char *s, size_t n)
{
	if (!n)
		return 0;
	if (kt_is_space((char)s[0]))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (n < 3)
		return 0;
	if (s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80)
		return 3; /* U+1680 */
	if (s[0] == 0xe2 && s[1] == 0x80 &&
	    (s[2] <= 0x8a || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))
		return 3; /* U+2000..200A, 2028, 2029, 202F */
	if (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f)
		return 3; /* U+205F */
	if (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
		return 3; /* U+3000 */
	return 0;
}

/* Length of the White_Space character ending at S[N-1], or 0. */
static size_t ws_back(const unsigned char *s, size_t n)
{
	for (size_t k = 1; k <= 3 && k <= n; k++)
		if (ws_fwd(s + n - k, k) == k)
			return k;
	return 0;
}

const char *hc_trim(const char *s, size_t n, size_t *outn)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k;

	while ((k = ws_fwd(p, n))) {
		p += k;
		n -= k;
	}
	while ((k = ws_back(p, n)))
		n -= k;
	*outn = n;
	return (const char *)p;
}

char *hc_trimmed_dup(const char *s, size_t n)
{
	const char *t;
	size_t tn;

	if (!s || !hc_utf8_valid(s, n))
		return NULL;
	t = hc_trim(s, n, &tn);
	return tn ? strndup(t, tn) : NULL;
}

/* Rust's str::lines: next line of [*pos, n), split at "\n" or "\r\n";
 * false at the end. */
static bool next_line(const char *s, size_t n, size_t *pos, const char **l, size_t *ln)
{
	const char *nl;
	size_t len;

	if (*pos >= n)
		return false;
	*l = s + *pos;
	nl = memchr(*l, '\n', n - *pos);
	len = nl ? (size_t)(nl - *l) : n - *pos;
	*pos += len + (nl ? 1 : 0);
	if (nl && len && (*l)[len - 1] == '\r')
		len--; /* "\r\n"; a bare final '\r' stays */
	*ln = len;
	return true;
}

/* split_once(':') with both sides trimmed */
static bool split_kv(const char *l, size_t ln, const char **k, size_t *kn, const char **v,
		     size_t *vn)
{
	const char *c = memchr(l, ':', ln);

	if (!c)
		return false;
	*k = hc_trim(l, (size_t)(c - l), kn);
	*v = hc_trim(c + 1, ln - (size_t)(c - l) - 1, vn);
	return true;
}

static bool key_is(const char *k, size_t kn, const char *want)
{
	return kn == strlen(want) && !memcmp(k, want, kn);
}

/* ---- /proc/cpuinfo ------------------------------------------------------ */

/* Bytes up to (not including) the first empty line, or N; *done when
 * that line is complete (a reader can stop). */
static size_t cpuinfo_block_len(const char *s, size_t n, bool *done)
{
	size_t pos = 0, start, ln;
	const char *l;

	*done = false;
	for (;;) {
		start = pos;
		if (!next_line(s, n, &pos, &l, &ln))
			return n;
		if (!ln) {
			*done = s[pos - 1] == '\n';
			return start;
		}
	}
}

bool hc_cpuinfo_block_done(const char *s, size_t n)
{
	bool done;

	cpuinfo_block_len(s, n, &done);
	return done;
}

void hc_parse_cpuinfo(const char *s, size_t n, char **model, char **vendor)
{
	const char *l, *k, *v;
	size_t pos = 0, ln, kn, vn;
	bool done;

	*model = *vendor = NULL;
	n = cpuinfo_block_len(s, n, &done);
	if (!hc_utf8_valid(s, n))
		return;
	while (next_line(s, n, &pos, &l, &ln)) {
		if (!split_kv(l, ln, &k, &kn, &v, &vn) || !vn)
			continue;
		if (!*model && key_is(k, kn, "model name"))
			*model = strndup(v, vn);
		else if (!*vendor && key_is(k, kn, "vendor_id"))
			*vendor = strndup(v, vn);
	}
}

/* ---- /proc/meminfo ------------------------------------------------------ */

void hc_parse_meminfo(const char *s, size_t n, struct hc_meminfo *m)
{
	const char *l, *k, *v, *tok;
	size_t pos = 0, ln, kn, vn, tn;
	uint64_t x;

	memset(m, 0, sizeof(*m));
	if (!hc_utf8_valid(s, n))
		return;
	while (next_line(s, n, &pos, &l, &ln)) {
		if (!split_kv(l, ln, &k, &kn, &v, &vn))
			continue;
		/* first whitespace-separated token of the (trimmed) value */
		tok = v;
		for (tn = 0; tn < vn && !ws_fwd((const unsigned char *)v + tn, vn - tn);)
			tn++;
		if (hc_parse_u64(tok, tn, &x))
			continue;
		if (key_is(k, kn, "MemTotal")) {
			m->mem_total_kib = x;
			m->has |= HC_TOTAL_MEMORY;
		} else if (key_is(k, kn, "HugePages_Total")) {
			m->hugepages_total = x;
			m->has |= HC_HP_TOTAL;
		} else if (key_is(k, kn, "HugePages_Free")) {
			m->hugepages_free = x;
			m->has |= HC_HP_FREE;
		} else if (key_is(k, kn, "Hugepagesize")) {
			m->hugepages_size_kib = x;
			m->has |= HC_HP_SIZE;
		}
	}
}

/* ---- CPU lists ---------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int push_range(uint64_t **v, size_t *n, size_t *cap, uint64_t lo, uint64_t hi)
{
	if (lo > hi || hi >= HC_MAX_CPUS || *n + (hi - lo + 1) > HC_MAX_CPUS)
		return -1;
	for (uint64_t c = lo; c <= hi; c++) {
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 64;
			uint64_t *nv = realloc(*v, nc * sizeof(**v));

			if (!nv)
				return -1;
			*v = nv;
			*cap = nc;
		}
		(*v)[(*n)++] = c;
	}
	return 0;
}

static int parse_item(const char *s, size_t n, uint64_t *lo, uint64_t *hi)
{
	const char *dash = memchr(s, '-', n);

	if (!dash)
		return hc_parse_u64(s, n, lo) ? -1 : (*hi = *lo, 0);
	if (hc_parse_u64(s, (size_t)(dash - s), lo) ||
	    hc_parse_u64(dash + 1, n - (size_t)(dash - s) - 1, hi))
		return -1;
	return 0;
}

int hc_parse_cpulist(const char *s, size_t n, uint64_t **cpus, size_t *ncpus)
{
	uint64_t *v = NULL, lo, hi;
	size_t cnt = 0, cap = 0, k, out = 0;
	const char *end, *comma;

	*cpus = NULL;
	*ncpus = 0;
	if (!hc_utf8_valid(s, n))
		return -1;
	s = hc_trim(s, n, &n);
	if (!n)
		return -1;
	for (end = s + n; s <= end; s = comma + 1) {
		comma = memchr(s, ',', (size_t)(end - s));
		if (!comma)
			comma = end;
		k = (size_t)(comma - s);
		if (parse_item(s, k, &lo, &hi) || push_range(&v, &cnt, &cap, lo, hi))
			goto fail;
	}
	qsort(v, cnt, sizeof(*v), cmp_u64);
	for (size_t i = 0; i < cnt; i++)
		if (!out || v[out - 1] != v[i])
			v[out++] = v[i];
	*cpus = v;
	*ncpus = out;
	return 0;
fail:
	free(v);
	return -1;
}

/* ---- THP, delayacct ----------------------------------------------------- */

const char *hc_thp_active(const char *s, size_t *len)
{
	const char *open, *close;

	if (!s || !(open = strchr(s, '[')))
		return NULL;
	if (!(close = strchr(open + 1, ']')))
		return NULL;
	*len = (size_t)(close - open - 1);
	return open + 1;
}

enum hc_delayacct hc_delayacct_from(const char *trimmed)
{
	if (!trimmed)
		return HC_DA_CONFIG_OFF;
	return strcmp(trimmed, "1") ? HC_DA_RUNTIME_OFF : HC_DA_ON;
}
