// SPDX-License-Identifier: MIT
/*
 * timeline record: load the BPF side, drain its ring buffer on the event
 * loop (woken by a producer CPU past its share of ~1 MiB, else polled on a
 * timer), write the capture file or keep the flight window, stop cleanly on
 * SIGINT/SIGTERM, write the flight window on SIGUSR1 or the sched_ext exit.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "err.h"
#include "kmsg.h"
#include "loop.h"
#include "buf.h"
#include "out.h"
#include "scxtrig.h"
#include "timeline.h"
#include "timeline_merge.h"
#include "timeline_rec.h"

#define POLL_NS (100 * 1000000ull) /* drain at least this often */
#define WAKE_BYTES (1u << 20)
#define WAKE_MIN (16u << 10)
#define PROGRESS_NS 1000000000ull
#define SCX_POLL_NS (50 * 1000000ull)
/* after a sched_ext exit: keep draining this long for its dump lines */
#define EXIT_GRACE_NS (300 * 1000000ull)
/* and, while its kind is unknown and the kernel is still disabling it, look
 * again this often, this long, for the log line that names it */
#define KIND_POLL_NS (100 * 1000000ull)
#define KIND_WAIT_NS (3000 * 1000000ull)
/* what the merge holds back past a flush: clock reads of two CPUs apart */
#define MERGE_SLACK_NS (1000 * 1000ull)
/* a drain short of the flush's end, a reservation still busy: retries */
#define DRAIN_TRIES 1000

static const char *const event_names[TL_AT_NR] = {
	"switch", "migrate", "wakeup", "wakeup_new", "waking",	 "fork",     "exit",
	"exec",	  "pi",	     "lock",   "scx_event",  "scx_dump", "scx_exit",
};

uint64_t tl_rec_default_events(void)
{
	return ((1ull << TL_AT_NR) - 1) & ~(1ull << TL_AT_WAKING | 1ull << TL_AT_LOCK);
}

int tl_rec_parse_events(const char *s, uint64_t *mask)
{
	*mask = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		unsigned i;

		for (i = 0; i < TL_AT_NR; i++)
			if (strlen(event_names[i]) == n && !memcmp(s, event_names[i], n))
				break;
		if (i == TL_AT_NR)
			return -1;
		*mask |= 1ull << i;
		s += n;
		if (*s == ',')
			s++;
	}
	return *mask ? 0 : -1;
}

/*
 * Small enough to stay in cache: each record is copied into its CPU's ring
 * once and read once, and the ring's size was most of that copy's cost
 * (staged, sched_switch on perf bench sched pipe, bpf_stats: ~300 ns per
 * run with one shared 16 MiB ring, ~165 with 1 MiB; per CPU, 512 KiB
 * against the shared 2 MiB: see bpf/timeline.bpf.c).
 */
#define RB_CPU_DEFAULT (512u << 10)
#define RB_CPU_MIN (64u << 10)
#define RB_TOTAL_MAX (64ull << 20)

uint32_t tl_rec_cpu_rb(uint32_t ncpus, unsigned total_mib)
{
	uint64_t share, b = RB_CPU_MIN;

	if (!ncpus)
		ncpus = 1;
	share = total_mib ? ((uint64_t)total_mib << 20) / ncpus : RB_CPU_DEFAULT;
	if (share > RB_TOTAL_MAX / ncpus)
		share = RB_TOTAL_MAX / ncpus;
	while (b * 2 <= share)
		b *= 2;
	return (uint32_t)b;
}

enum { STOP_DONE = 1, STOP_FAIL };

