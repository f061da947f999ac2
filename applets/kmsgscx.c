// SPDX-License-Identifier: MIT
/*
 * kmsgscx: sched_ext enable/exit events from /dev/kmsg or log text.
 * The parsing lives in lib/kmsg.c and lib/scxexit.c; this file reads
 * (non-blocking /dev/kmsg drain, text files, follow mode) and prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "applets.h"
#include "out.h"
#include "err.h"
#include "json.h"
#include "kallsyms.h"
#include "kmsg.h"
#include "opt.h"
#include "scxexit.h"

#define KMSG_PATH "/dev/kmsg"
#define EXIT_TIMEOUT 3
/* follow: an exit whose backtrace may still be arriving is printed after
 * this long without new input */
#define SETTLE_MS 300

static const char help[] =
	"Usage: kmsgscx [OPTIONS]\n"
	"       kmsgscx -f FILE|- [OPTIONS]\n"
	"\n"
	"Find sched_ext enable and exit events in the kernel log: the kernel's\n"
	"'sched_ext: BPF scheduler \"NAME\" enabled/disabled (REASON)' lines with\n"
	"the message and backtrace that follow (6.12+, pre-6.12 'errored,\n"
	"disabling', sub-schedulers), and a scheduler's own DEBUG DUMP / EXIT:\n"
	"report of the same exit (origin \"scheduler\").\n"
	"\n"
	"Without -f, drain the records /dev/kmsg holds now (non-blocking; never\n"
	"waits).  Text input may be /dev/kmsg records, dmesg ([ts], <N>, -x\n"
	"columns, [ts][T123]), journal/syslog lines, or raw lines, mixed.\n"
	"\n"
	"Options:\n"
	"  -f, --file FILE      read log text from FILE ('-' for standard input)\n"
	"      --since-seq N    /dev/kmsg: skip records with sequence number < N\n"
	"      --follow         wait for the next exit event, print it, exit 0\n"
	"                       (/dev/kmsg: records after now, or from --since-seq;\n"
	"                       -f: the file as it grows)\n"
	"      --timeout SEC    with --follow: give up after SEC seconds (exit 3)\n"
	"      --kallsyms FILE  resolve raw-address frames with a symbol table\n"
	"                       ('live' for /proc/kallsyms)\n"
	"  -j, --json           JSON array of events\n"
	"      --pretty         indent JSON\n"
	"  -o, --output FILE    write atomically to FILE\n"
	"  -h, --help           this text\n"
	"\n"
	"JSON event keys (absent values omitted): event (enable|exit), origin\n"
	"(kernel|scheduler), scheduler, kind (error, error_bpf, error_stall,\n"
	"unreg, unreg_bpf, unreg_kern, sysrq, other), reason, message, timestamp\n"
	"(seconds), seq, level, stall {comm, pid, seconds}, backtrace [{symbol,\n"
	"offset, size, module}], raw [lines].  Records lost to a /dev/kmsg\n"
	"overrun (EPIPE) appear as {\"event\": \"overrun\", \"seq\", \"lost\"} (\"lost\"\n"
	"omitted when the count cannot be known).\n"
	"\n"
	"Exit status: 0 ok (also when no event is found), 1 failure, 2 usage,\n"
	"3 --follow timed out without an exit event.\n";

enum {
	OPT_SINCE = 256,
	OPT_FOLLOW,
	OPT_TIMEOUT,
	OPT_KALLSYMS,
	OPT_PRETTY,
};

static const struct kt_option opts[] = {
	{"file", 'f', 1},
	{"since-seq", OPT_SINCE, 1},
	{"follow", OPT_FOLLOW, 0},
	{"timeout", OPT_TIMEOUT, 1},
	{"kallsyms", OPT_KALLSYMS, 1},
	{"json", 'j', 0},
	{"pretty", OPT_PRETTY, 0},
	{"output", 'o', 1},
	{"help", 'h', 0},
	{0},
};

