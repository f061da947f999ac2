// SPDX-License-Identifier: MIT
/* hostctx: host context snapshot (ktstr HostContext), pairs and diffs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "applets.h"
#include "cmd.h"
#include "err.h"
#include "file.h"
#include "hostctx.h"
#include "json.h"
#include "jsonr.h"
#include "loop.h"
#include "out.h"

static const char intro[] =
	"Snapshot the host context as ktstr's HostContext: kernel, CPU identity,\n"
	"memory and hugepages, THP policy, sched_* tunables, online CPUs, NUMA\n"
	"nodes, cpufreq governors, cmdline, delay/xacct accounting, and this\n"
	"process's jemalloc heap state.  Fields that cannot be read are omitted\n"
	"from JSON and shown as (unknown).\n";

#define HELP_ROOT                                                                        \
	"      --root DIR      read /proc and /sys below DIR (fixture or guest tree);\n" \
	"                      kernel name/release/arch then come from\n"                \
	"                      DIR/proc/sys/kernel/{ostype,osrelease,arch} if present\n"
#define HELP_NO_HEAP "      --no-heap       leave heap_state out (reproducible output)\n"

static const char snap_help[] = KT_HELP_OUT
	"  -n, --count COUNT   take COUNT snapshots from one process (default 1;\n"
	"                      JSON Lines with -j): static fields (CPU identity,\n"
	"                      MemTotal, Hugepagesize, online CPUs, NUMA nodes,\n"
	"                      uname, governors) are read once, dynamic ones on\n"
	"                      every snapshot\n"
	"  -i, --interval SEC  wait SEC seconds between snapshots (default 0; a\n"
	"                      decimal number, or with a unit: 500ms, 2m)\n" HELP_ROOT HELP_NO_HEAP
		KT_HELP_HELP;

static const char pair_help[] =
	"Prints {\"pre\":PRE,\"post\":NOW} with NOW captured now (PRE '-': standard\n"
	"input).\n\n"
	"      --pretty        indented JSON\n"
	"  -o, --output FILE   write to FILE atomically\n" HELP_ROOT HELP_NO_HEAP KT_HELP_HELP;

static const char diff_help[] =
	"Prints the fields that differ between two snapshots, or between the pre\n"
	"and post of one pair file, as '  key: before \u2192 after' ('-' is standard\n"
	"input).\n\n"
	"  -o, --output FILE   write to FILE atomically\n" KT_HELP_HELP
	"\nExit status: 0 identical, 1 different, 2 unreadable or malformed input.\n";

static const char thp_help[] =
	"Prints the active THP enabled/defrag policy (the bracketed token).\n\n" KT_HELP_OUT
		HELP_ROOT KT_HELP_HELP;

static const char footer[] = "Exit status: 0 ok; 1 runtime failure; 2 usage error.\n"
			     "diff: 0 identical, 1 different, 2 unreadable or malformed input.\n";

enum { OPT_ROOT = KT_OPT_LONG, OPT_NO_HEAP };

#define OPT_ROW_ROOT                \
	{                           \
		"root", OPT_ROOT, 1 \
	}
#define OPT_ROW_NO_HEAP                   \
	{                                 \
		"no-heap", OPT_NO_HEAP, 0 \
	}
static const struct kt_option snap_opts[] = {
	KT_OPT_OUT,   {"count", 'n', 1}, {"interval", 'i', 1},
	OPT_ROW_ROOT, OPT_ROW_NO_HEAP,	 KT_OPT_END,
};
static const struct kt_option pair_opts[] = {
	{"pretty", KT_OPT_PRETTY, 0}, {"output", 'o', 1}, OPT_ROW_ROOT, OPT_ROW_NO_HEAP, KT_OPT_END,
};
static const struct kt_option diff_opts[] = {{"output", 'o', 1}, KT_OPT_END};
static const struct kt_option thp_opts[] = {KT_OPT_OUT, OPT_ROW_ROOT, KT_OPT_END};

struct args {
	struct kt_outopt out;
	unsigned long long count;
	double interval;
	const char *root;
	bool no_heap;
};

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

/* Options of every row; -1 when done, else the exit code to return. */
static int parse(struct kt_cmdline *cl, struct args *a)
{
	int c;

	a->count = 1;
	while ((c = kt_cmd_getopt(cl)) != -1) {
		switch (c) {
		case OPT_ROOT:
			a->root = cl->g.arg;
			break;
		case OPT_NO_HEAP:
			a->no_heap = true;
			break;
		case 'n':
			if (kt_opt_u64(&cl->g, 1, 1000000000ULL, &a->count))
				return KT_EXIT_USAGE;
			break;
		case 'i':
			if (kt_opt_seconds(&cl->g, 0, 86400.0 * 365, &a->interval))
				return KT_EXIT_USAGE;
			break;
		default:
			return cl->rc;
		}
	}
	a->out = cl->out;
	/* a mistyped --root must not pass for a tree where nothing is readable */
	if (a->root && !is_dir(a->root))
		return kt_err("--root '%s'", a->root);
	return -1;
}

