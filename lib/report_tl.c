// SPDX-License-Identifier: MIT
/*
 * The timeline around the exit, for the report: one pass over the capture
 * in time order (tl_sorted), building per CPU
 *   - slices: a running task from its switch-in to the next switch on that
 *     CPU (the idle task, pid 0, gets none), clipped to the window, as the
 *     Chrome export cuts them;
 *   - marks: wakeups (on the target CPU's lane) and migrations (on the
 *     destination's);
 *   - the last N events up to the exit (record offsets, printed with
 *     tl_event_text);
 *   - the tasks runnable but not running at the exit (woken or preempted,
 *     not switched in since), with how long they had waited.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define MAX_CPUS 8192

struct ptask {
	uint32_t pid; /* 0: free */
	uint32_t cpu; /* runnable on (wakeup target, or the CPU it left) */
	uint64_t since;
	uint8_t st; /* 0 unknown/sleeping, 1 runnable, 2 running */
};

struct ptab {
	struct ptask *v;
	size_t cap, n;
};

static struct ptask *pget(struct ptab *p, uint32_t pid)
{
	size_t j;

	if (!pid)
		return NULL;
	if ((p->n + 1) * 2 > p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1024;
		struct ptask *n = calloc(cap, sizeof(*n));

		if (!n)
			return NULL;
		for (size_t i = 0; i < p->cap; i++) {
			if (!p->v[i].pid)
				continue;
			for (j = (p->v[i].pid * 2654435761u) & (cap - 1); n[j].pid;
			     j = (j + 1) & (cap - 1))
				;
			n[j] = p->v[i];
		}
		free(p->v);
		p->v = n;
		p->cap = cap;
	}
	for (j = (pid * 2654435761u) & (p->cap - 1); p->v[j].pid; j = (j + 1) & (p->cap - 1))
		if (p->v[j].pid == pid)
			return &p->v[j];
	p->v[j].pid = pid;
	p->n++;
	return &p->v[j];
}

static struct rp_cpu *cpu_at(struct rp_timeline *t, uint32_t cpu)
{
	if (cpu >= MAX_CPUS)
		return NULL;
	if (cpu >= t->ncpus) {
		struct rp_cpu *n = realloc(t->cpus, (cpu + 1) * sizeof(*n));

		if (!n) {
			t->oom = true;
			return NULL;
		}
		memset(n + t->ncpus, 0, (cpu + 1 - t->ncpus) * sizeof(*n));
		for (size_t i = t->ncpus; i <= cpu; i++)
			n[i].cpu = (uint32_t)i;
		t->cpus = n;
		t->ncpus = cpu + 1;
	}
	t->cpus[cpu].used = true;
	return &t->cpus[cpu];
}

static void add_slice(struct rp_timeline *t, struct rp_cpu *c, uint64_t a, uint64_t b, uint32_t pid,
		      bool preempted)
{
	if (!pid)
		return;
	if (a < t->t0)
		a = t->t0;
	if (b > t->t1)
		b = t->t1;
	if (b <= a && !(a == b && a >= t->t0 && a < t->t1))
		return;
	if (c->ns == c->caps) {
		size_t cap = c->caps ? c->caps * 2 : 256;
		struct rp_slice *n = realloc(c->s, cap * sizeof(*n));

		if (!n) {
			t->oom = true;
			return;
		}
		c->s = n;
		c->caps = cap;
	}
	c->s[c->ns++] = (struct rp_slice){a, b, pid, preempted};
	t->slices++;
}

static void add_mark(struct rp_timeline *t, uint32_t cpu, uint64_t ts, uint32_t pid, uint32_t other,
		     enum rp_mark_kind k)
{
	struct rp_cpu *c;

	if (ts < t->t0 || ts > t->t1)
		return;
	c = cpu_at(t, cpu);
	if (!c)
		return;
	if (c->nm == c->capm) {
		size_t cap = c->capm ? c->capm * 2 : 256;
		struct rp_mark *n = realloc(c->m, cap * sizeof(*n));

		if (!n) {
			t->oom = true;
			return;
		}
		c->m = n;
		c->capm = cap;
	}
	c->m[c->nm++] = (struct rp_mark){ts, pid, other, k};
	t->marks++;
}

static void remember(struct rp_timeline *t, struct rp_cpu *c, size_t off)
{
	if (!t->last_n)
		return;
	if (!c->last) {
		c->last = malloc(t->last_n * sizeof(*c->last));
		if (!c->last) {
			t->oom = true;
			return;
		}
	}
	c->last[(c->hlast + c->nlast) % t->last_n] = off;
	if (c->nlast < t->last_n)
		c->nlast++;
	else
		c->hlast = (c->hlast + 1) % t->last_n;
}

