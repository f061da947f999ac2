// SPDX-License-Identifier: MIT
/* Output of sched_ext log events: JSON objects and human blocks. */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "scxexit.h"
#include "text.h"

static void frame_json(struct jw *w, const struct scx_frame *f)
{
	jw_obj_open(w);
	jw_kstr(w, "symbol", f->symbol);
	if (f->has_offset) {
		jw_ku64(w, "offset", f->offset);
		if (f->size)
			jw_ku64(w, "size", f->size);
	}
	if (f->module)
		jw_kstr(w, "module", f->module);
	jw_obj_close(w);
}

static void opt_str(struct jw *w, const char *k, const char *v)
{
	if (v)
		jw_kstr(w, k, v);
}

void scx_event_json(struct jw *w, const struct scx_event *ev)
{
	jw_obj_open(w);
	jw_kstr(w, "event", scx_event_name(ev->type));
	jw_kstr(w, "origin", scx_origin_name(ev->origin));
	opt_str(w, "scheduler", ev->scheduler);
	if (ev->type == SCX_EV_EXIT)
		jw_kstr(w, "kind", scx_kind_name(ev->kind));
	opt_str(w, "reason", ev->reason);
	opt_str(w, "message", ev->message);
	if (ev->has_ts)
		jw_kdouble(w, "timestamp", (double)ev->ts_usec / 1e6);
	if (ev->has_seq)
		jw_ku64(w, "seq", ev->seq);
	if (ev->level >= 0)
		jw_ki64(w, "level", ev->level);
	if (ev->has_stall) {
		jw_key(w, "stall");
		jw_obj_open(w);
		jw_kstr(w, "comm", ev->stall_comm);
		jw_ki64(w, "pid", ev->stall_pid);
		jw_kdouble(w, "seconds", (double)ev->stall_msec / 1e3);
		jw_obj_close(w);
	}
	if (ev->nbt) {
		jw_key(w, "backtrace");
		jw_arr_open(w);
		for (size_t i = 0; i < ev->nbt; i++)
			frame_json(w, &ev->bt[i]);
		jw_arr_close(w);
	}
	if (ev->truncated)
		jw_kbool(w, "truncated", true);
	jw_key(w, "raw");
	jw_arr_open(w);
	for (size_t i = 0; i < ev->nraw; i++)
		jw_str(w, ev->raw[i]);
	jw_arr_close(w);
	jw_obj_close(w);
}

static void human_field(FILE *fp, const char *k, const char *v)
{
	if (!v)
		return;
	fprintf(fp, "  %s: ", k);
	kt_fputs_esc(fp, v);
	fputc('\n', fp);
}

static void frame_human(FILE *fp, const struct scx_frame *f)
{
	fputs("    ", fp);
	kt_fputs_esc(fp, f->symbol);
	if (f->has_offset) {
		fprintf(fp, "+%#llx", (unsigned long long)f->offset);
		if (f->size)
			fprintf(fp, "/%#llx", (unsigned long long)f->size);
	}
	if (f->module) {
		fputs(" [", fp);
		kt_fputs_esc(fp, f->module);
		fputc(']', fp);
	}
	fputc('\n', fp);
}

void scx_event_human(FILE *fp, const struct scx_event *ev)
{
	if (ev->has_ts)
		fprintf(fp, "[%5llu.%06llu] ", (unsigned long long)(ev->ts_usec / 1000000),
			(unsigned long long)(ev->ts_usec % 1000000));
	fprintf(fp, "%s ", scx_event_name(ev->type));
	kt_fputs_esc(fp, ev->scheduler ? ev->scheduler : "(unknown)");
	if (ev->type == SCX_EV_EXIT)
		fprintf(fp, " %s", scx_kind_name(ev->kind));
	fprintf(fp, " (%s%s%s%s)", scx_origin_name(ev->origin), ev->sub ? ", sub-scheduler" : "",
		ev->partial ? ", partial" : "",
		ev->origin == SCX_ORIGIN_SCHEDULER ? " output" : "");
	if (ev->has_seq)
		fprintf(fp, " seq=%llu", (unsigned long long)ev->seq);
	if (ev->level >= 0)
		fprintf(fp, " level=%d", ev->level);
	fputc('\n', fp);
	human_field(fp, "reason", ev->reason);
	human_field(fp, "message", ev->message);
	if (ev->has_stall) {
		fputs("  stall: ", fp);
		kt_fputs_esc(fp, ev->stall_comm);
		fprintf(fp, "[%lld] for %llu.%03llus\n", (long long)ev->stall_pid,
			(unsigned long long)(ev->stall_msec / 1000),
			(unsigned long long)(ev->stall_msec % 1000));
	}
	if (ev->nbt)
		fprintf(fp, "  backtrace:\n");
	for (size_t i = 0; i < ev->nbt; i++)
		frame_human(fp, &ev->bt[i]);
	if (ev->truncated & SCX_TRUNC_FRAMES)
		fprintf(fp, "    ... (truncated: more than %d frames)\n", SCX_MAX_FRAMES);
	if (ev->truncated & ~SCX_TRUNC_FRAMES)
		fprintf(fp, "  truncated:%s%s\n",
			ev->truncated & SCX_TRUNC_LINE ? " a line over the line cap (message cut)"
						       : "",
			ev->truncated & SCX_TRUNC_RAW ? " raw lines cut" : "");
}

void scx_overrun_json(struct jw *w, uint64_t seq, uint64_t lost)
{
	jw_obj_open(w);
	jw_kstr(w, "event", "overrun");
	jw_ku64(w, "seq", seq);
	if (lost)
		jw_ku64(w, "lost", lost);
	jw_obj_close(w);
}

void scx_overrun_human(FILE *fp, uint64_t seq, uint64_t lost)
{
	if (lost)
		fprintf(fp, "overrun: %llu records lost before seq %llu\n",
			(unsigned long long)lost, (unsigned long long)seq);
	else
		fprintf(fp, "overrun: records lost before seq %llu (how many is unknown)\n",
			(unsigned long long)seq);
}
