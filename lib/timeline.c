// SPDX-License-Identifier: MIT
/*
 * Timeline records: decoding, text joining, the capture file, task names
 * and the dumps (text and ktstr's TimelineEvent JSON).
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "hostctx.h"
#include "json.h"
#include "loop.h"
#include "opt.h"
#include "scxexit.h"
#include "text.h"
#include "timeline.h"

static const char *const kind_names[TL_K_NR] = {
	[TL_K_SWITCH] = "Switch",
	[TL_K_MIGRATE] = "Migrate",
	[TL_K_WAKEUP] = "Wakeup",
	[TL_K_PI_BOOST] = "PiBoost",
	[TL_K_LOCK_CONTEND] = "LockContend",
	[TL_K_WAKEUP_NEW] = "WakeupNew",
	[TL_K_WAKING] = "Waking",
	[TL_K_FORK] = "Fork",
	[TL_K_EXIT] = "Exit",
	[TL_K_EXEC] = "Exec",
	[TL_K_COMM] = "Comm",
	[TL_K_SCX_EXIT] = "ScxExit",
	[TL_K_SCX_EVENT] = "ScxEvent",
	[TL_K_SCX_DUMP] = "ScxDump",
	[TL_K_TEXT] = "Text",
	[TL_K_UNKNOWN] = "Unknown",
};

int tl_dump_exit_kind(const void *recs, size_t nrec, uint32_t *kind)
{
	static const char key[] = " triggered exit kind ";
	struct tl_iter it;
	struct tl_event ev;
	const char *at;
	size_t i, n;
	uint64_t v;

	/* per ring-buffer sample: anything but a dump line returns at once */
	if (!nrec || tl_rd32(recs) != TL_EVT_SCX_DUMP)
		return -1;
	tl_iter_init(&it, recs, nrec * TL_RECORD_SIZE);
	if (!tl_iter_next(&it, &ev) || ev.kind != TL_K_SCX_DUMP || !ev.text)
		return -1;
	at = memmem(ev.text, ev.text_len, key, sizeof(key) - 1);
	if (!at)
		return -1;
	i = (size_t)(at - ev.text) + sizeof(key) - 1;
	n = ev.text_len;
	if (!kt_scan_dec(ev.text, n, &i, &v) || v > UINT32_MAX || n - i < 8 ||
	    memcmp(ev.text + i, " on CPU ", 8))
		return -1;
	*kind = (uint32_t)v;
	return 0;
}

int tl_kmsg_exit_kind(const char *text, size_t n, uint32_t *kind, const char **name,
		      size_t *name_len)
{
	static const char pre[] = "sched_ext: BPF scheduler \"", mid[] = "\" disabled (";
	const char *m, *r;
	uint32_t code;

	if (n < sizeof(pre) - 1 || memcmp(text, pre, sizeof(pre) - 1) || text[n - 1] != ')')
		return -1;
	m = memmem(text + sizeof(pre) - 1, n - (sizeof(pre) - 1), mid, sizeof(mid) - 1);
	if (!m)
		return -1;
	r = m + sizeof(mid) - 1;
	code = scx_kind_code(scx_kind_from_reason(r, (size_t)(text + n - 1 - r)));
	if (!code)
		return -1;
	*kind = code;
	*name = text + sizeof(pre) - 1;
	*name_len = (size_t)(m - *name);
	return 0;
}

const char *tl_kind_name(enum tl_kind k)
{
	return (unsigned)k < TL_K_NR ? kind_names[k] : "Unknown";
}

/* ---- decoding ------------------------------------------------------------ */

static void decode_comm(struct tl_event *ev)
{
	memcpy(ev->comm.comm, &ev->raw.a, 8);
	memcpy(ev->comm.comm + 8, &ev->raw.b, 8);
	ev->comm.comm[16] = '\0';
}

static bool has_text(uint32_t type)
{
	return type == TL_EVT_SCX_EXIT || type == TL_EVT_SCX_EVENT || type == TL_EVT_SCX_DUMP;
}

static inline __attribute__((always_inline)) void decode(struct tl_event *ev)
{
	const struct timeline_event *r = &ev->raw;

	ev->text = NULL;
	ev->text_len = 0;
	ev->text_cut = false;
	switch (r->type) {
	case TL_EVT_SWITCH:
		ev->kind = TL_K_SWITCH;
		ev->sw.prev_pid = r->prev_pid;
		ev->sw.next_pid = r->next_pid;
		ev->sw.prev_state = r->a;
		ev->sw.preempt = r->b != 0;
		break;
	case TL_EVT_MIGRATE:
		ev->kind = TL_K_MIGRATE;
		ev->mig.pid = r->prev_pid;
		ev->mig.orig_cpu = (uint32_t)r->b;
		ev->mig.dest_cpu = (uint32_t)r->a;
		break;
	case TL_EVT_WAKEUP:
	case TL_EVT_WAKEUP_NEW:
	case TL_EVT_WAKING:
		ev->kind = r->type == TL_EVT_WAKEUP	  ? TL_K_WAKEUP
			   : r->type == TL_EVT_WAKEUP_NEW ? TL_K_WAKEUP_NEW
							  : TL_K_WAKING;
		ev->wake.pid = r->prev_pid;
		ev->wake.target_cpu = (uint32_t)r->a;
		break;
	case TL_EVT_PI_BOOST:
		ev->kind = TL_K_PI_BOOST;
		ev->pi.prober_tid = r->prev_pid;
		ev->pi.pid = r->next_pid;
		ev->pi.old_prio = (uint32_t)r->a;
		ev->pi.old_class_id = (uint32_t)(r->a >> 32);
		ev->pi.new_prio = (uint32_t)r->b;
		ev->pi.new_class_id = (uint32_t)(r->b >> 32);
		break;
	case TL_EVT_LOCK_CONTEND:
		ev->kind = TL_K_LOCK_CONTEND;
		ev->lock.tid = r->prev_pid;
		ev->lock.lock_kva = r->a;
		ev->lock.flags = (uint32_t)r->b;
		break;
	case TL_EVT_FORK:
		ev->kind = TL_K_FORK;
		ev->fork.parent_pid = r->prev_pid;
		ev->fork.child_pid = r->next_pid;
		ev->fork.parent_tgid = (uint32_t)r->a;
		ev->fork.child_tgid = (uint32_t)r->b;
		break;
	case TL_EVT_EXIT:
		ev->kind = TL_K_EXIT;
		ev->exit.pid = r->prev_pid;
		ev->exit.tgid = r->next_pid;
		ev->exit.group_dead = r->a != 0;
		ev->exit.exit_code = (int32_t)r->b;
		break;
	case TL_EVT_EXEC:
		ev->kind = TL_K_EXEC;
		ev->exec.pid = r->prev_pid;
		ev->exec.old_pid = r->next_pid;
		ev->exec.tgid = (uint32_t)r->a;
		break;
	case TL_EVT_COMM:
		ev->kind = TL_K_COMM;
		ev->comm.pid = r->prev_pid;
		ev->comm.tgid = r->next_pid;
		decode_comm(ev);
		break;
	case TL_EVT_SCX_EXIT:
		ev->kind = TL_K_SCX_EXIT;
		ev->scx_exit.tid = r->prev_pid;
		ev->scx_exit.exit_kind = r->a;
		ev->scx_exit.source = (uint32_t)r->b;
		ev->scx_exit.kind_from = (uint32_t)(r->b >> 32);
		break;
	case TL_EVT_SCX_EVENT:
		ev->kind = TL_K_SCX_EVENT;
		ev->scx_event.tid = r->prev_pid;
		ev->scx_event.delta = (int64_t)r->a;
		break;
	case TL_EVT_SCX_DUMP:
		ev->kind = TL_K_SCX_DUMP;
		ev->scx_dump.tid = r->prev_pid;
		ev->scx_dump.seq = r->a;
		break;
	case TL_EVT_TEXT:
		ev->kind = TL_K_TEXT;
		break;
	default:
		ev->kind = TL_K_UNKNOWN;
		break;
	}
	if (has_text(r->type) && r->next_pid) {
		ev->text_len = r->next_pid;
		ev->text_cut = true; /* until joined */
	}
}

