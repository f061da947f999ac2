// SPDX-License-Identifier: MIT
/*
 * Chrome trace-event JSON (the "JSON Object Format": {"traceEvents":[...]})
 * from timeline records, for Perfetto UI, chrome://tracing and speedscope.
 *
 *	process TL_EXPORT_PID "CPUs", one thread (track) per CPU, tid = cpu:
 *	  X   a slice per running task (switch-in to the next switch on that
 *	      CPU; the idle task gets none), name "comm pid", args pid, tgid,
 *	      end_state
 *	  i   wakeups (on the waking CPU), migrations, lock contention, PI
 *	      boosts, sched_ext dump lines (thread scope)
 *	  i   the sched_ext exit (global scope)
 *	  C   sched_ext event counters (cumulative per name, one counter track
 *	      each)
 *	  M   process_name, thread_name ("CPU n"), thread_sort_index
 *
 * Times are microseconds with three decimals (ns exact).  Slices on a track
 * never overlap: each ends where the next switch on its CPU begins (any
 * switch, whatever its prev_pid), events come out of tl_sorted in time order
 * (a late record is clamped to the last time seen), and a slice that would
 * have no length is dropped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "timeline.h"

#define TL_EXPORT_PID 4194305u /* above PID_MAX_LIMIT: never a real tgid */
#define TL_EXPORT_PID_STR "4194305"
#define MAX_CPUS 8192

/*
 * The frequent events (slices, wakeups, migrations) are written as whole
 * objects through jw_raw: fixed pieces, the task's name escaped once per
 * task (not per event), numbers by jw_fmt_*: the writer's own formats, so
 * the bytes are those of the jw_key/jw_* calls they replace, at a fraction
 * of the calls.  Everything rarer goes through the writer call by call.
 */
#define NAME_ESC 112 /* "comm pid" escaped: 16 bytes * 6 + ' ' + 10 digits */

struct xname {
	uint32_t pid; /* 0: free (the idle task has its own entry) */
	uint32_t tgid;
	uint32_t len;
	uint8_t pid_n, tgid_n; /* digits of pid, then of tgid, in NUM */
	char num[20];
	char esc[NAME_ESC];
};

struct xnames {
	struct xname *tab;
	size_t cap, n;
	struct xname idle;
	bool idle_set;
};

struct xcpu {
	bool seen;
	uint32_t cur;
	uint64_t since;
};

struct xctr {
	char name[64];
	int64_t value;
};

struct xstate {
	struct jw *w;
	const struct tl_filter *f;
	struct tl_export_stats *st;
	/* Task names: COMMS from the Comm records seen so far in time order;
	 * FINAL, from every Comm and Fork record of the file in file order,
	 * is what a task not named yet goes by (its Comm may come after its
	 * first slice), read only when such a task shows up */
	struct tl_comms comms, final;
	bool final_read;
	struct tl_sorted *s;
	size_t len;
	struct xcpu *cpus;
	size_t ncpus;
	struct xctr ctr[64];
	size_t nctr;
	uint64_t last_ts;
	struct xnames names;
	struct kt_buf esc; /* scratch for escaping */
	/* the digits of the event times above the last 10 ms: times come
	 * in order, so the next one nearly always shares them */
	uint64_t ts_base; /* a multiple of 10^7 ns */
	bool ts_valid;
	uint8_t ts_hi_n;
	char ts_hi[24];
};

static void ts_us(struct jw *w, const char *key, uint64_t ns)
{
	jw_key(w, key);
	jw_udec(w, ns, 3);
}

static void head(struct xstate *x, const char *ph, const char *name, uint32_t tid, uint64_t ts)
{
	struct jw *w = x->w;

	jw_obj_open(w);
	jw_kstr(w, "ph", ph);
	jw_kstr(w, "name", name);
	jw_ku64(w, "pid", TL_EXPORT_PID);
	jw_ku64(w, "tid", tid);
	ts_us(w, "ts", ts);
}

/* Every Comm and Fork record of the file, in file order, into FINAL (a
 * record at a time: text continuations are TL_EVT_TEXT records, never
 * taken for these two). */