struct ctx {
	const char *file;
	const char *out_path;
	const char *kallsyms;
	unsigned long long since;
	double timeout; /* < 0: none */
	bool has_since, follow, json, pretty;
	/* run state */
	struct kt_out out;
	struct jw w;
	struct scx_parser p;
	struct kt_ksyms *ksyms;
	unsigned long events;
	bool got_exit; /* follow: printed the exit */
	uint64_t lines;
};

static void print_event(struct ctx *c, const struct scx_event *ev)
{
	c->events++;
	if (c->json)
		scx_event_json(&c->w, ev);
	else
		scx_event_human(c->out.fp, ev);
	if (c->follow)
		fflush(c->out.fp);
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

static void print_overrun(struct ctx *c, uint64_t seq, uint64_t lost)
{
	if (c->json) {
		jw_obj_open(&c->w);
		jw_kstr(&c->w, "event", "overrun");
		jw_ku64(&c->w, "seq", seq);
		if (lost)
			jw_ku64(&c->w, "lost", lost);
		jw_obj_close(&c->w);
		return;
	}
	if (lost)
		fprintf(c->out.fp, "overrun: %llu records lost before seq %llu\n",
			(unsigned long long)lost, (unsigned long long)seq);
	else
		fprintf(c->out.fp, "overrun: records lost before seq %llu (how many is unknown)\n",
			(unsigned long long)seq);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- /dev/kmsg ----------------------------------------------------------- */

struct kmsg_dev {
	int fd;
	bool epipe; /* a gap is to be reported at the next record */
	bool have_next;
	uint64_t next; /* seq expected next */
};

/* One record (its first line; dictionary lines are irrelevant). */
static void kmsg_record(struct ctx *c, struct kmsg_dev *k, char *rec, size_t n)
{
	struct kmsg_line l;
	char *nl = memchr(rec, '\n', n);

	if (nl)
		n = (size_t)(nl - rec);
	if (kmsg_parse_record_header(rec, n, &l) < 0)
		return;
	if (c->has_since && l.seq < c->since) {
		k->next = l.seq + 1;
		k->have_next = true;
		return;
	}
	if (k->epipe || (k->have_next && l.seq > k->next) ||
	    (!k->have_next && c->has_since && l.seq > c->since)) {
		/* the count is known only from a known position: a record read
		 * before, or --since-seq (not a reader that started at the end) */
		bool known = k->have_next || c->has_since;
		uint64_t from = k->have_next ? k->next : c->since;
		uint64_t lost = known && l.seq > from ? l.seq - from : 0;

		if (c->follow && lost) /* only the exit goes to the output */
			kt_warn("%llu records lost before seq %llu (overrun)",
				(unsigned long long)lost, (unsigned long long)l.seq);
		else if (c->follow)
			kt_warn("records lost before seq %llu (overrun; how many is unknown)",
				(unsigned long long)l.seq);
		else
			print_overrun(c, l.seq, lost);
	}
	k->epipe = false;
	k->next = l.seq + 1;
	k->have_next = true;
	c->lines++;
	scx_parser_feed(&c->p, rec, n);
}

/* Read what is there now.  0 at EAGAIN, -1 on a hard error. */
static int kmsg_drain(struct ctx *c, struct kmsg_dev *k)
{
	char rec[8192 + 1];

	for (;;) {
		ssize_t n = read(k->fd, rec, sizeof(rec) - 1);

		if (n > 0) {
			rec[n] = '\0';
			kmsg_record(c, k, rec, (size_t)n);
			if (c->got_exit)
				return 0;
			continue;
		}
		if (n == 0 || errno == EAGAIN)
			return 0;
		if (errno == EINTR || errno == EINVAL)
			continue; /* EINVAL: one oversized record, consumed */
		if (errno == EPIPE) {
			k->epipe = true;
			continue;
		}
		kt_err("cannot read %s", KMSG_PATH);
		return -1;
	}
}

/* ---- text input ----------------------------------------------------------- */

static void text_line(char *line, size_t len, void *arg)
{
	struct ctx *c = arg;

	if (c->got_exit)
		return;
	c->lines++;
	scx_parser_feed(&c->p, line, len);
}

/* Read what is there now: 2 at EOF, 1 at EAGAIN, 0 done, -1 error. */
static int text_drain(struct ctx *c, int fd, struct kmsg_splitter *sp)
{
	static char buf[1 << 16];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n > 0) {
			kmsg_split_feed_inplace(sp, buf, (size_t)n);
			if (c->got_exit)
				return 0;
			continue;
		}
		if (n == 0)
			return 2;
		if (errno == EAGAIN)
			return 1;
		if (errno == EINTR || errno == EPIPE)
			continue; /* EPIPE: -f /dev/kmsg overrun */
		kt_err("cannot read '%s'", c->file);
		return -1;
	}
}

