// SPDX-License-Identifier: MIT
/* The timeline BPF loader: the only user of timeline.skel.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "timeline.h"
#include "timeline.skel.h"
#include "tlcount.skel.h"
#include "timeline_rec.h"

struct tl_bpf {
	struct timeline *skel;
	bool staged;
	/* a ring buffer per possible CPU (bpf/timeline.bpf.c), and each one's
	 * consumer and producer pages, read-only (the positions without
	 * libbpf's ring__*_pos, which older libbpfs lack); MARK: each ring's
	 * producer position at tl_bpf_rb_mark */
	int nrb;
	int *rb_fd;
	void **cons, **prod;
	unsigned long *mark;
	size_t pg;
	struct bpf_link *links[TL_AT_NR];
};

/* Attach point -> its program (and tracepoint name). */
static struct bpf_program *prog_of(struct timeline *s, unsigned at, const char **tp)
{
	*tp = tl_attach_name(at);
	switch (at) {
	case TL_AT_SWITCH:
		return s->progs.tl_switch;
	case TL_AT_MIGRATE:
		return s->progs.tl_migrate;
	case TL_AT_WAKEUP:
		return s->progs.tl_wakeup;
	case TL_AT_WAKEUP_NEW:
		return s->progs.tl_wakeup_new;
	case TL_AT_WAKING:
		return s->progs.tl_waking;
	case TL_AT_FORK:
		return s->progs.tl_fork;
	case TL_AT_EXIT:
		return s->progs.tl_exit;
	case TL_AT_EXEC:
		return s->progs.tl_exec;
	case TL_AT_PI:
		return s->progs.tl_pi;
	case TL_AT_LOCK:
		return s->progs.tl_lock;
	case TL_AT_SCX_EVENT:
		return s->progs.tl_scx_event;
	case TL_AT_SCX_DUMP:
		return s->progs.tl_scx_dump;
	default:
		return NULL; /* sched_ext_exit: no such tracepoint yet */
	}
}

/* Staging needs bpf_local_irq_save (kernels from 6.14); KTBOX_TL_STAGE=0
 * turns it off (the per-record ring-buffer path, for comparisons). */
static bool stage_ok(void)
{
	const char *env = getenv("KTBOX_TL_STAGE");
	struct btf *btf;
	bool ok;

	if (env && !strcmp(env, "0"))
		return false;
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return false;
	ok = btf__find_by_name_kind(btf, "bpf_local_irq_save", BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return ok;
}

uint64_t tl_bpf_available(uint64_t events)
{
	struct btf *btf = btf__load_vmlinux_btf();
	uint64_t have = 0;
	char name[64];

	if (!btf)
		return 0;
	for (unsigned i = 0; i < TL_AT_NR; i++) {
		if (!(events >> i & 1))
			continue;
		snprintf(name, sizeof(name), "btf_trace_%s", tl_attach_name(i));
		if (btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) > 0)
			have |= 1ull << i;
	}
	btf__free(btf);
	return have;
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN && getenv("KTBOX_BPF_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

/* Each possible CPU's ring buffer (for the outer map, after the load), and
 * its position pages mapped (NULL where they could not be: no positions). */
static int make_rings(struct tl_bpf *b, uint32_t bytes)
{
	b->pg = (size_t)sysconf(_SC_PAGESIZE);
	b->rb_fd = calloc((size_t)b->nrb, sizeof(*b->rb_fd));
	if (!b->rb_fd)
		return -1;
	for (int i = 0; i < b->nrb; i++)
		b->rb_fd[i] = -1;
	b->cons = calloc((size_t)b->nrb, sizeof(*b->cons));
	b->prod = calloc((size_t)b->nrb, sizeof(*b->prod));
	b->mark = calloc((size_t)b->nrb, sizeof(*b->mark));
	if (!b->cons || !b->prod || !b->mark)
		return -1;
	for (int i = 0; i < b->nrb; i++) {
		void *c, *p;
		int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "tl_rb", 0, 0, bytes, NULL);

		if (fd < 0)
			return -1;
		b->rb_fd[i] = fd;
		c = mmap(NULL, b->pg, PROT_READ, MAP_SHARED, fd, 0);
		p = mmap(NULL, b->pg, PROT_READ, MAP_SHARED, fd, (off_t)b->pg);
		b->cons[i] = c == MAP_FAILED ? NULL : c;
		b->prod[i] = p == MAP_FAILED ? NULL : p;
	}
	return 0;
}

struct tl_bpf *tl_bpf_open(const struct tl_bpf_opts *o, uint64_t *attached, char *err,
			   size_t errlen)
{
	struct tl_bpf *b = calloc(1, sizeof(*b));
	uint64_t have = tl_bpf_available(o->events);
	const char *tp;
	int e;

	*attached = 0;
	if (!b)
		return NULL;
	libbpf_set_print(silent);
	b->skel = timeline__open();
	if (!b->skel) {
		e = errno;
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(e));
		goto fail;
	}
	memcpy((void *)b->skel->rodata->cpumask, o->cpus, sizeof(o->cpus));
	b->skel->rodata->filter_cpus = o->filter_cpus;
	b->skel->rodata->filter_tgid = o->tgid;
	b->skel->rodata->self_tgid = o->self_tgid;
	b->skel->rodata->wake_bytes = o->wake_bytes;
	b->skel->rodata->stage_on = b->staged = stage_ok();
	b->nrb = libbpf_num_possible_cpus();
	if (b->nrb <= 0) {
		e = -b->nrb;
		snprintf(err, errlen, "cannot count the possible CPUs: %s", strerror(e));
		goto fail;
	}
	/* the first ring is the outer map's template (libbpf cannot resize
	 * the declared one: an inner map has no object) */
	if (make_rings(b, o->rb_bytes) ||
	    bpf_map__set_max_entries(b->skel->maps.rbs, (uint32_t)b->nrb) ||
	    bpf_map__set_inner_map_fd(b->skel->maps.rbs, b->rb_fd[0])) {
		e = errno;
		snprintf(err, errlen, "cannot make the ring buffers: %s", strerror(e));
		goto fail;
	}
	for (unsigned i = 0; i < TL_AT_NR; i++) {
		struct bpf_program *p = prog_of(b->skel, i, &tp);

		if (p)
			bpf_program__set_autoload(p, have >> i & 1);
	}
	e = timeline__load(b->skel);
	if (e) {
		e = -e;
		snprintf(err, errlen, "cannot load the BPF programs: %s", strerror(e));
		goto fail;
	}
	for (int i = 0; i < b->nrb; i++) {
		uint32_t k = (uint32_t)i;

		if (bpf_map_update_elem(bpf_map__fd(b->skel->maps.rbs), &k, &b->rb_fd[i],
					BPF_ANY)) {
			e = errno;
			snprintf(err, errlen, "cannot make the ring buffers: %s", strerror(e));
			goto fail;
		}
	}
	for (unsigned i = 0; i < TL_AT_NR; i++) {
		struct bpf_program *p = prog_of(b->skel, i, &tp);

		if (!p || !(have >> i & 1))
			continue;
		b->links[i] = bpf_program__attach(p);
		if (!b->links[i]) {
			e = errno;
			snprintf(err, errlen, "cannot attach to %s: %s", tp, strerror(e));
			goto fail;
		}
		*attached |= 1ull << i;
	}
	return b;
fail:
	tl_bpf_close(b);
	errno = e;
	return NULL;
}