static __attribute__((noinline)) void read_final(struct xstate *x)
{
	struct tl_event ev;

	x->final_read = true;
	for (size_t off = 0; off + TL_RECORD_SIZE <= x->len; off += TL_RECORD_SIZE) {
		const unsigned char *p = tl_sorted_rec(x->s, off);
		uint32_t type = tl_rd32(p);

		if (type == TL_EVT_COMM || type == TL_EVT_FORK) {
			parse_record(p, TL_RECORD_SIZE, &ev);
			tl_comms_learn(&x->final, &ev);
		}
	}
}

/* PID's name and tgid now: its last Comm so far, else what the file
 * names it by (as if every name had been read first), or NULL. */
static const struct tl_comm_ent *comm_of(struct xstate *x, uint32_t pid)
{
	const struct tl_comm_ent *e = tl_comms_get(&x->comms, pid);

	if (e)
		return e;
	if (!x->final_read)
		read_final(x);
	return tl_comms_get(&x->final, pid);
}

/* "comm pid" into B (at least 40 bytes) */
static void task_name(struct xstate *x, char *b, size_t n, uint32_t pid)
{
	const struct tl_comm_ent *e = comm_of(x, pid);
	const char *c = e && e->comm[0] ? e->comm : "?";
	char d[12], *q = d + sizeof(d);
	size_t k = strlen(c);

	*--q = '\0';
	do
		*--q = (char)('0' + pid % 10);
	while (pid /= 10);
	if (k + 1 + (size_t)(d + sizeof(d) - q) > n)
		k = 0;
	memcpy(b, c, k);
	b[k] = ' ';
	memcpy(b + k + 1, q, (size_t)(d + sizeof(d) - q));
}

static struct xcpu *xcpu(struct xstate *x, uint32_t cpu)
{
	if (cpu >= MAX_CPUS)
		return NULL;
	if (cpu >= x->ncpus) {
		struct xcpu *p = realloc(x->cpus, (cpu + 1) * sizeof(*p));

		if (!p)
			return NULL;
		memset(p + x->ncpus, 0, (cpu + 1 - x->ncpus) * sizeof(*p));
		x->cpus = p;
		x->ncpus = cpu + 1;
	}
	return &x->cpus[cpu];
}

/* (Re)build PID's entry from the names known now. */
static void name_fill(struct xstate *x, struct xname *nm, uint32_t pid)
{
	const struct tl_comm_ent *e = comm_of(x, pid);
	char name[40];

	task_name(x, name, sizeof(name), pid);
	kt_buf_reset(&x->esc);
	jw_escape(&x->esc, name, strlen(name));
	nm->pid = pid;
	nm->tgid = e ? e->tgid : 0;
	nm->pid_n = (uint8_t)jw_fmt_u64(nm->num, pid);
	nm->tgid_n = (uint8_t)jw_fmt_u64(nm->num + nm->pid_n, nm->tgid);
	nm->len = x->esc.oom || x->esc.len > NAME_ESC ? 0 : (uint32_t)x->esc.len;
	memcpy(nm->esc, x->esc.p ? x->esc.p : "", nm->len);
}

static inline size_t nslot(const struct xnames *t, uint32_t pid)
{
	return (size_t)(pid * 2654435761u) & (t->cap - 1);
}

static int names_grow(struct xnames *t)
{
	size_t cap = t->cap ? t->cap * 2 : 4096;
	struct xname *n = calloc(cap, sizeof(*n));

	if (!n)
		return -1;
	for (size_t i = 0; i < t->cap; i++) {
		size_t j;

		if (!t->tab[i].pid)
			continue;
		for (j = (size_t)(t->tab[i].pid * 2654435761u) & (cap - 1); n[j].pid;
		     j = (j + 1) & (cap - 1))
			;
		n[j] = t->tab[i];
	}
	free(t->tab);
	t->tab = n;
	t->cap = cap;
	return 0;
}

