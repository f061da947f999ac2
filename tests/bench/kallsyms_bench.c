// SPDX-License-Identifier: MIT
/*
 * In-process figures for lib/kallsyms, built with ktbox's compiler and
 * flags by tests/bench/kallsyms.sh:
 *   kallsyms_bench gen TABLE NAMES ADDRS N   write N names and N addresses
 *   kallsyms_bench run TABLE NAMES ADDRS     print "key value" figures
 * Addresses are vmlinux text symbols plus an offset inside their known
 * size, so every tool resolves them the same way and outputs can be
 * compared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "file.h"
#include "kallsyms.h"

/* CPU time of this thread: a busy machine preempting us does not count. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static struct kt_ksyms *must_load(const char *path, char **text, size_t *len)
{
	struct kt_ksyms *t;

	*text = kt_read_file(NULL, path, 1u << 30, len);
	if (!*text || !(t = kt_ksyms_parse(*text, *len))) {
		perror(path);
		exit(1);
	}
	return t;
}

static int gen(const char *table, const char *names, const char *addrs, long n)
{
	FILE *fn = fopen(names, "w"), *fa = fopen(addrs, "w");
	size_t len, cnt;
	uint64_t seed = 0x2545f4914f6cdd1dULL;
	char *text;
	struct kt_ksyms *t = must_load(table, &text, &len);
	long i;

	cnt = kt_ksyms_count(t);
	if (!fn || !fa || !cnt)
		return 1;
	for (i = 0; i < n; i++) {
		struct kt_ksym s;

		kt_ksyms_get(t, rnd(&seed) % cnt, &s);
		fprintf(fn, "%s\n", s.name);
	}
	for (i = 0; i < n;) {
		struct kt_ksym_res r;
		struct kt_ksym s;
		uint64_t a;

		kt_ksyms_get(t, rnd(&seed) % cnt, &s);
		if (s.module || !s.size || s.size > 1u << 20)
			continue;
		a = s.addr + rnd(&seed) % s.size;
		/* only addresses the kernel itself would resolve to this symbol */
		if (kt_ksyms_resolve(t, a, &r) || r.sym.addr != s.addr)
			continue;
		fprintf(fa, "%016llx\n", (unsigned long long)a);
		i++;
	}
	fclose(fn);
	fclose(fa);
	kt_ksyms_free(t);
	free(text);
	return 0;
}

/* Lines of a file as a vector (the buffer is kept). */
static char **lines(const char *path, size_t *n)
{
	size_t len, cap = 1024;
	char *b = kt_read_file(NULL, path, 1u << 30, &len), *p, *l;
	char **v = malloc(cap * sizeof(*v));

	*n = 0;
	if (!b || !v)
		exit(1);
	for (p = b; (l = strsep(&p, "\n"));) {
		if (!*l)
			continue;
		if (*n == cap && !(v = realloc(v, (cap *= 2) * sizeof(*v))))
			exit(1);
		v[(*n)++] = l;
	}
	return v;
}

/* Best-of timing of the parse alone. */
static double time_parse(const char *text, size_t len)
{
	double best = 1e9, t0 = now();
	int reps = 0;

	while (reps < 5 || (now() - t0 < 1.0 && reps < 200)) {
		double a = now();
		struct kt_ksyms *t = kt_ksyms_parse(text, len);

		kt_ksyms_free(t);
		a = now() - a;
		best = a < best ? a : best;
		reps++;
	}
	return best;
}

/* Best time of ROUNDS passes over N addresses (the machine may be busy). */
static double time_resolve(const struct kt_ksyms *t, const uint64_t *a, size_t n, int rounds,
			   size_t *found)
{
	struct kt_ksym_res r;
	double best = 1e9;
	int k;

	for (k = 0; k < rounds; k++) {
		double t0 = now();

		*found = 0;
		for (size_t i = 0; i < n; i++)
			*found += !kt_ksyms_resolve(t, a[i], &r);
		t0 = now() - t0;
		best = t0 < best ? t0 : best;
	}
	return best;
}

