// SPDX-License-Identifier: MIT
/*
 * The HTML report: one self-contained page (inline CSS and SVG, no
 * script, no font, no network), readable at 1280 px.
 *
 * The timeline is an SVG per zoom window (the whole window before the
 * exit, a tenth of it, a hundredth), shown one at a time by CSS radio
 * buttons, so even zoom works without JavaScript.  A lane per CPU; a rect
 * per running-task slice, coloured by task, with a <title> (task, pid,
 * start relative to the exit, duration); wakeup and migration ticks above
 * the slices; the exit as a red line.  What is narrower than MIN_PX at a
 * zoom is aggregated per BUCKET_PX column into one rect (class "agg",
 * data-n = the slices it stands for, coloured by the longest of them), so
 * the page stays small whatever the event count; the page says how many
 * were aggregated.  Every slice rect carries data-n (1 for a plain one):
 * the sum over a lane is the number of slices in the window.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle_read.h"
#include "json.h"
#include "report_int.h"
#include "text.h"

#define MIN_PX 1.0
#define BUCKET_PX 2.0
#define LABEL_PX 56
#define AXIS_PX 22
#define LANE_PX 20
#define SLICE_PX 13
#define NZOOM 3
#define MAX_MAP_ROWS 2000

struct hx {
	FILE *fp;
	const struct kt_bundle *b;
	struct rp_ctx *c;
	uint64_t agg_slices, agg_rects;
};

/* ---- escaping --------------------------------------------------------------- */

static void esc(FILE *fp, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char ch = (unsigned char)s[i];
		size_t k;

		switch (ch) {
		case '&':
			fputs("&amp;", fp);
			i++;
			continue;
		case '<':
			fputs("&lt;", fp);
			i++;
			continue;
		case '>':
			fputs("&gt;", fp);
			i++;
			continue;
		case '"':
			fputs("&quot;", fp);
			i++;
			continue;
		case '\n':
		case '\t':
			fputc(ch, fp);
			i++;
			continue;
		default:
			break;
		}
		if (ch < 0x20 || ch == 0x7f) {
			fprintf(fp, "\\x%02x", ch);
			i++;
			continue;
		}
		if (ch < 0x80) {
			fputc(ch, fp);
			i++;
			continue;
		}
		k = kt_utf8_seq_len(s + i, n - i);
		if (!k) {
			fputs("\xef\xbf\xbd", fp); /* U+FFFD */
			i++;
			continue;
		}
		fwrite(s + i, 1, k, fp);
		i += k;
	}
}

static void escs(FILE *fp, const char *s)
{
	if (s)
		esc(fp, s, strlen(s));
}

static void pre(FILE *fp, const struct kt_buf *b)
{
	fputs("<pre>", fp);
	if (b->p)
		esc(fp, b->p, b->len);
	fputs("</pre>\n", fp);
}

/* ---- page frame ------------------------------------------------------------------ */

static const char css[] =
	"*{box-sizing:border-box}"
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;"
	"max-width:1240px;padding:12px 16px;color:#1b1f24;background:#fff}"
	"h1{font-size:20px;margin:4px 0}h2{font-size:16px;margin:22px 0 6px;border-bottom:1px "
	"solid "
	"#d0d7de;padding-bottom:3px}"
	".sum{font:600 15px/1.4 "
	"ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#fff1f0;"
	"border-left:4px solid #cf222e;padding:8px "
	"10px;white-space:pre-wrap;overflow-wrap:anywhere}"
	"pre{font:12px/1.35 "
	"ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f6f8fa;"
	"padding:8px;white-space:pre-wrap;overflow-wrap:anywhere;max-height:480px;overflow-y:auto;"
	"margin:4px 0}"
	"nav a{margin-right:12px}table{border-collapse:collapse;width:100%;table-layout:fixed;"
	"font-size:12px}td,th{border:1px solid #d0d7de;padding:2px 5px;vertical-align:top;"
	"overflow-wrap:anywhere;text-align:left}th{background:#f6f8fa}"
	"td code{font-size:11px}.note{color:#57606a;font-size:12px}"
	".zoom input{margin-left:10px}.tlw svg{display:none;width:100%;height:auto}"
	"#z0:checked~.tlw .z0,#z1:checked~.tlw .z1,#z2:checked~.tlw .z2{display:block}"
	".lane text,.axis text{font:11px ui-monospace,Menlo,Consolas,monospace;fill:#1b1f24}"
	".bg{fill:#f3f4f6}.s{stroke:none}.agg{opacity:.75}.w{stroke:#0969da;stroke-width:1}"
	".m{stroke:#8250df;stroke-width:1.5}.exit{stroke:#cf222e;stroke-width:2}"
	".tick{stroke:#d0d7de}.ctr{display:grid;grid-template-columns:repeat(auto-fill,minmax("
	"280px,"
	"1fr));gap:8px}.ctr div{border:1px solid #d0d7de;padding:4px 6px}.ctr svg{width:100%;"
	"height:46px}.ctr polyline{fill:none;stroke:#0969da;stroke-width:1.5}"
	".ok{color:#1a7f37}.partial{color:#9a6700}.unavailable,.unset{color:#cf222e}";