struct rec {
	const struct tl_rec_opts *o;
	struct tl_bpf *bpf;
	struct ring_buffer *rb;
	struct tl_merge mg; /* drained records, until they can go out in time order */
	bool mg_ok;
	struct kt_loop loop;
	bool loop_ok;
	struct tl_file_header hdr;
	uint32_t ncpus;
	/* straight recording */
	struct kt_out out;
	struct tl_writer w;
	bool write_failed;
	/* flight */
	struct tl_flight fl;
	bool flush_warned;
	struct kt_scxtrig trig;
	bool have_trig;
	int grace_timer;
	uint64_t writes;
	bool exit_written;  /* the window went out on the scheduler's exit */
	bool exit_noted;    /* a caller's exit went into the window (flightrec) */
	uint32_t dump_kind; /* SCX_EXIT_* named by the last error dump, 0 none */
	/* the kernel log, read at an exit for the kind of exits without a dump */
	struct kt_kmsg_reader k;
	bool have_k;
	uint32_t kmsg_kind; /* SCX_EXIT_* of the last "disabled (...)" line, 0 none */
	uint32_t kmsg_from; /* TL_SCX_KIND_FROM_* of kmsg_kind given by a caller, 0: kmsg */
	/* the exit seen, its record written when its kind is known (or not soon) */
	bool exit_pending;
	uint64_t exit_ns;
	enum kt_scx_state exit_state;
	char exit_name[64];
	/* counts */
	uint64_t events, last_events, last_ns;
	int progress_timer;
	bool tty;
};

/* Records in time order: to the flight window or the capture file. */
static int put_records(void *arg, const void *recs, size_t n)
{
	struct rec *r = arg;

	if (r->o->flight_ns) {
		tl_flight_push(&r->fl, recs, n);
		return 0;
	}
	if (!r->write_failed && tl_write_records(&r->w, recs, n))
		r->write_failed = true;
	return 0;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct rec *r = ctx;
	size_t n = size / TL_RECORD_SIZE;
	uint32_t kind;

	r->events += n;
	if (!tl_dump_exit_kind(data, n, &kind))
		r->dump_kind = kind;
	return tl_merge_push(&r->mg, data, n, put_records, r);
}

/*
 * Every CPU's stage flushed, the ring drained up to where the flush left
 * it, and what is then known complete written in time order: records
 * older than the flush's start, or (ALL: a flight-window write, the stop)
 * everything.
 */
static void drain_to(struct rec *r, bool all)
{
	uint64_t t = kt_mono_ns();
	bool pos;
	int tries = 0;

	if (tl_bpf_flush(r->bpf) && !r->flush_warned) {
		kt_warn("cannot flush the staged records: %s (they come late)", strerror(errno));
		r->flush_warned = true;
	}
	pos = !tl_bpf_rb_mark(r->bpf);
	ring_buffer__consume(r->rb);
	/* a record still being written on another CPU stops a drain short */
	while (pos && tl_bpf_rb_behind(r->bpf) && tries++ < DRAIN_TRIES) {
		sched_yield();
		ring_buffer__consume(r->rb);
	}
	tl_merge_emit(&r->mg, all ? UINT64_MAX : t - MERGE_SLACK_NS, put_records, r);
}

static void drain(struct rec *r)
{
	drain_to(r, false);
}

static bool on_kmsg_record(void *arg, char *rec, size_t len, const struct kmsg_line *hdr)
{
	struct rec *r = arg;
	struct kmsg_line l;
	long off = kmsg_parse_record_header(rec, len, &l);
	const char *name;
	size_t nl;
	uint32_t kind;

	(void)hdr;
	if (off < 0 || tl_kmsg_exit_kind(rec + off, len - (size_t)off, &kind, &name, &nl))
		return false;
	/* the exiting scheduler's line (any, when its name was not read) */
	if (!r->exit_name[0] || (strlen(r->exit_name) == nl && !memcmp(r->exit_name, name, nl)))
		r->kmsg_kind = kind;
	return false;
}

static const struct kt_kmsg_ops kmsg_ops = {on_kmsg_record, NULL};

static void kmsg_drain(struct rec *r)
{
	if (r->have_k)
		kt_kmsg_drain(&r->k, &kmsg_ops, r);
}