static double time_lookup(const struct kt_ksyms *t, char **names, size_t n, int rounds)
{
	struct kt_ksym s;
	double best = 1e9;
	size_t hits = 0;
	int k;

	for (k = 0; k < rounds; k++) {
		double t0 = now();

		for (size_t i = 0; i < n; i++)
			hits += kt_ksyms_lookup(t, names[i], &s, 1) > 0;
		t0 = now() - t0;
		best = t0 < best ? t0 : best;
	}
	if (!hits)
		fprintf(stderr, "no lookups hit\n");
	return best;
}

/* The side-by-side workload: parse, then every name and every address. */
static double workload(const char *text, size_t len, char **names, size_t nn,
		       const uint64_t *addrs, size_t na)
{
	double best = 1e9;
	int rep;

	for (rep = 0; rep < 10; rep++) {
		double a = now();
		struct kt_ksyms *t = kt_ksyms_parse(text, len);
		char buf[KT_KSYMS_FMT_MAX];
		struct kt_ksym s;
		size_t i, sink = 0;

		for (i = 0; i < nn; i++)
			sink += kt_ksyms_lookup(t, names[i], &s, 1);
		for (i = 0; i < na; i++)
			sink += (size_t)kt_ksyms_format(t, addrs[i], buf, sizeof(buf));
		kt_ksyms_free(t);
		a = now() - a;
		best = a < best ? a : best;
		if (!sink)
			fprintf(stderr, "empty workload\n");
	}
	return best;
}

static void live(void)
{
	double a = now(), b;
	size_t len;
	char *text = kt_read_file(NULL, KT_KALLSYMS_PATH, 1u << 30, &len);
	struct kt_ksyms *t;

	if (!text)
		return;
	b = now();
	t = kt_ksyms_parse(text, len);
	printf("live_read_ms %.2f\nlive_parse_ms %.2f\nlive_bytes %zu\n", (b - a) * 1e3,
	       (now() - b) * 1e3, len);
	kt_ksyms_free(t);
	free(text);
}

static int run(const char *table, const char *names_path, const char *addrs_path)
{
	size_t len, nn, na, found, i;
	char *text, **names = lines(names_path, &nn), **as = lines(addrs_path, &na);
	struct kt_ksyms *t = must_load(table, &text, &len);
	const struct kt_ksyms_stats *st = kt_ksyms_stats(t);
	uint64_t *addrs = malloc(na * sizeof(*addrs)), *uni, seed = 42;
	double p, r;

	for (i = 0; i < na; i++)
		addrs[i] = strtoull(as[i], NULL, 16);
	p = time_parse(text, len);
	printf("text_bytes %zu\nlines %zu\nsymbols %zu\nmodules %zu\nmodule_symbols %zu\n"
	       "bpf_symbols %zu\nmem_bytes %zu\n", len, st->lines, st->symbols, st->modules,
	       st->module_symbols, st->bpf_symbols, st->mem_bytes);
	printf("parse_ms %.3f\nparse_mb_s %.0f\n", p * 1e3, (double)len / p / 1e6);
	r = time_resolve(t, addrs, na, 20, &found);
	printf("resolve_m_s %.2f\nresolve_found %zu\n", (double)na / r / 1e6, found);
	/* uniformly random addresses over the whole table (cache-unfriendly) */
	uni = malloc(1000000 * sizeof(*uni));
	for (i = 0; i < 1000000; i++) {
		struct kt_ksym s;

		kt_ksyms_get(t, rnd(&seed) % kt_ksyms_count(t), &s);
		uni[i] = s.addr + (s.size ? rnd(&seed) % s.size : 0);
	}
	r = time_resolve(t, uni, 1000000, 5, &found);
	printf("resolve_random_m_s %.2f\n", 1e6 / r / 1e6);
	r = time_lookup(t, names, nn, 10);
	printf("lookup_m_s %.2f\n", (double)nn / r / 1e6);
	printf("workload_ms %.2f\n", workload(text, len, names, nn, addrs, na) * 1e3);
	live();
	kt_ksyms_free(t);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "gen"))
		return gen(argv[2], argv[3], argv[4], atol(argv[5]));
	if (argc == 5 && !strcmp(argv[1], "run"))
		return run(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: kallsyms_bench gen TABLE NAMES ADDRS N | run TABLE NAMES ADDRS\n");
	return 2;
}
