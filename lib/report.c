// SPDX-License-Identifier: MIT
/*
 * The report's sections (built once from a loaded bundle) and the text
 * and Markdown renderers over them.  The HTML page is report_html.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle_read.h"
#include "hostctx.h"
#include "jsonr.h"
#include "kallsyms.h"
#include "report.h"
#include "report_int.h"
#include "text.h"

/* ---- helpers --------------------------------------------------------------- */

static void buf_file(struct kt_buf *b, void (*fn)(FILE *, const void *), const void *arg)
{
	char *p = NULL;
	size_t n = 0;
	FILE *mf = open_memstream(&p, &n);

	if (!mf)
		return;
	fn(mf, arg);
	fclose(mf);
	kt_buf_put(b, p, n);
	free(p);
}

static void ev_human(FILE *fp, const void *ev)
{
	scx_event_human(fp, ev);
}

size_t rp_lines(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k + (n && s[n - 1] != '\n');
}

/* The first frame that is not the exit machinery itself. */
const struct scx_frame *rp_culprit(const struct scx_event *ev)
{
	for (size_t i = 0; ev && i < ev->nbt; i++) {
		const char *s = ev->bt[i].symbol;

		if (!s || ev->bt[i].is_addr)
			continue;
		if (!strncmp(s, "__scx_exit", 10) || !strncmp(s, "scx_bpf_error", 13) ||
		    !strncmp(s, "scx_exit", 8) || !strncmp(s, "bpf_scx_", 8) ||
		    !strncmp(s, "scx_vexit", 9) || !strncmp(s, "scx_bpf_exit", 12) ||
		    !strcmp(s, "dump_stack") || !strncmp(s, "stack_trace", 11))
			continue;
		return &ev->bt[i];
	}
	return NULL;
}

void rp_frame_text(struct kt_buf *b, const struct scx_frame *f)
{
	kt_buf_puts(b, f->symbol);
	if (f->has_offset) {
		kt_buf_printf(b, "+0x%" PRIx64, f->offset);
		if (f->size)
			kt_buf_printf(b, "/0x%" PRIx64, f->size);
	}
	if (f->module)
		kt_buf_printf(b, " [%s]", f->module);
}

/* The one-line account: summary.txt's first line, or built from the exit. */
void rp_summary_line(struct kt_buf *b, const struct kt_bundle *bd)
{
	const struct scx_event *ev = kt_bundle_exit(bd);
	const struct scx_frame *f;

	if (bd->summary && bd->summary[0]) {
		kt_buf_put(b, bd->summary, strcspn(bd->summary, "\n"));
		return;
	}
	if (!ev) {
		kt_buf_puts(b, "no sched_ext exit in the bundle");
		return;
	}
	kt_buf_printf(b, "%s: %s",
		      ev->scheduler   ? ev->scheduler
		      : bd->scheduler ? bd->scheduler
				      : "?",
		      scx_kind_name(ev->kind));
	if (ev->has_ts)
		kt_buf_printf(b, " at %" PRIu64 ".%03" PRIu64 " s", ev->ts_usec / 1000000,
			      ev->ts_usec / 1000 % 1000);
	if (ev->message)
		kt_buf_printf(b, ": \"%s\"", ev->message);
	else if (ev->reason)
		kt_buf_printf(b, ": %s", ev->reason);
	if ((f = rp_culprit(ev))) {
		kt_buf_puts(b, " in ");
		rp_frame_text(b, f);
	}
	if (ev->has_stall)
		kt_buf_printf(b, "; stall: %s[%" PRId64 "] stuck for %" PRIu64 ".%03" PRIu64 " s",
			      ev->stall_comm, ev->stall_pid, ev->stall_msec / 1000,
			      ev->stall_msec % 1000);
	kt_buf_puts(b, " (built from events.json: summary.txt missing)");
}

static void fmt_time(struct kt_buf *b, const char *what, const struct kt_btime *t,
		     const struct kt_btime *ref)
{
	if (!t->has)
		return;
	kt_buf_printf(b, "%s %" PRIu64 ".%03" PRIu64 " s", what, t->mono_ns / 1000000000,
		      t->mono_ns / 1000000 % 1000);
	if (ref && ref->has && t != ref)
		kt_buf_printf(b, " (%+.3f s)", ((double)t->mono_ns - (double)ref->mono_ns) / 1e9);
	kt_buf_puts(b, "; ");
}

