/* SPDX-License-Identifier: MIT */
/*
 * Timeline records (bpf/intf.h): parsing, the capture file, dumps, the
 * report (perf sched timehist/latency figures) and the Chrome trace-event
 * export.  Everything here is a pure function over buffers except the thin
 * file wrappers at the end.
 */
#ifndef KT_TIMELINE_H
#define KT_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>

#include "intf.h"

/* Little-endian (native) fields of a raw record, unaligned. */
static inline uint32_t tl_rd32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline uint64_t tl_rd64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the timeline wire format is little endian; a big-endian reader would need byte swaps"
#endif

/* ---- events ------------------------------------------------------------- */

enum tl_kind {
	TL_K_SWITCH,
	TL_K_MIGRATE,
	TL_K_WAKEUP,
	TL_K_PI_BOOST,
	TL_K_LOCK_CONTEND,
	TL_K_WAKEUP_NEW,
	TL_K_WAKING,
	TL_K_FORK,
	TL_K_EXIT,
	TL_K_EXEC,
	TL_K_COMM,
	TL_K_SCX_EXIT,
	TL_K_SCX_EVENT,
	TL_K_SCX_DUMP,
	TL_K_TEXT, /* a text record without its header */
	TL_K_UNKNOWN,
	TL_K_NR,
};

/* ktstr's serde names ("Switch", ... "Unknown") and ours in the same style. */
const char *tl_kind_name(enum tl_kind k);

/*
 * One ring-buffer sample of NREC records: when it is a sched_ext_dump line
 * (header and its text) of the form "... triggered exit kind N on CPU C:",
 * the first line of an error exit's dump, N in *kind and 0; else -1.
 */
int tl_dump_exit_kind(const void *recs, size_t nrec, uint32_t *kind);
/*
 * The SCX_EXIT_* kind of the kernel's log line for an exit, TEXT (the
 * message, no record header): 'sched_ext: BPF scheduler "NAME" disabled
 * (REASON)' (kernel/sched/ext.c scx_root_disable: pr_info below
 * SCX_EXIT_ERROR, pr_err from it), the kind by its reason text, NAME (not
 * NUL-terminated, NAME_LEN bytes) pointing into TEXT.  0, or -1 when TEXT is
 * no such line or its reason names no kind.
 */
int tl_kmsg_exit_kind(const char *text, size_t n, uint32_t *kind, const char **name,
		      size_t *name_len);

/*
 * One parsed record.  RAW keeps the record as it was (Unknown events are
 * rendered from it); the union names the fields of each kind.  Wakeup,
 * WakeupNew and Waking share wake; text-carrying kinds (ScxExit, ScxEvent,
 * ScxDump, Text) have TEXT/TEXT_LEN, joined from the continuation records
 * by tl_iter_next and parse_buf (not by parse_record, which sees one
 * record: TEXT is NULL and TEXT_CUT set when text was declared).
 */
struct tl_event {
	enum tl_kind kind;
	struct timeline_event raw;
	union {
		struct {
			uint32_t prev_pid, next_pid;
			uint64_t prev_state;
			bool preempt;
		} sw;
		struct {
			uint32_t pid, orig_cpu, dest_cpu;
		} mig;
		struct {
			uint32_t pid, target_cpu;
		} wake;
		struct {
			uint32_t prober_tid, pid, old_prio, old_class_id, new_prio, new_class_id;
		} pi;
		struct {
			uint32_t tid, flags;
			uint64_t lock_kva;
		} lock;
		struct {
			uint32_t parent_pid, child_pid, parent_tgid, child_tgid;
		} fork;
		struct {
			uint32_t pid, tgid;
			bool group_dead;
			int32_t exit_code;
		} exit;
		struct {
			uint32_t pid, old_pid, tgid;
		} exec;
		struct {
			uint32_t pid, tgid;
			char comm[17];
		} comm;
		struct {
			uint32_t tid;
			uint32_t source;    /* TL_SCX_EXIT_SRC_* */
			uint32_t kind_from; /* TL_SCX_KIND_FROM_*: where exit_kind came from */
			uint64_t exit_kind; /* SCX_EXIT_*, 0 unknown */
		} scx_exit;
		struct {
			uint32_t tid;
			int64_t delta;
		} scx_event;
		struct {
			uint32_t tid;
			uint64_t seq;
		} scx_dump;
	};
	const char *text;
	uint32_t text_len; /* bytes at TEXT (without a NUL) */
	bool text_cut;	   /* continuation records missing or past TL_TEXT_MAX */
};

/* Decode one record: 0, or -1 (EINVAL) when N < TL_RECORD_SIZE. */
int parse_record(const void *p, size_t n, struct tl_event *ev);

