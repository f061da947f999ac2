// SPDX-License-Identifier: MIT
/*
 * timeline: scheduler events from a BPF ring buffer.  Recording lives in
 * lib/timeline_rec.c (BPF side: bpf/timeline.bpf.c, loader in
 * lib/timeline_skel.c); parsing, the file, the report and the export in
 * lib/timeline*.c.  This file is options and output.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "applets.h"
#include "cmd.h"
#include "err.h"
#include "json.h"
#include "kallsyms.h"
#include "out.h"
#include "timeline.h"
#include "timeline_rec.h"

static const char intro[] =
	"Scheduler events (sched_switch, wakeups, migrations, forks, exits, execs,\n"
	"sched_ext events and dump lines) from a BPF ring buffer, in ktstr's\n"
	"40-byte record format (bpf/intf.h): record them to a capture file, dump\n"
	"it, report perf sched timehist/latency figures, export a Chrome trace\n"
	"(Perfetto UI, chrome://tracing, speedscope), or keep the last seconds in\n"
	"memory and write them when the sched_ext scheduler exits.\n";

static const char footer[] =
	"FILE is a capture written by 'timeline record', or with --raw a bare\n"
	"concatenation of 40-byte records (a ktstr timeline ring-buffer drain).\n"
	"A capture without its trailer (the recorder was killed) is read and\n"
	"reported as cut.\n"
	"\n"
	"Exit status: 0 ok, 1 failure (unreadable or invalid file, BPF load or\n"
	"attach failure), 2 usage.\n";

enum {
	OPT_RAW = KT_OPT_LONG,
	OPT_CPUS,
	OPT_PID,
	OPT_TIME,
	OPT_TOP,
	OPT_KALLSYMS,
	OPT_LAST,
	OPT_BUFFER,
	OPT_EVENTS,
	OPT_FLIGHT,
	OPT_TRIGGER,
	OPT_BUDGET,
	OPT_QUIET,
	OPT_SCX_ROOT,
};

#define INPUT_OPTS                \
	{                         \
		"raw", OPT_RAW, 0 \
	}

struct input {
	bool raw;
	struct tl_file f;
	const unsigned char *recs;
	size_t len;
};

static int open_input(struct input *in, const char *path)
{
	int rc = tl_file_open(path, &in->f);

	if (in->f.sys_errno)
		return kt_errx("%s", in->f.err);
	if (in->raw) {
		/* the whole file is records */
		in->recs = in->f.map;
		in->len = in->f.map_len;
		if (!rc)
			kt_warn("'%s' is a capture file, read as raw records (--raw)", path);
		return 0;
	}
	if (rc)
		return kt_errx("'%s': %s", path, in->f.err);
	in->recs = in->f.records;
	in->len = in->f.nrecords * TL_RECORD_SIZE + in->f.tail;
	if (in->f.cut)
		kt_warn("'%s' is cut (no trailer: the recorder did not finish): %llu records%s",
			path, (unsigned long long)in->f.nrecords,
			in->f.tail ? " and a torn last one" : "");
	else if (in->f.lost_total)
		kt_warn("'%s': %llu events were lost while recording", path,
			(unsigned long long)in->f.lost_total);
	if (in->f.recursion_misses)
		kt_warn("'%s': %llu events were not recorded (the kernel skipped a program "
			"already running on that CPU)",
			path, (unsigned long long)in->f.recursion_misses);
	return 0;
}

/* 0, or an error when the file shrank while it was read (zeros past the
 * cut: the output is partial and is not kept). */
static int input_shrunk(const struct input *in, const char *path)
{
	if (!tl_file_shrunk(&in->f))
		return 0;
	kt_errx("'%s' shrank while it was being read: the output would be partial", path);
	return 1;
}

/* ---- dump ---- */

