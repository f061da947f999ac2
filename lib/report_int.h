/* SPDX-License-Identifier: MIT */
/* Internals shared by the report renderers (report.c, report_html.c). */
#ifndef KT_REPORT_INT_H
#define KT_REPORT_INT_H

#include "buf.h"
#include "report.h"
#include "scxexit.h"

struct kt_bundle;

enum {
	RP_SUMMARY,
	RP_EXIT,
	RP_DUMP,
	RP_TIMELINE,
	RP_COUNTERS,
	RP_MAPS,
	RP_HOSTCTX,
	RP_PARTS,
	RP_NSEC,
};

struct rp_sec {
	const char *title;
	const char *file;   /* the bundle file it comes from, or NULL */
	bool log;	    /* log text (a code block in Markdown) */
	struct kt_buf body; /* lines, each ending in '\n' */
};

struct rp_ctx {
	struct kt_report_opts o; /* defaults filled in */
	struct rp_timeline t;
	struct rp_sec secs[RP_NSEC];
};

int rp_prepare(struct rp_ctx *c, const struct kt_bundle *b, const struct kt_report_opts *o);
void rp_finish(struct rp_ctx *c);
int rp_sections(struct rp_sec *secs, const struct kt_bundle *b, const struct rp_timeline *t);
void rp_sections_free(struct rp_sec *secs);

size_t rp_lines(const char *s, size_t n);
const struct scx_frame *rp_culprit(const struct scx_event *ev);
void rp_frame_text(struct kt_buf *b, const struct scx_frame *f);
void rp_summary_line(struct kt_buf *b, const struct kt_bundle *bd);

/* One SCX_EV counter's series over pre, the samples and post. */
struct rp_counter {
	const char *name;
	int64_t *v;
	uint64_t *t; /* mono_ns of each point (0 when unknown) */
	size_t n;
	bool changed;
};
int rp_counters(const struct kt_bundle *b, struct rp_counter **out, size_t *n);
void rp_counters_free(struct rp_counter *c, size_t n);
/* Which snapshots hold counters, as the section says it ("at the enable,
 * 2 of 3 samples, after the exit (SOURCE)"), and what is known of the
 * post-exit ones when they are missing; the number of points. */
size_t rp_counter_points(const struct kt_bundle *b, struct kt_buf *out);

#endif