/*
 * Walk a buffer of concatenated records, joining text continuations.
 * tl_iter_next returns 1 with *EV filled (EV->text valid until the next
 * call), 0 at the end; then TAIL is the count of bytes left over that do
 * not make a whole record (a torn last record: reported, never dropped
 * silently).
 */
struct tl_iter {
	const unsigned char *p;
	size_t len, off;
	size_t tail;
	uint64_t nrec; /* records consumed (text continuations included) */
	char text[TL_TEXT_MAX + 1];
};
void tl_iter_init(struct tl_iter *it, const void *buf, size_t len);
int tl_iter_next(struct tl_iter *it, struct tl_event *ev);

/*
 * The same, in time order: a window of the next TL_SORT_WINDOW events is
 * held and insertion-sorted (ring-buffer order is per-CPU time order, with
 * small inversions across CPUs, so this is a compare per event); an event
 * older than one already returned is returned anyway and counted in
 * OUT_OF_ORDER.  tl_sorted_init returns -1 on ENOMEM.
 */
#define TL_SORT_WINDOW 4096
struct tl_sorted {
	struct tl_iter in, one;
	const unsigned char *buf;
	size_t len;
	size_t off; /* offset in BUF of the event tl_sorted_next returned last */
	/* the window, a ring: time and offset, where in the low bits (16
	 * bytes an entry: the window is streamed through, and 64-byte entries
	 * kept the tasks of the report and the export's names out of cache) */
	struct tl_sort_ent {
		uint64_t ts;
		uint64_t offw; /* offset << 8 | TL_SORT_IN_* */
	} * win;
	unsigned char (*rec)[TL_RECORD_SIZE]; /* per window slot: TL_SORT_IN_REC copies */
	size_t head, n;
	uint64_t last_ts, out_of_order;
	/* BUF inside a file tl_file_open mapped: the records are read from
	 * the file with pread() into CHUNK (a reused buffer: what `cat` costs)
	 * instead of first touching the mapping; window entries point into
	 * the chunk, and are copied into REC only when it is refilled */
	int fd; /* -1: read BUF */
	uint64_t foff;
	unsigned char *chunk;
	size_t cbase, clen;
};
enum {
	TL_SORT_IN_BUF,	  /* at BUF + OFF (text events: joined from there) */
	TL_SORT_IN_CHUNK, /* at CHUNK + OFF - CBASE */
	TL_SORT_IN_REC,	  /* copied into REC[slot] */
};
int tl_sorted_init(struct tl_sorted *s, const void *buf, size_t len);
int tl_sorted_next(struct tl_sorted *s, struct tl_event *ev);
void tl_sorted_free(struct tl_sorted *s);
/* The 40 bytes of the record at OFF (OFF + 40 <= LEN) of S's buffer, the
 * way S reads them (through its chunk when the buffer is a mapped file):
 * valid until the next call on S. */
const unsigned char *tl_sorted_rec(struct tl_sorted *s, size_t off);

/* Every event of a buffer, in encounter order, texts owned by the result. */
struct tl_events {
	struct tl_event *ev;
	size_t n;
	size_t tail; /* trailing bytes short of a record */
	char *text;  /* storage of every event's text */
};
/* 0, or -1 (ENOMEM: *OUT is then empty). */
int parse_buf(const void *buf, size_t len, struct tl_events *out);
void tl_events_free(struct tl_events *e);

/* prev_state as the kernel's sched_switch prints it: R S D T t X Z P I,
 * "R+" for a preempted task. */
const char *tl_state_str(uint64_t prev_state, bool preempt);

/* ---- capture file ---------------------------------------------------------
 *
 *	header   TL_FILE_HEADER_SIZE bytes (struct tl_file_header)
 *	records  nrecords * 40 bytes
 *	trailer  "KTTLTRL\0", nrecords u64, end_ns u64, flight_dropped u64,
 *	         ncpus u32, flags u32, lost[ncpus] u64, [v2: recursion_misses
 *	         u64], trailer size u64, "KTTLEND\0"
 *
 * All little endian.  A file without a trailer (the recorder died) is
 * still read: its records are what the file holds, and it is "cut".
 * Version 2 added recursion_misses (the runs the kernel skipped because
 * the program was already active on that CPU: events no lost counter
 * sees); version 1 files read with it unknown.
 */
#define TL_FILE_MAGIC "KTTLCAP\0"
#define TL_FILE_VERSION 2
#define TL_FILE_HEADER_SIZE 512
#define TL_TRAILER_MAGIC "KTTLTRL\0"
#define TL_TRAILER_END "KTTLEND\0"
#define TL_CLOCK_MONOTONIC 1

enum {
	TL_FILE_FLIGHT = 1 << 0, /* written by the flight recorder */
};

