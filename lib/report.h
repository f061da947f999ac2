/* SPDX-License-Identifier: MIT */
/*
 * `capture report`: a loaded bundle (bundle_read.h) as text, as Markdown
 * for a GitHub issue, or as one self-contained HTML page.  Pure functions
 * from the bundle to a FILE (an lib/out sink); nothing is read here.
 *
 * Sections, in the order a person reads them:
 *   summary      summary.txt's first line and the bundle's facts
 *   exit         kind, reason, message, stall; the backtrace as the
 *                kernel printed it (exact sizes, BPF frames named)
 *   dump         the scheduler's debug dump
 *   timeline     per CPU, the last events before the exit; who ran, who
 *                was runnable and for how long
 *   counters     SCX_EV_* counters that changed over the samples
 *   maps         the map entries that changed in the ring (BTF-typed)
 *   hostctx      the host context diff, arming -> exit
 *   parts        every part's status, and what is missing and why
 */
#ifndef KT_REPORT_H
#define KT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "timeline.h"

struct kt_bundle;

/* GitHub's issue/comment body limit (characters). */
#define KT_REPORT_MD_LIMIT 65536

struct kt_report_opts {
	unsigned width;	    /* text columns (0: no limit) */
	bool full;	    /* every line of every section, nothing cut */
	unsigned last_n;    /* events per CPU before the exit (0: 12) */
	uint64_t window_ns; /* HTML timeline: the window before the exit (0: 10 s) */
	size_t md_limit;    /* Markdown size limit (0: KT_REPORT_MD_LIMIT) */
	unsigned svg_width; /* HTML timeline plot width in px (0: 1100) */
};

int kt_report_text(FILE *fp, const struct kt_bundle *b, const struct kt_report_opts *o);
int kt_report_markdown(FILE *fp, const struct kt_bundle *b, const struct kt_report_opts *o);
int kt_report_html(FILE *fp, const struct kt_bundle *b, const struct kt_report_opts *o);

/* ---- the timeline around the exit (report_tl.c) ---------------------------- */

struct rp_slice {
	uint64_t t0, t1;
	uint32_t pid;
	bool preempted; /* ended by a preemption */
};

enum rp_mark_kind { RP_MARK_WAKEUP, RP_MARK_MIGRATE };

struct rp_mark {
	uint64_t ts;
	uint32_t pid;
	uint32_t other; /* migrate: the source CPU */
	enum rp_mark_kind kind;
};

struct rp_waiter {
	uint32_t pid;
	uint64_t since; /* runnable since (woken, or preempted) */
};

struct rp_cpu {
	uint32_t cpu;
	bool used;
	struct rp_slice *s;
	size_t ns, caps;
	struct rp_mark *m;
	size_t nm, capm;
	size_t *last; /* ring of record offsets (last_n) */
	size_t nlast, hlast;
	bool seen;    /* a switch was seen: cur is known */
	uint32_t cur; /* running at the exit (or at the end) */
	uint64_t since;
	struct rp_waiter *wait; /* runnable, not running, at the exit */
	size_t nwait;
};

struct rp_timeline {
	const unsigned char *buf;
	size_t len;
	uint64_t t0, t1; /* the window shown */
	uint64_t first_ts, last_ts;
	uint64_t exit_ts;    /* 0: no exit known (the end is used) */
	bool exit_in_tl;     /* the timeline holds a sched_ext exit record */
	struct rp_cpu *cpus; /* by CPU id */
	size_t ncpus;
	struct tl_comms comms;
	uint64_t events, slices, marks;
	unsigned last_n;
	bool oom;
};

/* Build from a capture's records: slices and marks inside
 * [EXIT - WINDOW, EXIT] (EXIT 0: the last event), the last LAST_N events
 * of each CPU up to the exit, and the runnable tasks at the exit. */
int rp_timeline_build(struct rp_timeline *t, const void *buf, size_t len, uint64_t exit_ts,
		      uint64_t window_ns, unsigned last_n);
void rp_timeline_free(struct rp_timeline *t);
/* The text section: per CPU the last events and who waited. */
void rp_timeline_text(struct kt_buf *out, const struct rp_timeline *t);
/* The name of PID ("?" when unknown). */
const char *rp_comm(const struct rp_timeline *t, uint32_t pid);

#endif
