// SPDX-License-Identifier: MIT
/* hostctx: host context snapshot (ktstr HostContext), pairs and diffs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "applets.h"
#include "out.h"
#include "err.h"
#include "file.h"
#include "hostctx.h"
#include "json.h"
#include "jsonr.h"
#include "opt.h"

static const char help[] =
"usage: hostctx [-j] [--pretty] [-n COUNT] [-i SECONDS] [--root DIR] [--no-heap] [-o FILE]\n"
"       hostctx pair PRE.json [--root DIR] [-o FILE]\n"
"       hostctx diff A.json B.json | hostctx diff PAIR.json\n"
"       hostctx thp [-j] [--root DIR]\n"
"\n"
"Snapshot the host context as ktstr's HostContext: kernel, CPU identity,\n"
"memory and hugepages, THP policy, sched_* tunables, online CPUs, NUMA\n"
"nodes, cpufreq governors, cmdline, delay/xacct accounting, and this\n"
"process's jemalloc heap state.  Fields that cannot be read are omitted\n"
"from JSON and shown as (unknown).\n"
"\n"
"  -j, --json          JSON (ktstr's serde shape; JSON Lines with -n)\n"
"      --pretty        indented JSON (implies -j)\n"
"  -n, --count COUNT   take COUNT snapshots from one process (default 1):\n"
"                      static fields (CPU identity, MemTotal, Hugepagesize,\n"
"                      online CPUs, NUMA nodes, uname, governors) are read\n"
"                      once, dynamic ones on every snapshot\n"
"  -i, --interval SEC  wait SEC seconds between snapshots (default 0)\n"
"      --root DIR      read /proc and /sys below DIR (fixture or guest tree);\n"
"                      kernel name/release/arch then come from\n"
"                      DIR/proc/sys/kernel/{ostype,osrelease,arch} if present\n"
"      --no-heap       leave heap_state out (reproducible output)\n"
"  -o, --output FILE   write to FILE atomically\n"
"  -h, --help          this help\n"
"\n"
"  pair PRE.json       print {\"pre\":PRE,\"post\":NOW} with NOW captured now\n"
"  diff A B            print the differing fields as '  key: before \u2192 after'\n"
"  diff PAIR           the same for the pre and post of one pair file\n"
"                      (a file named '-' is standard input)\n"
"  thp                 the active THP enabled/defrag policy (bracketed token)\n"
"\n"
"Exit status: 0 ok; 1 runtime failure; 2 usage error.\n"
"diff: 0 identical, 1 different, 2 unreadable or malformed input.\n";

enum { OPT_PRETTY = 256, OPT_ROOT, OPT_NO_HEAP };

static const struct kt_option opts[] = {
	{ "json", 'j', 0 },
	{ "pretty", OPT_PRETTY, 0 },
	{ "count", 'n', 1 },
	{ "interval", 'i', 1 },
	{ "root", OPT_ROOT, 1 },
	{ "no-heap", OPT_NO_HEAP, 0 },
	{ "output", 'o', 1 },
	{ "help", 'h', 0 },
	{ 0 },
};

struct args {
	int json;
	int pretty;
	unsigned long long count;
	double interval;
	const char *root;
	const char *output;
	int no_heap;
};

static void sleep_for(double sec)
{
	struct timespec ts = { (time_t)sec, (long)((sec - (double)(time_t)sec) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void emit(FILE *fp, const struct args *a, const struct hostctx *c, bool first)
{
	struct kt_buf b = { 0 };
	struct jw w;

	if (a->json) {
		jw_init_file(&w, fp, a->pretty);
		hc_json(&w, c);
		jw_newline(&w);
		return;
	}
	if (!first)
		fputc('\n', fp);
	hc_human(&b, c);
	fwrite(b.p, 1, b.len, fp);
	kt_buf_free(&b);
}

static int snapshot(const struct args *a)
{
	struct hc_collector col;
	struct hostctx c;
	struct kt_out o;
	int ok = 1;

	if (kt_out_open(&o, a->output))	/* 64 KiB buffer: one write per snapshot */
		return KT_EXIT_FAIL;
	hc_collector_init(&col, a->root);
	col.use_heap = !a->no_heap;
	for (unsigned long long i = 0; i < a->count; i++) {
		if (i && a->interval > 0)
			sleep_for(a->interval);
		if (hc_collect(&col, &c)) {
			ok = 0;
			kt_errx("out of memory");
			break;
		}
		emit(o.fp, a, &c, i == 0);
		hc_free(&c);
		fflush(o.fp);
	}
	hc_collector_free(&col);
	return kt_out_close(&o, ok);
}

/* Read and parse a saved snapshot (or pair); 2 on any failure. */
static int load(const char *path, struct hostctx *c, struct hostctx *post)
{
	struct jr_err e = { 0 };
	size_t n;
	char *s = kt_read_file(NULL, strcmp(path, "-") ? path : "/dev/stdin", 64u << 20, &n);
	int r;

	if (!s) {
		kt_err("cannot read '%s'", path);
		return KT_EXIT_USAGE;
	}
	r = post ? hc_pair_from_json(s, n, c, post, &e) : hc_from_json(s, n, c, &e);
	free(s);
	if (r) {
		kt_errx("%s: at byte %zu: %s", path, e.off, e.msg);
		return KT_EXIT_USAGE;
	}
	if (!post && hc_is_empty(c))
		kt_warn("%s: no host context field (a pair file? use 'diff PAIR.json')", path);
	return 0;
}

