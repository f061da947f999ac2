/* SPDX-License-Identifier: MIT */
/*
 * sched_ext enable/exit events from kernel log text (parse_kmsg_window).
 *
 * A streaming state machine fed one logical line at a time (see kmsg.h
 * for the prefixes it strips), so a log of any size is read in bounded
 * memory.  Two sources of events, told apart in every event's origin:
 *
 *  kernel     the printk lines of kernel/sched/ext.c:
 *               sched_ext: BPF [sub-]scheduler "NAME" enabled[ (partial)]
 *               sched_ext: BPF [sub-]scheduler "NAME" disabled (REASON)
 *               sched_ext: NAME: MESSAGE            (error kinds only)
 *                  func+0xoff/0xsz [mod]            (stack_trace_print)
 *             and the pre-6.12 (out-of-tree) form:
 *               sched_ext: BPF scheduler "NAME" errored, disabling
 *               sched_ext: REASON[ (MESSAGE)]
 *  scheduler  what a scx scheduler prints from its exit info:
 *               DEBUG DUMP / ==== / [NAME: root] / COMM[PID] triggered
 *               exit kind N[ on CPU C]: /   REASON (MSG) / Backtrace: / 2-space
 *               frames / CPU states and per-task stacks (ignored) / ====
 *               EXIT: REASON[ (MSG)]  or  Error: EXIT: …
 *
 * Events are emitted in the order of their first line.
 */
#ifndef KT_SCXEXIT_H
#define KT_SCXEXIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kmsg.h"

struct jw;
struct kt_ksyms;

enum scx_ev_type {
	SCX_EV_ENABLE = 1,
	SCX_EV_EXIT,
};

enum scx_origin {
	SCX_ORIGIN_KERNEL,
	SCX_ORIGIN_SCHEDULER,
	SCX_ORIGIN_USER, /* kernel-form lines written by user space (facility != kern) */
};

/* What an event's bounds cut (scx_event.truncated, bits). */
enum {
	SCX_TRUNC_FRAMES = 1, /* more than SCX_MAX_FRAMES frames */
	SCX_TRUNC_RAW = 2,    /* more than SCX_MAX_RAW lines, or one over SCX_MAX_RAWLEN */
	SCX_TRUNC_LINE = 4,   /* a line longer than the splitter's cap (message cut) */
};

/* The SCX_EXIT_* kinds a parser names; everything else is OTHER. */
enum scx_kind {
	SCX_KIND_NONE, /* enable events */
	SCX_KIND_ERROR,
	SCX_KIND_ERROR_BPF,
	SCX_KIND_ERROR_STALL,
	SCX_KIND_UNREG,
	SCX_KIND_UNREG_BPF,
	SCX_KIND_UNREG_KERN,
	SCX_KIND_SYSRQ,
	SCX_KIND_OTHER,
};

/* Bounds that keep one event's memory small whatever the input. */
#define SCX_MAX_FRAMES 128
#define SCX_MAX_RAW 192
#define SCX_MAX_RAWLEN 4096
#define SCX_SHAPE_MAX 64

struct scx_frame {
	char *symbol; /* name, or the address text of a raw frame */
	char *module; /* NULL when none */
	uint64_t offset;
	uint64_t size;
	uint64_t addr;	 /* raw-address frame: the address */
	bool has_offset; /* a func+0xoff/0xsz frame (or resolved) */
	bool is_addr;	 /* a raw address frame */
};

struct scx_event {
	enum scx_ev_type type;
	enum scx_origin origin;
	enum scx_kind kind; /* exits */
	char *scheduler;    /* NULL when the lines do not say */
	char *reason;
	char *message;
	bool partial; /* enabled (partial) */
	bool sub;     /* BPF sub-scheduler */
	bool has_ts, has_seq;
	uint64_t ts_usec;
	uint64_t seq;
	int level;	/* printk level, -1 when unknown */
	int64_t cpu;	/* the CPU a dump's "… exit kind N on CPU C:" names, else -1 */
	bool has_stall; /* "COMM[PID] failed to run for N.NNNs" */
	char *stall_comm;
	int64_t stall_pid;
	uint64_t stall_msec;
	struct scx_frame *bt;
	size_t nbt;
	char **raw; /* the physical lines the event was built from */
	size_t nraw;
	uint64_t line;	    /* 1-based number of its first line */
	unsigned truncated; /* SCX_TRUNC_* bits, 0 when nothing was cut */
};