static void emit(FILE *fp, const struct args *a, const struct hostctx *c, bool first)
{
	struct kt_buf b = {0};
	struct jw w;

	if (a->out.json) {
		jw_init_file(&w, fp, a->out.pretty);
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

static int do_snap(struct kt_cmdline *cl)
{
	struct hc_collector col;
	struct args a = {0};
	struct hostctx c;
	struct kt_out o;
	int ok = 1, r = parse(cl, &a);

	if (r >= 0)
		return r;
	if (kt_out_open(&o, a.out.path)) /* 64 KiB buffer: one write per snapshot */
		return KT_EXIT_FAIL;
	hc_collector_init(&col, a.root);
	col.use_heap = !a.no_heap;
	for (unsigned long long i = 0; i < a.count; i++) {
		if (i && a.interval > 0)
			kt_sleep(a.interval);
		if (hc_collect(&col, &c)) {
			ok = 0;
			kt_errx("out of memory");
			break;
		}
		emit(o.fp, &a, &c, i == 0);
		hc_free(&c);
		fflush(o.fp);
		if (kt_out_failed(&o))
			break; /* a closed pipe: the rest would be lost too */
	}
	hc_collector_free(&col);
	return kt_out_close(&o, ok);
}

/* Read and parse a saved snapshot (or pair); 2 on any failure. */
static int load(const char *path, struct hostctx *c, struct hostctx *post)
{
	struct jr_err e = {0};
	size_t n;
	char *s = kt_read_arg(path, 64u << 20, &n);
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

static int do_pair(struct kt_cmdline *cl)
{
	struct hostctx pre, post;
	struct hc_collector col;
	struct args a = {0};
	struct kt_out o;
	struct jw w;
	int r = parse(cl, &a);

	if (r >= 0)
		return r;
	r = load(cl->ops[0], &pre, NULL);
	if (r)
		return KT_EXIT_FAIL;
	hc_collector_init(&col, a.root);
	col.use_heap = !a.no_heap;
	if (hc_collect(&col, &post)) {
		hc_free(&pre);
		hc_collector_free(&col);
		return kt_errx("out of memory");
	}
	r = kt_out_open(&o, a.out.path);
	if (!r) {
		jw_init_file(&w, o.fp, a.out.pretty);
		hc_json_pair(&w, &pre, &post);
		jw_newline(&w);
		r = kt_out_close(&o, 1);
	}
	hc_free(&pre);
	hc_free(&post);
	hc_collector_free(&col);
	return r ? KT_EXIT_FAIL : KT_EXIT_OK;
}

static int do_diff(struct kt_cmdline *cl)
{
	struct hostctx x, y;
	struct kt_buf b = {0};
	struct args a = {0};
	char **ops;
	struct kt_out o;
	bool differ;
	int r = parse(cl, &a);

	if (r >= 0)
		return r;
	ops = cl->ops;
	if (cl->nops == 1) {
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
	if (kt_out_open(&o, a.out.path)) {
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

static void thp_row(FILE *fp, const struct args *a, struct jw *w, const char *k, const char *raw)
{
	size_t n = 0;
	const char *t = hc_thp_active(raw, &n);

	if (a->out.json) {
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

static int do_thp(struct kt_cmdline *cl)
{
	struct hc_collector col;
	struct args a = {0};
	struct hostctx c;
	struct kt_out o;
	struct jw w;
	int r = parse(cl, &a);

	if (r >= 0)
		return r;
	hc_collector_init(&col, a.root);
	col.use_heap = false;
	if (hc_collect(&col, &c)) {
		hc_collector_free(&col);
		return kt_errx("out of memory");
	}
	hc_collector_free(&col);
	if (kt_out_open(&o, a.out.path)) {
		hc_free(&c);
		return KT_EXIT_FAIL;
	}
	jw_init_file(&w, o.fp, a.out.pretty);
	if (a.out.json)
		jw_obj_open(&w);
	thp_row(o.fp, &a, &w, "enabled", c.thp_enabled);
	thp_row(o.fp, &a, &w, "defrag", c.thp_defrag);
	if (a.out.json) {
		jw_obj_close(&w);
		jw_newline(&w);
	}
	hc_free(&c);
	return kt_out_close(&o, 1);
}

static const struct kt_cmd cmds[] = {
	{"snap", do_snap, snap_opts, "", "take snapshots of the host context", snap_help, 0, 0,
	 KT_CMD_DEFAULT},
	{"pair", do_pair, pair_opts, "PRE.json", "a pre/post pair with post captured now",
	 pair_help, 1, 1, 0},
	{"diff", do_diff, diff_opts, "A.json [B.json]",
	 "the fields that differ between two snapshots (or a pair)", diff_help, 1, 2, 0},
	{"thp", do_thp, thp_opts, "", "the active THP enabled/defrag policy", thp_help, 0, 0, 0},
	{0},
};

static const struct kt_cmdset set = {"hostctx", intro, cmds, footer};

int hostctx_main(int argc, char **argv)
{
	return kt_cmd_main(&set, argc, argv);
}
