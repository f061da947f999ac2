// SPDX-License-Identifier: MIT
/*
 * The timeline report: perf sched timehist / latency figures from parsed
 * events, in time order.
 *
 *	run time     switch-in to switch-out on one CPU
 *	wait time    switch-out to the next switch-in (perf timehist's
 *	             "wait time": sleep and queueing)
 *	sched delay  runnable to running: from the wakeup, or from a switch-out
 *	             that left the task runnable (preempted), to the switch-in
 *	             (perf's "sch delay")
 *
 * Per CPU: busy time (a task other than the idle task, pid 0, on it), idle
 * time, switches and preemptions, counted from the CPU's first switch (what
 * ran before it is unknown).  Filters: --cpus keeps switches on those CPUs
 * (and their samples); --pid keeps the rows of that tid or tgid; --time
 * keeps samples that end inside the window and clips CPU time to it.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "kallsyms.h"
#include "timeline.h"

#define MAX_CPUS 8192
#define MAX_EXITS 4
#define NO_TASK UINT32_MAX
/* the per-event path, inlined whatever -Os thinks of its size */
#define HOT static inline __attribute__((always_inline))

/*
 * Samples (run, wait, delay times) in blocks from one arena: appending
 * never moves what is stored (growing vectors by realloc was half of the
 * report's time, copies and page faults); a task's blocks grow from 16 to
 * BLK_MAX samples, so thousands of short-lived tasks stay small.  Samples
 * are 32-bit (4.29 s), the rare longer ones kept apart in BIG: half the
 * memory to fault in and clear.  They are gathered once, at the end, to
 * be sorted.
 */
#define BLK_MIN 16
#define BLK_MAX 4096
#define ARENA_CHUNK ((size_t)4 << 20)

struct blk {
	struct blk *next;
	uint32_t n, cap;
	uint32_t v[];
};

struct vec {
	struct blk *head, *tail;
	size_t n; /* samples, BIG ones included */
	uint64_t *big;
	size_t nbig, capbig;
};

struct arena {
	struct arena_chunk {
		struct arena_chunk *next;
		size_t used, cap;
		_Alignas(8) unsigned char mem[];
	} * chunks;
};

struct task {
	uint32_t pid;
	bool running, has_out, waiting;
	uint64_t run_start; /* switch-in ts (running) */
	uint32_t run_cpu;
	uint64_t last_out; /* last switch-out ts (has_out) */
	uint64_t ready;	   /* became runnable at (waiting) */
	struct vec run, wait, delay;
	struct tl_task_stats st;
};

struct cpu {
	bool seen; /* a switch was seen: cur is known */
	uint32_t cur;
	uint32_t cur_task; /* index of cur's task, NO_TASK when unknown */
	uint64_t since;
	struct tl_cpu_stats st;
	size_t *last; /* ring of the last offsets: power-of-two entries, at least last_per_cpu */
	size_t nseen; /* offsets ever put in it */
};

struct lat {
	uint64_t delay, ts;
	uint32_t pid, cpu;
};

struct scx_exit_snap {
	struct tl_event ev;
	char reason[TL_TEXT_MAX + 1];
	size_t ncpu;
	uint32_t *cpu_of; /* per entry: the CPU */
	size_t **offs;	  /* per entry: offsets, oldest first */
	size_t *noffs;
};

struct tl_report {
	struct tl_report_opts o;
	const unsigned char *buf;
	size_t len;
	/* pid -> task index: open addressing over compact slots, pre-sized;
	 * the tasks themselves in a dense array (indexes are stable) */
	struct tslot {
		uint32_t pid, idx;
	} * slots;
	size_t scap;
	struct task *tasks;
	size_t tn, tcap;
	struct arena arena;
	struct cpu *cpus;
	size_t ncpus; /* highest CPU + 1 */
	struct tl_comms comms;
	uint64_t kinds[TL_K_NR];
	uint64_t events, first_ts, last_ts, migrations, out_of_order;
	struct lat *top;
	size_t ntop, top_min; /* top_min: index of the smallest when full */
	size_t last_mask;     /* entries of each CPU's ring of last offsets - 1 */
	struct scx_exit_snap exits[MAX_EXITS];
	size_t nexits;
	/* results */
	struct tl_task_stats **rows;
	size_t nrows;
	struct tl_cpu_stats *cpurows;
	size_t ncpurows;
	bool oom;
};

static void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->chunks;

	n = (n + 7) & ~(size_t)7;
	if (!c || c->cap - c->used < n) {
		size_t map;

		map = sizeof(*c) + n;
		c = tl_bigmem(map > ARENA_CHUNK ? map : ARENA_CHUNK, &map);
		if (!c)
			return NULL;
		c->next = a->chunks;
		c->used = 0;
		c->cap = map - sizeof(*c);
		a->chunks = c;
	}
	c->used += n;
	return c->mem + c->used - n;
}