bool tl_bpf_staged(const struct tl_bpf *b)
{
	return b->staged;
}

int tl_bpf_flush(const struct tl_bpf *b)
{
	int fd = bpf_program__fd(b->skel->progs.tl_flush);
	int n = libbpf_num_possible_cpus(), rc = 0;

	if (!b->staged)
		return 0;
	for (int cpu = 0; cpu < n; cpu++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = cpu);

		/* an offline CPU runs no program: nothing staged there since */
		if (bpf_prog_test_run_opts(fd, &o) && errno != ENXIO)
			rc = -1;
	}
	return rc;
}

/* Ring I's consumer and producer positions now; 0 or -1. */
static int rb_pos(const struct tl_bpf *b, int i, unsigned long *cons, unsigned long *prod)
{
	if (!b->cons[i] || !b->prod[i])
		return -1;
	*cons = __atomic_load_n((unsigned long *)b->cons[i], __ATOMIC_ACQUIRE);
	*prod = __atomic_load_n((unsigned long *)b->prod[i], __ATOMIC_ACQUIRE);
	return 0;
}

int tl_bpf_rb_mark(struct tl_bpf *b)
{
	unsigned long cons;

	for (int i = 0; i < b->nrb; i++)
		if (rb_pos(b, i, &cons, &b->mark[i]))
			return -1;
	return 0;
}

bool tl_bpf_rb_behind(const struct tl_bpf *b)
{
	unsigned long cons, prod;

	for (int i = 0; i < b->nrb; i++)
		if (!rb_pos(b, i, &cons, &prod) && cons < b->mark[i])
			return true;
	return false;
}

struct ring_buffer *tl_bpf_ring(const struct tl_bpf *b,
				int (*fn)(void *ctx, void *data, size_t size), void *ctx)
{
	struct ring_buffer *rb = ring_buffer__new(b->rb_fd[0], fn, ctx, NULL);

	for (int i = 1; rb && i < b->nrb; i++)
		if (ring_buffer__add(rb, b->rb_fd[i], fn, ctx)) {
			ring_buffer__free(rb);
			return NULL;
		}
	return rb;
}