static const char dump_help[] =
	"      --raw            FILE is bare 40-byte records\n" KT_HELP_OUT KT_HELP_HELP "\n"
	"One event per line.  With -j, JSON Lines in ktstr's TimelineEvent shape:\n"
	"{\"kind\":\"Switch\",\"ts\",\"cpu\",\"prev_pid\",\"next_pid\",\"prev_state\",\"preempt\"},"
	"\n"
	"Migrate {pid, orig_cpu, dest_cpu}, Wakeup {pid, target_cpu}, PiBoost\n"
	"{prober_tid, pid, old_prio, old_class_id, new_prio, new_class_id},\n"
	"LockContend {tid, lock_kva, flags}, Unknown {type_, prev_pid, next_pid, a,\n"
	"b}; and ktbox's: WakeupNew and Waking {pid, target_cpu}, Fork {parent_pid,\n"
	"child_pid, parent_tgid, child_tgid}, Exit {pid, tgid, group_dead,\n"
	"exit_code}, Exec {pid, old_pid, tgid}, Comm {pid, tgid, comm}, ScxExit\n"
	"{tid, exit_kind, source, reason}, ScxEvent {tid, name, delta}, ScxDump\n"
	"{tid, seq, line}, Text {text} (a text record without its header);\n"
	"\"truncated\": true where a text lost its continuation records.  \"cpu\" is\n"
	"omitted on records the recorder wrote itself.\n";

static const struct kt_option dump_opts[] = {INPUT_OPTS, KT_OPT_OUT, KT_OPT_END};

static int parse_common(struct kt_cmdline *cl, struct input *in)
{
	int c;

	while ((c = kt_cmd_getopt(cl)) != -1)
		switch (c) {
		case OPT_RAW:
			in->raw = true;
			break;
		default:
			return cl->rc;
		}
	return -1;
}

static int do_dump(struct kt_cmdline *cl)
{
	struct input in = {0};
	struct kt_out o;
	int r = parse_common(cl, &in);

	if (r >= 0)
		return r;
	if (open_input(&in, cl->ops[0]))
		return KT_EXIT_FAIL;
	if (kt_out_open(&o, cl->out.path)) {
		tl_file_close(&in.f);
		return KT_EXIT_FAIL;
	}
	tl_dump(o.fp, in.recs, in.len, cl->out.json);
	if (in.len % TL_RECORD_SIZE)
		kt_warn("%zu trailing bytes do not make a whole record", in.len % TL_RECORD_SIZE);
	r = input_shrunk(&in, cl->ops[0]);
	tl_file_close(&in.f);
	return kt_out_close(&o, !r);
}

/* ---- info ---- */

static const char info_help[] = KT_HELP_OUT KT_HELP_HELP;
static const struct kt_option info_opts[] = {KT_OPT_OUT, KT_OPT_END};

static int do_info(struct kt_cmdline *cl)
{
	struct input in = {0};
	struct kt_out o;
	struct jw w;
	int r = parse_common(cl, &in);

	if (r >= 0)
		return r;
	if (open_input(&in, cl->ops[0]))
		return KT_EXIT_FAIL;
	if (kt_out_open(&o, cl->out.path)) {
		tl_file_close(&in.f);
		return KT_EXIT_FAIL;
	}
	if (cl->out.json) {
		jw_init_file(&w, o.fp, cl->out.pretty);
		jw_obj_open(&w);
		tl_file_info_json(&w, &in.f);
		jw_obj_close(&w);
		jw_newline(&w);
	} else {
		tl_file_info_text(o.fp, &in.f);
	}
	tl_file_close(&in.f);
	return kt_out_close(&o, 1);
}

/* ---- report / export: filters ---- */

struct filt {
	uint64_t cpus[TL_CPUMASK_WORDS];
	bool has_cpus;
	unsigned long long pid;
	const char *time;
};

static int filter_opt(struct kt_cmdline *cl, int c, struct filt *f)
{
	switch (c) {
	case OPT_CPUS:
		if (tl_parse_cpus(cl->g.arg, f->cpus, TL_CPUMASK_WORDS))
			return kt_cmd_usage(cl, "--cpus: invalid CPU list '%s'", cl->g.arg);
		f->has_cpus = true;
		return 0;
	case OPT_PID:
		return kt_opt_u64(&cl->g, 1, UINT32_MAX, &f->pid) ? KT_EXIT_USAGE : 0;
	case OPT_TIME: {
		uint64_t t0, t1;

		if (tl_parse_time(cl->g.arg, 0, &t0, &t1))
			return kt_cmd_usage(cl, "--time: expected START,END in seconds, got '%s'",
					    cl->g.arg);
		f->time = cl->g.arg;
		return 0;
	}
	}
	return -1;
}