/* ---- sections ------------------------------------------------------------ */

static void sec_summary(struct rp_sec *s, const struct kt_bundle *b)
{
	struct kt_buf *o = &s->body;

	rp_summary_line(o, b);
	kt_buf_putc(o, '\n');
	kt_buf_printf(o, "bundle %s%s", b->path, b->tar ? " (.tar.gz)" : "");
	if (b->has_manifest) {
		kt_buf_printf(o, ": schema %" PRIu64, b->schema_version);
		if (b->ktbox_version)
			kt_buf_printf(o, ", ktbox %s", b->ktbox_version);
		if (b->mode)
			kt_buf_printf(o, ", mode %s", b->mode);
		if (b->end)
			kt_buf_printf(o, ", end %s", b->end);
		if (b->interrupted)
			kt_buf_puts(o, " (interrupted)");
	} else {
		kt_buf_puts(o, ": no manifest");
	}
	kt_buf_putc(o, '\n');
	if (b->hostname || b->release || b->scheduler)
		kt_buf_printf(o, "host %s, kernel %s, scheduler %s\n", b->hostname ?: "?",
			      b->release ?: "?", b->scheduler ?: "?");
	if (b->armed.has || b->exit.has || b->written.has) {
		size_t l0 = o->len;

		fmt_time(o, "armed", &b->armed, NULL);
		fmt_time(o, "enabled", &b->enabled, &b->armed);
		fmt_time(o, "exit", &b->exit, &b->armed);
		fmt_time(o, "written", &b->written, &b->armed);
		if (b->has_exit_to_bundle)
			kt_buf_printf(o, "exit to bundle %.1f ms; ", b->exit_to_bundle_ms);
		if (o->len >= l0 + 2)
			o->len -= 2;
		kt_buf_puts(o, " (monotonic)\n");
	}
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The scheduler's report says what the kernel's does. */
static bool same_report(const struct scx_event *a, const struct scx_event *b)
{
	if (a->kind != b->kind || !same_str(a->reason, b->reason) ||
	    !same_str(a->message, b->message) || a->nbt != b->nbt)
		return false;
	for (size_t i = 0; i < a->nbt; i++)
		if (!same_str(a->bt[i].symbol, b->bt[i].symbol) ||
		    a->bt[i].offset != b->bt[i].offset || a->bt[i].size != b->bt[i].size ||
		    !same_str(a->bt[i].module, b->bt[i].module))
			return false;
	return true;
}

static void sec_exit(struct rp_sec *s, const struct kt_bundle *b)
{
	const struct scx_event *ev = kt_bundle_exit(b), *se = kt_bundle_sched_exit(b);
	struct kt_buf *o = &s->body;

	if (!ev) {
		kt_buf_puts(o, "no sched_ext exit event in the bundle");
		kt_buf_puts(o,
			    b->nev ? " (only enable events, or exit lines user space wrote)" : "");
		kt_bundle_why(b, KT_PART_EVENTS, o);
		kt_buf_putc(o, '\n');
		return;
	}
	buf_file(o, ev_human, ev);
	if (se && se != ev) {
		if (same_report(ev, se)) {
			kt_buf_puts(o,
				    "\nthe scheduler's own report agrees (same reason, message and "
				    "frames)\n");
		} else {
			kt_buf_puts(o, "\nthe scheduler's own report:\n");
			buf_file(o, ev_human, se);
		}
	}
	if (b->backtrace && b->backtrace[0]) {
		struct kt_buf fr = {0};

		for (size_t i = 0; i < ev->nbt; i++) {
			rp_frame_text(&fr, &ev->bt[i]);
			kt_buf_putc(&fr, '\n');
		}
		if (fr.p && !strcmp(fr.p, b->backtrace)) {
			kt_buf_printf(o, "\n%s holds the same frames\n", KT_BUNDLE_BACKTRACE);
		} else {
			kt_buf_printf(o, "\nbacktrace (%s, resolved against %s):\n",
				      KT_BUNDLE_BACKTRACE, KT_BUNDLE_KALLSYMS);
			for (const char *p = b->backtrace; *p;) {
				size_t l = strcspn(p, "\n");

				kt_buf_puts(o, "  ");
				kt_buf_put(o, p, l);
				kt_buf_putc(o, '\n');
				p += l + (p[l] == '\n');
			}
		}
		kt_buf_free(&fr);
	}
	if (b->ksyms)
		kt_buf_printf(o, "\nsymbols: %zu in %s, %zu [bpf] with exact JIT sizes\n",
			      kt_ksyms_count(b->ksyms), KT_BUNDLE_KALLSYMS, b->ksyms_bpf_sized);
}

static void sec_dump(struct rp_sec *s, const struct kt_bundle *b)
{
	const char *from = NULL;

	if (!kt_bundle_dump(b, &s->body, &from)) {
		kt_buf_puts(&s->body,
			    "no debug dump in the bundle (not in the scheduler's output, the "
			    "kernel log or the timeline)\n");
		return;
	}
	s->file = from;
	s->log = true;
}

static void sec_timeline(struct rp_sec *s, const struct kt_bundle *b, const struct rp_timeline *t)
{
	if (!b->has_tl) {
		kt_buf_puts(&s->body, "no timeline in the bundle");
		kt_bundle_why(b, KT_PART_TIMELINE, &s->body);
		kt_buf_putc(&s->body, '\n');
		return;
	}
	s->file = KT_BUNDLE_TIMELINE;
	s->log = true;
	rp_timeline_text(&s->body, t);
}

/* ---- counters ---------------------------------------------------------- */

static const struct jr_val *events_of(const struct jr_val *o)
{
	const struct jr_val *e = jr_get(o, "events");

	return e && e->type == JR_OBJECT ? e : NULL;
}

static bool val_of(const struct jr_val *ev, const char *k, int64_t *v)
{
	const struct jr_val *x = ev ? jr_get(ev, k) : NULL;

	if (!x || x->type != JR_NUMBER)
		return false;
	*v = x->num.is_u64 ? (int64_t)x->num.u : (int64_t)x->num.d;
	return true;
}

/* One point of the series: a snapshot object of sched_ext.json with its
 * "events" (absent while no scheduler is loaded) and capture time. */
static void add_point(struct rp_counter *k, const struct jr_val *o, uint64_t dflt_t)
{
	const struct jr_val *mn = o ? jr_get(o, "mono_ns") : NULL;
	uint64_t t = mn && mn->type == JR_NUMBER ? mn->num.u : dflt_t;
	int64_t v;
	size_t i;

	if (!val_of(events_of(o), k->name, &v))
		return;
	/* in time order: the enable snapshot falls between the samples */
	for (i = k->n; i > 0 && t && k->t[i - 1] > t; i--) {
		k->t[i] = k->t[i - 1];
		k->v[i] = k->v[i - 1];
	}
	k->t[i] = t;
	k->v[i] = v;
	k->n++;
}

/* Every counter's series in time order: at arming, at the enable, each
 * sample, after the exit (absent points skipped). */
int rp_counters(const struct kt_bundle *b, struct rp_counter **out, size_t *nout)
{
	const struct jr_val *pre, *enabled, *post, *samples, *names = NULL;
	struct rp_counter *c = NULL;
	size_t n = 0, npts;

	*out = NULL;
	*nout = 0;
	if (!b->has_sx)
		return 0;
	pre = jr_get(&b->sx, "pre");
	enabled = jr_get(&b->sx, "enabled");
	post = jr_get(&b->sx, "post");
	samples = jr_get(&b->sx, "samples");
	if (samples && samples->type != JR_ARRAY)
		samples = NULL;
	names = events_of(post)	     ? events_of(post)
		: events_of(enabled) ? events_of(enabled)
				     : events_of(pre);
	if (!names && samples && samples->arr.n)
		names = events_of(&samples->arr.v[samples->arr.n - 1]);
	if (!names)
		return 0;
	npts = 3 + (samples ? samples->arr.n : 0);
	c = calloc(names->obj.n + 1, sizeof(*c));
	if (!c)
		return -1;
	for (size_t i = 0; i < names->obj.n; i++) {
		struct rp_counter *k = &c[n];

		k->name = names->obj.m[i].key;
		k->v = calloc(npts, sizeof(*k->v));
		k->t = calloc(npts, sizeof(*k->t));
		if (!k->v || !k->t) {
			free(k->v);
			free(k->t);
			break;
		}
		add_point(k, pre, b->armed.mono_ns);
		add_point(k, enabled, 0);
		for (size_t j = 0; samples && j < samples->arr.n; j++)
			add_point(k, &samples->arr.v[j], 0);
		add_point(k, post, b->exit.mono_ns);
		for (size_t j = 1; j < k->n; j++)
			if (k->v[j] != k->v[0])
				k->changed = true;
		n++;
	}
	*out = c;
	*nout = n;
	return 0;
}

size_t rp_counter_points(const struct kt_bundle *b, struct kt_buf *out)
{
	const struct jr_val *post = jr_get(&b->sx, "post"), *sm = jr_get(&b->sx, "samples");
	const char *src = post ? kt_bundle_jstr(post, "events_source") : NULL;
	const char *why = post ? kt_bundle_jstr(post, "events_unavailable") : NULL;
	size_t ns = sm && sm->type == JR_ARRAY ? sm->arr.n : 0, nsev = 0, n = 0;
	const char *sep = "";

	for (size_t i = 0; i < ns; i++)
		nsev += events_of(&sm->arr.v[i]) != NULL;
	if (events_of(jr_get(&b->sx, "pre"))) {
		kt_buf_puts(out, "at arming");
		sep = ", ";
		n++;
	}
	if (events_of(jr_get(&b->sx, "enabled"))) {
		kt_buf_printf(out, "%sat the enable", sep);
		sep = ", ";
		n++;
	}
	if (nsev) {
		kt_buf_printf(out, "%s%zu of %zu sample%s", sep, nsev, ns, ns == 1 ? "" : "s");
		sep = ", ";
		n += nsev;
	}
	if (events_of(post)) {
		kt_buf_printf(out, "%safter the exit", sep);
		if (src)
			kt_buf_printf(out, " (%s)", src);
		n++;
	} else if (why) {
		kt_buf_printf(out, "; the post-exit counters are unavailable: %s", why);
	} else {
		kt_buf_puts(out, "; no post-exit counters in the bundle");
	}
	return n;
}

void rp_counters_free(struct rp_counter *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].v);
		free(c[i].t);
	}
	free(c);
}