static int cmd_pair(const struct args *a, char **ops, int nops)
{
	struct hostctx pre, post;
	struct hc_collector col;
	struct kt_out o;
	struct jw w;
	int r;

	if (nops != 1)
		return kt_usage_err("pair: expected one file (PRE.json)");
	r = load(ops[0], &pre, NULL);
	if (r)
		return KT_EXIT_FAIL;
	hc_collector_init(&col, a->root);
	col.use_heap = !a->no_heap;
	if (hc_collect(&col, &post)) {
		hc_free(&pre);
		hc_collector_free(&col);
		return kt_errx("out of memory");
	}
	r = kt_out_open(&o, a->output);
	if (!r) {
		jw_init_file(&w, o.fp, a->pretty);
		hc_json_pair(&w, &pre, &post);
		jw_newline(&w);
		r = kt_out_close(&o, 1);
	}
	hc_free(&pre);
	hc_free(&post);
	hc_collector_free(&col);
	return r ? KT_EXIT_FAIL : KT_EXIT_OK;
}

static int cmd_diff(const struct args *a, char **ops, int nops)
{
	struct hostctx x, y;
	struct kt_buf b = { 0 };
	struct kt_out o;
	bool differ;
	int r;

	if (nops != 1 && nops != 2)
		return kt_usage_err("diff: expected A.json B.json, or one pair file");
	if (nops == 1) {
		if (load(ops[0], &x, &y))
			return KT_EXIT_USAGE;
	} else {
		if (load(ops[0], &x, NULL))
			return KT_EXIT_USAGE;
		if (load(ops[1], &y, NULL)) {
			hc_free(&x);
			return KT_EXIT_USAGE;
		}
	}
	differ = hc_diff(&b, &x, &y);
	hc_free(&x);
	hc_free(&y);
	if (kt_out_open(&o, a->output)) {
		kt_buf_free(&b);
		return KT_EXIT_USAGE;
	}
	if (b.len)
		fwrite(b.p, 1, b.len, o.fp);
	r = kt_out_close(&o, !b.oom);
	kt_buf_free(&b);
	if (r)
		return KT_EXIT_USAGE;
	return differ ? 1 : 0;
}

static void thp_row(FILE *fp, const struct args *a, struct jw *w, const char *k,
		    const char *raw)
{
	size_t n = 0;
	const char *t = hc_thp_active(raw, &n);

	if (a->json) {
		if (t) {
			jw_key(w, k);
			jw_strn(w, t, n);
		}
		return;
	}
	if (t)
		fprintf(fp, "%s: %.*s\n", k, (int)n, t);
	else
		fprintf(fp, "%s: (unknown)\n", k);
}

static int cmd_thp(const struct args *a)
{
	struct hc_collector col;
	struct hostctx c;
	struct kt_out o;
	struct jw w;

	hc_collector_init(&col, a->root);
	col.use_heap = false;
	if (hc_collect(&col, &c)) {
		hc_collector_free(&col);
		return kt_errx("out of memory");
	}
	hc_collector_free(&col);
	if (kt_out_open(&o, a->output)) {
		hc_free(&c);
		return KT_EXIT_FAIL;
	}
	jw_init_file(&w, o.fp, a->pretty);
	if (a->json)
		jw_obj_open(&w);
	thp_row(o.fp, a, &w, "enabled", c.thp_enabled);
	thp_row(o.fp, a, &w, "defrag", c.thp_defrag);
	if (a->json) {
		jw_obj_close(&w);
		jw_newline(&w);
	}
	hc_free(&c);
	return kt_out_close(&o, 1);
}

static bool is_dir(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return false;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return false;
	}
	return true;
}

static int parse_args(int argc, char **argv, struct args *a, struct kt_getopt *g)
{
	int c;

	a->count = 1;
	kt_getopt_init(g, argc, argv);
	while ((c = kt_getopt(g, opts)) != -1) {
		switch (c) {
		case 'j': a->json = 1; break;
		case OPT_PRETTY: a->pretty = 1; break;
		case OPT_ROOT: a->root = g->arg; break;
		case OPT_NO_HEAP: a->no_heap = 1; break;
		case 'o': a->output = g->arg; break;
		case 'n':
			if (kt_opt_u64(g, 1, 1000000000ULL, &a->count))
				return KT_EXIT_USAGE;
			break;
		case 'i':
			if (kt_opt_double(g, 0, 86400.0 * 365, &a->interval))
				return KT_EXIT_USAGE;
			break;
		case 'h': return -1;
		default: return KT_EXIT_USAGE;
		}
	}
	return 0;
}

int hostctx_main(int argc, char **argv)
{
	struct kt_getopt g;
	struct args a = { 0 };
	char **ops;
	int n, r;

	r = parse_args(argc, argv, &a, &g);
	if (r < 0)
		return kt_help(help);
	if (r)
		return r;
	if (a.pretty)
		a.json = 1;
	/* a mistyped --root must not pass for a tree where nothing is readable */
	if (a.root && !is_dir(a.root))
		return kt_err("--root '%s'", a.root);
	ops = kt_operands(&g);
	n = kt_noperands(&g);
	if (!n)
		return snapshot(&a);
	if (!strcmp(ops[0], "pair"))
		return cmd_pair(&a, ops + 1, n - 1);
	if (!strcmp(ops[0], "diff"))
		return cmd_diff(&a, ops + 1, n - 1);
	if (!strcmp(ops[0], "thp") && n == 1)
		return cmd_thp(&a);
	return kt_usage_err("unknown command '%s'", ops[0]);
}
