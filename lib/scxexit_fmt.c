// SPDX-License-Identifier: MIT
/* Output of sched_ext log events: JSON objects and human blocks. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "scxexit.h"
#include "text.h"

static void frame_json(struct jw *w, const struct scx_frame *f)
{
	jw_obj_open(w);
	jw_klit_str(w, "symbol", f->symbol);
	if (f->has_offset) {
		jw_klit_u64(w, "offset", f->offset);
		if (f->size)
			jw_klit_u64(w, "size", f->size);
	}
	if (f->module)
		jw_klit_str(w, "module", f->module);
	jw_obj_close(w);
}

void scx_event_json(struct jw *w, const struct scx_event *ev)
{
	jw_obj_open(w);
	jw_klit_str(w, "event", scx_event_name(ev->type));
	jw_klit_str(w, "origin", scx_origin_name(ev->origin));
	if (ev->scheduler)
		jw_klit_str(w, "scheduler", ev->scheduler);
	if (ev->sub)
		jw_klit_bool(w, "sub", true);
	if (ev->partial)
		jw_klit_bool(w, "partial", true);
	if (ev->type == SCX_EV_EXIT)
		jw_klit_str(w, "kind", scx_kind_name(ev->kind));
	if (ev->reason)
		jw_klit_str(w, "reason", ev->reason);
	if (ev->message)
		jw_klit_str(w, "message", ev->message);
	if (ev->cpu >= 0)
		jw_klit_i64(w, "cpu", ev->cpu);
	if (ev->has_ts) {
		jw_klit(w, "timestamp");
		jw_udec_g(w, ev->ts_usec, 6);
	}
	if (ev->has_seq)
		jw_klit_u64(w, "seq", ev->seq);
	if (ev->level >= 0)
		jw_klit_i64(w, "level", ev->level);
	if (ev->has_stall) {
		jw_klit(w, "stall");
		jw_obj_open(w);
		jw_klit_str(w, "comm", ev->stall_comm);
		jw_klit_i64(w, "pid", ev->stall_pid);
		jw_klit(w, "seconds");
		jw_udec_g(w, ev->stall_msec, 3);
		jw_obj_close(w);
	}
	if (ev->nbt) {
		jw_klit(w, "backtrace");
		jw_arr_open(w);
		for (size_t i = 0; i < ev->nbt; i++)
			frame_json(w, &ev->bt[i]);
		jw_arr_close(w);
	}
	if (ev->truncated)
		jw_klit_bool(w, "truncated", true);
	jw_klit(w, "raw");
	jw_arr_open(w);
	for (size_t i = 0; i < ev->nraw; i++)
		jw_str(w, ev->raw[i]);
	jw_arr_close(w);
	jw_obj_close(w);
}

/* ---- human: each event built in one buffer, written once ---- */

/*
 * kt_buf_put's common case inline: an event is a few dozen short pieces,
 * whose calls were a tenth of the human output's time (lengths of
 * literals fold at compile time through bputs).
 */
static inline void bput(struct kt_buf *b, const char *s, size_t n)
{
	if (!kt_buf_put_fits(b, s, n))
		kt_buf_put(b, s, n);
}

static inline void bputc(struct kt_buf *b, char c)
{
	if (!kt_buf_putc_fits(b, c))
		kt_buf_putc(b, c);
}

#define bputs(b, s) bput((b), (s), strlen(s))

static void put_esc(struct kt_buf *b, const char *s)
{
	kt_buf_put_esc(b, s, strlen(s));
}

/* V in decimal, padded on the left with PAD to WIDTH */
static void put_dec(struct kt_buf *b, uint64_t v, int width, char pad)
{
	char d[24], *p = d + sizeof(d);

	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	while (p > d && d + sizeof(d) - p < width)
		*--p = pad;
	kt_buf_put(b, p, (size_t)(d + sizeof(d) - p));
}

/* "%#llx": 0 is "0" */
static void put_hex(struct kt_buf *b, uint64_t v)
{
	char *d = kt_buf_room(b, 18);

	if (!d)
		return;
	if (v) {
		memcpy(d, "0x", 2);
		d += 2;
	}
	kt_buf_done(b, d + kt_hex(d, v, 1));
}