static void head(struct hx *x)
{
	struct kt_buf s = {0};

	rp_summary_line(&s, x->b);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:\">"
	      "<title>ktbox report: ",
	      x->fp);
	if (s.p)
		esc(x->fp, s.p, s.len);
	fprintf(x->fp, "</title><style>%s</style></head><body>\n", css);
	fputs("<h1>sched_ext failure report</h1>\n<div class=\"sum\" id=\"summary\">", x->fp);
	if (s.p)
		esc(x->fp, s.p, s.len);
	fputs("</div>\n", x->fp);
	kt_buf_free(&s);
	{
		const struct kt_buf *body = &x->c->secs[RP_SUMMARY].body;
		size_t l = body->p ? strcspn(body->p, "\n") : 0;

		if (body->p && body->p[l]) {
			fputs("<pre>", x->fp);
			esc(x->fp, body->p + l + 1, body->len - l - 1);
			fputs("</pre>\n", x->fp);
		}
	}
	fputs("<nav><a href=\"#exit\">exit</a><a href=\"#timeline\">timeline</a>"
	      "<a href=\"#counters\">counters</a><a href=\"#maps\">maps</a><a "
	      "href=\"#dump\">dump</a>"
	      "<a href=\"#hostctx\">host context</a><a href=\"#parts\">parts</a>"
	      "<a href=\"#files\">files</a></nav>\n",
	      x->fp);
}

/* ---- the timeline ----------------------------------------------------------------- */

static unsigned hue(uint32_t pid)
{
	return (unsigned)(pid * 137u % 360u); /* golden angle: neighbours differ */
}

static void rel(FILE *fp, uint64_t ts, uint64_t ref)
{
	if (ts <= ref)
		fprintf(fp, "-%.6f s", (double)(ref - ts) / 1e9);
	else
		fprintf(fp, "+%.6f s", (double)(ts - ref) / 1e9);
}

struct zoom {
	uint64_t w0, w1;
	double scale; /* px per ns */
	double x0;    /* plot origin */
};

static double xof(const struct zoom *z, uint64_t ts)
{
	if (ts < z->w0)
		ts = z->w0;
	if (ts > z->w1)
		ts = z->w1;
	return z->x0 + (double)(ts - z->w0) * z->scale;
}

struct bucket {
	long idx;
	double x0, x1;
	uint64_t n, best_dur, t0, t1;
	uint32_t best_pid;
};

static void flush_bucket(struct hx *x, struct bucket *k, double y, uint64_t *nsl)
{
	const struct rp_timeline *t = &x->c->t;

	if (!k->n)
		return;
	if (k->n == 1) {
		fprintf(x->fp,
			"<rect class=\"s\" x=\"%.1f\" y=\"%.0f\" width=\"%.2f\" height=\"%d\" "
			"fill=\"hsl(%u 55%% 55%%)\" data-n=\"1\"><title>",
			k->x0, y, k->x1 - k->x0 < 0.3 ? 0.3 : k->x1 - k->x0, SLICE_PX,
			hue(k->best_pid));
		escs(x->fp, rp_comm(t, k->best_pid));
		fprintf(x->fp, " pid %u, start ", k->best_pid);
	} else {
		fprintf(x->fp,
			"<rect class=\"s agg\" x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%d\" "
			"fill=\"hsl(%u 55%% 55%%)\" data-n=\"%" PRIu64 "\"><title>%" PRIu64
			" slices (aggregated), longest ",
			k->x0, y, k->x1 - k->x0 < BUCKET_PX ? BUCKET_PX : k->x1 - k->x0, SLICE_PX,
			hue(k->best_pid), k->n, k->n);
		escs(x->fp, rp_comm(t, k->best_pid));
		fprintf(x->fp, "[%u]; ", k->best_pid);
		x->agg_slices += k->n;
		x->agg_rects++;
	}
	rel(x->fp, k->t0, t->exit_ts ? t->exit_ts : t->t1);
	fprintf(x->fp, ", %.3f ms</title></rect>", (double)(k->t1 - k->t0) / 1e6);
	*nsl += k->n;
	memset(k, 0, sizeof(*k));
	k->idx = -1;
}

