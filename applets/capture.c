// SPDX-License-Identifier: MIT
/*
 * capture: the failure bundle (lib/bundle.h) of a sched_ext scheduler.
 * The collectors and the writer are lib/capture.c and lib/capture_out.c;
 * this file holds the options and the help.
 */
#include <stdlib.h>
#include <string.h>

#include "applets.h"
#include "capture.h"
#include "cmd.h"
#include "err.h"
#include "opt.h"
#include "out.h"
#include "report.h"
#include "bundle_read.h"
#include <sys/ioctl.h>
#include <unistd.h>

static const char intro[] =
	"Write everything needed to understand a sched_ext scheduler's failure\n"
	"into one bundle: a directory, or FILE.tar.gz (deterministic: the same\n"
	"files give the same bytes).  The bundle is written as OUT.tmp-PID and\n"
	"renamed when complete.  Its layout is in the README (The failure\n"
	"bundle): manifest.json (every part ok/partial/unavailable and why),\n"
	"summary.txt (line 1: the one-line account of the failure), host context\n"
	"before and after, the kernel log, the exit event and its backtrace, the\n"
	"sched_ext sysfs state and counters, the symbol table with exact [bpf]\n"
	"sizes, the scheduler's maps, the timeline's last seconds.\n";

#define COMMON_HELP                                                                       \
	"  -o, --output OUT    the bundle: a directory (must not exist) or FILE.tar.gz\n" \
	"      --maps WHICH    scx (the scheduler's maps, default) | all | none\n"        \
	"      --budget BYTES  memory for the parts (K/M/G or KiB/MiB/GiB; default\n"     \
	"                      256MiB): the log keeps 1/8, the map ring 1/4, the\n"       \
	"                      timeline 1/2 (at most 64 MiB)\n"                           \
	"      --no-timeline   no timeline recording\n"

#define ARM_HELP                                                                      \
	"  -i, --interval SEC  counter and map samples (default 1s)\n"                \
	"      --ring N        samples kept (default 60)\n"                           \
	"      --flight SEC    the timeline's window before the exit (default 10s)\n" \
	"      --timeout SEC   give up after SEC (exit 3; the bundle is written)\n"

static const char now_help[] =
	COMMON_HELP "  -d, --duration SEC  the timeline recording's length (default 1s)\n"
		    "      --dump          ask the kernel for the running scheduler's debug dump\n"
		    "                      (SysRq-D: it keeps running); its lines, recorded from\n"
		    "                      the sched_ext_dump tracepoint, are the part 'dump'\n"
		    "                      (dump.txt)\n" KT_HELP_HELP;

static const char arm_help[] = COMMON_HELP ARM_HELP KT_HELP_HELP
	"\nWaits for the running (or the next) scheduler's exit: its map fds and\n"
	"the symbol table are taken as soon as it is enabled (state polled every\n"
	"10 ms), so they outlive it.  SIGINT/SIGTERM write what is held (the\n"
	"manifest says interrupted).\n";

static const char run_help[] = COMMON_HELP ARM_HELP KT_HELP_HELP
	"\nStarts SCHEDULER, passes its output on and keeps it (its own DEBUG DUMP\n"
	"and EXIT: report are parsed as scheduler-origin events), arms once it is\n"
	"enabled, writes the bundle when the kernel disables it or it exits, and\n"
	"exits with its status (128+N when killed by signal N).\n";

static const char footer[] =
	"Exit status: 0 the bundle holds an exit (now: the bundle is written),\n"
	"1 failure (nothing is left under OUT), 2 usage, 3 arm: no exit before\n"
	"--timeout or an interruption (the bundle is written); run: the\n"
	"scheduler's status.\n";

enum { OPT_MAPS = KT_OPT_LONG, OPT_BUDGET, OPT_NO_TL, OPT_RING, OPT_FLIGHT, OPT_TIMEOUT, OPT_DUMP };

#define COMMON_OPTS                                                           \
	{"output", 'o', 1}, {"maps", OPT_MAPS, 1}, {"budget", OPT_BUDGET, 1}, \
	{                                                                     \
		"no-timeline", OPT_NO_TL, 0                                   \
	}
#define ARM_OPTS                                                                \
	{"interval", 'i', 1}, {"ring", OPT_RING, 1}, {"flight", OPT_FLIGHT, 1}, \
	{                                                                       \
		"timeout", OPT_TIMEOUT, 1                                       \
	}

static const struct kt_option now_opts[] = {
	COMMON_OPTS, {"duration", 'd', 1}, {"dump", OPT_DUMP, 0}, KT_OPT_END};