static void human_field(struct kt_buf *b, const char *k, const char *v)
{
	if (!v)
		return;
	bputs(b, "  ");
	bputs(b, k);
	bput(b, ": ", 2);
	put_esc(b, v);
	bputc(b, '\n');
}

static void frame_human(struct kt_buf *b, const struct scx_frame *f)
{
	bput(b, "    ", 4);
	put_esc(b, f->symbol);
	if (f->has_offset) {
		bputc(b, '+');
		put_hex(b, f->offset);
		if (f->size) {
			bputc(b, '/');
			put_hex(b, f->size);
		}
	}
	if (f->module) {
		bput(b, " [", 2);
		put_esc(b, f->module);
		bputc(b, ']');
	}
	bputc(b, '\n');
}

static void human_head(struct kt_buf *b, const struct scx_event *ev)
{
	if (ev->has_ts) {
		bputc(b, '[');
		put_dec(b, ev->ts_usec / 1000000, 5, ' ');
		bputc(b, '.');
		put_dec(b, ev->ts_usec % 1000000, 6, '0');
		bput(b, "] ", 2);
	}
	bputs(b, scx_event_name(ev->type));
	bputc(b, ' ');
	put_esc(b, ev->scheduler ? ev->scheduler : "(unknown)");
	if (ev->type == SCX_EV_EXIT) {
		bputc(b, ' ');
		bputs(b, scx_kind_name(ev->kind));
	}
	bput(b, " (", 2);
	bputs(b, scx_origin_name(ev->origin));
	if (ev->sub)
		bputs(b, ", sub-scheduler");
	if (ev->partial)
		bputs(b, ", partial");
	if (ev->origin == SCX_ORIGIN_SCHEDULER)
		bputs(b, " output");
	bputc(b, ')');
	if (ev->has_seq) {
		bputs(b, " seq=");
		put_dec(b, ev->seq, 0, ' ');
	}
	if (ev->level >= 0) {
		bputs(b, " level=");
		put_dec(b, (uint64_t)ev->level, 0, ' ');
	}
	bputc(b, '\n');
}

void scx_event_human_buf(struct kt_buf *b, const struct scx_event *ev)
{
	human_head(b, ev);
	human_field(b, "reason", ev->reason);
	human_field(b, "message", ev->message);
	if (ev->cpu >= 0) {
		bputs(b, "  cpu: ");
		put_dec(b, (uint64_t)ev->cpu, 0, ' ');
		bputc(b, '\n');
	}
	if (ev->has_stall) {
		bputs(b, "  stall: ");
		put_esc(b, ev->stall_comm);
		/* "[%lld] for %llu.%03llus\n" without printf (its calls were
		 * 2.5 k instructions an exit) */
		bputc(b, '[');
		if (ev->stall_pid < 0)
			bputc(b, '-');
		put_dec(b, ev->stall_pid < 0 ? -(uint64_t)ev->stall_pid : (uint64_t)ev->stall_pid,
			0, ' ');
		bput(b, "] for ", 6);
		put_dec(b, ev->stall_msec / 1000, 0, ' ');
		bputc(b, '.');
		put_dec(b, ev->stall_msec % 1000, 3, '0');
		bput(b, "s\n", 2);
	}
	if (ev->nbt)
		bputs(b, "  backtrace:\n");
	for (size_t i = 0; i < ev->nbt; i++)
		frame_human(b, &ev->bt[i]);
	if (ev->truncated & SCX_TRUNC_FRAMES)
		kt_buf_printf(b, "    ... (truncated: more than %d frames)\n", SCX_MAX_FRAMES);
	if (ev->truncated & ~SCX_TRUNC_FRAMES)
		kt_buf_printf(b, "  truncated:%s%s\n",
			      ev->truncated & SCX_TRUNC_LINE
				      ? " a line over the line cap (message cut)"
				      : "",
			      ev->truncated & SCX_TRUNC_RAW ? " raw lines cut" : "");
}

void scx_event_human(FILE *fp, const struct scx_event *ev)
{
	struct kt_buf b = {0};

	scx_event_human_buf(&b, ev);
	if (b.len)
		fwrite(b.p, 1, b.len, fp);
	kt_buf_free(&b);
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
