// SPDX-License-Identifier: MIT
/*
 * Host context collection: thin I/O over the pure parsers, every path
 * below the collector's root.  Static fields (CPU identity, MemTotal,
 * Hugepagesize, online CPUs, NUMA nodes, uname, governors) are read on the
 * first snapshot of a collector; dynamic ones on every snapshot.
 */
#include <dirent.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "file.h"
#include "hostctx.h"

#define CPU_DIR "/sys/devices/system/cpu"
#define SYS_KERNEL "/proc/sys/kernel"
#define THP_DIR "/sys/kernel/mm/transparent_hugepage"
#define READ_CAP (1u << 20)

extern int mallctl(const char *, void *, size_t *, void *, size_t) __attribute__((weak));

/* ---- object lifetime ---------------------------------------------------- */

void hc_free(struct hostctx *c)
{
	free(c->cpu_model);
	free(c->cpu_vendor);
	free(c->thp_enabled);
	free(c->thp_defrag);
	for (size_t i = 0; i < c->ntunables; i++) {
		free(c->tunables[i].key);
		free(c->tunables[i].val);
	}
	free(c->tunables);
	for (size_t i = 0; i < c->ngov; i++)
		free(c->gov[i].gov);
	free(c->gov);
	free(c->kernel_name);
	free(c->kernel_release);
	free(c->arch);
	free(c->kernel_cmdline);
	memset(c, 0, sizeof(*c));
}

bool hc_is_empty(const struct hostctx *c)
{
	return !c->has && !c->cpu_model && !c->cpu_vendor && !c->thp_enabled && !c->thp_defrag &&
	       !c->ngov && !c->kernel_name && !c->kernel_release && !c->arch &&
	       !c->kernel_cmdline && !c->task_delayacct && !c->config_task_xacct;
}

static int sdup(char **dst, const char *src)
{
	*dst = src ? strdup(src) : NULL;
	return src && !*dst ? -1 : 0;
}

int hc_copy(struct hostctx *d, const struct hostctx *s)
{
	int e = 0;

	*d = *s;
	d->tunables = NULL;
	d->gov = NULL;
	d->ntunables = d->ngov = 0;
	e |= sdup(&d->cpu_model, s->cpu_model) | sdup(&d->cpu_vendor, s->cpu_vendor);
	e |= sdup(&d->thp_enabled, s->thp_enabled) | sdup(&d->thp_defrag, s->thp_defrag);
	e |= sdup(&d->kernel_name, s->kernel_name) | sdup(&d->kernel_release, s->kernel_release);
	e |= sdup(&d->arch, s->arch) | sdup(&d->kernel_cmdline, s->kernel_cmdline);
	if (s->ntunables && !(d->tunables = calloc(s->ntunables, sizeof(*d->tunables))))
		e = -1;
	for (size_t i = 0; !e && i < s->ntunables; i++, d->ntunables++)
		e |= sdup(&d->tunables[i].key, s->tunables[i].key) |
		     sdup(&d->tunables[i].val, s->tunables[i].val);
	if (s->ngov && !(d->gov = calloc(s->ngov, sizeof(*d->gov))))
		e = -1;
	for (size_t i = 0; !e && i < s->ngov; i++, d->ngov++) {
		d->gov[i].cpu = s->gov[i].cpu;
		e |= sdup(&d->gov[i].gov, s->gov[i].gov);
	}
	if (e)
		hc_free(d);
	return e ? -1 : 0;
}

/* ---- small readers -------------------------------------------------------- */

static char *read_small(const char *root, const char *path, size_t *len)
{
	return kt_read_small(root, path, READ_CAP, len);
}

/* read_trimmed_sysfs: NULL when unreadable, not UTF-8 or empty */
static char *read_trimmed(const char *root, const char *path)
{
	size_t n;
	char *raw = read_small(root, path, &n);
	char *t;

	if (!raw)
		return NULL;
	t = hc_trimmed_dup(raw, n);
	free(raw);
	return t;
}

/* /proc/cpuinfo up to the end of the first processor block only: a
 * 256-CPU host's file is hundreds of KiB, its first block ~1.5 KiB. */
static char *read_cpuinfo_head(const char *root, size_t *len)
{
	return kt_read_until(root, "/proc/cpuinfo", READ_CAP, len, hc_cpuinfo_block_done);
}

/* ---- sched_* tunables ----------------------------------------------------- */

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct hc_kv *)a)->key, ((const struct hc_kv *)b)->key);
}

static bool is_regular(const struct kt_dir *d, const struct kt_dirent *de)
{
	struct stat st;

	if (de->type != DT_UNKNOWN)
		return de->type == DT_REG;
	return !fstatat(d->fd, de->name, &st, AT_SYMLINK_NOFOLLOW) && S_ISREG(st.st_mode);
}

