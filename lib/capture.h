/* SPDX-License-Identifier: MIT */
/*
 * capture: every collector on one loop, and the failure bundle
 * (lib/bundle.h) written when the sched_ext scheduler exits.
 *
 *	struct kt_capture c;
 *	kt_cap_init(&c, &opts);
 *	rc = kt_cap_run(&c);		// now / arm / run, writes the bundle
 *	kt_cap_free(&c);
 *
 * The pure pieces (the summary line, the manifest) take the state as
 * data, for tests.
 */
#ifndef KT_CAPTURE_H
#define KT_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpfsnap.h"
#include "bundle.h"
#include "buf.h"
#include "hostctx.h"
#include "kmsg.h"
#include "loop.h"
#include "scxexit.h"
#include "scxtrig.h"

#define KT_CAP_EXIT_TIMEOUT 3 /* arm: no exit before --timeout / interrupted */

enum kt_cap_mode { KT_CAP_NOW, KT_CAP_ARM, KT_CAP_RUN };
enum kt_cap_maps { KT_CAP_MAPS_SCX, KT_CAP_MAPS_ALL, KT_CAP_MAPS_NONE };
enum kt_cap_end {
	KT_END_NOW,
	KT_END_EXIT,
	KT_END_PROCESS_EXIT,
	KT_END_TIMEOUT,
	KT_END_INTERRUPTED
};

struct kt_cap_opts {
	enum kt_cap_mode mode;
	const char *out;      /* DIR or FILE.tar.gz */
	uint64_t interval_ns; /* counter and map samples */
	size_t ring;	      /* samples kept */
	uint64_t flight_ns;   /* timeline window */
	uint64_t budget;      /* bytes, shared by the parts */
	enum kt_cap_maps maps;
	bool timeline;
	double timeout;	    /* seconds; < 0: none */
	uint64_t record_ns; /* now: the timeline recording's length */
	bool sysrq_dump;    /* now --dump: ask for the debug dump (SysRq-D) */
	char **argv;	    /* run: the scheduler and its arguments */
};

struct kt_cap_part {
	enum kt_part_status st;
	char reason[256];
	uint64_t bytes;
};

/* What the summary line says about the exit (copied from the event). */
struct kt_cap_exit {
	bool have;
	enum scx_origin origin;
	char sched[64], kind[24], reason[160], message[512], frame[256];
	bool has_ts;
	uint64_t ts_usec;
	bool has_stall;
	char stall_comm[32];
	int64_t stall_pid;
	uint64_t stall_msec;
	bool has_cpu; /* the event's dump header said "on CPU C" */
	int64_t cpu;
	bool reason_extra; /* the reason says more than the kind's standard text */
};

/* SCX_EV_* counters as read at one time (mono_ns: after the read). */
struct kt_cap_counters {
	size_t n;
	uint64_t mono_ns;
	struct scx_counter c[SCX_MAX_COUNTERS];
};

struct kt_cap_time {
	uint64_t real_ns, mono_ns;
};

struct tl_flightrec;
struct kt_ksyms;