/* One whole record at P into EV: fixed-size loads, no memcpy call (-Os
 * makes a 40-byte memcpy "rep movsb"), inlined into the hot loops. */
static inline __attribute__((always_inline)) void parse_rec(const unsigned char *p,
							    struct tl_event *ev)
{
	ev->raw.type = tl_rd32(p);
	ev->raw.cpu = tl_rd32(p + 4);
	ev->raw.ts = tl_rd64(p + 8);
	ev->raw.prev_pid = tl_rd32(p + 16);
	ev->raw.next_pid = tl_rd32(p + 20);
	ev->raw.a = tl_rd64(p + 24);
	ev->raw.b = tl_rd64(p + 32);
	decode(ev);
}

int parse_record(const void *p, size_t n, struct tl_event *ev)
{
	if (n < TL_RECORD_SIZE) {
		errno = EINVAL;
		return -1;
	}
	parse_rec(p, ev);
	return 0;
}

/* ---- iterator: records with their text joined ---------------------------- */

void tl_iter_init(struct tl_iter *it, const void *buf, size_t len)
{
	it->p = buf;
	it->len = len;
	it->off = 0;
	it->tail = len % TL_RECORD_SIZE;
	it->nrec = 0;
}

/* The text bytes of a TEXT record (bytes 16..39). */
static const unsigned char *chunk(const unsigned char *rec)
{
	return rec + 16;
}

static void join_text(struct tl_iter *it, struct tl_event *ev)
{
	uint32_t want = ev->text_len, got = 0;
	size_t need = TL_TEXT_RECORDS((size_t)want);
	size_t k;

	for (k = 0; k < need && it->off + TL_RECORD_SIZE <= it->len; k++) {
		const unsigned char *rec = it->p + it->off;
		size_t take;

		if (tl_rd32(rec) != TL_EVT_TEXT || tl_rd32(rec + 4) != ev->raw.cpu ||
		    tl_rd64(rec + 8) != ev->raw.ts)
			break;
		take = want - got < TL_TEXT_CHUNK ? want - got : TL_TEXT_CHUNK;
		if (got + take > TL_TEXT_MAX)
			take = TL_TEXT_MAX > got ? TL_TEXT_MAX - got : 0;
		memcpy(it->text + got, chunk(rec), take);
		got += (uint32_t)take;
		it->off += TL_RECORD_SIZE;
		it->nrec++;
	}
	/* a NUL inside the text ends it (the BPF side pads with NULs) */
	it->text[got] = '\0';
	ev->text = it->text;
	ev->text_len = (uint32_t)strnlen(it->text, got);
	ev->text_cut = k < need || got < want;
}

int tl_iter_next(struct tl_iter *it, struct tl_event *ev)
{
	if (it->off + TL_RECORD_SIZE > it->len)
		return 0;
	parse_rec(it->p + it->off, ev);
	it->off += TL_RECORD_SIZE;
	it->nrec++;
	if (ev->kind == TL_K_TEXT) {
		size_t n = strnlen((const char *)chunk(it->p + it->off - TL_RECORD_SIZE),
				   TL_TEXT_CHUNK);

		memcpy(it->text, chunk(it->p + it->off - TL_RECORD_SIZE), n);
		it->text[n] = '\0';
		ev->text = it->text;
		ev->text_len = (uint32_t)n;
	} else if (ev->text_cut) {
		join_text(it, ev);
	}
	return 1;
}

#define SORT_CHUNK ((size_t)1 << 20)

int tl_sorted_init(struct tl_sorted *s, const void *buf, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->win = malloc(TL_SORT_WINDOW * sizeof(*s->win));
	s->rec = malloc(TL_SORT_WINDOW * sizeof(*s->rec));
	if (!s->win || !s->rec) {
		tl_sorted_free(s);
		return -1;
	}
	s->buf = buf;
	s->len = len;
	s->fd = tl_file_fd_of(buf, len, &s->foff);
	if (s->fd >= 0) {
		s->chunk = malloc(SORT_CHUNK);
		if (!s->chunk)
			s->fd = -1;
	}
	tl_iter_init(&s->in, buf, len);
	return 0;
}

void tl_sorted_free(struct tl_sorted *s)
{
	free(s->win);
	free(s->rec);
	free(s->chunk);
	s->win = NULL;
	s->rec = NULL;
	s->chunk = NULL;
}

#define SLOT(s, i) (((s)->head + (i)) & (TL_SORT_WINDOW - 1))
#define ENT_OFF(e) ((size_t)((e)->offw >> 8))
#define ENT_WHERE(e) ((uint8_t)(e)->offw)

/* Read the chunk again from OFF.  The window's records still in the old
 * chunk are copied out first (a window's worth per chunk, not every
 * record).  False when the file reads short (cut under us: the guarded
 * mapping has zeros there). */
static __attribute__((noinline)) bool refill(struct tl_sorted *s, size_t off)
{
	size_t want = s->len - off < SORT_CHUNK ? s->len - off : SORT_CHUNK;

	for (size_t i = 0; i < s->n; i++) {
		size_t k = SLOT(s, i);
		struct tl_sort_ent *e = &s->win[k];

		if (ENT_WHERE(e) == TL_SORT_IN_CHUNK) {
			memcpy(s->rec[k], s->chunk + (ENT_OFF(e) - s->cbase), TL_RECORD_SIZE);
			e->offw = (uint64_t)ENT_OFF(e) << 8 | TL_SORT_IN_REC;
		}
	}
	s->cbase = off;
	s->clen = 0;
	while (s->clen < want) {
		ssize_t n = pread(s->fd, s->chunk + s->clen, want - s->clen,
				  (off_t)(s->foff + off + s->clen));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		s->clen += (size_t)n;
	}
	if (s->clen < TL_RECORD_SIZE) {
		s->clen = 0;
		return false;
	}
	return true;
}