/* ---- follow ----------------------------------------------------------------- */

/*
 * Wait for input on FD (regular files are polled by sleeping) for at most
 * the time left; a pending event settles after SETTLE_MS of quiet.
 * Returns 1 when input may be there, 0 on timeout of the wait.
 */
static int wait_input(struct ctx *c, int fd, bool regular, uint64_t deadline)
{
	uint64_t now = now_ms();
	long ms = -1;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int r;

	if (c->timeout >= 0)
		ms = now >= deadline ? 0 : (long)(deadline - now);
	if (scx_parser_pending(&c->p) && (ms < 0 || ms > SETTLE_MS))
		ms = SETTLE_MS;
	if (regular) {
		long step = ms < 0 || ms > 100 ? 100 : ms;

		usleep((useconds_t)step * 1000);
		return ms < 0 || step < ms;
	}
	do {
		r = poll(&pfd, 1, (int)ms);
	} while (r < 0 && errno == EINTR);
	return r > 0 || (r < 0 && errno != EINTR);
}

static int follow_loop(struct ctx *c, int fd, bool regular, int (*drain)(struct ctx *, int, void *),
		       void *arg)
{
	uint64_t deadline = now_ms() + (uint64_t)(c->timeout * 1000.0);

	for (;;) {
		int r = drain(c, fd, arg);

		if (r < 0)
			return -1;
		if (c->got_exit)
			return 1;
		if (r == 3)
			return 0; /* input ended */
		if (c->timeout >= 0 && now_ms() >= deadline) {
			scx_parser_flush(&c->p);
			return c->got_exit;
		}
		if (!wait_input(c, fd, regular, deadline) && scx_parser_pending(&c->p)) {
			scx_parser_flush(&c->p);
			if (c->got_exit)
				return 1;
		}
	}
}

static int kmsg_drain_cb(struct ctx *c, int fd, void *arg)
{
	(void)fd;
	return kmsg_drain(c, arg);
}

/* A pipe at EOF will never grow: stop following it. */
static int text_drain_cb(struct ctx *c, int fd, void *arg)
{
	struct stat st;
	int r = text_drain(c, fd, arg);

	if (r == 2 && !fstat(fd, &st) && !S_ISREG(st.st_mode)) {
		kmsg_split_finish(arg);
		scx_parser_flush(&c->p);
		return c->got_exit ? 0 : 3;
	}
	return r < 0 ? -1 : 0;
}

static int run_kmsg(struct ctx *c)
{
	struct kmsg_dev k = {.fd = -1};
	int r;

	k.fd = open(KMSG_PATH, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k.fd < 0) {
		kt_err("cannot open %s", KMSG_PATH);
		return -1;
	}
	if (c->follow && !c->has_since)
		lseek(k.fd, 0, SEEK_END);
	if (c->follow)
		r = follow_loop(c, k.fd, false, kmsg_drain_cb, &k);
	else
		r = kmsg_drain(c, &k);
	close(k.fd);
	return r;
}

static int run_text(struct ctx *c)
{
	struct kmsg_splitter sp;
	struct stat st;
	int fd = 0, r;

	if (strcmp(c->file, "-")) {
		fd = open(c->file, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			kt_err("cannot open '%s'", c->file);
			return -1;
		}
	}
	/* a device such as /dev/kmsg itself: drain, never block */
	if (!fstat(fd, &st) && S_ISCHR(st.st_mode) && !isatty(fd))
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (kmsg_split_init(&sp, 0, text_line, c)) {
		kt_err("cannot allocate");
		r = -1;
		goto out;
	}
	if (c->follow) {
		bool regular = !fstat(fd, &st) && S_ISREG(st.st_mode);

		if (!regular)
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		r = follow_loop(c, fd, regular, text_drain_cb, &sp);
	} else {
		r = text_drain(c, fd, &sp) < 0 ? -1 : 0;
	}
	kmsg_split_finish(&sp);
	kmsg_split_free(&sp);
out:
	if (fd > 0)
		close(fd);
	return r;
}