static void sec_counters(struct rp_sec *s, const struct kt_bundle *b)
{
	struct rp_counter *c;
	size_t n, nchanged = 0, npts;
	struct kt_buf pts = {0};

	if (!b->has_sx) {
		kt_buf_puts(&s->body, "no sched_ext state in the bundle");
		kt_bundle_why(b, KT_PART_SCHED_EXT, &s->body);
		kt_buf_putc(&s->body, '\n');
		return;
	}
	s->file = KT_BUNDLE_SCHED_EXT;
	if (rp_counters(b, &c, &n) || !n) {
		kt_buf_printf(&s->body,
			      "no SCX_EV_* counters in %s (kernel without root/events?)\n",
			      KT_BUNDLE_SCHED_EXT);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct rp_counter *k = &c[i];

		if (!k->changed)
			continue;
		nchanged++;
		kt_buf_printf(&s->body, "%s: %" PRId64 " -> %" PRId64 " (%+" PRId64 ")", k->name,
			      k->v[0], k->v[k->n - 1], k->v[k->n - 1] - k->v[0]);
		if (k->n > 2) {
			size_t from = k->n > 7 ? k->n - 6 : 1;

			kt_buf_puts(&s->body, "; last steps:");
			for (size_t j = from; j < k->n; j++)
				kt_buf_printf(&s->body, " %+" PRId64, k->v[j] - k->v[j - 1]);
		}
		kt_buf_putc(&s->body, '\n');
	}
	npts = rp_counter_points(b, &pts);
	kt_buf_printf(&s->body, "%zu of %zu counters changed over %zu point%s: %s\n", nchanged, n,
		      npts, npts == 1 ? "" : "s", pts.p ? pts.p : "");
	kt_buf_free(&pts);
	rp_counters_free(c, n);
}

