// SPDX-License-Identifier: MIT
/*
 * kmsgscx: sched_ext enable/exit events from /dev/kmsg or log text.
 * The readers live in lib/kmsg_read.c, the parsing in lib/kmsg.c and
 * lib/scxexit.c; this file wires them to options, the loop and output.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "applets.h"
#include "buf.h"
#include "cmd.h"
#include "err.h"
#include "json.h"
#include "kallsyms.h"
#include "kmsg.h"
#include "loop.h"
#include "out.h"
#include "scxexit.h"

#define EXIT_NO_EVENT 3
/* follow: an exit whose backtrace may still be arriving is printed after
 * this long without new input */
#define SETTLE_NS (300 * 1000000ull)
/* follow: a regular file is polled this often (epoll cannot watch one) */
#define FILE_POLL_NS (100 * 1000000ull)

static const char intro[] =
	"Find sched_ext enable and exit events in the kernel log: the kernel's\n"
	"'sched_ext: BPF scheduler \"NAME\" enabled/disabled (REASON)' lines with\n"
	"the message and backtrace that follow (6.12+, pre-6.12 'errored,\n"
	"disabling', sub-schedulers), and a scheduler's own DEBUG DUMP / EXIT:\n"
	"report of the same exit (origin \"scheduler\").\n"
	"\n"
	"Without -f, drain the records /dev/kmsg holds now (non-blocking; never\n"
	"waits).  Text input may be /dev/kmsg records, dmesg ([ts], <N>, -x\n"
	"columns, [ts][T123]), journal/syslog lines, or raw lines, mixed, and\n"
	"as people paste them: quoted or re-indented, with time stamps of any\n"
	"shape or a prompt or ^C in front, a dump without its banner (from the\n"
	"'COMM[PID] triggered exit kind N:' line, which must be followed by its\n"
	"reason line).  An EXIT: line whose reason no table knows (a newer\n"
	"kernel's) is an exit of kind other when the reason reads like one: two\n"
	"or more plain words, then the end or ' (MSG)'.\n"
	"The kernel's and the schedulers' strings are found\n"
	"wherever they start in a line; the lines that continue an event lose a\n"
	"prefix of the same shape as its first line's, then any indentation.\n"
	"Control characters in human output are printed as \\xNN.\n";

static const char scan_help[] =
	"  -f, --file FILE      read log text from FILE ('-' for standard input;\n"
	"                       a pipe or FIFO is read to its end)\n"
	"      --since-seq N    /dev/kmsg: skip records with sequence number < N\n"
	"      --follow         wait for the next exit event, print it, exit 0\n"
	"                       (/dev/kmsg: records after now, or from --since-seq;\n"
	"                       -f: the file as it grows, from its start again when\n"
	"                       it is truncated)\n"
	"      --timeout SEC    with --follow: give up after SEC seconds (exit 3;\n"
	"                       a decimal number, or with a unit: 500ms, 2m, 1h)\n"
	"      --kallsyms FILE  resolve raw-address frames with a symbol table\n"
	"                       ('live' for /proc/kallsyms)\n"
	"  -j, --json           JSON array of events\n"
	"      --pretty         indented JSON (implies -j)\n"
	"  -o, --output FILE    write atomically to FILE\n"
	"  -h, --help           this text\n";

static const char footer[] =
	"JSON event keys (absent values omitted): event (enable|exit), origin\n"
	"(kernel: the kernel's printk lines; scheduler: a scheduler's own DEBUG\n"
	"DUMP / EXIT: report; user: kernel-form lines that user space wrote to\n"
	"/dev/kmsg, i.e. a record facility other than kern, not the kernel's),\n"
	"scheduler, sub (true: a BPF sub-scheduler), partial (true: enabled\n"
	"(partial)), kind (error, error_bpf, error_stall, unreg, unreg_bpf,\n"
	"unreg_kern, sysrq, other: a reason no table knows, e.g. a newer\n"
	"kernel's, kept verbatim), reason, message, cpu (the CPU the exit\n"
	"happened on, from a debug dump's \"... triggered exit kind N on CPU C:\"\n"
	"header, which newer kernels print; absent when not said), timestamp\n"
	"(seconds), seq, level, stall {comm, pid, seconds}, backtrace [{symbol,\n"
	"offset, size, module}], raw [lines], truncated (true when a bound cut the\n"
	"event: more than 128 frames, 192 raw lines, a raw line over 4 KiB, or a\n"
	"line over 64 KiB; human output says so too).  Records lost to a /dev/kmsg\n"
	"overrun (EPIPE) appear as {\"event\": \"overrun\", \"seq\", \"lost\"} (\"lost\"\n"
	"omitted when the count cannot be known).\n"
	"\n"
	"Exit status: 0 ok (also when no event is found), 1 failure, 2 usage,\n"
	"3 --follow saw no exit event (timed out, or the followed input ended).\n";