struct tl_file_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size;
	uint32_t record_size;
	uint32_t clock;
	uint64_t start_ns;	    /* CLOCK_MONOTONIC at the start */
	int64_t realtime_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	uint32_t ncpus;		    /* possible CPUs */
	uint32_t flags;		    /* TL_FILE_* */
	uint64_t attached;	    /* bit TL_AT_*: attached */
	uint64_t requested;	    /* bit TL_AT_*: asked for */
	uint32_t filter_tgid;	    /* 0: every process */
	uint32_t reserved;
	char sysname[65], release[65], version_str[65], machine[65], nodename[65];
	char cpus[64]; /* the --cpus list, "" for all */
	char pad[TL_FILE_HEADER_SIZE - 72 - 5 * 65 - 64];
};
_Static_assert(sizeof(struct tl_file_header) == TL_FILE_HEADER_SIZE, "header is 512 bytes");

struct tl_file {
	struct tl_file_header hdr;
	const unsigned char *records;
	uint64_t nrecords;
	size_t tail; /* bytes after the last whole record (cut file) */
	bool cut;    /* no valid trailer */
	uint64_t end_ns;
	uint64_t flight_dropped; /* records the flight ring let go */
	uint32_t lost_ncpus;
	uint64_t *lost; /* per CPU, lost_ncpus entries (malloc'ed) */
	uint64_t lost_total;
	bool misses_known; /* a version 2 trailer: RECURSION_MISSES is known */
	uint64_t recursion_misses;
	char err[160]; /* why opening or parsing failed */
	int sys_errno; /* tl_file_open: the file could not be read */
	void *map;     /* tl_file_open's mapping of the file (or copy) */
	size_t map_len, map_cap;
	int guard; /* its SIGBUS guard slot + 1, 0: none */
};

/* Parse a whole file image: 0, or -1 with F->err set (bad magic, a newer
 * version, a short file, a wrong record size). */
int tl_file_parse(const void *buf, size_t len, struct tl_file *f);
/* Map PATH (guarded: a file cut while mapped reads as zeros past its new
 * end, never SIGBUS) and parse it: 0, or -1 with F->err set (errno kept). */
int tl_file_open(const char *path, struct tl_file *f);
/* The file (fd and offset) whose mapping holds [P, P + LEN), or -1. */
int tl_file_fd_of(const void *p, size_t len, uint64_t *off);
/* The file shrank while it was being read: what was read past the cut was
 * zeros, so any output from it is partial (report it as failed). */
bool tl_file_shrunk(const struct tl_file *f);
void tl_file_close(struct tl_file *f);

/* Anonymous memory for SIZE bytes, in huge pages where the kernel has them
 * (a fault per 4 KiB page was most of the cost of reading a large capture
 * and of the report's samples); *CAP is what to free.  NULL on ENOMEM. */
void *tl_bigmem(size_t size, size_t *cap);
void tl_bigmem_free(void *p, size_t cap);

struct jw;
/* Tracepoint name of attach point I (TL_AT_*), or NULL. */
const char *tl_attach_name(unsigned i);
/* The file's facts (kernel, CPUs, attached events, losses, cut) as text
 * lines or JSON members of the open object. */
void tl_file_info_text(FILE *fp, const struct tl_file *f);
void tl_file_info_json(struct jw *w, const struct tl_file *f);

/* Fill the header's fixed fields (magic, version, sizes, clock, uname,
 * clocks now); the caller sets attached/requested/filters. */
void tl_header_init(struct tl_file_header *h, uint32_t ncpus);

/* Writer: header, any number of record blocks, trailer.  Each returns 0 or
 * -1 (stdio error; errno set). */
struct tl_writer {
	FILE *fp;
	uint64_t nrecords;
};
int tl_write_header(struct tl_writer *w, FILE *fp, const struct tl_file_header *h);
int tl_write_records(struct tl_writer *w, const void *buf, size_t nrec);
int tl_write_trailer(struct tl_writer *w, uint64_t end_ns, uint64_t flight_dropped,
		     uint64_t recursion_misses, const uint64_t *lost, uint32_t ncpus);

/* ---- dumps ---------------------------------------------------------------- */

struct jw;
/* One event as a ktstr TimelineEvent JSON object (no newline). */
void tl_event_json(struct jw *w, const struct tl_event *ev);
/* Its kind-specific members only (after "kind", "ts", "cpu"). */
void tl_event_json_fields(struct jw *w, const struct tl_event *ev);
/* One event as a text line (with newline); names from COMM when known. */
struct tl_comms;
void tl_event_text(FILE *fp, const struct tl_event *ev, const struct tl_comms *c);