/* The kind of the pending exit: the dump's number, else the log line's. */
static uint32_t exit_kind(const struct rec *r, uint32_t *from)
{
	*from = r->dump_kind   ? TL_SCX_KIND_FROM_DUMP
		: r->kmsg_kind ? (r->kmsg_from ? r->kmsg_from : TL_SCX_KIND_FROM_KMSG)
			       : 0;
	return r->dump_kind ? r->dump_kind : r->kmsg_kind;
}

/*
 * A record the recorder writes itself: the sched_ext exit seen in sysfs.
 * No sched_ext_exit tracepoint on kernels up to 7.2: the kind is the one
 * the error dump names ("triggered exit kind N", error exits), else the
 * reason of the kernel's "disabled (...)" log line, else 0 (unknown).
 */
static void note_exit(struct rec *r)
{
	struct timeline_event rec[1 + 3] = {0};
	char text[3 * TL_TEXT_CHUNK + 1];
	int len = snprintf(text, sizeof(text), "%s: %s", r->exit_name[0] ? r->exit_name : "?",
			   kt_scx_state_name(r->exit_state));
	uint32_t from, kind = exit_kind(r, &from);
	size_t n;

	r->exit_pending = false;
	r->dump_kind = 0;
	r->kmsg_kind = 0;
	r->kmsg_from = 0;
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(text))
		len = (int)sizeof(text) - 1;
	n = TL_TEXT_RECORDS((size_t)len);
	rec[0] = (struct timeline_event){TL_EVT_SCX_EXIT,
					 TL_CPU_NONE,
					 r->exit_ns,
					 0,
					 (uint32_t)len,
					 kind,
					 TL_SCX_EXIT_SRC_STATE | (uint64_t)from << 32};
	for (size_t i = 0; i < n; i++) {
		rec[1 + i] =
			(struct timeline_event){TL_EVT_TEXT, TL_CPU_NONE, r->exit_ns, 0, 0, 0, 0};
		memcpy((char *)&rec[1 + i] + 16, text + i * TL_TEXT_CHUNK,
		       (size_t)len - i * TL_TEXT_CHUNK < TL_TEXT_CHUNK
			       ? (size_t)len - i * TL_TEXT_CHUNK
			       : TL_TEXT_CHUNK);
	}
	on_sample(r, rec, (1 + n) * TL_RECORD_SIZE);
}

static int read_lost(struct rec *r, uint64_t *lost)
{
	if (tl_bpf_lost(r->bpf, lost, r->ncpus)) {
		kt_warn("cannot read the lost-event counts");
		return -1;
	}
	return 0;
}

static uint64_t sum(const uint64_t *v, uint32_t n)
{
	uint64_t s = 0;

	for (uint32_t i = 0; i < n; i++)
		s += v[i];
	return s;
}

/* Events the kernel did not give the programs (a program already active
 * on that CPU): no lost counter sees them, so say so. */
static void warn_misses(struct rec *r)
{
	uint64_t n = tl_bpf_misses(r->bpf);

	if (n)
		kt_warn("%llu events not recorded: the kernel skipped a program already "
			"running on that CPU (BPF recursion protection; not in the lost counts)",
			(unsigned long long)n);
}

/* Write the flight window to the output file (atomically replacing it). */
static int flight_write(struct rec *r, const char *why)
{
	uint64_t *lost = calloc(r->ncpus, sizeof(*lost));
	struct kt_out o;
	struct tl_writer w;
	int ok;

	if (!lost)
		return kt_err("cannot write the flight window");
	drain_to(r, true);
	read_lost(r, lost);
	warn_misses(r);
	if (kt_out_open(&o, r->o->path)) {
		free(lost);
		return KT_EXIT_FAIL;
	}
	r->hdr.flags |= TL_FILE_FLIGHT;
	ok = !tl_write_header(&w, o.fp, &r->hdr) && !tl_flight_write(&r->fl, &w) &&
	     !tl_write_trailer(&w, kt_mono_ns(), r->fl.dropped, tl_bpf_misses(r->bpf), lost,
			       r->ncpus);
	if (!ok)
		kt_err("cannot write the flight window");
	if (kt_out_close(&o, ok)) {
		free(lost);
		return KT_EXIT_FAIL;
	}
	r->writes++;
	if (r->o->path)
		fprintf(stderr, "timeline: %s: wrote %llu records (%llu lost) to %s\n", why,
			(unsigned long long)w.nrecords, (unsigned long long)sum(lost, r->ncpus),
			r->o->path);
	free(lost);
	return 0;
}