/* Whether the record at OFF is in the chunk, refilled from OFF when not. */
static inline bool in_chunk(struct tl_sorted *s, size_t off)
{
	if (off >= s->cbase && off + TL_RECORD_SIZE <= s->cbase + s->clen)
		return true;
	return refill(s, off);
}

/* The record at OFF: from the chunk read from the file; from the buffer
 * itself when there is no file or the file reads short. */
const unsigned char *tl_sorted_rec(struct tl_sorted *s, size_t off)
{
	if (s->fd < 0 || !in_chunk(s, off))
		return s->buf + off;
	return s->chunk + (off - s->cbase);
}

/* A text record's time, stepping over its continuations (a header) or
 * itself (a bare continuation). */
static __attribute__((noinline)) uint64_t text_ts(struct tl_iter *in, uint32_t type,
						  const unsigned char *p)
{
	struct tl_event ev;

	if (type == TL_EVT_TEXT) {
		in->off += TL_RECORD_SIZE;
		in->nrec++;
		return tl_rd64(p + 8);
	}
	tl_iter_next(in, &ev);
	return ev.raw.ts;
}

/* Insert the next input event by time, after any with the same ts.  Only
 * a text header needs the iterator (to step over its continuations); any
 * other record is one record, and only its time is read here. */
static inline int sorted_fill(struct tl_sorted *s)
{
	struct tl_iter *in = &s->in;
	size_t off = in->off, i, at;
	const unsigned char *p;
	uint8_t where;
	uint32_t type;
	uint64_t ts;

	if (off + TL_RECORD_SIZE > in->len)
		return 0;
	if (s->fd >= 0 && in_chunk(s, off)) {
		p = s->chunk + (off - s->cbase);
		where = TL_SORT_IN_CHUNK;
	} else {
		p = s->buf + off;
		where = TL_SORT_IN_BUF;
		/* the window reads each record first: fetch ahead */
		__builtin_prefetch(p + 4096);
	}
	type = tl_rd32(p);
	if (__builtin_expect(has_text(type) || type == TL_EVT_TEXT, 0)) {
		where = TL_SORT_IN_BUF; /* joined from the buffer */
		ts = text_ts(in, type, p);
	} else {
		ts = tl_rd64(p + 8);
		in->off += TL_RECORD_SIZE;
		in->nrec++;
	}
	/* nearly always in order: one compare */
	at = SLOT(s, s->n);
	for (i = s->n; i > 0 && s->win[(at - 1) & (TL_SORT_WINDOW - 1)].ts > ts; i--) {
		size_t from = (at - 1) & (TL_SORT_WINDOW - 1);

		s->win[at] = s->win[from];
		if (ENT_WHERE(&s->win[at]) == TL_SORT_IN_REC)
			memcpy(s->rec[at], s->rec[from], TL_RECORD_SIZE);
		at = from;
	}
	s->win[at].ts = ts;
	s->win[at].offw = (uint64_t)off << 8 | where;
	s->n++;
	return 1;
}

int tl_sorted_next(struct tl_sorted *s, struct tl_event *ev)
{
	const struct tl_sort_ent *e;
	const unsigned char *p;
	size_t off;

	while (s->n < TL_SORT_WINDOW && sorted_fill(s))
		;
	if (!s->n)
		return 0;
	e = &s->win[s->head];
	off = ENT_OFF(e);
	s->off = off;
	if (ENT_WHERE(e) == TL_SORT_IN_CHUNK) {
		p = s->chunk + (off - s->cbase);
	} else if (ENT_WHERE(e) == TL_SORT_IN_REC) {
		p = s->rec[s->head];
	} else {
		p = s->buf + off;
		if (__builtin_expect(has_text(tl_rd32(p)) || tl_rd32(p) == TL_EVT_TEXT, 0)) {
			tl_iter_init(&s->one, p, s->len - off);
			tl_iter_next(&s->one, ev); /* text joined */
			goto got;
		}
	}
	parse_rec(p, ev);
got:
	/* the slot (and its REC) is free only now */
	s->head = (s->head + 1) & (TL_SORT_WINDOW - 1);
	s->n--;
	if (ev->raw.ts < s->last_ts)
		s->out_of_order++;
	else
		s->last_ts = ev->raw.ts;
	return 1;
}

int parse_buf(const void *buf, size_t len, struct tl_events *out)
{
	struct tl_iter *it = malloc(sizeof(*it));
	size_t cap = len / TL_RECORD_SIZE, tlen = 0, tcap = 0;
	struct tl_event ev;
	char *t;

	memset(out, 0, sizeof(*out));
	if (!it)
		return -1;
	tl_iter_init(it, buf, len);
	out->tail = it->tail;
	out->ev = cap ? malloc(cap * sizeof(*out->ev)) : NULL;
	if (cap && !out->ev)
		goto oom;
	while (tl_iter_next(it, &ev)) {
		if (ev.text) {
			if (tlen + ev.text_len + 1 > tcap) {
				tcap = (tlen + ev.text_len + 1) * 2;
				t = realloc(out->text, tcap);
				if (!t)
					goto oom;
				out->text = t;
			}
			memcpy(out->text + tlen, ev.text, ev.text_len + 1);
			/* offset + 1 until the storage stops moving */
			ev.text = (const char *)(uintptr_t)(tlen + 1);
			tlen += ev.text_len + 1;
		}
		out->ev[out->n++] = ev;
	}
	for (size_t i = 0; i < out->n; i++)
		if (out->ev[i].text)
			out->ev[i].text = out->text + ((uintptr_t)out->ev[i].text - 1);
	free(it);
	return 0;
oom:
	free(it);
	tl_events_free(out);
	errno = ENOMEM;
	return -1;
}

void tl_events_free(struct tl_events *e)
{
	free(e->ev);
	free(e->text);
	memset(e, 0, sizeof(*e));
}

/* ---- task states ------------------------------------------------------------ */

const char *tl_state_str(uint64_t s, bool preempt)
{
	static const char *const letters[] = {"R", "S", "D", "T", "t", "X", "Z", "P", "I"};
	unsigned i;

	if (preempt)
		return "R+";
	if ((s & 0x402) == 0x402) /* TASK_IDLE = UNINTERRUPTIBLE | NOLOAD */
		return "I";
	if (s & 0x1000) /* TASK_RTLOCK_WAIT reads as D */
		return "D";
	s &= 0xff; /* TASK_REPORT plus TASK_DEAD */
	if (!s)
		return "R";
	i = 64 - (unsigned)__builtin_clzll(s);
	return i < 9 ? letters[i] : "?";
}