/* ---- main ----------------------------------------------------------------- */

static int parse_args(struct ctx *c, int argc, char **argv)
{
	struct kt_getopt g;
	int o;

	c->timeout = -1;
	kt_getopt_init(&g, argc, argv);
	while ((o = kt_getopt(&g, opts)) != -1) {
		switch (o) {
		case 'f':
			c->file = g.arg;
			break;
		case 'o':
			c->out_path = g.arg;
			break;
		case 'j':
			c->json = true;
			break;
		case OPT_PRETTY:
			c->pretty = true;
			break;
		case OPT_FOLLOW:
			c->follow = true;
			break;
		case OPT_KALLSYMS:
			c->kallsyms = g.arg;
			break;
		case OPT_SINCE:
			if (kt_opt_u64(&g, 0, UINT64_MAX, &c->since))
				return KT_EXIT_USAGE;
			c->has_since = true;
			break;
		case OPT_TIMEOUT:
			if (kt_opt_double(&g, 0, 1e9, &c->timeout))
				return KT_EXIT_USAGE;
			break;
		case 'h':
			return kt_help(help) ? KT_EXIT_FAIL : -1;
		default:
			return KT_EXIT_USAGE;
		}
	}
	if (kt_noperands(&g))
		return kt_usage_err("unexpected argument '%s'", kt_operands(&g)[0]);
	if (c->timeout >= 0 && !c->follow)
		return kt_usage_err("--timeout needs --follow");
	if (c->has_since && c->file)
		return kt_usage_err("--since-seq applies to /dev/kmsg, not -f");
	return 0;
}

static int load_ksyms(struct ctx *c)
{
	if (!c->kallsyms)
		return 0;
	c->ksyms = kt_ksyms_load(strcmp(c->kallsyms, "live") ? c->kallsyms : NULL);
	if (!c->ksyms)
		return kt_err("cannot load symbols from '%s'", c->kallsyms);
	if (kt_ksyms_hidden(c->ksyms))
		kt_warn("'%s': addresses are hidden (kptr_restrict); frames stay unresolved",
			c->kallsyms);
	c->p.ksyms = c->ksyms;
	return 0;
}

int kmsgscx_main(int argc, char **argv)
{
	struct ctx c = {0};
	int r, rc;

	r = parse_args(&c, argc, argv);
	if (r)
		return r < 0 ? KT_EXIT_OK : r;
	scx_parser_init(&c.p, on_event, &c);
	if (load_ksyms(&c))
		return KT_EXIT_FAIL;
	if (kt_out_open(&c.out, c.out_path)) {
		kt_ksyms_free(c.ksyms);
		return KT_EXIT_FAIL;
	}
	if (c.json) {
		jw_init_file(&c.w, c.out.fp, c.pretty);
		jw_arr_open(&c.w);
	}
	r = c.file ? run_text(&c) : run_kmsg(&c);
	if (r >= 0 && !c.follow)
		scx_parser_flush(&c.p);
	if (c.json) {
		jw_arr_close(&c.w);
		jw_newline(&c.w);
	} else if (r >= 0 && !c.follow && !c.events) {
		fprintf(c.out.fp, "no sched_ext events (%llu lines read)\n",
			(unsigned long long)c.lines);
	}
	scx_parser_free(&c.p);
	kt_ksyms_free(c.ksyms);
	if (c.follow && r == 0) {
		kt_out_close(&c.out, 0);
		if (!c.out_path || !strcmp(c.out_path, "-"))
			fflush(stdout);
		kt_errx("no exit event within %g s", c.timeout);
		return EXIT_TIMEOUT;
	}
	rc = kt_out_close(&c.out, r >= 0);
	return rc;
}