static void arena_free(struct arena *a)
{
	while (a->chunks) {
		struct arena_chunk *c = a->chunks;

		a->chunks = c->next;
		tl_bigmem_free(c, c->cap + sizeof(*c));
	}
}

static __attribute__((noinline)) void vgrow(struct tl_report *r, struct vec *v)
{
	uint32_t cap = v->n < BLK_MIN ? BLK_MIN : v->n > BLK_MAX ? BLK_MAX : (uint32_t)v->n;
	struct blk *b = arena_alloc(&r->arena, sizeof(*b) + cap * sizeof(uint32_t));

	if (!b) {
		r->oom = true;
		return;
	}
	b->next = NULL;
	b->n = 0;
	b->cap = cap;
	if (v->tail)
		v->tail->next = b;
	else
		v->head = b;
	v->tail = b;
}

static __attribute__((noinline)) void vpush_big(struct tl_report *r, struct vec *v, uint64_t x)
{
	if (v->nbig == v->capbig) {
		size_t cap = v->capbig ? v->capbig * 2 : 16;
		uint64_t *p = realloc(v->big, cap * sizeof(*p));

		if (!p) {
			r->oom = true;
			return;
		}
		v->big = p;
		v->capbig = cap;
	}
	v->big[v->nbig++] = x;
	v->n++;
}

HOT void vpush(struct tl_report *r, struct vec *v, uint64_t x)
{
	if (__builtin_expect(x > UINT32_MAX, 0)) {
		vpush_big(r, v, x);
		return;
	}
	if (__builtin_expect(!v->tail || v->tail->n == v->tail->cap, 0)) {
		vgrow(r, v);
		if (r->oom)
			return;
	}
	v->tail->v[v->tail->n++] = (uint32_t)x;
	v->n++;
}

HOT size_t tslot(const struct tl_report *r, uint32_t pid)
{
	return (size_t)(pid * 2654435761u) & (r->scap - 1);
}

static int tgrow(struct tl_report *r)
{
	size_t cap = r->scap ? r->scap * 2 : 4096;
	struct tslot *n = calloc(cap, sizeof(*n));
	struct tslot *old = r->slots;
	size_t ocap = r->scap;

	if (!n)
		return -1;
	r->slots = n;
	r->scap = cap;
	for (size_t i = 0; i < ocap; i++) {
		size_t j;

		if (!old[i].pid)
			continue;
		for (j = tslot(r, old[i].pid); n[j].pid; j = (j + 1) & (cap - 1))
			;
		n[j] = old[i];
	}
	free(old);
	return 0;
}

static __attribute__((noinline)) uint32_t task_new(struct tl_report *r, uint32_t pid)
{
	size_t j;

	if ((r->tn + 1) * 2 > r->scap && tgrow(r))
		goto oom;
	if (r->tn == r->tcap) {
		size_t cap = r->tcap ? r->tcap * 2 : 1024;
		struct task *t = realloc(r->tasks, cap * sizeof(*t));

		if (!t)
			goto oom;
		r->tasks = t;
		r->tcap = cap;
	}
	for (j = tslot(r, pid); r->slots[j].pid; j = (j + 1) & (r->scap - 1))
		;
	r->slots[j].pid = pid;
	r->slots[j].idx = (uint32_t)r->tn;
	memset(&r->tasks[r->tn], 0, sizeof(r->tasks[0]));
	r->tasks[r->tn].pid = pid;
	r->tasks[r->tn].st.pid = pid;
	return (uint32_t)r->tn++;
oom:
	r->oom = true;
	return NO_TASK;
}

/* PID's task index (added when new); NO_TASK for pid 0 or on ENOMEM. */
HOT uint32_t task_idx(struct tl_report *r, uint32_t pid)
{
	if (!pid)
		return NO_TASK;
	if (r->scap)
		for (size_t j = tslot(r, pid); r->slots[j].pid; j = (j + 1) & (r->scap - 1))
			if (r->slots[j].pid == pid)
				return r->slots[j].idx;
	return task_new(r, pid);
}

HOT struct task *task_at(struct tl_report *r, uint32_t i)
{
	return i == NO_TASK ? NULL : &r->tasks[i];
}

HOT struct task *task_get(struct tl_report *r, uint32_t pid)
{
	return task_at(r, task_idx(r, pid));
}

static __attribute__((noinline)) struct cpu *cpu_add(struct tl_report *r, uint32_t cpu)
{
	size_t n = cpu + 1;
	struct cpu *p;

	if (cpu >= MAX_CPUS)
		return NULL;
	p = realloc(r->cpus, n * sizeof(*p));
	if (!p) {
		r->oom = true;
		return NULL;
	}
	memset(p + r->ncpus, 0, (n - r->ncpus) * sizeof(*p));
	for (size_t i = r->ncpus; i < n; i++) {
		p[i].st.cpu = (uint32_t)i;
		p[i].cur_task = NO_TASK;
	}
	r->cpus = p;
	r->ncpus = n;
	return &r->cpus[cpu];
}