static int on_rb(void *arg, uint32_t events)
{
	drain(arg);
	return 0;
}

static int on_poll(void *arg, uint32_t n)
{
	struct rec *r = arg;

	drain(r);
	return r->write_failed ? STOP_FAIL : 0;
}

static int on_progress(void *arg, uint32_t n)
{
	struct rec *r = arg;
	uint64_t now = kt_mono_ns();
	uint64_t *all = calloc(r->ncpus, sizeof(*all));
	double rate = (double)(r->events - r->last_events) * 1e9 / (double)(now - r->last_ns);

	if (all && !tl_bpf_lost(r->bpf, all, r->ncpus))
		fprintf(stderr, "\r%llu events, %.0f/s, %llu lost   ",
			(unsigned long long)r->events, rate,
			(unsigned long long)sum(all, r->ncpus));
	free(all);
	r->last_events = r->events;
	r->last_ns = now;
	return 0;
}

static bool flight_on_exit(const struct rec *r)
{
	return r->o->flight_ns && r->o->trigger == TL_TRIG_SCX_EXIT;
}

/*
 * After an exit: its dump lines and last events drained, its kind looked
 * up (the kernel logs "disabled (...)" before the state reads disabled:
 * ext.c scx_root_disable), its record written, the flight window out.
 */
static int on_grace(void *arg, uint32_t n)
{
	struct rec *r = arg;
	uint32_t from;

	drain(r);
	kmsg_drain(r);
	if (!exit_kind(r, &from) && r->have_k && r->trig.state != KT_SCX_DISABLED &&
	    kt_mono_ns() - r->exit_ns < KIND_WAIT_NS &&
	    !kt_loop_timer_set(&r->loop, r->grace_timer, KIND_POLL_NS, 0))
		return 0;
	note_exit(r);
	if (!flight_on_exit(r))
		return 0;
	if (flight_write(r, "sched_ext exit"))
		return STOP_FAIL;
	r->exit_written = true;
	return STOP_DONE;
}

static int on_scx_exit(void *arg, struct kt_scxtrig *t)
{
	struct rec *r = arg;

	drain(r);
	if (r->exit_pending) /* another exit before the last one's kind was known */
		note_exit(r);
	r->exit_pending = true;
	r->exit_ns = t->exit_ns;
	r->exit_state = t->state;
	snprintf(r->exit_name, sizeof(r->exit_name), "%s", t->name);
	if (flight_on_exit(r))
		fprintf(stderr, "timeline: sched_ext scheduler '%s' exited\n",
			t->name[0] ? t->name : "?");
	/* its dump lines and last events are still coming: drain a little longer */
	if (kt_loop_timer_set(&r->loop, r->grace_timer, EXIT_GRACE_NS, 0))
		return on_grace(r, 0);
	return 0;
}

static int on_signal(void *arg, int signo)
{
	struct rec *r = arg;

	if (signo == SIGUSR1) {
		if (r->o->flight_ns)
			return flight_write(r, "SIGUSR1") ? STOP_FAIL : 0;
		return 0;
	}
	return STOP_DONE;
}

static int on_duration(void *arg, uint32_t n)
{
	return STOP_DONE;
}