/* ---- capture file ------------------------------------------------------------ */

static void copy_uts(char *dst, const char *src)
{
	strncpy(dst, src, 64);
	dst[64] = '\0';
}

void tl_header_init(struct tl_file_header *h, uint32_t ncpus)
{
	struct utsname u;
	uint64_t mono, real;

	memset(h, 0, sizeof(*h));
	memcpy(h->magic, TL_FILE_MAGIC, 8);
	h->version = TL_FILE_VERSION;
	h->header_size = TL_FILE_HEADER_SIZE;
	h->record_size = TL_RECORD_SIZE;
	h->clock = TL_CLOCK_MONOTONIC;
	mono = kt_mono_ns();
	real = kt_real_ns();
	h->start_ns = mono;
	h->realtime_offset_ns = (int64_t)(real - mono);
	h->ncpus = ncpus;
	if (!uname(&u)) {
		copy_uts(h->sysname, u.sysname);
		copy_uts(h->release, u.release);
		copy_uts(h->version_str, u.version);
		copy_uts(h->machine, u.machine);
		copy_uts(h->nodename, u.nodename);
	}
}

static int put(FILE *fp, const void *p, size_t n)
{
	return fwrite(p, 1, n, fp) == n ? 0 : -1;
}

int tl_write_header(struct tl_writer *w, FILE *fp, const struct tl_file_header *h)
{
	w->fp = fp;
	w->nrecords = 0;
	return put(fp, h, sizeof(*h));
}

int tl_write_records(struct tl_writer *w, const void *buf, size_t nrec)
{
	if (put(w->fp, buf, nrec * TL_RECORD_SIZE))
		return -1;
	w->nrecords += nrec;
	return 0;
}

/* A trailer's size for NCPUS: version 1 had no recursion_misses. */
static uint64_t trailer_size(uint32_t version, uint32_t ncpus)
{
	return 56 + 8 * (uint64_t)ncpus + (version >= 2 ? 8 : 0);
}

int tl_write_trailer(struct tl_writer *w, uint64_t end_ns, uint64_t flight_dropped,
		     uint64_t recursion_misses, const uint64_t *lost, uint32_t ncpus)
{
	uint32_t flags = 0;
	uint64_t size = trailer_size(TL_FILE_VERSION, ncpus);

	if (put(w->fp, TL_TRAILER_MAGIC, 8) || put(w->fp, &w->nrecords, 8) ||
	    put(w->fp, &end_ns, 8) || put(w->fp, &flight_dropped, 8) || put(w->fp, &ncpus, 4) ||
	    put(w->fp, &flags, 4) || (ncpus && put(w->fp, lost, 8 * (size_t)ncpus)) ||
	    put(w->fp, &recursion_misses, 8) || put(w->fp, &size, 8) ||
	    put(w->fp, TL_TRAILER_END, 8))
		return -1;
	return 0;
}

static int ferr(struct tl_file *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int ferr(struct tl_file *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->err, sizeof(f->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* The trailer, if BODY (after the header, LEN bytes) ends with a valid one. */
static bool parse_trailer(struct tl_file *f, const unsigned char *body, size_t len)
{
	const unsigned char *t;
	uint64_t size, nrec;
	uint32_t ncpus;

	if (len < 16 || memcmp(body + len - 8, TL_TRAILER_END, 8))
		return false;
	size = tl_rd64(body + len - 16);
	if (size < 56 || size > len)
		return false;
	t = body + len - size;
	if (memcmp(t, TL_TRAILER_MAGIC, 8))
		return false;
	nrec = tl_rd64(t + 8);
	ncpus = tl_rd32(t + 32);
	if (size != trailer_size(f->hdr.version, ncpus))
		return false;
	if (nrec != (len - size) / TL_RECORD_SIZE || (len - size) % TL_RECORD_SIZE)
		return false;
	f->nrecords = nrec;
	f->end_ns = tl_rd64(t + 16);
	f->flight_dropped = tl_rd64(t + 24);
	f->lost_ncpus = ncpus;
	if (ncpus) {
		f->lost = malloc(8 * (size_t)ncpus);
		if (!f->lost)
			return false;
		memcpy(f->lost, t + 40, 8 * (size_t)ncpus);
	}
	for (uint32_t i = 0; i < ncpus; i++)
		f->lost_total += f->lost[i];
	if (f->hdr.version >= 2) {
		f->misses_known = true;
		f->recursion_misses = tl_rd64(t + 40 + 8 * (size_t)ncpus);
	}
	return true;
}

int tl_file_parse(const void *buf, size_t len, struct tl_file *f)
{
	const unsigned char *p = buf;
	size_t hs;

	memset(f, 0, sizeof(*f));
	if (len < 8 || memcmp(p, TL_FILE_MAGIC, 8))
		return ferr(f, "not a timeline capture (bad magic)");
	if (len < 24)
		return ferr(f, "short file: %zu bytes, the header needs %d", len,
			    TL_FILE_HEADER_SIZE);
	f->hdr.version = tl_rd32(p + 8);
	if (f->hdr.version > TL_FILE_VERSION)
		return ferr(f, "format version %u is newer than this reader's (%d)", f->hdr.version,
			    TL_FILE_VERSION);
	if (f->hdr.version == 0)
		return ferr(f, "format version 0 is invalid");
	hs = tl_rd32(p + 12);
	if (hs < TL_FILE_HEADER_SIZE)
		return ferr(f, "header size %zu is below %d", hs, TL_FILE_HEADER_SIZE);
	if (len < hs)
		return ferr(f, "short file: %zu bytes, the header needs %zu", len, hs);
	memcpy(&f->hdr, p, sizeof(f->hdr));
	if (f->hdr.record_size != TL_RECORD_SIZE)
		return ferr(f, "record size %u, expected %d", f->hdr.record_size, TL_RECORD_SIZE);
	/* the uname strings are NUL-terminated whatever the file says */
	f->hdr.sysname[64] = f->hdr.release[64] = f->hdr.version_str[64] = '\0';
	f->hdr.machine[64] = f->hdr.nodename[64] = '\0';
	f->hdr.cpus[63] = '\0';
	f->records = p + hs;
	if (!parse_trailer(f, p + hs, len - hs)) {
		free(f->lost);
		f->lost = NULL;
		f->lost_ncpus = 0;
		f->lost_total = 0;
		f->misses_known = false;
		f->recursion_misses = 0;
		f->cut = true;
		f->nrecords = (len - hs) / TL_RECORD_SIZE;
		f->tail = (len - hs) % TL_RECORD_SIZE;
	}
	return 0;
}

static int sys_fail(struct tl_file *f, int fd, const char *what, const char *path)
{
	int e = errno ? errno : EINVAL;

	if (fd >= 0)
		close(fd);
	f->sys_errno = e;
	errno = e;
	return ferr(f, "%s '%s': %s", what, path, strerror(e));
}

/*
 * Reading a capture: the file is mapped (read() into fresh memory cost
 * four to ten times more here: a fault and a page clear per 4 KiB, then
 * the copy).  A file cut under a mapping (the recorder still writing, a
 * full disk, someone truncating it) would raise SIGBUS on the pages past
 * its new end: tl_file_open installs a handler that maps zero pages over
 * the rest of that mapping and marks the file, so readers see zeros
 * (Unknown events, type 0) instead of crashing, and tl_file_shrunk()
 * tells the caller to report the output as failed.  A fault in any other
 * address gets the previous disposition back (the default: a crash).
 * When no guard slot is free, or mapping fails, the file is read().
 */
#define READ_CHUNK (8u << 20)
#define HUGE_SZ ((size_t)2 << 20)
#define NGUARD 8

static struct guard {
	uintptr_t start, end; /* 0: free */
	volatile sig_atomic_t hit;
	int fd; /* the file, kept open for tl_sorted's pread() */
} guards[NGUARD];
static struct sigaction old_bus;
static bool bus_installed;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr, pg = (uintptr_t)sysconf(_SC_PAGESIZE);

	(void)uc;
	for (int i = 0; i < NGUARD; i++) {
		struct guard *g = &guards[i];
		uintptr_t from = a & ~(pg - 1);

		if (!g->start || a < g->start || a >= g->end)
			continue;
		/* zeros from the faulting page to the end of the mapping */
		if ((long)syscall(SYS_mmap, from, g->end - from, PROT_READ,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) < 0)
			break;
		g->hit = 1;
		return;
	}
	/* not ours: as it was before, and the access faults again */
	sigaction(sig, &old_bus, NULL);
}

static int guard_add(const void *p, size_t len, int fd)
{
	struct sigaction sa;

	if (!bus_installed) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_bus;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGBUS, &sa, &old_bus))
			return -1;
		bus_installed = true;
	}
	for (int i = 0; i < NGUARD; i++)
		if (!guards[i].start) {
			guards[i].hit = 0;
			guards[i].fd = fd;
			guards[i].end = (uintptr_t)p + len;
			guards[i].start = (uintptr_t)p;
			return i;
		}
	return -1;
}