HOT struct cpu *cpu_get(struct tl_report *r, uint32_t cpu)
{
	return cpu < r->ncpus ? &r->cpus[cpu] : cpu_add(r, cpu);
}

HOT bool cpu_in(const struct tl_filter *f, uint32_t cpu)
{
	if (!f->cpus)
		return true;
	if (cpu / 64 >= f->cpus_words)
		return false;
	return f->cpus[cpu / 64] >> (cpu % 64) & 1;
}

HOT bool in_window(const struct tl_filter *f, uint64_t ts)
{
	return ts >= f->t0 && (!f->t1 || ts < f->t1);
}

/* Length of [a, b) inside the window. */
HOT uint64_t clip(const struct tl_filter *f, uint64_t a, uint64_t b)
{
	if (a < f->t0)
		a = f->t0;
	if (f->t1 && b > f->t1)
		b = f->t1;
	return b > a ? b - a : 0;
}

/* The first smallest of the full table (what a new delay would replace). */
static void top_rescan(struct tl_report *r)
{
	size_t min = 0;

	for (size_t i = 1; i < r->ntop; i++)
		if (r->top[i].delay < r->top[min].delay)
			min = i;
	r->top_min = min;
}

HOT void top_add(struct tl_report *r, uint64_t delay, uint64_t ts, uint32_t pid, uint32_t cpu)
{
	if (!r->o.top)
		return;
	if (r->ntop < r->o.top) {
		r->top[r->ntop++] = (struct lat){delay, ts, pid, cpu};
		if (r->ntop == r->o.top)
			top_rescan(r);
		return;
	}
	if (delay > r->top[r->top_min].delay) {
		r->top[r->top_min] = (struct lat){delay, ts, pid, cpu};
		top_rescan(r);
	}
}

/* Index of tl_state_str(S, PREEMPT) in RSDTtXZPI, R+ at 9 ("?": 0). */
HOT unsigned state_index(uint64_t s, bool preempt)
{
	unsigned i;

	if (preempt)
		return 9;
	if ((s & 0x402) == 0x402)
		return 8;
	if (s & 0x1000)
		return 2;
	s &= 0xff;
	if (!s)
		return 0;
	i = 64 - (unsigned)__builtin_clzll(s);
	return i < 9 ? i : 0;
}

/* A switch on C, a CPU the filter keeps. */
HOT void on_switch(struct tl_report *r, const struct tl_event *ev, struct cpu *c)
{
	const struct tl_filter *f = &r->o.f;
	uint64_t ts = ev->raw.ts;
	struct task *p, *n;
	uint32_t ni;
	bool win = in_window(f, ts);

	if (c->seen && ts >= c->since) {
		if (c->cur)
			c->st.busy_ns += clip(f, c->since, ts);
		else
			c->st.idle_ns += clip(f, c->since, ts);
	}
	if (win) {
		c->st.switches++;
		if (ev->sw.preempt)
			c->st.preemptions++;
	}
	/* prev is nearly always who this CPU ran: no lookup */
	if (c->cur_task != NO_TASK && c->cur == ev->sw.prev_pid)
		p = &r->tasks[c->cur_task];
	else
		p = task_get(r, ev->sw.prev_pid);
	if (p) {
		bool runnable = ev->sw.preempt || !(ev->sw.prev_state & 0xff);

		if (p->running && p->run_cpu == ev->raw.cpu && ts >= p->run_start && win)
			vpush(r, &p->run, ts - p->run_start);
		p->running = false;
		p->has_out = true;
		p->last_out = ts;
		p->waiting = runnable;
		p->ready = ts;
		if (win) {
			p->st.switches++;
			p->st.states[state_index(ev->sw.prev_state, ev->sw.preempt)]++;
			if (runnable)
				p->st.preempted++;
		}
	}
	ni = task_idx(r, ev->sw.next_pid);
	n = task_at(r, ni);
	if (n) {
		if (n->has_out && ts >= n->last_out && win)
			vpush(r, &n->wait, ts - n->last_out);
		if (n->waiting && ts >= n->ready && win) {
			vpush(r, &n->delay, ts - n->ready);
			top_add(r, ts - n->ready, ts, n->pid, ev->raw.cpu);
		}
		n->waiting = false;
		n->running = true;
		n->run_start = ts;
		n->run_cpu = ev->raw.cpu;
	}
	c->seen = true;
	c->cur = ev->sw.next_pid;
	c->cur_task = ni;
	c->since = ts;
}

HOT void on_wakeup(struct tl_report *r, const struct tl_event *ev)
{
	struct task *t = task_get(r, ev->wake.pid);

	/* the first wakeup since it slept counts (a second changes nothing) */
	if (t && !t->running && !t->waiting) {
		t->waiting = true;
		t->ready = ev->raw.ts;
	}
}

/* How many of the last offsets C holds. */
static size_t last_n(const struct tl_report *r, const struct cpu *c)
{
	return c->nseen < r->o.last_per_cpu ? c->nseen : r->o.last_per_cpu;
}