static void sec_maps(struct rp_sec *s, const struct kt_bundle *b)
{
	if (!b->maps_text.len) {
		kt_buf_puts(&s->body, "no readable map ring in the bundle");
		kt_bundle_why(b, KT_PART_MAPS, &s->body);
		kt_buf_putc(&s->body, '\n');
		return;
	}
	s->file = KT_BUNDLE_MAPS "/";
	s->log = true;
	kt_buf_put(&s->body, b->maps_text.p, b->maps_text.len);
}

static void sec_hostctx(struct rp_sec *s, const struct kt_bundle *b)
{
	if (b->has_hc) {
		s->file = KT_BUNDLE_HOSTCTX;
		if (!hc_diff(&s->body, &b->hc_pre, &b->hc_post))
			kt_buf_puts(&s->body, "no difference between arming and exit\n");
		return;
	}
	if (b->hc_diff) {
		s->file = KT_BUNDLE_HOSTCTX_DIFF;
		kt_buf_puts(&s->body, b->hc_diff);
		return;
	}
	kt_buf_puts(&s->body, "no host context in the bundle");
	kt_bundle_why(b, KT_PART_HOSTCTX, &s->body);
	kt_buf_putc(&s->body, '\n');
}

static void sec_parts(struct rp_sec *s, const struct kt_bundle *b)
{
	for (unsigned i = 0; i < KT_PART_NR; i++) {
		const struct kt_bpart *p = &b->parts[i];

		if (!p->listed)
			continue;
		kt_buf_printf(&s->body, "%-10s %s", kt_bundle_part_name(i),
			      kt_bundle_status_name(p->status));
		if (p->reason)
			kt_buf_printf(&s->body, " (%s)", p->reason);
		if (p->bytes)
			kt_buf_printf(&s->body, ", %" PRIu64 " bytes", p->bytes);
		kt_buf_putc(&s->body, '\n');
	}
	if (!b->nnotes) {
		kt_buf_puts(&s->body, "nothing missing\n");
		return;
	}
	kt_buf_printf(&s->body, "missing or damaged (%zu):\n", b->nnotes);
	for (size_t i = 0; i < b->nnotes; i++)
		kt_buf_printf(&s->body, "  %s\n", b->notes[i]);
}