static const struct kt_option arm_opts[] = {COMMON_OPTS, ARM_OPTS, KT_OPT_END};

static int parse(struct kt_cmdline *cl, struct kt_cap_opts *o)
{
	unsigned long long v;
	double d;
	int c;

	while ((c = kt_cmd_getopt(cl)) != -1)
		switch (c) {
		case OPT_MAPS:
			if (!strcmp(cl->g.arg, "scx"))
				o->maps = KT_CAP_MAPS_SCX;
			else if (!strcmp(cl->g.arg, "all"))
				o->maps = KT_CAP_MAPS_ALL;
			else if (!strcmp(cl->g.arg, "none"))
				o->maps = KT_CAP_MAPS_NONE;
			else
				return kt_cmd_usage(cl, "--maps: scx, all or none");
			break;
		case OPT_BUDGET:
			if (kt_parse_size(cl->g.arg, &v) || v < 4096)
				return kt_cmd_usage(cl, "invalid --budget '%s' (at least 4K)",
						    cl->g.arg);
			o->budget = v;
			break;
		case OPT_NO_TL:
			o->timeline = false;
			break;
		case OPT_DUMP:
			o->sysrq_dump = true;
			break;
		case 'i':
			if (kt_opt_seconds(&cl->g, 0.001, 86400, &d))
				return KT_EXIT_USAGE;
			o->interval_ns = (uint64_t)(d * 1e9);
			break;
		case OPT_RING:
			if (kt_opt_u64(&cl->g, 1, 100000, &v))
				return KT_EXIT_USAGE;
			o->ring = (size_t)v;
			break;
		case OPT_FLIGHT:
			if (kt_opt_seconds(&cl->g, 0.001, 3600, &d))
				return KT_EXIT_USAGE;
			o->flight_ns = (uint64_t)(d * 1e9);
			break;
		case OPT_TIMEOUT:
			if (kt_opt_seconds(&cl->g, 0, 1e7, &o->timeout))
				return KT_EXIT_USAGE;
			break;
		case 'd':
			if (kt_opt_seconds(&cl->g, 0, 3600, &d))
				return KT_EXIT_USAGE;
			o->record_ns = (uint64_t)(d * 1e9);
			break;
		default:
			return cl->rc;
		}
	o->out = cl->out.path;
	if (!o->out || !*o->out || !strcmp(o->out, "-"))
		return kt_cmd_usage(cl, "-o OUT is required (a directory or FILE.tar.gz)");
	return -1;
}

static int go(struct kt_cmdline *cl, enum kt_cap_mode mode)
{
	struct kt_cap_opts o = {
		.mode = mode,
		.interval_ns = 1000000000ull,
		.ring = 60,
		.flight_ns = 10000000000ull,
		.budget = 256ull << 20,
		.timeline = true,
		.timeout = -1,
		.record_ns = 1000000000ull,
	};
	struct kt_capture c;
	int r = parse(cl, &o);

	if (r >= 0)
		return r;
	if (mode == KT_CAP_RUN) {
		if (!cl->nops)
			return kt_cmd_usage(cl, "expected -- SCHEDULER [ARGS...]");
		o.argv = cl->ops;
	}
	if (mode == KT_CAP_NOW)
		o.flight_ns = o.record_ns ? o.record_ns + 1000000000ull : 1000000000ull;
	kt_cap_init(&c, &o);
	r = kt_cap_run(&c);
	kt_cap_free(&c);
	return r;
}

static int do_now(struct kt_cmdline *cl)
{
	return go(cl, KT_CAP_NOW);
}
static int do_arm(struct kt_cmdline *cl)
{
	return go(cl, KT_CAP_ARM);
}
static int do_run(struct kt_cmdline *cl)
{
	return go(cl, KT_CAP_RUN);
}

/* ---- report (issue 12: lib/bundle_read, lib/report*) ---- */

