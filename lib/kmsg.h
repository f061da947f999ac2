/* SPDX-License-Identifier: MIT */
/*
 * Kernel log line parsers.  One physical line of any of the formats the
 * kernel log reaches us in is reduced to its message text plus whatever
 * metadata the prefix carried:
 *
 *   /dev/kmsg records   "pri,seq,ts_usec,flags[,more];text" (text \xNN
 *                       escaped) followed by " KEY=value" dictionary lines
 *   dmesg               "[ 1234.567890] text", optionally "<N>" before it,
 *                       "kern  :err   : " facility/level columns, and
 *                       CONFIG_PRINTK_CALLER's "[ts][  T630] "
 *   journal / syslog    "Mon DD HH:MM:SS host ident: text" (any month
 *                       spelling), short-iso, trimmed "HH:MM:SS kernel: ",
 *                       "host kernel: ", and kern.log's "kernel: [ts] text"
 *   raw                 no prefix at all
 *
 * All functions are pure and work on caller buffers; a streaming line
 * splitter bounds the memory a line may take.
 */
#ifndef KT_KMSG_H
#define KT_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kmsg_fmt {
	KMSG_FMT_RAW,	  /* no prefix recognised */
	KMSG_FMT_RECORD,  /* /dev/kmsg record */
	KMSG_FMT_DMESG,	  /* [ts] prefix */
	KMSG_FMT_JOURNAL, /* journal / syslog prefix */
};

enum kmsg_src {
	KMSG_SRC_UNKNOWN, /* cannot tell who wrote it */
	KMSG_SRC_KERNEL,  /* journal ident "kernel" */
	KMSG_SRC_USER,	  /* journal ident of a process */
};

struct kmsg_line {
	const char *text; /* message text, trailing blanks trimmed */
	size_t len;
	enum kmsg_fmt fmt; /* the outermost prefix */
	enum kmsg_src src;
	int level;    /* 0..7, or -1 when the format has none */
	int facility; /* or -1 */
	bool has_ts;  /* ts_usec valid (record or [ts]) */
	bool has_seq; /* seq valid (record) */
	bool cont;    /* record flag 'c' (LOG_CONT fragment) */
	uint64_t ts_usec;
	uint64_t seq;
};

/* Parse state across lines: dictionary lines belong to the record before. */
struct kmsg_ctx {
	bool after_record;
};

/*
 * Parse one physical line (no trailing newline; CR, NUL bytes already
 * removed by the splitter or not: both are tolerated).  Record text is
 * unescaped in place, so S is modified.  Returns 1 for a message line
 * (L filled), 0 for a line that carries no message (dictionary /
 * continuation line of a record).
 */
int kmsg_parse_line(struct kmsg_ctx *ctx, char *s, size_t n, struct kmsg_line *l);

/*
 * The /dev/kmsg record header alone: "pri,seq,ts_usec,flag[,…];".
 * Returns the offset of the text (after ';'), or -1 when S is not a
 * record.  L gets level, facility, seq, ts, cont.
 */
long kmsg_parse_record_header(const char *s, size_t n, struct kmsg_line *l);

/* Undo /dev/kmsg "\xNN" escaping in place; returns the new length. */
size_t kmsg_unescape(char *s, size_t n);

/* dmesg's "[ SEC.FRAC]" at S[I]: the offset after its ']' (USEC set), or 0. */
size_t kmsg_dmesg_ts(const char *s, size_t n, size_t i, uint64_t *usec);

/*
 * Where a second printk record starts inside one physical line (two
 * records joined by a lost newline: "...)[   51.2] sched_ext: ..."):
 * the offset of an embedded "[ digits.digits]" time stamp, or N.
 */
size_t kmsg_joined_split(const char *s, size_t n);

/*
 * Streaming line splitter: feed any chunks, get whole lines.  CR before
 * LF and NUL bytes are dropped; a line longer than MAX keeps its first
 * MAX bytes (the rest is discarded, memory stays bounded).
 */
typedef void (*kmsg_line_fn)(char *line, size_t len, void *arg);

struct kmsg_splitter {
	char *buf;
	size_t len;
	size_t max;
	bool overlong;		 /* current line exceeded max */
	unsigned long truncated; /* lines cut to max so far */
	kmsg_line_fn fn;
	void *arg;
	/*
	 * Optional fast path: at a line start with nothing buffered, SKIP
	 * may claim the whole lines at the start of DATA that need no
	 * parsing; it returns their length (0: hand the next line to FN).
	 */
	size_t (*skip)(void *arg, const char *data, size_t n);
};