static int setup_bpf(struct rec *r)
{
	const struct tl_rec_opts *o = r->o;
	struct tl_bpf_opts bo = {0};
	uint64_t want = o->events ? o->events : tl_rec_default_events();
	uint64_t have = tl_bpf_available(want), attached;
	char err[256];

	if (!have)
		return kt_errx("cannot read the kernel's BTF (/sys/kernel/btf/vmlinux): "
			       "tp_btf programs need CONFIG_DEBUG_INFO_BTF");
	/* sched_ext_exit is not a tracepoint (yet): the exit comes from sysfs */
	for (unsigned i = 0; i < TL_AT_NR; i++)
		if ((want & ~have) >> i & 1 && i != TL_AT_SCX_EXIT && !o->quiet_missing)
			kt_warn("%s: not on this kernel, skipped", tl_attach_name(i));
	memcpy(bo.cpus, o->cpus, sizeof(bo.cpus));
	bo.filter_cpus = o->cpus_str != NULL;
	bo.tgid = o->tgid;
	bo.self_tgid = (uint32_t)getpid();
	bo.rb_bytes = tl_rec_cpu_rb(r->ncpus, o->buffer_mib);
	/* each CPU wakes the consumer when a quarter of its ring is waiting
	 * (at most WAKE_BYTES), at least WAKE_MIN so that wake-ups stay rare */
	bo.wake_bytes = WAKE_BYTES < bo.rb_bytes / 4 ? WAKE_BYTES : bo.rb_bytes / 4;
	if (bo.wake_bytes < WAKE_MIN)
		bo.wake_bytes = WAKE_MIN;
	bo.events = want;
	r->bpf = tl_bpf_open(&bo, &attached, err, sizeof(err));
	if (!r->bpf)
		return kt_errx("%s", err);
	r->hdr.requested = want;
	r->hdr.attached = attached;
	if (tl_merge_init(&r->mg, r->ncpus))
		return kt_err("cannot record");
	r->mg_ok = true;
	r->rb = tl_bpf_ring(r->bpf, on_sample, r);
	if (!r->rb)
		return kt_err("cannot map the ring buffer");
	return 0;
}

static int setup_loop(struct rec *r)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGUSR1, 0};
	const struct tl_rec_opts *o = r->o;

	if (kt_loop_init(&r->loop))
		return kt_err("cannot set up the event loop");
	r->loop_ok = true;
	/* a shell starts background jobs with SIGINT ignored: an ignored signal
	 * never reaches the signalfd, and SIGINT must stop the recording */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (kt_loop_add_fd(&r->loop, ring_buffer__epoll_fd(r->rb), EPOLLIN, on_rb, r) ||
	    kt_loop_add_signals(&r->loop, sigs, on_signal, r) ||
	    kt_loop_add_timer(&r->loop, POLL_NS, POLL_NS, on_poll, r) < 0)
		return kt_err("cannot set up the event loop");
	if (o->duration_ns && kt_loop_add_timer(&r->loop, o->duration_ns, 0, on_duration, r) < 0)
		return kt_err("cannot set up the event loop");
	r->grace_timer = kt_loop_add_timer(&r->loop, 0, 0, on_grace, r);
	if (r->grace_timer < 0)
		return kt_err("cannot set up the event loop");
	if (!kt_scxtrig_init(&r->trig, o->scx_root) && r->trig.state != KT_SCX_NONE) {
		r->have_trig = true;
		if (kt_scxtrig_arm(&r->trig, &r->loop, SCX_POLL_NS, on_scx_exit, r))
			return kt_err("cannot set up the event loop");
		/* read only at an exit, for its kind: without it (no permission)
		 * an exit without a dump has an unknown kind.  Also with a
		 * stand-in sysfs tree (tests write the line themselves). */
		r->have_k = !kt_kmsg_open(&r->k, KT_KMSG_PATH, KT_KMSG_FROM_END, 0);
	} else if (o->flight_ns && o->trigger == TL_TRIG_SCX_EXIT) {
		kt_warn("no sched_ext in this kernel (/sys/kernel/sched_ext): the flight "
			"window is written on SIGUSR1 and at the end only");
	}
	r->tty = !o->quiet && isatty(2);
	if (r->tty) {
		r->last_ns = kt_mono_ns();
		if (kt_loop_add_timer(&r->loop, PROGRESS_NS, PROGRESS_NS, on_progress, r) < 0)
			return kt_err("cannot set up the event loop");
	}
	return 0;
}