/* PID's entry, built on first use; NULL on ENOMEM. */
static const struct xname *name_get(struct xstate *x, uint32_t pid)
{
	struct xnames *t = &x->names;
	size_t j;

	if (!pid) {
		if (!t->idle_set)
			name_fill(x, &t->idle, 0);
		t->idle_set = true;
		return &t->idle;
	}
	if (t->cap)
		for (j = nslot(t, pid); t->tab[j].pid; j = (j + 1) & (t->cap - 1))
			if (t->tab[j].pid == pid)
				return &t->tab[j];
	if ((t->n + 1) * 2 > t->cap && names_grow(t))
		return NULL;
	for (j = nslot(t, pid); t->tab[j].pid; j = (j + 1) & (t->cap - 1))
		;
	name_fill(x, &t->tab[j], pid);
	t->n++;
	return &t->tab[j];
}

/* PID's name or tgid changed: rebuild its entry if it has one. */
static void name_changed(struct xstate *x, uint32_t pid)
{
	struct xnames *t = &x->names;

	if (!pid) {
		t->idle_set = false;
		return;
	}
	if (!t->cap)
		return;
	for (size_t j = nslot(t, pid); t->tab[j].pid; j = (j + 1) & (t->cap - 1))
		if (t->tab[j].pid == pid) {
			name_fill(x, &t->tab[j], pid);
			return;
		}
}

#define PUT(b, n, lit)                                   \
	do {                                             \
		memcpy((b) + (n), lit, sizeof(lit) - 1); \
		(n) += sizeof(lit) - 1;                  \
	} while (0)

/*
 * Times and CPU numbers, written inline: the digits of the small values
 * by multiply-and-shift (exact in the ranges used, test_timeline checks
 * the bytes against printf's), a time's digits above the last 10 ms kept
 * from the last time (times come in order: they nearly always match).
 * The bytes are jw_fmt_udec(NS, 3)'s and jw_fmt_u64's.
 */
#define HOT static inline __attribute__((always_inline))

/* V below 100: two digits. */
HOT void put2(char *b, uint32_t v)
{
	uint32_t t = (v * 103) >> 10; /* v / 10 */

	b[0] = (char)('0' + t);
	b[1] = (char)('0' + (v - t * 10));
}

/* V below 1000: three digits. */
HOT void put3(char *b, uint32_t v)
{
	uint32_t h = (v * 41) >> 12; /* v / 100 */

	b[0] = (char)('0' + h);
	put2(b + 1, v - h * 100);
}

/* V below 10000: four digits. */
HOT void put4(char *b, uint32_t v)
{
	uint32_t h = (v * 5243) >> 19; /* v / 100 */

	put2(b, h);
	put2(b + 2, v - h * 100);
}

/* V below 10000 without leading zeros: its length. */
HOT size_t put_small(char *b, uint32_t v)
{
	if (v < 10) {
		b[0] = (char)('0' + v);
		return 1;
	}
	if (v < 100) {
		put2(b, v);
		return 2;
	}
	if (v < 1000) {
		put3(b, v);
		return 3;
	}
	put4(b, v);
	return 4;
}

HOT size_t fmt_cpu(char *b, uint32_t cpu)
{
	return cpu < 10000 ? put_small(b, cpu) : jw_fmt_u64(b, cpu);
}

/* R below 10^7 ns: "us.nnn" with US (R / 1000) in 4 digits, or without
 * leading zeros when LEAD is false. */
HOT size_t put_us(char *b, uint32_t r, bool lead)
{
	uint32_t us = (uint32_t)(((uint64_t)r * 274877907u) >> 38); /* r / 1000 */
	size_t n;

	if (lead) {
		put4(b, us);
		n = 4;
	} else {
		n = put_small(b, us);
	}
	b[n] = '.';
	put3(b + n + 1, r - us * 1000);
	return n + 4;
}