/* The callback borrows the event; it is freed when the callback returns. */
typedef void (*scx_emit_fn)(const struct scx_event *ev, void *arg);

struct scx_pend; /* internal */
struct pev;	 /* internal: an event and its arena */

struct scx_parser {
	scx_emit_fn emit;
	void *arg;
	struct kmsg_ctx kctx;
	uint64_t nline;	  /* physical lines fed */
	uint64_t nevents; /* events emitted */
	/* kernel side */
	int kstate;
	int kskip;
	int kfmt; /* line format of the open kernel event */
	struct scx_event *kev;
	/* scheduler side */
	int sstate;
	int sskip;
	enum kmsg_fmt sfmt; /* line format of the open scheduler event */
	bool sexit_seen;
	struct scx_event *sev;
	/* completed, waiting for an earlier pending event to finish */
	struct scx_event *done[8];
	int ndone;
	int oom;		      /* allocation failures (events may lack detail) */
	const struct kt_ksyms *ksyms; /* resolve raw-address frames (or NULL) */
	bool parse_all;		      /* parse every line, no skipping (for tests) */
	bool line_cut;		      /* the line being fed was cut by the splitter */
	/* the shape of an ad-hoc prefix before an open event's first line
	 * (digit, letter and blank runs, other bytes literal), stripped from
	 * the lines that continue it */
	char kshape[SCX_SHAPE_MAX], sshape[SCX_SHAPE_MAX];
	size_t kshape_len, sshape_len;
	bool stentative;	      /* a dump without banner: needs its reason line */
	char shdr[2 * SCX_SHAPE_MAX]; /* its header line's start (for the prefix) */
	size_t shdr_len;
	/* a "NAME: root" / "NAME: subN-…" line seen while idle: the name line
	 * of a dump copied without its banner, if the header follows it */
	char *pname, *pname_raw;
	uint64_t pname_line; /* its nline */
	bool pname_sub;
	unsigned sbody;	   /* dump body lines since the backtrace */
	struct pev *spare; /* a freed event kept for the next one (internal) */
	bool lcand;	   /* the line being fed holds a candidate string (internal) */
};

void scx_parser_init(struct scx_parser *p, scx_emit_fn emit, void *arg);
/*
 * Feed one physical line (no newline).  LINE is modified (record text is
 * unescaped in place).  Two records joined on one line are split.
 */
void scx_parser_feed(struct scx_parser *p, char *line, size_t len);
/*
 * The idle fast path: while no event is open, the length of the whole
 * lines at the start of DATA that cannot open one (memchr-speed scan);
 * the caller drops them unparsed (their count is added to p->nline and
 * *LINES).  0 when the first line must be fed.
 */
size_t scx_parser_skip(struct scx_parser *p, const char *data, size_t n, uint64_t *lines);
/* The idle scan's vector width: -1 picks the best the CPU has (the
 * default), 0 bytewise, 1 SSE2, 2 AVX2, 3 AVX-512 BW+VBMI (tests set it
 * to compare them). */
extern int scx_simd;
/* Feed an already parsed line; RAW is the physical line it came from. */
void scx_parser_feed_parsed(struct scx_parser *p, const struct kmsg_line *l, const char *raw,
			    size_t rawlen);
/* True while an event is open (more lines could still extend it). */
bool scx_parser_pending(const struct scx_parser *p);
/* Complete and emit every open event (end of window, or idle in follow). */
void scx_parser_flush(struct scx_parser *p);
void scx_parser_free(struct scx_parser *p);