/* The first event's time: --time is relative to it. */
static uint64_t first_ts(const struct input *in)
{
	struct tl_iter it;
	struct tl_event ev;
	uint64_t t = 0;
	size_t n = 0;

	tl_iter_init(&it, in->recs, in->len);
	while (n++ < TL_SORT_WINDOW && tl_iter_next(&it, &ev))
		if (!t || ev.raw.ts < t)
			t = ev.raw.ts;
	return t;
}

static int make_filter(struct kt_cmdline *cl, struct filt *fo, const struct input *in,
		       struct tl_filter *f)
{
	memset(f, 0, sizeof(*f));
	if (fo->has_cpus) {
		f->cpus = fo->cpus;
		f->cpus_words = TL_CPUMASK_WORDS;
	}
	f->pid = (uint32_t)fo->pid;
	if (fo->time && tl_parse_time(fo->time, first_ts(in), &f->t0, &f->t1))
		return kt_cmd_usage(cl, "--time: expected START,END in seconds, got '%s'",
				    fo->time);
	return 0;
}

#define FILTER_OPTS                                 \
	{"cpus", OPT_CPUS, 1}, {"pid", OPT_PID, 1}, \
	{                                           \
		"time", OPT_TIME, 1                 \
	}
#define FILTER_HELP                                                                        \
	"      --cpus LIST      only these CPUs (\"0-3,8\"): their switches, time, rows\n" \
	"      --pid PID        only the task PID (a tid, or a tgid: its threads)\n"       \
	"      --time START,END seconds from the first event (either may be empty)\n"

/* ---- report ---- */

static const char report_help[] =
	"      --raw            FILE is bare 40-byte records\n" FILTER_HELP
	"      --top N          the N longest scheduling delays (default 10)\n"
	"      --last N         events per CPU shown before a sched_ext exit (default 8)\n"
	"      --kallsyms FILE  symbolize lock addresses ('live': /proc/kallsyms)\n" KT_HELP_OUT
		KT_HELP_HELP "\n"
	"Per task: run time (switch-in to switch-out), wait time (switch-out to\n"
	"the next switch-in), scheduling delay (wakeup, or a preempted switch-out,\n"
	"to the switch-in) with count, avg, p50/p90/p99, max and stddev; switch-out\n"
	"states (R S D T t X Z P I, R+ preempted); migrations.  Per CPU: busy and\n"
	"idle time from its first switch, switches, preemptions.  The longest\n"
	"delays.  For each sched_ext exit in the recording, the last events on\n"
	"every CPU before it.\n";

static const struct kt_option report_opts[] = {
	INPUT_OPTS,
	FILTER_OPTS,
	{"top", OPT_TOP, 1},
	{"last", OPT_LAST, 1},
	{"kallsyms", OPT_KALLSYMS, 1},
	KT_OPT_OUT,
	KT_OPT_END,
};