static const char *const sec_titles[RP_NSEC] = {
	"summary",
	"exit",
	"debug dump",
	"last events before the exit",
	"SCX_EV counters",
	"map entries that changed",
	"host context, arming -> exit",
	"parts",
};

int rp_sections(struct rp_sec *secs, const struct kt_bundle *b, const struct rp_timeline *t)
{
	memset(secs, 0, RP_NSEC * sizeof(*secs));
	for (int i = 0; i < RP_NSEC; i++)
		secs[i].title = sec_titles[i];
	sec_summary(&secs[RP_SUMMARY], b);
	sec_exit(&secs[RP_EXIT], b);
	sec_dump(&secs[RP_DUMP], b);
	sec_timeline(&secs[RP_TIMELINE], b, t);
	sec_counters(&secs[RP_COUNTERS], b);
	sec_maps(&secs[RP_MAPS], b);
	sec_hostctx(&secs[RP_HOSTCTX], b);
	sec_parts(&secs[RP_PARTS], b);
	for (int i = 0; i < RP_NSEC; i++)
		if (secs[i].body.oom)
			return -1;
	return 0;
}

void rp_sections_free(struct rp_sec *secs)
{
	for (int i = 0; i < RP_NSEC; i++)
		kt_buf_free(&secs[i].body);
}

int rp_prepare(struct rp_ctx *c, const struct kt_bundle *b, const struct kt_report_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->o = *o;
	if (!c->o.last_n)
		c->o.last_n = 12;
	if (!c->o.window_ns)
		c->o.window_ns = 10000000000ull;
	if (!c->o.md_limit)
		c->o.md_limit = KT_REPORT_MD_LIMIT;
	if (!c->o.svg_width)
		c->o.svg_width = 1100;
	if (b->has_tl) {
		size_t len = b->tl.nrecords * TL_RECORD_SIZE;

		if (rp_timeline_build(&c->t, b->tl.records, len, kt_bundle_exit_mono(b),
				      c->o.window_ns, c->o.last_n))
			return -1;
	}
	return rp_sections(c->secs, b, &c->t);
}