static void lane_slices(struct hx *x, const struct rp_cpu *c, const struct zoom *z, double y,
			uint64_t *nsl)
{
	struct bucket k = {.idx = -1};

	for (size_t i = 0; i < c->ns; i++) {
		const struct rp_slice *s = &c->s[i];
		double a, e;
		long idx;

		if (s->t1 < z->w0 || s->t0 > z->w1 || (s->t1 == z->w0 && s->t0 < s->t1))
			continue;
		a = xof(z, s->t0);
		e = xof(z, s->t1);
		idx = (long)((a - z->x0) / BUCKET_PX);
		if (e - a >= MIN_PX) {
			flush_bucket(x, &k, y, nsl);
			k = (struct bucket){.idx = -1,
					    .x0 = a,
					    .x1 = e,
					    .n = 1,
					    .t0 = s->t0,
					    .t1 = s->t1,
					    .best_pid = s->pid,
					    .best_dur = s->t1 - s->t0};
			flush_bucket(x, &k, y, nsl);
			continue;
		}
		if (k.n && idx != k.idx)
			flush_bucket(x, &k, y, nsl);
		if (!k.n) {
			k.idx = idx;
			k.x0 = z->x0 + (double)idx * BUCKET_PX;
			k.t0 = s->t0;
		}
		k.n++;
		k.x1 = e > k.x0 + BUCKET_PX ? e : k.x0 + BUCKET_PX;
		k.t1 = s->t1;
		if (s->t1 - s->t0 >= k.best_dur) {
			k.best_dur = s->t1 - s->t0;
			k.best_pid = s->pid;
		}
	}
	flush_bucket(x, &k, y, nsl);
}

/* Wakeup and migration ticks: a line with a title each, or, past
 * MARKS_TITLED in the lane, one path per kind (a tick per column) with one
 * title giving the count. */
#define MARKS_TITLED 300
static void lane_marks(struct hx *x, const struct rp_cpu *c, const struct zoom *z, double y)
{
	const struct rp_timeline *t = &x->c->t;
	size_t n[2] = {0, 0};

	for (size_t i = 0; i < c->nm; i++)
		if (c->m[i].ts >= z->w0 && c->m[i].ts <= z->w1)
			n[c->m[i].kind == RP_MARK_MIGRATE]++;
	for (int k = 0; k < 2; k++) {
		long last = -1;
		bool path = n[k] > MARKS_TITLED;

		if (!n[k])
			continue;
		if (path)
			fprintf(x->fp, "<path class=\"%s\" d=\"", k ? "m" : "w");
		for (size_t i = 0; i < c->nm; i++) {
			const struct rp_mark *m = &c->m[i];
			double px;
			long idx;

			if ((m->kind == RP_MARK_MIGRATE) != k || m->ts < z->w0 || m->ts > z->w1)
				continue;
			px = xof(z, m->ts);
			idx = (long)((px - z->x0) / BUCKET_PX);
			if (idx == last)
				continue; /* one tick per column is all one can see */
			last = idx;
			if (path) {
				fprintf(x->fp, "M%.1f %.0fv%d", px, y - (k ? 4 : 3), k ? 8 : 4);
				continue;
			}
			fprintf(x->fp,
				"<line class=\"%s\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" "
				"y2=\"%.0f\"><title>",
				k ? "m" : "w", px, px, y - (k ? 4 : 3), y + (k ? 4 : 1));
			fputs(k ? "migrate " : "wakeup ", x->fp);
			escs(x->fp, rp_comm(t, m->pid));
			fprintf(x->fp, " pid %u", m->pid);
			if (k)
				fprintf(x->fp, " from cpu %u", m->other);
			fputs(" at ", x->fp);
			rel(x->fp, m->ts, t->exit_ts ? t->exit_ts : t->t1);
			fputs("</title></line>", x->fp);
		}
		if (path)
			fprintf(x->fp,
				"\"><title>%zu %s on this CPU in this window (ticks merged per "
				"%.0f px column; zoom in for each one)</title></path>",
				n[k], k ? "migrations" : "wakeups", BUCKET_PX);
	}
}