enum { OPT_TEXT = KT_OPT_LONG + 40, OPT_MD, OPT_HTML, OPT_FULL, OPT_WIDTH, OPT_WINDOW };
static const struct kt_option report_opts[] = {
	{"text", OPT_TEXT, 0},	 {"markdown", OPT_MD, 0},
	{"html", OPT_HTML, 0},	 {"full", OPT_FULL, 0},
	{"width", OPT_WIDTH, 1}, {"window", OPT_WINDOW, 1},
	{"output", 'o', 1},	 KT_OPT_END,
};
static const char report_help[] =
	"Read a bundle (a directory or its .tar.gz) as text (default), as Markdown\n"
	"for a GitHub issue, or as one self-contained HTML page.  A missing part,\n"
	"a truncated file or an unknown schema is one line under 'parts'; the\n"
	"rest is reported.\n"
	"  --text              the summary, the exit and its backtrace, the debug\n"
	"                      dump, the last events per CPU before the exit, the\n"
	"                      SCX_EV counters and map entries that changed, the\n"
	"                      host context diff, the parts and what is missing\n"
	"  --markdown          the same for pasting into an issue: long sections\n"
	"                      in <details>, within GitHub's 65536-character limit\n"
	"                      (what was cut is said)\n"
	"  --html              one file, no script, no network: the per-CPU\n"
	"                      timeline before the exit as SVG (zoom presets,\n"
	"                      hover titles), counter charts, the changed map\n"
	"                      entries, backtrace, dump, host context, file links\n"
	"      --full          text: every line, nothing cut to the width\n"
	"      --width N       text: cut lines to N columns (default: the\n"
	"                      terminal's, else $COLUMNS, else 100; 0: no limit)\n"
	"      --window SEC    html: the timeline window before the exit (10s)\n"
	"  -o, --output FILE   write to FILE atomically ('-': standard output)\n" KT_HELP_HELP;

static unsigned term_width(void)
{
	struct winsize ws;
	const char *c = getenv("COLUMNS");

	if (isatty(1) && !ioctl(1, TIOCGWINSZ, &ws) && ws.ws_col)
		return ws.ws_col;
	if (c && atoi(c) > 0)
		return (unsigned)atoi(c);
	return 100;
}

static int do_report(struct kt_cmdline *cl)
{
	struct kt_report_opts ro = {0};
	int c, fmt = OPT_TEXT, r;
	bool width_set = false;
	struct kt_bundle b;
	struct kt_out out;
	unsigned long long v;
	double sec;

	while ((c = kt_cmd_getopt(cl)) != -1)
		switch (c) {
		case OPT_TEXT:
		case OPT_MD:
		case OPT_HTML:
			fmt = c;
			break;
		case OPT_FULL:
			ro.full = true;
			break;
		case OPT_WIDTH:
			if (kt_opt_u64(&cl->g, 0, 100000, &v))
				return KT_EXIT_USAGE;
			ro.width = (unsigned)v;
			width_set = true;
			break;
		case OPT_WINDOW:
			if (kt_opt_seconds(&cl->g, 0.000001, 86400, &sec))
				return KT_EXIT_USAGE;
			ro.window_ns = (uint64_t)(sec * 1e9);
			break;
		case 'o':
			cl->out.path = cl->g.arg;
			break;
		default:
			return cl->rc;
		}
	if (!width_set)
		ro.width = cl->out.path ? 0 : term_width();
	if (kt_bundle_load(&b, cl->ops[0])) {
		r = kt_errx("cannot read bundle: %s", b.nnotes ? b.notes[0] : cl->ops[0]);
		kt_bundle_free(&b);
		return r;
	}
	r = kt_out_open(&out, cl->out.path);
	if (r) {
		kt_bundle_free(&b);
		return r;
	}
	if (fmt == OPT_MD)
		r = kt_report_markdown(out.fp, &b, &ro);
	else if (fmt == OPT_HTML)
		r = kt_report_html(out.fp, &b, &ro);
	else
		r = kt_report_text(out.fp, &b, &ro);
	if (r)
		kt_errx("cannot render the report: out of memory or a write error");
	else if (kt_bundle_tl_shrunk(&b))
		r = kt_errx("'%s': %s shrank while it was being read: the report would be partial",
			    cl->ops[0], KT_BUNDLE_TIMELINE);
	kt_bundle_free(&b);
	return kt_out_close(&out, !r);
}

static const struct kt_cmd cmds[] = {
	{"now", do_now, now_opts, "-o OUT", "the bundle for the state now", now_help, 0, 0, 0},
	{"arm", do_arm, arm_opts, "-o OUT", "wait for the scheduler's exit, write the bundle",
	 arm_help, 0, 0, 0},
	{"run", do_run, arm_opts, "-o OUT -- SCHEDULER [ARGS...]",
	 "run a scheduler, write the bundle when it dies", run_help, 1, -1, 0},
	{"report", do_report, report_opts, "OUT [--text|--markdown|--html] [-o FILE]",
	 "read a bundle as text, Markdown or one HTML page", report_help, 1, 1, 0},
	{0},
};

static const struct kt_cmdset set = {"capture", intro, cmds, footer};

int capture_main(int argc, char **argv)
{
	return kt_cmd_main(&set, argc, argv);
}