/*
 * parse_kmsg_window: every event of a whole text buffer, streamed through
 * a line splitter capped at MAXLINE bytes per line (0: 64 KiB).  Returns
 * the number of events, or -1 (ENOMEM).
 */
long scx_parse_window(const char *buf, size_t len, size_t maxline, scx_emit_fn emit, void *arg);

/* Reason text (exact, 6.12+ and out-of-tree spellings) -> enum scx_kind. */
enum scx_kind scx_kind_from_reason(const char *s, size_t n);
/* SCX_EXIT_* value as printed in "triggered exit kind N" -> enum scx_kind. */
enum scx_kind scx_kind_from_code(uint64_t code);
/* enum scx_kind -> its SCX_EXIT_* value; 0 for NONE and OTHER (no one value). */
uint32_t scx_kind_code(enum scx_kind kind);
/* "error", "error_stall", …, "other" (NULL for NONE). */
const char *scx_kind_name(enum scx_kind kind);
const char *scx_event_name(enum scx_ev_type type);
const char *scx_origin_name(enum scx_origin origin);

/* "COMM[PID] failed to run for N.NNNs": true and the parts (COMM in S). */
bool scx_parse_stall(const char *s, size_t n, const char **comm, size_t *comm_len, int64_t *pid,
		     uint64_t *msec);

/*
 * One backtrace frame after an indent of MIN_INDENT..MAX_INDENT spaces:
 * "func+0xoff/0xsz[ [module]][ trailing]" or a raw address.  Fills F
 * (strings allocated; free with scx_frame_clear) and returns true.
 */
bool scx_parse_frame(const char *s, size_t n, int min_indent, int max_indent, struct scx_frame *f);
/* Shape matching of ad-hoc prefixes: the offset in T after a prefix of
 * SHAPE's shape, or (size_t)-1 when T does not start with one. */
size_t scx_shape_strip(const char *shape, size_t sl, const char *t, size_t n);
void scx_frame_clear(struct scx_frame *f);

/* Resolve raw-address frames of EV through a symbol table (in place). */
void scx_event_resolve(struct scx_event *ev, const struct kt_ksyms *t);

/* ---- SCX_EV_* counters (root/events, a debug dump's "Event counters") ---- */

#define SCX_MAX_COUNTERS 64
struct scx_counter {
	char name[48]; /* "SCX_EV_DISPATCH_KEEP_LAST" as "dispatch_keep_last" */
	int64_t value;
};
/* "SCX_EV_NAME" (N bytes) as "name" into OUT (SIZE bytes); false when it
 * is empty, too long or not a C identifier. */
bool scx_counter_key(const char *s, size_t n, char *out, size_t size);
/* One counter line: root/events' "SCX_EV_NAME VALUE" or the dump's
 * "%40s: %16lld"; false when S is not one. */
bool scx_counter_line(const char *s, size_t n, struct scx_counter *c);
/*
 * The "Event counters" section of the first exit dump in S (a debug dump's
 * text: a scheduler's DEBUG DUMP, or sched_ext_dump lines), at most MAX
 * into OUT: how many, 0 when there is none (a SysRq-D dump, kind 0, is
 * skipped: it is not an exit's; kernels before the counters print none).
 */
size_t scx_dump_counters(const char *s, size_t n, struct scx_counter *out, size_t max);

/* ---- output (scxexit_fmt.c) ---- */

/* One event as a JSON object (absent values omitted; keys in kmsgscx --help). */
void scx_event_json(struct jw *w, const struct scx_event *ev);
/* Human form: one header line plus indented detail lines. */
void scx_event_human(FILE *fp, const struct scx_event *ev);
/* The same, appended to B (one write per event for the caller). */
struct kt_buf;
void scx_event_human_buf(struct kt_buf *b, const struct scx_event *ev);
/* Records lost to a /dev/kmsg overrun before SEQ (LOST 0: unknown count):
 * {"event":"overrun","seq","lost"} / one human line. */
void scx_overrun_json(struct jw *w, uint64_t seq, uint64_t lost);
void scx_overrun_human(FILE *fp, uint64_t seq, uint64_t lost);

#endif