static void axis(struct hx *x, const struct zoom *z, double h)
{
	const struct rp_timeline *t = &x->c->t;
	uint64_t ref = t->exit_ts ? t->exit_ts : t->t1;
	double span = (double)(z->w1 - z->w0) / 1e9;

	fputs("<g class=\"axis\">", x->fp);
	for (int i = 0; i <= 10; i++) {
		double px = z->x0 + (double)i * (double)x->c->o.svg_width / 10;
		double at = (double)z->w0 / 1e9 + span * i / 10 - (double)ref / 1e9;

		fprintf(x->fp,
			"<line class=\"tick\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\"/>"
			"<text x=\"%.1f\" y=\"14\" text-anchor=\"%s\">%+.*f s</text>",
			px, px, AXIS_PX - 4, h, px,
			i == 0	  ? "start"
			: i == 10 ? "end"
				  : "middle",
			span < 0.02 ? 4
			: span < 2  ? 3
				    : 2,
			at);
	}
	fputs("</g>", x->fp);
}

static void svg_zoom(struct hx *x, int zi, uint64_t span)
{
	const struct rp_timeline *t = &x->c->t;
	struct zoom z;
	unsigned nl = 0, w = x->c->o.svg_width;
	double h;
	uint64_t total = 0;

	for (size_t i = 0; i < t->ncpus; i++)
		nl += t->cpus[i].used;
	z.w1 = t->t1;
	z.w0 = t->t1 - span < t->t0 || span > t->t1 ? t->t0 : t->t1 - span;
	if (z.w1 <= z.w0)
		z.w1 = z.w0 + 1;
	z.x0 = LABEL_PX;
	z.scale = (double)w / (double)(z.w1 - z.w0);
	h = AXIS_PX + nl * LANE_PX + 4;
	fprintf(x->fp,
		"<svg class=\"tl z%d\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %u "
		"%.0f\" "
		"data-t0=\"%" PRIu64 "\" data-t1=\"%" PRIu64 "\" data-x0=\"%d\" data-w=\"%u\"%s>",
		zi, LABEL_PX + w + 4, h, z.w0, z.w1, LABEL_PX, w,
		zi == 0 ? " data-default=\"1\"" : "");
	axis(x, &z, h);
	nl = 0;
	for (size_t i = 0; i < t->ncpus; i++) {
		const struct rp_cpu *c = &t->cpus[i];
		double y = AXIS_PX + nl++ * LANE_PX;
		uint64_t nsl = 0;

		if (!c->used) {
			nl--;
			continue;
		}
		fprintf(x->fp,
			"<g class=\"lane\" data-cpu=\"%u\"><text x=\"2\" y=\"%.1f\">CPU %u</text>"
			"<rect class=\"bg\" x=\"%d\" y=\"%.1f\" width=\"%u\" height=\"%d\"/>",
			c->cpu, y + 11, c->cpu, LABEL_PX, y + 2, w, SLICE_PX);
		lane_slices(x, c, &z, y + 2, &nsl);
		lane_marks(x, c, &z, y + 2);
		fprintf(x->fp, "</g>");
		total += nsl;
	}
	if (t->exit_ts && t->exit_ts >= z.w0 && t->exit_ts <= z.w1) {
		double px = xof(&z, t->exit_ts);

		fprintf(x->fp,
			"<line class=\"exit\" data-ts=\"%" PRIu64 "\" x1=\"%.2f\" x2=\"%.2f\" "
			"y1=\"%d\" y2=\"%.1f\"><title>sched_ext exit at %" PRIu64 ".%09" PRIu64
			" s (monotonic)</title></line>",
			t->exit_ts, px, px, AXIS_PX - 6, h, t->exit_ts / 1000000000,
			t->exit_ts % 1000000000);
	}
	fprintf(x->fp, "<desc>%" PRIu64 " slices in this window</desc></svg>\n", total);
}