/* 0, or -1 (ENOMEM). */
int kmsg_split_init(struct kmsg_splitter *sp, size_t max, kmsg_line_fn fn, void *arg);
void kmsg_split_feed(struct kmsg_splitter *sp, const char *data, size_t n);
/* Same, handing whole lines of DATA (which it may modify) over without
 * copying them. */
void kmsg_split_feed_inplace(struct kmsg_splitter *sp, char *data, size_t n);
/* Deliver a final line without newline, if any. */
void kmsg_split_finish(struct kmsg_splitter *sp);
void kmsg_split_free(struct kmsg_splitter *sp);

/* "emerg".."debug" -> 0..7, or -1. */
int kmsg_level_from_name(const char *s, size_t n);

/* ---- reading /dev/kmsg and log files (kmsg_read.c) ---------------------- */

#define KT_KMSG_PATH "/dev/kmsg"

/* Where a /dev/kmsg reader starts. */
enum kt_kmsg_from {
	KT_KMSG_FROM_START, /* the oldest record the buffer holds */
	KT_KMSG_FROM_END,   /* records logged after the open */
	KT_KMSG_FROM_SEQ,   /* records with sequence number >= seq */
};

/* What a drain call ended with. */
enum kt_read_result {
	KT_READ_AGAIN, /* nothing more now: poll the fd */
	KT_READ_STOP,  /* the consumer asked to stop */
	KT_READ_EOF,   /* the input ended (text input only) */
	KT_READ_ERROR, /* read failed: errno */
};

/*
 * The consumer of a /dev/kmsg drain.  RECORD gets each record's first
 * line (dictionary lines dropped), NUL-terminated and writable, and its
 * parsed header; it returns true to stop the drain.  OVERRUN (may be
 * NULL) is told that records were lost before SEQ (the kernel overwrote
 * them before they were read: EPIPE, or a jump in sequence numbers):
 * LOST of them, 0 when the count cannot be known (a reader that started
 * at the end and has read nothing yet).
 */
struct kt_kmsg_ops {
	bool (*record)(void *arg, char *rec, size_t len, const struct kmsg_line *hdr);
	void (*overrun)(void *arg, uint64_t seq, uint64_t lost);
};

struct kt_kmsg_reader {
	int fd;
	enum kt_kmsg_from from;
	uint64_t since; /* KT_KMSG_FROM_SEQ */
	bool epipe;	/* a gap is to be reported at the next record */
	bool have_next;
	uint64_t next;	  /* sequence number expected next */
	uint64_t records; /* handed to the consumer */
};

/*
 * Open PATH (a /dev/kmsg-like record device, non-blocking) at FROM.  0, or
 * -1 with errno.  The fd (r->fd) is for poll/epoll.
 */
int kt_kmsg_open(struct kt_kmsg_reader *r, const char *path, enum kt_kmsg_from from,
		 uint64_t since);
/* The same on an open non-blocking FD that reads one record per read()
 * (a SOCK_SEQPACKET socket in tests); the reader owns FD. */
void kt_kmsg_attach(struct kt_kmsg_reader *r, int fd, enum kt_kmsg_from from, uint64_t since);
/* Hand out every record present now (never blocks). */
enum kt_read_result kt_kmsg_drain(struct kt_kmsg_reader *r, const struct kt_kmsg_ops *ops,
				  void *arg);
void kt_kmsg_close(struct kt_kmsg_reader *r);

/*
 * The overrun accounting, for one record of sequence number SEQ: false to
 * skip it (before --since), else true, with *GAP set when records were
 * lost before it and *LOST their count (0: unknown).  Pure; drain uses it.
 */
bool kt_kmsg_account(struct kt_kmsg_reader *r, uint64_t seq, bool *gap, uint64_t *lost);

/*
 * Log text from a file, a pipe, a FIFO or a character device, split into
 * lines for FN.  Never blocks: pipes, FIFOs and devices are read
 * non-blocking (a FIFO is opened without waiting for a writer).  With
 * FOLLOW a regular file is read as it grows, and from the start again
 * when it shrinks (truncated, as tail -F does).
 */
struct kt_logfile {
	int fd;
	bool regular;
	bool follow;
	bool own_fd;
	unsigned long truncations; /* times the file shrank under us */
	uint64_t pos;		   /* bytes read from a regular file */
	struct kmsg_splitter sp;
	char *buf;
};

/* PATH "-" is standard input.  0, or -1 with errno. */
int kt_logfile_open(struct kt_logfile *f, const char *path, bool follow, size_t maxline,
		    kmsg_line_fn fn, void *arg);
/* Feed what is there now; *STOP (may be NULL) is checked after each chunk. */
enum kt_read_result kt_logfile_drain(struct kt_logfile *f, const bool *stop);
/* Deliver a last unterminated line; close. */
void kt_logfile_close(struct kt_logfile *f);

#endif