/* pid -> (tgid, comm) table, filled from Comm/Fork/Exec events. */
struct tl_comm_ent {
	uint32_t pid; /* 0: free slot (pid 0 is the idle task, named below) */
	uint32_t tgid;
	char comm[17];
};
struct tl_comms {
	struct tl_comm_ent *tab;
	size_t cap, n;
};
/* Learn from EV (Comm, Fork: the child gets the parent's name, Exec). */
void tl_comms_learn(struct tl_comms *c, const struct tl_event *ev);
const struct tl_comm_ent *tl_comms_get(const struct tl_comms *c, uint32_t pid);
/* Set (or add) a name; -1 on ENOMEM. */
int tl_comms_set(struct tl_comms *c, uint32_t pid, uint32_t tgid, const char *comm);
void tl_comms_free(struct tl_comms *c);

/* Dump every record of BUF: text lines or JSON Lines.  Returns the number
 * of events written. */
uint64_t tl_dump(FILE *fp, const void *buf, size_t len, bool json);

/* ---- flight recorder ------------------------------------------------------
 *
 * The last WINDOW_NS of records in a ring of BUDGET bytes: pushing drops
 * the oldest records when the ring is full or they are older than the
 * window (counted in DROPPED; a text continuation is never left without
 * its header).  Task names are learnt from every record pushed, and
 * written as Comm records (cpu TL_CPU_NONE) ahead of the window, since
 * the originals may have aged out.
 */
struct tl_flight {
	unsigned char *buf;
	size_t cap; /* records */
	size_t head, n;
	uint64_t window_ns;
	uint64_t newest; /* highest ts pushed */
	uint64_t dropped;
	struct tl_comms comms;
};
/* 0, or -1 (ENOMEM, or EINVAL for a budget below one record). */
int tl_flight_init(struct tl_flight *f, size_t budget, uint64_t window_ns);
void tl_flight_push(struct tl_flight *f, const void *recs, size_t nrec);
/* The names, then the window, oldest first.  0 or -1 (stdio error). */
int tl_flight_write(struct tl_flight *f, struct tl_writer *w);
void tl_flight_free(struct tl_flight *f);

/* ---- report ---------------------------------------------------------------- */

struct tl_filter {
	const uint64_t *cpus; /* CPU bitmap, NULL: every CPU */
	size_t cpus_words;
	uint32_t pid;	 /* 0: every task; else the tid or tgid */
	uint64_t t0, t1; /* absolute ns window; t1 = 0: no end */
};

struct tl_report_opts {
	struct tl_filter f;
	unsigned top;		      /* top latencies listed (default 10) */
	unsigned last_per_cpu;	      /* events per CPU before a sched_ext exit */
	const struct kt_ksyms *ksyms; /* lock addresses symbolized, or NULL */
};

struct tl_report;
/* Build the report of BUF's records; NULL on ENOMEM. */
struct tl_report *tl_report_build(const void *buf, size_t len, const struct tl_report_opts *o);
void tl_report_text(FILE *fp, const struct tl_report *r);
void tl_report_json(struct jw *w, const struct tl_report *r);
void tl_report_free(struct tl_report *r);

/* Quantities for tests and for capture's summary. */
struct tl_stat {
	uint64_t count, sum, max, p50, p90, p99;
	double avg, stddev;
};
struct tl_task_stats {
	uint32_t pid, tgid;
	const char *comm;
	struct tl_stat run, wait, delay;
	uint64_t switches, preempted, migrations;
	uint64_t states[10]; /* switch-outs by state letter index (RSDTtXZPI, R+) */
};
size_t tl_report_ntasks(const struct tl_report *r);
const struct tl_task_stats *tl_report_task(const struct tl_report *r, size_t i);
const struct tl_task_stats *tl_report_find(const struct tl_report *r, uint32_t pid);
struct tl_cpu_stats {
	uint32_t cpu;
	uint64_t busy_ns, idle_ns, switches, preemptions, events;
	uint64_t first_ts, last_ts;
};
size_t tl_report_ncpus(const struct tl_report *r);
const struct tl_cpu_stats *tl_report_cpu(const struct tl_report *r, size_t i);
uint64_t tl_report_out_of_order(const struct tl_report *r);

/* ---- Chrome trace-event export ------------------------------------------ */

struct tl_export_stats {
	uint64_t slices, instants, counters, meta;
	uint64_t unmatched; /* switches whose prev_pid was not the running task */
	uint64_t empty;	    /* slices of no length, not written */
};
/* Write BUF's records as one Chrome trace-event JSON document (and a
 * newline) to FP: 0, or -1 on a write error. */
int tl_export_chrome(FILE *fp, const void *buf, size_t len, const struct tl_filter *f,
		     struct tl_export_stats *st);

/* Parse a CPU list ("0-3,8") into a bitmap of WORDS u64: 0 or -1. */
int tl_parse_cpus(const char *s, uint64_t *mask, size_t words);
/* Parse "START,END" (seconds, either may be empty) relative to BASE_NS. */
int tl_parse_time(const char *s, uint64_t base_ns, uint64_t *t0, uint64_t *t1);

#endif