void *tl_bigmem(size_t size, size_t *cap)
{
	size_t n = (size + HUGE_SZ - 1) & ~(HUGE_SZ - 1);
	void *p;

	if (!n)
		n = HUGE_SZ;
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, n, MADV_HUGEPAGE);
	*cap = n;
	return p;
}

void tl_bigmem_free(void *p, size_t cap)
{
	if (p)
		munmap(p, cap);
}

/* The fallback: large read()s into anonymous memory. */
static int read_all(int fd, size_t size, unsigned char **out, size_t *len, size_t *cap)
{
	unsigned char *p = tl_bigmem(size, cap);
	size_t got = 0;

	if (!p)
		return -1;
	while (got < size) {
		size_t want = size - got < READ_CHUNK ? size - got : READ_CHUNK;
		ssize_t n = read(fd, p + got, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			munmap(p, *cap);
			return -1;
		}
		if (!n)
			break; /* shorter than fstat said: what is there */
		got += (size_t)n;
	}
	*out = p;
	*len = got;
	return 0;
}

/* Map SIZE bytes of FD under a guard: 0, or -1 (then read them). */
static int map_guarded(int fd, size_t size, unsigned char **out, int *guard)
{
	void *m;

	if (!size)
		return -1;
	m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return -1;
	*guard = guard_add(m, size, fd);
	if (*guard < 0) {
		munmap(m, size);
		return -1;
	}
	madvise(m, size, MADV_SEQUENTIAL);
	*out = m;
	return 0;
}

int tl_file_open(const char *path, struct tl_file *f)
{
	unsigned char *m = NULL;
	struct stat st;
	size_t len = 0, cap = 0;
	int fd, rc, guard = -1;

	memset(f, 0, sizeof(*f));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sys_fail(f, -1, "cannot open", path);
	if (fstat(fd, &st))
		return sys_fail(f, fd, "cannot stat", path);
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return sys_fail(f, fd, "not a regular file:", path);
	}
	if ((uint64_t)st.st_size > SIZE_MAX / 2) {
		errno = EFBIG;
		return sys_fail(f, fd, "cannot read", path);
	}
	if (!map_guarded(fd, (size_t)st.st_size, &m, &guard)) {
		len = cap = (size_t)st.st_size; /* fd stays open with the guard */
	} else if (read_all(fd, (size_t)st.st_size, &m, &len, &cap)) {
		return sys_fail(f, fd, "cannot read", path);
	} else {
		close(fd);
	}
	rc = tl_file_parse(m, len, f);
	f->map = m;
	f->map_len = len;
	f->map_cap = cap;
	f->guard = guard + 1;
	return rc;
}

int tl_file_fd_of(const void *p, size_t len, uint64_t *off)
{
	uintptr_t a = (uintptr_t)p;

	for (int i = 0; i < NGUARD; i++)
		if (guards[i].start && a >= guards[i].start && a + len <= guards[i].end &&
		    !guards[i].hit) {
			*off = a - guards[i].start;
			return guards[i].fd;
		}
	return -1;
}

bool tl_file_shrunk(const struct tl_file *f)
{
	return f->guard > 0 && f->guard <= NGUARD && guards[f->guard - 1].hit;
}

void tl_file_close(struct tl_file *f)
{
	free(f->lost);
	tl_bigmem_free(f->map, f->map_cap);
	if (f->guard > 0 && f->guard <= NGUARD) {
		guards[f->guard - 1].start = guards[f->guard - 1].end = 0;
		close(guards[f->guard - 1].fd);
	}
	memset(f, 0, sizeof(*f));
}

static const char *const attach_names[TL_AT_NR] = {
	[TL_AT_SWITCH] = "sched_switch",       [TL_AT_MIGRATE] = "sched_migrate_task",
	[TL_AT_WAKEUP] = "sched_wakeup",       [TL_AT_WAKEUP_NEW] = "sched_wakeup_new",
	[TL_AT_WAKING] = "sched_waking",       [TL_AT_FORK] = "sched_process_fork",
	[TL_AT_EXIT] = "sched_process_exit",   [TL_AT_EXEC] = "sched_process_exec",
	[TL_AT_PI] = "sched_pi_setprio",       [TL_AT_LOCK] = "contention_begin",
	[TL_AT_SCX_EVENT] = "sched_ext_event", [TL_AT_SCX_DUMP] = "sched_ext_dump",
	[TL_AT_SCX_EXIT] = "sched_ext_exit",
};