enum { OPT_SINCE = KT_OPT_LONG, OPT_FOLLOW, OPT_TIMEOUT, OPT_KALLSYMS };

static const struct kt_option scan_opts[] = {
	{"file", 'f', 1},
	{"since-seq", OPT_SINCE, 1},
	{"follow", OPT_FOLLOW, 0},
	{"timeout", OPT_TIMEOUT, 1},
	{"kallsyms", OPT_KALLSYMS, 1},
	KT_OPT_OUT,
	KT_OPT_END,
};

/* How a follow ends (kt_loop_run's results). */
enum { FOLLOW_EXIT = 1, FOLLOW_ENDED, FOLLOW_FAILED };

struct ctx {
	struct kt_outopt opt;
	const char *file;
	const char *kallsyms;
	unsigned long long since;
	double timeout; /* < 0: none */
	bool has_since, follow;
	/* run state */
	struct kt_out out;
	struct jw w;	  /* into ob */
	struct kt_buf ob; /* output of one event, written at once */
	struct scx_parser p;
	struct kt_ksyms *ksyms;
	struct kt_loop loop;
	int settle; /* timer id */
	struct kt_kmsg_reader k;
	struct kt_logfile f;
	unsigned long events;
	bool got_exit; /* follow: printed the exit */
	uint64_t lines;
};

/* Write what is in the output buffer: one write per event. */
static void put_out(struct ctx *c)
{
	if (c->ob.len)
		fwrite(c->ob.p, 1, c->ob.len, c->out.fp);
	kt_buf_reset(&c->ob);
	if (c->follow)
		fflush(c->out.fp);
}

static void print_event(struct ctx *c, const struct scx_event *ev)
{
	c->events++;
	if (c->opt.json)
		scx_event_json(&c->w, ev);
	else
		scx_event_human_buf(&c->ob, ev);
	put_out(c);
}

static void on_event(const struct scx_event *ev, void *arg)
{
	struct ctx *c = arg;

	if (!c->follow) {
		print_event(c, ev);
		return;
	}
	if (ev->type == SCX_EV_EXIT && !c->got_exit) {
		c->got_exit = true;
		print_event(c, ev);
	}
}

static void on_overrun(void *arg, uint64_t seq, uint64_t lost)
{
	struct ctx *c = arg;

	if (c->follow) { /* only the exit goes to the output */
		if (lost)
			kt_warn("%llu records lost before seq %llu (overrun)",
				(unsigned long long)lost, (unsigned long long)seq);
		else
			kt_warn("records lost before seq %llu (overrun; how many is unknown)",
				(unsigned long long)seq);
	} else if (c->opt.json) {
		scx_overrun_json(&c->w, seq, lost);
		put_out(c);
	} else {
		scx_overrun_human(c->out.fp, seq, lost);
	}
}

static bool on_record(void *arg, char *rec, size_t len, const struct kmsg_line *hdr)
{
	struct ctx *c = arg;

	(void)hdr;
	c->lines++;
	scx_parser_feed(&c->p, rec, len);
	return c->got_exit;
}

static const struct kt_kmsg_ops kmsg_ops = {on_record, on_overrun};

static void on_line(char *line, size_t len, void *arg)
{
	struct ctx *c = arg;

	if (c->got_exit)
		return;
	c->lines++;
	c->p.line_cut = c->f.sp.overlong;
	scx_parser_feed(&c->p, line, len);
}

/* Lines that cannot open an event, skipped unparsed while none is open. */
static size_t on_skip(void *arg, const char *data, size_t n)
{
	struct ctx *c = arg;

	return c->got_exit ? 0 : scx_parser_skip(&c->p, data, n, &c->lines);
}