static int finish_straight(struct rec *r, int stop)
{
	uint64_t *lost = calloc(r->ncpus, sizeof(*lost));
	bool ok = lost && stop != STOP_FAIL && !r->write_failed;

	if (lost)
		read_lost(r, lost);
	warn_misses(r);
	if (ok && tl_write_trailer(&r->w, kt_mono_ns(), 0, tl_bpf_misses(r->bpf), lost, r->ncpus))
		ok = false;
	if (!ok && r->write_failed)
		kt_err("cannot write the capture");
	if (kt_out_close(&r->out, ok)) {
		free(lost);
		return KT_EXIT_FAIL;
	}
	if (r->o->path)
		fprintf(stderr, "timeline: %llu records (%llu lost) in %s\n",
			(unsigned long long)r->w.nrecords,
			(unsigned long long)(lost ? sum(lost, r->ncpus) : 0), r->o->path);
	free(lost);
	return ok ? KT_EXIT_OK : KT_EXIT_FAIL;
}

int tl_record(const struct tl_rec_opts *o)
{
	struct rec *r = calloc(1, sizeof(*r));
	int rc = KT_EXIT_FAIL, stop;
	int n = libbpf_num_possible_cpus();

	if (!r)
		return kt_err("cannot record");
	r->o = o;
	r->ncpus = n > 0 ? (uint32_t)n : 1;
	r->grace_timer = -1;
	tl_header_init(&r->hdr, r->ncpus);
	r->hdr.filter_tgid = o->tgid;
	if (o->cpus_str)
		snprintf(r->hdr.cpus, sizeof(r->hdr.cpus), "%s", o->cpus_str);
	if (o->flight_ns && tl_flight_init(&r->fl, (size_t)o->budget_mib << 20, o->flight_ns)) {
		kt_err("cannot allocate the flight window (%u MiB)", o->budget_mib);
		goto out;
	}
	if (setup_bpf(r) || setup_loop(r))
		goto out;
	/* the header's clocks: now, after the load */
	{
		struct tl_file_header h;

		tl_header_init(&h, r->ncpus);
		r->hdr.start_ns = h.start_ns;
		r->hdr.realtime_offset_ns = h.realtime_offset_ns;
	}
	if (!o->flight_ns) {
		if (kt_out_open(&r->out, o->path))
			goto out;
		if (tl_write_header(&r->w, r->out.fp, &r->hdr)) {
			kt_err("cannot write the capture");
			kt_out_close(&r->out, 0);
			goto out;
		}
	}
	stop = kt_loop_run(&r->loop, -1);
	drain_to(r, true);
	if (r->exit_pending) { /* stopped before the exit's record was written */
		kmsg_drain(r);
		note_exit(r);
		tl_merge_emit(&r->mg, UINT64_MAX, put_records, r);
	}
	if (r->tty)
		fputc('\n', stderr);
	if (stop < 0 && stop != STOP_DONE) {
		kt_errn(-stop, "event loop");
		stop = STOP_FAIL;
	}
	if (!o->flight_ns)
		rc = finish_straight(r, stop);
	else if (r->exit_written)
		rc = KT_EXIT_OK; /* written by on_grace */
	else if (stop != STOP_FAIL)
		rc = flight_write(r, "stopped") ? KT_EXIT_FAIL : KT_EXIT_OK;
out:
	if (r->rb)
		ring_buffer__free(r->rb);
	if (r->mg_ok)
		tl_merge_free(&r->mg);
	if (r->loop_ok)
		kt_loop_free(&r->loop);
	tl_bpf_close(r->bpf);
	kt_scxtrig_free(&r->trig);
	if (r->have_k)
		kt_kmsg_close(&r->k);
	tl_flight_free(&r->fl);
	free(r);
	return rc;
}

/* ---- count-only ---- */

static int count_stop(void *arg, int signo)
{
	return STOP_DONE;
}

static int count_done(void *arg, uint32_t n)
{
	return STOP_DONE;
}