static int do_report(struct kt_cmdline *cl)
{
	struct tl_report_opts ro = {.top = 10, .last_per_cpu = 8};
	struct input in = {0};
	struct filt fo = {0};
	unsigned long long top = 10, last = 8;
	const char *ksyms_path = NULL;
	struct kt_ksyms *ks = NULL;
	struct tl_report *r = NULL;
	struct kt_out o;
	struct jw w;
	int c, rc = KT_EXIT_FAIL;

	while ((c = kt_cmd_getopt(cl)) != -1) {
		int e = filter_opt(cl, c, &fo);

		if (e > 0)
			return e;
		if (!e)
			continue;
		switch (c) {
		case OPT_RAW:
			in.raw = true;
			break;
		case OPT_TOP:
			if (kt_opt_u64(&cl->g, 0, 10000, &top))
				return KT_EXIT_USAGE;
			break;
		case OPT_LAST:
			if (kt_opt_u64(&cl->g, 0, 10000, &last))
				return KT_EXIT_USAGE;
			break;
		case OPT_KALLSYMS:
			ksyms_path = cl->g.arg;
			break;
		default:
			return cl->rc;
		}
	}
	if (open_input(&in, cl->ops[0]))
		return KT_EXIT_FAIL;
	if (make_filter(cl, &fo, &in, &ro.f)) {
		tl_file_close(&in.f);
		return KT_EXIT_USAGE;
	}
	ro.top = (unsigned)top;
	ro.last_per_cpu = (unsigned)last;
	if (ksyms_path) {
		ks = kt_ksyms_load(strcmp(ksyms_path, "live") ? ksyms_path : NULL);
		if (!ks) {
			kt_err("cannot load symbols from '%s'", ksyms_path);
			goto out;
		}
		ro.ksyms = ks;
	}
	r = tl_report_build(in.recs, in.len, &ro);
	if (!r) {
		kt_err("cannot build the report");
		goto out;
	}
	if (input_shrunk(&in, cl->ops[0]))
		goto out;
	if (kt_out_open(&o, cl->out.path))
		goto out;
	if (cl->out.json) {
		jw_init_file(&w, o.fp, cl->out.pretty);
		jw_obj_open(&w);
		if (!in.raw) {
			jw_key(&w, "capture");
			jw_obj_open(&w);
			tl_file_info_json(&w, &in.f);
			jw_obj_close(&w);
		}
		jw_key(&w, "report");
		tl_report_json(&w, r);
		jw_obj_close(&w);
		jw_newline(&w);
	} else {
		if (!in.raw) {
			tl_file_info_text(o.fp, &in.f);
			fputc('\n', o.fp);
		}
		tl_report_text(o.fp, r);
	}
	rc = kt_out_close(&o, 1);
out:
	tl_report_free(r);
	kt_ksyms_free(ks);
	tl_file_close(&in.f);
	return rc;
}

/* ---- export ---- */

static const char export_help[] =
	"      --raw            FILE is bare 40-byte records\n" FILTER_HELP
	"  -o, --output FILE    write to FILE atomically (default standard output)\n" KT_HELP_HELP
	"\n"
	"Chrome trace-event JSON: a track per CPU with a slice per running task\n"
	"(name \"comm pid\", args pid, tgid, end_state), wakeups, migrations, lock\n"
	"contention, PI boosts and sched_ext dump lines as instants, the sched_ext\n"
	"exit as a global instant, sched_ext event counters as counter tracks,\n"
	"process and thread names as metadata.  Opens in Perfetto UI\n"
	"(ui.perfetto.dev), chrome://tracing and speedscope.\n";

static const struct kt_option export_opts[] = {
	INPUT_OPTS,
	FILTER_OPTS,
	{"output", 'o', 1},
	KT_OPT_END,
};

static int do_export(struct kt_cmdline *cl)
{
	struct input in = {0};
	struct filt fo = {0};
	struct tl_export_stats st;
	struct tl_filter f;
	struct kt_out o;
	int c, ok;

	while ((c = kt_cmd_getopt(cl)) != -1) {
		int e = filter_opt(cl, c, &fo);

		if (e > 0)
			return e;
		if (!e)
			continue;
		if (c != OPT_RAW)
			return cl->rc;
		in.raw = true;
	}
	if (open_input(&in, cl->ops[0]))
		return KT_EXIT_FAIL;
	if (make_filter(cl, &fo, &in, &f) || kt_out_open(&o, cl->out.path)) {
		tl_file_close(&in.f);
		return KT_EXIT_FAIL;
	}
	ok = !tl_export_chrome(o.fp, in.recs, in.len, &f, &st);
	ok = !input_shrunk(&in, cl->ops[0]) && ok;
	tl_file_close(&in.f);
	if (st.unmatched)
		kt_warn("%llu slices ended at a switch whose prev_pid was not the running task "
			"(a switch the kernel did not trace, or a lost event)",
			(unsigned long long)st.unmatched);
	return kt_out_close(&o, ok);
}

/* ---- record ---- */