static __attribute__((noinline)) void last_alloc(struct tl_report *r, struct cpu *c)
{
	c->last = malloc((r->last_mask + 1) * sizeof(*c->last));
	if (!c->last)
		r->oom = true;
}

HOT void remember(struct tl_report *r, struct cpu *c, size_t off)
{
	if (__builtin_expect(!c->last, 0)) {
		last_alloc(r, c);
		if (!c->last)
			return;
	}
	c->last[c->nseen++ & r->last_mask] = off;
}

static void snap_exit(struct tl_report *r, const struct tl_event *ev)
{
	struct scx_exit_snap *x;

	if (r->nexits == MAX_EXITS)
		return;
	x = &r->exits[r->nexits++];
	x->ev = *ev;
	if (ev->text) {
		memcpy(x->reason, ev->text, ev->text_len);
		x->reason[ev->text_len] = '\0';
		x->ev.text = x->reason;
	}
	x->cpu_of = calloc(r->ncpus + 1, sizeof(*x->cpu_of));
	x->offs = calloc(r->ncpus + 1, sizeof(*x->offs));
	x->noffs = calloc(r->ncpus + 1, sizeof(*x->noffs));
	if (!x->cpu_of || !x->offs || !x->noffs) {
		r->oom = true;
		return;
	}
	for (size_t i = 0; i < r->ncpus; i++) {
		struct cpu *c = &r->cpus[i];
		size_t k;

		size_t nl = last_n(r, c);

		if (!nl)
			continue;
		x->offs[x->ncpu] = malloc(nl * sizeof(size_t));
		if (!x->offs[x->ncpu]) {
			r->oom = true;
			return;
		}
		for (k = 0; k < nl; k++)
			x->offs[x->ncpu][k] = c->last[(c->nseen - nl + k) & r->last_mask];
		x->noffs[x->ncpu] = nl;
		x->cpu_of[x->ncpu++] = (uint32_t)i;
	}
}

HOT void account(struct tl_report *r, const struct tl_event *ev, size_t off)
{
	uint64_t ts = ev->raw.ts;
	/* the event's CPU (NULL: none, or past MAX_CPUS), and whether the
	 * filter keeps it */
	struct cpu *c = ev->raw.cpu != TL_CPU_NONE ? cpu_get(r, ev->raw.cpu) : NULL;
	bool kept = c && cpu_in(&r->o.f, ev->raw.cpu);

	r->events++;
	r->kinds[ev->kind]++;
	if (!r->first_ts || ts < r->first_ts)
		r->first_ts = ts;
	if (ts > r->last_ts)
		r->last_ts = ts;
	if (kept) {
		if (!c->st.events++)
			c->st.first_ts = ts;
		c->st.last_ts = ts;
	}
	switch (ev->kind) {
	case TL_K_SWITCH:
		if (kept)
			on_switch(r, ev, c);
		break;
	case TL_K_WAKEUP:
	case TL_K_WAKEUP_NEW:
		on_wakeup(r, ev);
		break;
	case TL_K_MIGRATE:
		if (in_window(&r->o.f, ts)) {
			struct task *t = task_get(r, ev->mig.pid);

			r->migrations++;
			if (t)
				t->st.migrations++;
		}
		break;
	case TL_K_SCX_EXIT:
		snap_exit(r, ev);
		break;
	case TL_K_COMM:
	case TL_K_FORK:
		tl_comms_learn(&r->comms, ev);
		break;
	default:
		break;
	}
	if (ev->kind != TL_K_SCX_EXIT && c && r->o.last_per_cpu)
		remember(r, c, off);
}

/*
 * Sort samples: the 32-bit ones (nearly all) by an LSD radix sort of 11-bit
 * digits whose counts are taken while the blocks are gathered (one read of
 * the samples for all digits), a digit every sample shares skipped (delays
 * in ns mostly fit in 22 bits: two scatter passes); shell sort for small
 * sets.  The BIG ones are all above every 32-bit one: sorted apart, they
 * follow.  musl's qsort (smoothsort behind a comparison call) was a third
 * of the report's time, sorting the samples as u64 most of the rest.
 */
#define RADIX_BITS 11
#define RADIX_CNT (1u << RADIX_BITS)
#define RADIX_DIGITS 3 /* 33 bits cover 32 */
#define RADIX_MIN 256  /* below: shell sort (clearing the counts would cost more) */