const char *tl_attach_name(unsigned i)
{
	return i < TL_AT_NR ? attach_names[i] : NULL;
}

void tl_file_info_text(FILE *fp, const struct tl_file *f)
{
	const struct tl_file_header *h = &f->hdr;
	uint64_t span = f->end_ns > h->start_ns ? f->end_ns - h->start_ns : 0;

	fprintf(fp, "capture: %s %s %s, %u CPUs, %" PRIu64 " records", h->sysname, h->release,
		h->machine, h->ncpus, f->nrecords);
	if (!f->cut)
		fprintf(fp, " over %.3f s", (double)span / 1e9);
	fprintf(fp, "%s\n", h->flags & TL_FILE_FLIGHT ? " (flight recorder window)" : "");
	fputs("attached:", fp);
	for (unsigned i = 0; i < TL_AT_NR; i++)
		if (h->attached >> i & 1)
			fprintf(fp, " %s", attach_names[i]);
	for (unsigned i = 0; i < TL_AT_NR; i++)
		if ((h->requested & ~h->attached) >> i & 1 && i != TL_AT_SCX_EXIT)
			fprintf(fp, " (%s: not on this kernel)", attach_names[i]);
	fputc('\n', fp);
	if (h->cpus[0] || h->filter_tgid)
		fprintf(fp, "filters: cpus %s, tgid %u\n", h->cpus[0] ? h->cpus : "all",
			h->filter_tgid);
	if (f->cut)
		fprintf(fp,
			"cut: no trailer (the recorder did not finish); lost counts unknown%s\n",
			f->tail ? ", a torn last record" : "");
	else
		fprintf(fp, "lost: %" PRIu64 " events%s\n", f->lost_total,
			f->lost_total ? " (the ring buffer was full)" : "");
	if (!f->cut && f->misses_known)
		fprintf(fp, "recursion misses: %" PRIu64 " events not recorded%s\n",
			f->recursion_misses,
			f->recursion_misses ? " (the kernel skipped a program already running on "
					      "that CPU; not in the lost counts)"
					    : "");
	if (f->flight_dropped)
		fprintf(fp, "flight window: %" PRIu64 " older records let go\n", f->flight_dropped);
}

void tl_file_info_json(struct jw *w, const struct tl_file *f)
{
	const struct tl_file_header *h = &f->hdr;

	jw_kstr(w, "release", h->release);
	jw_kstr(w, "machine", h->machine);
	jw_kstr(w, "nodename", h->nodename);
	jw_ku64(w, "ncpus", h->ncpus);
	jw_ku64(w, "start_ns", h->start_ns);
	jw_ki64(w, "realtime_offset_ns", h->realtime_offset_ns);
	if (!f->cut)
		jw_ku64(w, "end_ns", f->end_ns);
	jw_ku64(w, "records", f->nrecords);
	jw_kbool(w, "flight", h->flags & TL_FILE_FLIGHT);
	jw_key(w, "attached");
	jw_arr_open(w);
	for (unsigned i = 0; i < TL_AT_NR; i++)
		if (h->attached >> i & 1)
			jw_str(w, attach_names[i]);
	jw_arr_close(w);
	/* asked for, not on this kernel (sched_ext_exit: no tracepoint, the
	 * exit comes from sysfs) */
	jw_key(w, "missing");
	jw_arr_open(w);
	for (unsigned i = 0; i < TL_AT_NR; i++)
		if ((h->requested & ~h->attached) >> i & 1 && i != TL_AT_SCX_EXIT)
			jw_str(w, attach_names[i]);
	jw_arr_close(w);
	if (h->cpus[0])
		jw_kstr(w, "cpus", h->cpus);
	if (h->filter_tgid)
		jw_ku64(w, "tgid", h->filter_tgid);
	jw_kbool(w, "cut", f->cut);
	if (f->cut) {
		jw_ku64(w, "tail_bytes", f->tail);
	} else {
		jw_ku64(w, "lost", f->lost_total);
		jw_key(w, "lost_per_cpu");
		jw_arr_open(w);
		for (uint32_t i = 0; i < f->lost_ncpus; i++)
			jw_u64(w, f->lost[i]);
		jw_arr_close(w);
		if (f->misses_known)
			jw_ku64(w, "recursion_misses", f->recursion_misses);
	}
	if (f->flight_dropped)
		jw_ku64(w, "flight_dropped", f->flight_dropped);
}

/* ---- task names --------------------------------------------------------------- */

static size_t slot(const struct tl_comms *c, uint32_t pid)
{
	uint32_t h = pid * 2654435761u;

	return (size_t)h & (c->cap - 1);
}

static int grow(struct tl_comms *c)
{
	struct tl_comms n = {.cap = c->cap ? c->cap * 2 : 256};

	n.tab = calloc(n.cap, sizeof(*n.tab));
	if (!n.tab)
		return -1;
	for (size_t i = 0; i < c->cap; i++) {
		size_t j;

		if (!c->tab[i].pid)
			continue;
		for (j = slot(&n, c->tab[i].pid); n.tab[j].pid; j = (j + 1) & (n.cap - 1))
			;
		n.tab[j] = c->tab[i];
		n.n++;
	}
	free(c->tab);
	*c = n;
	return 0;
}

const struct tl_comm_ent *tl_comms_get(const struct tl_comms *c, uint32_t pid)
{
	static const struct tl_comm_ent idle = {0, 0, "swapper"};

	if (!pid)
		return &idle;
	if (!c || !c->cap)
		return NULL;
	for (size_t j = slot(c, pid); c->tab[j].pid; j = (j + 1) & (c->cap - 1))
		if (c->tab[j].pid == pid)
			return &c->tab[j];
	return NULL;
}

int tl_comms_set(struct tl_comms *c, uint32_t pid, uint32_t tgid, const char *comm)
{
	size_t j;

	if (!pid)
		return 0;
	if ((c->n + 1) * 2 > c->cap && grow(c))
		return -1;
	for (j = slot(c, pid); c->tab[j].pid; j = (j + 1) & (c->cap - 1))
		if (c->tab[j].pid == pid)
			break;
	if (!c->tab[j].pid)
		c->n++;
	c->tab[j].pid = pid;
	c->tab[j].tgid = tgid;
	strncpy(c->tab[j].comm, comm, 16);
	c->tab[j].comm[16] = '\0';
	return 0;
}

void tl_comms_learn(struct tl_comms *c, const struct tl_event *ev)
{
	const struct tl_comm_ent *p;

	switch (ev->kind) {
	case TL_K_COMM:
		tl_comms_set(c, ev->comm.pid, ev->comm.tgid, ev->comm.comm);
		break;
	case TL_K_FORK:
		p = tl_comms_get(c, ev->fork.parent_pid);
		if (!tl_comms_get(c, ev->fork.child_pid))
			tl_comms_set(c, ev->fork.child_pid, ev->fork.child_tgid, p ? p->comm : "");
		break;
	default:
		break;
	}
}

