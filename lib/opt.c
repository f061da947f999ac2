// SPDX-License-Identifier: MIT
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "opt.h"
#include "text.h"

void kt_getopt_init(struct kt_getopt *g, int argc, char **argv)
{
	memset(g, 0, sizeof(*g));
	g->argc = argc;
	g->argv = argv;
	g->ind = 1;
}

static const struct kt_option *find_short(const struct kt_option *o, int c)
{
	for (; o->name || o->key; o++)
		if (o->key == c)
			return o;
	return NULL;
}

static const struct kt_option *find_long(const struct kt_option *o, const char *name, size_t len)
{
	for (; o->name || o->key; o++)
		if (o->name && strlen(o->name) == len && !memcmp(o->name, name, len))
			return o;
	return NULL;
}

static int take_arg(struct kt_getopt *g, const struct kt_option *o, const char *shown)
{
	if (g->ind >= g->argc)
		return kt_usage_err("option '%s' requires an argument", shown), '?';
	g->arg = g->argv[g->ind++];
	return o->key;
}

static int do_short(struct kt_getopt *g, const struct kt_option *opts)
{
	static char shown[3] = "-?";
	int c = (unsigned char)*g->bundle++;
	const struct kt_option *o = find_short(opts, c);

	shown[1] = (char)c;
	g->opt = shown;
	if (!o)
		return kt_usage_err("invalid option -- '%c'", c), '?';
	if (!o->has_arg) {
		if (!*g->bundle)
			g->bundle = NULL;
		return o->key;
	}
	if (*g->bundle) {
		g->arg = g->bundle;
		g->bundle = NULL;
		return o->key;
	}
	g->bundle = NULL;
	return take_arg(g, o, shown);
}

static int do_long(struct kt_getopt *g, const struct kt_option *opts, const char *s)
{
	const char *eq = strchr(s, '=');
	size_t len = eq ? (size_t)(eq - s) : strlen(s);
	const struct kt_option *o = find_long(opts, s, len);

	g->opt = s - 2;
	if (!o)
		return kt_usage_err("unrecognized option '--%.*s'", (int)len, s), '?';
	if (!o->has_arg) {
		if (eq)
			return kt_usage_err("option '--%s' doesn't allow an argument", o->name),
			       '?';
		return o->key;
	}
	if (eq) {
		g->arg = eq + 1;
		return o->key;
	}
	return take_arg(g, o, g->opt);
}

int kt_getopt(struct kt_getopt *g, const struct kt_option *opts)
{
	g->arg = NULL;
	if (g->bundle)
		return do_short(g, opts);
	while (g->ind < g->argc) {
		char *a = g->argv[g->ind++];

		if (g->done || a[0] != '-' || a[1] == '\0') {
			g->argv[++g->npos] = a; /* operand ("-" is one too) */
			continue;
		}
		if (a[1] == '-') {
			if (a[2] == '\0') {
				g->done = 1;
				continue;
			}
			return do_long(g, opts, a + 2);
		}
		g->bundle = a + 1;
		return do_short(g, opts);
	}
	if (g->npos + 1 < g->argc)
		g->argv[g->npos + 1] = NULL;
	return -1;
}

int kt_parse_u64(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s < '0' || *s > '9') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	/* decimal, or hex with 0x; never octal (010 is ten, 08 is eight) */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		v = (s[2] >= '0' && s[2] <= '9') || (s[2] >= 'a' && s[2] <= 'f') ||
				    (s[2] >= 'A' && s[2] <= 'F')
			    ? strtoull(s + 2, &end, 16)
			    : (end = (char *)s, 0);
	else
		v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		errno = EINVAL;
		return -1;
	}
	*out = v;
	return 0;
}

int kt_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s || !((*s >= '0' && *s <= '9') || *s == '.')) {
		errno = EINVAL;
		return -1;
	}
	/* decimal only: strtod would also take hex floats ("0x10" = 16) */
	if (strpbrk(s, "xX")) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v)) {
		errno = errno ? errno : EINVAL;
		return -1;
	}
	*out = v;
	return 0;
}

int kt_opt_u64(const struct kt_getopt *g, unsigned long long min, unsigned long long max,
	       unsigned long long *out)
{
	if (kt_parse_u64(g->arg, out) || *out < min || *out > max)
		return kt_usage_err("option '%s': invalid value '%s' (expected %llu..%llu)", g->opt,
				    g->arg, min, max);
	return 0;
}

int kt_opt_double(const struct kt_getopt *g, double min, double max, double *out)
{
	if (kt_parse_double(g->arg, out) || *out < min || *out > max)
		return kt_usage_err("option '%s': invalid value '%s' (expected %g..%g)", g->opt,
				    g->arg, min, max);
	return 0;
}

int kt_parse_seconds(const char *s, double *out)
{
	static const struct {
		const char *unit;
		double mul;
	} units[] = {
		{"ms", 1e-3},
		{"s", 1},
		{"m", 60},
		{"h", 3600},
	};
	size_t n = s ? strlen(s) : 0;
	char num[64];

	for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++) {
		size_t k = strlen(units[i].unit);

		if (n > k && n - k < sizeof(num) && !strcmp(s + n - k, units[i].unit) &&
		    kt_is_digit(s[n - k - 1])) {
			memcpy(num, s, n - k);
			num[n - k] = '\0';
			if (kt_parse_double(num, out))
				return -1;
			*out *= units[i].mul;
			return 0;
		}
	}
	return kt_parse_double(s, out);
}

int kt_opt_seconds(const struct kt_getopt *g, double min, double max, double *out)
{
	if (kt_parse_seconds(g->arg, out) || *out < min || *out > max)
		return kt_usage_err("option '%s': invalid duration '%s' (expected %g..%g s; "
				    "units ms, s, m, h)",
				    g->opt, g->arg, min, max);
	return 0;
}

int kt_parse_size(const char *s, unsigned long long *out)
{
	static const struct {
		const char *suffix;
		unsigned shift;
	} units[] = {
		{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"K", 10}, {"M", 20},
		{"G", 30},   {"k", 10},	  {"m", 20},   {"g", 30},
	};
	size_t n = s ? strlen(s) : 0;
	char num[32];

	for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++) {
		size_t k = strlen(units[i].suffix);

		if (n <= k || n - k >= sizeof(num) || strcmp(s + n - k, units[i].suffix))
			continue;
		memcpy(num, s, n - k);
		num[n - k] = '\0';
		if (kt_parse_u64(num, out) || *out > (~0ull >> units[i].shift)) {
			errno = ERANGE;
			return -1;
		}
		*out <<= units[i].shift;
		return 0;
	}
	return kt_parse_u64(s, out);
}

int kt_opt_size(const struct kt_getopt *g, unsigned long long min, unsigned long long max,
		unsigned long long *out)
{
	if (kt_parse_size(g->arg, out) || *out < min || *out > max)
		return kt_usage_err("option '%s': invalid size '%s' (expected %llu..%llu bytes; "
				    "suffixes K, M, G or KiB, MiB, GiB)",
				    g->opt, g->arg, min, max);
	return 0;
}