/* In place, for small sets (Ciura's gaps). */
#define SHELL_SORT(name, type)                                                  \
	static void name(type *v, size_t n)                                     \
	{                                                                       \
		static const size_t gaps[] = {701, 301, 132, 57, 23, 10, 4, 1}; \
                                                                                \
		for (size_t g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {   \
			size_t gap = gaps[g];                                   \
                                                                                \
			for (size_t i = gap; i < n; i++) {                      \
				type x = v[i];                                  \
				size_t k = i;                                   \
                                                                                \
				for (; k >= gap && v[k - gap] > x; k -= gap)    \
					v[k] = v[k - gap];                      \
				v[k] = x;                                       \
			}                                                       \
		}                                                               \
	}
SHELL_SORT(shell_sort32, uint32_t)
SHELL_SORT(shell_sort64, uint64_t)

/* A vector's samples, sorted: LO (32-bit) then HI (the big ones). */
struct sorted {
	const uint32_t *lo;
	const uint64_t *hi;
	size_t nlo, nhi;
};

static inline uint64_t sorted_at(const struct sorted *v, size_t i)
{
	return i < v->nlo ? v->lo[i] : v->hi[i - v->nlo];
}

/* V's samples gathered into A and sorted (in A or B, both V->n long; CNT:
 * RADIX_DIGITS * RADIX_CNT counters); the big ones sorted in place. */
static void vsort(const struct vec *v, uint32_t *a, uint32_t *b, uint32_t *cnt, struct sorted *out)
{
	size_t n = v->n - v->nbig, k = 0;
	uint32_t *src = a, *dst = b;

	out->nlo = n;
	out->hi = v->big;
	out->nhi = v->nbig;
	shell_sort64(v->big, v->nbig);
	if (n < RADIX_MIN) {
		for (const struct blk *bl = v->head; bl; bl = bl->next)
			for (uint32_t i = 0; i < bl->n; i++)
				a[k++] = bl->v[i];
		shell_sort32(a, n);
		out->lo = a;
		return;
	}
	memset(cnt, 0, RADIX_DIGITS * RADIX_CNT * sizeof(*cnt));
	for (const struct blk *bl = v->head; bl; bl = bl->next)
		for (uint32_t i = 0; i < bl->n; i++) {
			uint32_t x = bl->v[i];

			a[k++] = x;
			cnt[x & (RADIX_CNT - 1)]++;
			cnt[RADIX_CNT + (x >> RADIX_BITS & (RADIX_CNT - 1))]++;
			cnt[2 * RADIX_CNT + (x >> 2 * RADIX_BITS)]++;
		}
	for (unsigned d = 0; d < RADIX_DIGITS; d++) {
		uint32_t *c = cnt + d * RADIX_CNT, sum = 0;
		unsigned shift = d * RADIX_BITS;

		if (c[src[0] >> shift & (RADIX_CNT - 1)] == n)
			continue; /* every sample has this digit */
		for (size_t i = 0; i < RADIX_CNT; i++) {
			uint32_t x = c[i];

			c[i] = sum;
			sum += x;
		}
		for (size_t i = 0; i < n; i++)
			dst[c[src[i] >> shift & (RADIX_CNT - 1)]++] = src[i];
		c = src; /* the pass's output is the next one's input */
		src = dst;
		dst = c;
	}
	out->lo = src;
}

/* Nearest rank: the smallest value with at least P% of samples at or below. */
static uint64_t pct(const struct sorted *v, size_t n, unsigned p)
{
	size_t k = (n * p + 99) / 100;

	return sorted_at(v, k ? k - 1 : 0);
}

/* V's figures; its samples sorted in A or B (both at least V->n long). */
static void stat_of(const struct vec *v, struct tl_stat *s, uint32_t *a, uint32_t *b, uint32_t *cnt)
{
	double sq = 0, mean;
	size_t n = v->n;
	struct sorted o;

	memset(s, 0, sizeof(*s));
	if (!n)
		return;
	vsort(v, a, b, cnt, &o);
	s->count = n;
	for (size_t i = 0; i < o.nlo; i++)
		s->sum += o.lo[i];
	for (size_t i = 0; i < o.nhi; i++)
		s->sum += o.hi[i];
	mean = (double)s->sum / (double)n;
	/* in ascending order, as the sum always was (the last bits of a
	 * double depend on it) */
	for (size_t i = 0; i < o.nlo; i++)
		sq += ((double)o.lo[i] - mean) * ((double)o.lo[i] - mean);
	for (size_t i = 0; i < o.nhi; i++)
		sq += ((double)o.hi[i] - mean) * ((double)o.hi[i] - mean);
	s->avg = mean;
	s->stddev = sqrt(sq / (double)n);
	s->max = sorted_at(&o, n - 1);
	s->p50 = pct(&o, n, 50);
	s->p90 = pct(&o, n, 90);
	s->p99 = pct(&o, n, 99);
}

static bool pid_match(const struct tl_report *r, const struct tl_task_stats *t)
{
	return !r->o.f.pid || t->pid == r->o.f.pid || t->tgid == r->o.f.pid;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct tl_task_stats *x = *(struct tl_task_stats *const *)a;
	const struct tl_task_stats *y = *(struct tl_task_stats *const *)b;

	if (x->run.sum != y->run.sum)
		return x->run.sum > y->run.sum ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static int cmp_lat(const void *a, const void *b)
{
	const struct lat *x = a, *y = b;

	if (x->delay != y->delay)
		return x->delay > y->delay ? -1 : 1;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static void finish(struct tl_report *r)
{
	size_t k = 0, most = 1;
	uint32_t *a = NULL, *b = NULL, *cnt = NULL;

	/* one pair of sort buffers for every vector: the largest one's size */
	for (size_t i = 0; i < r->tn; i++) {
		const struct task *t = &r->tasks[i];

		most = t->run.n > most ? t->run.n : most;
		most = t->wait.n > most ? t->wait.n : most;
		most = t->delay.n > most ? t->delay.n : most;
	}
	r->rows = calloc(r->tn + 1, sizeof(*r->rows));
	r->cpurows = calloc(r->ncpus + 1, sizeof(*r->cpurows));
	a = malloc(most * sizeof(*a));
	b = malloc(most * sizeof(*b));
	cnt = malloc(RADIX_DIGITS * RADIX_CNT * sizeof(*cnt));
	if (!r->rows || !r->cpurows || !a || !b || !cnt) {
		r->oom = true;
		goto out;
	}
	for (size_t i = 0; i < r->tn; i++) {
		struct task *t = &r->tasks[i];
		const struct tl_comm_ent *e;

		e = tl_comms_get(&r->comms, t->pid);
		t->st.tgid = e ? e->tgid : 0;
		t->st.comm = e ? e->comm : "";
		stat_of(&t->run, &t->st.run, a, b, cnt);
		stat_of(&t->wait, &t->st.wait, a, b, cnt);
		stat_of(&t->delay, &t->st.delay, a, b, cnt);
		if (pid_match(r, &t->st) &&
		    (t->st.switches || t->st.run.count || t->st.delay.count || t->st.migrations))
			r->rows[k++] = &t->st;
	}
	r->nrows = k;
	qsort(r->rows, k, sizeof(*r->rows), cmp_rows);
	for (size_t i = 0; i < r->ncpus; i++)
		if (r->cpus[i].st.events || r->cpus[i].seen)
			r->cpurows[r->ncpurows++] = r->cpus[i].st;
	qsort(r->top, r->ntop, sizeof(*r->top), cmp_lat);
out:
	free(a);
	free(b);
	free(cnt);
}

struct tl_report *tl_report_build(const void *buf, size_t len, const struct tl_report_opts *o)
{
	struct tl_report *r = calloc(1, sizeof(*r));
	struct tl_sorted s;
	struct tl_event ev;

	if (!r)
		return NULL;
	r->o = *o;
	while (r->last_mask + 1 < o->last_per_cpu)
		r->last_mask = r->last_mask * 2 + 1;
	r->buf = buf;
	r->len = len;
	r->top = calloc(o->top + 1, sizeof(*r->top));
	if (!r->top || tl_sorted_init(&s, buf, len)) {
		tl_report_free(r);
		return NULL;
	}
	while (tl_sorted_next(&s, &ev) && !r->oom) {
		/* the record's offset, for the last events before an exit */
		size_t off = s.off;

		account(r, &ev, off);
	}
	r->out_of_order = s.out_of_order;
	tl_sorted_free(&s);
	if (!r->oom)
		finish(r);
	if (r->oom) {
		tl_report_free(r);
		return NULL;
	}
	return r;
}

void tl_report_free(struct tl_report *r)
{
	if (!r)
		return;
	arena_free(&r->arena);
	for (size_t i = 0; i < r->tn; i++) {
		free(r->tasks[i].run.big);
		free(r->tasks[i].wait.big);
		free(r->tasks[i].delay.big);
	}
	for (size_t i = 0; i < r->ncpus; i++)
		free(r->cpus[i].last);
	for (size_t i = 0; i < r->nexits; i++) {
		for (size_t k = 0; r->exits[i].offs && k < r->exits[i].ncpu; k++)
			free(r->exits[i].offs[k]);
		free(r->exits[i].offs);
		free(r->exits[i].noffs);
		free(r->exits[i].cpu_of);
	}
	free(r->slots);
	free(r->tasks);
	free(r->cpus);
	free(r->top);
	free(r->rows);
	free(r->cpurows);
	tl_comms_free(&r->comms);
	free(r);
}

size_t tl_report_ntasks(const struct tl_report *r)
{
	return r->nrows;
}
const struct tl_task_stats *tl_report_task(const struct tl_report *r, size_t i)
{
	return i < r->nrows ? r->rows[i] : NULL;
}

const struct tl_task_stats *tl_report_find(const struct tl_report *r, uint32_t pid)
{
	for (size_t i = 0; i < r->nrows; i++)
		if (r->rows[i]->pid == pid)
			return r->rows[i];
	return NULL;
}

size_t tl_report_ncpus(const struct tl_report *r)
{
	return r->ncpurows;
}
const struct tl_cpu_stats *tl_report_cpu(const struct tl_report *r, size_t i)
{
	return i < r->ncpurows ? &r->cpurows[i] : NULL;
}

uint64_t tl_report_out_of_order(const struct tl_report *r)
{
	return r->out_of_order;
}

/* ---- output -------------------------------------------------------------------- */

static const char *const state_names[10] = {"R", "S", "D", "T", "t", "X", "Z", "P", "I", "R+"};

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static void text_event_at(FILE *fp, const struct tl_report *r, size_t off)
{
	struct tl_iter it;
	struct tl_event ev;

	tl_iter_init(&it, r->buf + off, r->len - off);
	if (!tl_iter_next(&it, &ev))
		return;
	fputs("    ", fp);
	tl_event_text(fp, &ev, &r->comms);
}

static void lock_sym(FILE *fp, const struct tl_report *r, uint64_t addr)
{
	char b[256];

	if (r->o.ksyms && kt_ksyms_format(r->o.ksyms, addr, b, sizeof(b)) > 0)
		fprintf(fp, " (%s)", b);
}

void tl_report_text(FILE *fp, const struct tl_report *r)
{
	uint64_t span = r->last_ts > r->first_ts ? r->last_ts - r->first_ts : 0;

	fprintf(fp, "events: %" PRIu64 " over %.3f ms", r->events, ms(span));
	for (int k = 0; k < TL_K_NR; k++)
		if (r->kinds[k])
			fprintf(fp, "%s %s %" PRIu64, k ? "," : ";", tl_kind_name(k), r->kinds[k]);
	fputc('\n', fp);
	if (r->out_of_order)
		fprintf(fp, "out of order: %" PRIu64 " events older than one already seen\n",
			r->out_of_order);
	fprintf(fp, "migrations: %" PRIu64 "\n\n", r->migrations);

	fprintf(fp, " %-16s %8s | %10s %8s | %8s %8s %8s %8s %8s %8s | %9s | %s\n", "task", "pid",
		"run ms", "switches", "delay n", "avg ms", "p50 ms", "p99 ms", "max ms", "sd ms",
		"wait avg", "states");
	for (size_t i = 0; i < r->nrows; i++) {
		const struct tl_task_stats *t = r->rows[i];

		fprintf(fp,
			" %-16s %8u | %10.3f %8" PRIu64 " | %8" PRIu64
			" %8.3f %8.3f %8.3f %8.3f %8.3f | %9.3f |",
			t->comm[0] ? t->comm : "?", t->pid, ms(t->run.sum), t->switches,
			t->delay.count, t->delay.avg / 1e6, ms(t->delay.p50), ms(t->delay.p99),
			ms(t->delay.max), t->delay.stddev / 1e6, t->wait.avg / 1e6);
		for (int s = 0; s < 10; s++)
			if (t->states[s])
				fprintf(fp, " %s:%" PRIu64, state_names[s], t->states[s]);
		if (t->migrations)
			fprintf(fp, " migr:%" PRIu64, t->migrations);
		fputc('\n', fp);
	}
	fprintf(fp, "\n %5s %12s %12s %8s %8s %10s\n", "cpu", "busy ms", "idle ms", "switches",
		"preempt", "events");
	for (size_t i = 0; i < r->ncpurows; i++) {
		const struct tl_cpu_stats *c = &r->cpurows[i];

		fprintf(fp, " %5u %12.3f %12.3f %8" PRIu64 " %8" PRIu64 " %10" PRIu64 "\n", c->cpu,
			ms(c->busy_ns), ms(c->idle_ns), c->switches, c->preemptions, c->events);
	}
	if (r->ntop) {
		fprintf(fp, "\ntop scheduling delays:\n");
		for (size_t i = 0; i < r->ntop; i++) {
			const struct tl_comm_ent *e = tl_comms_get(&r->comms, r->top[i].pid);

			if (r->o.f.pid && r->top[i].pid != r->o.f.pid &&
			    (!e || e->tgid != r->o.f.pid))
				continue;
			fprintf(fp, "  %10.3f ms  %s[%u] on cpu %u at %" PRIu64 ".%09" PRIu64 "\n",
				ms(r->top[i].delay), e && e->comm[0] ? e->comm : "?", r->top[i].pid,
				r->top[i].cpu, r->top[i].ts / 1000000000,
				r->top[i].ts % 1000000000);
		}
	}
	for (size_t i = 0; i < r->nexits; i++) {
		const struct scx_exit_snap *x = &r->exits[i];
		char kind[32] = "kind unknown";

		if (x->ev.scx_exit.exit_kind)
			snprintf(kind, sizeof(kind), "kind %" PRIu64, x->ev.scx_exit.exit_kind);
		fprintf(fp, "\nsched_ext exit at %" PRIu64 ".%09" PRIu64 " (%s)%s%s\n",
			x->ev.raw.ts / 1000000000, x->ev.raw.ts % 1000000000, kind,
			x->ev.text ? ": " : "", x->ev.text ? x->ev.text : "");
		for (size_t k = 0; k < x->ncpu; k++) {
			fprintf(fp, "  cpu %u, last %zu events:\n", x->cpu_of[k], x->noffs[k]);
			for (size_t j = 0; j < x->noffs[k]; j++) {
				struct tl_event ev;

				text_event_at(fp, r, x->offs[k][j]);
				if (!parse_record(r->buf + x->offs[k][j], TL_RECORD_SIZE, &ev) &&
				    ev.kind == TL_K_LOCK_CONTEND)
					lock_sym(fp, r, ev.lock.lock_kva);
			}
		}
	}
}

static void json_stat(struct jw *w, const char *key, const struct tl_stat *s)
{
	jw_key(w, key);
	jw_obj_open(w);
	jw_ku64(w, "count", s->count);
	if (s->count) {
		jw_ku64(w, "sum_ns", s->sum);
		jw_kdouble(w, "avg_ns", s->avg);
		jw_ku64(w, "p50_ns", s->p50);
		jw_ku64(w, "p90_ns", s->p90);
		jw_ku64(w, "p99_ns", s->p99);
		jw_ku64(w, "max_ns", s->max);
		jw_kdouble(w, "stddev_ns", s->stddev);
	}
	jw_obj_close(w);
}

static void json_event_at(struct jw *w, const struct tl_report *r, size_t off)
{
	struct tl_iter it;
	struct tl_event ev;

	tl_iter_init(&it, r->buf + off, r->len - off);
	if (tl_iter_next(&it, &ev))
		tl_event_json(w, &ev);
}

void tl_report_json(struct jw *w, const struct tl_report *r)
{
	jw_obj_open(w);
	jw_ku64(w, "events", r->events);
	if (r->events) {
		jw_ku64(w, "first_ts", r->first_ts);
		jw_ku64(w, "last_ts", r->last_ts);
	}
	jw_key(w, "kinds");
	jw_obj_open(w);
	for (int k = 0; k < TL_K_NR; k++)
		if (r->kinds[k])
			jw_ku64(w, tl_kind_name(k), r->kinds[k]);
	jw_obj_close(w);
	jw_ku64(w, "out_of_order", r->out_of_order);
	jw_ku64(w, "migrations", r->migrations);
	jw_key(w, "tasks");
	jw_arr_open(w);
	for (size_t i = 0; i < r->nrows; i++) {
		const struct tl_task_stats *t = r->rows[i];

		jw_obj_open(w);
		jw_ku64(w, "pid", t->pid);
		if (t->tgid)
			jw_ku64(w, "tgid", t->tgid);
		if (t->comm[0])
			jw_kstr(w, "comm", t->comm);
		jw_ku64(w, "switches", t->switches);
		jw_ku64(w, "preempted", t->preempted);
		jw_ku64(w, "migrations", t->migrations);
		json_stat(w, "run", &t->run);
		json_stat(w, "wait", &t->wait);
		json_stat(w, "sched_delay", &t->delay);
		jw_key(w, "states");
		jw_obj_open(w);
		for (int s = 0; s < 10; s++)
			if (t->states[s])
				jw_ku64(w, state_names[s], t->states[s]);
		jw_obj_close(w);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_key(w, "cpus");
	jw_arr_open(w);
	for (size_t i = 0; i < r->ncpurows; i++) {
		const struct tl_cpu_stats *c = &r->cpurows[i];

		jw_obj_open(w);
		jw_ku64(w, "cpu", c->cpu);
		jw_ku64(w, "busy_ns", c->busy_ns);
		jw_ku64(w, "idle_ns", c->idle_ns);
		jw_ku64(w, "switches", c->switches);
		jw_ku64(w, "preemptions", c->preemptions);
		jw_ku64(w, "events", c->events);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_key(w, "top_sched_delays");
	jw_arr_open(w);
	for (size_t i = 0; i < r->ntop; i++) {
		const struct tl_comm_ent *e = tl_comms_get(&r->comms, r->top[i].pid);

		if (r->o.f.pid && r->top[i].pid != r->o.f.pid && (!e || e->tgid != r->o.f.pid))
			continue;
		jw_obj_open(w);
		jw_ku64(w, "delay_ns", r->top[i].delay);
		jw_ku64(w, "pid", r->top[i].pid);
		if (e && e->comm[0])
			jw_kstr(w, "comm", e->comm);
		jw_ku64(w, "cpu", r->top[i].cpu);
		jw_ku64(w, "ts", r->top[i].ts);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_key(w, "scx_exits");
	jw_arr_open(w);
	for (size_t i = 0; i < r->nexits; i++) {
		const struct scx_exit_snap *x = &r->exits[i];

		jw_obj_open(w);
		jw_key(w, "exit");
		tl_event_json(w, &x->ev);
		jw_key(w, "last_events");
		jw_arr_open(w);
		for (size_t k = 0; k < x->ncpu; k++) {
			jw_obj_open(w);
			jw_ku64(w, "cpu", x->cpu_of[k]);
			jw_key(w, "events");
			jw_arr_open(w);
			for (size_t j = 0; j < x->noffs[k]; j++)
				json_event_at(w, r, x->offs[k][j]);
			jw_arr_close(w);
			jw_obj_close(w);
		}
		jw_arr_close(w);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_close(w);
}