static const char record_help[] =
	"  -d, --duration SEC   stop after SEC seconds (default: at SIGINT/SIGTERM)\n"
	"      --cpus LIST      only events on these CPUs (filtered in BPF)\n"
	"      --pid PID        only this process (tgid; its threads), in BPF\n"
	"      --buffer MiB     ring buffers of all CPUs, a power of two (default 512\n"
	"                       KiB a CPU); each CPU's ring is the largest power of\n"
	"                       two in its share, 64 KiB to 64 MiB in all\n"
	"      --events LIST    attach points, comma-separated (default: all):\n"
	"                       switch, migrate, wakeup, wakeup_new, waking, fork,\n"
	"                       exit, exec, pi, lock, scx_event, scx_dump, scx_exit\n"
	"      --flight SEC     flight recorder: keep the last SEC seconds in\n"
	"                       memory and write them when the trigger fires\n"
	"      --trigger T      with --flight: 'scx-exit' (the sched_ext scheduler\n"
	"                       exits; the default) or 'signal' (SIGUSR1 only);\n"
	"                       SIGUSR1 writes in either mode\n"
	"      --budget MiB     with --flight: memory for the window (default 64)\n"
	"      --scx-root DIR   read sched_ext's sysfs state below DIR (tests)\n"
	"  -q, --quiet          no progress line on a terminal\n"
	"  -o, --output FILE    the capture file (atomic; default standard output)\n" KT_HELP_HELP
	"\n"
	"Records go to the file as they are drained; SIGINT/SIGTERM stop cleanly\n"
	"and everything drained is written, then a trailer with the per-CPU lost\n"
	"counts.  An attach point the running kernel lacks is reported once and\n"
	"skipped.  The recorder's own wakeups, migrations and process events are\n"
	"not recorded; its switches are (a CPU's timeline stays whole).  Needs\n"
	"root (CAP_BPF and CAP_PERFMON).\n";

static const struct kt_option record_opts[] = {
	{"duration", 'd', 1},	       {"cpus", OPT_CPUS, 1},	  {"pid", OPT_PID, 1},
	{"buffer", OPT_BUFFER, 1},     {"events", OPT_EVENTS, 1}, {"flight", OPT_FLIGHT, 1},
	{"trigger", OPT_TRIGGER, 1},   {"budget", OPT_BUDGET, 1}, {"quiet", 'q', 0},
	{"scx-root", OPT_SCX_ROOT, 1}, {"output", 'o', 1},	  KT_OPT_END,
};

static int do_record(struct kt_cmdline *cl)
{
	struct tl_rec_opts ro = {.buffer_mib = 0, .budget_mib = 64};
	unsigned long long v;
	double d;
	int c;

	while ((c = kt_cmd_getopt(cl)) != -1) {
		switch (c) {
		case 'd':
			if (kt_opt_double(&cl->g, 0.001, 1e7, &d))
				return KT_EXIT_USAGE;
			ro.duration_ns = (uint64_t)(d * 1e9);
			break;
		case OPT_CPUS:
			if (tl_parse_cpus(cl->g.arg, ro.cpus, TL_CPUMASK_WORDS))
				return kt_cmd_usage(cl, "--cpus: invalid CPU list '%s'", cl->g.arg);
			ro.cpus_str = cl->g.arg;
			break;
		case OPT_PID:
			if (kt_opt_u64(&cl->g, 1, UINT32_MAX, &v))
				return KT_EXIT_USAGE;
			ro.tgid = (uint32_t)v;
			break;
		case OPT_BUFFER:
			if (kt_opt_u64(&cl->g, 1, 4096, &v))
				return KT_EXIT_USAGE;
			if (v & (v - 1))
				return kt_cmd_usage(cl, "--buffer: %llu is not a power of two", v);
			ro.buffer_mib = (unsigned)v;
			break;
		case OPT_EVENTS:
			if (tl_rec_parse_events(cl->g.arg, &ro.events))
				return kt_cmd_usage(cl, "--events: unknown event in '%s'",
						    cl->g.arg);
			break;
		case OPT_FLIGHT:
			if (kt_opt_double(&cl->g, 0.001, 86400, &d))
				return KT_EXIT_USAGE;
			ro.flight_ns = (uint64_t)(d * 1e9);
			break;
		case OPT_TRIGGER:
			if (!strcmp(cl->g.arg, "scx-exit"))
				ro.trigger = TL_TRIG_SCX_EXIT;
			else if (!strcmp(cl->g.arg, "signal"))
				ro.trigger = TL_TRIG_SIGNAL;
			else
				return kt_cmd_usage(cl,
						    "--trigger: 'scx-exit' or 'signal', not '%s'",
						    cl->g.arg);
			ro.trigger_set = true;
			break;
		case OPT_BUDGET:
			if (kt_opt_u64(&cl->g, 1, 1 << 20, &v))
				return KT_EXIT_USAGE;
			ro.budget_mib = (unsigned)v;
			break;
		case 'q':
			ro.quiet = true;
			break;
		case OPT_SCX_ROOT:
			ro.scx_root = cl->g.arg;
			break;
		default:
			return cl->rc;
		}
	}
	if ((ro.trigger_set || ro.budget_mib != 64) && !ro.flight_ns)
		return kt_cmd_usage(cl, "--trigger and --budget need --flight");
	if (ro.flight_ns && ro.duration_ns)
		return kt_cmd_usage(cl, "--flight and --duration do not go together");
	ro.path = cl->out.path;
	return tl_record(&ro);
}