/* ---- follow ----------------------------------------------------------------- */

/* After input: done at the exit; else settle a pending event in quiet. */
static int after_input(struct ctx *c)
{
	if (c->got_exit)
		return FOLLOW_EXIT;
	kt_loop_timer_set(&c->loop, c->settle, scx_parser_pending(&c->p) ? SETTLE_NS : 0, 0);
	return 0;
}

static int on_settle(void *arg, uint32_t n)
{
	struct ctx *c = arg;

	(void)n;
	scx_parser_flush(&c->p);
	return c->got_exit ? FOLLOW_EXIT : 0;
}

static int on_kmsg(void *arg, uint32_t events)
{
	struct ctx *c = arg;

	(void)events;
	if (kt_kmsg_drain(&c->k, &kmsg_ops, c) == KT_READ_ERROR) {
		kt_err("cannot read %s", KT_KMSG_PATH);
		return FOLLOW_FAILED;
	}
	return after_input(c);
}

static int on_text(void *arg, uint32_t events)
{
	struct ctx *c = arg;

	(void)events;
	switch (kt_logfile_drain(&c->f, &c->got_exit)) {
	case KT_READ_ERROR:
		kt_err("cannot read '%s'", c->file);
		return FOLLOW_FAILED;
	case KT_READ_EOF: /* a pipe at its end will never grow */
		kmsg_split_finish(&c->f.sp);
		scx_parser_flush(&c->p);
		return c->got_exit ? FOLLOW_EXIT : FOLLOW_ENDED;
	default:
		return after_input(c);
	}
}

/* Wait for the exit: FOLLOW_* or KT_LOOP_TIMEOUT. */
static int follow(struct ctx *c)
{
	int fd = c->file ? c->f.fd : c->k.fd;
	kt_loop_fn fn = c->file ? on_text : on_kmsg;
	int r;

	if (kt_loop_init(&c->loop))
		return kt_err("cannot create the event loop"), FOLLOW_FAILED;
	c->settle = kt_loop_add_timer(&c->loop, 0, 0, on_settle, c);
	r = c->settle < 0 ? -1 : 0;
	if (!r && c->file && c->f.regular)
		r = kt_loop_add_timer(&c->loop, 1, FILE_POLL_NS, fn, c) < 0 ? -1 : 0;
	else if (!r)
		r = kt_loop_add_fd(&c->loop, fd, EPOLLIN, fn, c);
	if (r) {
		kt_err("cannot watch the input");
		r = FOLLOW_FAILED;
	} else {
		r = fn(c, 0); /* what is there already */
		if (!r)
			r = kt_loop_run(&c->loop,
					c->timeout < 0 ? -1 : (int64_t)(c->timeout * 1000.0));
	}
	if (r == KT_LOOP_TIMEOUT) {
		scx_parser_flush(&c->p);
		if (c->got_exit)
			r = FOLLOW_EXIT;
	}
	kt_loop_free(&c->loop);
	return r < 0 && r != KT_LOOP_TIMEOUT ? FOLLOW_FAILED : r;
}

/* ---- main ----------------------------------------------------------------- */

/* Open the input; 0 or an exit code. */
static int open_input(struct ctx *c)
{
	enum kt_kmsg_from from = KT_KMSG_FROM_START;

	if (c->file) {
		if (kt_logfile_open(&c->f, c->file, c->follow, 0, on_line, c))
			return kt_err("cannot open '%s'", c->file);
		c->f.sp.skip = on_skip;
		return 0;
	}
	if (c->has_since)
		from = KT_KMSG_FROM_SEQ;
	else if (c->follow)
		from = KT_KMSG_FROM_END;
	if (kt_kmsg_open(&c->k, KT_KMSG_PATH, from, c->since))
		return kt_err("cannot open %s", KT_KMSG_PATH);
	return 0;
}

/* Read what there is (no follow); -1 after a read error. */
static int scan(struct ctx *c)
{
	enum kt_read_result r;

	if (c->file)
		r = kt_logfile_drain(&c->f, NULL);
	else
		r = kt_kmsg_drain(&c->k, &kmsg_ops, c);
	if (r == KT_READ_ERROR)
		return kt_err("cannot read '%s'", c->file ? c->file : KT_KMSG_PATH), -1;
	if (c->file)
		kmsg_split_finish(&c->f.sp);
	scx_parser_flush(&c->p);
	return 0;
}