void rp_finish(struct rp_ctx *c)
{
	rp_sections_free(c->secs);
	rp_timeline_free(&c->t);
}

/* ---- text ------------------------------------------------------------------ */

/* Display columns of S[0..N) (UTF-8 sequences count one; a byte that is
 * not one counts one). */
static size_t cols_prefix(const char *s, size_t n, size_t maxcols, size_t *bytes)
{
	size_t i = 0, c = 0;

	while (i < n && c < maxcols) {
		size_t k = kt_utf8_seq_len(s + i, n - i);

		i += k ? k : 1;
		c++;
	}
	*bytes = i;
	return c;
}

/* One line, cut to WIDTH columns with a marker (0: never). */
static void put_line(FILE *fp, const char *s, size_t n, unsigned width)
{
	size_t b;

	if (width > 8) {
		cols_prefix(s, n, width, &b);
		if (b < n) {
			cols_prefix(s, n, width - 1, &b);
			kt_fput_esc(fp, s, b);
			fputs(">\n", fp);
			return;
		}
	}
	kt_fput_esc(fp, s, n);
	fputc('\n', fp);
}

/* Lines a section shows when not --full (0: all). */
static size_t sec_cap(int i)
{
	switch (i) {
	case RP_DUMP:
		return 80;
	case RP_MAPS:
		return 100;
	case RP_TIMELINE:
		return 400;
	default:
		return 0;
	}
}

int kt_report_text(FILE *fp, const struct kt_bundle *b, const struct kt_report_opts *o)
{
	struct rp_ctx c;
	unsigned width = o->full ? 0 : o->width;

	if (rp_prepare(&c, b, o)) {
		rp_finish(&c);
		return -1;
	}
	for (int i = 0; i < RP_NSEC; i++) {
		const struct rp_sec *s = &c.secs[i];
		size_t cap = o->full ? 0 : sec_cap(i), shown = 0,
		       total = rp_lines(s->body.p, s->body.len);

		if (i) {
			char h[256];
			int hl =
				snprintf(h, sizeof(h), "== %s%s%s%s", s->title, s->file ? " (" : "",
					 s->file ? s->file : "", s->file ? ")" : "");

			fputc('\n', fp);
			put_line(fp, h, hl < (int)sizeof(h) ? (size_t)hl : sizeof(h) - 1, width);
		}
		for (const char *p = s->body.p; p && p < s->body.p + s->body.len;) {
			const char *e = memchr(p, '\n', (size_t)(s->body.p + s->body.len - p));
			size_t l = e ? (size_t)(e - p) : (size_t)(s->body.p + s->body.len - p);

			if (cap && shown == cap) {
				fprintf(fp, "... %zu more lines (--full prints them)\n",
					total - shown);
				break;
			}
			put_line(fp, p, l, width);
			shown++;
			p += l + 1;
		}
	}
	rp_finish(&c);
	return ferror(fp) ? -1 : 0;
}

/* ---- Markdown ------------------------------------------------------------- */

/* A fence longer than any run of backticks in the text. */
static unsigned fence_len(const char *s, size_t n)
{
	unsigned best = 0, run = 0;

	for (size_t i = 0; i < n; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best < 3 ? 3 : best + 1;
}

static void md_fenced(struct kt_buf *o, const char *s, size_t n)
{
	unsigned f = fence_len(s, n);

	for (unsigned i = 0; i < f; i++)
		kt_buf_putc(o, '`');
	kt_buf_puts(o, "text\n");
	kt_buf_put(o, s, n);
	if (n && s[n - 1] != '\n')
		kt_buf_putc(o, '\n');
	for (unsigned i = 0; i < f; i++)
		kt_buf_putc(o, '`');
	kt_buf_putc(o, '\n');
}

/* Prefix of S holding at most MAX bytes of whole lines: its length. */
static size_t whole_lines(const char *s, size_t n, size_t max)
{
	size_t k = 0;

	if (n <= max)
		return n;
	for (size_t i = 0; i < max; i++)
		if (s[i] == '\n')
			k = i + 1;
	return k;
}

static void md_escape_inline(struct kt_buf *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strchr("\\`*_[]<>#|~", s[i]))
			kt_buf_putc(o, '\\');
		kt_buf_putc(o, (unsigned char)s[i] < 0x20 ? ' ' : s[i]);
	}
}