static int add_tunable(struct hc_kv **kv, size_t *n, size_t *cap, const char *name, char *val)
{
	struct hc_kv *nv;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		nv = realloc(*kv, *cap * sizeof(**kv));
		if (!nv)
			return -1;
		*kv = nv;
	}
	(*kv)[*n].key = strdup(name);
	if (!(*kv)[*n].key)
		return -1;
	(*kv)[(*n)++].val = val;
	return 0;
}

int hc_read_tunables(const char *root, const char *dir, struct hc_kv **kv, size_t *n)
{
	struct kt_dir *d = malloc(sizeof(*d));
	struct kt_dirent *de;
	char rel[4096];
	size_t cap = 0;
	char *val;

	*kv = NULL;
	*n = 0;
	if (!d || kt_dir_open(d, root, dir)) {
		free(d);
		return -1;
	}
	while ((de = kt_dir_next(d))) {
		if (strncmp(de->name, "sched_", 6) || !hc_utf8_valid(de->name, strlen(de->name)) ||
		    !is_regular(d, de))
			continue;
		snprintf(rel, sizeof(rel), "%s/%s", dir, de->name);
		val = read_trimmed(root, rel);
		if (val && add_tunable(kv, n, &cap, de->name, val)) {
			free(val);
			break;
		}
	}
	kt_dir_close(d);
	free(d);
	if (*n)
		qsort(*kv, *n, sizeof(**kv), cmp_kv);
	return 0;
}

/* ---- topology and governors ----------------------------------------------- */

/* The node of CPU (from a cpuN/nodeM entry, lowest M; 0 without one);
 * -1 when the cpuN directory is missing. */
static int cpu_node(const char *root, uint64_t cpu, uint64_t *node)
{
	struct kt_dir *d = malloc(sizeof(*d));
	struct kt_dirent *de;
	char rel[128];
	bool found = false;
	uint64_t m;

	snprintf(rel, sizeof(rel), CPU_DIR "/cpu%llu", (unsigned long long)cpu);
	if (!d || kt_dir_open(d, root, rel)) {
		free(d);
		return -1;
	}
	*node = 0;
	while ((de = kt_dir_next(d))) {
		const char *s = de->name + 4;

		if (strncmp(de->name, "node", 4) || *s < '0' || *s > '9' ||
		    hc_parse_u64(s, strlen(s), &m))
			continue;
		if (!found || m < *node)
			*node = m;
		found = true;
	}
	kt_dir_close(d);
	free(d);
	return 0;
}

static void probe_topology(const char *root, const uint64_t *cpus, size_t n, struct hostctx *st)
{
	uint64_t *nodes = n ? malloc(n * sizeof(*nodes)) : NULL;
	size_t counted = 0, distinct = 0;

	if (!nodes)
		return;
	for (size_t i = 0; i < n; i++)
		if (!cpu_node(root, cpus[i], &nodes[counted]))
			counted++;
	for (size_t i = 0; i < counted; i++) {
		size_t j = 0;

		while (j < i && nodes[j] != nodes[i])
			j++;
		distinct += j == i;
	}
	free(nodes);
	/* the online list is the count; a cpuN directory that cannot be read
	 * only leaves its node out of numa_nodes */
	st->online_cpus = n;
	st->numa_nodes = distinct ? distinct : 1;
	st->has |= HC_ONLINE_CPUS | HC_NUMA_NODES;
}

static void read_governors(const char *root, const uint64_t *cpus, size_t n, struct hostctx *st)
{
	char rel[128];
	char *g;

	st->gov = n ? calloc(n, sizeof(*st->gov)) : NULL;
	if (!st->gov)
		return;
	for (size_t i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), CPU_DIR "/cpu%llu/cpufreq/scaling_governor",
			 (unsigned long long)cpus[i]);
		g = read_trimmed(root, rel);
		if (g) {
			st->gov[st->ngov].cpu = cpus[i];
			st->gov[st->ngov++].gov = g;
		}
	}
	if (!st->ngov) {
		free(st->gov);
		st->gov = NULL;
	}
}

static void read_cpus(const char *root, struct hostctx *st)
{
	uint64_t *cpus;
	size_t len, n;
	char *raw = read_small(root, CPU_DIR "/online", &len);

	if (!raw)
		return;
	if (!hc_parse_cpulist(raw, len, &cpus, &n)) {
		if (n)
			probe_topology(root, cpus, n, st);
		read_governors(root, cpus, n, st);
		free(cpus);
	}
	free(raw);
}

/* ---- uname ---------------------------------------------------------------- */

static char *uts_dup(const char *s)
{
	return hc_utf8_valid(s, strlen(s)) ? strdup(s) : NULL;
}

