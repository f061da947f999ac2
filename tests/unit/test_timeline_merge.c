// SPDX-License-Identifier: MIT
/* The recorder's merge of per-CPU batches into time order (lib/timeline_merge.c). */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "timeline.h"
#include "timeline_merge.h"
#include "timeline_rec.h"

struct sink {
	struct timeline_event *ev;
	size_t n, cap;
	int calls, fail_at; /* fail_at: the call that returns non-zero (0: none) */
};

static int sink_fn(void *arg, const void *recs, size_t n)
{
	struct sink *s = arg;

	if (++s->calls == s->fail_at)
		return 7;
	if (s->n + n > s->cap) {
		s->cap = (s->n + n) * 2;
		s->ev = realloc(s->ev, s->cap * sizeof(*s->ev));
	}
	memcpy(s->ev + s->n, recs, n * sizeof(*s->ev));
	s->n += n;
	return 0;
}

static struct timeline_event rec(uint32_t type, uint32_t cpu, uint64_t ts, uint32_t id)
{
	return (struct timeline_event){type, cpu, ts, id, 0, 0, 0};
}

static struct timeline_event sw(uint32_t cpu, uint64_t ts)
{
	return rec(TL_EVT_SWITCH, cpu, ts, (uint32_t)ts);
}

/* "cpu:ts" of the sink's records, space-separated */
static const char *order(const struct sink *s)
{
	static char buf[1024];
	size_t o = 0;

	buf[0] = 0;
	for (size_t i = 0; i < s->n && o < sizeof(buf) - 32; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%d:%llu", i ? " " : "",
				      (int)s->ev[i].cpu, (unsigned long long)s->ev[i].ts);
	return buf;
}

static void test_watermark(void)
{
	struct tl_merge m;
	struct sink s = {0};
	struct timeline_event c0[] = {sw(0, 10), sw(0, 20), sw(0, 30), sw(0, 40)};
	struct timeline_event c1[] = {sw(1, 15), sw(1, 25)};

	ok(!tl_merge_init(&m, 2), "init");
	tl_merge_push(&m, c0, 4, sink_fn, &s);
	tl_merge_push(&m, c1, 2, sink_fn, &s);
	is_int(s.n, 0, "push only holds");
	is_int(m.held, 6, "six held");
	ok(!tl_merge_emit(&m, 26, sink_fn, &s), "emit below 26");
	is_str(order(&s), "0:10 1:15 0:20 1:25", "older than 26, across CPUs in time order");
	is_int(m.held, 2, "newer ones held");
	/* a later batch of CPU 1 older than what CPU 0 still holds */
	struct timeline_event c1b[] = {sw(1, 28), sw(1, 45)};
	tl_merge_push(&m, c1b, 2, sink_fn, &s);
	ok(!tl_merge_emit(&m, UINT64_MAX, sink_fn, &s), "emit all");
	is_str(order(&s), "0:10 1:15 0:20 1:25 1:28 0:30 0:40 1:45", "the rest merged");
	is_int(m.held, 0, "nothing held");
	ok(!tl_merge_emit(&m, UINT64_MAX, sink_fn, &s) && s.n == 8, "emit of nothing");
	tl_merge_free(&m);
	free(s.ev);
}

/* a text header and its continuations share cpu and ts: never split */
static void test_text_groups(void)
{
	struct tl_merge m;
	struct sink s = {0};
	struct timeline_event g[] = {rec(TL_EVT_SCX_DUMP, 1, 20, 1), rec(TL_EVT_TEXT, 1, 20, 2),
				     rec(TL_EVT_TEXT, 1, 20, 3)};
	struct timeline_event a[] = {sw(0, 20), sw(0, 20), sw(0, 21)};

	tl_merge_init(&m, 2);
	tl_merge_push(&m, a, 3, sink_fn, &s);
	tl_merge_push(&m, g, 3, sink_fn, &s);
	tl_merge_emit(&m, UINT64_MAX, sink_fn, &s);
	is_str(order(&s), "0:20 0:20 1:20 1:20 1:20 0:21", "tie: lower CPU first, group whole");
	ok(s.n == 6 && s.ev[2].type == TL_EVT_SCX_DUMP && s.ev[3].prev_pid == 2 &&
		   s.ev[4].prev_pid == 3,
	   "the group in its order");
	tl_merge_free(&m);
	/* the group on the lower CPU, a tie on the other */
	free(s.ev);
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < 3; i++)
		g[i].cpu = 0;
	a[0] = sw(1, 20);
	a[1] = sw(1, 20);
	a[2] = sw(1, 21);
	tl_merge_init(&m, 2);
	tl_merge_push(&m, a, 3, sink_fn, &s);
	tl_merge_push(&m, g, 3, sink_fn, &s);
	tl_merge_emit(&m, UINT64_MAX, sink_fn, &s);
	is_str(order(&s), "0:20 0:20 0:20 1:20 1:20 1:21", "group first, whole");
	tl_merge_free(&m);
	free(s.ev);
}