/*
 * Share AVAIL bytes among the long sections (dump .. parts): each gets its
 * whole body if the bodies fit, else water-filling: the small ones whole,
 * the large ones an equal share of the rest (so one huge dump cannot crowd
 * out the others).  Each section's frame (summary line, fences, cut
 * notice) is counted as PER bytes.
 */
static void md_budget(const struct rp_ctx *c, size_t avail, size_t *room)
{
	const size_t per = 200;
	bool done[RP_NSEC] = {0};
	size_t left = RP_NSEC - RP_DUMP;

	avail = avail > left * per ? avail - left * per : 0;
	for (int i = RP_DUMP; i < RP_NSEC; i++)
		room[i] = 0;
	while (left) {
		size_t share = avail / left;
		bool any = false;

		for (int i = RP_DUMP; i < RP_NSEC; i++)
			if (!done[i] && c->secs[i].body.len <= share) {
				room[i] = c->secs[i].body.len;
				avail -= room[i];
				done[i] = any = true;
				left--;
			}
		if (any)
			continue;
		for (int i = RP_DUMP; i < RP_NSEC; i++)
			if (!done[i])
				room[i] = share;
		break;
	}
}

int kt_report_markdown(FILE *fp, const struct kt_bundle *b, const struct kt_report_opts *o)
{
	struct rp_ctx c;
	struct kt_buf out = {0}, cuts = {0};
	size_t limit, reserve = 600, room[RP_NSEC];
	int r = 0;

	if (rp_prepare(&c, b, o)) {
		rp_finish(&c);
		return -1;
	}
	limit = c.o.md_limit;
	/* summary up front, as a heading and a quote of the bundle's facts */
	{
		const struct rp_sec *s = &c.secs[RP_SUMMARY];
		size_t l = strcspn(s->body.p, "\n");

		kt_buf_puts(&out, "### sched_ext failure: ");
		md_escape_inline(&out, s->body.p, l);
		kt_buf_puts(&out, "\n\n");
		md_fenced(&out, s->body.p + l + (s->body.p[l] == '\n'),
			  s->body.len - l - (s->body.p[l] == '\n'));
		kt_buf_puts(&out, "\n#### exit\n\n");
		md_fenced(&out, c.secs[RP_EXIT].body.p, c.secs[RP_EXIT].body.len);
	}
	md_budget(&c, limit > out.len + reserve ? limit - out.len - reserve : 0, room);
	for (int i = RP_DUMP; i < RP_NSEC; i++) {
		const struct rp_sec *s = &c.secs[i];
		size_t keep, total = rp_lines(s->body.p, s->body.len);

		kt_buf_printf(&out, "\n<details><summary>%s%s%s%s (%zu line%s)</summary>\n\n",
			      s->title, s->file ? " — <code>" : "", s->file ? s->file : "",
			      s->file ? "</code>" : "", total, total == 1 ? "" : "s");
		keep = whole_lines(s->body.p, s->body.len, room[i]);
		md_fenced(&out, s->body.p, keep);
		if (keep < s->body.len) {
			size_t shown = rp_lines(s->body.p, keep);

			kt_buf_printf(&out, "\n*cut: %zu of %zu lines shown*\n", shown, total);
			kt_buf_printf(&cuts, "%s%s (%zu of %zu lines)", cuts.len ? ", " : "",
				      s->title, shown, total);
		}
		kt_buf_puts(&out, "\n</details>\n");
	}
	if (cuts.len)
		kt_buf_printf(&out,
			      "\n> Cut to fit GitHub's %zu-character limit: %s. The whole text is "
			      "in the bundle (`capture report --full`).\n",
			      limit, cuts.p);
	if (out.oom)
		r = -1;
	else
		fwrite(out.p, 1, out.len, fp);
	kt_buf_free(&out);
	kt_buf_free(&cuts);
	rp_finish(&c);
	return r || ferror(fp) ? -1 : 0;
}