/* The tasks that ran longest in the window, with their colours. */
#define LEGEND 12
struct pidns {
	uint32_t pid;
	uint64_t ns;
};

static void legend(struct hx *x)
{
	const struct rp_timeline *t = &x->c->t;
	struct pidns *h, top[LEGEND] = {0};
	size_t cap = 64, total = 0;

	for (size_t i = 0; i < t->ncpus; i++)
		total += t->cpus[i].ns;
	while (cap < 2 * total)
		cap *= 2;
	h = calloc(cap, sizeof(*h));
	if (!h)
		return;
	/* time per task: open addressing, at most TOTAL distinct pids */
	for (size_t i = 0; i < t->ncpus; i++)
		for (size_t k = 0; k < t->cpus[i].ns; k++) {
			const struct rp_slice *s = &t->cpus[i].s[k];
			size_t j = (s->pid * 2654435761u) & (cap - 1);

			while (h[j].pid && h[j].pid != s->pid)
				j = (j + 1) & (cap - 1);
			h[j].pid = s->pid;
			h[j].ns += s->t1 - s->t0;
		}
	/* the LEGEND longest, kept sorted (longest first) */
	for (size_t j = 0; j < cap; j++) {
		size_t k = LEGEND;

		if (!h[j].pid || h[j].ns <= top[LEGEND - 1].ns)
			continue;
		while (k > 0 && top[k - 1].ns < h[j].ns) {
			if (k < LEGEND)
				top[k] = top[k - 1];
			k--;
		}
		top[k] = h[j];
	}
	fputs("<p class=\"note\">longest running:", x->fp);
	for (size_t k = 0; k < LEGEND && top[k].ns; k++) {
		fprintf(x->fp, " <span style=\"background:hsl(%u 55%% 55%%)\">&nbsp;&nbsp;</span> ",
			hue(top[k].pid));
		escs(x->fp, rp_comm(t, top[k].pid));
		fprintf(x->fp, "[%u] %.1f ms;", top[k].pid, (double)top[k].ns / 1e6);
	}
	fputs("</p>\n", x->fp);
	free(h);
}

/* Who was runnable but not running at the exit, longest wait first per CPU
 * (a stall's stuck task never ran in the window: no slice shows it). */
static void waiting(struct hx *x)
{
	const struct rp_timeline *t = &x->c->t;
	uint64_t ref = t->exit_ts ? t->exit_ts : t->t1;
	bool any = false;

	for (size_t i = 0; i < t->ncpus; i++) {
		const struct rp_cpu *c = &t->cpus[i];

		for (size_t k = 0; k < c->nwait && k < 4; k++) {
			fputs(any ? "; "
				  : "<p class=\"note\" id=\"waiting\">runnable at the exit, not "
				    "running: ",
			      x->fp);
			any = true;
			fprintf(x->fp, "CPU %u: <b>", c->cpu);
			escs(x->fp, rp_comm(t, c->wait[k].pid));
			fprintf(x->fp, "[%u]</b> waiting %.3f ms", c->wait[k].pid,
				(double)(ref - c->wait[k].since) / 1e6);
		}
		if (c->nwait > 4)
			fprintf(x->fp, " (and %zu more)", c->nwait - 4);
	}
	if (any)
		fputs("</p>\n", x->fp);
}