struct kt_capture {
	struct kt_cap_opts o;
	struct kt_cap_part part[KT_PART_NR];
	enum kt_cap_end end;
	struct kt_cap_time armed, enabled, exited, written;
	uint64_t write_start_ns; /* mono: the bundle's writing began */
	uint64_t peak_rss_kib;	 /* VmHWM when the manifest is written */
	bool have_enabled, have_exited;
	char sched[64];
	char host[65], release[65];
	struct kt_loop loop;
	bool loop_ok;
	/* hostctx */
	struct hc_collector col;
	struct hostctx pre, post;
	bool have_pre, have_post;
	/* kmsg */
	struct kt_kmsg_reader k;
	bool have_k;
	struct kt_buf kmsg;
	uint64_t kmsg_records, kmsg_dropped, kmsg_lost;
	struct scx_parser p, sp; /* kernel log; scheduler output */
	struct kt_buf events, bt;
	size_t nevents;
	struct kt_cap_exit ex;
	/* sched_ext sysfs */
	bool have_scx;
	struct kt_buf scx_pre, scx_en, scx_post; /* arming, enable, end */
	struct kt_cap_counters last;		 /* the latest root/events read */
	struct kt_cap_counters post_ev;		 /* the counters at the exit */
	bool post_read;				 /* post_ev from root/events read at the exit */
	char post_src[160];			 /* where post_ev came from ("" when none) */
	char post_why[400];			 /* why there are none (an exit seen, no post_ev) */
	const char *exit_by;			 /* what saw the exit: "uevent", "poll", … */
	bool tl_idle;				 /* no scheduler when the timeline was attached, */
	uint64_t tl_seq;			 /* ... and enable_seq then */
	bool have_dcpu;				 /* a debug dump's "on CPU C" (scheduler output, */
	int64_t dcpu;				 /* the timeline's sched_ext_dump lines) */
	enum scx_kind dcpu_kind;
	uint64_t seq0;		/* enable_seq at arming */
	struct kt_buf *samples; /* ring of o.ring */
	size_t nsamples, sample_head;
	uint64_t samples_dropped;
	/* kallsyms, maps, timeline */
	struct kt_ksyms *ksyms;
	struct kt_snapring ring;
	bool have_ring, ring_budget_hit, maps_final;
	struct tl_flightrec *tl;
	struct kt_buf dump; /* now --dump: the sched_ext_dump lines */
	bool dump_asked;    /* SysRq-D was written */
	/* trigger */
	struct kt_scxtrig trig;
	int *prog_fds; /* held from enable: keeps [bpf] symbols */
	size_t nprog_fds;
	uint32_t prog_max; /* highest program id held or seen at arming */
	bool have_trig, taken;
	bool rt;	 /* the poller runs SCHED_FIFO */
	bool rt_dropped; /* ... until the fds were held, then SCHED_OTHER */
	/* promptness: how the enable was seen and what was taken when */
	bool uev;	     /* listening to the sched_ext uevents */
	char uev_err[96];    /* why not */
	uint64_t poll_ns;    /* the sysfs poll's period once armed */
	const char *seen_by; /* "uevent", "poll", "arming" */
	uint64_t seen_ns;    /* mono: the enable noticed */
	uint64_t fds_ns;     /* mono: program and map fds held */
	uint64_t syms_ns;    /* mono: the symbol table read */
	bool late;	     /* its programs were gone before they were held */
	bool en_full;	     /* scx_en read with the state enabled */
	bool have_logoff;
	int64_t logoff_ns; /* kernel log clock (local_clock) - CLOCK_MONOTONIC */
	bool have_enable_log;
	uint64_t enable_log_us; /* the kernel log's "... enabled" record */
	char rt_err[64];
	int grace_timer, poll_timer;
	/* run */
	pid_t child;
	int child_status;
	bool child_exited;
	int cfd[2]; /* its stdout, stderr (-1 at EOF) */
	struct kt_buf cout[2];
	struct kmsg_splitter csplit;
	bool csplit_ok;
};

void kt_cap_init(struct kt_capture *c, const struct kt_cap_opts *o);
/* Collect, wait as the mode says, write the bundle.  The exit status:
 * 0 a bundle with the exit (now: a bundle), 3 no exit (timeout or
 * interrupted; the bundle is written), 1 the bundle could not be
 * written; run: the scheduler's status. */
int kt_cap_run(struct kt_capture *c);
void kt_cap_free(struct kt_capture *c);

/* ---- pure ---- */

const char *kt_part_name(enum kt_bundle_part p);
const char *kt_part_status_name(enum kt_part_status s);
/* Set a part's status with a printf reason (NULL: none). */
void kt_cap_part_set(struct kt_capture *c, enum kt_bundle_part p, enum kt_part_status st,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Fill EX from an exit event. */
void kt_cap_exit_from(struct kt_cap_exit *ex, const struct scx_event *ev);
/* Note the CPU a debug dump's exit event names (the first one kept): the
 * summary line's CPU when the exit reported has none and its kind is the
 * dump's. */
void kt_cap_note_dump(struct kt_capture *c, const struct scx_event *ev);
/*
 * The counters at the exit when root/events was gone: BASE (the latest
 * read) plus the sched_ext_event deltas after it (NAME, DELTA pairs in
 * order) into OUT.  Pure, for tests.
 */
void kt_cap_counters_add(struct kt_cap_counters *out, const char *name, size_t len, int64_t delta);
/* sched_ext.json's "post" object (POST, written at the exit) with the
 * counters of another source and that source, or the reason there are
 * none, added: into OUT. */
void kt_cap_post_json(struct kt_buf *out, const struct kt_buf *post, const struct kt_capture *c);
/* The first frame a person looks at: not __scx_exit / scx_bpf_error* /
 * the exit machinery; "bpf_prog_TAG_" dropped.  "" when none. */
void kt_cap_first_frame(const struct scx_event *ev, char *buf, size_t n);
/* Line 1 of summary.txt (no newline). */
void kt_cap_summary_line(struct kt_buf *b, const struct kt_capture *c);
/* summary.txt whole. */
void kt_cap_summary(struct kt_buf *b, const struct kt_capture *c);
/* manifest.json. */
struct jw;
void kt_cap_manifest(struct jw *w, const struct kt_capture *c);

#endif