static void on_switch(struct rp_timeline *t, struct ptab *pt, const struct tl_event *ev)
{
	struct rp_cpu *c = cpu_at(t, ev->raw.cpu);
	uint64_t ts = ev->raw.ts;
	struct ptask *p;
	bool runnable = ev->sw.preempt || !(ev->sw.prev_state & 0xff);

	if (!c)
		return;
	if (c->seen && ts >= c->since)
		add_slice(t, c, c->since, ts, c->cur, ev->sw.preempt);
	if ((p = pget(pt, ev->sw.prev_pid))) {
		p->st = runnable ? 1 : 0;
		p->cpu = ev->raw.cpu;
		p->since = ts;
	}
	if ((p = pget(pt, ev->sw.next_pid))) {
		p->st = 2;
		p->cpu = ev->raw.cpu;
		p->since = ts;
	}
	c->seen = true;
	c->cur = ev->sw.next_pid;
	c->since = ts;
}

static void on_event(struct rp_timeline *t, struct ptab *pt, const struct tl_event *ev, size_t off,
		     uint64_t end)
{
	struct ptask *p;

	tl_comms_learn(&t->comms, ev);
	if (ev->raw.cpu == TL_CPU_NONE)
		return;
	if (ev->raw.ts <= end && ev->kind != TL_K_SCX_EXIT) {
		struct rp_cpu *c = cpu_at(t, ev->raw.cpu);

		if (c)
			remember(t, c, off);
	}
	switch (ev->kind) {
	case TL_K_SWITCH:
		if (ev->raw.ts <= end)
			on_switch(t, pt, ev);
		break;
	case TL_K_WAKEUP:
	case TL_K_WAKEUP_NEW:
		add_mark(t, ev->wake.target_cpu, ev->raw.ts, ev->wake.pid, 0, RP_MARK_WAKEUP);
		if (ev->raw.ts <= end && (p = pget(pt, ev->wake.pid)) && p->st == 0) {
			p->st = 1;
			p->cpu = ev->wake.target_cpu;
			p->since = ev->raw.ts;
		}
		break;
	case TL_K_MIGRATE:
		add_mark(t, ev->mig.dest_cpu, ev->raw.ts, ev->mig.pid, ev->mig.orig_cpu,
			 RP_MARK_MIGRATE);
		if (ev->raw.ts <= end && (p = pget(pt, ev->mig.pid)) && p->st == 1)
			p->cpu = ev->mig.dest_cpu;
		break;
	default:
		break;
	}
}