static int parse(struct kt_cmdline *cl, struct ctx *c)
{
	int o;

	c->timeout = -1;
	while ((o = kt_cmd_getopt(cl)) != -1) {
		switch (o) {
		case 'f':
			c->file = cl->g.arg;
			break;
		case OPT_FOLLOW:
			c->follow = true;
			break;
		case OPT_KALLSYMS:
			c->kallsyms = cl->g.arg;
			break;
		case OPT_SINCE:
			if (kt_opt_u64(&cl->g, 0, UINT64_MAX, &c->since))
				return KT_EXIT_USAGE;
			c->has_since = true;
			break;
		case OPT_TIMEOUT:
			if (kt_opt_seconds(&cl->g, 0, 1e9, &c->timeout))
				return KT_EXIT_USAGE;
			break;
		default:
			return cl->rc;
		}
	}
	c->opt = cl->out;
	if (c->timeout >= 0 && !c->follow)
		return kt_usage_err("--timeout needs --follow");
	if (c->has_since && c->file)
		return kt_usage_err("--since-seq applies to /dev/kmsg, not -f");
	return -1;
}

static int load_ksyms(struct ctx *c)
{
	if (!c->kallsyms)
		return 0;
	c->ksyms = kt_ksyms_load(strcmp(c->kallsyms, "live") ? c->kallsyms : NULL);
	if (!c->ksyms)
		return kt_ksyms_load_err(c->kallsyms);
	kt_ksyms_warn_quality(c->ksyms, c->kallsyms);
	if (kt_ksyms_hidden(c->ksyms))
		kt_warn("'%s': addresses are hidden (kptr_restrict); frames stay unresolved",
			c->kallsyms);
	c->p.ksyms = c->ksyms;
	return 0;
}

static void close_input(struct ctx *c)
{
	if (c->file)
		kt_logfile_close(&c->f);
	else
		kt_kmsg_close(&c->k);
}

static int do_scan(struct kt_cmdline *cl)
{
	struct ctx c = {0};
	int r, rc;

	r = parse(cl, &c);
	if (r >= 0)
		return r;
	scx_parser_init(&c.p, on_event, &c);
	if (load_ksyms(&c) || open_input(&c)) {
		scx_parser_free(&c.p);
		kt_ksyms_free(c.ksyms);
		return KT_EXIT_FAIL;
	}
	if (kt_out_open(&c.out, c.opt.path)) {
		rc = KT_EXIT_FAIL;
		goto out;
	}
	if (c.opt.json) {
		jw_init_buf(&c.w, &c.ob, c.opt.pretty);
		jw_arr_open(&c.w);
		put_out(&c);
	}
	r = c.follow ? follow(&c) : scan(&c);
	if (c.opt.json) {
		jw_arr_close(&c.w);
		jw_newline(&c.w);
		put_out(&c);
	} else if (!c.follow && !r && !c.events) {
		fprintf(c.out.fp, "no sched_ext events (%llu lines read)\n",
			(unsigned long long)c.lines);
	}
	if (c.follow && r != FOLLOW_EXIT && r != FOLLOW_FAILED) {
		kt_out_close(&c.out, 0);
		if (r == FOLLOW_ENDED)
			kt_errx("the input ended without an exit event");
		else
			kt_errx("no exit event within %g s", c.timeout);
		rc = EXIT_NO_EVENT;
		goto out;
	}
	rc = kt_out_close(&c.out, r >= 0 && r != FOLLOW_FAILED);
out:
	kt_buf_free(&c.ob);
	close_input(&c);
	scx_parser_free(&c.p);
	kt_ksyms_free(c.ksyms);
	return rc;
}

static const struct kt_cmd cmds[] = {
	{"scan", do_scan, scan_opts, "", "sched_ext events in the kernel log", scan_help, 0, 0,
	 KT_CMD_DEFAULT},
	{0},
};

static const struct kt_cmdset set = {"kmsgscx", intro, cmds, footer};

int kmsgscx_main(int argc, char **argv)
{
	return kt_cmd_main(&set, argc, argv);
}