HOT size_t fmt_ts(struct xstate *x, char *b, uint64_t ns)
{
	if (__builtin_expect(!x->ts_valid || ns - x->ts_base >= 10000000, 0)) {
		uint64_t hi = ns / 10000000;

		x->ts_base = hi * 10000000;
		x->ts_hi_n = hi ? (uint8_t)jw_fmt_u64(x->ts_hi, hi) : 0;
		x->ts_valid = true;
	}
	memcpy(b, x->ts_hi, sizeof(x->ts_hi));
	return x->ts_hi_n + put_us(b + x->ts_hi_n, (uint32_t)(ns - x->ts_base), x->ts_hi_n);
}

HOT size_t fmt_dur(char *b, uint64_t ns)
{
	return ns < 10000000 ? put_us(b, (uint32_t)ns, false) : jw_fmt_udec(b, ns, 3);
}

/* Room for one frequent event, written in place at the end of the
 * writer's buffer (after its separator): NULL when out of memory (the
 * buffer is then marked, and the export fails at the next flush). */
#define EVENT_MAX 320
static char *event_room(struct xstate *x)
{
	return jw_raw_room(x->w, EVENT_MAX);
}

static void event_done(struct xstate *x, char *b, size_t n)
{
	kt_buf_done(x->w->buf, b + n);
}

static void slice(struct xstate *x, uint32_t cpu, const struct xcpu *c, uint64_t end,
		  const char *end_state)
{
	const struct xname *nm = name_get(x, c->cur);
	char *b;
	size_t n = 0;

	if (!nm || !(b = event_room(x)))
		return;
	PUT(b, n, "{\"ph\":\"X\",\"name\":\"");
	kt_copy_short(b + n, nm->esc, nm->len);
	n += nm->len;
	PUT(b, n, "\",\"pid\":" TL_EXPORT_PID_STR ",\"tid\":");
	n += fmt_cpu(b + n, cpu);
	PUT(b, n, ",\"ts\":");
	n += fmt_ts(x, b + n, c->since);
	PUT(b, n, ",\"dur\":");
	n += fmt_dur(b + n, end - c->since);
	PUT(b, n, ",\"cat\":\"sched\",\"args\":{\"pid\":");
	memcpy(b + n, nm->num, 10);
	n += nm->pid_n;
	if (nm->tgid) {
		PUT(b, n, ",\"tgid\":");
		memcpy(b + n, nm->num + nm->pid_n, 10);
		n += nm->tgid_n;
	}
	if (end_state) { /* tl_state_str: short, nothing to escape */
		PUT(b, n, ",\"end_state\":\"");
		while (*end_state)
			b[n++] = *end_state++;
		PUT(b, n, "\"");
	}
	PUT(b, n, "}}");
	event_done(x, b, n);
	x->st->slices++;
}

/* A wakeup or a migration: "PREFIX comm pid" on the waking CPU's track. */
static void task_instant(struct xstate *x, const struct tl_event *ev, uint64_t ts)
{
	bool mig = ev->kind == TL_K_MIGRATE;
	const struct xname *nm = name_get(x, mig ? ev->mig.pid : ev->wake.pid);
	uint32_t tid = ev->raw.cpu == TL_CPU_NONE ? 0 : ev->raw.cpu;
	char *b;
	size_t n = 0;

	if (!nm || !(b = event_room(x)))
		return;
	PUT(b, n, "{\"ph\":\"i\",\"name\":\"");
	if (mig)
		PUT(b, n, "migrate ");
	else if (ev->kind == TL_K_WAKEUP)
		PUT(b, n, "wakeup ");
	else
		PUT(b, n, "wakeup_new ");
	kt_copy_short(b + n, nm->esc, nm->len);
	n += nm->len;
	PUT(b, n, "\",\"pid\":" TL_EXPORT_PID_STR ",\"tid\":");
	n += fmt_cpu(b + n, tid);
	PUT(b, n, ",\"ts\":");
	n += fmt_ts(x, b + n, ts);
	PUT(b, n, ",\"s\":\"t\",\"args\":{\"pid\":");
	memcpy(b + n, nm->num, 10);
	n += nm->pid_n;
	if (mig) {
		PUT(b, n, ",\"orig_cpu\":");
		n += fmt_cpu(b + n, ev->mig.orig_cpu);
		PUT(b, n, ",\"dest_cpu\":");
		n += fmt_cpu(b + n, ev->mig.dest_cpu);
	} else {
		PUT(b, n, ",\"target_cpu\":");
		n += fmt_cpu(b + n, ev->wake.target_cpu);
	}
	PUT(b, n, "}}");
	event_done(x, b, n);
	x->st->instants++;
}