void tl_comms_free(struct tl_comms *c)
{
	free(c->tab);
	memset(c, 0, sizeof(*c));
}

/* ---- JSON: ktstr's TimelineEvent ------------------------------------------------ */

/* ScxExit "kind_from" (TL_SCX_KIND_FROM_*): none is omitted */
static const char *const kind_from[] = {
	[TL_SCX_KIND_FROM_DUMP] = "dump",
	[TL_SCX_KIND_FROM_KMSG] = "kmsg",
	[TL_SCX_KIND_FROM_SCHED] = "scheduler",
};

static void json_text(struct jw *w, const char *key, const struct tl_event *ev)
{
	if (ev->text) {
		jw_key(w, key);
		jw_strn(w, ev->text, ev->text_len);
	}
	if (ev->text_cut)
		jw_kbool(w, "truncated", true);
}

void tl_event_json_fields(struct jw *w, const struct tl_event *ev)
{
	const struct timeline_event *r = &ev->raw;

	switch (ev->kind) {
	case TL_K_SWITCH:
		jw_ku64(w, "prev_pid", ev->sw.prev_pid);
		jw_ku64(w, "next_pid", ev->sw.next_pid);
		jw_ku64(w, "prev_state", ev->sw.prev_state);
		jw_kbool(w, "preempt", ev->sw.preempt);
		break;
	case TL_K_MIGRATE:
		jw_ku64(w, "pid", ev->mig.pid);
		jw_ku64(w, "orig_cpu", ev->mig.orig_cpu);
		jw_ku64(w, "dest_cpu", ev->mig.dest_cpu);
		break;
	case TL_K_WAKEUP:
	case TL_K_WAKEUP_NEW:
	case TL_K_WAKING:
		jw_ku64(w, "pid", ev->wake.pid);
		jw_ku64(w, "target_cpu", ev->wake.target_cpu);
		break;
	case TL_K_PI_BOOST:
		jw_ku64(w, "prober_tid", ev->pi.prober_tid);
		jw_ku64(w, "pid", ev->pi.pid);
		jw_ku64(w, "old_prio", ev->pi.old_prio);
		jw_ku64(w, "old_class_id", ev->pi.old_class_id);
		jw_ku64(w, "new_prio", ev->pi.new_prio);
		jw_ku64(w, "new_class_id", ev->pi.new_class_id);
		break;
	case TL_K_LOCK_CONTEND:
		jw_ku64(w, "tid", ev->lock.tid);
		jw_ku64(w, "lock_kva", ev->lock.lock_kva);
		jw_ku64(w, "flags", ev->lock.flags);
		break;
	case TL_K_FORK:
		jw_ku64(w, "parent_pid", ev->fork.parent_pid);
		jw_ku64(w, "child_pid", ev->fork.child_pid);
		jw_ku64(w, "parent_tgid", ev->fork.parent_tgid);
		jw_ku64(w, "child_tgid", ev->fork.child_tgid);
		break;
	case TL_K_EXIT:
		jw_ku64(w, "pid", ev->exit.pid);
		jw_ku64(w, "tgid", ev->exit.tgid);
		jw_kbool(w, "group_dead", ev->exit.group_dead);
		jw_ki64(w, "exit_code", ev->exit.exit_code);
		break;
	case TL_K_EXEC:
		jw_ku64(w, "pid", ev->exec.pid);
		jw_ku64(w, "old_pid", ev->exec.old_pid);
		jw_ku64(w, "tgid", ev->exec.tgid);
		break;
	case TL_K_COMM:
		jw_ku64(w, "pid", ev->comm.pid);
		jw_ku64(w, "tgid", ev->comm.tgid);
		jw_kstr(w, "comm", ev->comm.comm);
		break;
	case TL_K_SCX_EXIT:
		jw_ku64(w, "tid", ev->scx_exit.tid);
		/* 0: unknown (no dump, no log line): omitted, never a kind */
		if (ev->scx_exit.exit_kind) {
			jw_ku64(w, "exit_kind", ev->scx_exit.exit_kind);
			if (ev->scx_exit.kind_from < sizeof(kind_from) / sizeof(kind_from[0]) &&
			    kind_from[ev->scx_exit.kind_from])
				jw_kstr(w, "kind_from", kind_from[ev->scx_exit.kind_from]);
		}
		jw_kstr(w, "source",
			ev->scx_exit.source == TL_SCX_EXIT_SRC_TP	? "tracepoint"
			: ev->scx_exit.source == TL_SCX_EXIT_SRC_STATE	? "state"
			: ev->scx_exit.source == TL_SCX_EXIT_SRC_FENTRY ? "fentry"
									: "unknown");
		json_text(w, "reason", ev);
		break;
	case TL_K_SCX_EVENT:
		jw_ku64(w, "tid", ev->scx_event.tid);
		json_text(w, "name", ev);
		jw_ki64(w, "delta", ev->scx_event.delta);
		break;
	case TL_K_SCX_DUMP:
		jw_ku64(w, "tid", ev->scx_dump.tid);
		jw_ku64(w, "seq", ev->scx_dump.seq);
		json_text(w, "line", ev);
		break;
	case TL_K_TEXT:
		json_text(w, "text", ev);
		break;
	default:
		jw_ku64(w, "type_", r->type);
		jw_ku64(w, "prev_pid", r->prev_pid);
		jw_ku64(w, "next_pid", r->next_pid);
		jw_ku64(w, "a", r->a);
		jw_ku64(w, "b", r->b);
		break;
	}
}

void tl_event_json(struct jw *w, const struct tl_event *ev)
{
	const struct timeline_event *r = &ev->raw;

	jw_obj_open(w);
	jw_kstr(w, "kind", tl_kind_name(ev->kind));
	jw_ku64(w, "ts", r->ts);
	if (r->cpu != TL_CPU_NONE || ev->kind == TL_K_UNKNOWN)
		jw_ku64(w, "cpu", r->cpu);
	tl_event_json_fields(w, ev);
	jw_obj_close(w);
}

/* ---- text ------------------------------------------------------------------------- */

static const char *name_of(const struct tl_comms *c, uint32_t pid)
{
	const struct tl_comm_ent *e = tl_comms_get(c, pid);

	return e && e->comm[0] ? e->comm : "?";
}