static void test_queues(void)
{
	struct tl_merge m;
	struct sink s = {0};
	/* one sample mixing CPUs, the recorder's own record, a cpu past the last */
	struct timeline_event mix[] = {sw(1, 50), rec(TL_EVT_SCX_EXIT, TL_CPU_NONE, 35, 9),
				       sw(7, 40), sw(0, 30), sw(1, 60)};
	/* a CPU's own order is kept, even out of time order */
	struct timeline_event inv[] = {sw(0, 10), sw(0, 5), sw(0, 70)};

	tl_merge_init(&m, 2);
	tl_merge_push(&m, inv, 3, sink_fn, &s);
	tl_merge_push(&m, mix, 5, sink_fn, &s);
	tl_merge_emit(&m, UINT64_MAX, sink_fn, &s);
	is_str(order(&s), "0:10 0:5 -1:35 7:40 1:50 1:60 0:70 0:30",
	       "per-CPU order kept; TL_CPU_NONE and unknown CPUs merged by time");
	tl_merge_free(&m);
	free(s.ev);
}

static void test_fn_error(void)
{
	struct tl_merge m;
	struct sink s = {.fail_at = 2};
	struct timeline_event c0[] = {sw(0, 10), sw(0, 30)};
	struct timeline_event c1[] = {sw(1, 20)};

	tl_merge_init(&m, 2);
	tl_merge_push(&m, c0, 2, sink_fn, &s);
	tl_merge_push(&m, c1, 1, sink_fn, &s);
	is_int(tl_merge_emit(&m, UINT64_MAX, sink_fn, &s), 7, "the sink's error returned");
	is_str(order(&s), "0:10", "stopped at the failed run");
	is_int(m.held, 2, "the failed run stays held");
	ok(!tl_merge_emit(&m, UINT64_MAX, sink_fn, &s), "then the rest");
	is_str(order(&s), "0:10 1:20 0:30", "nothing lost, nothing twice");
	tl_merge_free(&m);
	free(s.ev);
}

/*
 * The recorder's use, at random: CPUs' sorted streams pushed as batches
 * in a random interleaving, emitted below a watermark every CPU has
 * reached (what a flush guarantees); the output must be in time order,
 * each CPU's records in their own order, none lost or repeated.
 */
static void test_random(void)
{
	enum { NCPU = 5, PER = 3000 };
	static struct timeline_event st[NCPU][PER];
	size_t pos[NCPU] = {0}, left = NCPU * PER;
	struct tl_merge m;
	struct sink s = {0};
	uint64_t last = 0;
	size_t bad = 0, lost = 0;
	unsigned seed = 12345;

	for (int c = 0; c < NCPU; c++) {
		uint64_t t = 0;

		for (int i = 0; i < PER; i++) {
			t += 1 + (uint64_t)(rand_r(&seed) % (c == 3 ? 400 : 20));
			st[c][i] = rec(TL_EVT_SWITCH, (uint32_t)c, t, (uint32_t)i);
		}
	}
	tl_merge_init(&m, NCPU);
	while (left) {
		int c = rand_r(&seed) % NCPU;
		size_t k = 1 + (size_t)(rand_r(&seed) % 64);
		uint64_t w = UINT64_MAX;

		if (pos[c] + k > PER)
			k = PER - pos[c];
		tl_merge_push(&m, st[c] + pos[c], k, sink_fn, &s);
		pos[c] += k;
		left -= k;
		if (rand_r(&seed) % 8)
			continue;
		/* the watermark: the oldest record any CPU has not pushed yet */
		for (int i = 0; i < NCPU; i++)
			if (pos[i] < PER && st[i][pos[i]].ts < w)
				w = st[i][pos[i]].ts;
		tl_merge_emit(&m, w, sink_fn, &s);
	}
	tl_merge_emit(&m, UINT64_MAX, sink_fn, &s);
	size_t next[NCPU] = {0};

	for (size_t i = 0; i < s.n; i++) {
		uint32_t c = s.ev[i].cpu;

		if (s.ev[i].ts < last)
			bad++;
		last = s.ev[i].ts;
		if (c >= NCPU || s.ev[i].prev_pid != next[c]++)
			lost++;
	}
	is_int(s.n, NCPU * PER, "every record out once");
	is_int(bad, 0, "in time order");
	is_int(lost, 0, "each CPU's in its own order");
	is_int(m.held, 0, "nothing held at the end");
	tl_merge_free(&m);
	free(s.ev);
}

/* each CPU's ring: 512 KiB by default, a power-of-two share of --buffer */
static void test_default_rb(void)
{
	is_int(tl_rec_cpu_rb(1, 0), 512 << 10, "1 CPU: 512 KiB");
	is_int(tl_rec_cpu_rb(64, 0), 512 << 10, "64 CPUs: 512 KiB each");
	is_int(tl_rec_cpu_rb(256, 0), 256 << 10, "256 CPUs: 64 MiB in all");
	is_int(tl_rec_cpu_rb(4096, 0), 64 << 10, "at least 64 KiB");
	is_int(tl_rec_cpu_rb(0, 0), 512 << 10, "0 CPUs taken as 1");
	is_int(tl_rec_cpu_rb(2, 1), 512 << 10, "--buffer 1 on 2 CPUs: 512 KiB each");
	is_int(tl_rec_cpu_rb(3, 1), 256 << 10, "--buffer 1 on 3 CPUs: the power of two within");
	is_int(tl_rec_cpu_rb(1, 4096), 64 << 20, "--buffer 4096 on 1 CPU: 64 MiB at most");
	is_int(tl_rec_cpu_rb(64, 1), 64 << 10, "--buffer 1 on 64 CPUs: 64 KiB at least");
}

int main(void)
{
	test_default_rb();
	test_watermark();
	test_text_groups();
	test_queues();
	test_fn_error();
	test_random();
	return tap_done();
}