static void on_switch(struct xstate *x, const struct tl_event *ev, uint64_t ts)
{
	struct xcpu *c = xcpu(x, ev->raw.cpu);

	if (!c)
		return;
	/* Any switch on this CPU ends the slice of whoever is open, whatever
	 * prev_pid says.  A slice of no length is dropped: the trace engines
	 * nest a zero-length slice under the one starting at the same time. */
	if (c->seen && c->cur && c->cur != ev->sw.prev_pid)
		x->st->unmatched++; /* a switch went missing: unnamed end state */
	if (c->seen && c->cur && ts > c->since)
		slice(x, ev->raw.cpu, c, ts,
		      c->cur == ev->sw.prev_pid ? tl_state_str(ev->sw.prev_state, ev->sw.preempt)
						: NULL);
	else if (c->seen && c->cur)
		x->st->empty++;
	c->seen = true;
	c->cur = ev->sw.next_pid;
	c->since = ts;
}

static void instant(struct xstate *x, const struct tl_event *ev, uint64_t ts)
{
	struct jw *w = x->w;
	char name[64];
	uint32_t tid = ev->raw.cpu == TL_CPU_NONE ? 0 : ev->raw.cpu;
	bool global = ev->kind == TL_K_SCX_EXIT;

	switch (ev->kind) {
	case TL_K_WAKEUP:
	case TL_K_WAKEUP_NEW:
	case TL_K_MIGRATE:
		task_instant(x, ev, ts);
		return;
	case TL_K_LOCK_CONTEND:
		snprintf(name, sizeof(name), "lock contention");
		break;
	case TL_K_PI_BOOST:
		snprintf(name, sizeof(name), "PI boost");
		break;
	case TL_K_SCX_EXIT:
		snprintf(name, sizeof(name), "sched_ext exit");
		break;
	case TL_K_SCX_DUMP:
		snprintf(name, sizeof(name), "sched_ext dump");
		break;
	default:
		return;
	}
	head(x, "i", name, tid, ts);
	jw_kstr(w, "s", global ? "g" : "t");
	jw_key(w, "args");
	jw_obj_open(w);
	tl_event_json_fields(w, ev);
	jw_obj_close(w);
	jw_obj_close(w);
	x->st->instants++;
}

static void counter(struct xstate *x, const struct tl_event *ev, uint64_t ts)
{
	struct jw *w = x->w;
	struct xctr *c = NULL;
	char name[64];
	size_t n = ev->text_len < sizeof(name) - 1 ? ev->text_len : sizeof(name) - 1;

	memcpy(name, ev->text ? ev->text : "", ev->text ? n : 0);
	name[ev->text ? n : 0] = '\0';
	for (size_t i = 0; i < x->nctr; i++)
		if (!strcmp(x->ctr[i].name, name))
			c = &x->ctr[i];
	if (!c) {
		if (x->nctr == sizeof(x->ctr) / sizeof(x->ctr[0]))
			return;
		c = &x->ctr[x->nctr++];
		strcpy(c->name, name);
		c->value = 0;
	}
	c->value += ev->scx_event.delta;
	head(x, "C", name[0] ? name : "scx_event", 0, ts);
	jw_key(w, "args");
	jw_obj_open(w);
	jw_ki64(w, "value", c->value);
	jw_obj_close(w);
	jw_obj_close(w);
	x->st->counters++;
}

static bool keep(const struct tl_filter *f, const struct tl_event *ev)
{
	uint32_t cpu = ev->raw.cpu;

	if (f->t1 && ev->raw.ts >= f->t1)
		return false;
	if (ev->raw.ts < f->t0)
		return false;
	if (f->cpus && cpu != TL_CPU_NONE &&
	    (cpu / 64 >= f->cpus_words || !(f->cpus[cpu / 64] >> (cpu % 64) & 1)))
		return false;
	return true;
}