void tl_event_text(FILE *fp, const struct tl_event *ev, const struct tl_comms *c)
{
	const struct timeline_event *r = &ev->raw;

	fprintf(fp, "%6" PRIu64 ".%09" PRIu64 " ", r->ts / 1000000000, r->ts % 1000000000);
	if (r->cpu == TL_CPU_NONE)
		fputs("  [-]", fp);
	else
		fprintf(fp, "[%03u]", r->cpu);
	fprintf(fp, " %-11s", tl_kind_name(ev->kind));
	switch (ev->kind) {
	case TL_K_SWITCH:
		fprintf(fp, " %s[%u] %s -> %s[%u]", name_of(c, ev->sw.prev_pid), ev->sw.prev_pid,
			tl_state_str(ev->sw.prev_state, ev->sw.preempt),
			name_of(c, ev->sw.next_pid), ev->sw.next_pid);
		break;
	case TL_K_MIGRATE:
		fprintf(fp, " %s[%u] cpu %u -> %u", name_of(c, ev->mig.pid), ev->mig.pid,
			ev->mig.orig_cpu, ev->mig.dest_cpu);
		break;
	case TL_K_WAKEUP:
	case TL_K_WAKEUP_NEW:
	case TL_K_WAKING:
		fprintf(fp, " %s[%u] target_cpu %u", name_of(c, ev->wake.pid), ev->wake.pid,
			ev->wake.target_cpu);
		break;
	case TL_K_PI_BOOST:
		fprintf(fp, " by %u: %s[%u] prio %u (class %u) -> %u (class %u)", ev->pi.prober_tid,
			name_of(c, ev->pi.pid), ev->pi.pid, ev->pi.old_prio, ev->pi.old_class_id,
			ev->pi.new_prio, ev->pi.new_class_id);
		break;
	case TL_K_LOCK_CONTEND:
		fprintf(fp, " %s[%u] lock 0x%" PRIx64 " flags 0x%x", name_of(c, ev->lock.tid),
			ev->lock.tid, ev->lock.lock_kva, ev->lock.flags);
		break;
	case TL_K_FORK:
		fprintf(fp, " %s[%u] -> child %u (tgid %u)", name_of(c, ev->fork.parent_pid),
			ev->fork.parent_pid, ev->fork.child_pid, ev->fork.child_tgid);
		break;
	case TL_K_EXIT:
		fprintf(fp, " %s[%u] tgid %u%s code %d", name_of(c, ev->exit.pid), ev->exit.pid,
			ev->exit.tgid, ev->exit.group_dead ? " (group dead)" : "",
			ev->exit.exit_code);
		break;
	case TL_K_EXEC:
		fprintf(fp, " pid %u (was %u) tgid %u", ev->exec.pid, ev->exec.old_pid,
			ev->exec.tgid);
		break;
	case TL_K_COMM:
		fprintf(fp, " %u (tgid %u) is '%s'", ev->comm.pid, ev->comm.tgid, ev->comm.comm);
		break;
	case TL_K_SCX_EXIT:
		if (ev->scx_exit.exit_kind)
			fprintf(fp, " kind %" PRIu64, ev->scx_exit.exit_kind);
		else
			fputs(" kind unknown", fp);
		fprintf(fp, " by %s%s%.*s%s",
			ev->scx_exit.source == TL_SCX_EXIT_SRC_STATE ? "state" : "kernel",
			ev->text ? ": " : "", (int)ev->text_len, ev->text ? ev->text : "",
			ev->text_cut ? " [truncated]" : "");
		break;
	case TL_K_SCX_EVENT:
		fprintf(fp, " %.*s%s %+" PRId64, (int)ev->text_len, ev->text ? ev->text : "",
			ev->text_cut ? "[truncated]" : "", ev->scx_event.delta);
		break;
	case TL_K_SCX_DUMP:
		fprintf(fp, " #%" PRIu64 " %.*s%s", ev->scx_dump.seq, (int)ev->text_len,
			ev->text ? ev->text : "", ev->text_cut ? " [truncated]" : "");
		break;
	case TL_K_TEXT:
		fprintf(fp, " (no header) '%.*s'", (int)ev->text_len, ev->text ? ev->text : "");
		break;
	default:
		fprintf(fp, " type %u prev_pid %u next_pid %u a 0x%" PRIx64 " b 0x%" PRIx64,
			r->type, r->prev_pid, r->next_pid, r->a, r->b);
		break;
	}
	fputc('\n', fp);
}

uint64_t tl_dump(FILE *fp, const void *buf, size_t len, bool json)
{
	struct tl_iter *it = malloc(sizeof(*it));
	struct tl_comms c = {0};
	struct kt_buf b = {0};
	struct tl_event ev;
	struct jw w;
	uint64_t n = 0;

	if (!it)
		return 0;
	/* JSON into memory, handed to stdio in 64 KiB blocks (one fwrite per
	 * token was most of the time) */
	jw_init_buf(&w, &b, 0);
	/* names first: a task's Comm record may come after its first event */
	if (!json) {
		tl_iter_init(it, buf, len);
		while (tl_iter_next(it, &ev))
			if (ev.kind == TL_K_COMM || ev.kind == TL_K_FORK)
				tl_comms_learn(&c, &ev);
	}
	tl_iter_init(it, buf, len);
	while (tl_iter_next(it, &ev)) {
		if (json) {
			tl_event_json(&w, &ev);
			jw_newline(&w);
			if (b.len >= 65536) {
				fwrite(b.p, 1, b.len, fp);
				b.len = 0;
			}
		} else {
			tl_comms_learn(&c, &ev);
			tl_event_text(fp, &ev, &c);
		}
		n++;
	}
	if (b.len)
		fwrite(b.p, 1, b.len, fp);
	kt_buf_free(&b);
	free(it);
	tl_comms_free(&c);
	return n;
}

/* ---- option values ---------------------------------------------------------------- */

int tl_parse_cpus(const char *s, uint64_t *mask, size_t words)
{
	uint64_t *cpus;
	size_t n;

	if (hc_parse_cpulist(s, strlen(s), &cpus, &n))
		return -1;
	memset(mask, 0, words * 8);
	for (size_t i = 0; i < n; i++) {
		if (cpus[i] >= words * 64) {
			free(cpus);
			errno = ERANGE;
			return -1;
		}
		mask[cpus[i] / 64] |= 1ull << (cpus[i] % 64);
	}
	free(cpus);
	return 0;
}

static int parse_sec(const char *s, size_t n, uint64_t base, uint64_t *out)
{
	char tmp[64];
	double v;

	if (!n)
		return 1;
	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (kt_parse_double(tmp, &v) || v < 0 || v > 1e9)
		return -1;
	*out = base + (uint64_t)(v * 1e9);
	return 0;
}

int tl_parse_time(const char *s, uint64_t base_ns, uint64_t *t0, uint64_t *t1)
{
	const char *comma = strchr(s, ',');
	int r;

	*t0 = 0;
	*t1 = 0;
	if (!comma)
		return -1;
	r = parse_sec(s, (size_t)(comma - s), base_ns, t0);
	if (r < 0)
		return -1;
	r = parse_sec(comma + 1, strlen(comma + 1), base_ns, t1);
	if (r < 0 || (*t1 && *t1 < *t0))
		return -1;
	return 0;
}