static void read_uname(const char *root, struct hostctx *st)
{
	struct utsname u;
	bool live = !root || !*root || !strcmp(root, "/");

	if (!live) { /* a tree's kernel, or none: never this host's */
		st->kernel_name = read_trimmed(root, SYS_KERNEL "/ostype");
		st->kernel_release = read_trimmed(root, SYS_KERNEL "/osrelease");
		st->arch = read_trimmed(root, SYS_KERNEL "/arch");
		return;
	}
	if (uname(&u))
		return;
	st->kernel_name = uts_dup(u.sysname);
	st->kernel_release = uts_dup(u.release);
	st->arch = uts_dup(u.machine);
}

/* ---- the snapshot ----------------------------------------------------------- */

void hc_heap_collect(struct hc_heap *h)
{
	static const struct {
		const char *name;
		unsigned bit;
		size_t off;
	} rd[] = {
		{"stats.active", HC_HEAP_ACTIVE, offsetof(struct hc_heap, active_bytes)},
		{"stats.allocated", HC_HEAP_ALLOCATED, offsetof(struct hc_heap, allocated_bytes)},
		{"stats.resident", HC_HEAP_RESIDENT, offsetof(struct hc_heap, resident_bytes)},
		{"stats.mapped", HC_HEAP_MAPPED, offsetof(struct hc_heap, mapped_bytes)},
	};
	uint64_t epoch = 1;
	unsigned narenas;
	size_t v, sz;

	memset(h, 0, sizeof(*h));
	if (!mallctl || mallctl("epoch", NULL, NULL, &epoch, sizeof(epoch)))
		return;
	for (size_t i = 0; i < sizeof(rd) / sizeof(rd[0]); i++) {
		sz = sizeof(v);
		if (!mallctl(rd[i].name, &v, &sz, NULL, 0)) {
			*(uint64_t *)((char *)h + rd[i].off) = v;
			h->has |= rd[i].bit;
		}
	}
	sz = sizeof(narenas);
	if (!mallctl("arenas.narenas", &narenas, &sz, NULL, 0)) {
		h->narenas = narenas;
		h->has |= HC_HEAP_NARENAS;
	}
}

bool hc_heap_kept(const struct hc_heap *h)
{
	unsigned both = HC_HEAP_ALLOCATED | HC_HEAP_ACTIVE;

	return (h->has & both) != both || h->allocated_bytes || h->active_bytes;
}

void hc_collector_init(struct hc_collector *c, const char *root)
{
	memset(c, 0, sizeof(*c));
	c->root = root;
	c->use_heap = true;
}

void hc_collector_free(struct hc_collector *c)
{
	hc_free(&c->st);
	c->primed = false;
}

static void prime(struct hc_collector *c, const struct hc_meminfo *m)
{
	size_t n;
	char *raw = read_cpuinfo_head(c->root, &n);

	if (raw) {
		hc_parse_cpuinfo(raw, n, &c->st.cpu_model, &c->st.cpu_vendor);
		free(raw);
	}
	c->st.total_memory_kib = m->mem_total_kib;
	c->st.hugepages_size_kib = m->hugepages_size_kib;
	c->st.has |= m->has & (HC_TOTAL_MEMORY | HC_HP_SIZE);
	read_uname(c->root, &c->st);
	read_cpus(c->root, &c->st);
	c->static_reads++;
	c->primed = true;
}

static void read_dynamic(struct hc_collector *c, struct hostctx *out)
{
	const char *r = c->root;
	char *da;

	out->thp_enabled = read_trimmed(r, THP_DIR "/enabled");
	out->thp_defrag = read_trimmed(r, THP_DIR "/defrag");
	if (!hc_read_tunables(r, SYS_KERNEL, &out->tunables, &out->ntunables))
		out->has |= HC_TUNABLES;
	out->kernel_cmdline = read_trimmed(r, "/proc/cmdline");
	errno = 0;
	da = read_trimmed(r, SYS_KERNEL "/task_delayacct");
	/* a missing sysctl means the option is not built in; a sysctl that
	 * cannot be read, or a tree with no sysctls at all, says nothing */
	if (da || (errno == ENOENT && out->has & HC_TUNABLES))
		out->task_delayacct = hc_delayacct_from(da);
	free(da);
	out->config_task_xacct = hc_read_xacct(r, "/proc/config.gz");
	if (!c->use_heap)
		return;
	hc_heap_collect(&out->heap);
	if (hc_heap_kept(&out->heap))
		out->has |= HC_HEAP;
	else
		memset(&out->heap, 0, sizeof(out->heap));
}

int hc_collect(struct hc_collector *c, struct hostctx *out)
{
	struct hc_meminfo m = {0};
	size_t n;
	char *raw = read_small(c->root, "/proc/meminfo", &n);

	if (raw) {
		hc_parse_meminfo(raw, n, &m);
		free(raw);
	}
	if (!c->primed)
		prime(c, &m);
	if (hc_copy(out, &c->st))
		return -1;
	out->hugepages_total = m.hugepages_total;
	out->hugepages_free = m.hugepages_free;
	out->has |= m.has & (HC_HP_TOTAL | HC_HP_FREE);
	read_dynamic(c, out);
	return 0;
}