/* ---- count ---- */

static const char count_help[] =
	"  -d, --duration SEC   stop after SEC seconds (default: at SIGINT/SIGTERM)\n"
	"      --events LIST    attach points, as for record\n" KT_HELP_OUT KT_HELP_HELP "\n"
	"Events per attach point, counted in BPF without recording them: how many\n"
	"a recording would hold, and the overhead floor of any BPF recorder on\n"
	"these tracepoints (make bench compares it with record).\n";

static const struct kt_option count_opts[] = {
	{"duration", 'd', 1},
	{"events", OPT_EVENTS, 1},
	KT_OPT_OUT,
	KT_OPT_END,
};

static int do_count(struct kt_cmdline *cl)
{
	uint64_t events = 0, dur = 0, counts[TL_AT_NR] = {0}, attached = 0;
	struct kt_out o;
	struct jw w;
	double d;
	int c, rc;

	while ((c = kt_cmd_getopt(cl)) != -1) {
		switch (c) {
		case 'd':
			if (kt_opt_double(&cl->g, 0.001, 1e7, &d))
				return KT_EXIT_USAGE;
			dur = (uint64_t)(d * 1e9);
			break;
		case OPT_EVENTS:
			if (tl_rec_parse_events(cl->g.arg, &events))
				return kt_cmd_usage(cl, "--events: unknown event in '%s'",
						    cl->g.arg);
			break;
		default:
			return cl->rc;
		}
	}
	rc = tl_count_run(events, dur, counts, &attached);
	if (rc)
		return rc;
	if (kt_out_open(&o, cl->out.path))
		return KT_EXIT_FAIL;
	jw_init_file(&w, o.fp, cl->out.pretty);
	if (cl->out.json)
		jw_obj_open(&w);
	for (unsigned i = 0; i < TL_AT_NR; i++) {
		if (!(attached >> i & 1))
			continue;
		if (cl->out.json)
			jw_ku64(&w, tl_attach_name(i), counts[i]);
		else
			fprintf(o.fp, "%-20s %llu\n", tl_attach_name(i),
				(unsigned long long)counts[i]);
	}
	if (cl->out.json) {
		jw_obj_close(&w);
		jw_newline(&w);
	}
	return kt_out_close(&o, 1);
}

static const struct kt_cmd cmds[] = {
	{"record", do_record, record_opts, "", "record events to a capture file", record_help, 0, 0,
	 0},
	{"dump", do_dump, dump_opts, "FILE", "one event per line (-j: ktstr JSON Lines)", dump_help,
	 1, 1, 0},
	{"report", do_report, report_opts, "FILE",
	 "per-task and per-CPU figures, like perf sched timehist/latency", report_help, 1, 1, 0},
	{"export", do_export, export_opts, "FILE", "Chrome trace-event JSON for a viewer",
	 export_help, 1, 1, 0},
	{"info", do_info, info_opts, "FILE", "what a capture file holds", info_help, 1, 1, 0},
	{"count", do_count, count_opts, "", "count events in BPF without recording (the floor)",
	 count_help, 0, 0, 0},
	{0},
};

static const struct kt_cmdset set = {"timeline", intro, cmds, footer};

int timeline_main(int argc, char **argv)
{
	return kt_cmd_main(&set, argc, argv);
}