static void sec_timeline(struct hx *x)
{
	const struct rp_timeline *t = &x->c->t;
	uint64_t span = t->t1 - t->t0;
	static const char *const names[NZOOM] = {"whole window", "last tenth", "last hundredth"};

	fputs("<h2 id=\"timeline\">Timeline before the exit</h2>\n", x->fp);
	if (!x->b->has_tl) {
		fputs("<p class=\"note\">no timeline in the bundle</p>\n", x->fp);
		return;
	}
	fprintf(x->fp,
		"<p class=\"note\">%" PRIu64 " events, %" PRIu64 " slices and %" PRIu64
		" wakeup/migration marks in the last %.3f s before %s, on %zu CPU lanes. Hover a "
		"slice for its task, pid, start (relative to the exit) and duration.</p>\n",
		t->events, t->slices, t->marks, (double)span / 1e9,
		t->exit_ts ? "the exit" : "the last event (no exit known)", (size_t)0 + t->ncpus);
	fputs("<div class=\"zoom\">zoom:", x->fp);
	for (int i = 0; i < NZOOM; i++)
		fprintf(x->fp,
			"<input type=\"radio\" name=\"z\" id=\"z%d\"%s><label for=\"z%d\"> %s "
			"(%.3f s)</label>",
			i, i ? "" : " checked", i, names[i],
			(double)span / 1e9 /
				(i == 0	  ? 1
				 : i == 1 ? 10
					  : 100));
	fputs("\n<div class=\"tlw\">\n", x->fp);
	legend(x);
	for (int i = 0; i < NZOOM; i++)
		svg_zoom(x, i, i == 0 ? span : i == 1 ? span / 10 : span / 100);
	fputs("</div></div>\n", x->fp);
	if (x->agg_rects)
		fprintf(x->fp,
			"<p class=\"note\" id=\"aggregated\">Aggregated (over the three zooms): "
			"%" PRIu64 " slices too narrow to see at their zoom (under %.0f px) are "
			"drawn as %" PRIu64
			" rects, one per %.0f px column, coloured by the longest; their titles "
			"say how many each holds (data-n). Zoom in to see them one by one.</p>\n",
			x->agg_slices, MIN_PX, x->agg_rects, BUCKET_PX);
	waiting(x);
	fputs("<details><summary>last events per CPU (text)</summary>", x->fp);
	pre(x->fp, &x->c->secs[RP_TIMELINE].body);
	fputs("</details>\n", x->fp);
}

/* ---- counters --------------------------------------------------------------- */

static void sec_counters(struct hx *x)
{
	struct rp_counter *c;
	size_t n, shown = 0, npts;
	struct kt_buf pts = {0};

	fputs("<h2 id=\"counters\">SCX_EV counters</h2>\n", x->fp);
	if (rp_counters(x->b, &c, &n) || !n) {
		pre(x->fp, &x->c->secs[RP_COUNTERS].body);
		return;
	}
	fputs("<div class=\"ctr\">", x->fp);
	for (size_t i = 0; i < n; i++) {
		const struct rp_counter *k = &c[i];
		int64_t lo = INT64_MAX, hi = INT64_MIN;

		if (!k->changed)
			continue;
		shown++;
		for (size_t j = 0; j < k->n; j++) {
			lo = k->v[j] < lo ? k->v[j] : lo;
			hi = k->v[j] > hi ? k->v[j] : hi;
		}
		fputs("<div><code>", x->fp);
		escs(x->fp, k->name);
		fprintf(x->fp,
			"</code> %" PRId64 " &rarr; %" PRId64 " (%+" PRId64 ")"
			"<svg viewBox=\"0 0 260 46\" preserveAspectRatio=\"none\"><title>",
			k->v[0], k->v[k->n - 1], k->v[k->n - 1] - k->v[0]);
		for (size_t j = 0; j < k->n; j++)
			fprintf(x->fp, "%s%" PRId64, j ? " " : "", k->v[j]);
		fputs("</title><polyline points=\"", x->fp);
		for (size_t j = 0; j < k->n; j++)
			fprintf(x->fp, "%.1f,%.1f ",
				k->n > 1 ? 2 + 256.0 * (double)j / (double)(k->n - 1) : 130,
				hi > lo ? 43 - 40.0 * (double)(k->v[j] - lo) / (double)(hi - lo)
					: 23);
		fputs("\"/></svg></div>", x->fp);
	}
	fputs("</div>\n", x->fp);
	npts = rp_counter_points(x->b, &pts);
	fprintf(x->fp, "<p class=\"note\">%zu of %zu counters changed over %zu point%s: ", shown, n,
		npts, npts == 1 ? "" : "s");
	if (pts.p)
		escs(x->fp, pts.p);
	fputs("; unchanged ones are not drawn.</p>\n", x->fp);
	kt_buf_free(&pts);
	rp_counters_free(c, n);
}

/* ---- maps ------------------------------------------------------------------------- */