static void meta(struct xstate *x, const char *what, uint32_t tid, const char *key, const char *s,
		 uint64_t v)
{
	struct jw *w = x->w;

	jw_obj_open(w);
	jw_kstr(w, "ph", "M");
	jw_kstr(w, "name", what);
	jw_ku64(w, "pid", TL_EXPORT_PID);
	jw_ku64(w, "tid", tid);
	jw_key(w, "args");
	jw_obj_open(w);
	if (s)
		jw_kstr(w, key, s);
	else
		jw_ku64(w, key, v);
	jw_obj_close(w);
	jw_obj_close(w);
	x->st->meta++;
}

/* The writer goes to a memory buffer, handed to stdio in 64 KiB blocks:
 * one fwrite per token was most of the export's time. */
#define FLUSH_AT (64 * 1024)

static int flush(struct xstate *x, FILE *fp, struct kt_buf *b)
{
	int rc = 0;

	if (b->oom || (b->len && fwrite(b->p, 1, b->len, fp) != b->len))
		rc = -1;
	b->len = 0;
	return rc;
}

/* {"displayTimeUnit":"ns","traceEvents":[ */
static void doc_open(struct jw *w)
{
	jw_obj_open(w);
	jw_kstr(w, "displayTimeUnit", "ns");
	jw_key(w, "traceEvents");
	jw_arr_open(w);
}

int tl_export_chrome(FILE *fp, const void *buf, size_t len, const struct tl_filter *f,
		     struct tl_export_stats *st)
{
	struct kt_buf b = {0};
	struct jw jw, *w = &jw;
	struct xstate x = {.w = w, .f = f, .st = st, .len = len};
	int rc = 0;
	struct tl_sorted s;
	struct tl_event ev;
	char name[32];

	memset(st, 0, sizeof(*st));
	jw_init_buf(w, &b, 0);
	if (tl_sorted_init(&s, buf, len)) {
		doc_open(w);
		goto out;
	}
	x.s = &s;
	doc_open(w);
	while (tl_sorted_next(&s, &ev)) {
		uint64_t ts = ev.raw.ts < x.last_ts ? x.last_ts : ev.raw.ts;

		x.last_ts = ts;
		/* a Fork changes nothing here: FINAL names its child already */
		if (ev.kind == TL_K_COMM) {
			tl_comms_learn(&x.comms, &ev);
			name_changed(&x, ev.comm.pid);
		}
		if (!keep(f, &ev))
			continue;
		if (b.len >= FLUSH_AT && flush(&x, fp, &b))
			rc = -1;
		if (ev.kind == TL_K_SWITCH)
			on_switch(&x, &ev, ts);
		else if (ev.kind == TL_K_SCX_EVENT)
			counter(&x, &ev, ts);
		else
			instant(&x, &ev, ts);
	}
	tl_sorted_free(&s);
	/* close the running slices at the last time seen */
	for (size_t i = 0; i < x.ncpus; i++)
		if (x.cpus[i].seen && x.cpus[i].cur && x.last_ts > x.cpus[i].since)
			slice(&x, (uint32_t)i, &x.cpus[i], x.last_ts, NULL);
	meta(&x, "process_name", 0, "name", "CPUs", 0);
	for (size_t i = 0; i < x.ncpus; i++) {
		if (!x.cpus[i].seen)
			continue;
		snprintf(name, sizeof(name), "CPU %zu", i);
		meta(&x, "thread_name", (uint32_t)i, "name", name, 0);
		meta(&x, "thread_sort_index", (uint32_t)i, "sort_index", NULL, i);
	}
out:
	jw_arr_close(w);
	jw_obj_close(w);
	jw_newline(w);
	if (flush(&x, fp, &b))
		rc = -1;
	kt_buf_free(&b);
	kt_buf_free(&x.esc);
	free(x.names.tab);
	free(x.cpus);
	tl_comms_free(&x.comms);
	tl_comms_free(&x.final);
	return rc;
}