int tl_bpf_lost(const struct tl_bpf *b, uint64_t *lost, uint32_t ncpus)
{
	int n = libbpf_num_possible_cpus();
	uint64_t *v;
	uint32_t k = 0;

	if (n <= 0)
		return -1;
	v = calloc((size_t)n, sizeof(*v));
	if (!v)
		return -1;
	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.lost), &k, v)) {
		free(v);
		return -1;
	}
	for (uint32_t i = 0; i < ncpus; i++)
		lost[i] = i < (uint32_t)n ? v[i] : 0;
	free(v);
	return 0;
}

uint64_t tl_bpf_misses(const struct tl_bpf *b)
{
	const char *tp;
	uint64_t n = 0;

	for (unsigned i = 0; i < TL_AT_NR; i++) {
		struct bpf_program *p = prog_of(b->skel, i, &tp);
		struct bpf_prog_info info = {0};
		uint32_t len = sizeof(info);

		if (!p || !b->links[i] || bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len))
			continue;
		n += info.recursion_misses;
	}
	return n;
}

void tl_bpf_close(struct tl_bpf *b)
{
	if (!b)
		return;
	for (unsigned i = 0; i < TL_AT_NR; i++)
		bpf_link__destroy(b->links[i]);
	for (int i = 0; i < b->nrb && b->rb_fd; i++) {
		if (b->cons && b->cons[i])
			munmap(b->cons[i], b->pg);
		if (b->prod && b->prod[i])
			munmap(b->prod[i], b->pg);
		if (b->rb_fd[i] >= 0)
			close(b->rb_fd[i]);
	}
	free(b->rb_fd);
	free(b->cons);
	free(b->prod);
	free(b->mark);
	timeline__destroy(b->skel);
	free(b);
}

/* ---- the count-only floor (bpf/tlcount.bpf.c) ---- */

struct tl_count {
	struct tlcount *skel;
	struct bpf_link *links[TL_AT_NR];
};

static struct bpf_program *count_prog(struct tlcount *s, unsigned at)
{
	switch (at) {
	case TL_AT_SWITCH:
		return s->progs.c_switch;
	case TL_AT_MIGRATE:
		return s->progs.c_migrate;
	case TL_AT_WAKEUP:
		return s->progs.c_wakeup;
	case TL_AT_WAKEUP_NEW:
		return s->progs.c_wakeup_new;
	case TL_AT_WAKING:
		return s->progs.c_waking;
	case TL_AT_FORK:
		return s->progs.c_fork;
	case TL_AT_EXIT:
		return s->progs.c_exit;
	case TL_AT_EXEC:
		return s->progs.c_exec;
	case TL_AT_PI:
		return s->progs.c_pi;
	case TL_AT_LOCK:
		return s->progs.c_lock;
	case TL_AT_SCX_EVENT:
		return s->progs.c_scx_event;
	case TL_AT_SCX_DUMP:
		return s->progs.c_scx_dump;
	default:
		return NULL;
	}
}

struct tl_count *tl_count_open(uint64_t events, uint64_t *attached, char *err, size_t errlen)
{
	struct tl_count *c = calloc(1, sizeof(*c));
	uint64_t have = tl_bpf_available(events);
	int e = 0;

	*attached = 0;
	if (!c)
		return NULL;
	libbpf_set_print(silent);
	c->skel = tlcount__open();
	if (!c->skel) {
		e = errno;
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(e));
		goto fail;
	}
	for (unsigned i = 0; i < TL_AT_NR; i++)
		if (count_prog(c->skel, i))
			bpf_program__set_autoload(count_prog(c->skel, i), have >> i & 1);
	e = tlcount__load(c->skel);
	if (e) {
		e = -e;
		snprintf(err, errlen, "cannot load the BPF programs: %s", strerror(e));
		goto fail;
	}
	for (unsigned i = 0; i < TL_AT_NR; i++) {
		if (!count_prog(c->skel, i) || !(have >> i & 1))
			continue;
		c->links[i] = bpf_program__attach(count_prog(c->skel, i));
		if (!c->links[i]) {
			e = errno;
			snprintf(err, errlen, "cannot attach to %s: %s", tl_attach_name(i),
				 strerror(e));
			goto fail;
		}
		*attached |= 1ull << i;
	}
	return c;
fail:
	tl_count_close(c);
	errno = e;
	return NULL;
}

int tl_count_read(const struct tl_count *c, uint64_t counts[TL_AT_NR])
{
	int n = libbpf_num_possible_cpus();
	uint64_t *v;

	if (n <= 0)
		return -1;
	v = calloc((size_t)n, sizeof(*v));
	if (!v)
		return -1;
	for (uint32_t k = 0; k < TL_AT_NR; k++) {
		counts[k] = 0;
		if (bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.counts), &k, v))
			continue;
		for (int i = 0; i < n; i++)
			counts[k] += v[i];
	}
	free(v);
	return 0;
}

void tl_count_close(struct tl_count *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < TL_AT_NR; i++)
		bpf_link__destroy(c->links[i]);
	tlcount__destroy(c->skel);
	free(c);
}