int tl_count_run(uint64_t events, uint64_t duration_ns, uint64_t counts[TL_AT_NR],
		 uint64_t *attached)
{
	static const int sigs[] = {SIGINT, SIGTERM, 0};
	struct tl_count *c;
	struct kt_loop l;
	char err[256];
	int rc = KT_EXIT_FAIL;

	c = tl_count_open(events ? events : tl_rec_default_events(), attached, err, sizeof(err));
	if (!c)
		return kt_errx("%s", err);
	if (kt_loop_init(&l)) {
		tl_count_close(c);
		return kt_err("cannot set up the event loop");
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (kt_loop_add_signals(&l, sigs, count_stop, NULL) ||
	    (duration_ns && kt_loop_add_timer(&l, duration_ns, 0, count_done, NULL) < 0)) {
		kt_err("cannot set up the event loop");
		goto out;
	}
	kt_loop_run(&l, -1);
	if (tl_count_read(c, counts))
		kt_err("cannot read the counters");
	else
		rc = KT_EXIT_OK;
out:
	kt_loop_free(&l);
	tl_count_close(c);
	return rc;
}

/* ---- the flight recorder on a caller's loop (capture) ---- */

struct tl_flightrec {
	struct tl_rec_opts o;
	struct rec r;
	struct kt_loop *l;
	int poll_timer;
	bool on_loop;
};

struct tl_flightrec *tl_flightrec_start(struct kt_loop *l, uint64_t flight_ns, size_t budget,
					char *err, size_t errlen)
{
	struct tl_flightrec *f = calloc(1, sizeof(*f));
	int n = libbpf_num_possible_cpus();
	struct tl_file_header h;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->o.flight_ns = flight_ns;
	f->o.buffer_mib = 0; /* the default, tl_rec_cpu_rb */
	f->o.quiet = true;
	f->o.quiet_missing = true;
	f->r.o = &f->o;
	f->r.ncpus = n > 0 ? (uint32_t)n : 1;
	f->r.grace_timer = -1;
	f->poll_timer = -1;
	tl_header_init(&f->r.hdr, f->r.ncpus);
	if (tl_flight_init(&f->r.fl, budget, flight_ns)) {
		snprintf(err, errlen, "cannot allocate the flight window (%zu bytes): %s", budget,
			 strerror(errno));
		goto fail;
	}
	/* setup_bpf reports on stderr; the reason for the manifest is its errno */
	if (setup_bpf(&f->r)) {
		snprintf(err, errlen, "cannot load the timeline's BPF programs: %s",
			 errno ? strerror(errno) : "see above");
		goto fail;
	}
	if (kt_loop_add_fd(l, ring_buffer__epoll_fd(f->r.rb), EPOLLIN, on_rb, &f->r) ||
	    (f->poll_timer = kt_loop_add_timer(l, POLL_NS, POLL_NS, on_poll, &f->r)) < 0) {
		snprintf(err, errlen, "cannot add the ring buffer to the loop: %s",
			 strerror(errno));
		goto fail;
	}
	f->l = l;
	f->on_loop = true;
	tl_header_init(&h, f->r.ncpus);
	f->r.hdr.start_ns = h.start_ns;
	f->r.hdr.realtime_offset_ns = h.realtime_offset_ns;
	return f;
fail:
	tl_flightrec_free(f);
	return NULL;
}

int tl_flightrec_write(struct tl_flightrec *f, FILE *fp, uint64_t *nrec, uint64_t *lost_total)
{
	uint64_t *lost = calloc(f->r.ncpus, sizeof(*lost));
	struct tl_writer w;
	int ok;

	if (!lost)
		return -1;
	drain_to(&f->r, true);
	read_lost(&f->r, lost);
	f->r.hdr.flags |= TL_FILE_FLIGHT;
	ok = !tl_write_header(&w, fp, &f->r.hdr) && !tl_flight_write(&f->r.fl, &w) &&
	     !tl_write_trailer(&w, kt_mono_ns(), f->r.fl.dropped, tl_bpf_misses(f->r.bpf), lost,
			       f->r.ncpus);
	*nrec = w.nrecords;
	*lost_total = sum(lost, f->r.ncpus);
	free(lost);
	return ok ? 0 : -1;
}

void tl_flightrec_note_exit(struct tl_flightrec *f, uint64_t mono_ns, const char *sched,
			    enum kt_scx_state st, uint32_t code, uint32_t from)
{
	struct rec *r = &f->r;

	if (r->exit_noted)
		return;
	drain(r);
	r->exit_noted = true;
	r->exit_ns = mono_ns;
	r->exit_state = st;
	snprintf(r->exit_name, sizeof(r->exit_name), "%s", sched ? sched : "");
	/* the window's own dump names the kind exactly; else the caller's */
	r->kmsg_kind = code;
	r->kmsg_from = from;
	note_exit(r);
}

size_t tl_flightrec_each(struct tl_flightrec *f, int kind, tl_flightrec_fn fn, void *arg,
			 uint64_t *oldest_ns)
{
	const struct tl_flight *fl = &f->r.fl;
	unsigned char *lin;
	struct tl_iter it;
	struct tl_event ev;
	size_t n = 0, first;

	*oldest_ns = 0;
	drain_to(&f->r, true);
	lin = malloc(fl->n ? fl->n * TL_RECORD_SIZE : 1);
	if (!lin)
		return 0;
	/* the ring in at most two runs, as tl_flight_write */
	first = fl->cap - fl->head < fl->n ? fl->cap - fl->head : fl->n;
	memcpy(lin, fl->buf + fl->head * TL_RECORD_SIZE, first * TL_RECORD_SIZE);
	memcpy(lin + first * TL_RECORD_SIZE, fl->buf, (fl->n - first) * TL_RECORD_SIZE);
	tl_iter_init(&it, lin, fl->n * TL_RECORD_SIZE);
	while (tl_iter_next(&it, &ev)) {
		if (!*oldest_ns || (ev.raw.ts && ev.raw.ts < *oldest_ns))
			*oldest_ns = ev.raw.ts;
		if ((int)ev.kind != kind)
			continue;
		fn(&ev, arg);
		n++;
	}
	free(lin);
	return n;
}

static void dump_line(const struct tl_event *ev, void *arg)
{
	struct kt_buf *out = arg;

	if (ev->text) /* an empty line has none */
		kt_buf_put(out, ev->text, ev->text_len);
	kt_buf_putc(out, '\n');
}

size_t tl_flightrec_dump_lines(struct tl_flightrec *f, struct kt_buf *out)
{
	uint64_t oldest;

	return tl_flightrec_each(f, TL_K_SCX_DUMP, dump_line, out, &oldest);
}

uint64_t tl_flightrec_lost(struct tl_flightrec *f)
{
	uint64_t *lost = calloc(f->r.ncpus, sizeof(*lost)), n;

	if (!lost || read_lost(&f->r, lost)) {
		free(lost);
		return UINT64_MAX;
	}
	n = sum(lost, f->r.ncpus);
	free(lost);
	return n;
}

uint64_t tl_flightrec_attached(const struct tl_flightrec *f)
{
	return f->r.hdr.attached;
}

uint64_t tl_flightrec_missing(const struct tl_flightrec *f)
{
	return f->r.hdr.requested & ~f->r.hdr.attached;
}

uint64_t tl_flightrec_dropped(const struct tl_flightrec *f)
{
	return f->r.fl.dropped;
}

void tl_flightrec_free(struct tl_flightrec *f)
{
	if (!f)
		return;
	if (f->on_loop) {
		kt_loop_del_fd(f->l, ring_buffer__epoll_fd(f->r.rb));
		kt_loop_timer_set(f->l, f->poll_timer, 0, 0);
	}
	if (f->r.rb)
		ring_buffer__free(f->r.rb);
	if (f->r.mg_ok)
		tl_merge_free(&f->r.mg);
	tl_bpf_close(f->r.bpf);
	tl_flight_free(&f->r.fl);
	free(f);
}
