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
	n += jw_fmt_u64(b + n, cpu);
	PUT(b, n, ",\"ts\":");
	n += jw_fmt_udec(b + n, c->since, 3);
	PUT(b, n, ",\"dur\":");
	n += jw_fmt_udec(b + n, end - c->since, 3);
	PUT(b, n, ",\"cat\":\"sched\",\"args\":{\"pid\":");
	n += jw_fmt_u64(b + n, c->cur);
	if (nm->tgid) {
		PUT(b, n, ",\"tgid\":");
		n += jw_fmt_u64(b + n, nm->tgid);
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
	n += jw_fmt_u64(b + n, tid);
	PUT(b, n, ",\"ts\":");
	n += jw_fmt_udec(b + n, ts, 3);
	PUT(b, n, ",\"s\":\"t\",\"args\":{\"pid\":");
	if (mig) {
		n += jw_fmt_u64(b + n, ev->mig.pid);
		PUT(b, n, ",\"orig_cpu\":");
		n += jw_fmt_u64(b + n, ev->mig.orig_cpu);
		PUT(b, n, ",\"dest_cpu\":");
		n += jw_fmt_u64(b + n, ev->mig.dest_cpu);
	} else {
		n += jw_fmt_u64(b + n, ev->wake.pid);
		PUT(b, n, ",\"target_cpu\":");
		n += jw_fmt_u64(b + n, ev->wake.target_cpu);
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