/* A parsed JSON value back to compact text (through the one writer). */
static void jval(struct jw *w, const struct jr_val *v)
{
	switch (v->type) {
	case JR_NULL:
		jw_null(w);
		break;
	case JR_BOOL:
		jw_bool(w, v->b);
		break;
	case JR_NUMBER:
		if (v->num.is_u64)
			jw_u64(w, v->num.u);
		else
			jw_double(w, v->num.d);
		break;
	case JR_STRING:
		jw_strn(w, v->str.s, v->str.len);
		break;
	case JR_ARRAY:
		jw_arr_open(w);
		for (size_t i = 0; i < v->arr.n; i++)
			jval(w, &v->arr.v[i]);
		jw_arr_close(w);
		break;
	case JR_OBJECT:
		jw_obj_open(w);
		for (size_t i = 0; i < v->obj.n; i++) {
			jw_key(w, v->obj.m[i].key);
			jval(w, &v->obj.m[i].val);
		}
		jw_obj_close(w);
		break;
	}
}

static void cell_json(FILE *fp, const struct jr_val *v)
{
	struct kt_buf b = {0};
	struct jw w;

	if (!v) {
		fputs("<td></td>", fp);
		return;
	}
	jw_init_buf(&w, &b, 0);
	jval(&w, v);
	fputs("<td><code>", fp);
	if (b.p)
		esc(fp, b.p, b.len);
	fputs("</code></td>", fp);
	kt_buf_free(&b);
}

static void sec_maps(struct hx *x)
{
	const struct jr_val *maps = x->b->has_maps ? jr_get(&x->b->maps, "maps") : NULL;
	size_t rows = 0, total = 0;

	fputs("<h2 id=\"maps\">Map entries that changed</h2>\n", x->fp);
	if (!maps || maps->type != JR_ARRAY) {
		pre(x->fp, &x->c->secs[RP_MAPS].body);
		return;
	}
	fputs("<table><colgroup><col style=\"width:16%\"><col style=\"width:26%\"><col "
	      "style=\"width:10%\"><col></colgroup><tr><th>map</th><th>key</th><th>ms before the "
	      "final "
	      "snapshot</th><th>value</th></tr>\n",
	      x->fp);
	for (size_t i = 0; i < maps->arr.n; i++) {
		const struct jr_val *m = &maps->arr.v[i], *ch = jr_get(m, "changed");
		const struct jr_val *name = jr_get(m, "name"), *id = jr_get(m, "id");

		for (size_t k = 0; ch && ch->type == JR_ARRAY && k < ch->arr.n; k++) {
			const struct jr_val *e = &ch->arr.v[k], *h = jr_get(e, "history");

			for (size_t j = 0; h && h->type == JR_ARRAY && j < h->arr.n; j++) {
				const struct jr_val *p = &h->arr.v[j],
						    *ms = jr_get(p, "ms_before_final");

				total++;
				if (rows >= MAX_MAP_ROWS)
					continue;
				rows++;
				fprintf(x->fp, "<tr><td>%" PRIu64 " ",
					id && id->type == JR_NUMBER ? id->num.u : 0);
				if (name && name->type == JR_STRING)
					escs(x->fp, name->str.s);
				fputs("</td>", x->fp);
				cell_json(x->fp, j ? NULL : jr_get(e, "key"));
				fprintf(x->fp, "<td>%.0f</td>",
					ms && ms->type == JR_NUMBER ? ms->num.d : 0.0);
				if (jr_get(p, "deleted"))
					fputs("<td>deleted</td>", x->fp);
				else
					cell_json(x->fp, jr_get(p, "value"));
				fputs("</tr>\n", x->fp);
			}
		}
	}
	fputs("</table>\n", x->fp);
	if (!total)
		fputs("<p class=\"note\">no entry changed in the ring</p>\n", x->fp);
	if (rows < total)
		fprintf(x->fp,
			"<p class=\"note\">%zu of %zu rows shown: the rest is in maps/ "
			"(<code>bpfdump show</code>).</p>\n",
			rows, total);
}

/* ---- the rest ------------------------------------------------------------------------- */

static void href(FILE *fp, const char *abs, const char *name)
{
	fputs("file://", fp);
	for (const char *s = abs; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("/-._~", ch))
			fputc(ch, fp);
		else
			fprintf(fp, "%%%02X", ch);
	}
	fprintf(fp, "/%s", name);
}