static int cmp_wait(const void *a, const void *b)
{
	const struct rp_waiter *x = a, *y = b;

	if (x->since != y->since)
		return x->since < y->since ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static void waiters(struct rp_timeline *t, struct ptab *pt)
{
	for (size_t i = 0; i < pt->cap; i++) {
		struct ptask *p = &pt->v[i];
		struct rp_cpu *c;
		struct rp_waiter *n;

		if (!p->pid || p->st != 1 || p->cpu >= t->ncpus)
			continue;
		c = &t->cpus[p->cpu];
		n = realloc(c->wait, (c->nwait + 1) * sizeof(*n));
		if (!n) {
			t->oom = true;
			return;
		}
		c->wait = n;
		c->wait[c->nwait++] = (struct rp_waiter){p->pid, p->since};
	}
	for (size_t i = 0; i < t->ncpus; i++)
		if (t->cpus[i].nwait > 1)
			qsort(t->cpus[i].wait, t->cpus[i].nwait, sizeof(struct rp_waiter),
			      cmp_wait);
}

/* First/last times and the exit record, before the window is known. */
static void scan_bounds(struct rp_timeline *t)
{
	struct tl_iter it;
	struct tl_event ev;

	tl_iter_init(&it, t->buf, t->len);
	while (tl_iter_next(&it, &ev)) {
		if (ev.raw.cpu == TL_CPU_NONE)
			continue;
		if (!t->first_ts || ev.raw.ts < t->first_ts)
			t->first_ts = ev.raw.ts;
		if (ev.raw.ts > t->last_ts)
			t->last_ts = ev.raw.ts;
		if (ev.kind == TL_K_SCX_EXIT && !t->exit_in_tl) {
			t->exit_in_tl = true;
			if (!t->exit_ts)
				t->exit_ts = ev.raw.ts;
		}
	}
}

int rp_timeline_build(struct rp_timeline *t, const void *buf, size_t len, uint64_t exit_ts,
		      uint64_t window_ns, unsigned last_n)
{
	struct tl_sorted s;
	struct tl_event ev;
	struct ptab pt = {0};
	uint64_t end;

	memset(t, 0, sizeof(*t));
	t->buf = buf;
	t->len = len;
	t->exit_ts = exit_ts;
	t->last_n = last_n;
	scan_bounds(t);
	end = t->exit_ts ? t->exit_ts : t->last_ts;
	t->t1 = end;
	t->t0 = end > window_ns ? end - window_ns : 0;
	if (t->t0 < t->first_ts)
		t->t0 = t->first_ts;
	if (t->t1 <= t->t0)
		t->t1 = t->t0 + 1;
	if (tl_sorted_init(&s, buf, len))
		return -1;
	while (tl_sorted_next(&s, &ev) && !t->oom) {
		t->events++;
		on_event(t, &pt, &ev, s.off, end);
	}
	tl_sorted_free(&s);
	/* what still runs at the exit: its slice up to the end of the window */
	for (size_t i = 0; i < t->ncpus; i++)
		if (t->cpus[i].seen && t->cpus[i].since < t->t1)
			add_slice(t, &t->cpus[i], t->cpus[i].since, t->t1, t->cpus[i].cur, false);
	waiters(t, &pt);
	free(pt.v);
	return t->oom ? -1 : 0;
}

void rp_timeline_free(struct rp_timeline *t)
{
	for (size_t i = 0; i < t->ncpus; i++) {
		free(t->cpus[i].s);
		free(t->cpus[i].m);
		free(t->cpus[i].last);
		free(t->cpus[i].wait);
	}
	free(t->cpus);
	tl_comms_free(&t->comms);
	memset(t, 0, sizeof(*t));
}

const char *rp_comm(const struct rp_timeline *t, uint32_t pid)
{
	const struct tl_comm_ent *e;

	if (!pid)
		return "idle";
	e = tl_comms_get(&t->comms, pid);
	return e && e->comm[0] ? e->comm : "?";
}

static void ms_rel(struct kt_buf *b, uint64_t ts, uint64_t ref)
{
	char s[40];

	snprintf(s, sizeof(s), "%c%.3f ms", ts <= ref ? '-' : '+',
		 (double)(ts <= ref ? ref - ts : ts - ref) / 1e6);
	kt_buf_printf(b, "%12s", s);
}

void rp_timeline_text(struct kt_buf *out, const struct rp_timeline *t)
{
	uint64_t ref = t->exit_ts ? t->exit_ts : t->last_ts;
	char *line = NULL;
	size_t cap = 0;
	FILE *mf;

	kt_buf_printf(out, "%" PRIu64 " events; %s at %" PRIu64 ".%09" PRIu64 " s\n", t->events,
		      t->exit_ts ? (t->exit_in_tl ? "the exit (sched_ext exit record)"
						  : "the exit (manifest)")
				 : "no exit known: the last event",
		      ref / 1000000000, ref % 1000000000);
	for (size_t i = 0; i < t->ncpus; i++) {
		const struct rp_cpu *c = &t->cpus[i];

		if (!c->used)
			continue;
		kt_buf_printf(out, "\ncpu %u:", c->cpu);
		if (c->seen)
			kt_buf_printf(out, " running %s[%u] for %.3f ms", rp_comm(t, c->cur),
				      c->cur, (double)(ref > c->since ? ref - c->since : 0) / 1e6);
		else
			kt_buf_puts(out, " running unknown (no switch seen)");
		kt_buf_putc(out, '\n');
		for (size_t k = 0; k < c->nwait; k++)
			kt_buf_printf(out, "  runnable %s[%u], waiting %.3f ms\n",
				      rp_comm(t, c->wait[k].pid), c->wait[k].pid,
				      (double)(ref - c->wait[k].since) / 1e6);
		if (c->nlast)
			kt_buf_printf(out, "  last %zu event%s:\n", c->nlast,
				      c->nlast == 1 ? "" : "s");
		for (size_t k = 0; k < c->nlast; k++) {
			size_t off = c->last[(c->hlast + k) % t->last_n];
			struct tl_iter it;
			struct tl_event ev;

			tl_iter_init(&it, t->buf + off, t->len - off);
			if (!tl_iter_next(&it, &ev))
				continue;
			mf = open_memstream(&line, &cap);
			if (!mf)
				continue;
			tl_event_text(mf, &ev, &t->comms);
			fclose(mf);
			kt_buf_puts(out, "  ");
			ms_rel(out, ev.raw.ts, ref);
			kt_buf_puts(out, "  ");
			kt_buf_puts(out, line);
			free(line);
			line = NULL;
		}
	}
}
