// SPDX-License-Identifier: MIT
/*
 * capture: the bundle's text (summary, manifest: pure over the state) and
 * its writing (a temporary directory renamed when complete, or a
 * deterministic tar.gz).
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "err.h"
#include "file.h"
#include "json.h"
#include "kallsyms.h"
#include "out.h"
#include "targz.h"
#include "text.h"
#include "timeline.h"
#include "timeline_rec.h"

#ifndef KTBOX_VERSION
#define KTBOX_VERSION "0.0.0-dev"
#endif

static const char *const part_names[] = KT_BUNDLE_PART_NAMES;
static const char *const status_names[] = KT_BUNDLE_STATUS_NAMES;
static const char *const mode_names[] = KT_BUNDLE_MODES;
static const char *const end_names[] = KT_BUNDLE_ENDS;

const char *kt_part_name(enum kt_bundle_part p)
{
	return p < KT_PART_NR ? part_names[p] : "?";
}

const char *kt_part_status_name(enum kt_part_status s)
{
	return s <= KT_PART_UNAVAILABLE ? status_names[s] : "?";
}

void kt_cap_part_set(struct kt_capture *c, enum kt_bundle_part p, enum kt_part_status st,
		     const char *fmt, ...)
{
	struct kt_cap_part *pt = &c->part[p];
	va_list ap;

	pt->st = st;
	pt->reason[0] = 0;
	if (!fmt)
		return;
	va_start(ap, fmt);
	vsnprintf(pt->reason, sizeof(pt->reason), fmt, ap);
	va_end(ap);
}

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

static bool exit_machinery(const char *s)
{
	static const char *const pfx[] = {
		"__scx_exit",	"scx_exit",	   "scx_vexit",	  "scx_kf_exit", "scx_bpf_error",
		"scx_bpf_exit", "__scx_bpf_error", "bstr_printf", NULL,
	};

	for (int i = 0; pfx[i]; i++)
		if (!strncmp(s, pfx[i], strlen(pfx[i])))
			return true;
	return false;
}

/* "bpf_prog_0123456789abcdef_NAME" -> "NAME" */
static const char *prog_name(const char *s)
{
	size_t i;

	if (strncmp(s, "bpf_prog_", 9))
		return s;
	for (i = 9; s[i] && s[i] != '_'; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return s;
	return s[i] == '_' && i == 25 && s[i + 1] ? s + i + 1 : s;
}

void kt_cap_first_frame(const struct scx_event *ev, char *buf, size_t n)
{
	buf[0] = 0;
	for (size_t i = 0; i < ev->nbt; i++) {
		const struct scx_frame *f = &ev->bt[i];

		if (!f->symbol || exit_machinery(f->symbol))
			continue;
		if (f->has_offset)
			snprintf(buf, n, "%s+0x%llx", prog_name(f->symbol),
				 (unsigned long long)f->offset);
		else
			snprintf(buf, n, "%s", f->symbol);
		return;
	}
}

void kt_cap_exit_from(struct kt_cap_exit *ex, const struct scx_event *ev)
{
	memset(ex, 0, sizeof(*ex));
	ex->have = true;
	ex->origin = ev->origin;
	copy(ex->sched, sizeof(ex->sched), ev->scheduler);
	copy(ex->kind, sizeof(ex->kind), ev->kind ? scx_kind_name(ev->kind) : "");
	copy(ex->reason, sizeof(ex->reason), ev->reason);
	copy(ex->message, sizeof(ex->message), ev->message);
	kt_cap_first_frame(ev, ex->frame, sizeof(ex->frame));
	ex->has_ts = ev->has_ts;
	ex->ts_usec = ev->ts_usec;
	ex->has_stall = ev->has_stall;
	if (ev->has_stall) {
		copy(ex->stall_comm, sizeof(ex->stall_comm), ev->stall_comm);
		ex->stall_pid = ev->stall_pid;
		ex->stall_msec = ev->stall_msec;
	}
	ex->has_cpu = ev->cpu >= 0;
	ex->cpu = ev->cpu;
	/* "scx_bpf_error" beside error_bpf says nothing more; a reason no
	 * table knows, or another kind's, does */
	ex->reason_extra = ev->reason && ev->reason[0] &&
			   (ev->kind == SCX_KIND_OTHER || ev->kind == SCX_KIND_NONE ||
			    scx_kind_from_reason(ev->reason, strlen(ev->reason)) != ev->kind);
}

void kt_cap_note_dump(struct kt_capture *c, const struct scx_event *ev)
{
	if (c->have_dcpu || ev->type != SCX_EV_EXIT || ev->cpu < 0)
		return;
	c->have_dcpu = true;
	c->dcpu = ev->cpu;
	c->dcpu_kind = ev->kind;
}

/* The exit's CPU: its own event's, else a dump's of the same kind. */
static bool exit_cpu(const struct kt_capture *c, int64_t *cpu)
{
	const struct kt_cap_exit *ex = &c->ex;

	if (ex->has_cpu) {
		*cpu = ex->cpu;
		return true;
	}
	if (c->have_dcpu && c->dcpu_kind != SCX_KIND_NONE &&
	    !strcmp(ex->kind, scx_kind_name(c->dcpu_kind))) {
		*cpu = c->dcpu;
		return true;
	}
	return false;
}

void kt_cap_counters_add(struct kt_cap_counters *out, const char *name, size_t len, int64_t delta)
{
	char k[sizeof(out->c[0].name)];
	size_t i;

	if (!scx_counter_key(name, len, k, sizeof(k)))
		return;
	for (i = 0; i < out->n && strcmp(out->c[i].name, k); i++)
		;
	if (i == out->n) {
		if (out->n == SCX_MAX_COUNTERS)
			return;
		memcpy(out->c[out->n].name, k, sizeof(k));
		out->c[out->n++].value = 0;
	}
	out->c[i].value += delta;
}

void kt_cap_post_json(struct kt_buf *out, const struct kt_buf *post, const struct kt_capture *c)
{
	struct kt_buf add = {0};
	struct jw w;

	if (!post->len || post->p[post->len - 1] != '}' || (!c->post_src[0] && !c->post_why[0])) {
		kt_buf_put(out, post->p, post->len);
		return;
	}
	jw_init_buf(&w, &add, 0);
	jw_obj_open(&w);
	if (c->post_src[0] && !c->post_read) {
		jw_key(&w, "events");
		jw_obj_open(&w);
		for (size_t i = 0; i < c->post_ev.n; i++)
			jw_ki64(&w, c->post_ev.c[i].name, c->post_ev.c[i].value);
		jw_obj_close(&w);
	}
	if (c->post_src[0])
		jw_kstr(&w, "events_source", c->post_src);
	else
		jw_kstr(&w, "events_unavailable", c->post_why);
	jw_obj_close(&w);
	kt_buf_put(out, post->p, post->len - 1);
	if (post->len > 2)
		kt_buf_putc(out, ',');
	kt_buf_put(out, add.p + 1, add.len - 1);
	kt_buf_free(&add);
}

static void put_esc(struct kt_buf *b, const char *s)
{
	kt_buf_put_esc(b, s, strlen(s));
}

void kt_cap_summary_line(struct kt_buf *b, const struct kt_capture *c)
{
	const struct kt_cap_exit *ex = &c->ex;
	const char *sched = ex->sched[0] ? ex->sched : c->sched[0] ? c->sched : "?";
	int64_t cpu;

	if (!ex->have) {
		if (c->have_exited)
			kt_buf_printf(b,
				      "%s: exited (state left enabled) with no exit report in the "
				      "kernel log",
				      sched);
		else if (c->o.mode == KT_CAP_NOW)
			kt_buf_printf(b, "no sched_ext exit captured (state now: %s)",
				      c->have_scx ? kt_scx_state_name(c->trig.state)
						  : "no sched_ext in this kernel");
		else
			kt_buf_printf(b, "no sched_ext exit captured (%s)", end_names[c->end]);
		return;
	}
	put_esc(b, sched);
	kt_buf_puts(b, ": ");
	kt_buf_puts(b, ex->kind[0] ? ex->kind : "exit");
	/* without a message the reason is the quoted text below */
	if (ex->reason_extra && (ex->message[0] || ex->has_stall)) {
		kt_buf_puts(b, " (");
		put_esc(b, ex->reason);
		kt_buf_putc(b, ')');
	}
	if (ex->have && exit_cpu(c, &cpu))
		kt_buf_printf(b, " on CPU %lld", (long long)cpu);
	if (ex->has_ts)
		kt_buf_printf(b, " at %llu.%03llu s", (unsigned long long)(ex->ts_usec / 1000000),
			      (unsigned long long)(ex->ts_usec / 1000 % 1000));
	if (ex->has_stall) {
		kt_buf_puts(b, ": ");
		put_esc(b, ex->stall_comm);
		kt_buf_printf(b, "[%lld] stuck for %llu.%03llu s", (long long)ex->stall_pid,
			      (unsigned long long)(ex->stall_msec / 1000),
			      (unsigned long long)(ex->stall_msec % 1000));
	} else if (ex->message[0] || ex->reason[0]) {
		kt_buf_puts(b, ": \"");
		put_esc(b, ex->message[0] ? ex->message : ex->reason);
		kt_buf_putc(b, '"');
	}
	if (ex->frame[0]) {
		kt_buf_puts(b, " in ");
		put_esc(b, ex->frame);
	}
}

void kt_cap_summary(struct kt_buf *b, const struct kt_capture *c)
{
	kt_cap_summary_line(b, c);
	kt_buf_putc(b, '\n');
	for (int i = 0; i < KT_PART_NR; i++) {
		const struct kt_cap_part *p = &c->part[i];

		if (p->st == KT_PART_UNSET)
			continue;
		kt_buf_printf(b, "%s: %s", part_names[i], status_names[p->st]);
		if (p->reason[0])
			kt_buf_printf(b, " (%s)", p->reason);
		kt_buf_putc(b, '\n');
	}
	if (c->have_exited && c->written.mono_ns > c->exited.mono_ns)
		kt_buf_printf(b, "exit to bundle: %.1f ms\n",
			      (double)(c->written.mono_ns - c->exited.mono_ns) / 1e6);
}

static void put_time(struct jw *w, const char *k, const struct kt_cap_time *t, bool have)
{
	if (!have)
		return;
	jw_key(w, k);
	jw_obj_open(w);
	jw_ku64(w, "real_ns", t->real_ns);
	jw_ku64(w, "mono_ns", t->mono_ns);
	jw_obj_close(w);
}

static const char *const part_files[KT_PART_NR][3] = {
	[KT_PART_HOSTCTX] = {KT_BUNDLE_HOSTCTX, KT_BUNDLE_HOSTCTX_DIFF},
	[KT_PART_KMSG] = {KT_BUNDLE_KMSG},
	[KT_PART_EVENTS] = {KT_BUNDLE_EVENTS, KT_BUNDLE_BACKTRACE},
	[KT_PART_SCHED_EXT] = {KT_BUNDLE_SCHED_EXT},
	[KT_PART_KALLSYMS] = {KT_BUNDLE_KALLSYMS},
	[KT_PART_MAPS] = {KT_BUNDLE_MAPS "/"},
	[KT_PART_TIMELINE] = {KT_BUNDLE_TIMELINE, KT_BUNDLE_TRACE},
	[KT_PART_SCHEDULER] = {KT_BUNDLE_SCHED_OUT, KT_BUNDLE_SCHED_ERR},
	[KT_PART_DUMP] = {KT_BUNDLE_DUMP},
};

static double ms_between(uint64_t from, uint64_t to)
{
	return ((double)to - (double)from) / 1e6;
}

/* How the enable and the exit were seen, and how soon the fds and the
 * symbols were taken after the enable. */
static void put_trigger(struct jw *w, const struct kt_capture *c)
{
	if (!c->have_trig)
		return;
	jw_key(w, "trigger");
	jw_obj_open(w);
	jw_kstr(w, "source", c->uev ? "uevent" : "sysfs_poll");
	if (!c->uev && c->uev_err[0])
		jw_kstr(w, "reason", c->uev_err);
	jw_kdouble(w, "poll_ms", (double)c->poll_ns / 1e6);
	if (c->uev) {
		jw_ku64(w, "uevents", c->trig.uevents);
		if (c->trig.uev_lost)
			jw_ku64(w, "uevents_lost", c->trig.uev_lost);
	}
	jw_obj_close(w);
	if (!c->taken || !c->seen_by)
		return;
	jw_key(w, "reaction");
	jw_obj_open(w);
	jw_kstr(w, "seen_by", c->seen_by);
	jw_kdouble(w, "fds_ms", ms_between(c->seen_ns, c->fds_ns));
	jw_kdouble(w, "symbols_ms", ms_between(c->seen_ns, c->syms_ns));
	/* from the kernel's own "enabled" record, in its log clock */
	if (c->have_logoff && c->have_enable_log && strcmp(c->seen_by, "arming")) {
		double en = (double)c->enable_log_us * 1000.0 - (double)c->logoff_ns;

		jw_kdouble(w, "enable_to_seen_ms", ((double)c->seen_ns - en) / 1e6);
		jw_kdouble(w, "enable_to_fds_ms", ((double)c->fds_ns - en) / 1e6);
		jw_kdouble(w, "enable_to_symbols_ms", ((double)c->syms_ns - en) / 1e6);
	}
	jw_key(w, "not_in_time");
	jw_arr_open(w);
	if (!strncmp(c->part[KT_PART_MAPS].reason, "not taken in time", 17))
		jw_str(w, "maps");
	if (c->late)
		jw_str(w, "kallsyms");
	jw_arr_close(w);
	jw_obj_close(w);
}

void kt_cap_manifest(struct jw *w, const struct kt_capture *c)
{
	struct kt_buf line = {0};

	jw_obj_open(w);
	jw_kstr(w, "schema", KT_BUNDLE_SCHEMA_TAG);
	jw_ku64(w, "schema_version", KT_BUNDLE_SCHEMA);
	jw_kstr(w, "ktbox_version", KTBOX_VERSION);
	jw_kstr(w, "mode", mode_names[c->o.mode]);
	jw_kstr(w, "end", end_names[c->end]);
	jw_kbool(w, "interrupted", c->end == KT_END_INTERRUPTED);
	jw_key(w, "host");
	jw_obj_open(w);
	if (c->host[0])
		jw_kstr(w, "hostname", c->host);
	if (c->release[0])
		jw_kstr(w, "kernel_release", c->release);
	jw_obj_close(w);
	if (c->sched[0])
		jw_kstr(w, "scheduler", c->sched);
	kt_cap_summary_line(&line, c);
	if (line.p)
		jw_kstr(w, "summary", line.p);
	kt_buf_free(&line);
	put_time(w, "armed", &c->armed, true);
	put_time(w, "enabled", &c->enabled, c->have_enabled);
	put_time(w, "exit", &c->exited, c->have_exited);
	put_time(w, "written", &c->written, c->written.mono_ns != 0);
	if (c->have_exited && c->written.mono_ns >= c->exited.mono_ns)
		jw_kdouble(w, "exit_to_bundle_ms",
			   (double)(c->written.mono_ns - c->exited.mono_ns) / 1e6);
	if (c->write_start_ns && c->written.mono_ns >= c->write_start_ns)
		jw_kdouble(w, "write_ms", (double)(c->written.mono_ns - c->write_start_ns) / 1e6);
	if (c->peak_rss_kib)
		jw_ku64(w, "peak_rss_kib", c->peak_rss_kib);
	if (c->o.mode == KT_CAP_RUN && c->child_exited) {
		jw_key(w, "scheduler_exit");
		jw_obj_open(w);
		if (WIFEXITED(c->child_status))
			jw_ki64(w, "status", WEXITSTATUS(c->child_status));
		else if (WIFSIGNALED(c->child_status))
			jw_ki64(w, "signal", WTERMSIG(c->child_status));
		jw_obj_close(w);
	}
	if (c->o.mode != KT_CAP_NOW) {
		jw_kstr(w, "poller",
			!c->rt		? "normal"
			: c->rt_dropped ? "SCHED_FIFO 1 until the fds were held, then normal"
					: "SCHED_FIFO 1");
		if (!c->rt && c->rt_err[0])
			jw_kstr(w, "poller_reason", c->rt_err);
		put_trigger(w, c);
	}
	jw_ku64(w, "budget", c->o.budget);
	jw_ku64(w, "interval_ns", c->o.interval_ns);
	jw_ku64(w, "ring", c->o.ring);
	jw_ku64(w, "flight_ns", c->o.flight_ns);
	jw_key(w, "parts");
	jw_arr_open(w);
	for (int i = 0; i < KT_PART_NR; i++) {
		const struct kt_cap_part *p = &c->part[i];

		if (p->st == KT_PART_UNSET)
			continue;
		jw_obj_open(w);
		jw_kstr(w, "name", part_names[i]);
		jw_kstr(w, "status", status_names[p->st]);
		if (p->reason[0])
			jw_kstr(w, "reason", p->reason);
		if (p->st != KT_PART_UNAVAILABLE) {
			jw_key(w, "files");
			jw_arr_open(w);
			for (int j = 0; j < 3 && part_files[i][j]; j++)
				jw_str(w, part_files[i][j]);
			jw_arr_close(w);
			jw_ku64(w, "bytes", p->bytes);
		}
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_close(w);
}

/* ---- writing ---- */

struct bw {
	struct kt_capture *c;
	char dir[4096];
	int err;	/* first errno */
	char what[128]; /* the file that failed */
};

static FILE *bw_open(struct bw *b, const char *name)
{
	char path[4200];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", b->dir, name);
	fp = fopen(path, "we");
	if (!fp && !b->err) {
		b->err = errno;
		snprintf(b->what, sizeof(b->what), "%s", name);
	}
	return fp;
}

/* Close FP, adding its size to part P; 0 or -1. */
static int bw_close(struct bw *b, FILE *fp, const char *name, int part)
{
	long sz;
	int e = 0;

	if (!fp)
		return -1;
	if (fflush(fp) || ferror(fp) || fsync(fileno(fp)))
		e = errno ? errno : EIO;
	sz = ftell(fp);
	if (fclose(fp) && !e)
		e = errno;
	if (e) {
		if (!b->err) {
			b->err = e;
			snprintf(b->what, sizeof(b->what), "%s", name);
		}
		return -1;
	}
	if (part >= 0 && sz > 0)
		b->c->part[part].bytes += (uint64_t)sz;
	return 0;
}

static int bw_buf(struct bw *b, const char *name, int part, const struct kt_buf *buf)
{
	FILE *fp = bw_open(b, name);

	if (!fp)
		return -1;
	if (buf->len)
		fwrite(buf->p, 1, buf->len, fp);
	return bw_close(b, fp, name, part);
}

static int write_hostctx(struct bw *b)
{
	struct kt_capture *c = b->c;
	struct kt_buf d = {0};
	struct jw w;
	FILE *fp;
	int r;

	if (!c->have_pre)
		return 0;
	fp = bw_open(b, KT_BUNDLE_HOSTCTX);
	if (!fp)
		return -1;
	jw_init_file(&w, fp, 1);
	hc_json_pair(&w, &c->pre, c->have_post ? &c->post : &c->pre);
	jw_newline(&w);
	if (bw_close(b, fp, KT_BUNDLE_HOSTCTX, KT_PART_HOSTCTX))
		return -1;
	if (!hc_diff(&d, &c->pre, c->have_post ? &c->post : &c->pre))
		kt_buf_puts(&d, "no differences\n");
	r = bw_buf(b, KT_BUNDLE_HOSTCTX_DIFF, KT_PART_HOSTCTX, &d);
	kt_buf_free(&d);
	return r;
}

static int write_events(struct bw *b)
{
	struct kt_capture *c = b->c;
	FILE *fp = bw_open(b, KT_BUNDLE_EVENTS);

	if (!fp)
		return -1;
	fputs("[", fp);
	if (c->events.len)
		fwrite(c->events.p, 1, c->events.len, fp);
	fputs(c->nevents ? "\n]\n" : "]\n", fp);
	if (bw_close(b, fp, KT_BUNDLE_EVENTS, KT_PART_EVENTS))
		return -1;
	return bw_buf(b, KT_BUNDLE_BACKTRACE, KT_PART_EVENTS, &c->bt);
}

static int write_scx(struct bw *b)
{
	struct kt_capture *c = b->c;
	FILE *fp;

	if (!c->have_scx)
		return 0;
	fp = bw_open(b, KT_BUNDLE_SCHED_EXT);
	if (!fp)
		return -1;
	fputs("{\"pre\":", fp);
	fwrite(c->scx_pre.p, 1, c->scx_pre.len, fp);
	if (c->scx_en.len) {
		fputs(",\n\"enabled\":", fp);
		fwrite(c->scx_en.p, 1, c->scx_en.len, fp);
	}
	fputs(",\n\"post\":", fp);
	if (c->scx_post.len) {
		struct kt_buf post = {0};

		kt_cap_post_json(&post, &c->scx_post, c);
		fwrite(post.p, 1, post.len, fp);
		kt_buf_free(&post);
	} else {
		fwrite(c->scx_pre.p, 1, c->scx_pre.len, fp);
	}
	fprintf(fp, ",\n\"samples_dropped\":%llu,\n\"samples\":[",
		(unsigned long long)c->samples_dropped);
	for (size_t i = 0; i < c->nsamples; i++) {
		const struct kt_buf *s = &c->samples[(c->sample_head + i) % c->o.ring];

		fputs(i ? ",\n" : "\n", fp);
		fwrite(s->p, 1, s->len, fp);
	}
	fputs("]}\n", fp);
	return bw_close(b, fp, KT_BUNDLE_SCHED_EXT, KT_PART_SCHED_EXT);
}

static int write_ksyms(struct bw *b)
{
	struct kt_capture *c = b->c;
	size_t n;
	FILE *fp;

	if (!c->ksyms)
		return 0;
	fp = bw_open(b, KT_BUNDLE_KALLSYMS);
	if (!fp)
		return -1;
	n = kt_ksyms_count(c->ksyms);
	for (size_t i = 0; i < n; i++) {
		struct kt_ksym s;

		if (!kt_ksyms_get(c->ksyms, i, &s))
			kt_ksym_print(fp, &s, 16);
	}
	return bw_close(b, fp, KT_BUNDLE_KALLSYMS, KT_PART_KALLSYMS);
}

static uint64_t du(const char *dir)
{
	char path[8192];
	uint64_t total = 0;
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (!stat(path, &st) && S_ISREG(st.st_mode))
				total += (uint64_t)st.st_size;
		}
	closedir(d);
	return total;
}

static int write_maps(struct bw *b)
{
	struct kt_capture *c = b->c;
	char path[4200];
	int64_t delay = -1;

	if (!c->have_ring)
		return 0;
	/* from the exit seen to the final snapshot taken, both monotonic */
	if (c->have_exited && c->exited.mono_ns && c->ring.nsnaps) {
		const struct kt_snap *f = &c->ring.snaps[c->ring.nsnaps - 1];

		if (f->final && f->mono_ns >= c->exited.mono_ns)
			delay = (int64_t)(f->mono_ns - c->exited.mono_ns);
	}
	snprintf(path, sizeof(path), "%s/%s", b->dir, KT_BUNDLE_MAPS);
	if (kt_snapring_write(&c->ring, path, c->have_exited ? "scx-exit" : end_names[c->end],
			      delay)) {
		if (!b->err) {
			b->err = errno ? errno : EIO;
			snprintf(b->what, sizeof(b->what), "%s/", KT_BUNDLE_MAPS);
		}
		return -1;
	}
	c->part[KT_PART_MAPS].bytes = du(path);
	return 0;
}

/* SCX_EXIT_* of the captured exit's kind, 0 when unknown */
static uint32_t exit_code(const struct kt_cap_exit *ex)
{
	if (!ex->have)
		return 0;
	for (int k = SCX_KIND_ERROR; k < SCX_KIND_OTHER; k++)
		if (!strcmp(ex->kind, scx_kind_name((enum scx_kind)k)))
			return scx_kind_code((enum scx_kind)k);
	return 0;
}

static int write_timeline(struct bw *b)
{
	struct kt_capture *c = b->c;
	char path[4200];
	uint64_t nrec = 0, lost = 0;
	struct tl_export_stats st;
	struct tl_filter f = {0};
	struct tl_file tf;
	FILE *fp;

	if (!c->tl)
		return 0;
	fp = bw_open(b, KT_BUNDLE_TIMELINE);
	if (!fp)
		return -1;
	/* the exit as the window's own record, where `timeline record
	 * --flight` puts it: the capture's exit time and kind */
	if (c->have_exited)
		tl_flightrec_note_exit(c->tl, c->exited.mono_ns, c->sched, c->trig.state,
				       exit_code(&c->ex),
				       c->ex.origin == SCX_ORIGIN_KERNEL ? TL_SCX_KIND_FROM_KMSG
									 : TL_SCX_KIND_FROM_SCHED);
	if (tl_flightrec_write(c->tl, fp, &nrec, &lost)) {
		fclose(fp);
		if (!b->err) {
			b->err = errno ? errno : EIO;
			snprintf(b->what, sizeof(b->what), "%s", KT_BUNDLE_TIMELINE);
		}
		return -1;
	}
	if (bw_close(b, fp, KT_BUNDLE_TIMELINE, KT_PART_TIMELINE))
		return -1;
	if (lost && c->part[KT_PART_TIMELINE].st == KT_PART_OK)
		kt_cap_part_set(c, KT_PART_TIMELINE, KT_PART_PARTIAL,
				"%llu events lost (ring buffer full)", (unsigned long long)lost);
	snprintf(path, sizeof(path), "%s/%s", b->dir, KT_BUNDLE_TIMELINE);
	if (tl_file_open(path, &tf)) {
		kt_cap_part_set(c, KT_PART_TIMELINE, KT_PART_PARTIAL, "no trace export: %s",
				tf.err);
		tl_file_close(&tf);
		return 0;
	}
	fp = bw_open(b, KT_BUNDLE_TRACE);
	if (fp && tl_export_chrome(fp, tf.records, tf.nrecords * TL_RECORD_SIZE, &f, &st)) {
		errno = errno ? errno : EIO;
		b->err = b->err ? b->err : errno;
	}
	tl_file_close(&tf);
	return bw_close(b, fp, KT_BUNDLE_TRACE, KT_PART_TIMELINE);
}

static int write_dump(struct bw *b)
{
	struct kt_capture *c = b->c;

	if (c->part[KT_PART_DUMP].st != KT_PART_OK)
		return 0;
	return bw_buf(b, KT_BUNDLE_DUMP, KT_PART_DUMP, &c->dump);
}

static int write_sched_out(struct bw *b)
{
	struct kt_capture *c = b->c;

	if (c->o.mode != KT_CAP_RUN)
		return 0;
	if (bw_buf(b, KT_BUNDLE_SCHED_OUT, KT_PART_SCHEDULER, &c->cout[0]))
		return -1;
	return bw_buf(b, KT_BUNDLE_SCHED_ERR, KT_PART_SCHEDULER, &c->cout[1]);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	remove(p);
	return 0;
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static bool is_targz(const char *out)
{
	size_t n = strlen(out);

	return n > 7 && !strcmp(out + n - 7, ".tar.gz");
}

/* This process's peak resident set (VmHWM), 0 when unknown. */
static uint64_t peak_rss_kib(void)
{
	size_t n;
	char *s = kt_read_small(NULL, "/proc/self/status", 1 << 14, &n), *p;
	unsigned long long v = 0;

	p = s ? strstr(s, "\nVmHWM:") : NULL;
	if (p && sscanf(p + 7, " %llu kB", &v) != 1)
		v = 0;
	free(s);
	return v;
}

static int finish(struct bw *b)
{
	struct kt_capture *c = b->c;
	struct kt_buf s = {0};
	struct jw w;
	FILE *fp;
	int r;

	c->written.mono_ns = kt_mono_ns();
	c->written.real_ns = kt_real_ns();
	c->peak_rss_kib = peak_rss_kib();
	kt_cap_summary(&s, c);
	r = bw_buf(b, KT_BUNDLE_SUMMARY, -1, &s);
	kt_buf_free(&s);
	if (r)
		return -1;
	fp = bw_open(b, KT_BUNDLE_MANIFEST);
	if (!fp)
		return -1;
	jw_init_file(&w, fp, 1);
	kt_cap_manifest(&w, c);
	jw_newline(&w);
	return bw_close(b, fp, KT_BUNDLE_MANIFEST, -1);
}

/* Write the bundle: 0, or KT_EXIT_FAIL (reported; nothing left behind). */
int kt_cap_write(struct kt_capture *c)
{
	struct bw b = {.c = c};
	const char *out = c->o.out;
	bool tgz = is_targz(out);
	char top[4096];
	int ok;

	c->write_start_ns = kt_mono_ns();
	if (strlen(out) >= sizeof(top) - 32)
		return kt_errx("cannot write the bundle: '%s': name too long", out);
	snprintf(top, sizeof(top), "%.*s", (int)(strlen(out) - (tgz ? 7 : 0)), out);
	if (!tgz && !access(out, F_OK))
		return kt_errx("cannot write the bundle: '%s' exists", out);
	snprintf(b.dir, sizeof(b.dir), "%.4000s.tmp-%d", top, (int)getpid());
	if (mkdir(b.dir, 0755))
		return kt_err("cannot write the bundle: '%s'", b.dir);
	ok = !write_hostctx(&b) && !write_events(&b) &&
	     !bw_buf(&b, KT_BUNDLE_KMSG, KT_PART_KMSG, &c->kmsg) && !write_scx(&b) &&
	     !write_ksyms(&b) && !write_maps(&b) && !write_timeline(&b) && !write_dump(&b) &&
	     !write_sched_out(&b) && !finish(&b);
	if (!ok) {
		kt_errn(b.err ? b.err : EIO, "cannot write the bundle: %s", b.what);
		rm_tree(b.dir);
		return KT_EXIT_FAIL;
	}
	if (tgz) {
		struct kt_atomic a;
		const char *base = strrchr(top, '/');

		if (kt_atomic_open(&a, out)) {
			kt_err("cannot write '%s'", out);
			rm_tree(b.dir);
			return KT_EXIT_FAIL;
		}
		if (kt_targz_dir(b.dir, base ? base + 1 : top, a.fp)) {
			kt_err("cannot write '%s'", out);
			kt_atomic_abort(&a);
			rm_tree(b.dir);
			return KT_EXIT_FAIL;
		}
		if (kt_atomic_commit(&a)) {
			kt_err("cannot write '%s'", out);
			rm_tree(b.dir);
			return KT_EXIT_FAIL;
		}
		rm_tree(b.dir);
		return 0;
	}
	if (rename(b.dir, out)) {
		kt_err("cannot rename '%s' to '%s'", b.dir, out);
		rm_tree(b.dir);
		return KT_EXIT_FAIL;
	}
	return 0;
}