static void sec_files(struct hx *x)
{
	static const char *const files[] = {
		KT_BUNDLE_MANIFEST,	KT_BUNDLE_SUMMARY,   KT_BUNDLE_HOSTCTX,
		KT_BUNDLE_HOSTCTX_DIFF, KT_BUNDLE_KMSG,	     KT_BUNDLE_EVENTS,
		KT_BUNDLE_BACKTRACE,	KT_BUNDLE_SCHED_EXT, KT_BUNDLE_KALLSYMS,
		KT_BUNDLE_MAPS,		KT_BUNDLE_TIMELINE,  KT_BUNDLE_TRACE,
		KT_BUNDLE_SCHED_OUT,	KT_BUNDLE_SCHED_ERR,
	};
	char *abs = x->b->tar ? NULL : realpath(x->b->dir, NULL);

	fputs("<h2 id=\"files\">Bundle files</h2>\n<ul>", x->fp);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *p;
		bool there;

		if (asprintf(&p, "%s/%s", x->b->dir, files[i]) < 0)
			continue;
		there = !access(p, F_OK);
		free(p);
		if (!there)
			continue;
		fputs("<li>", x->fp);
		if (abs) {
			fputs("<a href=\"", x->fp);
			href(x->fp, abs, files[i]);
			fputs("\">", x->fp);
		}
		escs(x->fp, files[i]);
		fputs(abs ? "</a>" : "", x->fp);
		if (!strcmp(files[i], KT_BUNDLE_TRACE))
			fputs(" — Chrome trace-event JSON: open it in Perfetto (ui.perfetto.dev, "
			      "\"Open trace file\") or chrome://tracing",
			      x->fp);
		fputs("</li>", x->fp);
	}
	fputs("</ul>\n", x->fp);
	if (x->b->tar) {
		fputs("<p class=\"note\">The files are inside ", x->fp);
		escs(x->fp, x->b->path);
		fputs(" (unpack it to open them).</p>\n", x->fp);
	}
	free(abs);
}

static void sec_parts(struct hx *x)
{
	fputs("<h2 id=\"parts\">Parts, and what is missing</h2>\n<table><tr><th "
	      "style=\"width:14%\">"
	      "part</th><th style=\"width:12%\">status</th><th>reason</th></tr>",
	      x->fp);
	for (unsigned i = 0; i < KT_PART_NR; i++) {
		const struct kt_bpart *p = &x->b->parts[i];

		if (!p->listed)
			continue;
		fprintf(x->fp, "<tr><td>%s</td><td class=\"%s\">%s</td><td>",
			kt_bundle_part_name(i), kt_bundle_status_name(p->status),
			kt_bundle_status_name(p->status));
		escs(x->fp, p->reason);
		fputs("</td></tr>", x->fp);
	}
	fputs("</table>\n", x->fp);
	if (x->b->nnotes) {
		fputs("<ul class=\"missing\">", x->fp);
		for (size_t i = 0; i < x->b->nnotes; i++) {
			fputs("<li>", x->fp);
			escs(x->fp, x->b->notes[i]);
			fputs("</li>", x->fp);
		}
		fputs("</ul>\n", x->fp);
	} else {
		fputs("<p class=\"note\">nothing missing</p>\n", x->fp);
	}
}

int kt_report_html(FILE *fp, const struct kt_bundle *b, const struct kt_report_opts *o)
{
	struct rp_ctx c;
	struct hx x = {fp, b, &c, 0, 0};

	if (rp_prepare(&c, b, o)) {
		rp_finish(&c);
		return -1;
	}
	head(&x);
	fputs("<h2 id=\"exit\">Exit and backtrace</h2>\n", fp);
	pre(fp, &c.secs[RP_EXIT].body);
	sec_timeline(&x);
	sec_counters(&x);
	sec_maps(&x);
	fputs("<h2 id=\"dump\">Debug dump</h2>\n", fp);
	pre(fp, &c.secs[RP_DUMP].body);
	fputs("<h2 id=\"hostctx\">Host context, arming &rarr; exit</h2>\n", fp);
	pre(fp, &c.secs[RP_HOSTCTX].body);
	if (b->has_hc) {
		struct kt_buf h = {0};

		hc_human(&h, &b->hc_post);
		fputs("<details><summary>host context at the exit</summary>", fp);
		pre(fp, &h);
		fputs("</details>\n", fp);
		kt_buf_free(&h);
	}
	sec_parts(&x);
	sec_files(&x);
	fputs("<p class=\"note\">Written by ktbox capture report: one file, no script, no "
	      "network.</p>\n"
	      "</body></html>\n",
	      fp);
	rp_finish(&c);
	return ferror(fp) ? -1 : 0;
}
